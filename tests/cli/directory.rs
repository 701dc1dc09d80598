//! `roster directory status` and `check` of a local directory, and what every command says of a
//! damaged database file.

use crate::harness::{simulator, Roster};

/// A directory synced from a simulated company of 600 people.
fn synced() -> Roster {
    let sim = simulator(31, 600);
    let roster = Roster::sqlite();
    roster.add_kombo("Acme HR", &sim);
    roster.ok(&["sync"]);
    roster
}

#[test]
fn a_healthy_directory_checks_ok_and_says_where_it_is_and_what_it_holds() {
    let roster = synced();
    let file = roster.data_dir().join("roster.db");
    let out = roster.ok(&["directory", "check"]);
    assert_eq!(out.trim(), format!("ok: {} (schema version {})", file.display(), schema_version(&roster)), "a sound file is ok");
    let check = roster.json(&["directory", "check"]);
    assert_eq!(check["ok"], true, "--json says ok too: {check}");
    assert_eq!(check["problems"], serde_json::json!([]));

    let status = roster.json(&["directory", "status"]);
    assert_eq!(status["store"], "sqlite");
    assert_eq!(status["location"], file.to_str().unwrap(), "the status names the SQLite file");
    let on_disk: u64 = roster
        .database_files()
        .iter()
        .filter(|f| !f.to_string_lossy().ends_with("-shm"))
        .map(|f| f.metadata().unwrap().len())
        .sum();
    assert_eq!(status["size_bytes"], on_disk, "the size is the database's and its log's on disk");
    assert_eq!(status["schema_version"], schema_version(&roster));
    let everyone = roster.json(&["employees", "--view", "all", "--include-hidden", "--include-out-of-scope", "--limit", "10000"]);
    assert_eq!(status["people"], everyone.as_array().unwrap().len(), "people counts everyone in the directory");
    assert_eq!(status["sources"], 1);
    let text = roster.ok(&["directory", "status"]);
    assert!(text.contains(&format!("directory: {} (SQLite)", file.display())) && text.contains("sources: 1"), "{text}");
}

#[test]
fn a_damaged_database_file_gives_a_clear_message_naming_the_file_and_what_to_do() {
    let roster = synced();
    let file = roster.data_dir().join("roster.db");
    assert_eq!(roster.database_files(), vec![file.clone()], "the last command folded its log into the file");
    // The middle fifth of the file: pages of the employees among others.
    let mut bytes = std::fs::read(&file).unwrap();
    let (from, to) = (bytes.len() * 2 / 5, bytes.len() * 3 / 5);
    bytes[from..to].fill(0x5a);
    std::fs::write(&file, &bytes).unwrap();

    let check = roster.run(&["directory", "check"]);
    assert!(!check.status.success(), "a check that finds damage exits non-zero");
    let findings = String::from_utf8_lossy(&check.stdout);
    assert!(findings.starts_with(&format!("{}: problems found", file.display())), "the check names the file: {findings}");
    assert!(findings.contains("HMAC verification failed for page"), "and lists the damaged pages: {findings}");
    assert_clear(&check.stderr, &file, "directory check");
    let json = roster.run(&["--json", "directory", "check"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("--json prints the findings as JSON");
    assert_eq!(json["ok"], false, "{json}");

    // Every person's row: the damaged pages are among them (`status` counts from an index alone).
    let listed = roster.run(&["employees", "--view", "all"]);
    assert!(!listed.status.success(), "the people of a damaged file cannot be listed");
    assert_clear(&listed.stderr, &file, "employees");
}

/// The error names the file and what to do, in Roster's words only.
fn assert_clear(stderr: &[u8], file: &std::path::Path, command: &str) {
    let stderr = String::from_utf8_lossy(stderr);
    assert!(
        stderr.starts_with(&format!("error: the directory's database {} is damaged", file.display())),
        "roster {command} names the damaged file: {stderr}"
    );
    assert!(
        stderr.contains("restore the data directory from a backup") && stderr.contains("fresh data directory (`--data-dir`"),
        "roster {command} says what to do: {stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "roster {command} prints that one message, not SQLite's or SQLCipher's: {stderr}");
}

fn schema_version(roster: &Roster) -> i64 {
    let store = roster_engine::store::Store::open(roster.data_dir()).unwrap();
    store.conn().as_sqlite().expect("a local directory").pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
}
