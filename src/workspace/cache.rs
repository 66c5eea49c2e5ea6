//! The cache, like ruff's: per-file declaration summaries and per-file diagnostics, keyed
//! by the file's content hash; diagnostics also by the project-index fingerprint and the
//! file's project. One cache file per (tool version, settings, roots), under the user's
//! cache folder or `ASYNCLINT_CACHE_DIR`.
//!
//! Safe against concurrent runs (written to a temporary file and renamed into place; the
//! last writer wins) and against corruption: a cache file that does not parse, or an entry
//! whose key does not match, is ignored and rewritten, never trusted.

use crate::diagnostic::{
    Applicability, Diagnostic, Edit, Fix, Severity, Suppressed, SuppressionKind,
};
use crate::semantic::FileSummary;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Bumped when the cache format changes.
const FORMAT: u32 = 4;

/// The first bytes of a cache file: the name, the format.
const MAGIC: &[u8; 8] = b"asyncl\x00\x04";

/// The hash of a declaration summary that the index fingerprint is made of (file ids and
/// node ids left out: they do not change what the index says).
pub fn summary_hash(s: &FileSummary) -> u64 {
    hash_of(&(
        &s.types
            .iter()
            .map(|t| (&t.name, &t.namespace, &t.kind, &t.bases, &t.members))
            .collect::<Vec<_>>(),
        &s.subscriptions,
    ))
}

/// A fast checksum of the cache payload (a damaged file is a miss, never trusted).
fn checksum(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(bytes)
}

fn bincode_options() -> impl bincode::Options {
    bincode::DefaultOptions::new()
}

/// A stable 64-bit hash (SipHash with fixed keys, as std's `DefaultHasher::new`).
pub fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct CachedDiagnostic {
    pub rule: String,
    pub severity: Severity,
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub help: Option<String>,
    pub fix: Option<CachedFix>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct CachedFix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<(usize, usize, String)>,
}

impl CachedDiagnostic {
    pub fn from_diagnostic(d: &Diagnostic) -> Self {
        CachedDiagnostic {
            rule: d.rule.to_owned(),
            severity: d.severity,
            start: d.range.start,
            end: d.range.end,
            message: d.message.clone(),
            help: d.help.clone(),
            fix: d.fix.as_ref().map(|f| CachedFix {
                message: f.message.clone(),
                applicability: f.applicability,
                edits: f
                    .edits
                    .iter()
                    .map(|e| (e.range.start, e.range.end, e.replacement.clone()))
                    .collect(),
            }),
        }
    }

    /// Back to a diagnostic; `None` for a rule this build does not know (an entry from
    /// another version is never trusted).
    pub fn to_diagnostic(&self) -> Option<Diagnostic> {
        let rule = crate::rules::Rule::find(&self.rule)?;
        Some(Diagnostic {
            rule: rule.id,
            name: rule.name,
            severity: self.severity,
            range: self.start..self.end,
            message: self.message.clone(),
            help: self.help.clone(),
            fix: self.fix.as_ref().map(|f| Fix {
                message: f.message.clone(),
                applicability: f.applicability,
                edits: f
                    .edits
                    .iter()
                    .map(|(s, e, r)| Edit::replace(*s..*e, r.clone()))
                    .collect(),
            }),
        })
    }
}

/// A finding a suppression hid.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct CachedSuppressed {
    pub diagnostic: CachedDiagnostic,
    pub kind: SuppressionKind,
    pub by: (usize, usize),
}

impl CachedSuppressed {
    pub fn from_suppressed(s: &Suppressed) -> Self {
        CachedSuppressed {
            diagnostic: CachedDiagnostic::from_diagnostic(&s.diagnostic),
            kind: s.kind,
            by: (s.by.start, s.by.end),
        }
    }

    pub fn to_suppressed(&self) -> Option<Suppressed> {
        Some(Suppressed {
            diagnostic: self.diagnostic.to_diagnostic()?,
            kind: self.kind,
            by: self.by.0..self.by.1,
        })
    }
}

