//! The built-in demo: on a machine with no source, Roster runs the Kombo simulator in-process and
//! connects it as "Demo company", so a newcomer sees a realistic company at once. The demo's source
//! is known by the mark it is stored with, never by its name: a real source may have that name.

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

const DEMO_SOURCE: &str = "Demo company";

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
            Ok(Some(Started { simulator, source, first_launch })) => {
                // The simulator serves until the app exits.
                app.manage(simulator);
                if first_launch {
                    first_sync(app, source)
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
        *demo = state.clone();
    }
    // Its first sync announced its own changes; the rest is the demo's state alone.
    events::demo_changed(app, state);
}

fn first_sync(app: &AppHandle, source: String) -> DemoState {
    let outcomes = sync::run(app, Which::One(source), Utc::now());
    match outcomes.map(|o| o.into_iter().find_map(|outcome| outcome.error)) {
        Ok(None) => DemoState::Running,
        Ok(Some(error)) | Err(error) => DemoState::Failed { error },
    }
}

/// The demo's simulator, running, and the source it serves.
struct Started {
    simulator: Simulator,
    source: String,
    /// The demo source is new: its first sync is still to run.
    first_launch: bool,
}

/// Starts the demo's simulator if the directory has no source (connecting it) or has the demo's.
fn start(data_dir: &std::path::Path, now: DateTime<Utc>) -> CommandResult<Option<Started>> {
    let mut engine = Engine::open(data_dir)?;
    let sources = engine.sources()?;
    // The simulator's company is generated around the user's today, so hires and leavers stay upcoming.
    let config = SimulatorConfig::demo(Local::now().date_naive());
    if sources.is_empty() {
        let simulator = start_simulator(config)?;
        let kombo =
            KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None };
        let source = engine.add_demo_source(DEMO_SOURCE, kombo, simulator.api_key(), now)?;
        return Ok(Some(Started { simulator, source: source.name, first_launch: true }));
    }
    let Some(source) = sources.into_iter().find(|s| s.demo) else {
        return Ok(None);
    };
    // The same key and integration as before, so the stored source keeps working; only the port is new.
    let kombo: KomboConfig =
        serde_json::from_value(source.config.clone()).map_err(|e| CommandError::from(roster_engine::Error::Corrupt(e)))?;
    let api_key = engine.source_secret(&source)?;
    let simulator = start_simulator(SimulatorConfig { api_key, integration_id: kombo.integration_id, ..config })?;
    engine.set_kombo_base_url(&source.name, &simulator.base_url())?;
    Ok(Some(Started { simulator, source: source.name, first_launch: false }))
}

fn start_simulator(config: SimulatorConfig) -> CommandResult<Simulator> {
    Simulator::start(config).map_err(|e| CommandError::internal(format!("the demo company's server could not start: {e}")))
}

#[cfg(test)]
mod tests {
    use roster_simulator::CompanySpec;

    use super::*;

    fn kombo(simulator: &Simulator) -> KomboConfig {
        KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None }
    }

    #[test]
    fn a_real_source_named_like_the_demo_keeps_its_server_and_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let real = Simulator::start(SimulatorConfig::new(CompanySpec { seed: 7, size: 5, today: Local::now().date_naive() }))
            .expect("the stand-in for a real Kombo starts");
        let mut engine = Engine::open(dir.path()).unwrap();
        engine.add_kombo_source(DEMO_SOURCE, kombo(&real), real.api_key(), Utc::now()).unwrap();
        drop(engine);

        let started = start(dir.path(), Utc::now()).unwrap();
        assert!(started.is_none(), "no demo server starts for a real source of that name, so none is handed its key");
        let source = Engine::open(dir.path()).unwrap().sources().unwrap().remove(0);
        assert_eq!(source.config["base_url"], real.base_url(), "the real source keeps its URL");
    }

    #[test]
    fn the_demo_source_is_served_again_with_its_key_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let first = start(dir.path(), Utc::now()).unwrap().expect("a directory with no source gets the demo");
        assert!(first.first_launch, "the demo source is new");
        let key = first.simulator.api_key().to_owned();
        drop(first);

        let again = start(dir.path(), Utc::now()).unwrap().expect("the demo source is known by its mark");
        assert!(!again.first_launch, "the demo source is the one from before");
        assert_eq!(again.simulator.api_key(), key, "the restarted demo server takes the stored source's key");
        let source = Engine::open(dir.path()).unwrap().sources().unwrap().remove(0);
        assert_eq!(source.config["base_url"], again.simulator.base_url(), "the demo source points at the new server");
    }
}
