//! Baselines: `--write-baseline FILE` records today's findings, `--baseline FILE` hides the
//! findings it records and reports only new ones. Findings are matched by the fingerprint
//! SARIF uses (`output::fingerprint`): rule, path, the whitespace-free text of the flagged
//! line(s) and an occurrence counter — so a finding stays known when lines are inserted
//! above it or the code is re-indented, and is new when its code changes. Paths are the
//! ones asynclint prints: run from the same folder (the repository root) each time.

use crate::output::fingerprint::fingerprints;
use crate::output::{FileResult, LineIndex};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::path::Path;

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    tool: String,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    path: String,
    fingerprint: String,
    /// For readers; not used to match.
    line: usize,
    message: String,
}

/// The fingerprints a baseline knows, with how many findings have each.
pub struct Baseline(FxHashMap<String, usize>);

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let file: BaselineFile = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "{}:{}:{}: not an asynclint baseline ({e})",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if file.version != VERSION {
            return Err(format!(
                "{}: baseline version {} is not supported (this asynclint writes version {VERSION})",
                path.display(),
                file.version
            ));
        }
        let mut known = FxHashMap::default();
        for e in file.findings {
            *known.entry(e.fingerprint).or_insert(0) += 1;
        }
        Ok(Baseline(known))
    }

    /// Removes the findings the baseline knows from `files`; returns how many.
    pub fn filter(&mut self, files: &mut [FileResult]) -> usize {
        let mut hidden = 0;
        for f in files.iter_mut() {
            let refs: Vec<&crate::diagnostic::Diagnostic> = f.diagnostics.iter().collect();
            let fps = fingerprints(&f.display_path, &f.source, &refs);
            let mut keep = fps
                .iter()
                .map(|fp| match self.0.get_mut(fp) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                })
                .collect::<Vec<bool>>()
                .into_iter();
            let before = f.diagnostics.len();
            f.diagnostics.retain(|_| keep.next().unwrap_or(true));
            hidden += before - f.diagnostics.len();
        }
        hidden
    }
}

/// Writes a baseline of every finding in `files`; returns how many it records.
pub fn write(path: &Path, files: &[FileResult]) -> Result<usize, String> {
    let mut findings = Vec::new();
    for f in files {
        let refs: Vec<&crate::diagnostic::Diagnostic> = f.diagnostics.iter().collect();
        let fps = fingerprints(&f.display_path, &f.source, &refs);
        let idx = LineIndex::new(&f.source);
        for (d, fp) in f.diagnostics.iter().zip(fps) {
            findings.push(Entry {
                rule: d.rule.to_owned(),
                path: f.display_path.clone(),
                fingerprint: fp,
                line: idx.position(d.range.start).0,
                message: d.message.clone(),
            });
        }
    }
    let n = findings.len();
    let doc = BaselineFile {
        version: VERSION,
        tool: "asynclint".to_owned(),
        findings,
    };
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    crate::workspace::write_atomic(path, &bytes)
        .map_err(|e| format!("{}: cannot write the baseline: {e}", path.display()))?;
    Ok(n)
}
