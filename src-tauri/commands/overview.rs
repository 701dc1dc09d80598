//! The Overview screen: what needs the IT team this week.

use chrono::{Local, Utc};
use roster_engine::Overview;
use tauri::State;

use crate::error::CommandResult;
use crate::state::Directory;

/// The Overview from this machine's today (its week runs Monday to Sunday).
#[tauri::command]
pub async fn overview(directory: State<'_, Directory>) -> CommandResult<Overview> {
    Ok(directory.engine.lock()?.overview(Local::now().date_naive(), Utc::now())?)
}
