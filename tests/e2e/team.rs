//! Team mode, live, in two windows: two Roster apps, each with its own data directory, on one
//! PostgreSQL database. A hide in window A leaves window B's list within 2 s without a reload,
//! and B keeps the profile it has open.

use std::path::Path;
use std::time::{Duration, Instant};

use roster_engine::store::postgres;
use roster_test_postgres::TestDatabase;

use crate::directory::{team_directory, TEAM};
use crate::driver::{self, Demo, TauriDriver};
use crate::window::Window;
use crate::ONE_APP_AT_A_TIME;

const PROFILE_TITLE: &str = r#"[data-testid="profile"] #profile-title"#;

/// Opens the profile of the person `email` from the list on screen.
async fn open_profile(window: &Window, email: &str, last_name: &str) {
    window.click_css(&format!(r#"tr[data-email="{email}"] td[data-field="name"]"#)).await;
    window.wait_text(PROFILE_TITLE, last_name).await;
}

/// Not a tokio test: the database's blocking client must be dropped outside the async runtime.
#[test]
fn a_hide_in_one_window_leaves_the_other_windows_list_within_two_seconds() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display (see .ci/session)");
    let database = roster_test_postgres::cluster().database();
    let team_dir = tempfile::tempdir().expect("the team's data directory");
    team_directory(team_dir.path(), &database);
    let [a_dir, b_dir] = [(); 2].map(|_| admins_computer(&database));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime for the windows");
    runtime.block_on(in_two_windows(a_dir.path(), b_dir.path()));
}

/// A data directory pointed at the team's database, as `roster directory connect` leaves it.
fn admins_computer(database: &TestDatabase) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("an admin's data directory");
    postgres::connect(dir.path(), &database.url.parse().unwrap(), &database.password).expect("the directory connects");
    dir
}

async fn in_two_windows(a_dir: &Path, b_dir: &Path) {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let a_driver = TauriDriver::start(a_dir, Demo::Off);
    let a = Window { client: a_driver.launch(&driver::app()).await };
    let b_driver = TauriDriver::start(b_dir, Demo::Off);
    // A second Roster that handed over to the first would quit, and its session never open.
    let b_session = tokio::time::timeout(Duration::from_secs(90), b_driver.launch(&driver::app())).await;
    let b = Window { client: b_session.expect("window B, on another data directory, opens beside window A within 90 s") };
    let mut team = TEAM.map(str::to_owned).to_vec();
    assert_eq!(sorted(b.list("active", "").await), team, "window B, a second Roster on another data directory, runs");
    assert_eq!(sorted(a.list("active", "").await), team, "beside window A, which still runs");

    open_profile(&b, TEAM[1], "Hopper").await;
    open_profile(&a, TEAM[0], "Lovelace").await;
    a.click("hide-toggle").await;
    let hidden = Instant::now();
    let deadline = hidden + Duration::from_secs(2);
    team.retain(|email| email != TEAM[0]);
    loop {
        let table = b.table().await;
        let shown: Vec<String> = serde_json::from_value(table["emails"].clone()).unwrap_or_default();
        if table["state"] == "ready" && shown == team {
            break;
        }
        assert!(Instant::now() < deadline, "within 2 s of A's hide, B's list leaves the person out; it shows {table}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("B's list left out the person A hid {} ms after the click", hidden.elapsed().as_millis());
    a.wait_text(r#"[data-testid="hide-toggle"]"#, "Unhide").await;
    assert!(b.text(PROFILE_TITLE).await.contains("Hopper"), "B's open profile stays open through the refresh");
    assert_eq!(b.table().await["view"], "active", "B stays on the list it showed");
    b.screenshot("team-live").await;
}

fn sorted(mut emails: Vec<String>) -> Vec<String> {
    emails.sort();
    emails
}
