//! Two admins editing one person's field at once, in the window, on a team's PostgreSQL database:
//! the window's save from the value it showed is refused with the other admin's name and value,
//! and saving again replaces it.

use chrono::Utc;
use roster_engine::model::Field;
use roster_engine::store::postgres;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_test_postgres::TestDatabase;

use crate::driver::{self, Demo, TauriDriver};
use crate::window::Window;
use crate::ONE_APP_AT_A_TIME;

const GRACE: &str = "grace@team.example";
const JOB_TITLE: &str = r#"[data-testid="profile"] [data-field="job_title"] [data-testid="field-value"]"#;

#[test]
fn a_field_another_admin_changed_meanwhile_is_shown_with_their_name_and_value_and_saving_again_replaces_it() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display (see .ci/session)");
    let database = roster_test_postgres::cluster().database();
    let (window_dir, ada_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    // The window's data directory works as the database's owner; Ada, another admin, as her own role.
    postgres::connect(window_dir.path(), &database.url.parse().unwrap(), &database.password).unwrap();
    let file = window_dir.path().join("people.csv");
    std::fs::write(
        &file,
        format!(
            "Employee number,First name,Last name,Work email,Job title,Start date\nT1,Grace,Hopper,{GRACE},Engineer,2020-01-06\n"
        ),
    )
    .unwrap();
    let mut owner = Engine::open(window_dir.path()).expect("the team's directory opens");
    owner.add_csv_source("Team spreadsheet", &file, Utc::now()).expect("the spreadsheet connects");
    owner.sync("Team spreadsheet", Utc::now(), SyncRequest::default()).expect("the spreadsheet syncs");
    drop(owner);
    let ada = ada_engine(&database, ada_dir.path());

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime for the window");
    runtime.block_on(in_the_window(window_dir.path(), ada));
}

/// Ada's Roster: her own login role, granted what an admin needs, named "Ada".
fn ada_engine(database: &TestDatabase, dir: &std::path::Path) -> Engine {
    let role = database.connecting_login("ada");
    database
        .connect()
        .batch_execute(&format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {0};
             GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {0};",
            role.name
        ))
        .unwrap();
    postgres::connect(dir, &role.url.parse().unwrap(), &role.password).unwrap();
    let mut ada = Engine::open(dir).expect("Ada's Roster opens the team's directory");
    ada.set_display_name("Ada", Utc::now()).expect("Ada names herself");
    ada
}

async fn in_the_window(data_dir: &std::path::Path, mut ada: Engine) {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start(data_dir, Demo::Off);
    let window = Window { client: driver.launch(&driver::app()).await };
    window.click("nav-employees").await;
    assert_eq!(window.list("active", GRACE).await, vec![GRACE.to_owned()]);
    window.click_css(r#"tr[data-testid="employee-row"] td[data-field="name"]"#).await;
    window.wait_text(JOB_TITLE, "Engineer").await;
    window.click("edit-job_title").await;
    window.fill("edit-input", "Platform Lead").await;

    // Ada saves first, from her own Roster.
    tokio::task::block_in_place(|| ada.edit_field(GRACE, Field::JobTitle, Some("Head of Platform"), Utc::now()))
        .expect("Ada's edit is saved");
    window.click("edit-save").await;
    let said = window.wait_text(r#"[data-testid="profile-error"]"#, "changed by Ada meanwhile").await;
    assert!(said.contains("\"Head of Platform\""), "the refusal shows Ada's value: {said}");
    window.screenshot("edit-conflict").await;
    let kept = tokio::task::block_in_place(|| ada.profile(GRACE, Utc::now())).unwrap();
    let title = kept.fields.iter().find(|f| f.field == Field::JobTitle).unwrap().value.clone();
    assert_eq!(title.as_deref(), Some("Head of Platform"), "the window's refused save overwrote nothing");

    // The draft is kept: saving again is the retry, from Ada's value.
    window.click("edit-save").await;
    window.wait_text(JOB_TITLE, "Platform Lead").await;
    window.wait_count(r#"[data-testid="profile-error"]"#, "the retry succeeds", |n| n == 0).await;
    window.wait_text(r#"[data-testid="profile"] .history"#, "by Ada").await;
}
