//! The `roster` command line against the Kombo simulator over HTTP, with real SQLite files.

mod checklists;
#[path = "../support/data_dir.rs"]
mod data_dir;
mod device_rules;
mod diagnosis;
mod directory;
mod exports;
mod harness;
mod packaging;
mod team_audit;
mod team_roles;
mod team_schedule;
mod team_store;
mod terminal;
mod workflows;

use std::collections::BTreeSet;

use harness::{any_file_contains, simulator, today, Roster};
use roster_simulator::{Change, EditableField, Employee, EmploymentStatus, Fault, Model};

/// The simulator's people who belong in a view, by the product's definitions, as (first, last, email).
fn expected(sim: &roster_simulator::Simulator, view: &str) -> BTreeSet<(String, String, String)> {
    let today = today();
    sim.employees()
        .into_iter()
        .filter(|e| e.remote_deleted_at.is_none())
        .filter(|e: &Employee| {
            let start = e.start_date.map(|d| d.date_naive());
            let end = e.termination_date.map(|d| d.date_naive());
            let status = e.employment_status;
            let left = matches!(end, Some(d) if d < today) || (end.is_none() && status == Some(EmploymentStatus::Inactive));
            let onboarding = matches!(start, Some(d) if d > today) || status == Some(EmploymentStatus::Pending);
            match view {
                "active" => {
                    !left
                        && (matches!(start, Some(d) if d <= today)
                            || (start.is_none() && status != Some(EmploymentStatus::Pending)))
                }
                "onboardings" => !left && onboarding,
                "offboardings" => matches!(end, Some(d) if d >= today - chrono::Duration::days(30)),
                _ => unreachable!(),
            }
        })
        .map(|e| (e.first_name.unwrap_or_default(), e.last_name.unwrap_or_default(), e.work_email.unwrap_or_default()))
        .collect()
}

fn listed(roster: &Roster, view: &str) -> BTreeSet<(String, String, String)> {
    let rows = roster.json(&["employees", "--view", view]);
    rows.as_array()
        .expect("employees --json prints an array")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (s("first_name"), s("last_name"), s("work_email"))
        })
        .collect()
}

#[test]
fn sync_fills_the_directory_with_the_simulators_employees_under_kombo_field_names() {
    let sim = simulator(11, 80);
    let roster = Roster::new();
    roster.add_kombo("Acme HR", &sim);
    let report = roster.json(&["sync"]);
    assert_eq!(report[0]["run_id"], 1, "the sync is recorded as run 1");

    let rows = roster.json(&["employees"]);
    let first = &rows[0];
    for key in [
        "first_name",
        "last_name",
        "work_email",
        "job_title",
        "employment_status",
        "start_date",
        "termination_date",
        "employee_number",
    ] {
        assert!(first.get(key).is_some(), "employees --json uses Kombo's field name {key}: {first}");
    }
    for view in ["active", "onboardings", "offboardings"] {
        let want = expected(&sim, view);
        assert!(!want.is_empty(), "the simulated company has people in {view}");
        assert_eq!(listed(&roster, view), want, "the {view} view lists exactly the simulator's {view}");
    }
    let listed_sources = roster.json(&["source", "list"]);
    assert_eq!(listed_sources[0]["name"], "Acme HR");
    assert!(listed_sources[0]["first_synced_at"].is_string(), "a successful sync marks the source as synced");
}

