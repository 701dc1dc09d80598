//! The background scheduler: every minute, sync the sources that are due. The engine keeps each
//! source's next time and backs off failures, so a missed minute (sleep, a closed lid) costs nothing.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{Local, Utc};
use tauri::{AppHandle, Manager};

use crate::error::CommandResult;
use crate::state::Directory;
use crate::sync::{self, Which};
use crate::{demo, notify};

const TICK: Duration = Duration::from_secs(60);

/// Starts the demo (if this is a first launch), then syncs what is due every minute, forever.
pub fn spawn(app: AppHandle) {
    std::thread::spawn(move || {
        // The demo first: its source must point at its new simulator before anything syncs it.
        demo::launch(&app);
        // Each newcomer is announced once per run of Roster, not every minute.
        let mut announced = HashSet::new();
        loop {
            if let Err(error) = sync::run(&app, Which::Due, Utc::now()) {
                tracing::warn!(%error, "the scheduled sync could not run");
            }
            if let Err(error) = announce_starters_without_device(&app, &mut announced) {
                tracing::warn!(%error, "could not check the onboardings for devices");
            }
            if let Err(error) = remind_checklists(&app) {
                tracing::warn!(%error, "could not check the checklists for a reminder");
            }
            std::thread::sleep(TICK);
        }
    });
}

/// The engine decides whether this minute brings the morning's reminder (once a day, if on).
fn remind_checklists(app: &AppHandle) -> CommandResult<()> {
    let directory = app.state::<Directory>();
    let reminder = directory.engine.lock()?.checklist_reminder(Local::now().naive_local(), Utc::now())?;
    if let Some(reminder) = reminder {
        notify::notice(app, &reminder);
    }
    Ok(())
}

fn announce_starters_without_device(app: &AppHandle, announced: &mut HashSet<i64>) -> CommandResult<()> {
    let directory = app.state::<Directory>();
    let notice = directory.engine.lock()?.starters_without_device(Local::now().date_naive(), Utc::now(), announced)?;
    if let Some(notice) = notice {
        notify::notice(app, &notice);
    }
    Ok(())
}
