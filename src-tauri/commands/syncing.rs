//! Syncing now, the run history, and approving or discarding a plan the mass-change guard held.

use chrono::Utc;
use roster_engine::model::PlanCounts;
use roster_engine::store::runs::SyncRun;
use tauri::{AppHandle, State};

use super::blocking;
use crate::error::CommandResult;
use crate::held::HeldChange;
use crate::state::Directory;
use crate::sync::{self, SyncOutcome, Which};
use crate::{events, tray};

/// How many runs the history shows.
pub(crate) const RUN_HISTORY: u32 = 100;

/// Syncs one source, or every source when `source` is `None`.
#[tauri::command]
pub async fn sync_now(app: AppHandle, source: Option<String>) -> CommandResult<Vec<SyncOutcome>> {
    let which = source.map_or(Which::All, Which::One);
    blocking(move || sync::run(&app, which, Utc::now())).await
}

#[tauri::command]
pub async fn list_runs(directory: State<'_, Directory>) -> CommandResult<Vec<SyncRun>> {
    Ok(directory.engine.lock()?.runs(None, RUN_HISTORY)?)
}

/// The plan a held run waits with, person by person, for review before approving it.
#[tauri::command]
pub async fn held_plan(directory: State<'_, Directory>, run_id: i64) -> CommandResult<Vec<HeldChange>> {
    let plan = directory.engine.lock()?.held_plan(run_id)?;
    Ok(plan.employees.into_iter().map(HeldChange::from).collect())
}

/// Applies a held plan exactly as it was shown.
#[tauri::command]
pub async fn approve_run(app: AppHandle, directory: State<'_, Directory>, run_id: i64) -> CommandResult<PlanCounts> {
    let report = directory.engine.lock()?.approve(run_id, Utc::now())?;
    events::directory_changed(&app);
    tray::refresh(&app);
    Ok(report.counts)
}

#[tauri::command]
pub async fn discard_run(app: AppHandle, directory: State<'_, Directory>, run_id: i64) -> CommandResult<()> {
    directory.engine.lock()?.discard(run_id, Utc::now())?;
    events::directory_changed(&app);
    tray::refresh(&app);
    Ok(())
}
