//! The cache: a warm run reports what a cold run reports, an edited file is re-linted, a
//! declaration change elsewhere invalidates dependants, a corrupt cache is ignored.

use assert_cmd::Command;
use std::path::Path;

fn run(dir: &Path, cache: &Path, extra: &[&str]) -> String {
    let out = Command::cargo_bin("asynclint")
        .unwrap()
        .current_dir(dir)
        .env("ASYNCLINT_CACHE_DIR", cache)
        .args(["check", ".", "--format", "msbuild"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "{out:?}"
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn warm_runs_match_cold_runs_and_follow_edits() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Api.cs"),
        "using System.Threading.Tasks;\npublic class Api { public Task Refresh() => Task.CompletedTask; }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("Use.cs"),
        "public class Use { Api _api; public void M() { _api.Refresh(); } }\n",
    )
    .unwrap();
    let cold = run(dir.path(), cache.path(), &[]);
    assert!(cold.contains("Use.cs(1,48"), "{cold}");
    assert!(
        cache.path().read_dir().unwrap().count() > 0,
        "the cache was written"
    );
    let warm = run(dir.path(), cache.path(), &[]);
    assert_eq!(cold, warm);

    // A body edit in Use.cs: re-linted, the finding moves.
    std::fs::write(
        dir.path().join("Use.cs"),
        "public class Use { Api _api; public void M() { var x = 1; _api.Refresh(); } }\n",
    )
    .unwrap();
    let edited = run(dir.path(), cache.path(), &[]);
    assert!(edited.contains("Use.cs(1,59"), "{edited}");

    // A declaration change in Api.cs: Use.cs's cached result is stale and recomputed.
    std::fs::write(
        dir.path().join("Api.cs"),
        "public class Api { public void Refresh() { } }\n",
    )
    .unwrap();
    let changed = run(dir.path(), cache.path(), &[]);
    assert!(!changed.contains("ASYNC203"), "{changed}");

    // A corrupt cache is ignored and rewritten.
    for e in cache.path().read_dir().unwrap().flatten() {
        std::fs::write(e.path(), b"\x00garbage").unwrap();
    }
    assert_eq!(run(dir.path(), cache.path(), &[]), changed);
    assert_eq!(run(dir.path(), cache.path(), &["--no-cache"]), changed);
}

#[test]
fn clean_removes_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("A.cs"), "class A { async void M() { } }\n").unwrap();
    run(dir.path(), cache.path(), &[]);
    assert!(cache.path().read_dir().unwrap().count() > 0);
    let out = Command::cargo_bin("asynclint")
        .unwrap()
        .env("ASYNCLINT_CACHE_DIR", cache.path())
        .arg("clean")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Removed 1 cache file"));
    assert_eq!(cache.path().read_dir().unwrap().count(), 0);
}
