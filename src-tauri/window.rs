//! The main window: closing it keeps Roster running in the tray; the tray and a second launch
//! bring it back.

use tauri::{AppHandle, Manager, Window, WindowEvent};

const MAIN: &str = "main";

pub fn show(app: &AppHandle) {
    let Some(window) = app.get_webview_window(MAIN) else {
        return;
    };
    for result in [window.show(), window.unminimize(), window.set_focus()] {
        if let Err(error) = result {
            tracing::warn!(%error, "could not bring the window forward");
        }
    }
}

/// Closing hides: the scheduler keeps syncing, and the tray's Quit really quits.
pub fn on_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        if window.label() == MAIN {
            api.prevent_close();
            if let Err(error) = window.hide() {
                tracing::warn!(%error, "could not hide the window");
            }
        }
    }
}
