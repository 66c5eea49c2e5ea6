//! Exit codes of INTERFACE.md: 0 nothing at or above `--fail-on`, 1 findings at or above
//! it, 2 the run itself failed.

mod common;

use common::*;

fn warnings_project() -> Project {
    Project::with(&[("src/Service.cs", FINDINGS_CS), ("src/Clean.cs", CLEAN_CS)])
}

#[test]
fn no_findings_exits_0() {
    let p = Project::with(&[("src/Clean.cs", CLEAN_CS)]);
    let run = p.run(&["check", "--color", "never"]);
    run.expect_code(0);
    assert_eq!(run.stdout, "No findings in 1 file.\n");
    // Also with the strictest threshold and an explicit path.
    p.run(&["check", "src", "--fail-on", "info"]).expect_code(0);
}

#[test]
fn an_empty_folder_exits_0() {
    let p = Project::new();
    let run = p.run(&["check", "--color", "never"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("No findings in 0 files."),
        "{}",
        run.stdout
    );
}

#[test]
fn warnings_against_every_threshold() {
    let p = warnings_project();
    let (_, json) = p.check_json(&["--fail-on", "never"]);
    let severities: Vec<&str> = diagnostics(&json)
        .iter()
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    assert!(!severities.is_empty());
    assert!(severities.iter().all(|s| *s == "warning"), "{severities:?}");

    // The default threshold is `warning`.
    p.run(&["check"]).expect_code(1);
    p.run(&["check", "--fail-on", "warning"]).expect_code(1);
    p.run(&["check", "--fail-on", "info"]).expect_code(1);
    p.run(&["check", "--fail-on", "error"]).expect_code(0);
    p.run(&["check", "--fail-on", "never"]).expect_code(0);
}

#[test]
fn info_findings_against_every_threshold() {
    let p = Project::with(&[("Program.cs", INFO_ONLY_CS)]);
    let (_, json) = p.check_json(&["--fail-on", "never"]);
    let d = diagnostics(&json);
    assert_eq!(d.len(), 1, "{json:#}");
    assert_eq!(d[0]["rule"], "ASYNC101");
    assert_eq!(d[0]["severity"], "info");

    p.run(&["check", "--fail-on", "info"]).expect_code(1);
    p.run(&["check", "--fail-on", "warning"]).expect_code(0);
    p.run(&["check"]).expect_code(0);
    p.run(&["check", "--fail-on", "error"]).expect_code(0);
    p.run(&["check", "--fail-on", "never"]).expect_code(0);
}

#[test]
fn error_findings_against_every_threshold() {
    // In a WPF project, blocking on a task is an error (it deadlocks the UI thread).
    let p = Project::with(&[
        ("App/App.csproj", WPF_CSPROJ),
        ("App/MainWindow.cs", WPF_WINDOW_CS),
    ]);
    let (_, json) = p.check_json(&["--fail-on", "never"]);
    let d = diagnostics(&json);
    assert_eq!(d.len(), 1, "{json:#}");
    assert_eq!(d[0]["rule"], "ASYNC101");
    assert_eq!(d[0]["severity"], "error");

    p.run(&["check", "--fail-on", "error"]).expect_code(1);
    p.run(&["check", "--fail-on", "warning"]).expect_code(1);
    p.run(&["check", "--fail-on", "info"]).expect_code(1);
    p.run(&["check", "--fail-on", "never"]).expect_code(0);
}

#[test]
fn the_exit_code_does_not_depend_on_the_format() {
    let p = warnings_project();
    for format in ["text", "json", "msbuild", "github"] {
        p.run(&["check", "--format", format]).expect_code(1);
        p.run(&["check", "--format", format, "--fail-on", "error"])
            .expect_code(0);
    }
    p.run(&["check", "--quiet"]).expect_code(1);
}

#[test]
fn a_missing_path_exits_2() {
    let p = warnings_project();
    let run = p.run(&["check", "does/not/exist.cs"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("does/not/exist.cs"),
        "stderr should name the path: {}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "nothing is linted: {}", run.stdout);
    // Also when the other paths exist, and whatever the threshold.
    p.run(&["check", "src", "missing-folder"]).expect_code(2);
    p.run(&["check", "missing-folder", "--fail-on", "never"])
        .expect_code(2);
}

#[test]
fn an_unknown_rule_in_select_or_ignore_exits_2() {
    let p = warnings_project();
    for args in [
        &["check", "--select", "ASYNC999"][..],
        &["check", "--select", "no-such-rule"],
        &["check", "--select", "ASYNC101,no-such-rule"],
        &["check", "--select", "ASYNC9"],
        &["check", "--ignore", "no-such-rule"],
        &[
            "check",
            "--select",
            "ASYNC101",
            "--ignore",
            "ASYNC777",
            "--fail-on",
            "never",
        ],
    ] {
        let run = p.run(args);
        run.expect_code(2);
        assert!(
            run.stderr.contains("unknown rule"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stdout.is_empty(),
            "{args:?}: nothing is linted: {}",
            run.stdout
        );
    }
}

#[test]
fn bad_arguments_exit_2() {
    let p = warnings_project();
    p.run(&["check", "--format", "xml"]).expect_code(2);
    p.run(&["check", "--fail-on", "sometimes"]).expect_code(2);
    p.run(&["check", "--fix", "--diff"]).expect_code(2);
    p.run(&["frobnicate"]).expect_code(2);
}
