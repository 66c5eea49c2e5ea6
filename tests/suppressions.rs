//! Suppressions end to end: `#pragma warning disable/restore`, `[SuppressMessage]`,
//! `// asynclint-disable-next-line`, `<NoWarn>` in the .csproj and Directory.Build.props,
//! `--show-suppressed`, and ASYNC001 unused-suppression.

mod common;

use common::*;

/// The lines of the findings of `rule`.
fn lines(json: &serde_json::Value, rule: &str) -> Vec<u64> {
    diagnostics(json)
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| d["line"].as_u64().unwrap())
        .collect()
}

fn check(p: &Project, args: &[&str]) -> serde_json::Value {
    let (run, json) = p.check_json(args);
    run.expect_completed();
    json
}

/// Three blocking reads, on lines 9, 12 and 15; ASYNC001 is selected with them.
const PRAGMAS_CS: &str = "using System.Threading.Tasks;\r
\r
class C\r
{\r
#pragma warning disable ASYNC101, CS4014 // legacy code\r
    int A(Task<int> t)\r
    {\r
        var s = \"#pragma warning restore ASYNC101\";\r
        return t.Result;\r
    }\r
#pragma warning restore ASYNC101\r
    int B(Task<int> t) => t.Result;\r
#pragma warning disable\r
    int D(Task<int> t)\r
        => t.Result;\r
}\r
";

#[test]
fn pragma_disable_and_restore_with_crlf() {
    let p = Project::with(&[("C.cs", PRAGMAS_CS)]);
    let json = check(&p, &["--select", "ASYNC101,ASYNC001"]);
    assert_eq!(lines(&json, "ASYNC101"), [12], "{json:#}");
    assert!(lines(&json, "ASYNC001").is_empty(), "{json:#}");
    // Without ASYNC101's pragma the first read shows.
    p.write("C.cs", &PRAGMAS_CS.replace("ASYNC101, CS4014", "CS4014"));
    assert_eq!(
        lines(&check(&p, &["--select", "ASYNC101"]), "ASYNC101"),
        [9, 12]
    );
}

const ATTRIBUTES_CS: &str = r#"using System.Diagnostics.CodeAnalysis;
using System.Threading.Tasks;

namespace Shop
{
    [SuppressMessage("asynclint", "ASYNC101")]
    public class Legacy
    {
        public int A(Task<int> t) => t.Result;
    }

    public class Mixed
    {
        [SuppressMessage("Usage", "ASYNC101:Blocking wait", Justification = "startup only")]
        public int B(Task<int> t) => t.Result;

        [System.Diagnostics.CodeAnalysis.SuppressMessageAttribute("asynclint", "ASYNC201")]
        public async void Refresh() { await Task.Yield(); }

        [SuppressMessageAttribute("asynclint", "async-void")]
        public async void Reload() { await Task.Yield(); }

        public int C(Task<int> t) => t.Result;
    }
}
"#;

#[test]
fn suppress_message_on_types_and_members() {
    let p = Project::with(&[("Shop.cs", ATTRIBUTES_CS)]);
    let json = check(&p, &["--select", "ASYNC101,ASYNC201,ASYNC001"]);
    assert_eq!(lines(&json, "ASYNC101"), [23], "{json:#}");
    assert!(lines(&json, "ASYNC201").is_empty(), "{json:#}");
    assert!(lines(&json, "ASYNC001").is_empty(), "{json:#}");
}

#[test]
fn disable_next_line_comments() {
    let src = FINDINGS_CS
        .replace(
            "            var x = t.Result;",
            "            // asynclint-disable-next-line ASYNC101 -- checked before\n            var x = t.Result;",
        )
        .replace(
            "        public async void Refresh()",
            "        // asynclint-disable-next-line async-void, ASYNC205\n        public async void Refresh()",
        )
        .replace(
            "            Task.Delay(10);",
            "            // asynclint-disable-next-line\n            Task.Delay(10);",
        );
    let p = Project::with(&[("Service.cs", &src)]);
    let json = check(&p, &[]);
    let fired = rules_fired(&json);
    for hidden in ["ASYNC101", "ASYNC201", "ASYNC205", "ASYNC203"] {
        assert!(!fired.contains(&hidden.to_owned()), "{hidden}: {json:#}");
    }
    assert!(fired.contains(&"ASYNC102".to_owned()), "{json:#}");
    assert!(!fired.contains(&"ASYNC001".to_owned()), "{json:#}");
}

