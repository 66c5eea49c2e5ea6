//! 6xx: framework resources and concurrency.

pub mod background_service_blocks_start;
pub mod dbcontext_concurrent_use;
pub mod httpclient_per_call;
pub mod loop_variable_captured_by_async_lambda;
pub mod sequential_independent_awaits;
pub mod sync_dispose_of_async_disposable;
pub mod threadlocal_across_await;
