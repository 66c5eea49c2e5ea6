//! The JSON document of INTERFACE.md (version 1).

use super::{LineIndex, RunResult};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    files_checked: usize,
    files_with_syntax_errors: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
    /// Only with `--show-suppressed`, on findings a suppression hid.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<JsonSuppressed>,
}

#[derive(Serialize)]
struct JsonSuppressed {
    kind: crate::diagnostic::SuppressionKind,
    /// The line of the suppression (absent for `<NoWarn>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    applicability: crate::diagnostic::Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    replacement: &'a str,
}

pub fn render(run: &RunResult, out: &mut dyn Write) -> std::io::Result<()> {
    let mut diagnostics = Vec::new();
    for f in &run.files {
        let idx = LineIndex::new(&f.source);
        for (d, sup) in f.entries() {
            let (line, column) = idx.position(d.range.start);
            let (end_line, end_column) = idx.position(d.range.end);
            diagnostics.push(JsonDiagnostic {
                rule: d.rule,
                name: d.name,
                severity: d.severity.name(),
                path: &f.display_path,
                line,
                column,
                end_line,
                end_column,
                message: &d.message,
                help: d.help.as_deref(),
                fix: d.fix.as_ref().map(|fix| JsonFix {
                    message: &fix.message,
                    applicability: fix.applicability,
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| {
                            let (line, column) = idx.position(e.range.start);
                            let (end_line, end_column) = idx.position(e.range.end);
                            JsonEdit {
                                line,
                                column,
                                end_line,
                                end_column,
                                replacement: &e.replacement,
                            }
                        })
                        .collect(),
                }),
                suppressed: sup.map(|s| JsonSuppressed {
                    kind: s.kind,
                    line: (s.kind != crate::diagnostic::SuppressionKind::NoWarn)
                        .then(|| idx.position(s.by.start).0),
                }),
            });
        }
    }
    let doc = Document {
        version: 1,
        files_checked: run.files_checked,
        files_with_syntax_errors: run.files_with_syntax_errors,
        diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
