//! Retention in the window: a device keeps its past hand-over to someone retention erased, shown
//! as held by a former employee.

use chrono::{Duration, Local, Utc};
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::store::devices::NewDevice;
use roster_engine::store::settings::Settings;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{Change, EmploymentStatus, Simulator, SimulatorConfig};

use crate::driver::{Demo, TauriDriver};
use crate::window::Window;
use crate::{ONE_APP_AT_A_TIME, SOURCE};

/// What earlier sessions would have done: sync someone who left 60 days ago, lend them a laptop
/// and take it back, then erase them under a 30-day retention.
fn directory_with_an_erased_former_holder(data_dir: &std::path::Path, simulator: &Simulator) {
    let today = Local::now().date_naive();
    let person = simulator
        .employees()
        .into_iter()
        .find(|e| e.employment_status == Some(EmploymentStatus::Active) && e.termination_date.is_none() && e.work_email.is_some())
        .expect("the simulated company has an active person");
    simulator.apply(Change::Terminate { employee_id: person.id.clone(), date: today - Duration::days(60) });
    let mut engine = Engine::open(data_dir).expect("the directory opens");
    engine.save_settings(&Settings { retention_days: 0, ..Settings::default() }, chrono::Utc::now()).unwrap();
    let config =
        KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None };
    engine.add_kombo_source(SOURCE, config, simulator.api_key(), Utc::now()).expect("the source connects");
    engine.sync(SOURCE, Utc::now(), SyncRequest::default()).expect("the first sync succeeds");
    engine
        .add_device(
            &NewDevice { kind: "laptop".into(), model: "ThinkPad T14".into(), serial_number: "SN-FORMER".into() },
            Utc::now(),
        )
        .unwrap();
    let email = person.work_email.as_deref().unwrap();
    engine.assign_device("SN-FORMER", email, today - Duration::days(400), Utc::now()).unwrap();
    engine.take_back_device("SN-FORMER", today - Duration::days(70), Utc::now()).unwrap();
    engine.save_settings(&Settings { retention_days: 30, ..Settings::default() }, chrono::Utc::now()).unwrap();
    assert!(engine.apply_retention(Utc::now()).unwrap() >= 1, "retention erases the person");
    assert!(engine.find_employee(email).is_err(), "the person is gone from the directory");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_lent_to_someone_retention_erased_shows_a_former_employee_in_its_history() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display");
    let simulator = Simulator::start(SimulatorConfig::demo(Local::now().date_naive())).expect("the simulator starts");
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    // The engine's HTTP client blocks: run it on this worker thread, outside the async runtime.
    tokio::task::block_in_place(|| directory_with_an_erased_former_holder(data_dir.path(), &simulator));

    let _one_app_at_a_time = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start(data_dir.path(), Demo::Off);
    let window = Window { client: driver.launch(env!("CARGO_BIN_EXE_roster-app")).await };
    window.click("nav-devices").await;
    window.click("history-SN-FORMER").await;
    let history = window.wait_text(r#"[data-testid="device-history"]"#, "former employee").await;
    assert!(history.contains('–'), "the hand-over keeps its dates: {history}");
    window.screenshot("device-history").await;
}
