//! Bad input never crashes the run, and the run goes on: the other files of the same run are
//! still linted and reported. Files that cannot be read or decoded are `ASYNC000 file-error`
//! findings. Huge and deeply nested files end normally (no panic, no stack overflow).

mod common;

use common::*;
use serde_json::Value;
use std::fmt::Write as _;
use std::time::Instant;

/// The file every run below also holds: its findings must be reported whatever else is in
/// the run.
const GOOD: (&str, &str) = ("good/Service.cs", FINDINGS_CS);

fn assert_good_file_reported(json: &Value) {
    let rules: Vec<String> = path_rules(json)
        .into_iter()
        .filter(|(path, _)| path == GOOD.0)
        .map(|(_, rule)| rule)
        .collect();
    for rule in ["ASYNC101", "ASYNC102", "ASYNC201", "ASYNC203", "ASYNC205"] {
        assert!(
            rules.iter().any(|r| r == rule),
            "{rule} of {} is missing: {rules:?}",
            GOOD.0
        );
    }
}

fn diagnostics_of<'a>(json: &'a Value, path: &str) -> Vec<&'a Value> {
    diagnostics(json)
        .iter()
        .filter(|d| d["path"] == path)
        .collect()
}

/// The file's one diagnostic is an ASYNC000 error whose message contains `reason`.
fn assert_file_error(json: &Value, path: &str, reason: &str) {
    let d = diagnostics_of(json, path);
    assert_eq!(d.len(), 1, "{path}: {d:?}");
    let d = d[0];
    assert_eq!(d["rule"], "ASYNC000", "{d}");
    assert_eq!(d["name"], "file-error", "{d}");
    assert_eq!(d["severity"], "error", "{d}");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(1)),
        "{d}"
    );
    assert_eq!(d["fix"], Value::Null, "{d}");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains(reason),
        "{path}: `{message}` should mention `{reason}`"
    );
}

/// Runs every format over the project: each completes; returns the JSON document.
fn check_all_formats(p: &Project, args: &[&str]) -> Value {
    for format in ["text", "msbuild", "github"] {
        let mut all = vec!["check", "--format", format, "--color", "never"];
        all.extend_from_slice(args);
        p.run(&all).expect_completed();
    }
    let (run, json) = p.check_json(args);
    run.expect_completed();
    json
}

#[test]
fn undecodable_empty_and_broken_files_do_not_stop_the_run() {
    let p = Project::with(&[GOOD]);
    // A binary file (a PE header) named .cs.
    p.write_bytes(
        "bad/Binary.cs",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00class C {}",
    );
    // Invalid UTF-8 (a lone continuation byte, a truncated sequence).
    p.write_bytes("bad/Latin1.cs", b"class A { string s = \"caf\xe9\"; }\n");
    p.write_bytes(
        "bad/Truncated.cs",
        b"class A { string s = \"\xe2\x82\"; }\n",
    );
    // Broken UTF-16: an odd number of bytes, and an unpaired surrogate.
    p.write_bytes("bad/Odd16.cs", b"\xff\xfec\x00l\x00a");
    p.write_bytes("bad/Surrogate16.cs", b"\xff\xfec\x00\x00\xd8l\x00");
    // A UTF-8 file with a NUL character.
    p.write_bytes("bad/Nul.cs", b"class A {}\n\0\n");
    // Empty, and only a BOM.
    p.write_bytes("bad/Empty.cs", b"");
    p.write_bytes("bad/OnlyBom.cs", b"\xef\xbb\xbf");
    // A syntax error.
    p.write(
        "bad/Syntax.cs",
        "using System.Threading.Tasks;\nclass S {\n    public async Task M( { var x = t.Result; \n",
    );

    let json = check_all_formats(&p, &[]);
    assert_good_file_reported(&json);
    assert_file_error(&json, "bad/Binary.cs", "binary");
    assert_file_error(&json, "bad/Latin1.cs", "UTF-8");
    assert_file_error(&json, "bad/Truncated.cs", "UTF-8");
    assert_file_error(&json, "bad/Odd16.cs", "UTF-16");
    assert_file_error(&json, "bad/Surrogate16.cs", "UTF-16");
    assert_file_error(&json, "bad/Nul.cs", "NUL");
    assert!(diagnostics_of(&json, "bad/Empty.cs").is_empty());
    assert!(diagnostics_of(&json, "bad/OnlyBom.cs").is_empty());
    assert!(
        !diagnostics_of(&json, "bad/Syntax.cs")
            .iter()
            .any(|d| d["rule"] == "ASYNC000"),
        "a syntax error is not a file error"
    );
    assert_eq!(json["files_checked"], 10);
    assert_eq!(json["files_with_syntax_errors"], 1);

    // File errors are errors: they fail the run at every threshold but `never`.
    let p2 = Project::new();
    p2.write_bytes("Binary.cs", b"\x00\x01\x02");
    p2.run(&["check", "--fail-on", "error"]).expect_code(1);
    p2.run(&["check", "--fail-on", "never"]).expect_code(0);
    // An explicitly named bad file is a finding, not a failed run.
    let run = p.run(&[
        "check",
        "bad/Binary.cs",
        "good/Service.cs",
        "--format",
        "msbuild",
    ]);
    run.expect_code(1);
    assert!(run.stdout.contains("bad/Binary.cs(1,1"), "{}", run.stdout);
    assert!(
        run.stdout.contains("good/Service.cs(10,21"),
        "{}",
        run.stdout
    );
}

