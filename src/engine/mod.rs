//! The engine: one file in, diagnostics out. Decoding and IO happen before (in
//! `workspace/`); rules run here, dispatched by node kind over one walk of the flat tree.

use crate::diagnostic::{Diagnostic, Severity};
use crate::project::ProjectInfo;
use crate::rules::{Rule, RuleCtx, ALL};
use crate::semantic::{FileId, FileModel, ProjectIndex};
use crate::syntax::{self, SyntaxKind};

/// Which rules run.
#[derive(Clone, Debug, Default, Hash)]
pub struct Settings {
    /// Only these rules (IDs), when given.
    pub select: Option<Vec<&'static str>>,
    /// Never these rules (IDs).
    pub ignore: Vec<&'static str>,
}

impl Settings {
    /// Whether a rule runs in a project of this kind, and at which severity.
    pub fn severity_of(&self, rule: &Rule, project: &ProjectInfo) -> Severity {
        if self.ignore.contains(&rule.id) {
            return Severity::Off;
        }
        let sev = (rule.severity)(project.kind);
        match &self.select {
            // `--select` turns on rules that are off by default.
            Some(list) if list.contains(&rule.id) => {
                if sev == Severity::Off {
                    rule.default_severity.max(Severity::Info)
                } else {
                    sev
                }
            }
            Some(_) => Severity::Off,
            None => sev,
        }
    }
}

/// What linting one file produced.
#[derive(Debug, Default)]
pub struct FileReport {
    pub diagnostics: Vec<Diagnostic>,
    /// The file was parsed and has syntax errors.
    pub has_syntax_errors: bool,
    /// The file was parsed (it passed the prefilter).
    pub parsed: bool,
}

/// Lints one decoded file on its own (no other file's declarations are known).
pub fn lint_source(source: &str, project: &ProjectInfo, settings: &Settings) -> FileReport {
    lint_source_in(source, project, settings, empty_index(), FileId::MAX)
}

fn empty_index() -> &'static ProjectIndex {
    static EMPTY: std::sync::OnceLock<ProjectIndex> = std::sync::OnceLock::new();
    EMPTY.get_or_init(ProjectIndex::new)
}

/// Lints one decoded file that is part of a run whose declarations are in `index`
/// (`file` is the id its own summary carries there).
pub fn lint_source_in(
    source: &str,
    project: &ProjectInfo,
    settings: &Settings,
    index: &ProjectIndex,
    file: FileId,
) -> FileReport {
    let active: Vec<(&'static Rule, Severity)> = ALL
        .iter()
        .map(|r| (*r, settings.severity_of(r, project)))
        .filter(|(_, s)| *s != Severity::Off)
        .collect();
    if active.is_empty() || !prefilter(source, &active, index) {
        return FileReport::default();
    }
    let tree = syntax::parse(source);
    let model = FileModel::build(&tree, index, file);
    let mut by_kind: Vec<Vec<(&'static Rule, Severity)>> =
        vec![Vec::new(); SyntaxKind::Other as usize + 1];
    for &(rule, sev) in &active {
        for &k in rule.kinds {
            by_kind[k as usize].push((rule, sev));
        }
    }
    let mut diagnostics = Vec::new();
    for node in tree.iter() {
        for &(rule, severity) in &by_kind[node.kind() as usize] {
            let mut ctx = RuleCtx {
                model: &model,
                project,
                rule,
                severity,
                out: &mut diagnostics,
            };
            (rule.check)(node, &mut ctx);
        }
    }
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
    });
    diagnostics.dedup_by(|b, a| a.range == b.range && a.rule == b.rule);
    FileReport {
        diagnostics,
        has_syntax_errors: tree.has_errors(),
        parsed: true,
    }
}

/// A file whose text contains none of the active rules' tokens has no finding to give.
/// The token [`crate::rules::Rule::tokens`] uses for "a method the project declares to
/// return a task" (the names come from the project index).
pub const AWAITABLE_METHODS_TOKEN: &str = "@index:awaitable-methods";

fn prefilter(source: &str, active: &[(&'static Rule, Severity)], index: &ProjectIndex) -> bool {
    active.iter().any(|(r, _)| {
        // A token is one word, or several joined by ` & ` that must all be present.
        r.tokens.iter().any(|t| {
            t.split(" & ").all(|part| {
                if part == AWAITABLE_METHODS_TOKEN {
                    // Without an index (one file on its own) the names are unknown: parse.
                    index.file_count() == 0 || index.mentions_awaitable_method(source)
                } else {
                    memchr::memmem::find(source.as_bytes(), part.as_bytes()).is_some()
                }
            })
        })
    })
}

/// The declaration summary of one file for the project index, from the skim scanner (no
/// parse). `None` when the file declares no type.
pub fn summarize_source(source: &str, file: FileId) -> Option<crate::semantic::FileSummary> {
    let bytes = source.as_bytes();
    let declares = ["class", "interface", "struct", "record"]
        .iter()
        .any(|t| memchr::memmem::find(bytes, t.as_bytes()).is_some());
    let subscribes = memchr::memmem::find(bytes, b"+=").is_some()
        || memchr::memmem::find(bytes, b"-=").is_some();
    if !declares && !subscribes {
        return None;
    }
    Some(crate::semantic::skim(source, file))
}
