//! asynclint: a fast, build-free static analyzer for C# async/await code.
//!
//! The one engine entry is [`lint_source`] (one decoded file) and [`lint_paths`] (files and
//! folders, in parallel). The CLI, the tests and future editor integrations all go through
//! them. See ARCHITECTURE.md for the layers.

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod fix;
pub mod output;
pub mod project;
pub mod rules;
pub mod semantic;
pub mod syntax;
pub mod workspace;

pub use engine::{lint_source, FileReport, Settings};

use config::{ConfigMode, ConfigResolver, FileSettings};
use diagnostic::{Diagnostic, Severity, Suppressed};
use project::{ProjectInfo, ProjectResolver};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use workspace::Encoding;

/// Files larger than this are reported and skipped.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// What to do with fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    None,
    /// Apply safe fixes in place.
    Apply,
    /// Compute the fixed text, change nothing.
    Diff,
}

/// One file's outcome.
pub struct FileOutcome {
    pub path: PathBuf,
    /// The decoded text (empty when the file could not be read).
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Findings a suppression hid.
    pub suppressed: Vec<Suppressed>,
    pub has_syntax_errors: bool,
    /// With fixes on: the fixed text when it differs.
    pub fixed: Option<String>,
    pub fixes_applied: usize,
    /// A write of the fixed file failed.
    pub write_error: Option<String>,
}

pub struct PathsOutcome {
    pub files: Vec<FileOutcome>,
    /// Problems that are not about one file: walk errors, project files that did not read,
    /// `.editorconfig` lines that were skipped.
    pub warnings: Vec<String>,
    /// Problems that stop the run before any file is linted (exit 2): an unreadable or
    /// invalid configuration file. `files` is empty when there are any.
    pub errors: Vec<String>,
}

/// How a run over paths behaves besides the rules.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub fix: FixMode,
    /// Where to keep the cache; `None` runs without one.
    pub cache_dir: Option<PathBuf>,
    /// Which configuration files to read.
    pub config: ConfigMode,
}

/// Lints files and folders without a cache and without configuration files: discovery,
/// the project model, then every file in parallel.
pub fn lint_paths(paths: &[PathBuf], settings: &Settings, fix: FixMode) -> PathsOutcome {
    lint_paths_with(
        paths,
        settings,
        &RunOptions {
            fix,
            cache_dir: None,
            config: ConfigMode::Off,
        },
    )
}

