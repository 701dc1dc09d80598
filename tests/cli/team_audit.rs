//! `roster directory whoami` and `roster history --by`: who did what in a team's directory, two
//! admins (two data directories, two login roles) on one PostgreSQL database.

use roster_test_postgres::{cluster, Login};

use crate::harness::{simulator, Roster};

/// A data directory connected to the database as `role`.
fn admin(role: &Login) -> Roster {
    let roster = Roster::sqlite();
    let connected = roster.run_with_stdin(&["directory", "connect", &role.url], &format!("{}\n", role.password));
    assert!(connected.status.success(), "{}", String::from_utf8_lossy(&connected.stderr));
    roster
}

#[test]
fn whoami_sets_and_shows_each_admins_name_and_history_filters_the_changes_by_admin() {
    let database = cluster().database();
    let owner = Roster::sqlite();
    let made = owner.run_with_stdin(&["directory", "connect", &database.url], &format!("{}\n", database.password));
    assert!(made.status.success(), "the owner makes the schema: {}", String::from_utf8_lossy(&made.stderr));
    let (ada_role, bob_role) = (database.connecting_login("ada"), database.connecting_login("bob"));
    let (a, b) = (&ada_role.name, &bob_role.name);
    database
        .connect()
        .batch_execute(&format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {a}, {b};
             GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {a}, {b};"
        ))
        .unwrap();
    let (ada, bob) = (admin(&ada_role), admin(&bob_role));

    let unnamed = ada.ok(&["directory", "whoami"]);
    assert!(unnamed.contains(&format!("database role {a}, no display name yet")), "{unnamed}");
    let named = ada.ok(&["directory", "whoami", "--name", "Ada Admin"]);
    assert_eq!(named.trim(), format!("Ada Admin (database role {a})"), "the name is set for Ada's role");
    let bob_is = bob.json(&["directory", "whoami"]);
    assert_eq!(
        (&bob_is["role"], &bob_is["display_name"]),
        (&serde_json::json!(b), &serde_json::Value::Null),
        "Bob is still unnamed"
    );

    let sim = simulator(61, 30);
    ada.add_kombo("Acme HR", &sim);
    ada.ok(&["sync"]);
    let people = ada.json(&["employees"]);
    let (carol, dan) = (people[0]["work_email"].as_str().unwrap(), people[1]["work_email"].as_str().unwrap());
    ada.ok(&["device", "add", "--kind", "laptop", "--model", "X1", "--serial", "SN-9"]);
    ada.ok(&["device", "assign", "SN-9", carol]);
    bob.ok(&["hide", dan]);
    bob.ok(&["edit", carol, "job_title", "Head of Platform"]);

    ada.ok(&["settings", "--retention-days", "30"]);

    let adas = bob.ok(&["history", "--by", "Ada Admin"]);
    assert!(adas.contains("device_assigned laptop X1 (SN-9)") && adas.contains("by Ada Admin"), "{adas}");
    assert!(adas.contains("source_connected Acme HR\tby Ada Admin"), "connecting a source is Ada's change too: {adas}");
    assert!(adas.contains("setting_changed retention_days: 365 -> 30\tby Ada Admin"), "and so is a setting: {adas}");
    assert!(!adas.contains("hidden") && !adas.contains("edited"), "only Ada's changes: {adas}");
    let bobs = ada.json(&["history", "--by", b]);
    let actions: Vec<&str> = bobs.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.first(), Some(&"edited"), "Bob's changes, newest first, by his role: {actions:?}");
    assert!(actions.contains(&"hidden") && !actions.contains(&"device_assigned"), "{actions:?}");
    assert!(bobs.as_array().unwrap().iter().all(|e| e["made_by"] == b.as_str()), "{bobs}");
    let adas_count = ada.json(&["history", "--by", a]).as_array().unwrap().len();
    let everyone = ada.json(&["history"]).as_array().unwrap().len();
    assert_eq!(everyone, adas_count + actions.len(), "without --by, everyone's changes");

    let runs = bob.ok(&["runs"]);
    let machine = whoami::hostname().unwrap();
    assert!(runs.contains(&format!("(on {machine} by Ada Admin)")), "a run names its machine and who ran it: {runs}");
    let shown = bob.ok(&["show", carol]);
    assert!(shown.contains("edited job_title: ") && shown.contains(&format!("-> Head of Platform\tby {b}")), "{shown}");
}

#[test]
fn a_local_directory_has_no_display_names() {
    let roster = Roster::sqlite();
    assert!(roster.ok(&["directory", "whoami"]).contains("a local directory: every change in it is yours"));
    let refused = roster.run(&["directory", "whoami", "--name", "Ada"]);
    assert!(!refused.status.success(), "a name is refused where there are no roles");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("display names are for a team's directory"));
}
