//! Where the directory is kept: this computer's SQLite file, or a team's PostgreSQL database.

use roster_engine::store::directory::{self, DirectoryStatus};
use roster_engine::store::postgres::{self, Target};
use roster_engine::store::team::Role;
use roster_engine::Engine;
use tauri::{AppHandle, Manager, State};

use super::blocking;
use crate::error::CommandResult;
use crate::state::Directory;
use crate::tray;
use crate::{events, live, scheduler};

/// On a blocking thread: the PostgreSQL client blocks on a runtime of its own, which cannot
/// start on one of the async runtime's workers.
#[tauri::command]
pub async fn directory_status(app: AppHandle) -> CommandResult<DirectoryStatus> {
    blocking(move || Ok(directory::status(app.state::<Directory>().engine.lock()?.store())?)).await
}

/// The connected login's role in the directory's team, as found when the directory opened: what
/// the window may offer (the database decides what it accepts). No query: asked at every refresh.
#[tauri::command]
pub async fn directory_role(directory: State<'_, Directory>) -> CommandResult<Option<Role>> {
    Ok(directory.engine.lock()?.role())
}

/// Points the data directory at a PostgreSQL database (the password goes to the OS keyring) and
/// reopens the directory there. A wrong address or password changes nothing.
#[tauri::command]
pub async fn connect_directory(app: AppHandle, url: String, password: String) -> CommandResult<DirectoryStatus> {
    let target: Target = url.trim().parse()?;
    reopen(app, move |data_dir| postgres::connect(data_dir, &target, &password)).await
}

/// Points the data directory back at its own SQLite file; the PostgreSQL database stays as it is.
#[tauri::command]
pub async fn disconnect_directory(app: AppHandle) -> CommandResult<DirectoryStatus> {
    reopen(app, |data_dir| Target::forget(data_dir).map(drop)).await
}

/// Moves the directory between stores while no sync runs, then serves the window from the new one.
/// On a blocking thread: it waits for a running sync, and for a server that may not answer at once.
async fn reopen(
    app: AppHandle,
    r#move: impl FnOnce(&std::path::Path) -> roster_engine::Result<()> + Send + 'static,
) -> CommandResult<DirectoryStatus> {
    blocking(move || {
        let directory = app.state::<Directory>();
        let _turn = directory.sync_turn();
        r#move(&directory.data_dir)?;
        let engine = Engine::open(&directory.data_dir)?;
        let status = directory::status(engine.store())?;
        *directory.engine.lock()? = engine;
        live::follow(&app, &directory.data_dir);
        events::directory_changed(&app);
        tray::refresh(&app);
        scheduler::wake(&app);
        Ok(status)
    })
    .await
}
