//! `path(line,col): warning ASYNC101: message`, as Visual Studio and Azure Pipelines read it.

use super::{severity_word, LineIndex, RunResult};
use std::io::Write;

pub fn render(run: &RunResult, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &run.files {
        let idx = LineIndex::new(&f.source);
        for (d, sup) in f.entries() {
            let (line, col) = idx.position(d.range.start);
            // A suppressed finding (`--show-suppressed`) is information, not a warning.
            let (severity, note) = match sup {
                Some(s) => ("info", format!(" (suppressed by {})", s.kind.describe())),
                None => (severity_word(d.severity), String::new()),
            };
            writeln!(
                out,
                "{}({line},{col}): {severity} {}: {}{note}",
                f.display_path, d.rule, d.message
            )?;
        }
    }
    Ok(())
}
