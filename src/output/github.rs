//! GitHub Actions workflow commands: `::warning file=…,line=…,col=…,title=…::message`.

use super::{LineIndex, RunResult};
use crate::diagnostic::Severity;
use std::io::Write;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(run: &RunResult, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &run.files {
        let idx = LineIndex::new(&f.source);
        for (d, sup) in f.entries() {
            let (line, col) = idx.position(d.range.start);
            let (end_line, end_col) = idx.position(d.range.end);
            let command = match d.severity {
                _ if sup.is_some() => "notice",
                Severity::Error => "error",
                Severity::Warning => "warning",
                _ => "notice",
            };
            let message = match sup {
                Some(s) => format!("{} (suppressed by {})", d.message, s.kind.describe()),
                None => d.message.clone(),
            };
            writeln!(
                out,
                "::{command} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
                escape_property(&f.display_path),
                escape_property(&format!("{} {}", d.rule, d.name)),
                escape_data(&message)
            )?;
        }
    }
    Ok(())
}