/// What is cached about one file.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Entry {
    /// Hash of the file's bytes.
    pub content: u64,
    /// The file's size and modification time (nanoseconds) when `content` was taken.
    #[serde(default)]
    pub stamp: Option<(u64, u64)>,
    /// The declaration summary (`None`: the file declares nothing).
    pub summary: Option<FileSummary>,
    /// [`summary_hash`] of `summary` (0 without one).
    pub summary_hash: u64,
    /// Diagnostics, valid for `diagnostics_key` (index fingerprint and project).
    pub diagnostics_key: Option<u64>,
    pub diagnostics: Vec<CachedDiagnostic>,
    #[serde(default)]
    pub suppressed: Vec<CachedSuppressed>,
    pub has_syntax_errors: bool,
}

#[derive(Serialize, Deserialize, Default)]
struct CacheFile {
    format: u32,
    version: String,
    entries: FxHashMap<PathBuf, Entry>,
}

pub struct Cache {
    path: PathBuf,
    old: FxHashMap<PathBuf, Entry>,
}

/// The folder caches live in: `ASYNCLINT_CACHE_DIR`, else the user's cache folder.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("ASYNCLINT_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("asynclint"));
    }
    if cfg!(windows) {
        if let Some(d) = std::env::var_os("LOCALAPPDATA") {
            return Some(PathBuf::from(d).join("asynclint").join("cache"));
        }
    }
    if cfg!(target_os = "macos") {
        if let Some(h) = std::env::var_os("HOME") {
            return Some(PathBuf::from(h).join("Library/Caches/asynclint"));
        }
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("asynclint"))
}

/// Identifies this build of the program: the executable's size and modification time. The
/// version alone is not enough: every development build is 0.1.0, and a rebuilt rule must not
/// be served the diagnostics of the old one.
fn build_id() -> u64 {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| hash_of(&(m.len(), m.modified().ok())))
        .unwrap_or(0)
}

impl Cache {
    /// Opens the cache for a run over `roots` with settings whose hash is `settings_key`.
    /// A missing or unreadable cache is an empty one.
    pub fn open(dir: &Path, roots: &[PathBuf], settings_key: u64) -> Cache {
        let roots: Vec<PathBuf> = roots
            .iter()
            .map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.clone()))
            .collect();
        let key = hash_of(&(
            env!("CARGO_PKG_VERSION"),
            FORMAT,
            build_id(),
            &roots,
            settings_key,
        ));
        let path = dir.join(format!("run-{key:016x}.bin"));
        let old = std::fs::read(&path)
            .ok()
            .and_then(|bytes| decode_file(&bytes))
            .filter(|c| c.format == FORMAT && c.version == env!("CARGO_PKG_VERSION"))
            .map(|c| c.entries)
            .unwrap_or_default();
        Cache { path, old }
    }

    /// The entry for a file whose size and modification time are `stamp`, if any.
    pub fn get_by_stamp(&self, file: &Path, stamp: (u64, u64)) -> Option<&Entry> {
        self.old.get(file).filter(|e| e.stamp == Some(stamp))
    }

    /// The entry for a file whose bytes hash to `content`, if it is current.
    pub fn get(&self, file: &Path, content: u64) -> Option<&Entry> {
        self.old.get(file).filter(|e| e.content == content)
    }

    /// Writes the new entries (atomically). Errors are not fatal: the next run recomputes.
    /// How many files the cache on disk knows.
    pub fn entry_count(&self) -> usize {
        self.old.len()
    }

    pub fn save(&self, entries: FxHashMap<PathBuf, Entry>) -> std::io::Result<()> {
        write_entries(&self.path, entries)
    }
}

/// A cache file's entries, for inspection (`None` for a damaged or foreign file).
pub fn read_entries(path: &Path) -> Option<FxHashMap<PathBuf, Entry>> {
    let c = decode_file(&std::fs::read(path).ok()?)?;
    (c.format == FORMAT && c.version == env!("CARGO_PKG_VERSION")).then_some(c.entries)
}

