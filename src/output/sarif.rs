//! SARIF 2.1.0, as GitHub code scanning reads it: one run, the tool with every rule, one
//! result per finding with a relative artifact URI, a region (columns count Unicode code
//! points: `columnKind` says so), a fingerprint that survives lines moving
//! (`partialFingerprints`), fixes as artifact changes, and — with `--show-suppressed` —
//! suppressed findings carrying `suppressions`.

use super::fingerprint::{fingerprints, KEY};
use super::{LineIndex, RunResult};
use crate::diagnostic::{Diagnostic, Severity, Suppressed, SuppressionKind};
use crate::rules::{Rule, ALL, FILE_ERROR_ID, FILE_ERROR_NAME};
use serde_json::{json, Value};
use std::io::Write;

const SRCROOT: &str = "%SRCROOT%";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
        Severity::Off => "none",
    }
}

/// `reportingDescriptor`s: ASYNC000 (files that could not be read), then every rule.
fn rules() -> Vec<Value> {
    let mut out = vec![json!({
        "id": FILE_ERROR_ID,
        "name": FILE_ERROR_NAME,
        "shortDescription": { "text": "A file that could not be read or decoded" },
        "fullDescription": { "text": "The file could not be read, is not UTF-8 or UTF-16 with a BOM, is binary, or is too large; it was not checked." },
        "help": { "text": "Make the file readable, or save it as UTF-8.", "markdown": "Make the file readable, or save it as UTF-8." },
        "defaultConfiguration": { "level": "error" },
    })];
    out.extend(ALL.iter().map(|r| descriptor(r)));
    out
}

fn descriptor(r: &Rule) -> Value {
    let d = &r.docs;
    let text = format!(
        "{}\n\nWhy is this bad? {}\n\nWhen it stays silent: {}\n\nFix: {}",
        d.what, d.why, d.silent_when, d.fix
    );
    let markdown = format!(
        "## What it does\n{}\n\n## Why is this bad?\n{}\n\n## Example\n```csharp{}```\n\n## Use instead\n```csharp{}```\n\n## When it stays silent\n{}\n\n## Fix\n{}\n",
        d.what, d.why, d.example, d.use_instead, d.silent_when, d.fix
    );
    let mut config = json!({ "level": level(r.default_severity) });
    if r.default_severity == Severity::Off {
        config = json!({ "level": "warning", "enabled": false });
    }
    json!({
        "id": r.id,
        "name": r.name,
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": d.what },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": config,
        "properties": {
            "tags": ["async", r.family.title()],
            "precision": "high",
        },
    })
}

/// A URI reference for a display path: relative (with `uriBaseId`) or `file:` when absolute.
fn artifact(path: &str) -> Value {
    if path.starts_with('/') || path.as_bytes().get(1) == Some(&b':') {
        let p = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        json!({ "uri": format!("file://{}", encode(&p)) })
    } else {
        json!({ "uri": encode(path), "uriBaseId": SRCROOT })
    }
}

/// Percent-encodes what may not appear in a URI path.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(idx: &LineIndex<'_>, range: &std::ops::Range<usize>) -> Value {
    let (start_line, start_column) = idx.position(range.start);
    let (end_line, end_column) = idx.position(range.end.max(range.start));
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

fn result(
    d: &Diagnostic,
    sup: Option<&Suppressed>,
    fingerprint: &str,
    path: &str,
    idx: &LineIndex<'_>,
    index_of: &dyn Fn(&str) -> Option<usize>,
) -> Value {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\n\n");
        message.push_str(help);
    }
    let mut r = json!({
        "ruleId": d.rule,
        "level": level(d.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact(path),
                "region": region(idx, &d.range),
            }
        }],
        "partialFingerprints": { KEY: fingerprint },
    });
    if let Some(i) = index_of(d.rule) {
        r["ruleIndex"] = json!(i);
    }
    if let Some(fix) = &d.fix {
        let applicability = match fix.applicability {
            crate::diagnostic::Applicability::Safe => "safe",
            crate::diagnostic::Applicability::Unsafe => "unsafe",
        };
        r["fixes"] = json!([{
            "description": { "text": format!("{} ({applicability})", fix.message) },
            "artifactChanges": [{
                "artifactLocation": artifact(path),
                "replacements": fix.edits.iter().map(|e| json!({
                    "deletedRegion": region(idx, &e.range),
                    "insertedContent": { "text": e.replacement },
                })).collect::<Vec<_>>(),
            }],
        }]);
    }
    if let Some(s) = sup {
        let kind = if s.kind == SuppressionKind::NoWarn {
            "external"
        } else {
            "inSource"
        };
        let mut suppression = json!({
            "kind": kind,
            "status": "accepted",
            "justification": format!("suppressed by {}", s.kind.describe()),
        });
        if s.kind != SuppressionKind::NoWarn {
            suppression["location"] = json!({
                "physicalLocation": {
                    "artifactLocation": artifact(path),
                    "region": region(idx, &s.by),
                }
            });
        }
        r["suppressions"] = json!([suppression]);
    }
    r
}

pub fn render(run: &RunResult, out: &mut dyn Write) -> std::io::Result<()> {
    let rules = rules();
    let ids: Vec<String> = rules
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let index_of = |id: &str| ids.iter().position(|i| i == id);
    let mut results = Vec::new();
    for f in &run.files {
        let idx = LineIndex::new(&f.source);
        let shown: Vec<&Diagnostic> = f.diagnostics.iter().collect();
        let hidden: Vec<&Diagnostic> = f.suppressed.iter().map(|s| &s.diagnostic).collect();
        let fp_shown = fingerprints(&f.display_path, &f.source, &shown);
        let fp_hidden = fingerprints(
            &format!("{}#suppressed", f.display_path),
            &f.source,
            &hidden,
        );
        let mut entries: Vec<(&Diagnostic, Option<&Suppressed>, &str)> = f
            .diagnostics
            .iter()
            .zip(&fp_shown)
            .map(|(d, fp)| (d, None, fp.as_str()))
            .chain(
                f.suppressed
                    .iter()
                    .zip(&fp_hidden)
                    .map(|(s, fp)| (&s.diagnostic, Some(s), fp.as_str())),
            )
            .collect();
        entries.sort_by(|a, b| (a.0.range.start, a.0.rule).cmp(&(b.0.range.start, b.0.rule)));
        for (d, sup, fp) in entries {
            results.push(result(d, sup, fp, &f.display_path, &idx, &index_of));
        }
    }
    let mut run_obj = json!({
        "tool": {
            "driver": {
                "name": "asynclint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Ok(cwd) = std::env::current_dir() {
        let mut base = cwd.to_string_lossy().replace('\\', "/");
        if !base.starts_with('/') {
            base.insert(0, '/');
        }
        if !base.ends_with('/') {
            base.push('/');
        }
        run_obj["originalUriBaseIds"] =
            json!({ SRCROOT: { "uri": format!("file://{}", encode(&base)) } });
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run_obj],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(encode("src/My Dir/a#b.cs"), "src/My%20Dir/a%23b.cs");
        assert_eq!(encode("ç.cs"), "%C3%A7.cs");
        assert_eq!(artifact("src/a.cs")["uriBaseId"], SRCROOT);
        assert_eq!(artifact("/tmp/a.cs")["uri"], "file:///tmp/a.cs");
    }
}
