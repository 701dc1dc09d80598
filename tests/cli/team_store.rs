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

#[test]
fn copying_a_local_directory_into_postgres_keeps_every_person_device_hide_and_run() {
    // The directory starts in this data directory's SQLite file, whatever the tests' store.
    let local = Roster::sqlite();
    let sim = crate::harness::simulator(41, 300);
    local.add_kombo("Acme HR", &sim);
    local.ok(&["sync"]);
    let people = local.json(&["employees", "--view", "all", "--limit", "1000"]);
    let someone = people[0]["work_email"].as_str().unwrap().to_owned();
    local.ok(&["device", "add", "--kind", "laptop", "--model", "X1", "--serial", "SN-COPY-1"]);
    local.ok(&["device", "assign", "SN-COPY-1", &someone, "--on", "2026-11-20"]);
    local.ok(&["hide", people[1]["work_email"].as_str().unwrap()]);
    let views = |roster: &Roster| {
        ["all", "active", "onboardings", "offboardings", "departed"].map(|view| {
            roster.json(&["employees", "--view", view, "--include-hidden", "--include-out-of-scope", "--limit", "1000"])
        })
    };
    let (before, devices, runs, profile) =
        (views(&local), local.json(&["device", "list"]), local.json(&["runs"]), local.json(&["show", &someone]));

    let database = cluster().database();
    let copied = local.run_with_stdin(&["directory", "copy", "--to", &database.url], &format!("{}\n", database.password));
    assert!(copied.status.success(), "{}", String::from_utf8_lossy(&copied.stderr));
    let said = String::from_utf8_lossy(&copied.stdout);
    assert!(said.contains(&format!("copied {} people", people.as_array().unwrap().len())), "{said}");
    assert_eq!(local.json(&["directory", "status"])["store"], "postgres", "the data directory now points at it");
    assert_eq!(views(&local), before, "every view lists the same people, hidden and out of scope included");
    assert_eq!(local.json(&["device", "list"]), devices, "devices and who holds them");
    assert_eq!(local.json(&["runs"]), runs, "the sync runs");
    assert_eq!(local.json(&["show", &someone]), profile, "a profile: its fields, their sources and its history");
    let resynced = local.json(&["sync"]);
    assert_eq!(resynced[0]["counts"]["created"], 0, "the next sync finds everyone there: {resynced}");
    assert_eq!(resynced[0]["outcome"], "applied", "{resynced}");
    local.ok(&["device", "add", "--kind", "phone", "--model", "P", "--serial", "SN-COPY-2"]);

    let again = Roster::sqlite();
    let refused = again.run_with_stdin(&["directory", "copy", "--to", &database.url], &format!("{}\n", database.password));
    assert!(!refused.status.success(), "a database that holds a directory is not overwritten");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already holds a directory"));
    assert_eq!(again.json(&["directory", "status"])["store"], "sqlite");
}
