//! The background scheduler: syncs the sources that are due, gives the morning's checklist
//! reminder and announces starters without a device. It reads the directory only when something
//! falls due (a source's stored next time, the reminder's hour, midnight) or when it is woken
//! because the schedule may have changed, so an idle instance asks a shared directory nothing.
//! The wall clock is looked at every minute: a machine that slept catches up when it wakes.

use std::collections::HashSet;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use chrono::{DateTime, Local, TimeZone, Utc};
use tauri::{AppHandle, Manager};

use crate::error::CommandResult;
use crate::startup::FirstScreenGate;
use crate::state::Directory;
use crate::sync::{self, Which};
use crate::{demo, notify};

const TICK: Duration = Duration::from_secs(60);

/// Rings the scheduler when the schedule may have changed: a source added, an interval or the
/// pause changed, here or by another instance sharing the directory.
#[derive(Default)]
pub struct Wake {
    rung: Mutex<bool>,
    bell: Condvar,
}

impl Wake {
    /// Waits up to `timeout` for a ring; says whether one came (since the last wait, too).
    fn wait(&self, timeout: Duration) -> bool {
        let Ok(mut rung) = self.rung.lock() else {
            return false;
        };
        if !*rung {
            rung = match self.bell.wait_timeout(rung, timeout) {
                Ok((rung, _)) => rung,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        std::mem::take(&mut *rung)
    }
}

/// Tells the scheduler to read the schedule again.
pub fn wake(app: &AppHandle) {
    // Before the scheduler starts there is nothing to wake: its first round reads the schedule.
    let Some(wake) = app.try_state::<Wake>() else {
        return;
    };
    if let Ok(mut rung) = wake.rung.lock() {
        *rung = true;
    }
    wake.bell.notify_one();
}

/// Starts the demo (if this is a first launch), then runs each round when it falls due, forever.
pub fn spawn(app: AppHandle) {
    app.manage(Wake::default());
    std::thread::spawn(move || {
        // The demo first: its source must point at its new simulator before anything syncs it.
        demo::launch(&app);
        // The first round reads the directory (what is due, the notices): after the window's
        // first screen, which would otherwise wait for the engine behind it.
        app.state::<FirstScreenGate>().wait();
        // Each newcomer is announced once per run of Roster, not at every round.
        let mut announced = HashSet::new();
        let mut next_round = Utc::now();
        loop {
            let now = Utc::now();
            if now >= next_round {
                round(&app, &mut announced);
                // Never sooner than a minute: a source due but not ours to run now (another
                // instance is syncing it) must not make this loop spin.
                next_round = next_round_at(&app).max(Utc::now() + TICK);
            }
            if app.state::<Wake>().wait(TICK) {
                next_round = next_round_at(&app);
            }
        }
    });
}

fn round(app: &AppHandle, announced: &mut HashSet<i64>) {
    if let Err(error) = sync::run(app, Which::Due, Utc::now()) {
        tracing::warn!(%error, "the scheduled sync could not run");
    }
    if let Err(error) = announce_starters_without_device(app, announced) {
        tracing::warn!(%error, "could not check the onboardings for devices");
    }
    if let Err(error) = remind_checklists(app) {
        tracing::warn!(%error, "could not check the checklists for a reminder");
    }
}

/// The next round: this machine's next due sync, or the next time a notice may fall due. If the
/// directory cannot be read, a minute from now.
fn next_round_at(app: &AppHandle) -> DateTime<Utc> {
    let notices = roster_engine::next_notice_check(Local::now().naive_local());
    let notices = Local.from_local_datetime(&notices).earliest().map_or_else(Utc::now, |at| at.with_timezone(&Utc));
    match next_sync_at(app) {
        Ok(Some(sync)) => sync.min(notices),
        Ok(None) => notices,
        Err(error) => {
            tracing::warn!(%error, "could not read when the next sync is due");
            Utc::now() + TICK
        }
    }
}

fn next_sync_at(app: &AppHandle) -> CommandResult<Option<DateTime<Utc>>> {
    Ok(app.state::<Directory>().engine.lock()?.next_sync_at()?)
}

/// The engine decides whether this round brings the morning's reminder (once a day, if on).
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