#[test]
fn text_output_names_file_errors() {
    let p = Project::with(&[GOOD]);
    p.write_bytes("Binary.cs", b"\x00\x00\x00");
    let run = p.run(&["check", "--color", "never"]);
    run.expect_code(1);
    assert!(run.stdout.contains("error[ASYNC000]"), "{}", run.stdout);
    assert!(run.stdout.contains("Binary.cs"), "{}", run.stdout);
    assert!(
        run.stdout.contains("1  ASYNC000 file-error"),
        "{}",
        run.stdout
    );
}

/// Whether this process can read a file whose mode is 000 (root, or CAP_DAC_OVERRIDE).
fn reads_despite_mode_000(path: &std::path::Path) -> bool {
    std::fs::read(path).is_ok()
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_file_errors() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::with(&[GOOD]);
    let file = p.write("locked/Locked.cs", CLEAN_CS);
    let folder = p.path("sealed");
    p.write("sealed/Inner.cs", CLEAN_CS);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    if reads_despite_mode_000(&file) {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        eprintln!(
            "SKIPPED unreadable_files_and_folders_are_file_errors: running as root (or with \
             CAP_DAC_OVERRIDE), where chmod 000 does not stop reads"
        );
        return;
    }
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o000)).unwrap();
    let json = check_all_formats(&p, &[]);
    // Restore, so that the temp dir can be removed.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_good_file_reported(&json);
    assert_file_error(&json, "locked/Locked.cs", "cannot read");
    assert_file_error(&json, "sealed", "cannot read");
}

/// `n` classes of `methods` async methods each; every method has one `.Result` on a task
/// parameter (ASYNC101) and one `Thread.Sleep(100)` (ASYNC102), and awaits.
fn generated_source(target_bytes: usize, methods_per_class: usize) -> (String, usize) {
    let mut s = String::with_capacity(target_bytes + 4096);
    s.push_str(
        "using System.Threading;\nusing System.Threading.Tasks;\n\nnamespace Generated\n{\n",
    );
    let mut methods = 0;
    let mut class = 0;
    while s.len() < target_bytes {
        writeln!(
            s,
            "    public class Generated{class}\n    {{\n        private int _count{class};\n"
        )
        .unwrap();
        for m in 0..methods_per_class {
            write!(
                s,
                "        public async Task<int> Run{m}Async(Task<int> pending, \
                 CancellationToken ct)\n\
                 \x20       {{\n\
                 \x20           await Task.Delay({m}, ct);\n\
                 \x20           var value = pending.Result;\n\
                 \x20           Thread.Sleep(100);\n\
                 \x20           _count{class} += value * {m};\n\
                 \x20           return _count{class};\n\
                 \x20       }}\n\n"
            )
            .unwrap();
            methods += 1;
        }
        s.push_str("    }\n\n");
        class += 1;
    }
    s.push_str("}\n");
    (s, methods)
}

/// The slowest test of the suite (about 25 s in a debug build, most of it tree-sitter): run
/// without the cache, whose 75 MB write would add a third (the cache has its own tests).
#[test]
fn a_20_mb_file() {
    let (source, methods) = generated_source(20 * 1024 * 1024, 100);
    assert!(source.len() >= 20 * 1024 * 1024);
    let last_sleep_line = source[..source.rfind("Thread.Sleep(100)").unwrap()]
        .lines()
        .count() as u64;
    let p = Project::with(&[GOOD]);
    p.write("big/Generated.cs", &source);
    drop(source);
    let started = Instant::now();
    let (run, json) = p.check_json(&["--no-cache"]);
    let took = started.elapsed();
    run.expect_completed();
    eprintln!("a_20_mb_file: {methods} methods, checked in {took:.1?}");
    assert_good_file_reported(&json);
    let generated = |rule: &str| {
        diagnostics_of(&json, "big/Generated.cs")
            .iter()
            .filter(|d| d["rule"] == rule)
            .count()
    };
    assert_eq!(generated("ASYNC101"), methods, "one ASYNC101 per method");
    assert_eq!(generated("ASYNC102"), methods, "one ASYNC102 per method");
    let last = diagnostics_of(&json, "big/Generated.cs")
        .last()
        .copied()
        .cloned()
        .unwrap();
    assert_eq!(last["rule"], "ASYNC102", "{last}");
    assert_eq!(
        last["line"].as_u64(),
        Some(last_sleep_line),
        "findings reach the end of the file"
    );
    assert_eq!(json["files_checked"], 2);
    assert_eq!(json["files_with_syntax_errors"], 0);
}

