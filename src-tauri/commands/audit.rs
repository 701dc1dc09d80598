//! Who did what: this instance's database role and display name, and the audit trail of changes.

use chrono::Utc;
use roster_engine::store::change_log::AuditEntry;
use roster_engine::store::team_members::TeamMember;
use tauri::State;

use crate::error::CommandResult;
use crate::state::Directory;

/// The role this window works as and its display name; `None` in a local directory.
#[tauri::command]
pub async fn whoami(directory: State<'_, Directory>) -> CommandResult<Option<TeamMember>> {
    Ok(directory.engine.lock()?.whoami()?)
}

/// Settings › General: the name the history shows for this role's changes.
#[tauri::command]
pub async fn set_display_name(directory: State<'_, Directory>, name: String) -> CommandResult<TeamMember> {
    Ok(directory.engine.lock()?.set_display_name(&name, Utc::now())?)
}

/// Sync history's changes, newest first, of one admin (`by`: role or display name) or everyone.
#[tauri::command]
pub async fn audit_log(directory: State<'_, Directory>, by: Option<String>, limit: u32) -> CommandResult<Vec<AuditEntry>> {
    Ok(directory.engine.lock()?.audit(by.as_deref(), limit)?)
}

/// Everyone who changed something, for the filter of Sync history's changes.
#[tauri::command]
pub async fn change_authors(directory: State<'_, Directory>) -> CommandResult<Vec<TeamMember>> {
    Ok(directory.engine.lock()?.authors()?)
}
