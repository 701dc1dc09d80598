//! Events the shell sends the UI. The UI reloads what it shows when the directory changes (here,
//! or in another instance sharing it), and shows progress while a sync runs, whoever started it
//! (the tray, the scheduler, a button).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use roster_engine::store::notifications::ChangeKind;

use crate::demo::DemoState;

use tauri::{AppHandle, Emitter, Manager};

pub const DIRECTORY_CHANGED: &str = "directory-changed";
pub const SYNC_ACTIVITY: &str = "sync-activity";
pub const SYNC_PROGRESS: &str = "sync-progress";
pub const UPDATE_AVAILABLE: &str = "update-available";
pub const DEMO_CHANGED: &str = "demo-changed";

/// How many times the directory was told changed since the start: what was read before a change
/// is stale after it (`startup::EarlyRead`).
#[derive(Default)]
pub struct Revision(AtomicU64);

impl Revision {
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// This instance changed the directory; the payload is `null`: anything may have changed.
pub fn directory_changed(app: &AppHandle) {
    changed(app);
    emit(app, DIRECTORY_CHANGED, ());
}

/// Changes were committed to the shared directory (by any instance); the payload names their kinds.
pub fn directory_changed_elsewhere(app: &AppHandle, changes: &BTreeSet<ChangeKind>) {
    changed(app);
    emit(app, DIRECTORY_CHANGED, changes);
}

fn changed(app: &AppHandle) {
    if let Some(revision) = app.try_state::<Revision>() {
        revision.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// `true` when a sync starts, `false` when it ends.
pub fn sync_activity(app: &AppHandle, syncing: bool) {
    emit(app, SYNC_ACTIVITY, syncing);
}

/// How far the running sync got (records read, then people written).
pub fn sync_progress(app: &AppHandle, progress: roster_engine::sync::Progress) {
    emit(app, SYNC_PROGRESS, progress);
}

/// A newer signed release was found; the window asks for it with `available_update`.
pub fn update_available(app: &AppHandle) {
    emit(app, UPDATE_AVAILABLE, ());
}

/// The demo company started, failed, or is off; the payload is its [`DemoState`].
pub fn demo_changed(app: &AppHandle, state: DemoState) {
    emit(app, DEMO_CHANGED, state);
}

fn emit<T: serde::Serialize + Clone>(app: &AppHandle, event: &str, payload: T) {
    if let Err(error) = app.emit(event, payload) {
        tracing::warn!(%error, event, "could not send an event to the window");
    }
}
