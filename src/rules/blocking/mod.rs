//! 1xx: blocking and deadlocks (sync over async).

pub mod blocking_call_in_async;
pub mod blocking_wait;
