//! End to end: the real app in a real window, driven through tauri-driver (WebDriver), against
//! the Kombo simulator started here. Needs a display (`DISPLAY`, e.g. Xvfb) and an unlocked
//! Secret Service for the keyring; see the README for the command.

mod checklists;
mod conflict;
mod damaged;
mod demo;
mod device_rules;
mod diagnosis;
mod directory;
mod disconnect;
mod driver;
mod exports;
mod overview;
mod retention;
mod scope;
mod stopping;
mod team;
mod team_roles;
mod team_syncs;
mod update;
mod window;

use std::collections::BTreeSet;

use chrono::{Local, NaiveDate};
use roster_simulator::{Change, EditableField, Employee, EmploymentStatus, Simulator, SimulatorConfig};

use driver::{Demo, TauriDriver};
use window::Window;

const SOURCE: &str = "Quillon HR";

fn date(value: Option<chrono::DateTime<chrono::Utc>>) -> Option<NaiveDate> {
    value.map(|v| v.date_naive())
}

/// The people of the simulator's company that the scenario needs.
struct Cast {
    future_hire: Employee,
    consultant: Employee,
    leaver: Employee,
    /// Someone whose legal entity the filter leaves out.
    excluded: Employee,
    /// Legal entities (id, name) the filter keeps: those of everyone above except `excluded`.
    kept: Vec<(String, String)>,
    excluded_entity: String,
}

fn cast(simulator: &Simulator, today: NaiveDate) -> Cast {
    let people = simulator.employees();
    let find = |what: &str, test: &dyn Fn(&Employee) -> bool| -> Employee {
        people
            .iter()
            .find(|e| e.work_email.is_some() && test(e))
            .cloned()
            .unwrap_or_else(|| panic!("the simulator's company has {what}"))
    };
    let future_hire = find("a future hire", &|e| {
        e.employment_status == Some(EmploymentStatus::Pending) && date(e.start_date).is_some_and(|d| d > today)
    });
    let consultant = find("an external consultant", &|e| e.job_title.as_deref() == Some("External consultant"));
    let leaver = find("someone leaving soon", &|e| {
        e.employment_status == Some(EmploymentStatus::Active) && date(e.termination_date).is_some_and(|d| d > today)
    });
    let kept_ids: BTreeSet<String> =
        [&future_hire, &consultant, &leaver].iter().filter_map(|e| e.legal_entity_id.clone()).collect();
    let excluded = find("someone in another legal entity", &|e| {
        e.employment_status == Some(EmploymentStatus::Active)
            && e.legal_entity_id.as_ref().is_some_and(|id| !kept_ids.contains(id))
    });
    let name_of = |id: &str| {
        simulator.legal_entities().into_iter().find(|le| le.id == id).and_then(|le| le.name).unwrap_or_else(|| id.to_owned())
    };
    Cast {
        kept: kept_ids.iter().map(|id| (id.clone(), name_of(id))).collect(),
        excluded_entity: name_of(excluded.legal_entity_id.as_deref().expect("the excluded person has a legal entity")),
        future_hire,
        consultant,
        leaver,
        excluded,
    }
}

fn email(employee: &Employee) -> &str {
    employee.work_email.as_deref().expect("cast members have a work email")
}

