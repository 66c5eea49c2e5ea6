//! Counters of what the rules pass parsed, for the benchmark (relaxed atomics: a few
//! additions per file).

use std::sync::atomic::{AtomicU64, Ordering};

static FILES: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static ELIDED: AtomicU64 = AtomicU64::new(0);

/// What the rules pass parsed since the last [`take`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseStats {
    /// Files parsed (they passed the prefilter).
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Bytes of the bodies the parser did not read.
    pub elided: u64,
    /// Files parsed twice: the parse without their quiet bodies had errors (a syntax error
    /// of the file, or a body the skim misread), so they were parsed whole.
    pub reparsed: u64,
}

pub(super) fn count(bytes: usize, elided: &[(u32, u32)]) {
    FILES.fetch_add(1, Ordering::Relaxed);
    BYTES.fetch_add(bytes as u64, Ordering::Relaxed);
    let e: u64 = elided.iter().map(|(s, e)| u64::from(e - s)).sum();
    ELIDED.fetch_add(e, Ordering::Relaxed);
}

/// Reads and resets the counters.
pub fn take() -> ParseStats {
    ParseStats {
        files: FILES.swap(0, Ordering::Relaxed),
        bytes: BYTES.swap(0, Ordering::Relaxed),
        elided: ELIDED.swap(0, Ordering::Relaxed),
        reparsed: crate::syntax::parse_fallbacks().swap(0, Ordering::Relaxed),
    }
}
