//! 7xx: naming (off by default).

pub mod async_suffix;
pub mod async_suffix_on_sync;
