//! 1xx: blocking and deadlocks (sync over async).

pub mod blocking_call_in_async;
pub mod blocking_wait;
pub mod lock_held_across_await;
pub mod semaphore_release_not_in_finally;
pub mod task_run_wraps_async;
