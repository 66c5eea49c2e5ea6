//! Configuration end to end: `.editorconfig` (severities the .NET way, `asynclint_*` keys,
//! section globs, nearer files, `root = true`), `asynclint.toml` (found upward, or
//! `--config`), `--no-config`, and the precedence command line > asynclint.toml >
//! .editorconfig > defaults. Malformed files give messages naming file and line.

mod common;

use common::*;

/// The severity of each finding of `rule`, in order.
fn severities(json: &serde_json::Value, rule: &str) -> Vec<String> {
    diagnostics(json)
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| d["severity"].as_str().unwrap().to_owned())
        .collect()
}

/// `(path, severity)` of each finding of `rule`.
fn by_path(json: &serde_json::Value, rule: &str) -> Vec<(String, String)> {
    diagnostics(json)
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn check(p: &Project, args: &[&str]) -> serde_json::Value {
    let (run, json) = p.check_json(args);
    run.expect_completed();
    json
}

#[test]
fn editorconfig_severities_map_to_asynclint_levels() {
    let p = Project::with(&[
        (
            ".editorconfig",
            "root = true\n\n[*.cs]\ndotnet_diagnostic.ASYNC101.severity = error\ndotnet_diagnostic.ASYNC102.severity = suggestion\ndotnet_diagnostic.ASYNC201.severity = none\ndotnet_diagnostic.ASYNC203.severity = silent\ndotnet_diagnostic.CA2007.severity = none\n",
        ),
        ("src/Service.cs", FINDINGS_CS),
    ]);
    let json = check(&p, &[]);
    assert_eq!(severities(&json, "ASYNC101"), ["error"]);
    assert_eq!(severities(&json, "ASYNC102"), ["info"]);
    assert!(severities(&json, "ASYNC201").is_empty(), "none is off");
    assert!(severities(&json, "ASYNC203").is_empty(), "silent is off");
    assert_eq!(severities(&json, "ASYNC205"), ["warning"], "untouched");
}

#[test]
fn editorconfig_severity_for_all_rules_and_a_rule_of_its_own() {
    let p = Project::with(&[
        (
            ".editorconfig",
            "root = true\n[*.cs]\ndotnet_analyzer_diagnostic.severity = none\ndotnet_diagnostic.async201.severity = warning\n",
        ),
        ("Service.cs", FINDINGS_CS),
    ]);
    let json = check(&p, &[]);
    assert_eq!(rules_fired(&json), ["ASYNC201"], "{json:#}");
    // `default` gives a rule back its own severity.
    p.write(
        ".editorconfig",
        "root = true\n[*.cs]\ndotnet_analyzer_diagnostic.severity = error\ndotnet_diagnostic.ASYNC201.severity = default\n",
    );
    let json = check(&p, &[]);
    assert_eq!(severities(&json, "ASYNC201"), ["warning"]);
    assert_eq!(severities(&json, "ASYNC101"), ["error"]);
}

#[test]
fn section_globs_and_nearer_files_win() {
    let p = Project::with(&[
        (
            ".editorconfig",
            "root = true\n[*.cs]\ndotnet_diagnostic.ASYNC101.severity = error\n[legacy/**.cs]\ndotnet_diagnostic.ASYNC101.severity = none\n",
        ),
        (
            "src/.editorconfig",
            "[*.cs]\ndotnet_diagnostic.ASYNC101.severity = suggestion\n[Other.cs]\ndotnet_diagnostic.ASYNC101.severity = warning\n",
        ),
        ("Top.cs", FINDINGS_CS),
        ("src/Service.cs", FINDINGS_CS),
        ("src/Other.cs", FINDINGS_CS),
        ("legacy/Old.cs", FINDINGS_CS),
        ("legacy/deep/Older.cs", FINDINGS_CS),
    ]);
    let json = check(&p, &[]);
    assert_eq!(
        by_path(&json, "ASYNC101"),
        [
            ("Top.cs".to_owned(), "error".to_owned()),
            ("src/Other.cs".to_owned(), "warning".to_owned()),
            ("src/Service.cs".to_owned(), "info".to_owned()),
        ],
        "a later section wins within a file, a nearer file over a farther one"
    );
}

#[test]
fn root_true_stops_the_search() {
    let p = Project::with(&[
        (
            ".editorconfig",
            "root = true\n[*.cs]\ndotnet_diagnostic.ASYNC101.severity = error\n",
        ),
        (
            "app/.editorconfig",
            "root = true\n[*.cs]\nindent_style = space\n",
        ),
        ("app/Service.cs", FINDINGS_CS),
        ("Top.cs", FINDINGS_CS),
    ]);
    let json = check(&p, &[]);
    assert_eq!(
        by_path(&json, "ASYNC101"),
        [
            ("Top.cs".to_owned(), "error".to_owned()),
            ("app/Service.cs".to_owned(), "warning".to_owned()),
        ]
    );
}

#[test]
fn editorconfig_project_kind_and_rule_options() {
    let p = Project::with(&[
        (
            ".editorconfig",
            "root = true\n[desktop/**]\nasynclint_project_kind = ui\n[*.cs]\nasynclint_event_handlers = OnNavigated*\n",
        ),
        ("desktop/Window.cs", WPF_WINDOW_CS),
        ("lib/Window.cs", WPF_WINDOW_CS),
        ("Handlers.cs", HANDLERS_CS),
    ]);
    let json = check(&p, &[]);
    assert_eq!(
        by_path(&json, "ASYNC101"),
        [
            ("desktop/Window.cs".to_owned(), "error".to_owned()),
            ("lib/Window.cs".to_owned(), "warning".to_owned()),
        ],
        "blocking is an error in UI code"
    );
    let flagged: Vec<u64> = diagnostics(&json)
        .iter()
        .filter(|d| d["rule"] == "ASYNC201")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        flagged,
        [12],
        "OnNavigatedTo is a configured handler: {json:#}"
    );
}