#[test]
fn no_warn_in_the_project_and_directory_build_props() {
    let p = Project::with(&[
        (
            "Directory.Build.props",
            "<Project>\n  <PropertyGroup>\n    <NoWarn>$(NoWarn);CS1591;ASYNC201</NoWarn>\n  </PropertyGroup>\n</Project>\n",
        ),
        (
            "app/App.csproj",
            "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <NoWarn>$(NoWarn),ASYNC101</NoWarn>\n  </PropertyGroup>\n</Project>\n",
        ),
        ("app/Service.cs", FINDINGS_CS),
        (
            "other/Other.csproj",
            "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <NoWarn>ASYNC102</NoWarn>\n  </PropertyGroup>\n</Project>\n",
        ),
        ("other/Service.cs", FINDINGS_CS),
    ]);
    let json = check(&p, &[]);
    let in_app: Vec<String> = path_rules(&json)
        .into_iter()
        .filter(|(p, _)| p.starts_with("app/"))
        .map(|(_, r)| r)
        .collect();
    assert!(!in_app.contains(&"ASYNC101".to_owned()), "{in_app:?}");
    assert!(
        !in_app.contains(&"ASYNC201".to_owned()),
        "inherited: {in_app:?}"
    );
    assert!(in_app.contains(&"ASYNC102".to_owned()), "{in_app:?}");
    let in_other: Vec<String> = path_rules(&json)
        .into_iter()
        .filter(|(p, _)| p.starts_with("other/"))
        .map(|(_, r)| r)
        .collect();
    // Without `$(NoWarn)` the project's value replaces the imported one.
    assert!(in_other.contains(&"ASYNC201".to_owned()), "{in_other:?}");
    assert!(!in_other.contains(&"ASYNC102".to_owned()), "{in_other:?}");
    // `<NoWarn>` never counts as unused.
    assert!(!rules_fired(&json).contains(&"ASYNC001".to_owned()));
}

#[test]
fn show_suppressed_lists_what_was_hidden_and_keeps_the_exit_code() {
    let src = "using System.Threading.Tasks;\n\nclass C\n{\n    // asynclint-disable-next-line ASYNC101\n    int A(Task<int> t) => t.Result;\n}\n";
    let p = Project::with(&[("C.cs", src)]);
    let run = p.run(&["check", "--select", "ASYNC101", "--color", "never"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("1 suppressed finding not shown (`--show-suppressed` lists them)."),
        "{}",
        run.stdout
    );
    let run = p.run(&[
        "check",
        "--select",
        "ASYNC101",
        "--color",
        "never",
        "--show-suppressed",
    ]);
    run.expect_code(0);
    assert!(run.stdout.contains("(suppressed)"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("suppressed by `// asynclint-disable-next-line ASYNC101` on line 5"),
        "{}",
        run.stdout
    );
    let (run, json) = p.check_json(&["--select", "ASYNC101", "--show-suppressed"]);
    run.expect_code(0);
    let d = &diagnostics(&json)[0];
    assert_eq!(d["suppressed"]["kind"], "comment", "{json:#}");
    assert_eq!(d["suppressed"]["line"], 5);
    let (_, json) = p.check_json(&["--select", "ASYNC101"]);
    assert!(diagnostics(&json).is_empty());
    let run = p.run(&[
        "check",
        "--select",
        "ASYNC101",
        "--format",
        "msbuild",
        "--show-suppressed",
    ]);
    assert!(
        run.stdout.starts_with("C.cs(6,27): info ASYNC101: ")
            && run
                .stdout
                .ends_with(" (suppressed by // asynclint-disable-next-line)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn unused_suppressions_are_reported_and_fixed() {
    let src = "using System.Threading.Tasks;\n\nclass C\n{\n#pragma warning disable ASYNC101, ASYNC201, CS4014\n    int A(Task<int> t) => t.Result;\n#pragma warning restore ASYNC101, ASYNC201\n    // asynclint-disable-next-line ASYNC102\n    int B() => 1;\n    [System.Diagnostics.CodeAnalysis.SuppressMessage(\"asynclint\", \"ASYNC203\")]\n    void D() { }\n    // asynclint-disable-next-line ASYNC999\n    void E() { }\n}\n";
    let p = Project::with(&[("C.cs", src)]);
    let (run, json) = p.check_json(&["--select", "ASYNC001,ASYNC1,ASYNC2"]);
    run.expect_code(0); // info only
    let unused: Vec<(u64, String)> = diagnostics(&json)
        .iter()
        .filter(|d| d["rule"] == "ASYNC001")
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(unused.len(), 3, "{json:#}");
    assert_eq!(unused[0].0, 5);
    assert!(unused[0].1.contains("ASYNC201"), "{unused:?}");
    assert_eq!(unused[1].0, 8);
    assert!(unused[1].1.contains("ASYNC102"), "{unused:?}");
    assert_eq!(unused[2].0, 10);
    assert!(unused[2].1.contains("ASYNC203"), "{unused:?}");
    assert_eq!(diagnostics(&json)[0]["severity"], "info");
    // Only for rules that ran.
    let (_, json) = p.check_json(&["--select", "ASYNC001,ASYNC101"]);
    assert!(
        !diagnostics(&json).iter().any(|d| d["rule"] == "ASYNC001"),
        "{json:#}"
    );
    // `--fix` removes the unused IDs and comments, keeps the used ones.
    let run = p.run(&["check", "--select", "ASYNC001,ASYNC1,ASYNC2", "--fix"]);
    run.expect_completed();
    let fixed = String::from_utf8(p.read("C.cs")).unwrap();
    assert!(
        fixed.contains("#pragma warning disable ASYNC101, CS4014\n"),
        "{fixed}"
    );
    assert!(!fixed.contains("ASYNC102"), "{fixed}");
    assert!(fixed.contains("    int B() => 1;\n"), "{fixed}");
    assert!(
        fixed.contains("ASYNC203"),
        "attributes are not fixed: {fixed}"
    );
    let (_, json) = p.check_json(&["--select", "ASYNC001,ASYNC1,ASYNC2"]);
    assert_eq!(count_rule(&json, "ASYNC001"), 1, "the attribute: {json:#}");
}
