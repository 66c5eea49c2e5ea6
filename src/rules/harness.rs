//! The shared rule test harness.
//!
//! Snippets mark the lines a rule must flag with a trailing `// ~ASYNC101`; every other
//! line must stay silent. Only the rule under test runs, in a project of the given kind.

use crate::diagnostic::{Applicability, Diagnostic};
use crate::engine::{lint_source, lint_source_in, without_elision, Settings};
use crate::fix::apply_edits;
use crate::project::{ProjectInfo, ProjectKind};
use crate::rules::Rule;
use crate::semantic::ProjectIndex;

pub fn project(kind: ProjectKind) -> ProjectInfo {
    ProjectInfo {
        kind,
        ..ProjectInfo::standalone()
    }
}

/// Lints `source` with `rule` alone, on its own (no project index). Also checks that
/// parsing every body gives the same findings as eliding the quiet ones, both on its own
/// and with the file's declarations in an index (as a run over a folder has them).
pub fn lint_with(rule: &Rule, source: &str, project: &ProjectInfo) -> Vec<Diagnostic> {
    let settings = Settings {
        select: Some(vec![rule.id]),
        ignore: Vec::new(),
    };
    let shown = |d: &[Diagnostic]| format!("{d:#?}");
    let elided = lint_source(source, project, &settings).diagnostics;
    let whole = without_elision(|| lint_source(source, project, &settings).diagnostics);
    assert_eq!(
        shown(&elided),
        shown(&whole),
        "eliding bodies changed the findings"
    );
    let index = ProjectIndex::from_summaries([crate::semantic::skim(source, 0)]);
    let indexed = lint_source_in(source, project, &settings, &index, 0).diagnostics;
    let whole = without_elision(|| lint_source_in(source, project, &settings, &index, 0));
    assert_eq!(
        shown(&indexed),
        shown(&whole.diagnostics),
        "with an index, eliding bodies changed the findings"
    );
    elided
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset].matches('\n').count() + 1
}

/// Asserts that exactly the marked lines are flagged by `rule`, once each.
#[track_caller]
pub fn assert_marked(rule: &Rule, source: &str, kind: ProjectKind) {
    let marker = format!("// ~{}", rule.id);
    let expected: Vec<usize> = source
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(&marker))
        .map(|(i, _)| i + 1)
        .collect();
    let diags = lint_with(rule, source, &project(kind));
    let got: Vec<usize> = diags
        .iter()
        .map(|d| line_of(source, d.range.start))
        .collect();
    let describe = |lines: &[usize]| {
        lines
            .iter()
            .map(|l| format!("{l}: {}", source.lines().nth(l - 1).unwrap_or("").trim()))
            .collect::<Vec<_>>()
            .join("\n  ")
    };
    assert_eq!(
        got,
        expected,
        "\n{} flagged lines:\n  {}\nbut the marked lines are:\n  {}\nmessages: {:#?}",
        rule.id,
        describe(&got),
        describe(&expected),
        diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    assert_fixes_reparse(source, &diags);
}

/// Asserts that nothing in `source` is flagged by `rule`.
#[track_caller]
pub fn assert_silent(rule: &Rule, source: &str, kind: ProjectKind) {
    assert!(
        !source.contains(&format!("// ~{}", rule.id)),
        "a silent snippet must not carry markers"
    );
    assert_marked(rule, source, kind);
}

/// Every fix, applied alone, leaves a file that parses as well as before.
#[track_caller]
pub fn assert_fixes_reparse(source: &str, diags: &[Diagnostic]) {
    let before = crate::syntax::parse(source).error_count;
    for d in diags {
        if let Some(fix) = &d.fix {
            let fixed = apply_edits(source, &fix.edits).expect("fix edits do not overlap");
            let after = crate::syntax::parse(&fixed).error_count;
            assert!(
                after <= before,
                "the fix of {} ({}) breaks the parse:\n{fixed}",
                d.rule,
                fix.message
            );
        }
    }
}

/// Applies the rule's fix of every finding (of the given applicability) and compares.
#[track_caller]
pub fn assert_fix(rule: &Rule, before: &str, after: &str, applicability: Applicability) {
    let diags = lint_with(rule, before, &project(ProjectKind::Library));
    let edits: Vec<_> = diags
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability == applicability)
        .flat_map(|f| f.edits.clone())
        .collect();
    assert!(
        !edits.is_empty(),
        "{} offered no {applicability:?} fix for:\n{before}",
        rule.id
    );
    let fixed = apply_edits(before, &edits).expect("edits do not overlap");
    assert_eq!(fixed, after, "{} fix", rule.id);
    assert_fixes_reparse(before, &diags);
}

/// The docs' example is flagged and its "use instead" is not.
#[track_caller]
pub fn assert_docs(rule: &Rule, kind: ProjectKind) {
    let p = project(kind);
    assert!(
        !lint_with(rule, rule.docs.example, &p).is_empty(),
        "{}: the docs example is not flagged:\n{}",
        rule.id,
        rule.docs.example
    );
    let silent = lint_with(rule, rule.docs.use_instead, &p);
    assert!(
        silent.is_empty(),
        "{}: the docs' use-instead is flagged: {:?}",
        rule.id,
        silent.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

/// A fixture of several files: `//- path` lines start each file (C# sources and project
/// files alike). Written to a temporary folder and linted as one run, so the project index
/// and the project model take part. Returns the temp dir (kept alive) and the files.
pub fn write_fixture(fixture: &str) -> (tempfile::TempDir, Vec<(String, String)>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in fixture.lines() {
        if let Some(path) = line.strip_prefix("//- ") {
            if let Some(f) = current.take() {
                files.push(f);
            }
            current = Some((path.trim().to_owned(), String::new()));
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    files.extend(current);
    for (path, text) in &files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    (dir, files)
}

/// [`assert_marked`] over a multi-file fixture: every marked line of every `.cs` file is
/// flagged by `rule` once, nothing else is.
#[track_caller]
pub fn assert_marked_files(rule: &Rule, fixture: &str) {
    let (dir, files) = write_fixture(fixture);
    let marker = format!("// ~{}", rule.id);
    let mut expected: Vec<(String, usize)> = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".cs")) {
        for (i, l) in text.lines().enumerate() {
            if l.contains(&marker) {
                expected.push((path.clone(), i + 1));
            }
        }
    }
    let settings = Settings {
        select: Some(vec![rule.id]),
        ignore: Vec::new(),
    };
    let outcome = crate::lint_paths(&[dir.path().to_path_buf()], &settings, crate::FixMode::None);
    let mut got: Vec<(String, usize)> = Vec::new();
    for f in &outcome.files {
        let rel = f
            .path
            .strip_prefix(dir.path())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for d in &f.diagnostics {
            got.push((rel.clone(), line_of(&f.source, d.range.start)));
        }
    }
    expected.sort();
    got.sort();
    assert_eq!(
        got, expected,
        "{} findings (left) differ from the marked lines (right)",
        rule.id
    );
}
