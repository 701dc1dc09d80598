//! The commands the UI invokes: adapters that take the state, call the engine and map its error.

use chrono::Utc;
use roster_engine::model::EmployeeRow;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::store::runs::SyncRun;
use roster_engine::Status;
use tauri::{AppHandle, Manager, State};

use crate::demo::DemoState;
use crate::error::CommandResult;
use crate::events;
use crate::state::Directory;
use crate::sync::{sync_all, SyncOutcome};

/// How many runs the history shows.
const RUN_HISTORY: u32 = 50;

#[tauri::command]
pub async fn list_employees(
    directory: State<'_, Directory>,
    query: EmployeeQuery,
) -> CommandResult<Vec<EmployeeRow>> {
    Ok(directory.engine.lock()?.employees(&query, Utc::now())?)
}

#[tauri::command]
pub async fn status(directory: State<'_, Directory>) -> CommandResult<Status> {
    Ok(directory.engine.lock()?.status(Utc::now())?)
}

#[tauri::command]
pub async fn list_runs(directory: State<'_, Directory>) -> CommandResult<Vec<SyncRun>> {
    Ok(directory.engine.lock()?.runs(None, RUN_HISTORY)?)
}

#[tauri::command]
pub async fn demo_state(directory: State<'_, Directory>) -> CommandResult<DemoState> {
    Ok(directory.demo.lock()?.clone())
}

/// Syncs every source now, on a blocking thread: the engine's HTTP client must not run on the async runtime.
#[tauri::command]
pub async fn sync_now(app: AppHandle) -> CommandResult<Vec<SyncOutcome>> {
    let outcomes = tauri::async_runtime::spawn_blocking(move || {
        let directory = app.state::<Directory>();
        let _sync = directory.sync_lock.lock()?;
        let outcomes = sync_all(&directory.data_dir, Utc::now());
        events::directory_changed(&app);
        outcomes
    })
    .await??;
    Ok(outcomes)
}
