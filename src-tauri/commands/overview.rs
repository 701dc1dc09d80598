//! The Overview screen: what needs the IT team this week; it is the first screen, answered at
//! start with everything else the window shows first.

use std::time::Instant;

use chrono::{Local, NaiveDate, Utc};
use roster_engine::store::team::Role;
use roster_engine::{Engine, Overview, SourceStatus};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use super::blocking;
use crate::demo::DemoState;
use crate::error::CommandResult;
use crate::events::Revision;
use crate::startup::{EarlyRead, FirstScreenGate};
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
        let answer = answer(&app, &app.state::<Directory>());
        // Part of the start-up trace: how long the window waited for the directory.
        tracing::info!(target: "roster_app::startup", "first screen answered in {} ms", asked.elapsed().as_millis());
        // Answered, even with an error the window shows: the scheduler goes on either way.
        app.state::<FirstScreenGate>().open();
        answer
    })
    .await
}

fn answer(app: &AppHandle, directory: &Directory) -> CommandResult<FirstScreen> {
    let engine = directory.engine.lock()?;
    let read = match app.state::<EarlyRead>().take(app.state::<Revision>().current()) {
        Some(read) => read,
        None => DirectoryPart::read(&engine)?,
    };
    let demo = directory.demo.lock()?.clone();
    Ok(FirstScreen { sources: read.sources, demo, role: engine.role(), overview: read.overview })
}

/// The directory's part of the first screen, the slow part at 100,000 people.
pub struct DirectoryPart {
    sources: Vec<SourceStatus>,
    overview: Overview,
    /// The admin's date it was read for.
    today: NaiveDate,
}

impl DirectoryPart {
    pub fn read(engine: &Engine) -> roster_engine::Result<Self> {
        let today = Local::now().date_naive();
        let sources = engine.source_statuses()?;
        let overview = engine.overview_of(today, Utc::now(), &sources)?;
        Ok(DirectoryPart { sources, overview, today })
    }

    /// Whether it still holds for a question asked now.
    pub fn is_current(&self) -> bool {
        self.today == Local::now().date_naive()
    }
}
