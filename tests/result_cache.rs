//! The result cache, end to end (beside tests/cache.rs): a second run gives the same output
//! as the first and as `--no-cache`, and a change to a file, to a declaration another file
//! uses, to the project or to the settings is never hidden by a stale entry. A corrupt cache
//! is ignored; `clean` removes only the cache's files.

mod common;

use common::*;

const REPO_TASK: &str = r#"using System.Threading.Tasks;

public class Repo
{
    public Task SaveAsync() => Task.CompletedTask;
}
"#;

const REPO_VOID: &str = r#"using System.Threading.Tasks;

public class Repo
{
    public void SaveAsync() { }
}
"#;

/// Drops the task of `Repo.SaveAsync` (ASYNC203), when Repo.cs says it returns one.
const USER: &str = r#"using System.Threading.Tasks;

public class User
{
    public async Task RunAsync(Repo repo)
    {
        repo.SaveAsync();
        await Task.Yield();
    }
}
"#;

fn outputs(p: &Project, extra: &[&str]) -> Vec<String> {
    ["json", "text", "msbuild", "github"]
        .iter()
        .map(|format| {
            let mut args = vec!["check", "--format", format, "--color", "never"];
            args.extend_from_slice(extra);
            let run = p.run(&args);
            run.expect_completed();
            run.stdout
        })
        .collect()
}

#[test]
fn a_cached_run_prints_what_an_uncached_run_prints() {
    let p = Project::with(&[
        ("src/Service.cs", FINDINGS_CS),
        ("src/Clean.cs", CLEAN_CS),
        ("Program.cs", INFO_ONLY_CS),
        ("src/Repo.cs", REPO_TASK),
        ("src/User.cs", USER),
        ("src/Broken.cs", "class B { async Task M( { t.Result; \n"),
    ]);
    p.write_bytes("src/Binary.cs", b"\x00\x01\x02\x03");
    let uncached = outputs(&p, &["--no-cache"]);
    assert!(
        p.cache_files().is_empty(),
        "--no-cache wrote {:?}",
        p.cache_files()
    );
    let first = outputs(&p, &[]);
    assert!(!p.cache_files().is_empty(), "no cache was written");
    let second = outputs(&p, &[]);
    assert_eq!(first, uncached);
    assert_eq!(second, uncached, "the cached run differs");
    // The file error is still reported from the cache-warm run.
    assert!(second[0].contains("ASYNC000"), "{}", second[0]);
}

#[test]
fn an_edited_file_is_linted_again() {
    let p = Project::with(&[("src/Service.cs", FINDINGS_CS)]);
    let (_, before) = p.check_json(&[]);
    assert!(count_rule(&before, "ASYNC101") == 1);
    // Same length, other content: the cache must look at the content, not the size or time.
    let edited = FINDINGS_CS.replace("var x = t.Result;", "var x = await t;");
    p.write("src/Service.cs", &edited);
    let (_, after) = p.check_json(&[]);
    assert_eq!(
        count_rule(&after, "ASYNC101"),
        0,
        "a stale result: {after:#}"
    );
    // And back.
    p.write("src/Service.cs", FINDINGS_CS);
    let (_, again) = p.check_json(&[]);
    assert_eq!(again, before);
    // A file that turns binary is a file error, also with a warm cache.
    p.write_bytes("src/Service.cs", b"\x00\x00binary");
    let (_, binary) = p.check_json(&[]);
    assert_eq!(rules_fired(&binary), ["ASYNC000"]);
}

#[test]
fn a_declaration_change_in_another_file_is_seen() {
    let p = Project::with(&[("Repo.cs", REPO_TASK), ("User.cs", USER)]);
    let (_, json) = p.check_json(&[]);
    assert_eq!(
        path_rules(&json),
        [("User.cs".to_owned(), "ASYNC203".to_owned())]
    );
    p.check_json(&[]); // warm
                       // User.cs does not change; the method it calls stops returning a task.
    p.write("Repo.cs", REPO_VOID);
    let (run, json) = p.check_json(&[]);
    run.expect_code(0);
    assert!(diagnostics(&json).is_empty(), "a stale result: {json:#}");
    p.write("Repo.cs", REPO_TASK);
    let (run, json) = p.check_json(&[]);
    run.expect_code(1);
    assert_eq!(
        path_rules(&json),
        [("User.cs".to_owned(), "ASYNC203".to_owned())]
    );
}

