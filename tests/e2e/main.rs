//! End to end: the real app in a real window, driven through tauri-driver (WebDriver).
//! Needs a display (`DISPLAY`, e.g. Xvfb) and an unlocked Secret Service for the keyring.

mod driver;
mod window;

use std::collections::BTreeSet;

use chrono::Utc;
use roster_engine::model::View;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::Engine;

use driver::TauriDriver;

/// (id, work email) of everyone the engine lists in `view`, as the window should show them.
fn engine_list(engine: &Engine, view: View) -> BTreeSet<(i64, Option<String>)> {
    let query = EmployeeQuery {
        view,
        limit: u32::MAX,
        ..EmployeeQuery::default()
    };
    let rows = engine
        .employees(&query, Utc::now())
        .expect("the engine lists the directory");
    rows.into_iter()
        .map(|row| (row.id, row.work_email))
        .collect()
}

fn shown(rows: &[window::Row]) -> BTreeSet<(i64, Option<String>)> {
    rows.iter()
        .map(|row| (row.id, row.work_email.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newcomer_sees_the_demo_company_exactly_as_the_engine_stores_it() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "DISPLAY is not set: the e2e test needs a display, e.g. `Xvfb :99 & DISPLAY=:99 cargo test -p roster --test e2e`"
    );
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    let driver = TauriDriver::start(data_dir.path());
    let client = driver.launch(env!("CARGO_BIN_EXE_roster-app")).await;

    let active = window::rows_of(&client, "active").await;
    window::screenshot(&client, "active").await;
    // The app has synced by now: the rows came from its first sync.
    let engine = Engine::open(data_dir.path()).expect("the app's database opens");
    assert_eq!(
        shown(&active),
        engine_list(&engine, View::Active),
        "the Active list in the window shows exactly the people the engine holds as active"
    );

    window::open_tab(&client, "onboardings").await;
    let onboardings = window::rows_of(&client, "onboardings").await;
    window::screenshot(&client, "onboardings").await;
    let today = Utc::now().date_naive().to_string();
    assert!(
        onboardings.iter().any(|row| row
            .start_date
            .as_deref()
            .is_some_and(|start| start > today.as_str())),
        "the Onboardings list shows at least one future hire of the demo company"
    );
    assert_eq!(
        shown(&onboardings),
        engine_list(&engine, View::Onboardings),
        "the Onboardings list in the window shows exactly the engine's onboardings"
    );

    client.close().await.expect("the WebDriver session closes");
}
