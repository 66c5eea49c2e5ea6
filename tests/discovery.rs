//! Which files a run lints: folders are walked respecting `.gitignore`, `.ignore` and hidden
//! files, skipping `bin/` and `obj/`; only `*.cs` files; each file once.

mod common;

use common::*;

/// The files that got a finding, sorted.
fn linted(p: &Project, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--select", "ASYNC101"];
    all.extend_from_slice(args);
    let (run, json) = p.check_json(&all);
    run.expect_completed();
    let mut paths: Vec<String> = path_rules(&json).into_iter().map(|(p, _)| p).collect();
    paths.dedup();
    paths
}

#[test]
fn walks_folders_skipping_build_output_hidden_and_ignored_files() {
    // FINDINGS_CS has one ASYNC101: every linted copy shows up once.
    let p = Project::with(&[
        ("src/Kept.cs", FINDINGS_CS),
        ("src/deep/er/Kept.cs", FINDINGS_CS),
        ("src/bin/Debug/Generated.cs", FINDINGS_CS),
        ("src/obj/Debug/AssemblyInfo.cs", FINDINGS_CS),
        ("src/Obj/Upper.cs", FINDINGS_CS),
        ("bin/Root.cs", FINDINGS_CS),
        (".hidden/Hidden.cs", FINDINGS_CS),
        ("src/.Hidden.cs", FINDINGS_CS),
        ("src/Ignored.cs", FINDINGS_CS),
        ("src/generated/Gen.cs", FINDINGS_CS),
        ("src/local/Local.cs", FINDINGS_CS),
        ("src/Notes.txt", FINDINGS_CS),
        ("src/Script.csx", FINDINGS_CS),
        ("src/Kept.cs.bak", FINDINGS_CS),
        // Not a git repository: .gitignore applies anyway.
        (".gitignore", "Ignored.cs\ngenerated/\n"),
        ("src/.ignore", "local/\n"),
    ]);
    let expected = ["src/Kept.cs", "src/deep/er/Kept.cs"];
    assert_eq!(linted(&p, &[]), expected);
    assert_eq!(linted(&p, &["."]), expected);
    assert_eq!(linted(&p, &["src"]), expected);
    let (_, json) = p.check_json(&[]);
    assert_eq!(json["files_checked"], 2, "{json:#}");
}

#[test]
fn a_file_named_on_the_command_line_is_linted() {
    let p = Project::with(&[
        ("bin/Generated.cs", FINDINGS_CS),
        ("src/Kept.cs", FINDINGS_CS),
    ]);
    assert_eq!(linted(&p, &["bin/Generated.cs"]), ["bin/Generated.cs"]);
    assert_eq!(
        linted(&p, &["bin/Generated.cs", "src"]),
        ["bin/Generated.cs", "src/Kept.cs"]
    );
}

#[test]
fn overlapping_paths_lint_each_file_once() {
    let p = Project::with(&[
        ("src/A.cs", FINDINGS_CS),
        ("src/sub/B.cs", FINDINGS_CS),
        ("C.cs", FINDINGS_CS),
    ]);
    for args in [
        &[".", "src"][..],
        &["src", "."],
        &["src/A.cs", "./src/A.cs", "src"],
        &["./", "src/sub", "src/sub/B.cs", "C.cs", "./C.cs"],
    ] {
        let (run, json) = p.check_json(&[&["--select", "ASYNC101"][..], args].concat());
        run.expect_code(1);
        let paths: Vec<String> = path_rules(&json).into_iter().map(|(p, _)| p).collect();
        let mut unique = paths.clone();
        unique.dedup();
        assert_eq!(paths, unique, "{args:?}: a file was reported twice");
        assert!(
            paths.contains(&"src/A.cs".to_owned()),
            "{args:?}: {paths:?}"
        );
        let files = json["files_checked"].as_u64().unwrap() as usize;
        assert_eq!(
            files,
            paths.len(),
            "{args:?}: files_checked counts a file twice"
        );
    }
}

#[test]
fn paths_outside_the_current_folder() {
    let p = Project::with(&[("app/src/A.cs", FINDINGS_CS), ("lib/B.cs", FINDINGS_CS)]);
    let mut cmd = p.cmd(&[
        "check", "--format", "json", "--select", "ASYNC101", "src", "../lib",
    ]);
    cmd.current_dir(p.path("app"));
    let run = Run::from(cmd.output().unwrap());
    run.expect_code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let paths: Vec<String> = path_rules(&json).into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["../lib/B.cs", "src/A.cs"]);
}