/// The tests take turns: a debug window is heavy for the shared machine, and most tests expect to
/// be the only Roster on screen (two run side by side only on different data directories, as the
/// team test's do).
pub static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread")]
async fn an_it_admin_connects_kombo_filters_syncs_and_manages_people_in_the_window() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "DISPLAY is not set: the e2e test needs a display, e.g. `Xvfb :99 & DISPLAY=:99 cargo test -p roster --test e2e`"
    );
    let today = Local::now().date_naive();
    let simulator = Simulator::start(SimulatorConfig::demo(today)).expect("the simulator starts");
    let cast = cast(&simulator, today);
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    let _one_app_at_a_time = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start(data_dir.path(), Demo::Off);
    let window = Window { client: driver.launch(&driver::app()).await };

    // An empty directory: Roster asks for a source, and shows no demo company.
    window.wait_text(r#"[data-testid="sync-status"]"#, "No HR source connected").await;

    // Add a Kombo source with the simulator's key.
    window.click("nav-settings").await;
    window.click("add-source").await;
    window.click("provider-kombo").await;
    window.find(r#"[data-testid="add-step-data"]"#).await;
    // What Roster reads, and why: today's purposes, later features apart, and what is kept of the excluded.
    let table = window.wait_text(r#"[data-testid="data-retrieved"]"#, "(not yet: shipping equipment)").await;
    assert!(table.contains("why is this person missing?"), "the table says what is kept of excluded people: {table}");
    window.screenshot("add-source").await;
    window.click("data-continue").await;
    window.fill("source-name", SOURCE).await;
    window.fill("base-url", &simulator.base_url()).await;
    window.fill("integration-id", simulator.integration_id()).await;
    window.fill("api-key", simulator.api_key()).await;
    let key_type = window.find(r#"[data-testid="api-key"]"#).await.attr("type").await.ok().flatten();
    assert_eq!(key_type.as_deref(), Some("password"), "the API key field is masked");
    window.click("connect").await;
    window.find(r#"[data-testid="add-step-filters"]"#).await;

    // Set a legal-entity filter; the preview shows an excluded employee with the reason.
    window.click("preview").await;
    window.find(r#"[data-testid="preview-table"]"#).await;
    for (_, name) in &cast.kept {
        window.click_css(&format!(r#"[data-testid="filter-legal_entities"] input[data-value="{name}"]"#)).await;
    }
    window.click("preview").await;
    let excluded_row = format!(r#"tr[data-testid="preview-row"][data-email="{}"]"#, email(&cast.excluded));
    let reason = format!("legal entity \"{}\" is not among the selected legal entities", cast.excluded_entity);
    let result = window.wait_text(&format!(r#"{excluded_row} td[data-field="result"]"#), &reason).await;
    assert!(result.contains("Excluded"), "the preview marks {} as excluded: {result}", email(&cast.excluded));
    let hire_row = format!(r#"tr[data-testid="preview-row"][data-email="{}"]"#, email(&cast.future_hire));
    assert_eq!(
        window.find(&hire_row).await.attr("data-included").await.ok().flatten().as_deref(),
        Some("true"),
        "the future hire's legal entity is selected, so the preview includes them"
    );
    window.screenshot("add-source-filters").await;
    window.click("save-filters").await;

    // Run the first sync, with progress, to its result.
    window.click("start-first-sync").await;
    let result = window.wait_text(r#"[data-testid="first-sync-result"]"#, "employees imported").await;
    assert!(result.contains("excluded by your filters"), "the first sync reports the people the filter left out: {result}");
    window.click("finish").await;
    window.wait_text(r#"[data-testid="source-card"] [data-testid="source-state"]"#, "Up to date").await;
    window.screenshot("settings-employee-sync").await;

    // The future hire is under Onboardings, flagged as having no device yet; the excluded person is nowhere.
    window.click("nav-employees").await;
    let onboardings = window.list("onboardings", email(&cast.future_hire)).await;
    assert_eq!(onboardings, vec![email(&cast.future_hire).to_owned()], "the future hire is listed under Onboardings");
    let devices = window.text(r#"tr[data-testid="employee-row"] td[data-field="devices"]"#).await;
    assert_eq!(devices.trim(), "no device yet", "an onboarding without a device is flagged");
    window.list("onboardings", "").await;
    window.screenshot("onboardings").await;
    assert!(
        window.list("active", email(&cast.excluded)).await.is_empty(),
        "a person outside the selected legal entities is not imported"
    );

    // Hide the external consultant: they leave the list, and come back only with "show hidden".
    let consultant = email(&cast.consultant);
    assert_eq!(window.list("active", consultant).await, vec![consultant.to_owned()], "the consultant is active");
    window.click_css(r#"tr[data-testid="employee-row"] td[data-field="name"]"#).await;
    window.wait_text(r#"[data-testid="profile"] #profile-title"#, cast.consultant.last_name.as_deref().unwrap_or("")).await;
    window.click("hide-toggle").await;
    window.wait_text(r#"[data-testid="hide-toggle"]"#, "Unhide").await;
    window.client.find(fantoccini::Locator::Css(r#"[aria-label="Close the profile"]"#)).await.unwrap().click().await.unwrap();
    window.wait_count(r#"tr[data-testid="employee-row"]"#, "the hidden consultant leaves the Active list", |n| n == 0).await;
    window.click("show-hidden").await;
    window.wait_text(r#"tr[data-testid="employee-row"] td[data-field="name"]"#, "hidden").await;
    window.click("show-hidden").await;

    // Job title is imported once (the default): edit it, change it in HR, re-sync, and the edit stays.
    window.click("nav-settings").await;
    window.click("update-settings").await;
    window.click("source-tab-fields").await;
    let job_title_mode = window.find(r#"[data-testid="mode-job_title-import_once"]"#).await;
    assert!(job_title_mode.is_selected().await.unwrap_or(false), "job title is imported once by default");
    window.click("mode-job_title-import_once").await;
    window.screenshot("field-modes").await;
    window.click("source-tab-filtering").await;
    window.click("preview").await;
    window.find(r#"[data-testid="preview-table"]"#).await;
    window.screenshot("filtering-preview").await;

    window.click("nav-employees").await;
    let leaver = email(&cast.leaver);
    assert_eq!(window.list("active", leaver).await, vec![leaver.to_owned()], "the leaver is still active");
    window.click_css(r#"tr[data-testid="employee-row"] td[data-field="name"]"#).await;
    let locked = window.text(r#"[data-testid="profile"] [data-field="start_date"]"#).await;
    assert!(
        locked.contains(&format!("Synchronised from {SOURCE}, change it there")),
        "a continuous field is locked with a hint naming its source: {locked}"
    );
    window.click("edit-job_title").await;
    window.fill("edit-input", "Fleet coordinator").await;
    window.click("edit-save").await;
    window
        .wait_text(r#"[data-testid="profile"] [data-field="job_title"] [data-testid="field-value"]"#, "Fleet coordinator")
        .await;
    window.screenshot("profile").await;

    simulator.apply(Change::Edit {
        employee_id: cast.leaver.id.clone(),
        field: EditableField::JobTitle,
        value: Some("Changed in HR".into()),
    });
    // A continuous field changed in the same edit proves the re-sync did read the person.
    simulator.apply(Change::Edit {
        employee_id: cast.leaver.id.clone(),
        field: EditableField::FirstName,
        value: Some("Renamed".into()),
    });
    window.click("sync-all").await;
    window.wait_text(r#"[data-testid="profile"] [data-field="first_name"] [data-testid="field-value"]"#, "Renamed").await;
    let job_title = window.text(r#"[data-testid="profile"] [data-field="job_title"] [data-testid="field-value"]"#).await;
    assert_eq!(job_title, "Fleet coordinator", "the re-sync keeps the local edit of an import-once field");

    // Assign a device to the leaver: they show on Offboardings with a device to recover.
    window.client.find(fantoccini::Locator::Css(r#"[aria-label="Close the profile"]"#)).await.unwrap().click().await.unwrap();
    window.click("nav-devices").await;
    window.fill("device-model", "ThinkPad X1 Carbon").await;
    window.fill("device-serial", "E2E-0001").await;
    window.click("device-add").await;
    window.click("assign-E2E-0001").await;
    window.fill("employee-picker", leaver).await;
    window.click_css(r#"[data-testid^="pick-"]"#).await;
    window.click("device-confirm").await;
    window.wait_text(r#"tr[data-testid="device-row"][data-serial="E2E-0001"] td[data-field="holder"]"#, "Renamed").await;
    window.screenshot("devices").await;
    window.click("nav-employees").await;
    assert_eq!(window.list("offboardings", leaver).await, vec![leaver.to_owned()], "the leaver is an offboarding");
    let to_recover = window.text(r#"tr[data-testid="employee-row"] td[data-field="devices"]"#).await;
    assert_eq!(to_recover.trim(), "1 to recover", "an offboarding shows the devices to recover");
    window.list("offboardings", "").await;
    window.screenshot("offboardings").await;
    window.list("active", "").await;
    window.screenshot("employees").await;

    // The history shows both runs; "why is this person missing?" answers for the excluded person.
    window.click("nav-history").await;
    window.wait_count(r#"tr[data-testid="run-row"][data-outcome="succeeded"]"#, "both syncs are recorded", |n| n >= 2).await;
    window.fill("explain-query", email(&cast.excluded)).await;
    window.click("explain-ask").await;
    window.wait_text(r#"[data-testid="explain-findings"]"#, "excluded").await;
    window.screenshot("sync-history").await;

    // HR deletes half of the people Roster imported: the mass-change guard holds the sync, the
    // history shows the held plan person by person, and Discard drops it.
    let kept: BTreeSet<&str> = cast.kept.iter().map(|(id, _)| id.as_str()).collect();
    let deleted: Vec<Employee> = simulator
        .employees()
        .into_iter()
        .filter(|e| e.work_email.is_some() && e.legal_entity_id.as_deref().is_some_and(|id| kept.contains(id)))
        // People who left more than the default retention (365 days) ago were erased after the first sync.
        .filter(|e| date(e.termination_date).is_none_or(|d| d >= Local::now().date_naive() - chrono::Duration::days(365)))
        .step_by(2)
        .collect();
    for employee in &deleted {
        simulator.apply(Change::Delete { employee_id: employee.id.clone() });
    }
    window.click("sync-all").await;
    let held = window.find(r#"tr[data-testid="run-row"][data-outcome="held"]"#).await;
    let run_id = held.attr("data-run").await.ok().flatten().expect("a run row names its run");
    window.click(&format!("review-{run_id}")).await;
    let missing = format!(r#"[data-testid="held-plan-{run_id}"] [data-testid="held-change"][data-kind="missing"]"#);
    window
        .wait_count(&missing, "the held plan lists, person by person, everyone deleted in HR as missing", |n| n == deleted.len())
        .await;
    let someone = deleted[0].last_name.as_deref().expect("the deleted people have a last name");
    window.wait_text(&format!(r#"{missing}[data-remote="{}"]"#, deleted[0].id), someone).await;
    window.screenshot("held-plan").await;
    window.click(&format!("discard-{run_id}")).await;
    window
        .wait_count(r#"tr[data-testid="run-row"][data-outcome="discarded"]"#, "a discarded plan is recorded as such", |n| n == 1)
        .await;
    assert!(
        window.all(r#"tr[data-testid="run-row"][data-outcome="held"]"#).await.is_empty(),
        "once discarded, no plan waits for approval"
    );

    window.client.close().await.expect("the WebDriver session closes");
}
