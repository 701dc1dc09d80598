//! Syncing off the UI: the engine's HTTP client is blocking, so every sync runs on a blocking
//! thread with its own database connection. One place runs them all, so the tray, the window and
//! the notifications hear of every sync, whoever started it.

use std::panic::{self, AssertUnwindSafe};

use chrono::{DateTime, Utc};
use roster_engine::model::PlanCounts;
use roster_engine::sync::{Cancel, Outcome, SyncReport, SyncRequest};
use roster_engine::Engine;
use serde::Serialize;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

use crate::error::{CommandError, CommandResult};
use crate::state::Directory;
use crate::{events, notify, tray};

/// How the sync of one source ended. One source failing does not stop the others.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncOutcome {
    pub source: String,
    pub outcome: Option<Outcome>,
    pub run_id: Option<i64>,
    pub counts: Option<PlanCounts>,
    pub error: Option<CommandError>,
    /// What the person should act on though the sync succeeded, such as a missing permission.
    pub warnings: Vec<String>,
}

/// Which sources a sync covers.
pub enum Which {
    All,
    One(String),
    /// Those whose scheduled time has come (none while syncing is paused).
    Due,
}

/// Runs a sync on the calling thread, which must not be an async worker. A round with nothing
/// to sync (the scheduler's, most of the time) tells no one: the window and the tray would read
/// the directory again for nothing.
pub fn run(app: &AppHandle, which: Which, now: DateTime<Utc>) -> CommandResult<Vec<SyncOutcome>> {
    let directory = app.state::<Directory>();
    let _sync = directory.sync_turn();
    let mut engine = Engine::open(&directory.data_dir)?;
    let scheduled = matches!(which, Which::Due);
    let names = chosen(&directory, &engine, which, now)?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    directory.set_syncing(true);
    events::sync_activity(app, true);
    tray::refresh(app);
    let result = sync_sources(app, &directory, &mut engine, names, scheduled, now);
    directory.set_syncing(false);
    if let Ok(outcomes) = &result {
        notify::sync_outcomes(app, outcomes);
    }
    events::sync_activity(app, false);
    events::directory_changed(app);
    tray::refresh(app);
    // A first sync leaves folding its write-ahead log into the database file for later: now,
    // with the directory shown and this thread still off the UI's path.
    if let Err(error) = roster_engine::store::Store::open(&directory.data_dir).and_then(|store| store.checkpoint()) {
        tracing::warn!(%error, "could not fold the write-ahead log into the database");
    }
    result
}

/// The names of the sources `which` covers now.
fn chosen(directory: &Directory, engine: &Engine, which: Which, now: DateTime<Utc>) -> CommandResult<Vec<String>> {
    Ok(match which {
        Which::All => engine.sources()?.into_iter().map(|s| s.name).collect(),
        Which::One(name) => {
            // The person launched this source's first sync: from now on the scheduler keeps it.
            directory.setting_up.lock()?.remove(&name);
            vec![name]
        }
        Which::Due => {
            let setting_up = directory.setting_up.lock()?.clone();
            engine.due_sources(now)?.into_iter().map(|s| s.name).filter(|name| !setting_up.contains(name)).collect()
        }
    })
}

fn sync_sources(
    app: &AppHandle,
    directory: &Directory,
    engine: &mut Engine,
    names: Vec<String>,
    scheduled: bool,
    now: DateTime<Utc>,
) -> CommandResult<Vec<SyncOutcome>> {
    let mut outcomes = Vec::new();
    for name in names {
        let cancel = Cancel::default();
        directory.running.lock()?.insert(name.clone(), cancel.clone());
        let request = SyncRequest { cancel, ..SyncRequest::default() };
        // A panic is this source's failure, not the thread's: the other sources still sync,
        // and the scheduler lives on. Its transaction rolled back as it unwound.
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            let progress = &mut |p| events::sync_progress(app, p);
            if scheduled {
                // None: another instance sharing the directory runs it, or this machine lacks its secret.
                engine.sync_if_due(&name, now, request, progress)
            } else {
                engine.sync_with_progress(&name, now, request, progress).map(Some)
            }
        }));
        directory.running.lock()?.remove(&name);
        match result.map_err(|panic| crashed(panic.as_ref())).and_then(|r| r.map_err(CommandError::from)) {
            Ok(None) => {}
            Ok(Some(report)) => outcomes.push(outcome(name, Ok(report))),
            Err(error) => outcomes.push(outcome(name, Err(error))),
        }
    }
    Ok(outcomes)
}

/// A sync that panicked, as a failure the person is told of.
fn crashed(panic: &(dyn std::any::Any + Send)) -> CommandError {
    let why = panic.downcast_ref::<&str>().copied().or_else(|| panic.downcast_ref::<String>().map(String::as_str));
    CommandError::internal(format!(
        "the sync stopped on an internal error ({}); nothing was changed. Please report it",
        why.unwrap_or("no details")
    ))
}

fn outcome(source: String, result: CommandResult<SyncReport>) -> SyncOutcome {
    match result {
        Ok(report) => SyncOutcome {
            source,
            outcome: Some(report.outcome),
            run_id: report.run_id,
            counts: Some(report.counts),
            error: None,
            warnings: report.warnings,
        },
        Err(error) => {
            tracing::warn!(%source, %error, "sync failed");
            SyncOutcome { source, outcome: None, run_id: None, counts: None, error: Some(error), warnings: Vec::new() }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_is_told_as_a_failure_that_changed_nothing() {
        let panic = std::panic::catch_unwind(|| panic!("index out of bounds")).unwrap_err();
        let error = super::crashed(panic.as_ref()).to_string();
        assert!(error.contains("index out of bounds") && error.contains("nothing was changed"), "{error}");
    }
}