/// One expression of 100 000 `+` operands, and one of 5 000 nested parentheses, each around
/// a `.Result` that must still be found; plus `--fix`, which re-parses the file.
#[test]
fn deep_and_long_expressions() {
    let operands = 100_000;
    let header = |class: &str, method: &str| {
        format!(
            "using System.Threading.Tasks;\nclass {class}\n{{\n    \
             public async Task<int> {method}(Task<int> t)\n    {{\n        var x = "
        )
    };
    let mut long = header("Long", "SumAsync");
    for i in 0..operands {
        write!(long, "{} + ", i % 10).unwrap();
    }
    long.push_str("t.Result;\n        await Task.Yield();\n        return x;\n    }\n}\n");

    let depth = 5_000;
    let mut nested = header("Nested", "DeepAsync");
    nested.push_str(&"(".repeat(depth));
    nested.push_str("t.Result + 1");
    nested.push_str(&")".repeat(depth));
    nested.push_str(";\n        await Task.Yield();\n        return x;\n    }\n}\n");

    let p = Project::with(&[GOOD, ("deep/Long.cs", &long), ("deep/Nested.cs", &nested)]);
    let started = Instant::now();
    let json = check_all_formats(&p, &[]);
    eprintln!(
        "deep_and_long_expressions: four formats in {:.1?}",
        started.elapsed()
    );
    assert_good_file_reported(&json);
    for path in ["deep/Long.cs", "deep/Nested.cs"] {
        let d = diagnostics_of(&json, path);
        assert!(d.iter().any(|d| d["rule"] == "ASYNC101"), "{path}: {d:?}");
    }
    let long_col = long.lines().nth(5).unwrap().find("t.Result").unwrap() + 1;
    let found = diagnostics_of(&json, "deep/Long.cs")
        .into_iter()
        .find(|d| d["rule"] == "ASYNC101")
        .unwrap();
    assert_eq!(found["line"], 6);
    assert_eq!(found["column"].as_u64(), Some(long_col as u64));

    // --fix on both: `.Result` becomes `await t`, the run ends normally.
    let run = p.run(&[
        "check", "deep", "--fix", "--select", "ASYNC101", "--color", "never",
    ]);
    run.expect_completed();
    let long_after = String::from_utf8(p.read("deep/Long.cs")).unwrap();
    let nested_after = String::from_utf8(p.read("deep/Nested.cs")).unwrap();
    assert!(
        long_after.contains("+ await t;"),
        "{}",
        &long_after[long_after.len() - 200..]
    );
    assert!(
        nested_after.contains("(await t + 1)"),
        "the fix was not applied"
    );
    assert_eq!(
        nested_after.matches('(').count(),
        nested.matches('(').count()
    );
}

/// Far deeper nesting than any real file: it may be reported as unparsable, but must not
/// crash or overflow the stack.
#[test]
fn absurd_nesting_does_not_overflow_the_stack() {
    let depth = 100_000;
    let mut nested = String::from(
        "class Nested\n{\n    int M(System.Threading.Tasks.Task<int> t)\n    {\n        return ",
    );
    nested.push_str(&"(".repeat(depth));
    nested.push_str("t.Result");
    nested.push_str(&")".repeat(depth));
    nested.push_str(";\n    }\n}\n");
    let mut blocks = String::from("class Blocks\n{\n    void M()\n    {\n");
    blocks.push_str(&"{".repeat(depth));
    blocks.push_str(&"}".repeat(depth));
    blocks.push_str("\n    }\n}\n");
    let p = Project::with(&[
        GOOD,
        ("deep/Nested.cs", &nested),
        ("deep/Blocks.cs", &blocks),
    ]);
    let json = check_all_formats(&p, &[]);
    assert_good_file_reported(&json);
    p.run(&["check", "--fix"]).expect_completed();
}
