//! The main window: closing it keeps Roster running in the tray; the tray and a second launch
//! bring it back.

use tauri::{AppHandle, Manager, Window, WindowEvent};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

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

/// The directory cannot be opened (a damaged database, a locked keyring): a dialog says why and
/// what to do instead of the window, and closing it quits. The log says it too.
pub fn refuse_to_start(app: &AppHandle, message: String) {
    tracing::error!("Roster cannot open its directory: {message}");
    if let Some(window) = app.get_webview_window(MAIN) {
        if let Err(error) = window.hide() {
            tracing::warn!(%error, "could not hide the window");
        }
    }
    let quit = app.clone();
    app.dialog()
        .message(message)
        .title("Roster cannot open its directory")
        .kind(MessageDialogKind::Error)
        .show(move |_| quit.exit(1));
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

#[cfg(test)]
mod tests {
    /// The window's Content Security Policy, as configured in `tauri.conf.json`.
    fn configured_csp() -> String {
        let conf: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        conf["app"]["security"]["csp"].as_str().expect("the window has a CSP").to_owned()
    }

    #[test]
    fn the_csp_allows_no_eval_and_no_remote_origin() {
        let csp = configured_csp();
        assert!(!csp.contains("unsafe-eval"), "the window never evaluates strings as code: {csp}");
        for directive in csp.split(';').map(str::trim).filter(|d| !d.is_empty()) {
            let mut words = directive.split_whitespace();
            let name = words.next().unwrap();
            for source in words {
                // 'self', 'none', data:, ipc: and Tauri's in-process IPC origin are local; a scheme
                // or host alone (https:, *, example.com) would let the page reach the network.
                let local = source.starts_with('\'') || matches!(source, "data:" | "ipc:" | "http://ipc.localhost");
                assert!(local, "{name} allows only local sources, not the remote origin {source}");
            }
        }
        assert!(csp.contains("default-src 'self'"), "anything not listed falls back to the app's own files: {csp}");
    }
}