/// `OnNavigatedTo` and `Refresh` are async void; neither looks like an event handler.
const HANDLERS_CS: &str = r#"using System.Threading.Tasks;

namespace Pages
{
    public class Page
    {
        public async void OnNavigatedTo(object parameter)
        {
            await Task.Delay(1);
        }

        public async void Refresh(object parameter)
        {
            await Task.Delay(1);
        }
    }
}
"#;

#[test]
fn asynclint_toml_is_found_upward_and_selects_rules() {
    let p = Project::with(&[
        (
            "asynclint.toml",
            "select = [\"ASYNC1\", \"async-void\"]\nignore = [\"blocking-call-in-async\"]\n\n[severity]\nASYNC101 = \"error\"\n",
        ),
        ("src/deep/Service.cs", FINDINGS_CS),
    ]);
    let json = check(&p, &[]);
    let fired: Vec<String> = rules_fired(&json);
    assert_eq!(fired, ["ASYNC101", "ASYNC201"], "{json:#}");
    assert_eq!(severities(&json, "ASYNC101"), ["error"]);
    // A nearer asynclint.toml replaces the farther one (they are not merged).
    p.write("src/asynclint.toml", "ignore = [\"ASYNC2\"]\n");
    let json = check(&p, &[]);
    let fired = rules_fired(&json);
    assert!(fired.contains(&"ASYNC101".to_owned()), "{fired:?}");
    assert!(fired.contains(&"ASYNC102".to_owned()), "{fired:?}");
    assert!(!fired.iter().any(|r| r.starts_with("ASYNC2")), "{fired:?}");
    assert_eq!(severities(&json, "ASYNC101"), ["warning"]);
}

#[test]
fn asynclint_toml_project_kinds_by_glob() {
    let p = Project::with(&[
        (
            "asynclint.toml",
            "[[project-kinds]]\npaths = [\"desktop/**\", \"*.Designer.cs\"]\nkind = \"ui\"\n",
        ),
        ("desktop/views/Window.cs", WPF_WINDOW_CS),
        ("lib/Form1.Designer.cs", WPF_WINDOW_CS),
        ("lib/Window.cs", WPF_WINDOW_CS),
    ]);
    let json = check(&p, &[]);
    assert_eq!(
        by_path(&json, "ASYNC101"),
        [
            ("desktop/views/Window.cs".to_owned(), "error".to_owned()),
            ("lib/Form1.Designer.cs".to_owned(), "error".to_owned()),
            ("lib/Window.cs".to_owned(), "warning".to_owned()),
        ]
    );
}

/// A repository and a legacy data-access layer the project does not declare.
const DAL_CS: &str = r#"using System.Threading.Tasks;

namespace Shop
{
    public class Repo
    {
        public async Task<int> CountAsync(MyCompany.Db db)
        {
            await Task.Yield();
            var a = db.Query("select 1");
            var b = Dal.Load(2);
            return a + b;
        }
    }
}
"#;

