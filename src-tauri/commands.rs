//! The commands the UI invokes: adapters that take the state, call the engine and map its error.
//! Work that reaches an HR system runs on a blocking thread with its own engine, never on the
//! async runtime (the engine's HTTP client is blocking).

pub mod audit;
pub mod checklists;
pub mod devices;
pub mod directory;
pub mod employees;
pub mod exports;
pub mod overview;
pub mod settings;
pub mod sources;
pub mod syncing;
pub mod updates;

use crate::error::CommandResult;

/// Runs `work` on a blocking thread and waits for it without holding an async worker.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> CommandResult<T> + Send + 'static) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(work).await?
}
