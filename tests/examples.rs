//! The example tree shows what asynclint finds: its findings are exactly
//! `examples/expected.txt` (regenerate it with the command in `examples/README.md` when a
//! rule changes on purpose, and read the diff).

use assert_cmd::Command;

#[test]
fn examples_report_exactly_the_expected_findings() {
    let root = env!("CARGO_MANIFEST_DIR");
    let cache = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("asynclint")
        .unwrap()
        .current_dir(root)
        .env("ASYNCLINT_CACHE_DIR", cache.path())
        .args(["check", "examples", "--format", "msbuild"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the examples have findings");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut got: Vec<(String, u32, String)> = stdout
        .lines()
        .map(|l| {
            // path(line,col): severity RULE: message
            let (path, rest) = l.split_once('(').expect("msbuild line");
            let line: u32 = rest.split(',').next().unwrap().parse().unwrap();
            let rule = rest
                .split_once("): ")
                .unwrap()
                .1
                .split_whitespace()
                .nth(1)
                .unwrap();
            (path.to_owned(), line, rule.trim_end_matches(':').to_owned())
        })
        .collect();
    got.sort();
    let expected_text = std::fs::read_to_string(format!("{root}/examples/expected.txt")).unwrap();
    let mut expected: Vec<(String, u32, String)> = expected_text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (loc, rule) = l.rsplit_once(' ').unwrap();
            let (path, line) = loc.rsplit_once(':').unwrap();
            (path.to_owned(), line.parse().unwrap(), rule.to_owned())
        })
        .collect();
    expected.sort();
    let missing: Vec<_> = expected.iter().filter(|e| !got.contains(e)).collect();
    let extra: Vec<_> = got.iter().filter(|g| !expected.contains(g)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "expected but not reported: {missing:#?}\nreported but not expected: {extra:#?}"
    );
}

/// Parsing quiet member bodies as blank (the default) must not change a single finding,
/// message or fix: the same run with every body parsed (`ASYNCLINT_FULL_PARSE=1`) gives the
/// same JSON.
#[test]
fn eliding_quiet_bodies_changes_nothing() {
    let root = env!("CARGO_MANIFEST_DIR");
    let run = |full: bool| {
        let mut cmd = Command::cargo_bin("asynclint").unwrap();
        cmd.current_dir(root)
            .args(["check", "examples", "--format", "json", "--no-cache"]);
        if full {
            cmd.env("ASYNCLINT_FULL_PARSE", "1");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let elided = run(false);
    assert!(elided.contains("ASYNC101"), "{elided}");
    assert_eq!(elided, run(true));
}
