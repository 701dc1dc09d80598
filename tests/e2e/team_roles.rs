//! A viewer's window on a team's PostgreSQL directory: what the role cannot do is disabled, with
//! the reason on hover, while everything reads as for anyone else.

use std::collections::BTreeSet;
use std::path::Path;

use fantoccini::elements::Element;
use roster_engine::store::postgres;
use roster_engine::store::team::Role;
use roster_engine::Engine;

use crate::directory::{team_directory, TEAM};
use crate::driver::{self, Demo, TauriDriver};
use crate::window::Window;
use crate::ONE_APP_AT_A_TIME;

/// Not a tokio test: the database's blocking client must be dropped outside the async runtime.
#[test]
fn a_viewers_window_disables_what_its_role_cannot_do_and_says_why() {
    assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: the e2e test needs a display (see .ci/session)");
    let database = roster_test_postgres::cluster().database();
    database.allow_creating_roles();
    let team_dir = tempfile::tempdir().expect("the owner's data directory");
    team_directory(team_dir.path(), &database);
    let mut owner = Engine::open(team_dir.path()).expect("the owner opens the team's database");
    owner.init_team().expect("the owner sets the team up");
    let viewer = database.login("vic");
    owner.grant_role(&viewer.name, Role::Viewer).expect("the owner makes vic a viewer");
    drop(owner);
    let data_dir = tempfile::tempdir().expect("the viewer's data directory");
    postgres::connect(data_dir.path(), &viewer.url.parse().unwrap(), &viewer.password).expect("the viewer connects");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime for the window");
    runtime.block_on(in_the_window(data_dir.path()));
}

/// Whether the control can be used, and the reason it shows on hover.
async fn usable(element: &Element) -> (bool, String) {
    let enabled = element.is_enabled().await.expect("the element's state");
    let title = element.attr("title").await.ok().flatten().unwrap_or_default();
    (enabled, title)
}

async fn in_the_window(data_dir: &Path) {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let driver = TauriDriver::start(data_dir, Demo::Off);
    let window = Window { client: driver.launch(&driver::app()).await };
    let listed: BTreeSet<String> = window.list("active", "").await.into_iter().collect();
    assert_eq!(listed, TEAM.map(str::to_owned).into(), "a viewer reads the team's people");

    window.click_css(r#"tr[data-testid="employee-row"] td[data-field="name"]"#).await;
    let hide = window.find(r#"[data-testid="hide-toggle"]"#).await;
    assert_eq!(usable(&hide).await, (false, "needs an admin".to_owned()), "a viewer cannot hide people, and is told why");
    let assign = window.find(r#"[data-testid="assign-submit"]"#).await;
    assert_eq!(usable(&assign).await, (false, "needs an admin".to_owned()), "nor hand over devices");
    window.screenshot("team-viewer-profile").await;
    window.client.find(fantoccini::Locator::Css(r#"[aria-label="Close the profile"]"#)).await.unwrap().click().await.unwrap();

    let sync = window.find(r#"[data-testid="sync-all"]"#).await;
    assert_eq!(usable(&sync).await, (false, "needs an admin".to_owned()), "nor run syncs");

    window.click("nav-settings").await;
    window.click("settings-sync").await;
    let add = window.find(r#"[data-testid="add-source"]"#).await;
    assert!(!add.is_enabled().await.unwrap(), "sources are the owner's: adding one is disabled");
    let gate = window.find("fieldset.gate").await;
    let (disabled, title) = (gate.attr("disabled").await.unwrap(), gate.attr("title").await.unwrap());
    assert!(disabled.is_some(), "the owner's settings are disabled together");
    assert_eq!(title.as_deref(), Some("needs the directory's owner"), "and say why");
    window.screenshot("team-viewer-settings").await;

    // Which directory this computer shows is its own choice, whatever the role: the viewer can go back.
    window.click("settings-general").await;
    let back = window.find(r#"[data-testid="directory-disconnect"]"#).await;
    assert_eq!(usable(&back).await, (true, String::new()), "a viewer can switch this computer back to its own file");
    back.click().await.expect("click the switch back");
    window.wait_text(r#"[data-testid="directory-location"]"#, "this computer's file").await;
}
