//! File discovery with the `ignore` crate: `.gitignore`/`.ignore` aware, hidden files and
//! `bin/`/`obj/` skipped, in parallel.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct Discovered {
    /// `.cs` files, sorted.
    pub files: Vec<PathBuf>,
    /// Paths that could not be read while walking, with the reason.
    pub errors: Vec<(PathBuf, String)>,
}

/// Walks the given paths. A path that names a file is taken as it is (whatever its
/// extension); folders are walked for `*.cs`.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let out = Mutex::new(Discovered::default());
    for root in paths {
        if root.is_file() {
            out.lock().unwrap().files.push(root.clone());
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .ignore(true)
            .parents(true)
            .require_git(false)
            .filter_entry(|e| !is_build_output(e.path(), e.file_type().is_some_and(|t| t.is_dir())))
            .build_parallel();
        walker.run(|| {
            let out = &out;
            Box::new(move |entry| {
                match entry {
                    Ok(e) => {
                        let is_file = e.file_type().is_some_and(|t| t.is_file());
                        if is_file && e.path().extension().is_some_and(|x| x == "cs") {
                            out.lock().unwrap().files.push(e.into_path());
                        }
                    }
                    Err(err) => {
                        let path = error_path(&err).unwrap_or_else(|| root.clone());
                        out.lock().unwrap().errors.push((path, err.to_string()));
                    }
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut d = out.into_inner().unwrap();
    d.files.sort();
    d.files.dedup();
    // The same file reached through two roots (`check . src`, `check a.cs ./a.cs`) is
    // linted and reported once.
    if paths.len() > 1 {
        let mut seen = std::collections::HashSet::new();
        d.files
            .retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    }
    d.errors.sort();
    d
}

fn is_build_output(path: &Path, is_dir: bool) -> bool {
    is_dir
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.eq_ignore_ascii_case("bin") || n.eq_ignore_ascii_case("obj"))
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}
