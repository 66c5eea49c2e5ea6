//! Every output format on one small fixed project, as insta snapshots, plus the JSON
//! document's schema and order checked field by field.

mod common;

use common::*;
use serde_json::Value;

/// The `OrderService` file: warnings, one of them after non-ASCII text on its line (columns
/// count Unicode scalar values, not bytes), and two findings at the same position.
const ORDER_SERVICE_CS: &str = r#"using System.Threading;
using System.Threading.Tasks;

namespace Shop.Orders
{
    public class OrderService
    {
        public async Task<int> CountAsync(Task<int> pending)
        {
            var label = "reçu ✓ 𝄞"; var n = pending.Result;
            Thread.Sleep(100);
            await Task.Yield();
            return n + label.Length;
        }

        public async void Refresh()
        {
        }

        public async Task SaveAsync()
        {
            Task.Delay(10);
            await Task.Yield();
        }
    }
}
"#;

/// A project with an info (Program.cs), an error (the WPF project) and warnings, in nested
/// folders, with one clean file.
/// The rule families whose findings the snapshots record (new families would change them).
const STABLE_RULES: &str = "ASYNC1,ASYNC2";

fn fixture() -> Project {
    Project::with(&[
        ("Program.cs", INFO_ONLY_CS),
        ("desktop/Desktop.csproj", WPF_CSPROJ),
        ("desktop/MainWindow.cs", WPF_WINDOW_CS),
        ("src/Orders/OrderService.cs", ORDER_SERVICE_CS),
        ("src/Orders/Clean.cs", CLEAN_CS),
    ])
}

fn output(format: &str) -> String {
    let p = fixture();
    let run = p.run(&[
        "check",
        "--select",
        STABLE_RULES,
        "--format",
        format,
        "--color",
        "never",
    ]);
    run.expect_code(1);
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    run.stdout
}

#[test]
fn text_snapshot() {
    let out = output("text");
    assert!(
        !out.contains('\u{1b}'),
        "--color never must not print escape codes"
    );
    insta::assert_snapshot!("text", out);
}

#[test]
fn text_color_always_uses_escape_codes() {
    let p = fixture();
    let run = p.run(&["check", "--select", STABLE_RULES, "--color", "always"]);
    run.expect_code(1);
    assert!(run.stdout.contains('\u{1b}'), "{}", run.stdout);
    // Not a terminal: `auto` means no color.
    let run = p.run(&["check", "--select", STABLE_RULES]);
    assert!(!run.stdout.contains('\u{1b}'), "{}", run.stdout);
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!("json", output("json"));
}

#[test]
fn msbuild_snapshot() {
    insta::assert_snapshot!("msbuild", output("msbuild"));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!("github", output("github"));
}

fn json() -> Value {
    let p = fixture();
    let (run, json) = p.check_json(&["--select", STABLE_RULES]);
    run.expect_code(1);
    json
}

