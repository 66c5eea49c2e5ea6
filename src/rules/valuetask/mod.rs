//! 5xx: ValueTask and TaskCompletionSource.

pub mod tcs_set_may_throw;
pub mod tcs_sync_continuations;
pub mod valuetask_misuse;
pub mod valuetask_wraps_task;
