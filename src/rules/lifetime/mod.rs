//! 2xx: task lifetime, exceptions, async void.

pub mod async_void;
pub mod async_void_lambda;
pub mod async_without_await;
pub mod fire_and_forget_discard;
pub mod return_null_task;
pub mod startnew_async_delegate;
pub mod task_returned_from_using;
pub mod task_scheduler_implicit;
pub mod unobserved_task;
