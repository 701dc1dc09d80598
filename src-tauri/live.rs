//! Live updates of a shared directory: while the data directory points at PostgreSQL, a thread
//! listens for the changes every instance commits and tells the window (which refreshes what it
//! shows) and the tray. This instance's own changes are heard too: the refresh they cause is one
//! page read, cheaper than telling them apart.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use roster_engine::store::notifications::{ChangeKind, Listener};
use roster_engine::store::postgres::Target;
use tauri::{AppHandle, Manager};

use crate::{events, scheduler, tray};

/// How often the listening thread looks up from its socket to see whether it should stop.
const LOOK_UP: Duration = Duration::from_secs(1);

/// The listening thread's stop flag, if a thread listens.
#[derive(Default)]
pub struct Live(Mutex<Option<Arc<AtomicBool>>>);

/// Listens to the directory `data_dir` points at now, instead of the one before: none for a
/// directory in a SQLite file, which no other instance writes.
pub fn follow(app: &AppHandle, data_dir: &Path) {
    let live = app.state::<Live>();
    let mut running = live.0.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(stop) = running.take() {
        stop.store(true, Ordering::SeqCst);
    }
    let target = match Target::of(data_dir) {
        Ok(Some(target)) => target,
        Ok(None) => return,
        Err(error) => return tracing::warn!(%error, "cannot tell where the directory is: no live updates"),
    };
    let stop = Arc::new(AtomicBool::new(false));
    *running = Some(stop.clone());
    let app = app.clone();
    if let Err(error) = std::thread::Builder::new().name("live".into()).spawn(move || listen(&app, target, &stop)) {
        tracing::warn!(%error, "could not start listening for other instances' changes");
    }
}

fn listen(app: &AppHandle, target: Target, stop: &AtomicBool) {
    let mut listener = Listener::new(target);
    let mut failing = false;
    while !stop.load(Ordering::SeqCst) {
        match listener.wait(LOOK_UP) {
            Ok(changes) => {
                if failing && listener.is_listening() {
                    tracing::info!("listening for other instances' changes again");
                    failing = false;
                }
                if !changes.is_empty() && !stop.load(Ordering::SeqCst) {
                    tell(app, &changes);
                }
            }
            // Said once per outage; the listener keeps trying, less and less often.
            Err(error) if !failing => {
                tracing::warn!(%error, "cannot listen for other instances' changes; trying again");
                failing = true;
            }
            Err(_) => {}
        }
    }
}

fn tell(app: &AppHandle, changes: &BTreeSet<ChangeKind>) {
    events::directory_changed_elsewhere(app, changes);
    // The tray shows the last sync, a held plan waiting and the pause.
    if changes.iter().any(|kind| matches!(kind, ChangeKind::Runs | ChangeKind::Settings | ChangeKind::Sources)) {
        tray::refresh(app);
    }
    // A source added or synced elsewhere, an interval or the pause changed: the schedule moved.
    if changes.iter().any(|kind| matches!(kind, ChangeKind::Settings | ChangeKind::Sources)) {
        scheduler::wake(app);
    }
}
