//! `roster directory connect|status|disconnect`: a data directory pointed at a PostgreSQL
//! database of a real server the tests start, its password only in the OS keyring.

use roster_test_postgres::{cluster, Cluster};

use crate::harness::Roster;

#[test]
fn a_server_that_cannot_be_reached_is_said_so_at_start() {
    // A server of this test's own, to stop: the shared one serves the other tests.
    let server = Cluster::new();
    let database = server.database();
    let roster = Roster::new();
    let connected = roster.run_with_stdin(&["directory", "connect", &database.url], &format!("{}\n", database.password));
    assert!(connected.status.success(), "{}", String::from_utf8_lossy(&connected.stderr));
    server.stop();

    let out = roster.run(&["status"]);
    assert!(!out.status.success(), "nothing to show without the database");
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("cannot be reached") && message.contains(&database.url), "{message}");
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn the_check_of_a_postgres_directory_finds_a_disabled_trigger_and_a_newer_schema() {
    let database = cluster().database();
    let roster = Roster::new();
    let connected = roster.run_with_stdin(&["directory", "connect", &database.url], &format!("{}\n", database.password));
    assert!(connected.status.success(), "{}", String::from_utf8_lossy(&connected.stderr));
    let out = roster.ok(&["directory", "check"]);
    assert!(out.starts_with(&format!("ok: {}", database.url)), "{out}");

    let mut owner = database.connect();
    owner.batch_execute("ALTER TABLE device_assignments DISABLE TRIGGER device_assignments_held_insert").unwrap();
    let out = roster.run(&["directory", "check"]);
    assert!(!out.status.success(), "a problem is a failing check");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("the trigger device_assignments_held_insert of device_assignments is disabled"), "{report}");

    owner.batch_execute("ALTER TABLE device_assignments ENABLE TRIGGER device_assignments_held_insert; UPDATE roster_schema_version SET version = 99").unwrap();
    let check = roster.run(&["--json", "directory", "check"]);
    let check: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(check["ok"], false);
    assert_eq!(check["schema_version"], 99, "{check}");
}
