//! `--fix` and `--diff` on files in UTF-8 with a BOM and CRLF line endings, and in UTF-16 LE
//! with a BOM: the fixes land, the bytes keep their encoding, BOM and line endings, a second
//! run changes nothing, and `--diff` changes nothing at all.

mod common;

use common::*;

/// The rules whose fixes these tests spell out (other families have fixes of their own).
const FIXED_RULES: &str = "ASYNC101,ASYNC102,ASYNC203";

/// An async method that blocks twice: `t.Result` (ASYNC101, safe fix `await t`) and
/// `Thread.Sleep(100)` (ASYNC102, safe fix `await Task.Delay(100)`). Non-ASCII text, one
/// character outside the BMP (a surrogate pair in UTF-16) included. LF here; the tests turn
/// the line endings into CRLF.
const WORKER: &str = r#"using System.Threading;
using System.Threading.Tasks;

namespace Demo
{
    // Größe: 𝄞 — ünïcödé
    public class Worker
    {
        public async Task<int> RunAsync(Task<int> t)
        {
            var x = t.Result;
            Thread.Sleep(100);
            return x;
        }
    }
}
"#;

fn fixed_worker() -> String {
    let fixed = WORKER
        .replace("var x = t.Result;", "var x = await t;")
        .replace("Thread.Sleep(100);", "await Task.Delay(100);");
    assert_ne!(fixed, WORKER);
    fixed
}

fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

fn utf8_bom(text: &str) -> Vec<u8> {
    let mut v = vec![0xEF, 0xBB, 0xBF];
    v.extend_from_slice(text.as_bytes());
    v
}

fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        v.extend_from_slice(&unit.to_le_bytes());
    }
    v
}

fn decode_utf16le(bytes: &[u8]) -> String {
    assert_eq!(bytes.len() % 2, 0, "UTF-16 has an even number of bytes");
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).expect("valid UTF-16 LE")
}

/// Every `\n` is preceded by `\r`; returns how many line endings there are.
fn assert_all_crlf(text: &str) -> usize {
    let lf = text.matches('\n').count();
    let crlf = text.matches("\r\n").count();
    assert_eq!(lf, crlf, "a bare LF crept in:\n{text:?}");
    assert_eq!(
        text.matches('\r').count(),
        crlf,
        "a bare CR crept in:\n{text:?}"
    );
    crlf
}

/// The two findings are there, with safe fixes.
fn assert_fixable_findings(p: &Project, file: &str) {
    let (run, json) = p.check_json(&[file, "--select", FIXED_RULES]);
    run.expect_code(1);
    let d = diagnostics(&json);
    let find = |rule: &str| {
        d.iter()
            .find(|d| d["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {json:#}"))
    };
    let wait = find("ASYNC101");
    assert_eq!(wait["fix"]["applicability"], "safe");
    assert_eq!(wait["fix"]["edits"][0]["replacement"], "await t");
    assert_eq!(wait["line"], 11);
    let sleep = find("ASYNC102");
    assert_eq!(sleep["fix"]["applicability"], "safe");
    assert_eq!(
        sleep["fix"]["edits"][0]["replacement"],
        "await Task.Delay(100)"
    );
    assert_eq!(sleep["line"], 12);
}