/// Lints files and folders: discovery, the project model, pass 1 (declaration summaries
/// into the project index), pass 2 (the rules), each in parallel, reusing what the cache
/// holds for files whose content, project and index fingerprint did not change.
pub fn lint_paths_with(paths: &[PathBuf], settings: &Settings, opts: &RunOptions) -> PathsOutcome {
    use workspace::cache::{hash_of, Cache, CachedDiagnostic, CachedSuppressed, Entry};
    let fix = opts.fix;
    let discovered = workspace::discover(paths);
    let mut resolver = ProjectResolver::new();
    let jobs: Vec<(PathBuf, Arc<ProjectInfo>)> = discovered
        .files
        .into_iter()
        .map(|f| {
            let p = resolver.project_of(&f);
            (f, p)
        })
        .collect();
    // Configuration, per file; a bad asynclint.toml stops the run here.
    let mut config_resolver = ConfigResolver::new(opts.config.clone());
    let configs: Vec<FileSettings> = jobs
        .iter()
        .map(|(f, _)| config_resolver.settings_for(f))
        .collect();
    if !config_resolver.errors.is_empty() {
        let mut warnings = std::mem::take(&mut resolver.warnings);
        warnings.extend(config_resolver.warnings);
        let mut errors = config_resolver.errors;
        errors.dedup();
        return PathsOutcome {
            files: Vec::new(),
            warnings,
            errors,
        };
    }
    let cache = opts
        .cache_dir
        .as_deref()
        .map(|d| Cache::open(d, paths, hash_of(settings)));
    // Files named one by one are linted with the declarations of their whole project (the
    // folder of their .csproj), as an editor or a pre-commit hook on changed files would need.
    let extra: Vec<PathBuf> = {
        let mut roots: Vec<PathBuf> = paths
            .iter()
            .filter(|p| p.is_file())
            .filter_map(|f| {
                let project = resolver.project_of(f);
                match &project.path {
                    Some(csproj) => csproj.parent().map(Path::to_path_buf),
                    None => f.parent().map(Path::to_path_buf),
                }
            })
            .map(|r| {
                if r.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    r
                }
            })
            .collect();
        roots.sort();
        roots.dedup();
        if roots.is_empty() {
            Vec::new()
        } else {
            let linted: std::collections::HashSet<PathBuf> = jobs
                .iter()
                .map(|(p, _)| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
                .collect();
            workspace::discover(&roots)
                .files
                .into_iter()
                .filter(|f| {
                    !linted.contains(&std::fs::canonicalize(f).unwrap_or_else(|_| f.clone()))
                })
                .collect()
        }
    };
    let n_jobs = jobs.len();
    let index_files: Vec<&Path> = jobs
        .iter()
        .map(|(p, _)| p.as_path())
        .chain(extra.iter().map(PathBuf::as_path))
        .collect();
    // Pass 1: every file's declaration summary (from the cache or the skim). The files to
    // lint come first, so that a file's id is its position in `jobs`. Cached summaries are
    // borrowed: a run where every file is a hit never builds the index.
    let pass1: Vec<Pass1<'_>> = index_files
        .par_iter()
        .map(|path| {
            // Size and modification time unchanged: trust the cached content hash without
            // reading the file (as ruff does).
            let stamp = workspace::cache::stamp_of(path);
            if let Some(entry) =
                stamp.and_then(|st| cache.as_ref().and_then(|c| c.get_by_stamp(path, st)))
            {
                return Pass1::cached(entry, stamp);
            }
            let Ok(bytes) = std::fs::read(path) else {
                return Pass1 {
                    content: 0,
                    summary: Summary::None,
                    summary_hash: 0,
                    stamp: None,
                };
            };
            let content = hash_of(&bytes[..]);
            if let Some(entry) = cache.as_ref().and_then(|c| c.get(path, content)) {
                return Pass1::cached(entry, stamp);
            }
            let summary = workspace::decode(&bytes)
                .ok()
                .and_then(|d| engine::summarize_source(&d.text, 0));
            Pass1 {
                content,
                summary_hash: summary.as_ref().map_or(0, workspace::cache::summary_hash),
                summary: summary.map_or(Summary::None, Summary::Fresh),
                stamp,
            }
        })
        .collect();
    // The fingerprint of every declaration: a body edit leaves it unchanged.
    let fingerprint = hash_of(
        &index_files
            .iter()
            .zip(&pass1)
            .map(|(path, p)| (path, p.summary_hash))
            .collect::<Vec<_>>(),
    );
    // Built before pass 2, on every thread, when some file will miss the cache; otherwise
    // when a hit cannot be restored after all (on that thread alone: no pool work may run
    // inside the lock).
    let index = std::sync::OnceLock::new();
    // Each file's findings key: its project, settings and the index fingerprint.
    let keys: Vec<u64> = jobs
        .par_iter()
        .zip(&configs)
        .map(|((_, project), config)| hash_of(&(fingerprint, &**project, config)))
        .collect();
    let will_miss = fix != FixMode::None
        || cache.as_ref().is_none_or(|c| {
            jobs.par_iter()
                .zip(&pass1[..n_jobs])
                .zip(&keys)
                .any(|(((path, _), first), &key)| {
                    c.get(path, first.content)
                        .is_none_or(|e| e.diagnostics_key != Some(key))
                })
        });
    if will_miss {
        let _ = index.set(project_index(&pass1, true));
    }
    let index_of = || index.get_or_init(|| project_index(&pass1, false));
    let hits = std::sync::atomic::AtomicUsize::new(0);
    // Pass 2: the rules, with the index.
    let mut files: Vec<(FileOutcome, Option<Entry>)> = jobs
        .into_par_iter()
        .zip(pass1[..n_jobs].par_iter())
        .zip(configs.into_par_iter())
        .zip(keys.par_iter())
        .enumerate()
        .map(
            |(i, ((((path, project), first), config), &diagnostics_key))| {
                let (content, stamp) = (first.content, first.stamp);
                if fix == FixMode::None {
                    let hit = cache
                        .as_ref()
                        .and_then(|c| c.get(&path, content))
                        .filter(|e| e.diagnostics_key == Some(diagnostics_key));
                    if let Some(entry) = hit {
                        let restored: Option<Vec<Diagnostic>> = entry
                            .diagnostics
                            .iter()
                            .map(|d| d.to_diagnostic())
                            .collect();
                        let suppressed: Option<Vec<Suppressed>> =
                            entry.suppressed.iter().map(|s| s.to_suppressed()).collect();
                        let source = if entry.diagnostics.is_empty() && entry.suppressed.is_empty()
                        {
                            Some(String::new())
                        } else {
                            read_source(&path).ok()
                        };
                        if let (Some(diagnostics), Some(suppressed), Some(source)) =
                            (restored, suppressed, source)
                        {
                            let outcome = FileOutcome {
                                path,
                                source,
                                diagnostics,
                                suppressed,
                                has_syntax_errors: entry.has_syntax_errors,
                                fixed: None,
                                fixes_applied: 0,
                                write_error: None,
                            };
                            hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            return (outcome, Some(entry.clone()));
                        }
                    }
                }
                let ctx = LintContext {
                    project: &project,
                    settings,
                    config: &config,
                    index: index_of(),
                    file: i as semantic::FileId,
                };
                let outcome = lint_file_in(path, &ctx, fix);
                let cacheable = outcome.fixes_applied == 0
                    && outcome.write_error.is_none()
                    && !outcome
                        .diagnostics
                        .iter()
                        .any(|d| d.rule == rules::FILE_ERROR_ID);
                let entry = cacheable.then(|| Entry {
                    content,
                    stamp,
                    summary: None, // moved in from pass 1 below
                    summary_hash: first.summary_hash,
                    diagnostics_key: (fix == FixMode::None).then_some(diagnostics_key),
                    diagnostics: outcome
                        .diagnostics
                        .iter()
                        .map(CachedDiagnostic::from_diagnostic)
                        .collect(),
                    suppressed: outcome
                        .suppressed
                        .iter()
                        .map(CachedSuppressed::from_suppressed)
                        .collect(),
                    has_syntax_errors: outcome.has_syntax_errors,
                });
                (outcome, entry)
            },
        )
        .collect();
    drop(index);
    // The summaries go into the cache entries without a copy.
    for ((_, entry), first) in files.iter_mut().zip(pass1) {
        if let Some(e) = entry {
            e.summary = match first.summary {
                Summary::None => None,
                Summary::Cached(s) => Some(s.clone()),
                Summary::Fresh(s) => Some(s),
            };
        }
    }
    if let Some(cache) = &cache {
        // Nothing changed: every file was a hit and no file came or went. Keep the file.
        let unchanged = hits.load(std::sync::atomic::Ordering::Relaxed) == files.len()
            && cache.entry_count() == files.len();
        if !unchanged {
            let entries = files
                .iter_mut()
                .filter_map(|(o, e)| e.take().map(|e| (o.path.clone(), e)))
                .collect();
            let _ = cache.save(entries);
        }
    }
    let mut files: Vec<FileOutcome> = files.into_iter().map(|(o, _)| o).collect();
    for (path, err) in &discovered.errors {
        files.push(file_error(path.clone(), format!("cannot read: {err}")));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut warnings = resolver.warnings;
    warnings.extend(config_resolver.warnings);
    PathsOutcome {
        files,
        warnings,
        errors: Vec::new(),
    }
}

/// The project index from pass 1's summaries (copied: the cache entries take the originals),
/// each given its file's id. The copies are made on the pool when `parallel`.
fn project_index(pass1: &[Pass1<'_>], parallel: bool) -> semantic::ProjectIndex {
    let copy = |(i, p): (usize, &Pass1<'_>)| {
        let mut s = p.summary.get()?.clone();
        s.file = i as semantic::FileId;
        for t in &mut s.types {
            t.file = i as semantic::FileId;
        }
        Some(s)
    };
    if parallel {
        // The awaitable names read the same types: built while the copies are made.
        let (copies, names) = rayon::join(
            || {
                pass1
                    .par_iter()
                    .enumerate()
                    .filter_map(copy)
                    .collect::<Vec<semantic::FileSummary>>()
            },
            || {
                semantic::AwaitableNames::build(
                    pass1
                        .iter()
                        .filter_map(|p| p.summary.get())
                        .flat_map(|s| s.types.iter()),
                )
            },
        );
        semantic::ProjectIndex::from_summaries_and_names(copies, names)
    } else {
        semantic::ProjectIndex::from_summaries(pass1.iter().enumerate().filter_map(copy))
    }
}

fn file_error(path: PathBuf, message: String) -> FileOutcome {
    FileOutcome {
        path,
        source: String::new(),
        diagnostics: vec![Diagnostic {
            rule: rules::FILE_ERROR_ID,
            name: rules::FILE_ERROR_NAME,
            severity: Severity::Error,
            range: 0..0,
            message,
            help: None,
            fix: None,
        }],
        suppressed: Vec::new(),
        has_syntax_errors: false,
        fixed: None,
        fixes_applied: 0,
        write_error: None,
    }
}

/// Reads and decodes a source file; the error is the message of its ASYNC000 finding.
fn read_source_decoded(path: &Path) -> Result<workspace::Decoded, String> {
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return Err(format!(
                "file too large ({} MiB, the limit is {} MiB); skipped",
                m.len() >> 20,
                MAX_FILE_BYTES >> 20
            ))
        }
        _ => {}
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    workspace::decode(&bytes)
}

fn read_source(path: &Path) -> Result<String, String> {
    read_source_decoded(path).map(|d| d.text)
}

/// What linting one file of a run needs besides the file.
struct LintContext<'a> {
    project: &'a ProjectInfo,
    settings: &'a Settings,
    config: &'a FileSettings,
    index: &'a semantic::ProjectIndex,
    file: semantic::FileId,
}