/// Writes entries as a cache file of this build's format (atomically).
pub fn write_entries(path: &Path, entries: FxHashMap<PathBuf, Entry>) -> std::io::Result<()> {
    {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = CacheFile {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            entries,
        };
        use bincode::Options;
        let payload = bincode_options()
            .serialize(&file)
            .map_err(std::io::Error::other)?;
        let mut bytes = Vec::with_capacity(payload.len() + 16);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&checksum(&payload).to_le_bytes());
        bytes.extend_from_slice(&payload);
        // Not synced: a cache file that did not reach the disk fails its checksum.
        super::write_atomic_with(path, &bytes, false)
    }
}

/// A cache file's contents: magic, checksum, then the bincode payload. `None` for anything
/// else (another format, a damaged or truncated file).
fn decode_file(bytes: &[u8]) -> Option<CacheFile> {
    use bincode::Options;
    let rest = bytes.strip_prefix(MAGIC)?;
    let (sum, payload) = rest.split_first_chunk::<8>()?;
    if u64::from_le_bytes(*sum) != checksum(payload) {
        return None;
    }
    bincode_options()
        .with_limit(payload.len() as u64)
        .deserialize(payload)
        .ok()
}

/// A file's size and modification time in nanoseconds, when the file system tells.
pub fn stamp_of(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?;
    let nanos = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos() as u64;
    Some((meta.len(), nanos))
}

/// Removes every cache file asynclint wrote in `dir`. Returns how many.
pub fn clean(dir: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("run-") && (name.ends_with(".bin") || name.ends_with(".json")) {
            std::fs::remove_file(e.path())?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let roots = vec![dir.path().to_path_buf()];
        let cache = Cache::open(dir.path(), &roots, 1);
        std::fs::write(&cache.path, b"{ not a cache").unwrap();
        let reopened = Cache::open(dir.path(), &roots, 1);
        assert!(reopened.old.is_empty());
        let mut entries = FxHashMap::default();
        entries.insert(
            PathBuf::from("a.cs"),
            Entry {
                content: 7,
                ..Entry::default()
            },
        );
        reopened.save(entries).unwrap();
        let again = Cache::open(dir.path(), &roots, 1);
        assert!(again.get(Path::new("a.cs"), 7).is_some());
        assert!(
            again.get(Path::new("a.cs"), 8).is_none(),
            "a changed file is a miss"
        );
        assert!(
            Cache::open(dir.path(), &roots, 2).old.is_empty(),
            "other settings, other cache"
        );
        assert_eq!(clean(dir.path()).unwrap(), 1);
    }

    #[test]
    fn a_damaged_byte_makes_the_file_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let roots = vec![dir.path().to_path_buf()];
        let cache = Cache::open(dir.path(), &roots, 1);
        let mut entries = FxHashMap::default();
        let diagnostic = CachedDiagnostic {
            rule: "ASYNC101".into(),
            severity: Severity::Warning,
            start: 1,
            end: 2,
            message: "a message".into(),
            help: None,
            fix: None,
        };
        entries.insert(
            PathBuf::from("a.cs"),
            Entry {
                content: 7,
                diagnostics: vec![diagnostic],
                ..Entry::default()
            },
        );
        cache.save(entries).unwrap();
        assert!(read_entries(&cache.path).is_some());
        let mut bytes = std::fs::read(&cache.path).unwrap();
        let at = bytes.windows(9).position(|w| w == b"a message").unwrap();
        bytes[at] = b'A';
        std::fs::write(&cache.path, &bytes).unwrap();
        assert!(read_entries(&cache.path).is_none());
        assert!(Cache::open(dir.path(), &roots, 1).old.is_empty());
        // Truncated.
        std::fs::write(&cache.path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(Cache::open(dir.path(), &roots, 1).old.is_empty());
    }
}
