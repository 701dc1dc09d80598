//! Disconnecting a source from its settings, with "also erase": the people only it brought are
//! gone, people another source also knows stay, and its key leaves the OS keyring.

use chrono::{Local, Utc};
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::secrets::{SecretError, Secrets};
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{Employee, Simulator, SimulatorConfig};

use crate::driver::{Demo, TauriDriver};
use crate::scope::two_of_one_entity;
use crate::window::Window;
use crate::{email, ONE_APP_AT_A_TIME, SOURCE};

const SPREADSHEET: &str = "Spreadsheet";

/// The HR source synced, then a spreadsheet that also lists `shared` (matched by work email) and
/// one person of its own. Returns the HR source's keyring account.
fn two_sources(data_dir: &std::path::Path, simulator: &Simulator, shared: &Employee) -> String {
    let mut engine = Engine::open(data_dir).expect("the directory opens");
    let config =
        KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None };
    let source = engine.add_kombo_source(SOURCE, config, simulator.api_key(), Utc::now()).expect("the source connects");
    engine.sync(SOURCE, Utc::now(), SyncRequest::default()).expect("the first sync succeeds");
    let file = data_dir.join("people.csv");
    let (first, last) = (shared.first_name.clone().unwrap_or_default(), shared.last_name.clone().unwrap_or_default());
    std::fs::write(
        &file,
        format!(
            "Employee number,First name,Last name,Work email,Start date\n\
             C1,{first},{last},{},2020-01-06\nC2,Grace,Hopper,grace@spreadsheet.example,2020-01-06\n",
            email(shared)
        ),
    )
    .unwrap();
    engine.add_csv_source(SPREADSHEET, &file, Utc::now()).expect("the spreadsheet connects");
    engine.sync(SPREADSHEET, Utc::now(), SyncRequest::default()).expect("the spreadsheet syncs");
    source.secret_account()
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnect_with_erase_removes_the_people_only_that_source_brought_and_its_key() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display");
    let simulator = Simulator::start(SimulatorConfig::demo(Local::now().date_naive())).expect("the simulator starts");
    let (shared, only_hr, _) = two_of_one_entity(&simulator);
    let (shared, only_hr) = (&shared, &only_hr);
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    let account = tokio::task::block_in_place(|| two_sources(data_dir.path(), &simulator, shared));
    let installation = std::fs::read_to_string(data_dir.path().join("installation-id")).unwrap();
    let secrets = Secrets::new(installation.trim());
    assert_eq!(secrets.load(&account).unwrap(), simulator.api_key(), "the HR source's key is in the OS keyring");

    let _one_app_at_a_time = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start(data_dir.path(), Demo::Off);
    let window = Window { client: driver.launch(env!("CARGO_BIN_EXE_roster-app")).await };
    window.click("nav-employees").await;
    let only_hr = email(only_hr);
    assert_eq!(window.list("all", only_hr).await, vec![only_hr.to_owned()], "HR's people are in the directory");

    window.click("nav-settings").await;
    window.click_css(&format!(r#"[data-testid="source-card"][data-source="{SOURCE}"] [data-testid="update-settings"]"#)).await;
    window.click("source-tab-disconnect").await;
    window.click("erase").await;
    window.screenshot("disconnect-with-erase").await;
    window.click("disconnect").await;
    window.wait_count(r#"[data-testid="source-card"]"#, "only the spreadsheet's card is left", |n| n == 1).await;
    window.wait_text(r#"[data-testid="source-card"]"#, SPREADSHEET).await;

    window.click("nav-employees").await;
    assert!(window.list("all", only_hr).await.is_empty(), "someone only the disconnected source knew is erased");
    let shared = email(shared);
    assert_eq!(window.list("all", shared).await, vec![shared.to_owned()], "someone the spreadsheet also knows stays");
    let grace = "grace@spreadsheet.example";
    assert_eq!(window.list("all", grace).await, vec![grace.to_owned()], "the spreadsheet's own people stay");
    assert!(
        matches!(secrets.load(&account), Err(SecretError::Missing { .. })),
        "the disconnected source's key has left the OS keyring"
    );
}
