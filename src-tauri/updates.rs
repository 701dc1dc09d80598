//! Signed updates. Release builds ask the update manifest (`plugins.updater.endpoints` in
//! `tauri.conf.json`) at start and then daily; when a newer release is signed with Roster's key,
//! the window shows a banner and the person chooses when to install and restart. The plugin checks
//! the minisign signature of the downloaded package against the public key compiled into the app
//! and refuses anything else. The data directory and the keyring are not touched by an update.

use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tauri::{AppHandle, Manager};
use tauri_plugin_updater::{Update, UpdaterExt};
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorCode};
use crate::events;

/// Replaces the configured manifest URL (a staging server, the package tests' local server); the
/// signature is checked against the same compiled-in key whatever the URL.
const ENDPOINT_ENV: &str = "ROSTER_UPDATE_ENDPOINT";
const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// A newer release the person has not installed yet.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AvailableUpdate {
    pub version: String,
    pub current_version: String,
    /// The release notes of the manifest, if any.
    pub notes: Option<String>,
}

/// The update found by the last check, kept until it is installed.
#[derive(Default)]
pub struct PendingUpdate(Mutex<Option<Update>>);

impl PendingUpdate {
    pub fn available(&self) -> CommandResult<Option<AvailableUpdate>> {
        Ok(self.0.lock()?.as_ref().map(|update| AvailableUpdate {
            version: update.version.clone(),
            current_version: update.current_version.clone(),
            notes: update.body.clone(),
        }))
    }
}

/// Checks now and then daily, on a thread of its own. Debug builds (development, the tests) do
/// not update themselves unless `ROSTER_UPDATE_ENDPOINT` names a manifest.
pub fn spawn(app: AppHandle) {
    if cfg!(debug_assertions) && std::env::var_os(ENDPOINT_ENV).is_none() {
        return;
    }
    std::thread::spawn(move || loop {
        match tauri::async_runtime::block_on(check(&app)) {
            Ok(Some(update)) => {
                tracing::info!(version = %update.version, "an update is available");
                if let Ok(mut pending) = app.state::<PendingUpdate>().0.lock() {
                    *pending = Some(update);
                }
                events::update_available(&app);
            }
            Ok(None) => tracing::info!("Roster is up to date"),
            // Offline, or the server is down: the next check will tell.
            Err(error) => tracing::warn!(%error, "could not check for updates"),
        }
        std::thread::sleep(CHECK_EVERY);
    });
}

async fn check(app: &AppHandle) -> Result<Option<Update>, tauri_plugin_updater::Error> {
    let mut builder = app.updater_builder();
    if let Ok(endpoint) = std::env::var(ENDPOINT_ENV) {
        let url: tauri::Url = endpoint.parse()?;
        builder = builder.endpoints(vec![url])?;
    }
    builder.build()?.check().await
}

/// Downloads the pending update, checks its signature, installs it and restarts Roster. A
/// package whose signature does not match is refused and the running version goes on.
pub async fn install(app: &AppHandle) -> CommandResult<()> {
    let Some(update) = app.state::<PendingUpdate>().0.lock()?.clone() else {
        return Err(CommandError { code: ErrorCode::NotFound, message: "No update is waiting to be installed.".into() });
    };
    update.download_and_install(|_, _| {}, || {}).await.map_err(|error| refused(&update.version, error))?;
    tracing::info!(version = %update.version, "update installed; restarting");
    app.restart()
}

fn refused(version: &str, error: tauri_plugin_updater::Error) -> CommandError {
    use tauri_plugin_updater::Error as E;
    let message = match error {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => format!(
            "The download of Roster {version} does not carry a valid signature from Roster's publisher: it was not \
             installed, and this version keeps running."
        ),
        other => format!("Roster {version} could not be installed ({other}); this version keeps running."),
    };
    CommandError { code: ErrorCode::Update, message }
}
