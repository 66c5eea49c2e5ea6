//! `path(line,col): warning ASYNC101: message`, as Visual Studio and Azure Pipelines read it.

use super::{severity_word, LineIndex, RunResult};
use std::io::Write;

pub fn render(run: &RunResult, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &run.files {
        let idx = LineIndex::new(&f.source);
        for d in &f.diagnostics {
            let (line, col) = idx.position(d.range.start);
            writeln!(
                out,
                "{}({line},{col}): {} {}: {}",
                f.display_path,
                severity_word(d.severity),
                d.rule,
                d.message
            )?;
        }
    }
    Ok(())
}
