//! The directory's settings (pause, thresholds), starting at login, and the demo's state.

use chrono::Utc;
use roster_engine::store::settings::Settings;
use tauri::{AppHandle, State};
use tauri_plugin_autostart::ManagerExt;

use crate::demo::DemoState;
use crate::error::{CommandError, CommandResult};
use crate::state::Directory;
use crate::{scheduler, tray};

#[tauri::command]
pub async fn settings(directory: State<'_, Directory>) -> CommandResult<Settings> {
    Ok(directory.engine.lock()?.settings()?)
}

#[tauri::command]
pub async fn save_settings(app: AppHandle, directory: State<'_, Directory>, settings: Settings) -> CommandResult<()> {
    directory.engine.lock()?.save_settings(&settings, Utc::now())?;
    tray::refresh(&app);
    // Paused or resumed: the scheduler reads its schedule again.
    scheduler::wake(&app);
    Ok(())
}

#[tauri::command]
pub async fn autostart(app: AppHandle) -> CommandResult<bool> {
    app.autolaunch().is_enabled().map_err(login_item)
}

#[tauri::command]
pub async fn set_autostart(app: AppHandle, enabled: bool) -> CommandResult<()> {
    let launcher = app.autolaunch();
    if enabled { launcher.enable() } else { launcher.disable() }.map_err(login_item)
}

fn login_item(error: tauri_plugin_autostart::Error) -> CommandError {
    CommandError::internal(format!("Roster could not change its start at login: {error}"))
}

#[tauri::command]
pub async fn demo_state(directory: State<'_, Directory>) -> CommandResult<DemoState> {
    Ok(directory.demo.lock()?.clone())
}
