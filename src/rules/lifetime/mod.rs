//! 2xx: task lifetime, exceptions, async void.

pub mod async_void;
pub mod async_without_await;
pub mod unobserved_task;