impl LintContext<'_> {
    fn lint(&self, text: &str) -> FileReport {
        engine::lint_source_with(
            text,
            self.project,
            self.settings,
            self.config,
            self.index,
            self.file,
        )
    }
}

/// Reads, decodes and lints one file on its own; applies fixes when asked.
pub fn lint_file(
    path: PathBuf,
    project: &ProjectInfo,
    settings: &Settings,
    fix: FixMode,
) -> FileOutcome {
    let index = semantic::ProjectIndex::new();
    let config = FileSettings::default();
    let ctx = LintContext {
        project,
        settings,
        config: &config,
        index: &index,
        file: semantic::FileId::MAX,
    };
    lint_file_in(path, &ctx, fix)
}

fn lint_file_in(path: PathBuf, ctx: &LintContext<'_>, fix: FixMode) -> FileOutcome {
    let decoded = match read_source_decoded(&path) {
        Ok(d) => d,
        Err(e) => return file_error(path, e),
    };
    let report = ctx.lint(&decoded.text);
    let mut outcome = FileOutcome {
        path,
        source: decoded.text,
        diagnostics: report.diagnostics,
        suppressed: report.suppressed,
        has_syntax_errors: report.has_syntax_errors,
        fixed: None,
        fixes_applied: 0,
        write_error: None,
    };
    if fix != FixMode::None {
        fix_outcome(&mut outcome, decoded.encoding, ctx, fix);
    }
    outcome
}

