//! The Overview screen: what needs the IT team this week; it is the first screen, answered at
//! start with everything else the window shows first.

use std::time::Instant;

use chrono::{Local, Utc};
use roster_engine::store::team::Role;
use roster_engine::{Overview, SourceStatus};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use super::blocking;
use crate::demo::DemoState;
use crate::error::CommandResult;
use crate::startup::FirstScreenGate;
use crate::state::Directory;

/// The Overview from this machine's today (its week runs Monday to Sunday).
#[tauri::command]
pub async fn overview(directory: State<'_, Directory>) -> CommandResult<Overview> {
    Ok(directory.engine.lock()?.overview(Local::now().date_naive(), Utc::now())?)
}

/// What the window shows first, in one answer: the header's sources, the demo's state, the
/// login's role and the Overview. The views' counts, which only the Employees screen shows, are
/// left to `status`, asked once this is on screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FirstScreen {
    pub sources: Vec<SourceStatus>,
    pub demo: DemoState,
    pub role: Option<Role>,
    pub overview: Overview,
}

/// On a blocking thread, like every read that may reach PostgreSQL's blocking client. Once
/// answered, the scheduler's first round may run.
#[tauri::command]
pub async fn first_screen(app: AppHandle) -> CommandResult<FirstScreen> {
    blocking(move || {
        let asked = Instant::now();
        let answer = answer(&app.state::<Directory>());
        // Part of the start-up trace: the directory's share of the start.
        tracing::info!(target: "roster_app::startup", "first screen answered in {} ms", asked.elapsed().as_millis());
        // Answered, even with an error the window shows: the scheduler goes on either way.
        app.state::<FirstScreenGate>().open();
        answer
    })
    .await
}

fn answer(directory: &Directory) -> CommandResult<FirstScreen> {
    let engine = directory.engine.lock()?;
    let sources = engine.source_statuses()?;
    let overview = engine.overview_of(Local::now().date_naive(), Utc::now(), &sources)?;
    let demo = directory.demo.lock()?.clone();
    Ok(FirstScreen { sources, demo, role: engine.role(), overview })
}
