//! The engine: one file in, diagnostics out. Decoding and IO happen before (in
//! `workspace/`, configuration in `config/`); rules run here, dispatched by node kind over
//! one walk of the flat tree, then suppressions are applied (`suppress.rs`).

mod elide;
pub mod stats;
mod suppress;
mod tokens;

pub use tokens::{AWAITABLE_CALL, AWAITABLE_STATEMENT, VALUETASK_CALL};

pub use elide::{set_disabled as set_elision_disabled, without_elision};

use crate::config::{select_and_ignore, FileSettings};
use crate::diagnostic::{Diagnostic, Severity, Suppressed};
use crate::project::{ProjectInfo, ProjectKind};
use crate::rules::suppression::unused_suppression::RULE as UNUSED_SUPPRESSION;
use crate::rules::{Rule, RuleCtx, ALL};
use crate::semantic::{FileId, FileModel, ProjectIndex};
use crate::syntax::{self, SyntaxKind};
use std::borrow::Cow;

/// Which rules run: the command line's `--select` / `--ignore`, the strongest layer.
#[derive(Clone, Debug, Default, Hash)]
pub struct Settings {
    /// Only these rules (IDs), when given.
    pub select: Option<Vec<&'static str>>,
    /// Never these rules (IDs).
    pub ignore: Vec<&'static str>,
}

impl Settings {
    /// Whether a rule runs in a project of this kind, and at which severity (no
    /// configuration files).
    pub fn severity_of(&self, rule: &Rule, project: &ProjectInfo) -> Severity {
        self.severity_for(rule, project.kind, &FileSettings::default())
    }

    /// A rule's severity in a file: its default for the project kind, then `.editorconfig`
    /// and `asynclint.toml` (`file`), then the command line. `--select` replaces the
    /// selection of `asynclint.toml` (its `select` and `ignore`) and turns on rules that are
    /// off by default or by configuration; `--ignore` wins over everything.
    pub fn severity_for(&self, rule: &Rule, kind: ProjectKind, file: &FileSettings) -> Severity {
        if self.ignore.contains(&rule.id) {
            return Severity::Off;
        }
        match &self.select {
            Some(list) => select_and_ignore(rule, file.level(rule, kind), Some(list), &[]),
            None => file.severity(rule, kind),
        }
    }
}

/// What linting one file produced.
#[derive(Debug, Default)]
pub struct FileReport {
    pub diagnostics: Vec<Diagnostic>,
    /// Findings a suppression hid (`--show-suppressed` lists them).
    pub suppressed: Vec<Suppressed>,
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

fn no_config() -> &'static FileSettings {
    static NONE: std::sync::OnceLock<FileSettings> = std::sync::OnceLock::new();
    NONE.get_or_init(FileSettings::default)
}

/// Lints one decoded file that is part of a run whose declarations are in `index`
/// (`file` is the id its own summary carries there), without configuration files.
pub fn lint_source_in(
    source: &str,
    project: &ProjectInfo,
    settings: &Settings,
    index: &ProjectIndex,
    file: FileId,
) -> FileReport {
    lint_source_with(source, project, settings, no_config(), index, file)
}

/// [`lint_source_in`] with the file's configuration (`config`: what `.editorconfig` and
/// `asynclint.toml` say about this file).
pub fn lint_source_with(
    source: &str,
    project: &ProjectInfo,
    settings: &Settings,
    config: &FileSettings,
    index: &ProjectIndex,
    file: FileId,
) -> FileReport {
    // Configuration may say what kind of project this is.
    let project: Cow<'_, ProjectInfo> = match config.project_kind {
        Some(kind) if kind != project.kind => Cow::Owned(ProjectInfo {
            kind,
            ..project.clone()
        }),
        _ => Cow::Borrowed(project),
    };
    let project = &*project;
    let active: Vec<(&'static Rule, Severity)> = ALL
        .iter()
        .map(|r| (*r, settings.severity_for(r, project.kind, config)))
        .filter(|(_, s)| *s != Severity::Off)
        .collect();
    // ASYNC001 is the engine's: it does not take part in the prefilter or the walk.
    let checked: Vec<(&'static Rule, Severity)> = active
        .iter()
        .copied()
        .filter(|(r, _)| r.id != UNUSED_SUPPRESSION.id)
        .collect();
    let mut report = FileReport::default();
    let mut tree = None;
    // Words count in code only: not in comments, preprocessor lines or plain strings. The
    // raw text is tested first: what it lacks, the code lacks too.
    let candidate =
        !checked.is_empty() && tokens::prefilter(&tokens::FileText::raw(source, index), &checked);
    let masked = candidate
        .then(|| syntax::mask_async_identifiers(source))
        .flatten();
    let (bodies, code) = if candidate {
        crate::semantic::member_bodies_and_code(source, masked.as_deref().unwrap_or(source))
    } else {
        (Vec::new(), String::new())
    };
    let text = tokens::FileText::new(source, &code, index);
    if candidate && tokens::prefilter(&text, &checked) {
        let quiet = if elide::disabled() {
            Vec::new()
        } else {
            elide::quiet_bodies(&text, &code, &bodies, &checked, &config.rules)
        };
        let ranges: Vec<(u32, u32)> = quiet.iter().map(|q| q.body).collect();
        let t = syntax::parse_eliding(source, masked, &ranges);
        stats::count(source.len(), t.elided());
        report.diagnostics = run_rules(&t, &checked, project, config, index, file);
        elide::drop_in_quiet(&mut report.diagnostics, &quiet, t.elided());
        report.has_syntax_errors = t.has_errors();
        report.parsed = true;
        tree = Some(t);
    }
    let may_suppress = suppress::may_suppress(source);
    if !may_suppress && project.no_warn.is_empty() {
        return report;
    }
    // `[SuppressMessage]` needs the tree even when no rule needed it: to tell whether it
    // is used.
    let unused_on = active.iter().any(|(r, _)| r.id == UNUSED_SUPPRESSION.id);
    if tree.is_none() && may_suppress && unused_on && suppress::needs_tree(source) {
        let t = syntax::parse(source);
        report.has_syntax_errors = t.has_errors();
        report.parsed = true;
        tree = Some(t);
    }
    let report_unused = !tree.as_ref().is_some_and(|t| t.has_errors());
    let diagnostics = std::mem::take(&mut report.diagnostics);
    let (mut kept, suppressed) = if may_suppress {
        suppress::apply(
            source,
            tree.as_ref(),
            diagnostics,
            &active,
            &project.no_warn,
            report_unused,
        )
    } else {
        suppress::apply("", None, diagnostics, &[], &project.no_warn, false)
    };
    sort(&mut kept);
    report.diagnostics = kept;
    report.suppressed = suppressed;
    report
}

fn run_rules(
    tree: &syntax::SyntaxTree,
    active: &[(&'static Rule, Severity)],
    project: &ProjectInfo,
    config: &FileSettings,
    index: &ProjectIndex,
    file: FileId,
) -> Vec<Diagnostic> {
    let model = FileModel::build(tree, index, file);
    let mut by_kind: Vec<Vec<(&'static Rule, Severity)>> =
        vec![Vec::new(); SyntaxKind::Other as usize + 1];
    for &(rule, sev) in active {
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
                config: &config.rules,
                rule,
                severity,
                out: &mut diagnostics,
            };
            (rule.check)(node, &mut ctx);
        }
    }
    sort(&mut diagnostics);
    diagnostics.dedup_by(|b, a| a.range == b.range && a.rule == b.rule);
    diagnostics
}

fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
    });
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