#[test]
fn asynclint_toml_blocking_apis_feed_async102() {
    let p = Project::with(&[("src/Repo.cs", DAL_CS)]);
    let json = check(&p, &["--select", "ASYNC102"]);
    assert!(
        diagnostics(&json).is_empty(),
        "not blocking without configuration: {json:#}"
    );
    p.write(
        "asynclint.toml",
        r#"blocking-apis = [
  { type = "MyCompany.Db", method = "Query", counterpart = "QueryAsync" },
  { type = "Legacy.Dal", method = "Load", counterpart = "LoadAsync", static = true },
]
"#,
    );
    let json = check(&p, &["--select", "ASYNC102"]);
    let lines: Vec<u64> = diagnostics(&json)
        .iter()
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [10, 11], "{json:#}");
    let msg = diagnostics(&json)[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("Db.Query") && msg.contains("QueryAsync"),
        "{msg}"
    );
    // The fix awaits the counterpart.
    let run = p.run(&["check", "--select", "ASYNC102", "--diff"]);
    assert!(
        run.stdout
            .contains("+            var a = await db.QueryAsync(\"select 1\");"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("+            var b = await Dal.LoadAsync(2);"),
        "{}",
        run.stdout
    );
}

const DISCARD_CS: &str = r#"using System.Threading.Tasks;

namespace Shop
{
    public class Notifier
    {
        public void Notify()
        {
            _ = Background.RunSafelyAsync(SendAsync());
        }

        private async Task SendAsync()
        {
            await Task.Delay(1);
        }
    }
}
"#;

#[test]
fn asynclint_toml_fire_and_forget_helpers_and_event_handlers() {
    let p = Project::with(&[("Notifier.cs", DISCARD_CS), ("Handlers.cs", HANDLERS_CS)]);
    let json = check(&p, &["--select", "ASYNC204,ASYNC201"]);
    assert_eq!(count_rule(&json, "ASYNC204"), 1, "{json:#}");
    assert_eq!(count_rule(&json, "ASYNC201"), 2, "{json:#}");
    p.write(
        "asynclint.toml",
        "fire-and-forget-helpers = [\"RunSafely*\"]\nevent-handlers = [\"Page.OnNavigated*\"]\n",
    );
    let json = check(&p, &["--select", "ASYNC204,ASYNC201"]);
    assert_eq!(count_rule(&json, "ASYNC204"), 0, "{json:#}");
    assert_eq!(count_rule(&json, "ASYNC201"), 1, "{json:#}");
}

#[test]
fn explicit_config_and_no_config() {
    let p = Project::with(&[
        ("asynclint.toml", "ignore = [\"ASYNC101\"]\n"),
        ("ci/strict.toml", "[severity]\nASYNC101 = \"error\"\n"),
        (
            ".editorconfig",
            "root = true\n[*.cs]\ndotnet_diagnostic.ASYNC102.severity = none\n",
        ),
        ("Service.cs", FINDINGS_CS),
    ]);
    let json = check(&p, &[]);
    assert!(severities(&json, "ASYNC101").is_empty());
    assert!(severities(&json, "ASYNC102").is_empty());
    // `--config` replaces the discovered asynclint.toml; .editorconfig still counts.
    let json = check(&p, &["--config", "ci/strict.toml"]);
    assert_eq!(severities(&json, "ASYNC101"), ["error"]);
    assert!(severities(&json, "ASYNC102").is_empty());
    // `--no-config` reads neither.
    let json = check(&p, &["--no-config"]);
    assert_eq!(severities(&json, "ASYNC101"), ["warning"]);
    assert_eq!(severities(&json, "ASYNC102"), ["warning"]);
    // A missing --config file is an error; --config with --no-config is a usage error.
    let run = p.run(&["check", "--config", "nope.toml"]);
    run.expect_code(2);
    assert!(run.stderr.contains("nope.toml"), "{}", run.stderr);
    p.run(&["check", "--config", "ci/strict.toml", "--no-config"])
        .expect_code(2);
}