/// `(path, line, column, rule)` of each JSON diagnostic, in output order.
fn keys(json: &Value) -> Vec<(String, u64, u64, String)> {
    diagnostics(json)
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn json_has_the_interface_schema() {
    let json = json();
    let top = json.as_object().expect("a JSON object");
    for key in [
        "version",
        "files_checked",
        "files_with_syntax_errors",
        "diagnostics",
    ] {
        assert!(top.contains_key(key), "missing top-level `{key}`");
    }
    assert_eq!(json["version"], 1);
    assert_eq!(
        json["files_checked"], 4,
        "the four .cs files (the .csproj is not linted)"
    );
    assert_eq!(json["files_with_syntax_errors"], 0);
    let diags = diagnostics(&json);
    assert!(diags.len() >= 7, "{json:#}");
    let rule_names = asynclint::rules::ALL
        .iter()
        .map(|r| (r.id, r.name))
        .collect::<Vec<_>>();
    for d in diags {
        let o = d.as_object().unwrap();
        for (key, kind) in [
            ("rule", "string"),
            ("name", "string"),
            ("severity", "string"),
            ("path", "string"),
            ("line", "number"),
            ("column", "number"),
            ("end_line", "number"),
            ("end_column", "number"),
            ("message", "string"),
        ] {
            let v = o
                .get(key)
                .unwrap_or_else(|| panic!("diagnostic without `{key}`: {d}"));
            let ok = match kind {
                "string" => v.as_str().is_some_and(|s| !s.is_empty()),
                _ => v.as_u64().is_some_and(|n| n >= 1),
            };
            assert!(ok, "`{key}` should be a {kind} (non-empty / >= 1): {d}");
        }
        assert!(
            o.contains_key("fix"),
            "`fix` is always present (null when none): {d}"
        );
        let rule = d["rule"].as_str().unwrap();
        let name = d["name"].as_str().unwrap();
        assert!(
            rule_names.contains(&(rule, name)),
            "unknown rule/name pair {rule} {name}"
        );
        assert!(
            ["error", "warning", "info"].contains(&d["severity"].as_str().unwrap()),
            "{d}"
        );
        let path = d["path"].as_str().unwrap();
        assert!(
            !path.starts_with('/') && !path.starts_with("./") && !path.contains('\\'),
            "paths are relative with `/` separators: {path}"
        );
        let start = (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap());
        let end = (
            d["end_line"].as_u64().unwrap(),
            d["end_column"].as_u64().unwrap(),
        );
        assert!(start <= end, "the range ends before it starts: {d}");
        match &d["fix"] {
            Value::Null => {}
            Value::Object(fix) => {
                assert!(
                    fix["message"].as_str().is_some_and(|m| !m.is_empty()),
                    "{d}"
                );
                assert!(
                    ["safe", "unsafe"].contains(&fix["applicability"].as_str().unwrap()),
                    "{d}"
                );
                let edits = fix["edits"].as_array().expect("fix.edits is an array");
                assert!(!edits.is_empty(), "{d}");
                for e in edits {
                    for key in ["line", "column", "end_line", "end_column"] {
                        assert!(e[key].as_u64().is_some_and(|n| n >= 1), "edit.{key}: {d}");
                    }
                    assert!(e["replacement"].is_string(), "{d}");
                }
            }
            other => panic!("`fix` must be null or an object, not {other}"),
        }
    }
    // Every severity is represented, each where the fixture puts it.
    let async101 = |path: &str| -> Vec<&str> {
        diags
            .iter()
            .filter(|d| d["path"] == path && d["rule"] == "ASYNC101")
            .map(|d| d["severity"].as_str().unwrap())
            .collect()
    };
    assert_eq!(async101("Program.cs"), ["info"]);
    assert_eq!(async101("desktop/MainWindow.cs"), ["error"]);
    assert_eq!(async101("src/Orders/OrderService.cs"), ["warning"]);
    assert!(!diags.iter().any(|d| d["path"] == "src/Orders/Clean.cs"));
}

#[test]
fn json_is_sorted_by_path_line_column_rule() {
    let json = json();
    let keys = keys(&json);
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        keys, sorted,
        "diagnostics are not in (path, line, column, rule) order"
    );
    // The fixture has two findings at one position: the rule breaks the tie.
    let at_refresh: Vec<&str> = keys
        .iter()
        .filter(|k| k.0 == "src/Orders/OrderService.cs" && k.1 == 16)
        .map(|k| k.3.as_str())
        .collect();
    assert_eq!(at_refresh, ["ASYNC201", "ASYNC205"]);
    let paths: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
    assert_eq!(paths.first(), Some(&"Program.cs"));
    assert_eq!(paths.last(), Some(&"src/Orders/OrderService.cs"));
    // The same output on every run (the files are linted in parallel).
    let first = json_text();
    for _ in 0..3 {
        assert_eq!(json_text(), first, "the output changed between runs");
    }
}

fn json_text() -> String {
    fixture()
        .run(&["check", "--select", STABLE_RULES, "--format", "json"])
        .stdout
}

