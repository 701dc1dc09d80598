//! Out-of-scope people in the window: gone from the lists, back with "Show out of scope" and a
//! badge, explained on their profile; a device they hold keeps them in Offboardings.

use chrono::{Local, Utc};
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::store::devices::NewDevice;
use roster_engine::sync::{Outcome, SyncRequest};
use roster_engine::{Engine, FilterInput};
use roster_simulator::{Employee, EmploymentStatus, Simulator, SimulatorConfig};

use crate::driver::{Demo, TauriDriver};
use crate::window::Window;
use crate::{email, ONE_APP_AT_A_TIME, SOURCE};

/// Two active people of one legal entity, and the name of that entity.
pub(crate) fn two_of_one_entity(simulator: &Simulator) -> (Employee, Employee, String) {
    let people: Vec<Employee> = simulator
        .employees()
        .into_iter()
        .filter(|e| {
            e.employment_status == Some(EmploymentStatus::Active) && e.termination_date.is_none() && e.work_email.is_some()
        })
        .collect();
    let first = people[0].clone();
    let entity = first.legal_entity_id.clone().expect("the simulated person has a legal entity");
    let second = people
        .iter()
        .find(|e| e.id != first.id && e.legal_entity_id.as_ref() == Some(&entity))
        .cloned()
        .expect("the legal entity has two active people");
    let name = simulator.legal_entities().into_iter().find(|le| le.id == entity).and_then(|le| le.name).unwrap();
    (first, second, name)
}

/// What the CLI or an earlier session would have done: connect, sync everyone, then filter
/// `entity` out and sync again, and give `holder` a laptop.
fn directory_with_an_excluded_entity(data_dir: &std::path::Path, simulator: &Simulator, entity: &str, holder: &str) {
    let mut engine = Engine::open(data_dir).expect("the directory opens");
    let config =
        KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None };
    engine.add_kombo_source(SOURCE, config, simulator.api_key(), Utc::now()).expect("the source connects");
    engine.sync(SOURCE, Utc::now(), SyncRequest::default()).expect("the first sync succeeds");
    engine
        .add_device(&NewDevice { kind: "laptop".into(), model: "ThinkPad X1".into(), serial_number: "SN-E2E".into() }, Utc::now())
        .unwrap();
    engine.assign_device("SN-E2E", holder, Local::now().date_naive(), Utc::now()).unwrap();
    let kept = simulator.legal_entities().into_iter().filter_map(|le| le.name).filter(|n| n != entity).collect();
    let filters = engine.resolve_filters(SOURCE, &FilterInput { legal_entities: kept, ..FilterInput::default() }).unwrap();
    engine.set_filters(SOURCE, &filters, chrono::Utc::now()).unwrap();
    let report = engine.sync(SOURCE, Utc::now(), SyncRequest::default()).expect("the filtered sync succeeds");
    if report.outcome == Outcome::Held {
        engine.approve(report.run_id.expect("a held run has an id"), Utc::now()).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_scope_people_leave_the_lists_and_come_back_with_the_toggle_and_a_badge() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display");
    let simulator = Simulator::start(SimulatorConfig::demo(Local::now().date_naive())).expect("the simulator starts");
    let (excluded, holder, entity) = two_of_one_entity(&simulator);
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    // The engine's HTTP client blocks: run it on this worker thread, outside the async runtime.
    tokio::task::block_in_place(|| directory_with_an_excluded_entity(data_dir.path(), &simulator, &entity, email(&holder)));

    let _one_app_at_a_time = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start(data_dir.path(), Demo::Off);
    let window = Window { client: driver.launch(env!("CARGO_BIN_EXE_roster-app")).await };
    window.click("nav-employees").await;

    let who = email(&excluded);
    assert!(window.list("active", who).await.is_empty(), "someone the filters exclude is not in Active by default");
    assert!(window.list("all", who).await.is_empty(), "nor in All");
    window.click("show-out-of-scope").await;
    assert_eq!(window.list("active", who).await, vec![who.to_owned()], "Show out of scope lists them");
    let badge = window.find(r#"tr[data-testid="employee-row"] [data-testid="out-of-scope-badge"]"#).await;
    let title = badge.attr("title").await.ok().flatten().unwrap_or_default();
    assert!(title.contains(&entity), "the badge says which value the filters exclude: {title}");
    window.click_css(r#"tr[data-testid="employee-row"] td[data-field="name"]"#).await;
    let note = window.wait_text(r#"[data-testid="out-of-scope"]"#, &entity).await;
    assert!(
        note.contains("legal entity") && note.contains("no longer updated"),
        "the profile says which filter excluded them and that their fields no longer update: {note}"
    );
    window.screenshot("out-of-scope-profile").await;
    window.client.find(fantoccini::Locator::Css(r#"[aria-label="Close the profile"]"#)).await.unwrap().click().await.unwrap();
    window.click("show-out-of-scope").await;

    let holder = email(&holder);
    assert_eq!(
        window.list("offboardings", holder).await,
        vec![holder.to_owned()],
        "an out-of-scope person who still holds a device stays in Offboardings"
    );
    window.wait_text(r#"tr[data-testid="employee-row"] td[data-field="devices"]"#, "1 to recover").await;

    // Sync history › Changes: how the directory came to be kept so, from what to what.
    window.click("nav-history").await;
    window.wait_text(r#"[data-testid="audit-table"]"#, "Filters changed").await;
    let mut rows = Vec::new();
    for row in window.all(r#"tr[data-testid="audit-row"]"#).await {
        rows.push(row.text().await.unwrap_or_default());
    }
    assert!(rows.iter().any(|row| row.contains(&format!("Source connected: {SOURCE}"))), "{rows:#?}");
    let filters = rows.iter().find(|row| row.contains("Filters changed")).unwrap();
    assert!(
        filters.contains(&format!("{SOURCE} · Filters changed: everyone → legal entities: ")) && !filters.contains(&entity),
        "the filters' change names what they were and became, without the entity they leave out: {filters}"
    );
    window.screenshot("changes-filters").await;
}
