//! `--format sarif`: valid SARIF 2.1.0 (checked against the official JSON schema when it is
//! at `../shared/schemas/sarif-schema-2.1.0.json`), with what GitHub code scanning reads.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn fixture() -> Project {
    Project::with(&[
        ("Program.cs", INFO_ONLY_CS),
        ("desktop/Desktop.csproj", WPF_CSPROJ),
        ("desktop/MainWindow.cs", WPF_WINDOW_CS),
        ("src/Orders/Order Service.cs", FINDINGS_CS),
        ("src/Orders/Clean.cs", CLEAN_CS),
    ])
}

fn sarif(p: &Project, args: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "sarif"];
    all.extend_from_slice(args);
    let run = p.run(&all);
    run.expect_completed();
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

/// Validates against the SARIF 2.1.0 schema; `false` when the schema is not there.
fn validate(doc: &Value) -> bool {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/schemas/sarif-schema-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!(
            "skipped: SARIF schema validation ({} is absent)",
            path.display()
        );
        return false;
    };
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
    // The validator is not vacuous: a wrong level is caught.
    let mut broken = doc.clone();
    if let Some(r) = broken["runs"][0]["results"].get_mut(0) {
        r["level"] = Value::from("loud");
        assert!(!validator.is_valid(&broken), "a broken document passed");
    }
    true
}

fn results(doc: &Value) -> &Vec<Value> {
    doc["runs"][0]["results"].as_array().expect("results")
}

#[test]
fn sarif_is_valid_and_complete() {
    let p = fixture();
    let doc = sarif(&p, &[]);
    validate(&doc);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "asynclint");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(
        rules.len(),
        asynclint::rules::ALL.len() + 1,
        "ASYNC000 and every rule"
    );
    for rule in asynclint::rules::ALL {
        let r = rules
            .iter()
            .find(|r| r["id"] == rule.id)
            .unwrap_or_else(|| panic!("{} is not in tool.driver.rules", rule.id));
        assert_eq!(r["name"], rule.name);
        assert_eq!(r["shortDescription"]["text"], rule.summary);
        assert_eq!(r["fullDescription"]["text"], rule.docs.what);
        assert!(r["help"]["text"].as_str().unwrap().contains(rule.docs.why));
        assert!(r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("```csharp"));
        assert!(r["defaultConfiguration"]["level"].is_string(), "{r}");
    }
    let results = results(&doc);
    assert!(results.len() >= 7, "{doc:#}");
    for r in results {
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            rules[index]["id"], r["ruleId"],
            "ruleIndex points at its rule"
        );
        assert!(
            matches!(r["level"].as_str(), Some("error" | "warning" | "note")),
            "{r}"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains('\\'),
            "relative: {uri}"
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(loc["region"][key].as_u64().unwrap() >= 1, "{key}: {r}");
        }
        let fp = r["partialFingerprints"]["asynclint/v1"].as_str().unwrap();
        assert_eq!(fp.len(), 16, "{fp}");
    }
    let uris: BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains("src/Orders/Order%20Service.cs"), "{uris:?}");
    // The WPF project's blocking read is an error; Program.cs's is a note.
    let level_of = |uri: &str, rule: &str| {
        results
            .iter()
            .find(|r| {
                r["ruleId"] == rule
                    && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri
            })
            .map(|r| r["level"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        level_of("desktop/MainWindow.cs", "ASYNC101").as_deref(),
        Some("error")
    );
    assert_eq!(level_of("Program.cs", "ASYNC101").as_deref(), Some("note"));
    // A fixable finding carries its fix as an artifact change.
    let fixed = results
        .iter()
        .find(|r| r["ruleId"] == "ASYNC102")
        .expect("an ASYNC102 result");
    let change = &fixed["fixes"][0]["artifactChanges"][0];
    assert_eq!(
        change["artifactLocation"]["uri"],
        "src/Orders/Order%20Service.cs"
    );
    let rep = &change["replacements"][0];
    assert_eq!(rep["deletedRegion"]["startLine"], 11);
    assert_eq!(rep["insertedContent"]["text"], "await Task.Delay(100)");
}

#[test]
fn sarif_fingerprints_survive_moved_lines_and_reindentation() {
    let p = fixture();
    let fingerprints = |doc: &Value| -> BTreeSet<(String, String)> {
        results(doc)
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_owned(),
                    r["partialFingerprints"]["asynclint/v1"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                )
            })
            .collect()
    };
    let before = fingerprints(&sarif(&p, &["--select", "ASYNC1,ASYNC2"]));
    let moved = format!(
        "// a header\n// added later\n\n{}",
        FINDINGS_CS
            .lines()
            .map(|l| format!("  {l}\n"))
            .collect::<String>()
    );
    p.write("src/Orders/Order Service.cs", &moved);
    let after = fingerprints(&sarif(&p, &["--select", "ASYNC1,ASYNC2"]));
    assert_eq!(before, after);
}

#[test]
fn sarif_with_suppressed_results() {
    let src = "using System.Threading.Tasks;\n\nclass C\n{\n#pragma warning disable ASYNC101\n    int A(Task<int> t) => t.Result;\n#pragma warning restore ASYNC101\n}\n";
    let p = Project::with(&[
        ("C.cs", src),
        (
            "lib/Lib.csproj",
            "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><NoWarn>ASYNC101</NoWarn></PropertyGroup></Project>",
        ),
        ("lib/D.cs", src.replace("#pragma warning disable ASYNC101\n", "").as_str()),
    ]);
    let doc = sarif(&p, &["--select", "ASYNC101", "--show-suppressed"]);
    validate(&doc);
    let results = results(&doc);
    assert_eq!(results.len(), 2, "{doc:#}");
    let kinds: Vec<&str> = results
        .iter()
        .map(|r| r["suppressions"][0]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["inSource", "external"]);
    assert_eq!(
        results[0]["suppressions"][0]["location"]["physicalLocation"]["region"]["startLine"],
        5
    );
    // Without --show-suppressed they are not there.
    assert!(super_results_empty(&sarif(&p, &["--select", "ASYNC101"])));
}

fn super_results_empty(doc: &Value) -> bool {
    results(doc).is_empty()
}