/// Applies safe fixes until none is left (at most a few rounds: a fix can uncover another),
/// then writes the file atomically in its own encoding, or keeps the text for a diff.
fn fix_outcome(
    outcome: &mut FileOutcome,
    encoding: Encoding,
    ctx: &LintContext<'_>,
    mode: FixMode,
) {
    let mut text = outcome.source.clone();
    let mut report = FileReport {
        diagnostics: std::mem::take(&mut outcome.diagnostics),
        suppressed: std::mem::take(&mut outcome.suppressed),
        ..FileReport::default()
    };
    let mut applied = 0;
    for _ in 0..8 {
        let fixed = fix::apply_safe_fixes(&text, &report.diagnostics);
        if fixed.applied == 0 {
            break;
        }
        applied += fixed.applied;
        text = fixed.text;
        report = ctx.lint(&text);
    }
    let keep = |outcome: &mut FileOutcome, report: FileReport| {
        outcome.diagnostics = report.diagnostics;
        outcome.suppressed = report.suppressed;
    };
    if applied == 0 {
        keep(outcome, report);
        return;
    }
    outcome.fixes_applied = applied;
    if mode == FixMode::Apply {
        if let Err(e) = workspace::write_atomic(&outcome.path, &workspace::encode(&text, encoding))
        {
            outcome.write_error = Some(format!("could not write the fixed file: {e}"));
            outcome.fixes_applied = 0;
            keep(outcome, ctx.lint(&outcome.source));
            return;
        }
        // What remains is reported against the new text.
        outcome.source = text.clone();
        keep(outcome, report);
    } else {
        // `--diff` changes nothing: report the findings of the original text.
        let original = ctx.lint(&outcome.source);
        keep(outcome, original);
    }
    outcome.fixed = Some(text);
}

/// The path as shown to users: relative to the current folder when under it, `/`-separated.
pub fn display_path(path: &Path) -> String {
    let cwd = current_dir();
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.as_ref()
            .map(|c| c.join(path))
            .unwrap_or_else(|| path.to_path_buf())
    };
    let shown = cwd
        .as_ref()
        .and_then(|c| abs.strip_prefix(c).ok())
        .map(Path::to_path_buf)
        .unwrap_or(abs);
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// The current folder, read once per process.
pub fn current_dir() -> Option<PathBuf> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).clone()
}

/// What pass 1 knows about a file.
struct Pass1<'c> {
    content: u64,
    summary: Summary<'c>,
    /// [`workspace::cache::summary_hash`] of the summary; 0 without one.
    summary_hash: u64,
    stamp: Option<(u64, u64)>,
}

enum Summary<'c> {
    None,
    Cached(&'c semantic::FileSummary),
    Fresh(semantic::FileSummary),
}

impl Summary<'_> {
    fn get(&self) -> Option<&semantic::FileSummary> {
        match self {
            Summary::None => None,
            Summary::Cached(s) => Some(s),
            Summary::Fresh(s) => Some(s),
        }
    }
}

impl<'c> Pass1<'c> {
    fn cached(entry: &'c workspace::cache::Entry, stamp: Option<(u64, u64)>) -> Self {
        Pass1 {
            content: entry.content,
            summary: entry
                .summary
                .as_ref()
                .map_or(Summary::None, Summary::Cached),
            summary_hash: entry.summary_hash,
            stamp,
        }
    }
}
