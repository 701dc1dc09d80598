//! A window on a team's PostgreSQL directory whose source another machine connected: this
//! computer's keyring holds no key for it, so the window says where its syncs run, and takes a key
//! to run them here too.

use std::path::Path;
use std::process::Command;

use chrono::{Local, Utc};
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::store::postgres;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{Simulator, SimulatorConfig};

use crate::driver::{self, Demo, TauriDriver};
use crate::window::Window;
use crate::ONE_APP_AT_A_TIME;

const NOTE: &str = r#"[data-testid="syncs-elsewhere"]"#;

/// Not a tokio test: the database's blocking client must be dropped outside the async runtime.
#[test]
fn a_window_without_a_sources_key_says_where_its_syncs_run_and_takes_a_key_to_run_them_here() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display (see .ci/session)");
    let database = roster_test_postgres::cluster().database();
    let simulator = Simulator::start(SimulatorConfig::demo(Local::now().date_naive())).expect("the simulator starts");
    let other_machine = tempfile::tempdir().expect("the other machine's data directory");
    postgres::connect(other_machine.path(), &database.url.parse().unwrap(), &database.password).unwrap();
    let mut engine = Engine::open(other_machine.path()).expect("the other machine opens the team's database");
    let config =
        KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None };
    let source = engine.add_kombo_source("HR", config, simulator.api_key(), Utc::now()).expect("the source connects");
    engine.sync("HR", Utc::now(), SyncRequest::default()).expect("the other machine syncs it");
    // The other machine's key lives in its own keyring: this session's keyring forgets it.
    let account = format!("{}/{}", engine.store().installation_id().unwrap(), source.secret_account());
    let cleared = Command::new("secret-tool").args(["clear", "service", "dev.roster.app", "username", &account]).status();
    assert!(cleared.expect("secret-tool (libsecret-tools) runs").success(), "the key leaves this keyring");
    drop(engine);

    let data_dir = tempfile::tempdir().expect("this computer's data directory");
    postgres::connect(data_dir.path(), &database.url.parse().unwrap(), &database.password).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime for the window");
    runtime.block_on(in_the_window(data_dir.path(), simulator.api_key()));
}

async fn in_the_window(data_dir: &Path, key: &str) {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start(data_dir, Demo::Off);
    let window = Window { client: driver.launch(&driver::app()).await };
    window.click("nav-settings").await;
    window.click("settings-sync").await;
    let note = window.wait_text(NOTE, "Syncs run on").await;
    assert!(!note.contains("another computer"), "the note names the machine of the last run: {note}");
    assert!(note.contains("holds no key for HR"), "{note}");
    let sync = window.find(r#"[data-testid="sync-source"]"#).await;
    assert!(!sync.is_enabled().await.unwrap(), "without the key, this computer cannot sync the source now");
    window.screenshot("source-syncs-elsewhere").await;

    window.find(&format!("{NOTE} input[type=password]")).await.send_keys(key).await.unwrap();
    window.click_css(&format!("{NOTE} button[type=submit]")).await;
    window.wait_count(NOTE, "with its key here, this computer runs the source's syncs too", |n| n == 0).await;
    assert!(window.find(r#"[data-testid="sync-source"]"#).await.is_enabled().await.unwrap(), "and may sync it now");
}
