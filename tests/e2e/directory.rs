//! Settings › General › Directory on a team's PostgreSQL database, in the window: a wrong password
//! changes nothing and says so, the right one serves the window from the database (the password in
//! the OS keyring only), and "Use this computer's file again" brings the demo's people back.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::Utc;
use fantoccini::key::Key;
use roster_engine::store::copy;
use roster_engine::store::postgres::{Target, LOCATION_FILE};
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_test_postgres::TestDatabase;

use crate::driver::{self, Demo, TauriDriver};
use crate::overview::{focused, press};
use crate::window::Window;
use crate::ONE_APP_AT_A_TIME;

const CARD: &str = r#"[data-testid="directory-location"]"#;
pub(crate) const TEAM: [&str; 2] = ["ada@team.example", "grace@team.example"];

/// The team's directory: a spreadsheet's people, synced in another data directory and copied into
/// the database as `roster directory copy --to` does.
pub(crate) fn team_directory(data_dir: &Path, database: &TestDatabase) {
    let file = data_dir.join("people.csv");
    std::fs::write(
        &file,
        format!(
            "Employee number,First name,Last name,Work email,Start date\n\
             T1,Ada,Lovelace,{},2020-01-06\nT2,Grace,Hopper,{},2020-01-06\n",
            TEAM[0], TEAM[1]
        ),
    )
    .unwrap();
    let mut engine = Engine::open(data_dir).expect("the team's data directory opens");
    engine.add_csv_source("Team spreadsheet", &file, Utc::now()).expect("the spreadsheet connects");
    engine.sync("Team spreadsheet", Utc::now(), SyncRequest::default()).expect("the spreadsheet syncs");
    let target: Target = database.url.parse().expect("the test database's address parses");
    copy::to_postgres(engine.store(), data_dir, &target, &database.password).expect("the directory is copied into the database");
}

/// The files under `dir` whose bytes contain `secret`.
fn files_holding(dir: &Path, secret: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_holding(&path, secret));
        } else if std::fs::read(&path).unwrap().windows(secret.len()).any(|w| w == secret.as_bytes()) {
            found.push(path.display().to_string());
        }
    }
    found
}

async fn password_value(window: &Window) -> String {
    let field = window.find(r#"[data-testid="directory-password"]"#).await;
    field.prop("value").await.ok().flatten().unwrap_or_default()
}

/// Asserts that `listed` is `expected`, naming who is missing or extra when not.
fn same_people(listed: &[String], expected: &[String], what: &str) {
    let missing: Vec<_> = expected.iter().filter(|p| !listed.contains(p)).collect();
    let extra: Vec<_> = listed.iter().filter(|p| !expected.contains(p)).collect();
    assert!(listed == expected, "{what}: missing {missing:?}, extra {extra:?}, {} listed of {}", listed.len(), expected.len());
}

/// Settings › General, where the Directory card is.
async fn general_settings(window: &Window) {
    window.click("nav-settings").await;
    window.click("settings-general").await;
}

/// Not a tokio test: the database's blocking client must be dropped outside the async runtime,
/// or a failing test's unwinding would abort instead of reporting the failure.
#[test]
fn settings_move_the_directory_to_a_team_postgresql_database_and_back() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display (see .ci/session)");
    let database = roster_test_postgres::cluster().database();
    let team_dir = tempfile::tempdir().expect("the team's data directory");
    team_directory(team_dir.path(), &database);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime for the window");
    runtime.block_on(in_the_window(&database));
}

async fn in_the_window(database: &TestDatabase) {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    let driver = TauriDriver::start(data_dir.path(), Demo::On);
    let window = Window { client: driver.launch(&driver::app()).await };
    window.wait_synced().await;
    let demo_people = window.list("active", "").await;
    assert!(!demo_people.is_empty(), "the demo company's people are listed from this computer's file");

    general_settings(&window).await;
    window.wait_text(CARD, "this computer's file").await;
    window.fill("directory-url", &database.url).await;
    window.fill("directory-password", "not the password").await;
    // Enter in the password field submits the form, as in any form.
    press(&window, Key::Enter).await;
    let refusal = window.wait_text(&format!(r#"{CARD} [role="alert"]"#), "refused").await;
    assert!(refusal.contains(&database.url), "the error names the database: {refusal}");
    assert!(refusal.contains("password"), "the error says the password was refused: {refusal}");
    assert_eq!(password_value(&window).await, "", "the typed password is not kept in the window");
    assert_eq!(
        focused(&window).await.0,
        "directory-password",
        "after a refusal the focus is back in the password field, ready for another try"
    );
    window.wait_text(CARD, "this computer's file").await;
    window.screenshot("directory-refused").await;
    assert!(!data_dir.path().join(LOCATION_FILE).exists(), "a refused password leaves the data directory on its file");
    same_people(&window.list("active", "").await, &demo_people, "after a refusal the window still shows the file's people");
    general_settings(&window).await;

    window.fill("directory-url", &database.url).await;
    window.fill("directory-password", &database.password).await;
    press(&window, Key::Enter).await;
    let card = window.wait_text(CARD, "the team's PostgreSQL database").await;
    let location = window.text(r#"[data-testid="directory-where"]"#).await;
    assert!(location.starts_with(&database.url), "the card shows the database's address: {card}");
    assert!(window.all(r#"[data-testid="directory-password"]"#).await.is_empty(), "no password field is left on the card");
    assert_eq!(
        focused(&window).await.0,
        "directory-disconnect",
        "once connected, the focus is on the card's one action rather than lost with the form"
    );
    window.screenshot("directory-postgres").await;
    assert_eq!(
        files_holding(data_dir.path(), &database.password),
        Vec::<String>::new(),
        "no file of the data directory holds the database's password"
    );
    let listed: BTreeSet<String> = window.list("active", "").await.into_iter().collect();
    assert_eq!(listed, TEAM.map(str::to_owned).into(), "the lists show the team's database, not the file");

    general_settings(&window).await;
    window.click("directory-disconnect").await;
    window.wait_text(CARD, "this computer's file").await;
    assert!(!data_dir.path().join(LOCATION_FILE).exists(), "the data directory points at its own file again");
    same_people(&window.list("active", "").await, &demo_people, "back on the file, the demo's people are listed again");
}
