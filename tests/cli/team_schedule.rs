//! `roster sync --due` on a directory two machines share in PostgreSQL: a machine runs a source's
//! scheduled syncs only once its own keyring holds the source's secret.

use std::path::Path;
use std::process::{Command, Output};

use roster_test_postgres::cluster;

use crate::harness::{run_roster, simulator, Roster};

/// `roster ARGS` on another machine: its own data directory and its own keyring (the kernel's,
/// in a session keyring of its own), where this machine's Secret Service holds nothing of it.
fn on_other_machine(data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut keyctl = Command::new("keyctl");
    keyctl.args(["session", "-", env!("CARGO_BIN_EXE_roster")]).env("ROSTER_KEYRING", "keyutils");
    let out = run_roster(keyctl, data_dir, args, stdin);
    assert!(out.status.success(), "roster {args:?} on the other machine: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn runs(roster: &Roster) -> usize {
    roster.json(&["runs"]).as_array().expect("a list of runs").len()
}

#[test]
fn a_machine_without_a_sources_secret_leaves_its_scheduled_syncs_to_the_machines_that_hold_it() {
    let database = cluster().database();
    let sim = simulator(83, 40);
    let here = Roster::sqlite();
    let connected = here.run_with_stdin(&["directory", "connect", &database.url], &format!("{}\n", database.password));
    assert!(connected.status.success(), "{}", String::from_utf8_lossy(&connected.stderr));
    here.add_kombo("HR", &sim);

    let other = tempfile::tempdir().unwrap();
    on_other_machine(other.path(), &["directory", "connect", &database.url], &format!("{}\n", database.password));
    let listed = on_other_machine(other.path(), &["source", "list"], "");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("HR"), "the other machine sees the shared source");

    on_other_machine(other.path(), &["sync", "--due"], "");
    assert_eq!(runs(&here), 0, "without the secret, the due sync is not the other machine's to run");
    let syncs_here = |out: Output| -> serde_json::Value {
        let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        status["sources"][0]["syncs_here"].clone()
    };
    assert_eq!(syncs_here(on_other_machine(other.path(), &["--json", "status"], "")), false, "the other machine says so");
    assert_eq!(here.json(&["status"])["sources"][0]["syncs_here"], true);

    on_other_machine(other.path(), &["source", "secret", "HR"], &format!("{}\n", sim.api_key()));
    on_other_machine(other.path(), &["sync", "--due"], "");
    assert_eq!(runs(&here), 1, "with its own copy of the secret, the other machine runs it");
    assert_eq!(syncs_here(on_other_machine(other.path(), &["--json", "status"], "")), true);
    here.ok(&["sync", "--due"]);
    assert_eq!(runs(&here), 1, "and this machine finds it done until the next hour");
}
