//! Events the shell sends the UI. The UI reloads what it shows when the directory changes.

use tauri::{AppHandle, Emitter};

pub const DIRECTORY_CHANGED: &str = "directory-changed";

pub fn directory_changed(app: &AppHandle) {
    if let Err(error) = app.emit(DIRECTORY_CHANGED, ()) {
        tracing::warn!(%error, "could not tell the window that the directory changed");
    }
}
