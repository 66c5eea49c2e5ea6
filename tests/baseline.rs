//! `--write-baseline` / `--baseline`: known findings stay hidden when code moves or is
//! re-indented; a changed or added finding is new.

mod common;

use common::*;

fn check_with_baseline(p: &Project) -> (Run, serde_json::Value) {
    p.check_json(&[
        "--select",
        "ASYNC1,ASYNC2",
        "--baseline",
        "asynclint-baseline.json",
    ])
}

#[test]
fn baseline_hides_known_findings_until_their_code_changes() {
    let p = Project::with(&[("src/Service.cs", FINDINGS_CS), ("src/Clean.cs", CLEAN_CS)]);
    let run = p.run(&[
        "check",
        "--select",
        "ASYNC1,ASYNC2",
        "--write-baseline",
        "asynclint-baseline.json",
    ]);
    run.expect_code(0);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("Wrote"), "{}", run.stderr);
    let written: serde_json::Value =
        serde_json::from_slice(&p.read("asynclint-baseline.json")).unwrap();
    let recorded = written["findings"].as_array().unwrap().len();
    assert!(recorded >= 5, "{written:#}");
    assert_eq!(written["findings"][0]["path"], "src/Service.cs");

    // Nothing is new.
    let (run, json) = check_with_baseline(&p);
    run.expect_code(0);
    assert!(diagnostics(&json).is_empty(), "{json:#}");
    let text = p.run(&[
        "check",
        "--select",
        "ASYNC1,ASYNC2",
        "--baseline",
        "asynclint-baseline.json",
    ]);
    assert!(
        text.stdout.contains(&format!(
            "{recorded} findings already in the baseline not shown."
        )),
        "{}",
        text.stdout
    );

    // Lines inserted above, the whole file re-indented, CRLF line endings: still known.
    let moved = format!(
        "// Copyright\n// More lines\n\n{}",
        FINDINGS_CS
            .lines()
            .map(|l| format!("\t{}\r\n", l.replace("    ", "  ")))
            .collect::<String>()
    );
    p.write("src/Service.cs", &moved);
    let (run, json) = check_with_baseline(&p);
    run.expect_code(0);
    assert!(diagnostics(&json).is_empty(), "{json:#}");

    // A flagged line whose code changes is new; so is a second identical finding.
    let changed = moved
        .replace("var x = t.Result;", "var x = t.Result + 1;")
        .replace(
            "Thread.Sleep(100);",
            "Thread.Sleep(100);\r\n\t\t\tThread.Sleep(100);",
        );
    p.write("src/Service.cs", &changed);
    let (run, json) = check_with_baseline(&p);
    run.expect_code(1);
    let new: Vec<(String, u64)> = diagnostics(&json)
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        new,
        [("ASYNC101".to_owned(), 13), ("ASYNC102".to_owned(), 15)],
        "{json:#}"
    );
}

#[test]
fn a_bad_baseline_is_an_error() {
    let p = Project::with(&[
        ("Service.cs", FINDINGS_CS),
        ("base.json", "{ \"version\": 1,\n  \"nope\": [] }"),
    ]);
    let run = p.run(&["check", "--baseline", "base.json"]);
    run.expect_code(2);
    assert!(run.stderr.contains("base.json:"), "{}", run.stderr);
    let run = p.run(&["check", "--baseline", "missing.json"]);
    run.expect_code(2);
    assert!(run.stderr.contains("missing.json"), "{}", run.stderr);
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = Project::new().run(&["completions", shell]);
        run.expect_code(0);
        assert!(run.stdout.contains("asynclint"), "{shell}: {}", run.stdout);
        assert!(run.stdout.contains("write-baseline"), "{shell}");
    }
    Project::new().run(&["completions", "tcsh"]).expect_code(2);
}
