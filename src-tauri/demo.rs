//! The built-in demo: on a machine with no source, Roster runs the Kombo simulator in-process and
//! connects it as "Demo company", so a newcomer sees a realistic company at once.

use chrono::{DateTime, Local, Utc};
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::Engine;
use roster_simulator::{Simulator, SimulatorConfig};
use serde::Serialize;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

use crate::error::{CommandError, CommandResult};
use crate::events;
use crate::state::Directory;
use crate::sync::{self, Which};

pub const DEMO_SOURCE: &str = "Demo company";

/// Where the demo stands, for the UI's banner.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "phase", rename_all = "snake_case")]
#[ts(export)]
pub enum DemoState {
    /// Real sources are connected, or the demo source was removed.
    Off,
    Starting,
    Running,
    Failed {
        error: CommandError,
    },
}

/// Set to `1` to start without the demo company (end-to-end tests connect their own simulator).
pub const NO_DEMO_ENV: &str = "ROSTER_NO_DEMO";

/// Starts the demo if this directory has no source, or restarts it if the demo source exists.
/// Blocking (the first sync calls the simulator over HTTP): run it on a blocking thread.
pub fn launch(app: &AppHandle) {
    let state = if std::env::var_os(NO_DEMO_ENV).is_some_and(|v| !v.is_empty() && v != "0") {
        DemoState::Off
    } else {
        let directory = app.state::<Directory>();
        match start(&directory.data_dir, Utc::now()) {
            Ok(Some((simulator, first_launch))) => {
                // The simulator serves until the app exits.
                app.manage(simulator);
                if first_launch {
                    first_sync(app)
                } else {
                    DemoState::Running
                }
            }
            Ok(None) => DemoState::Off,
            Err(error) => {
                tracing::error!(%error, "the demo company could not start");
                DemoState::Failed { error }
            }
        }
    };
    if let Ok(mut demo) = app.state::<Directory>().demo.lock() {
        *demo = state;
    }
    events::directory_changed(app);
}

fn first_sync(app: &AppHandle) -> DemoState {
    let outcomes = sync::run(app, Which::One(DEMO_SOURCE.to_owned()), Utc::now());
    match outcomes.map(|o| o.into_iter().find_map(|outcome| outcome.error)) {
        Ok(None) => DemoState::Running,
        Ok(Some(error)) | Err(error) => DemoState::Failed { error },
    }
}

/// Returns the running simulator, and whether this is the first launch (the demo source is new).
fn start(data_dir: &std::path::Path, now: DateTime<Utc>) -> CommandResult<Option<(Simulator, bool)>> {
    let mut engine = Engine::open(data_dir)?;
    let sources = engine.sources()?;
    // The simulator's company is generated around the user's today, so hires and leavers stay upcoming.
    let config = SimulatorConfig::demo(Local::now().date_naive());
    if sources.is_empty() {
        let simulator = start_simulator(config)?;
        let kombo =
            KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None };
        engine.add_kombo_source(DEMO_SOURCE, kombo, simulator.api_key(), now)?;
        return Ok(Some((simulator, true)));
    }
    let Some(source) = sources.into_iter().find(|s| s.name == DEMO_SOURCE) else {
        return Ok(None);
    };
    // The same key and integration as before, so the stored source keeps working; only the port is new.
    let kombo: KomboConfig =
        serde_json::from_value(source.config.clone()).map_err(|e| CommandError::from(roster_engine::Error::Corrupt(e)))?;
    let api_key = engine.source_secret(&source)?;
    let simulator = start_simulator(SimulatorConfig { api_key, integration_id: kombo.integration_id, ..config })?;
    engine.set_kombo_base_url(DEMO_SOURCE, &simulator.base_url())?;
    Ok(Some((simulator, false)))
}

fn start_simulator(config: SimulatorConfig) -> CommandResult<Simulator> {
    Simulator::start(config).map_err(|e| CommandError::internal(format!("the demo company's server could not start: {e}")))
}
