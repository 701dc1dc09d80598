//! The update banner: whether a newer signed release waits, and installing it.

use tauri::{AppHandle, State};

use crate::error::CommandResult;
use crate::updates::{self, AvailableUpdate, PendingUpdate};

#[tauri::command]
pub async fn available_update(pending: State<'_, PendingUpdate>) -> CommandResult<Option<AvailableUpdate>> {
    pending.available()
}

/// Installs the update and restarts Roster; returns only if it was refused.
#[tauri::command]
pub async fn install_update(app: AppHandle) -> CommandResult<()> {
    updates::install(&app).await
}
