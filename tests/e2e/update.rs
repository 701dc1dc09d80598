//! Signed updates, tried on an installed package: `.ci/package-check` installs a .deb built with a
//! throw-away signing key, serves a newer signed package and a tampered copy from 127.0.0.1, and
//! runs this test with `ROSTER_E2E_APP=/usr/bin/roster-app` and `ROSTER_E2E_UPDATES=<base URL>`.
//! Without a package installed there is nothing to update, so plain `cargo test` skips it.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::driver::{self, Demo, TauriDriver};
use crate::window::Window;
use crate::ONE_APP_AT_A_TIME;

/// The installed package's version, once dpkg has finished with it (unpacked but not yet
/// configured does not count: the install is still running).
fn installed_version() -> String {
    let out = Command::new("dpkg-query").args(["-W", "-f", "${Status} ${Version}", "roster"]).output().expect("dpkg-query runs");
    let status = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    status.strip_prefix("install ok installed ").map(str::to_owned).unwrap_or(status)
}

/// What dpkg has left half done (packages to configure, triggers to run); empty once an install
/// has finished, the man page and icon cache triggers included.
fn dpkg_unfinished() -> String {
    let out = Command::new("dpkg").arg("--audit").output().expect("dpkg runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs an installed package and an update server: run by .ci/package-check"]
async fn the_installed_app_installs_a_signed_update_and_refuses_a_tampered_one() {
    let updates = std::env::var("ROSTER_E2E_UPDATES").expect("ROSTER_E2E_UPDATES names the update server");
    let new_version = std::env::var("ROSTER_E2E_NEW_VERSION").expect("ROSTER_E2E_NEW_VERSION names the update's version");
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    let before = installed_version();
    assert_ne!(before, new_version, "the update is newer than the installed package");

    // A tampered package (one byte changed, the original signature) is refused; this version goes on.
    {
        let endpoint = format!("{updates}/tampered.json");
        let driver = TauriDriver::start_with_env(data_dir.path(), Demo::On, &[("ROSTER_UPDATE_ENDPOINT", &endpoint)]);
        let window = Window { client: driver.launch(&driver::app()).await };
        window.wait_text(r#"[data-testid="update-banner"]"#, &format!("Update available: {new_version}")).await;
        window.click("install-update").await;
        let refusal = window.wait_text(r#"[data-testid="update-error"]"#, "does not carry a valid signature").await;
        assert!(refusal.contains("not installed"), "the refusal says nothing was installed: {refusal}");
        assert_eq!(installed_version(), before, "a package whose signature does not match is never installed");
        window.wait_synced().await;
        window.screenshot("update-refused").await;
    }

    // The signed package is installed, Roster restarts, and the data directory is still there.
    let endpoint = format!("{updates}/latest.json");
    let driver = TauriDriver::start_with_env(data_dir.path(), Demo::On, &[("ROSTER_UPDATE_ENDPOINT", &endpoint)]);
    let window = Window { client: driver.launch(&driver::app()).await };
    window.wait_text(r#"[data-testid="update-banner"]"#, &format!("Update available: {new_version}")).await;
    window.screenshot("update-available").await;
    window.click("install-update").await;
    // The updater's dpkg runs in the app's process group, which the driver ends: wait until it
    // has finished (triggers included) and exited. Its last step, folding its journal into the
    // status file, comes after the package reads as installed; ended then, dpkg is "interrupted".
    let deadline = Instant::now() + Duration::from_secs(120);
    while installed_version() != new_version || !dpkg_unfinished().is_empty() || driver.runs("dpkg") {
        assert!(
            Instant::now() < deadline,
            "the signed update was not installed within 120 s (dpkg says {}; unfinished: {})",
            installed_version(),
            dpkg_unfinished()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(data_dir.path().join("roster.db").is_file(), "an update keeps the person's directory");
    drop(driver);
}