/// `--fix` twice: the first run applies both fixes, the second changes no byte.
fn fix_twice(p: &Project, file: &str) -> Vec<u8> {
    let before = p.read(file);
    let run = p.run(&[
        "check",
        file,
        "--select",
        FIXED_RULES,
        "--fix",
        "--color",
        "never",
    ]);
    run.expect_completed();
    assert!(run.stdout.contains("Applied 2 fixes."), "{}", run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let after = p.read(file);
    assert_ne!(after, before, "--fix changed nothing");

    let again = p.run(&[
        "check",
        file,
        "--select",
        FIXED_RULES,
        "--fix",
        "--color",
        "never",
    ]);
    again.expect_code(0);
    assert!(
        !again.stdout.contains("Applied"),
        "nothing is left to fix: {}",
        again.stdout
    );
    assert_eq!(
        p.read(file),
        after,
        "a second --fix must leave the file byte-identical"
    );
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(p.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("asynclint") || n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    after
}

#[test]
fn fix_utf8_bom_crlf() {
    let p = Project::new();
    let original = utf8_bom(&crlf(WORKER));
    p.write_bytes("Worker.cs", &original);
    assert_fixable_findings(&p, "Worker.cs");

    let after = fix_twice(&p, "Worker.cs");
    let body = after
        .strip_prefix(&[0xEF, 0xBB, 0xBF][..])
        .expect("the UTF-8 BOM is kept");
    assert!(
        !body.starts_with(&[0xEF, 0xBB, 0xBF]),
        "the BOM is not doubled"
    );
    let text = std::str::from_utf8(body).expect("still UTF-8");
    assert_eq!(
        assert_all_crlf(text),
        WORKER.lines().count(),
        "every CRLF is kept"
    );
    assert_eq!(text, crlf(&fixed_worker()));
}

#[test]
fn fix_utf16le_bom_crlf() {
    let p = Project::new();
    let original = utf16le_bom(&crlf(WORKER));
    p.write_bytes("Worker.cs", &original);
    assert_fixable_findings(&p, "Worker.cs");

    let after = fix_twice(&p, "Worker.cs");
    let body = after
        .strip_prefix(&[0xFF, 0xFE][..])
        .expect("the UTF-16 LE BOM is kept");
    // Still UTF-16: `u` of `using` is `75 00`, not UTF-8.
    assert_eq!(&body[..4], b"u\0s\0", "the file is still UTF-16 LE");
    let text = decode_utf16le(body);
    assert_eq!(
        assert_all_crlf(&text),
        WORKER.lines().count(),
        "every CRLF is kept"
    );
    assert_eq!(text, crlf(&fixed_worker()));
    assert!(text.contains("𝄞"), "the surrogate pair survives");
}

#[test]
fn fix_utf16le_bom_lf() {
    let p = Project::new();
    p.write_bytes("Worker.cs", &utf16le_bom(WORKER));
    let after = fix_twice(&p, "Worker.cs");
    let text = decode_utf16le(
        after
            .strip_prefix(&[0xFF, 0xFE][..])
            .expect("the BOM is kept"),
    );
    assert!(!text.contains('\r'), "LF files stay LF");
    assert_eq!(text, fixed_worker());
}

#[test]
fn fix_plain_utf8_gets_no_bom() {
    let p = Project::new();
    p.write("Worker.cs", WORKER);
    let after = fix_twice(&p, "Worker.cs");
    assert_eq!(
        String::from_utf8(after).unwrap(),
        fixed_worker(),
        "no BOM added, LF kept"
    );
}

#[cfg(unix)]
#[test]
fn fix_keeps_the_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new();
    let path = p.write("Worker.cs", WORKER);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    fix_twice(&p, "Worker.cs");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn fix_leaves_unsafe_fixes_and_other_files_alone() {
    // ASYNC203's fix (await the dropped task) is unsafe: --fix must not apply it.
    let unsafe_only = r#"using System.Threading.Tasks;

class Fire
{
    public async Task RunAsync()
    {
        Task.Delay(10);
        await Task.Yield();
    }
}
"#;
    let p = Project::with(&[
        ("src/Fire.cs", unsafe_only),
        ("src/Worker.cs", WORKER),
        ("src/Clean.cs", CLEAN_CS),
    ]);
    let (_, json) = p.check_json(&["--fix", "--select", FIXED_RULES]);
    assert_eq!(
        p.read("src/Fire.cs"),
        unsafe_only.as_bytes(),
        "an unsafe fix was applied"
    );
    assert_eq!(p.read("src/Clean.cs"), CLEAN_CS.as_bytes());
    assert_eq!(
        String::from_utf8(p.read("src/Worker.cs")).unwrap(),
        fixed_worker()
    );
    // What is left is reported against the fixed text: the ASYNC203 finding, and nothing
    // from Worker.cs.
    let left = path_rules(&json);
    assert!(
        left.contains(&("src/Fire.cs".into(), "ASYNC203".into())),
        "{left:?}"
    );
    assert!(
        !left.iter().any(|(path, _)| path == "src/Worker.cs"),
        "{left:?}"
    );
}

#[test]
fn fix_respects_select() {
    let p = Project::new();
    p.write("Worker.cs", WORKER);
    let run = p.run(&["check", "--fix", "--select", "ASYNC102", "--color", "never"]);
    run.expect_completed();
    let text = String::from_utf8(p.read("Worker.cs")).unwrap();
    assert!(text.contains("await Task.Delay(100);"), "{text}");
    assert!(
        text.contains("var x = t.Result;"),
        "ASYNC101 was not selected: {text}"
    );
}

/// The lines of a diff without their line endings (the diff keeps the file's CRLF).
fn diff_lines(diff: &str) -> Vec<&str> {
    diff.lines().map(|l| l.trim_end_matches('\r')).collect()
}

fn assert_worker_diff(diff: &str, file: &str) {
    let lines = diff_lines(diff);
    assert_eq!(lines[0], format!("--- a/{file}"), "{diff}");
    assert_eq!(lines[1], format!("+++ b/{file}"), "{diff}");
    assert!(
        lines[2].starts_with("@@ -") && lines[2].ends_with(" @@"),
        "a hunk header: {diff}"
    );
    for expected in [
        "-            var x = t.Result;",
        "-            Thread.Sleep(100);",
        "+            var x = await t;",
        "+            await Task.Delay(100);",
        "             return x;",
    ] {
        assert!(
            lines.contains(&expected),
            "no `{expected}` in the diff:\n{diff}"
        );
    }
    let changed = lines[2..]
        .iter()
        .filter(|l| l.starts_with('-') || l.starts_with('+'))
        .count();
    assert_eq!(changed, 4, "only the two fixed lines change:\n{diff}");
}

#[test]
fn diff_prints_a_unified_diff_and_changes_nothing() {
    for (name, bytes) in [
        ("utf8-bom-crlf", utf8_bom(&crlf(WORKER))),
        ("utf16le-bom-crlf", utf16le_bom(&crlf(WORKER))),
        ("utf8-lf", WORKER.as_bytes().to_vec()),
    ] {
        let p = Project::new();
        p.write_bytes("src/Worker.cs", &bytes);
        let run = p.run(&["check", "--select", FIXED_RULES, "--diff"]);
        // --diff reports the findings of the unchanged file in its exit code.
        run.expect_code(1);
        assert_worker_diff(&run.stdout, "src/Worker.cs");
        assert!(
            !run.stdout.contains('\u{feff}'),
            "{name}: the BOM is not part of the diff"
        );
        assert_eq!(
            p.read("src/Worker.cs"),
            bytes,
            "{name}: --diff changed the file"
        );
        // Twice: still the same diff, still the same bytes.
        let again = p.run(&["check", "--select", FIXED_RULES, "--diff"]);
        assert_eq!(again.stdout, run.stdout, "{name}");
        assert_eq!(p.read("src/Worker.cs"), bytes, "{name}");
    }
}

#[test]
fn diff_of_a_clean_project_is_empty() {
    let p = Project::with(&[("Clean.cs", CLEAN_CS)]);
    let run = p.run(&["check", "--select", FIXED_RULES, "--diff"]);
    run.expect_code(0);
    assert_eq!(run.stdout, "");
}

/// `--fix` on a symbolic link fixes the file it points to and keeps the link.
#[cfg(unix)]
#[test]
fn fix_writes_through_a_symlink() {
    let p = Project::new();
    let real = p.write("shared/Worker.cs", &crlf(WORKER));
    std::fs::create_dir_all(p.path("src")).unwrap();
    std::os::unix::fs::symlink("../shared/Worker.cs", p.path("src/Worker.cs")).unwrap();
    let run = p.run(&[
        "check",
        "src/Worker.cs",
        "--select",
        FIXED_RULES,
        "--fix",
        "--color",
        "never",
    ]);
    run.expect_code(0);
    let link = std::fs::symlink_metadata(p.path("src/Worker.cs")).unwrap();
    assert!(
        link.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        crlf(&fixed_worker())
    );
}
