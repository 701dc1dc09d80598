//! "Export CSV" in the window: the employee list as shown (view, search) is written to the file
//! the save dialog gives. WebDriver cannot drive the OS's native dialog, so the app is started with
//! `ROSTER_E2E_SAVE_PATH`, which debug builds take as the path the person chose.

use chrono::Utc;
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{Simulator, SimulatorConfig};

use crate::driver::{Demo, TauriDriver};
use crate::window::Window;
use crate::{ONE_APP_AT_A_TIME, SOURCE};

/// The work emails of the exported file's rows, in order, after checking its header.
fn exported_emails(path: &std::path::Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).expect("the export is written");
    let header = reader.headers().expect("a header row").clone();
    assert_eq!(&header[1], "Work email", "the file has the list's columns: {header:?}");
    reader.records().map(|r| r.expect("valid CSV")[1].to_owned()).collect()
}

/// Clicks Export CSV and waits until the window says this export's file is saved.
async fn export(window: &Window, path: &std::path::Path, nth: u32) {
    window.click("export-csv").await;
    window.find(&format!(r#"[data-testid="export-csv"][data-written="{nth}"]"#)).await;
    // Its text property: WebKitWebDriver's "visible text" of this status comes back empty.
    let status = window.find(r#"[data-testid="export-saved"]"#).await.prop("textContent").await.ok().flatten();
    let status = status.unwrap_or_default();
    assert!(status.contains(&path.display().to_string()), "the window says where the file is: {status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn export_csv_writes_the_employee_list_as_shown_to_the_chosen_file() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display");
    let simulator = Simulator::start(SimulatorConfig::demo(chrono::Local::now().date_naive())).expect("the simulator starts");
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    // The engine's HTTP client blocks: run it on this worker thread, outside the async runtime.
    tokio::task::block_in_place(|| {
        let mut engine = Engine::open(data_dir.path()).expect("the directory opens");
        let config =
            KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None };
        engine.add_kombo_source(SOURCE, config, simulator.api_key(), Utc::now()).expect("the source connects");
        engine.sync(SOURCE, Utc::now(), SyncRequest::default()).expect("the first sync succeeds");
    });
    let out = tempfile::tempdir().expect("a folder for the export");
    let path = out.path().join("onboardings.csv");

    let _one_app_at_a_time = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start_with_env(data_dir.path(), Demo::Off, &[("ROSTER_E2E_SAVE_PATH", path.to_str().unwrap())]);
    let window = Window { client: driver.launch(&crate::driver::app()).await };
    window.click("nav-employees").await;

    let onboardings = window.list("onboardings", "").await;
    assert!(!onboardings.is_empty(), "the simulated company has onboardings");
    export(&window, &path, 1).await;
    assert_eq!(exported_emails(&path), onboardings, "the file holds the Onboardings list, row for row");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "an export of personal data is readable by the user only, got {mode:o}");
    }
    window.screenshot("export-csv").await;

    // The search narrows the export as it narrows the list; the same file is written anew.
    let everyone = window.list("all", "").await;
    // The first onboarding's first name (`ava.berg@…`): a search that finds them and a few others.
    let first_name = onboardings[0].split(['.', '@']).next().unwrap().to_owned();
    let found = window.list("all", &first_name).await;
    assert!(found.contains(&onboardings[0]), "the search {first_name:?} finds {}", onboardings[0]);
    assert!(found.len() < everyone.len(), "the search {first_name:?} finds some people, not all");
    export(&window, &path, 2).await;
    assert_eq!(exported_emails(&path), found, "the file holds the searched list, not the whole view");
}
