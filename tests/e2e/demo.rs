//! A newcomer with no configuration: Roster opens on the built-in demo company.

use chrono::Utc;
use roster_engine::model::View;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::Engine;

use crate::driver::{self, Demo, TauriDriver};
use crate::window::Window;
use crate::ONE_APP_AT_A_TIME;

/// The work emails the engine lists in `view`, in the window's order ("" for a person without one).
fn engine_list(data_dir: &std::path::Path, view: View) -> Vec<String> {
    let engine = Engine::open(data_dir).expect("the app's directory opens");
    let query = EmployeeQuery { view, limit: 10_000, ..EmployeeQuery::default() };
    engine.employees(&query, Utc::now()).unwrap().into_iter().map(|e| e.work_email.unwrap_or_default()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newcomer_sees_the_demo_company_in_the_window() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display (see .ci/session)");
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    let driver = TauriDriver::start(data_dir.path(), Demo::On);
    let window = Window { client: driver.launch(&driver::app()).await };

    // The demo connects its source and runs the first sync on its own.
    window.wait_synced().await;
    window.click("nav-employees").await;
    window.wait_count(r#"tr[data-testid="employee-row"]"#, "the demo company's people", |n| n > 0).await;

    let shown = window.list("active", "").await;
    let engine = engine_list(data_dir.path(), View::Active);
    assert!(engine.len() > 20, "the demo company is a realistic one ({} active people)", engine.len());
    assert_eq!(shown, engine, "the window lists the directory's active people, in order");

    let onboardings = window.list("onboardings", "").await;
    assert!(!onboardings.is_empty(), "the demo has upcoming onboardings");
    assert_eq!(onboardings, engine_list(data_dir.path(), View::Onboardings), "the window's onboardings are the directory's");
    let offboardings = window.list("offboardings", "").await;
    assert!(!offboardings.is_empty(), "and upcoming offboardings");
    window.screenshot("demo-company").await;
}
