//! Checklists in the window: ticking a step on a starter's profile moves the progress column of
//! Onboardings, and the shipping step shows the home address.

use chrono::{Local, Utc};
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::model::View;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{Simulator, SimulatorConfig};

use crate::driver::{Demo, TauriDriver};
use crate::window::Window;
use crate::{ONE_APP_AT_A_TIME, SOURCE};

/// Syncs the simulated company into `data_dir`; returns the work email and name of a starter with
/// a start date (so with a checklist).
fn directory_with_a_starter(data_dir: &std::path::Path, simulator: &Simulator) -> (String, String) {
    let mut engine = Engine::open(data_dir).expect("the directory opens");
    let config =
        KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().to_owned(), tool: None };
    engine.add_kombo_source(SOURCE, config, simulator.api_key(), Utc::now()).expect("the source connects");
    engine.sync(SOURCE, Utc::now(), SyncRequest::default()).expect("the first sync succeeds");
    let query = EmployeeQuery { view: View::Onboardings, ..EmployeeQuery::default() };
    let starter = engine
        .employees(&query, Utc::now())
        .unwrap()
        .into_iter()
        .find(|e| e.start_date.is_some() && e.work_email.is_some())
        .expect("the simulated company has a starter with a start date");
    let name = format!("{} {}", starter.first_name.unwrap_or_default(), starter.last_name.unwrap_or_default());
    (starter.work_email.unwrap(), name)
}

/// The window open on a synced directory with a starter, and everything that must outlive it.
pub(crate) struct Scene {
    pub(crate) window: Window,
    pub(crate) email: String,
    pub(crate) name: String,
    _driver: TauriDriver,
    _one_app_at_a_time: tokio::sync::MutexGuard<'static, ()>,
    _data_dir: tempfile::TempDir,
    _simulator: Simulator,
}

impl Scene {
    async fn open() -> Scene {
        Scene::open_with(|_, _| ()).await
    }

    /// Opens the window once `prepare` has had the directory and the starter's email.
    pub(crate) async fn open_with(prepare: impl FnOnce(&mut Engine, &str)) -> Scene {
        assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display");
        let simulator = Simulator::start(SimulatorConfig::demo(Local::now().date_naive())).expect("the simulator starts");
        let data_dir = tempfile::tempdir().expect("a temporary data directory");
        // The engine's HTTP client blocks: run it on this worker thread, outside the async runtime.
        let (email, name) = tokio::task::block_in_place(|| {
            let (email, name) = directory_with_a_starter(data_dir.path(), &simulator);
            prepare(&mut Engine::open(data_dir.path()).expect("the directory opens"), &email);
            (email, name)
        });
        let one_app_at_a_time = ONE_APP_AT_A_TIME.lock().await;
        let driver = TauriDriver::start(data_dir.path(), Demo::Off);
        let window = Window { client: driver.launch(env!("CARGO_BIN_EXE_roster-app")).await };
        Scene {
            window,
            email,
            name,
            _driver: driver,
            _one_app_at_a_time: one_app_at_a_time,
            _data_dir: data_dir,
            _simulator: simulator,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ticking_a_step_on_the_profile_moves_the_progress_in_onboardings() {
    let scene = Scene::open().await;
    let (window, email, name) = (&scene.window, &scene.email, &scene.name);
    assert_eq!(window.list("onboardings", email).await, vec![email.clone()], "the starter is in Onboardings");
    let row = format!(r#"tr[data-testid="employee-row"][data-email="{email}"]"#);
    let progress = format!(r#"{row} td[data-field="checklist"]"#);
    window.wait_text(&progress, "0/5").await;

    window.click_css(&format!(r#"{row} td[data-field="name"]"#)).await;
    let order = r#"[data-testid="checklist-step"][data-title="Order equipment"]"#;
    window.click_css(&format!(r#"{order} [data-testid="step-done"]"#)).await;
    window.find(&format!(r#"{order}[data-done="true"]"#)).await;
    window.wait_text(&progress, "1/5").await;
    let shipping = window.text(r#"[data-testid="shipping-address"]"#).await;
    assert!(shipping.starts_with(name.as_str()), "the shipping step shows the home address as a postal label: {shipping}");
    let street = shipping.lines().nth(1).expect("the label's street line");
    let profile_address = window.text(r#"[data-testid="profile"] .field[data-field="home_address"]"#).await;
    assert_eq!(profile_address.matches(street).count(), 1, "the profile shows the home address once: {profile_address}");

    window.click_css(&format!(r#"{order} [data-testid="step-done"]"#)).await;
    window.find(&format!(r#"{order}[data-done="false"]"#)).await;
    window.wait_text(&progress, "0/5").await;

    let accounts = r#"[data-testid="checklist-step"][data-title="Create accounts"]"#;
    window.click_css(&format!(r#"{accounts} [data-testid="step-annotate"]"#)).await;
    window.fill("step-assignee-input", "Sam (IT)").await;
    window.fill("step-comment-input", "needs a GitHub seat").await;
    window.click("step-annotate-save").await;
    window.wait_text(&format!(r#"{accounts} [data-testid="step-assignee"]"#), "Sam (IT)").await;
    window.wait_text(accounts, "needs a GitHub seat").await;

    // Ticked again, for the pictures of the profile and of the list behind it.
    window.click_css(&format!(r#"{order} [data-testid="step-done"]"#)).await;
    window.wait_text(&progress, "1/5").await;
    window.screenshot("checklist-profile").await;
    window.click_css(r#"[aria-label="Close the profile"]"#).await;
    let everyone = window.list("onboardings", "").await;
    assert!(everyone.contains(email), "the starter is among all onboardings: {everyone:?}");
    let started = window.all(r#"td[data-field="checklist"][data-total="5"]"#).await.len();
    assert!(started >= 1, "every starter with a start date has a checklist of five steps");
    let undated = window.all(r#"td[data-field="checklist"][data-total="0"]"#).await.len();
    assert_eq!(started + undated, everyone.len(), "a starter without a start date has no checklist yet");
    window.screenshot("checklist-onboardings").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_added_in_settings_gives_starters_its_steps_and_removing_it_takes_them_back() {
    let scene = Scene::open().await;
    let (window, email) = (&scene.window, &scene.email);
    window.click("nav-settings").await;
    window.click("settings-checklists").await;
    window.wait_count(r#"[data-testid="template"]"#, "the default templates", |n| n == 2).await;
    window.fill("template-name", "Security").await;
    window.fill("template-steps", "Issue a hardware key: -2").await;
    window.click("add-template").await;
    window
        .wait_text(r#"[data-testid="template"][data-name="Security"]"#, "Issue a hardware key — 2 days before the start date")
        .await;
    window.screenshot("settings-checklists").await;

    let row = format!(r#"tr[data-testid="employee-row"][data-email="{email}"]"#);
    let progress = format!(r#"{row} td[data-field="checklist"]"#);
    window.click("nav-employees").await;
    window.list("onboardings", email).await;
    window.wait_text(&progress, "0/6").await;

    window.click("nav-settings").await;
    window.click("settings-checklists").await;
    window.click_css(r#"[data-testid="template"][data-name="Security"] [data-testid="remove-template"]"#).await;
    window.wait_count(r#"[data-testid="template"]"#, "the template is gone", |n| n == 2).await;
    window.click("nav-employees").await;
    window.list("onboardings", email).await;
    window.wait_text(&progress, "0/5").await;
}
