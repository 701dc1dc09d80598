//! Removing a source whose sync is stuck: the window's Disconnect cancels the sync instead of
//! waiting for it, and nothing of that sync is written.

use std::time::{Duration, Instant};

use chrono::{Local, Utc};
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::model::View;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{Change, CompanySpec, EmploymentType, NewHire, Simulator, SimulatorConfig};

use crate::driver::{Demo, TauriDriver};
use crate::window::Window;
use crate::{ONE_APP_AT_A_TIME, SOURCE};

/// The hire the stuck sync would have created.
const HIRE: &str = "stuck.sync@quillon.example";

/// Far below the app's request timeout (30 s, retried): a removal this quick did not wait for
/// the held request.
const PROMPTLY: Duration = Duration::from_secs(10);

fn synced_directory(data_dir: &std::path::Path, simulator: &Simulator) {
    let mut engine = Engine::open(data_dir).expect("the directory opens");
    let config =
        KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None };
    engine.add_kombo_source(SOURCE, config, simulator.api_key(), Utc::now()).expect("the source connects");
    engine.sync(SOURCE, Utc::now(), SyncRequest::default()).expect("the first sync succeeds");
}

fn people(data_dir: &std::path::Path) -> Vec<String> {
    let engine = Engine::open(data_dir).expect("the directory opens beside the app");
    let query = EmployeeQuery { view: View::All, include_hidden: true, limit: 10_000, ..EmployeeQuery::default() };
    engine.employees(&query, Utc::now()).unwrap().into_iter().filter_map(|e| e.work_email).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnecting_a_source_cancels_its_stuck_sync_at_once_and_nothing_of_it_is_written() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display");
    let today = Local::now().date_naive();
    let simulator =
        Simulator::start(SimulatorConfig::new(CompanySpec { seed: 16, size: 20, today })).expect("the simulator starts");
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    tokio::task::block_in_place(|| synced_directory(data_dir.path(), &simulator));
    simulator.apply(Change::Hire(NewHire {
        first_name: "Stuck".into(),
        last_name: "Sync".into(),
        work_email: Some(HIRE.into()),
        start_date: Some(today),
        legal_entity_id: None,
        employment_type: EmploymentType::FullTime,
        job_title: None,
    }));

    let _one_app_at_a_time = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start(data_dir.path(), Demo::Off);
    let window = Window { client: driver.launch(env!("CARGO_BIN_EXE_roster-app")).await };
    window.click("nav-settings").await;
    window.find(r#"[data-testid="source-card"]"#).await;

    // The HR system stops answering in the middle of a sync.
    let before = simulator.requests().len();
    let held = simulator.hold_requests();
    window.click("sync-source").await;
    tokio::task::block_in_place(|| held.wait_for_request());
    assert!(simulator.requests()[before..].iter().any(|r| r.path.contains("/hris/")), "the request held is the sync's read");

    window.click("update-settings").await;
    window.click("source-tab-disconnect").await;
    let disconnecting = Instant::now();
    window.click("disconnect").await;
    // The header learns of the removal only once the command has finished.
    window.wait_text(r#"[data-testid="sync-status"]"#, "No HR source connected").await;
    let took = disconnecting.elapsed();
    assert!(took < PROMPTLY, "disconnecting does not wait for the stuck sync (took {took:?})");

    let people = tokio::task::block_in_place(|| people(data_dir.path()));
    assert!(!people.is_empty(), "the people already synced stay (erase was not ticked)");
    assert!(!people.iter().any(|p| p == HIRE), "the cancelled sync wrote nothing: the hire it was reading is not there");
    drop(held);
}