#[test]
fn a_project_change_is_seen() {
    let p = Project::with(&[
        ("App/App.csproj", WPF_CSPROJ),
        ("App/MainWindow.cs", WPF_WINDOW_CS),
    ]);
    let severity = |p: &Project| {
        let (_, json) = p.check_json(&[]);
        diagnostics(&json)[0]["severity"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(severity(&p), "error");
    assert_eq!(severity(&p), "error");
    // No longer a WPF project: blocking is a warning there.
    p.write(
        "App/App.csproj",
        &WPF_CSPROJ.replace("<UseWPF>true</UseWPF>", ""),
    );
    assert_eq!(severity(&p), "warning", "the cache hid the project change");
}

#[test]
fn settings_changes_are_seen() {
    let p = Project::with(&[("Service.cs", FINDINGS_CS)]);
    let all = rules_fired(&p.check_json(&[]).1);
    assert_eq!(
        rules_fired(&p.check_json(&["--select", "ASYNC101"]).1),
        ["ASYNC101"]
    );
    assert_eq!(rules_fired(&p.check_json(&[]).1), all);
    assert!(
        !rules_fired(&p.check_json(&["--ignore", "ASYNC101"]).1).contains(&"ASYNC101".to_owned())
    );
    assert_eq!(rules_fired(&p.check_json(&[]).1), all);
}

#[test]
fn fix_then_check_sees_the_fixed_file() {
    let p = Project::with(&[("Service.cs", FINDINGS_CS)]);
    let (_, before) = p.check_json(&[]);
    assert_eq!(count_rule(&before, "ASYNC101"), 1);
    p.run(&["check", "--fix"]).expect_completed();
    let (_, after) = p.check_json(&[]);
    assert_eq!(count_rule(&after, "ASYNC101"), 0, "{after:#}");
    assert_eq!(count_rule(&after, "ASYNC102"), 0, "{after:#}");
    assert_eq!(after, p.check_json(&["--no-cache"]).1);
}

#[test]
fn a_corrupt_cache_is_ignored_and_rewritten() {
    let p = Project::with(&[("Service.cs", FINDINGS_CS), ("Clean.cs", CLEAN_CS)]);
    let expected = p.check_json(&["--no-cache"]).1;
    p.check_json(&[]);
    let files = p.cache_files();
    assert!(!files.is_empty());
    for garbage in [
        &b"{ not json"[..],
        b"",
        b"\x00\xff\xfe",
        br#"{"format":1,"version":"0.0.0","entries":{}}"#,
        br#"{"format":1,"version":"0.1.0","entries":{"Service.cs":{"content":1}}}"#,
        br#"[1,2,3]"#,
    ] {
        for f in &files {
            std::fs::write(f, garbage).unwrap();
        }
        let (run, json) = p.check_json(&[]);
        run.expect_code(1);
        assert_eq!(json, expected, "with cache bytes {garbage:?}");
        let (_, json) = p.check_json(&[]);
        assert_eq!(json, expected, "after rewriting the cache over {garbage:?}");
    }
}

#[test]
fn clean_removes_the_cache() {
    let p = Project::with(&[("Service.cs", FINDINGS_CS)]);
    p.check_json(&[]);
    p.check_json(&["--select", "ASYNC1"]);
    let n = p.cache_files().len();
    assert!(n >= 2, "one cache per settings: {:?}", p.cache_files());
    let other = p.cache_dir().join("keep-me.txt");
    std::fs::write(&other, "not a cache file").unwrap();
    let run = p.run(&["clean"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains(&format!("Removed {n} cache files")),
        "{}",
        run.stdout
    );
    assert_eq!(p.cache_files(), [other], "clean removes only its own files");
    // And the next run still works.
    p.run(&["check"]).expect_code(1);
}

/// Replaces every cached diagnostic message with `TAMPERED`.
fn tamper(p: &Project) {
    use asynclint::workspace::cache::{read_entries, write_entries};
    for f in p.cache_files() {
        let mut entries = read_entries(&f).expect("a cache file of this build");
        for entry in entries.values_mut() {
            for d in &mut entry.diagnostics {
                d.message = "TAMPERED".into();
            }
        }
        write_entries(&f, entries).unwrap();
    }
}

/// A rebuilt binary (same version number, other code) must not be served the diagnostics
/// the previous build cached.
#[test]
fn another_build_does_not_trust_this_builds_cache() {
    let p = Project::with(&[("Service.cs", FINDINGS_CS)]);
    p.check_json(&[]);
    tamper(&p);
    // The same build trusts its cache (which is what makes the check below meaningful).
    let (_, json) = p.check_json(&[]);
    assert!(
        diagnostics(&json)
            .iter()
            .all(|d| d["message"] == "TAMPERED"),
        "the cache was not used: {json:#}"
    );

    // "Another build": a copy of the binary with another modification time.
    let bin_dir = tempfile::tempdir().unwrap();
    let copy = bin_dir.path().join("asynclint");
    std::fs::copy(assert_cmd::cargo::cargo_bin("asynclint"), &copy).unwrap();
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&copy)
        .unwrap()
        .set_modified(old)
        .unwrap();
    // A freshly written executable can be briefly "busy" (ETXTBSY) while another test
    // thread forks: retry.
    let mut attempt = 0;
    let out = loop {
        match std::process::Command::new(&copy)
            .current_dir(p.root())
            .env("ASYNCLINT_CACHE_DIR", p.cache_dir())
            .args(["check", "--format", "json"])
            .output()
        {
            Ok(out) => break out,
            Err(e) if attempt < 20 && e.raw_os_error() == Some(26) => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => panic!("running the copied binary: {e}"),
        }
    };
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!diagnostics(&json).is_empty());
    assert!(
        diagnostics(&json)
            .iter()
            .all(|d| d["message"] != "TAMPERED"),
        "another build used this build's cache: {json:#}"
    );
}
