//! The background scheduler: every minute, sync the sources that are due. The engine keeps each
//! source's next time and backs off failures, so a missed minute (sleep, a closed lid) costs nothing.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{Local, Utc};
use roster_engine::model::View;
use roster_engine::store::employees::EmployeeQuery;
use tauri::{AppHandle, Manager};

use crate::error::CommandResult;
use crate::state::Directory;
use crate::sync::{self, Which};
use crate::{demo, notify};

const TICK: Duration = Duration::from_secs(60);
/// Onboardings starting within this many days without a device are worth a notification.
const ONBOARDING_NOTICE_DAYS: i64 = 7;

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
            if let Err(error) = announce_onboardings(&app, &mut announced) {
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
        notify::checklist_reminder(app, &reminder);
    }
    Ok(())
}

fn announce_onboardings(app: &AppHandle, announced: &mut HashSet<i64>) -> CommandResult<()> {
    let directory = app.state::<Directory>();
    let query = EmployeeQuery { view: View::Onboardings, limit: u32::MAX, ..EmployeeQuery::default() };
    let rows = directory.engine.lock()?.employees(&query, Utc::now())?;
    let horizon = (Local::now().date_naive() + chrono::Duration::days(ONBOARDING_NOTICE_DAYS)).to_string();
    for row in rows {
        let Some(start) = row.start_date.as_deref() else {
            continue;
        };
        // ISO dates compare as text.
        if row.devices == 0 && start <= horizon.as_str() && announced.insert(row.id) {
            let name = [row.first_name.as_deref(), row.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
            notify::onboarding_without_device(app, &name, start);
        }
    }
    Ok(())
}
