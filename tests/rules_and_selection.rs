//! `--select` / `--ignore` (by ID, by name, by prefix), `--quiet`, `asynclint rules` and
//! `asynclint explain`.

mod common;

use asynclint::rules::ALL;
use common::*;

/// A project where ASYNC101, ASYNC102, ASYNC201, ASYNC203 and ASYNC205 all fire.
fn project() -> Project {
    Project::with(&[("src/Service.cs", FINDINGS_CS), ("src/Clean.cs", CLEAN_CS)])
}

/// The rules that fired, all of them.
fn fired_all(p: &Project, args: &[&str]) -> Vec<String> {
    let (run, json) = p.check_json(args);
    run.expect_completed();
    rules_fired(&json)
}

/// The rules of the fixture's five that fired (rules added later may fire on it too).
fn fired(p: &Project, args: &[&str]) -> Vec<String> {
    fired_all(p, args)
        .into_iter()
        .filter(|r| EVERYTHING.contains(&r.as_str()))
        .collect()
}

/// Runs with `args`: exactly `expected` of the fixture's rules fire, and no rule outside
/// `allowed` fires at all.
fn assert_selects(p: &Project, args: &[&str], expected: &[&str], allowed: impl Fn(&str) -> bool) {
    assert_eq!(fired(p, args), expected, "{args:?}");
    for rule in fired_all(p, args) {
        assert!(allowed(&rule), "{args:?}: {rule} should not run");
    }
}

const EVERYTHING: [&str; 5] = ["ASYNC101", "ASYNC102", "ASYNC201", "ASYNC203", "ASYNC205"];

#[test]
fn by_default_every_rule_of_the_fixture_fires() {
    assert_eq!(fired(&project(), &[]), EVERYTHING);
}

#[test]
fn select_by_id_name_and_prefix() {
    let p = project();
    let only = |ids: &'static [&'static str]| move |r: &str| ids.contains(&r);
    let prefix = |pre: &'static str| move |r: &str| r.starts_with(pre);
    assert_selects(
        &p,
        &["--select", "ASYNC101"],
        &["ASYNC101"],
        only(&["ASYNC101"]),
    );
    assert_selects(
        &p,
        &["--select", "blocking-wait"],
        &["ASYNC101"],
        only(&["ASYNC101"]),
    );
    // IDs and names are case-insensitive.
    assert_selects(
        &p,
        &["--select", "async101"],
        &["ASYNC101"],
        only(&["ASYNC101"]),
    );
    assert_selects(
        &p,
        &["--select", "Blocking-Wait"],
        &["ASYNC101"],
        only(&["ASYNC101"]),
    );
    // A prefix takes the whole family.
    assert_selects(
        &p,
        &["--select", "ASYNC1"],
        &["ASYNC101", "ASYNC102"],
        prefix("ASYNC1"),
    );
    assert_selects(
        &p,
        &["--select", "async1"],
        &["ASYNC101", "ASYNC102"],
        prefix("ASYNC1"),
    );
    let family2 = ["ASYNC201", "ASYNC203", "ASYNC205"];
    assert_selects(&p, &["--select", "ASYNC2"], &family2, prefix("ASYNC2"));
    assert_selects(&p, &["--select", "ASYNC20"], &family2, prefix("ASYNC20"));
    // Lists, mixing the three ways; the option can also be repeated.
    assert_selects(
        &p,
        &["--select", "blocking-call-in-async,ASYNC203"],
        &["ASYNC102", "ASYNC203"],
        only(&["ASYNC102", "ASYNC203"]),
    );
    assert_selects(
        &p,
        &["--select", "ASYNC1,async-void"],
        &["ASYNC101", "ASYNC102", "ASYNC201"],
        |r| r.starts_with("ASYNC1") || r == "ASYNC201",
    );
    assert_selects(
        &p,
        &["--select", "ASYNC101", "--select", "ASYNC205"],
        &["ASYNC101", "ASYNC205"],
        only(&["ASYNC101", "ASYNC205"]),
    );
    assert_selects(&p, &["--select", "ALL"], &EVERYTHING, |_| true);
}

#[test]
fn ignore_by_id_name_and_prefix() {
    let p = project();
    let without = |skip: &[&str]| -> Vec<&'static str> {
        EVERYTHING
            .iter()
            .copied()
            .filter(|r| !skip.contains(r))
            .collect()
    };
    let not = |ids: &'static [&'static str]| move |r: &str| !ids.contains(&r);
    assert_selects(
        &p,
        &["--ignore", "ASYNC101"],
        &without(&["ASYNC101"]),
        not(&["ASYNC101"]),
    );
    assert_selects(
        &p,
        &["--ignore", "blocking-wait"],
        &without(&["ASYNC101"]),
        not(&["ASYNC101"]),
    );
    assert_selects(
        &p,
        &["--ignore", "ASYNC1"],
        &without(&["ASYNC101", "ASYNC102"]),
        |r| !r.starts_with("ASYNC1"),
    );
    assert_selects(
        &p,
        &["--ignore", "ASYNC2,blocking-wait"],
        &["ASYNC102"],
        |r| !r.starts_with("ASYNC2") && r != "ASYNC101",
    );
    // `--ignore` wins over `--select`.
    assert_selects(
        &p,
        &["--select", "ASYNC1", "--ignore", "ASYNC102"],
        &["ASYNC101"],
        |r| r == "ASYNC101" || (r.starts_with("ASYNC1") && r != "ASYNC102"),
    );
    assert!(fired_all(&p, &["--select", "ASYNC101", "--ignore", "blocking-wait"]).is_empty());
    assert!(fired_all(&p, &["--ignore", "ALL"]).is_empty());
}

