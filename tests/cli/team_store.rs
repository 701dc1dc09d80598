//! `roster directory connect|status|disconnect`: a data directory pointed at a PostgreSQL
//! database of a real server the tests start, its password only in the OS keyring.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use roster_test_postgres::{cluster, Authority, Cluster};

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
    let (runs_now, profile_now) = (local.json(&["runs"]), local.json(&["show", &someone]));
    assert_eq!(unattributed(runs_now.clone()), unattributed(runs), "the sync runs");
    assert_eq!(unattributed(profile_now), unattributed(profile), "a profile: its fields, their sources and its history");
    let role = database.url.split_once("//").and_then(|(_, rest)| rest.split_once('@')).unwrap().0;
    assert_eq!(runs_now[0]["run_by"], role, "the database names the role that copied the one person's runs as theirs");
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

/// `value` without the roles named as making its changes and runs: a local directory names none,
/// and PostgreSQL names the role that wrote each row, here the one that copied them.
fn unattributed(mut value: serde_json::Value) -> serde_json::Value {
    match &mut value {
        serde_json::Value::Object(map) => {
            for key in ["made_by", "made_by_name", "run_by", "run_by_name", "assigned_by", "returned_by"] {
                map.remove(key);
            }
            for v in map.values_mut() {
                *v = unattributed(v.take());
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| *v = unattributed(v.take())),
        _ => {}
    }
    value
}

/// A server with TLS, shared by this file's TLS tests, whose certificate for localhost and
/// 127.0.0.1 a company's CA issued; and that CA's certificate (PEM).
fn tls_server() -> &'static (Cluster, String) {
    static SERVER: OnceLock<(Cluster, String)> = OnceLock::new();
    SERVER.get_or_init(|| {
        let company = Authority::new("Roster test company CA");
        let issued = company.issue(&["localhost", "127.0.0.1"]);
        (Cluster::with_tls(&issued.cert_pem, &issued.key_pem), company.pem())
    })
}

/// What `roster directory connect ADDRESS` printed and wrote, with `trusted` (a PEM file) as the
/// OS trust store: the child's alone, never this machine's.
fn connect_trusting(roster: &Roster, address: &str, password: &str, trusted: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["directory", "connect", address])
        .env("ROSTER_DATA_DIR", roster.data_dir())
        .env("ROSTER_DB_PASSWORD", password)
        .env("SSL_CERT_FILE", trusted)
        .env_remove("SSL_CERT_DIR")
        .stdin(Stdio::null())
        .output()
        .expect("the roster binary runs")
}

/// The data directory's pointer to its database, if it has one.
fn location_file(roster: &Roster) -> Option<String> {
    std::fs::read_to_string(roster.data_dir().join("directory.json")).ok()
}

#[test]
fn verify_full_with_the_servers_ca_file_connects_and_the_check_says_ok() {
    let (server, company_pem) = tls_server();
    let database = server.database();
    let files = tempfile::tempdir().unwrap();
    let ca = files.path().join("company-ca.pem");
    std::fs::write(&ca, company_pem).unwrap();
    let roster = Roster::new();
    let address = format!("{}?sslmode=verify-full&sslrootcert={}", database.url_by_name(), ca.display());
    let connected = roster.run_with_stdin(&["directory", "connect", &address], &format!("{}\n", database.password));
    assert!(connected.status.success(), "{}", String::from_utf8_lossy(&connected.stderr));

    let out = roster.ok(&["directory", "check"]);
    assert!(out.starts_with(&format!("ok: {}", database.url_by_name())), "the check reaches the database over TLS: {out}");
    let stored: serde_json::Value = serde_json::from_str(&location_file(&roster).unwrap()).unwrap();
    assert_eq!(stored["url"], database.url_by_name(), "the address is kept without its options");
    assert_eq!(stored["sslmode"], "verify-full", "{stored}");
    assert_eq!(stored["sslrootcert"], ca.to_str().unwrap(), "{stored}");
    assert!(!stored.to_string().contains(&database.password), "the password is not in directory.json");
}

#[test]
fn a_certificate_from_another_ca_is_refused_with_what_to_do_and_nothing_is_saved() {
    let (server, _) = tls_server();
    let database = server.database();
    let files = tempfile::tempdir().unwrap();
    let other = files.path().join("other-ca.pem");
    std::fs::write(&other, Authority::new("Roster test other CA").pem()).unwrap();
    let roster = Roster::new();
    let before = location_file(&roster);
    let address = format!("{}?sslmode=require&sslrootcert={}", database.url_by_name(), other.display());
    let out = roster.run_with_stdin(&["directory", "connect", &address], &format!("{}\n", database.password));

    assert!(!out.status.success(), "an unverified server is not connected to");
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains(&database.url_by_name()), "the message names the database: {message}");
    assert!(
        message.contains("certificate was not trusted") && message.contains("sslrootcert=") && message.contains("trust store"),
        "the message says what to do: {message}"
    );
    assert!(!message.contains(&database.password), "{message}");
    assert_eq!(location_file(&roster), before, "nothing is saved: the data directory points where it did");
}

#[test]
fn a_ca_in_the_os_trust_store_is_trusted_without_a_ca_file() {
    let (server, company_pem) = tls_server();
    let database = server.database();
    let files = tempfile::tempdir().unwrap();
    let (company, other) = (files.path().join("company.pem"), files.path().join("other.pem"));
    std::fs::write(&company, company_pem).unwrap();
    std::fs::write(&other, Authority::new("Roster test other CA").pem()).unwrap();
    let address = format!("{}?sslmode=verify-full", database.url_by_name());

    let refused = connect_trusting(&Roster::new(), &address, &database.password, &other);
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && message.contains("certificate was not trusted"), "{message}");
    let roster = Roster::new();
    let connected = connect_trusting(&roster, &address, &database.password, &company);
    assert!(
        connected.status.success(),
        "the company's CA in the trust store vouches for the server: {}",
        String::from_utf8_lossy(&connected.stderr)
    );
    assert!(location_file(&roster).is_some_and(|file| file.contains("verify-full")), "{:?}", location_file(&roster));
}

#[test]
fn an_address_with_an_unknown_option_is_refused_before_the_password_is_asked() {
    let roster = Roster::new();
    let before = location_file(&roster);
    let out = roster.run(&["directory", "connect", "postgres://roster@localhost:5432/roster?sslmode=verify-full&sslcert=me.pem"]);
    assert!(!out.status.success(), "an unknown option is refused");
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("option sslcert is not supported") && message.contains("sslrootcert="), "{message}");
    assert!(!message.contains("password"), "the address is refused before a password is read: {message}");
    assert_eq!(location_file(&roster), before, "nothing is saved");
}
