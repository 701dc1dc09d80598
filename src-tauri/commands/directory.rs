//! Where the directory is kept: this computer's SQLite file, or a team's PostgreSQL database.

use roster_engine::store::directory::{self, DirectoryStatus};
use roster_engine::store::postgres::{self, Target};
use roster_engine::Engine;
use tauri::{AppHandle, State};

use crate::error::CommandResult;
use crate::events;
use crate::state::Directory;
use crate::tray;

#[tauri::command]
pub async fn directory_status(directory: State<'_, Directory>) -> CommandResult<DirectoryStatus> {
    Ok(directory::status(directory.engine.lock()?.store())?)
}

/// Points the data directory at a PostgreSQL database (the password goes to the OS keyring) and
/// reopens the directory there. A wrong address or password changes nothing.
#[tauri::command]
pub async fn connect_directory(
    app: AppHandle,
    directory: State<'_, Directory>,
    url: String,
    password: String,
) -> CommandResult<DirectoryStatus> {
    let target: Target = url.trim().parse()?;
    reopen(&app, &directory, || postgres::connect(&directory.data_dir, &target, &password))
}

/// Points the data directory back at its own SQLite file; the PostgreSQL database stays as it is.
#[tauri::command]
pub async fn disconnect_directory(app: AppHandle, directory: State<'_, Directory>) -> CommandResult<DirectoryStatus> {
    reopen(&app, &directory, || Target::forget(&directory.data_dir).map(drop))
}

/// Moves the directory between stores while no sync runs, then serves the window from the new one.
fn reopen(
    app: &AppHandle,
    directory: &Directory,
    r#move: impl FnOnce() -> roster_engine::Result<()>,
) -> CommandResult<DirectoryStatus> {
    let _turn = directory.sync_turn();
    r#move()?;
    let engine = Engine::open(&directory.data_dir)?;
    let status = directory::status(engine.store())?;
    *directory.engine.lock()? = engine;
    events::directory_changed(app);
    tray::refresh(app);
    Ok(status)
}