#[test]
fn selection_decides_the_exit_code() {
    let p = project();
    p.run(&["check", "--select", "ASYNC101"]).expect_code(1);
    p.run(&["check", "--ignore", "ASYNC1,ASYNC2"])
        .expect_code(0);
    let clean_only = Project::with(&[("A.cs", INFO_ONLY_CS)]);
    clean_only
        .run(&["check", "--ignore", "blocking-wait", "--fail-on", "info"])
        .expect_code(0);
}

#[test]
fn quiet_drops_the_summary_and_keeps_the_findings() {
    let p = project();
    let loud = p.run(&["check", "--color", "never"]);
    loud.expect_code(1);
    assert!(
        loud.stdout.contains(" in 1 of 2 files:\n"),
        "{}",
        loud.stdout
    );

    for flag in ["--quiet", "-q"] {
        let quiet = p.run(&["check", "--color", "never", flag]);
        quiet.expect_code(1);
        assert!(!quiet.stdout.contains("Found "), "{flag}: {}", quiet.stdout);
        assert!(
            !quiet.stdout.contains("ASYNC101 blocking-wait\n"),
            "{flag}: {}",
            quiet.stdout
        );
        // The findings are all there, the same as without --quiet.
        let summary_at = loud.stdout.find("Found ").unwrap();
        assert_eq!(quiet.stdout, loud.stdout[..summary_at], "{flag}");
        for rule in EVERYTHING {
            assert!(
                quiet.stdout.contains(&format!("[{rule}]")),
                "{flag}: {rule} missing"
            );
        }
    }

    // Nothing at all when nothing is found.
    let clean = Project::with(&[("Clean.cs", CLEAN_CS)]);
    let run = clean.run(&["check", "--quiet"]);
    run.expect_code(0);
    assert_eq!(run.stdout, "");
}

#[test]
fn rules_lists_every_rule() {
    let run = Project::new().run(&["rules"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        ALL.len() + 1,
        "a header and one line per rule:\n{}",
        run.stdout
    );
    assert!(lines[0].starts_with("id"), "{}", lines[0]);
    for (rule, line) in ALL.iter().zip(&lines[1..]) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[0], rule.id, "{line}");
        assert_eq!(words[1], rule.name, "{line}");
        assert_eq!(words[2], rule.default_severity.name(), "{line}");
        assert_eq!(words[3], if rule.fixable { "yes" } else { "no" }, "{line}");
        assert!(line.contains(rule.summary), "{line}");
    }
    // The rules the other tests rely on are there.
    for id in EVERYTHING {
        assert!(
            lines.iter().any(|l| l.starts_with(id)),
            "{id} is not listed"
        );
    }
}

#[test]
fn rules_as_json() {
    let run = Project::new().run(&["rules", "--format", "json"]);
    run.expect_code(0);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), ALL.len());
    for (rule, item) in ALL.iter().zip(list) {
        assert_eq!(item["id"], rule.id);
        assert_eq!(item["name"], rule.name);
        assert_eq!(item["default_severity"], rule.default_severity.name());
        assert_eq!(item["fixable"], rule.fixable);
    }
}

const SECTIONS: [&str; 6] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## When it stays silent",
    "## Fix",
];

fn explain(word: &str) -> String {
    let run = Project::new().run(&["explain", word]);
    run.expect_code(0);
    run.stdout
}

#[test]
fn explain_by_id_and_by_name() {
    let by_id = explain("ASYNC101");
    assert!(by_id.starts_with("ASYNC101 blocking-wait\n"), "{by_id}");
    let mut at = 0;
    for section in SECTIONS {
        let found = by_id[at..]
            .find(section)
            .unwrap_or_else(|| panic!("no `{section}` (in order):\n{by_id}"));
        at += found + section.len();
    }
    assert!(
        by_id.contains("```csharp"),
        "the examples are C# code blocks"
    );
    assert!(by_id.contains(".Result"), "{by_id}");
    let rule = asynclint::rules::Rule::find("ASYNC101").unwrap();
    assert!(
        by_id.contains(rule.docs.what),
        "the `what` section is the rule's docs"
    );
    assert!(
        by_id.contains(rule.docs.fix),
        "the `fix` section is the rule's docs"
    );

    assert_eq!(explain("blocking-wait"), by_id);
    assert_eq!(explain("async101"), by_id);
}

#[test]
fn explain_every_rule() {
    for rule in ALL {
        let text = explain(rule.name);
        assert!(
            text.starts_with(&format!("{} {}\n", rule.id, rule.name)),
            "{text}"
        );
        for section in SECTIONS {
            assert!(text.contains(section), "{}: no `{section}`", rule.id);
        }
        assert!(text.contains(rule.docs.why), "{}", rule.id);
        assert_eq!(explain(rule.id), text);
    }
}

#[test]
fn explain_an_unknown_rule_exits_2() {
    for word in ["ASYNC999", "no-such-rule", "ASYNC1", ""] {
        let run = Project::new().run(&["explain", word]);
        run.expect_code(2);
        assert!(run.stdout.is_empty(), "{word:?}: {}", run.stdout);
        assert!(run.stderr.contains("no rule"), "{word:?}: {}", run.stderr);
    }
    // A missing argument is a usage error, also 2.
    Project::new().run(&["explain"]).expect_code(2);
}
