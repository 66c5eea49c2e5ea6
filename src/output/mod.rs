//! Rendering results: text, json, sarif, msbuild, github. Byte ranges become 1-based lines
//! and columns (Unicode scalar values) here and nowhere else; so do the fingerprints that
//! SARIF and baselines share (`fingerprint.rs`).

pub mod fingerprint;
mod github;
mod json;
mod msbuild;
mod sarif;
mod text;

use crate::diagnostic::{Diagnostic, Severity, Suppressed};
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Msbuild,
    Github,
}

/// One linted file, as the output layer sees it.
pub struct FileResult {
    /// Relative to the current folder when under it, with `/` separators.
    pub display_path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Findings suppressions hid, when they are to be shown (`--show-suppressed`).
    pub suppressed: Vec<Suppressed>,
}

impl FileResult {
    /// Every finding to show, in order of position then rule, each with the suppression
    /// that hid it, if any.
    pub fn entries(&self) -> Vec<(&Diagnostic, Option<&Suppressed>)> {
        let mut all: Vec<(&Diagnostic, Option<&Suppressed>)> = self
            .diagnostics
            .iter()
            .map(|d| (d, None))
            .chain(self.suppressed.iter().map(|s| (&s.diagnostic, Some(s))))
            .collect();
        all.sort_by(|a, b| (a.0.range.start, a.0.rule).cmp(&(b.0.range.start, b.0.rule)));
        all
    }
}

/// Everything a run produced.
pub struct RunResult {
    pub files: Vec<FileResult>,
    pub files_checked: usize,
    pub files_with_syntax_errors: usize,
    pub fixes_applied: usize,
    /// How many findings suppressions hid (shown or not).
    pub suppressed: usize,
    /// How many findings the baseline already knew (not shown).
    pub baselined: usize,
}

impl RunResult {
    pub fn diagnostics(&self) -> impl Iterator<Item = (&FileResult, &Diagnostic)> {
        self.files
            .iter()
            .flat_map(|f| f.diagnostics.iter().map(move |d| (f, d)))
    }
    pub fn count(&self) -> usize {
        self.files.iter().map(|f| f.diagnostics.len()).sum()
    }
}

pub struct Options {
    pub format: Format,
    pub quiet: bool,
    pub color: bool,
}

pub fn render(run: &RunResult, opts: &Options, out: &mut dyn Write) -> std::io::Result<()> {
    match opts.format {
        Format::Text => text::render(run, opts, out),
        Format::Json => json::render(run, out),
        Format::Sarif => sarif::render(run, out),
        Format::Msbuild => msbuild::render(run, out),
        Format::Github => github::render(run, out),
    }
}

/// Line starts of a text, for byte offset → (line, column).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }
    /// 1-based line and column; the column counts Unicode scalar values.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let col = self.text[start..offset].chars().count() + 1;
        (line + 1, col)
    }
    /// The byte range of a 1-based line, without its line ending.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.starts[line - 1];
        let mut end = self.starts.get(line).copied().unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        while end > start && (bytes[end - 1] == b'\n' || bytes[end - 1] == b'\r') {
            end -= 1;
        }
        start..end
    }
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

pub(crate) fn severity_word(s: Severity) -> &'static str {
    s.name()
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn positions_count_scalar_values() {
        let text = "ab\r\nçé x\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(4), (2, 1));
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(x), (2, 4));
        assert_eq!(&text[idx.line_range(1)], "ab");
    }
}