#[test]
fn precedence_command_line_over_toml_over_editorconfig_over_defaults() {
    let p = Project::with(&[("Service.cs", FINDINGS_CS)]);
    // Defaults.
    assert_eq!(severities(&check(&p, &[]), "ASYNC101"), ["warning"]);
    // .editorconfig over the defaults.
    p.write(
        ".editorconfig",
        "root = true\n[*.cs]\ndotnet_diagnostic.ASYNC101.severity = error\ndotnet_diagnostic.ASYNC201.severity = none\nasynclint_project_kind = ui\n",
    );
    assert_eq!(severities(&check(&p, &[]), "ASYNC101"), ["error"]);
    assert!(severities(&check(&p, &[]), "ASYNC201").is_empty());
    // asynclint.toml over .editorconfig: severities, selection and the project kind.
    p.write(
        "asynclint.toml",
        "select = [\"ASYNC101\", \"ASYNC201\", \"ASYNC205\"]\n[severity]\nASYNC101 = \"info\"\nASYNC201 = \"warning\"\n",
    );
    let json = check(&p, &[]);
    assert_eq!(severities(&json, "ASYNC101"), ["info"]);
    assert_eq!(severities(&json, "ASYNC201"), ["warning"]);
    assert!(severities(&json, "ASYNC102").is_empty(), "not selected");
    // The command line over asynclint.toml: --select replaces its selection, --ignore wins.
    let json = check(&p, &["--select", "ASYNC102,ASYNC101"]);
    assert_eq!(rules_fired(&json), ["ASYNC101", "ASYNC102"]);
    assert_eq!(
        severities(&json, "ASYNC101"),
        ["info"],
        "the level stays the file's"
    );
    let json = check(&p, &["--ignore", "ASYNC101"]);
    assert!(severities(&json, "ASYNC101").is_empty());
    assert_eq!(severities(&json, "ASYNC201"), ["warning"]);
    // A rule asynclint.toml ignores comes back with --select.
    p.write("asynclint.toml", "ignore = [\"ASYNC101\"]\n");
    assert!(severities(&check(&p, &[]), "ASYNC101").is_empty());
    assert_eq!(
        severities(&check(&p, &["--select", "ASYNC101"]), "ASYNC101"),
        ["error"],
        "back at the .editorconfig level"
    );
    // The toml's project kind beats the .editorconfig one.
    p.write(
        "asynclint.toml",
        "[[project-kinds]]\npaths = [\"**\"]\nkind = \"library\"\n",
    );
    p.write(
        ".editorconfig",
        "root = true\n[*.cs]\nasynclint_project_kind = ui\n",
    );
    assert_eq!(severities(&check(&p, &[]), "ASYNC101"), ["warning"]);
    std::fs::remove_file(p.path("asynclint.toml")).unwrap();
    assert_eq!(severities(&check(&p, &[]), "ASYNC101"), ["error"]);
}

#[test]
fn unknown_toml_key_is_an_error_naming_key_file_and_line() {
    let p = Project::with(&[
        (
            "asynclint.toml",
            "select = [\"ASYNC101\"]\n\nselct = [\"ASYNC102\"]\n",
        ),
        ("Service.cs", FINDINGS_CS),
    ]);
    let run = p.run(&["check"]);
    run.expect_code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("asynclint.toml:3:1:") && run.stderr.contains("selct"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn bad_toml_values_and_syntax_are_errors_with_lines() {
    for (text, line, word) in [
        ("[severity]\nASYNC101 = \"loud\"\n", 2, "loud"),
        ("ignore = [\n  \"no-such-rule\",\n]\n", 2, "no-such-rule"),
        (
            "[[project-kinds]]\npaths = [\"a/**\"]\nkind = \"desktop\"\n",
            3,
            "desktop",
        ),
        ("select = [\"ASYNC101\"\nignore = 3\n", 2, ""),
        (
            "blocking-apis = [{ type = \"A\", method = \"B\" }]\n",
            1,
            "counterpart",
        ),
    ] {
        let p = Project::with(&[
            ("sub/asynclint.toml", text),
            ("sub/Service.cs", FINDINGS_CS),
        ]);
        let run = p.run(&["check"]);
        run.expect_code(2);
        assert!(
            run.stderr.contains(&format!("sub/asynclint.toml:{line}:")),
            "{text}\n{}",
            run.stderr
        );
        assert!(run.stderr.contains(word), "{text}\n{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[test]
fn malformed_editorconfig_warns_with_file_and_line_and_goes_on() {
    let p = Project::with(&[
        (
            ".editorconfig",
            "root = true\n[*.cs]\nthis line is not editorconfig\ndotnet_diagnostic.ASYNC101.severity = loud\nasynclint_colour = red\n[\ndotnet_diagnostic.ASYNC102.severity = error\n",
        ),
        ("Service.cs", FINDINGS_CS),
    ]);
    let (run, json) = p.check_json(&[]);
    run.expect_code(1);
    for needle in [
        ".editorconfig:3:",
        ".editorconfig:4:",
        "loud",
        ".editorconfig:5:",
        "asynclint_colour",
        ".editorconfig:6:",
    ] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(
        severities(&json, "ASYNC101"),
        ["warning"],
        "the bad value is ignored"
    );
    assert_eq!(
        severities(&json, "ASYNC102"),
        ["error"],
        "the lines after a bad one still count"
    );
}

#[test]
fn malformed_csproj_warns_with_file_and_line_and_goes_on() {
    let p = Project::with(&[
        (
            "app/App.csproj",
            "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <UseWPF>true</UseWPF>\n</Project>\n",
        ),
        ("app/Window.cs", WPF_WINDOW_CS),
    ]);
    let (run, json) = p.check_json(&[]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("app/App.csproj:4:"),
        "the line of the mismatched tag: {}",
        run.stderr
    );
    assert!(run.stderr.starts_with("warning: "), "{}", run.stderr);
    assert_eq!(
        severities(&json, "ASYNC101"),
        ["warning"],
        "read as a library"
    );
}