#[test]
fn the_api_key_and_sensitive_hr_fields_never_reach_the_database() {
    let sim = simulator(12, 60);
    let roster = Roster::new();
    roster.add_kombo("Acme HR", &sim);
    roster.ok(&["sync"]);
    let files = roster.database_files();
    assert!(!files.is_empty() || roster.dir.is_postgres(), "a local directory's files are searched");
    // The files are encrypted, so their rows are searched through the key as well.
    let rows = roster.directory_dump();
    assert!(!any_file_contains(&files, sim.api_key()), "the API key lives in the OS keyring, never in SQLite");
    assert!(!rows.contains(sim.api_key()), "no row of the database holds the API key");
    // Every command's output and the debug log say nothing of the key either.
    for args in [
        &["--json", "source", "list"][..],
        &["--json", "status"],
        &["--json", "runs"],
        &["--json", "sync", "--dry-run"],
        &["--json", "employees", "--view", "all"],
        &["source", "list"],
        &["status"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(args)
            .env("ROSTER_DATA_DIR", roster.data_dir())
            .env("ROSTER_NOW", harness::NOW)
            .env("ROSTER_LOG", "debug")
            .output()
            .unwrap();
        assert!(out.status.success(), "roster {args:?} works");
        for stream in [&out.stdout, &out.stderr] {
            assert!(!String::from_utf8_lossy(stream).contains(sim.api_key()), "roster {args:?} never prints or logs the key");
        }
    }

    let mut checked = 0;
    for e in sim.employees() {
        let mut secrets: Vec<String> = [e.ssn.clone(), e.tax_id.clone()].into_iter().flatten().collect();
        secrets.extend(e.date_of_birth.map(|d| d.date_naive().to_string()));
        for account in e.bank_accounts.clone().unwrap_or_default() {
            secrets.extend(account.iban.clone());
            secrets.extend(account.account_number.clone());
        }
        for secret in secrets {
            checked += 1;
            assert!(
                !any_file_contains(&files, &secret) && !rows.contains(&secret),
                "{secret:?} of {:?} is not on the brief's list and is never stored",
                e.last_name
            );
        }
    }
    assert!(checked > 100, "the simulator sends sensitive values to check ({checked} checked)");
}

#[test]
fn a_wrong_api_key_is_refused_when_connecting_and_never_echoed() {
    let sim = simulator(13, 30);
    let roster = Roster::new();
    let wrong = "sk_wrong_key_0123456789";
    let out = roster.run_with_stdin(
        &["source", "add", "kombo", "--name", "Acme HR", "--base-url", &sim.base_url(), "--integration-id", sim.integration_id()],
        wrong,
    );
    assert!(!out.status.success(), "a key Kombo rejects does not connect a source");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rejected the API key"), "the error says what is wrong: {stderr}");
    assert!(!stderr.contains(wrong), "the error never repeats the key");
    assert_eq!(roster.json(&["source", "list"]), serde_json::json!([]), "no source is left half-connected");
}

#[test]
fn a_sync_that_fails_mid_run_names_the_model_and_page_and_changes_nothing() {
    // 600 people make three pages of 250.
    let sim = simulator(14, 600);
    let roster = Roster::new();
    roster.add_kombo("Acme HR", &sim);

    sim.inject(Fault::ServerError { model: Model::Employees, page: 3, times: u32::MAX });
    let out = roster.run(&["sync"]);
    assert!(!out.status.success(), "a failed first sync exits non-zero");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("employees page 3"), "the error names the model and page: {stderr}");
    assert_eq!(roster.json(&["employees", "--view", "all"]), serde_json::json!([]), "a failed first sync stores nobody");
    sim.clear_faults();
    roster.ok(&["sync"]);

    let someone = sim.employees().into_iter().find(|e| e.employment_status == Some(EmploymentStatus::Active)).unwrap();
    sim.apply(Change::Edit { employee_id: someone.id.clone(), field: EditableField::LastName, value: Some("Renamed".into()) });
    let before = roster.directory_dump();
    for fault in [
        Fault::ServerError { model: Model::Employees, page: 3, times: u32::MAX },
        Fault::DropConnection { model: Model::Employees, page: 3, times: u32::MAX },
        Fault::MalformedJson { model: Model::Employees, page: 3, times: u32::MAX },
    ] {
        sim.clear_faults();
        sim.inject(fault);
        // A full read: an incremental one would fetch one page only.
        let out = roster.run(&["sync", "--full"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{fault:?} makes the sync fail");
        assert!(stderr.contains("employees page 3"), "{fault:?}: the error names the model and page: {stderr}");
        assert_eq!(roster.directory_dump(), before, "{fault:?}: a failed sync leaves the directory exactly as it was");
    }
    let runs = roster.json(&["runs"]);
    assert_eq!(runs[0]["outcome"], "failed", "the failed run is in the history");
    assert!(runs[0]["error"].as_str().unwrap().contains("employees page 3"));

    // A first sync writes people as it reads them: a second source with the same people fails
    // after two pages were matched and linked, and those writes go too.
    let second = simulator(14, 600);
    roster.add_kombo("Second HR", &second);
    second.inject(Fault::DropConnection { model: Model::Employees, page: 3, times: u32::MAX });
    let before_second = roster.directory_dump();
    let out = roster.run(&["sync", "--source", "Second HR"]);
    assert!(!out.status.success(), "the second source's first sync fails");
    assert!(String::from_utf8_lossy(&out.stderr).contains("employees page 3"));
    assert_eq!(roster.directory_dump(), before_second, "a failed first sync leaves the directory exactly as it was");
    roster.ok(&["source", "remove", "Second HR"]);

    sim.clear_faults();
    roster.ok(&["sync"]);
    let renamed = roster.json(&["employees", "--search", "Renamed"]);
    assert_eq!(renamed.as_array().unwrap().len(), 1, "once the HR system answers again, the change arrives");
}

#[test]
fn a_rate_limited_read_waits_as_told_and_succeeds() {
    let sim = simulator(15, 40);
    let roster = Roster::new();
    roster.add_kombo("Acme HR", &sim);
    sim.inject(Fault::RateLimit { model: Model::Employees, retry_after_secs: 1, times: 1 });
    roster.ok(&["sync"]);
    let employee_requests = sim.requests().iter().filter(|r| r.path.ends_with("/hris/employees")).count();
    assert!(employee_requests >= 2, "the rate-limited page was asked again ({employee_requests} requests)");
    assert!(!roster.json(&["employees"]).as_array().unwrap().is_empty());
}

#[test]
fn an_unavailable_keyring_gives_a_clear_error_naming_the_fix() {
    let sim = simulator(16, 20);
    let roster = Roster::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["source", "add", "kombo", "--name", "HR", "--base-url", &sim.base_url(), "--integration-id", sim.integration_id()])
        .env("ROSTER_DATA_DIR", roster.data_dir())
        .env("ROSTER_API_KEY", sim.api_key())
        .env("ROSTER_KEYRING", "secret-service")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/roster-test-bus")
        .output()
        .unwrap();
    assert!(!out.status.success(), "without a keyring no source is added");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("keyring is locked or unavailable") && stderr.contains("unlock"),
        "the error names the fix: {stderr}"
    );
    assert!(!stderr.contains(sim.api_key()), "and never shows the key");
    assert_eq!(roster.json(&["source", "list"]), serde_json::json!([]), "nothing is half-added");
}

