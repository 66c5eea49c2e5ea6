//! Everything that touches the file system: discovery, reading and decoding, atomic writes.

pub mod cache;
mod decode;
mod walk;

pub use decode::{decode, encode, Decoded, Encoding};
pub use walk::{discover, Discovered};

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed, then
/// renamed over the original. The original's permissions are kept. A symbolic link is
/// written through: the file it points to is replaced, the link stays a link.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, bytes, true)
}

/// [`write_atomic`], flushed to the disk before the rename only when `durable`: a cache
/// file checks itself when read, so a crash may cost it but never yields a wrong one.
pub fn write_atomic_with(path: &Path, bytes: &[u8], durable: bool) -> std::io::Result<()> {
    let resolved = std::fs::canonicalize(path).ok();
    let path = resolved.as_deref().unwrap_or(path);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".asynclint-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if durable {
        tmp.as_file().sync_all()?;
    }
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