#[test]
fn json_columns_count_unicode_scalar_values() {
    let json = json();
    let line_text = ORDER_SERVICE_CS.lines().nth(9).unwrap();
    let byte = line_text.find("pending.Result").unwrap();
    let expected_col = line_text[..byte].chars().count() as u64 + 1;
    assert_ne!(
        expected_col,
        byte as u64 + 1,
        "the fixture line must contain multi-byte characters"
    );
    let d = diagnostics(&json)
        .iter()
        .find(|d| d["rule"] == "ASYNC101" && d["path"] == "src/Orders/OrderService.cs")
        .expect("the .Result finding");
    assert_eq!(d["line"], 10);
    assert_eq!(d["column"], expected_col);
    assert_eq!(d["end_line"], 10);
    assert_eq!(
        d["end_column"],
        expected_col + "pending.Result".len() as u64
    );
    let edit = &d["fix"]["edits"][0];
    assert_eq!(edit["column"], expected_col);
    assert_eq!(edit["replacement"], "await pending");
    assert_eq!(d["fix"]["applicability"], "safe");
}

/// msbuild and github show the same findings, in the same order, as the JSON document.
#[test]
fn line_formats_agree_with_json() {
    let expected: Vec<(String, u64, u64, String)> = keys(&json());

    let msbuild = output("msbuild");
    let mut got = Vec::new();
    for line in msbuild.lines() {
        // path(line,col[,end_line,end_col]): severity RULE: message
        let (location, rest) = line
            .split_once("): ")
            .unwrap_or_else(|| panic!("not msbuild: {line}"));
        let (path, nums) = location.rsplit_once('(').unwrap();
        let nums: Vec<u64> = nums.split(',').map(|n| n.parse().unwrap()).collect();
        assert!(nums.len() == 2 || nums.len() == 4, "{line}");
        let mut words = rest.splitn(3, ' ');
        let severity = words.next().unwrap();
        assert!(["error", "warning", "info"].contains(&severity), "{line}");
        let rule = words.next().unwrap().trim_end_matches(':');
        assert!(!words.next().unwrap().is_empty(), "{line}");
        got.push((path.to_owned(), nums[0], nums[1], rule.to_owned()));
    }
    assert_eq!(got, expected, "msbuild");

    let github = output("github");
    let mut got = Vec::new();
    for line in github.lines() {
        let rest = line
            .strip_prefix("::")
            .unwrap_or_else(|| panic!("not a workflow command: {line}"));
        let (command, rest) = rest.split_once(' ').unwrap();
        assert!(["error", "warning", "notice"].contains(&command), "{line}");
        let (props, message) = rest.split_once("::").unwrap();
        assert!(!message.is_empty(), "{line}");
        let prop = |key: &str| -> String {
            props
                .split(',')
                .find_map(|p| p.strip_prefix(&format!("{key}=")))
                .unwrap_or_else(|| panic!("no `{key}` in {line}"))
                .to_owned()
        };
        let title = prop("title");
        let rule = title.split(' ').next().unwrap().to_owned();
        got.push((
            prop("file"),
            prop("line").parse().unwrap(),
            prop("col").parse().unwrap(),
            rule,
        ));
    }
    assert_eq!(got, expected, "github");

    // The text format shows one `-->` location per finding, in the same order.
    let text = output("text");
    let locations: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .map(str::to_owned)
        .collect();
    let expected_locations: Vec<String> = expected
        .iter()
        .map(|(p, l, c, _)| format!("{p}:{l}:{c}"))
        .collect();
    assert_eq!(locations, expected_locations, "text");
}

/// The summary counts every rule's findings, as the JSON document lists them.
#[test]
fn text_summary_counts_per_rule() {
    let text = output("text");
    let json = json();
    let summary = &text[text.find("Found ").expect("a summary")..];
    let mut lines = summary.lines();
    let total = diagnostics(&json).len();
    assert_eq!(
        lines.next().unwrap(),
        format!("Found {total} findings in 3 of 4 files:")
    );
    let mut counted = 0;
    let mut rules_seen = Vec::new();
    for line in lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [n, rule, name] = words[..] else {
            panic!("not a count line: {line:?}")
        };
        let n: usize = n.parse().unwrap();
        assert_eq!(n, count_rule(&json, rule), "{line}");
        let rule_meta = asynclint::rules::Rule::find(rule).unwrap();
        assert_eq!(rule_meta.name, name, "{line}");
        counted += n;
        rules_seen.push(rule.to_owned());
    }
    assert_eq!(counted, total);
    assert_eq!(
        rules_seen,
        rules_fired(&json),
        "one line per rule, in ID order"
    );
}
