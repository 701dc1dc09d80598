//! The brief's two troubleshooting cases in the window: an import-once end date HR changed, shown
//! on the profile and taken once; and the warnings of a source that hides future and departed
//! people, raised by a scheduled sync and shown on the source's card, in the sync header and in
//! the history.

use chrono::{Duration, Local, Utc};
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::model::{Field, FieldMode};
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{Change, EmploymentStatus, Simulator, SimulatorConfig};

use crate::driver::{Demo, TauriDriver};
use crate::window::Window;
use crate::{ONE_APP_AT_A_TIME, SOURCE};

fn connect(data_dir: &std::path::Path, simulator: &Simulator) -> Engine {
    let mut engine = Engine::open(data_dir).expect("the directory opens");
    let config =
        KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None };
    engine.add_kombo_source(SOURCE, config, simulator.api_key(), Utc::now()).expect("the source connects");
    engine
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_shows_the_end_date_hr_now_has_and_takes_it_once() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display (see .ci/session)");
    let today = Local::now().date_naive();
    let simulator = Simulator::start(SimulatorConfig::demo(today)).expect("the simulator starts");
    let staying: Vec<_> = simulator
        .employees()
        .into_iter()
        .filter(|e| {
            e.employment_status == Some(EmploymentStatus::Active) && e.termination_date.is_none() && e.work_email.is_some()
        })
        .take(2)
        .collect();
    let [person, other] = <[_; 2]>::try_from(staying).expect("the demo company has two people staying");
    let who = person.work_email.clone().unwrap();
    let other_email = other.work_email.clone().unwrap();
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    // What an earlier session did: sync, make the end date import once, then HR sets a departure.
    // The engine's HTTP client blocks: run it on this worker thread, outside the async runtime.
    tokio::task::block_in_place(|| {
        let mut engine = connect(data_dir.path(), &simulator);
        engine.sync(SOURCE, Utc::now(), SyncRequest::default()).expect("the first sync succeeds");
        engine.set_field_mode(SOURCE, Field::EndDate, FieldMode::ImportOnce, chrono::Utc::now()).unwrap();
        for leaving in [&person, &other] {
            simulator.apply(Change::Terminate { employee_id: leaving.id.clone(), date: today + Duration::days(9) });
        }
        engine.sync(SOURCE, Utc::now(), SyncRequest::default()).expect("the second sync succeeds");
    });

    let _one_app_at_a_time = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start(data_dir.path(), Demo::Off);
    let window = Window { client: driver.launch(env!("CARGO_BIN_EXE_roster-app")).await };
    window.click("nav-employees").await;
    assert!(window.list("offboardings", &who).await.is_empty(), "import once: HR's end date is not applied");
    assert_eq!(window.list("active", &who).await, vec![who.clone()]);
    window.click_css(r#"tr[data-testid="employee-row"] td[data-field="name"]"#).await;
    let banner = r#"[data-testid="hr-difference"][data-field="end_date"]"#;
    let said = window.wait_text(banner, "import once").await;
    assert!(
        said.contains("HR now says end date") && said.contains(SOURCE) && said.contains("Roster keeps its own value (none)"),
        "the profile names HR's end date, the kept one, and why: {said}"
    );
    let hr_value = window.text(&format!("{banner} [data-testid=\"hr-value\"]")).await;
    assert!(!hr_value.is_empty() && hr_value != "none", "HR's end date is shown: {hr_value}");
    window.find(&format!("{banner} [data-testid=\"switch-continuous\"]")).await;
    window.screenshot("profile-hr-difference").await;

    window.click("take-hr-value").await;
    window.wait_count(banner, "once taken, HR's value no longer differs", |n| n == 0).await;
    window.wait_text(r#"[data-testid="profile"] [data-field="end_date"] [data-testid="field-value"]"#, &hr_value).await;
    window.wait_text(r#"[data-testid="profile"] .history"#, "taken from HR once").await;
    window.client.find(fantoccini::Locator::Css(r#"[aria-label="Close the profile"]"#)).await.unwrap().click().await.unwrap();
    assert_eq!(window.list("offboardings", &who).await, vec![who.clone()], "with HR's end date taken, they are an offboarding");

    // The other way out: the end date follows HR from now on, and the sync it runs brings the date.
    assert_eq!(window.list("active", &other_email).await, vec![other_email.clone()]);
    window.click_css(r#"tr[data-testid="employee-row"] td[data-field="name"]"#).await;
    window.wait_text(banner, "import once").await;
    window.click("switch-continuous").await;
    window.wait_count(banner, "with the end date continuous, nothing is kept apart from HR", |n| n == 0).await;
    window.wait_text(r#"[data-testid="profile"] [data-field="end_date"] [data-testid="field-value"]"#, &hr_value).await;
    window.client.find(fantoccini::Locator::Css(r#"[aria-label="Close the profile"]"#)).await.unwrap().click().await.unwrap();
    assert_eq!(
        window.list("offboardings", &other_email).await,
        vec![other_email.clone()],
        "switched to continuous, HR's end date arrives"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_syncs_warnings_show_on_the_source_card_in_the_sync_header_and_in_the_history() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display (see .ci/session)");
    let mut config = SimulatorConfig::demo(Local::now().date_naive());
    config.tool = "lucca".into();
    config.hide_future_and_departed = true;
    let simulator = Simulator::start(config).expect("the simulator starts");
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    // Connected but never synced: the app's scheduler syncs it on its own, nobody clicks "Sync now".
    tokio::task::block_in_place(|| drop(connect(data_dir.path(), &simulator)));

    let _one_app_at_a_time = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start(data_dir.path(), Demo::Off);
    let window = Window { client: driver.launch(env!("CARGO_BIN_EXE_roster-app")).await };
    let expect_both = |place: &str, texts: &[String]| {
        assert_eq!(texts.len(), 2, "{place} shows each warning once: {texts:?}");
        assert!(
            texts[0].contains("no future starters")
                && texts[0].contains("\"View future employees\"")
                && texts[0].contains("enable it"),
            "{place}: the first warning names Lucca's permission for future starters and the advice: {}",
            texts[0]
        );
        assert!(
            texts[1].contains("no departed employees") && texts[1].contains("\"View departed employees\""),
            "{place}: the second names the permission for departed people: {}",
            texts[1]
        );
    };
    let texts = |css: &'static str| {
        let window = &window;
        async move {
            window.wait_count(css, css, |n| n >= 2).await;
            let mut out = Vec::new();
            for element in window.all(css).await {
                out.push(element.text().await.unwrap_or_default());
            }
            out
        }
    };

    window.wait_synced().await;
    expect_both("the sync header", &texts(r#"[data-testid="sync-status"] [data-testid="sync-warning"]"#).await);
    window.click("nav-settings").await;
    let card = r#"[data-testid="source-card"] [data-testid="source-warning"]"#;
    expect_both("the source card", &texts(card).await);
    window.screenshot("source-card-warnings").await;
    window.click("nav-history").await;
    expect_both("the sync history", &texts(r#"[data-testid="run-warning"]"#).await);
}