#[test]
fn kombo_connect_turns_the_flows_activation_token_into_a_connected_source() {
    use std::io::{BufRead, BufReader, Write};
    let sim = simulator(17, 20);
    let roster = Roster::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["--json", "source", "add", "kombo-connect", "--name", "Connected HR", "--base-url", &sim.base_url()])
        .args(["--email", "it@quillon.example", "--organization", "Quillon"])
        .env("ROSTER_DATA_DIR", roster.data_dir())
        .env("ROSTER_API_KEY", sim.api_key())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let link = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "roster prints the Connect link");
        if line.starts_with("http") {
            break line.trim().to_owned();
        }
    };
    // The person completes the flow in the browser; the simulator plays Kombo's side.
    let token = sim.complete_connect_link(&link);
    writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the token connects the source");
    let source: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(source["config"]["integration_id"], sim.integration_id(), "the token resolves to the integration id");
    assert_eq!(source["config"]["tool"], "personio", "and the HR system behind it is known");
    roster.ok(&["sync"]);
    assert!(!roster.json(&["employees"]).as_array().unwrap().is_empty(), "the connected source syncs");
}

#[test]
fn a_csv_file_is_added_as_a_source_and_synced_from_the_command_line() {
    let roster = Roster::new();
    let file = roster.data_dir().join("people.csv");
    std::fs::write(
        &file,
        "\u{feff}Employee number;First name;Last name;Work email;Job title;Legal entity;Start date;End date\n\
         E1;Ada;Lovelace;ada@example.com;Engineer;Acme GmbH;2020-01-06;\n\
         E2;Alan;Turing;alan@example.com;Researcher;Acme Ltd;2026-12-01;\n",
    )
    .unwrap();
    roster.ok(&["source", "add", "csv", "--name", "Spreadsheet", "--file", file.to_str().unwrap()]);
    roster.ok(&["sync"]);
    let active = roster.json(&["employees"]);
    assert_eq!(active[0]["work_email"], "ada@example.com", "the CSV's active person is listed");
    let onboardings = roster.json(&["employees", "--view", "onboardings"]);
    assert_eq!(onboardings[0]["work_email"], "alan@example.com", "and its future hire is an onboarding");

    std::fs::write(&file, "Employee number,First name,Start date\nE1,Ada,31/02/2026\n").unwrap();
    let out = roster.run(&["sync"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a broken file fails the sync");
    assert!(stderr.contains("line 2") && stderr.contains("31/02/2026"), "the error names the line and the value: {stderr}");
    assert_eq!(roster.json(&["employees", "--view", "all"]).as_array().unwrap().len(), 2, "and changes nothing");
}

#[test]
fn a_person_can_export_their_data_and_be_erased_once_no_source_returns_them() {
    let sim = simulator(17, 30);
    let roster = Roster::new();
    roster.add_kombo("Acme HR", &sim);
    roster.ok(&["sync"]);
    let person = sim.employees().into_iter().find(|e| e.work_email.is_some() && e.last_name.is_some()).unwrap();
    let (email, last_name) = (person.work_email.clone().unwrap(), person.last_name.clone().unwrap());
    let first_name = person.first_name.clone().unwrap_or_default();

    let export = roster.json(&["person", "export", &email]);
    let fields = export["profile"]["fields"].as_array().expect("the export lists every field");
    let work_email = fields.iter().find(|f| f["field"] == "work_email").expect("the work email is exported");
    assert_eq!(work_email["value"], email.as_str(), "the export holds the person's values");
    assert_eq!(work_email["source"], "Acme HR", "each value is exported with its source");
    assert_eq!(
        export["source_records"][0]["remote_id"],
        person.id.as_str(),
        "the export names the person's record in each source"
    );
    assert!(
        export["profile"]["history"].is_array() && export["devices"].is_array(),
        "history and devices are part of the export"
    );

    let refused = roster.run(&["person", "erase", &email]);
    assert!(!refused.status.success(), "a person a connected source still returns is not erased");
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("still returned by Acme HR"), "the refusal gives the reason: {message}");

    roster.ok(&["device", "add", "--kind", "laptop", "--model", "X1", "--serial", "SN-ERASE-1"]);
    roster.ok(&["device", "assign", "SN-ERASE-1", &email, "--on", "2026-01-05"]);
    roster.ok(&["device", "return", "SN-ERASE-1", "--on", "2026-06-30"]);
    sim.apply(Change::Delete { employee_id: person.id.clone() });
    roster.ok(&["sync", "--full"]);
    roster.ok(&["person", "erase", &email]);
    let history = roster.ok(&["device", "history", "SN-ERASE-1"]);
    assert!(
        history.contains("2026-01-05 to 2026-06-30\tformer employee"),
        "the device keeps the hand-over, held by a former employee: {history}"
    );
    let dump = roster.directory_dump();
    let naming: Vec<&str> =
        dump.lines().filter(|l| l.contains(&email) || l.contains(&format!("{first_name} {last_name}"))).collect();
    assert!(naming.is_empty(), "no row of any table names the erased person: {naming:?}");
    assert!(dump.contains("erased a person"), "the erasure is in the history, without the person's data");
    for file in roster.database_files() {
        assert!(
            !any_file_contains(std::slice::from_ref(&file), &email),
            "{} holds no byte of the erased person in clear",
            file.display()
        );
    }
    let gone = roster.run(&["show", &email]);
    assert!(!gone.status.success(), "an erased person is no longer in the directory");
}

#[test]
fn the_retention_period_is_a_setting_of_365_days_by_default() {
    let roster = Roster::new();
    let settings = roster.json(&["settings"]);
    assert_eq!(settings["retention_days"], 365, "people who left are kept a year by default");
    let changed = roster.json(&["settings", "--retention-days", "0"]);
    assert_eq!(changed["retention_days"], 0, "0 keeps people who left");
    let text = roster.ok(&["settings"]);
    assert!(text.contains("people who left are kept"), "the setting is shown in words: {text}");
}

#[test]
fn the_sync_time_limit_is_a_setting_of_30_minutes_by_default() {
    let roster = Roster::new();
    assert_eq!(roster.json(&["settings"])["sync_deadline_secs"], 30 * 60, "a sync may run half an hour by default");
    let changed = roster.json(&["settings", "--sync-deadline-minutes", "90"]);
    assert_eq!(changed["sync_deadline_secs"], 90 * 60, "the limit is set in minutes");
    assert!(roster.ok(&["settings"]).contains("a sync stops after 90 minutes"), "the setting is shown in words");
    let refused = roster.run(&["settings", "--sync-deadline-minutes", "0"]);
    assert!(!refused.status.success(), "a sync cannot be limited to no time at all");
}

#[test]
fn without_a_keyring_the_encrypted_directory_says_how_to_unlock_it() {
    let roster = Roster::new();
    roster.ok(&["status"]);
    // The same directory, from a session whose Secret Service cannot be reached.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["status"])
        .env("ROSTER_DATA_DIR", roster.data_dir())
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", roster.data_dir().join("no-bus").display()))
        .env_remove("ROSTER_KEYRING")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the database is not opened without its key");
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("keyring is locked or unavailable") && message.contains("unlock it"),
        "the error is the keyring's, with the fix: {message}"
    );
}
