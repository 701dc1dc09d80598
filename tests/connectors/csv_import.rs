//! CSV import: a file is a source; it is checked whole, and any problem refuses all of it.

use std::path::Path;

use roster_engine::sync::SyncRequest;

use crate::peers::{by_email, engine, everyone, now};

/// BOM, semicolons, and headers as a spreadsheet writes them; "Salary" is not a brief field.
const COMPANY: &str = "\u{feff}Employee number;Given name;Surname;Email;Job title;Status;Contract type;Company;Office;\
Teams;Department;Manager;Hire date;End date;Street;City;Zip;Country;Salary\n\
E1;Ada;Lovelace;ada@acme.example;CTO;active;Full time;Acme SAS;Paris;Platform|Security;Engineering;;2020-01-06;;1 rue de Rivoli;Paris;75001;FR;99999\n\
E2;Alan;Turing;alan@acme.example;Engineer;ACTIVE;CONTRACT;Acme GmbH;Berlin;platform;Engineering;E1;2021-03-01;2026-12-15;;;;;88888\n\
E3;Grace;Hopper;grace@acme.example;Engineer;pending;full-time;Acme SAS;Paris;;;ada@acme.example;2027-01-04;;;;;;77777\n";

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_csv_file_is_a_source_whose_people_teams_managers_and_entities_reach_the_directory() {
    let files = tempfile::tempdir().unwrap();
    let path = write(files.path(), "people.csv", COMPANY);
    let (dir, mut engine) = engine();
    engine.add_csv_source("HR export", &path, now()).expect("a valid file is accepted");
    engine.sync("HR export", now(), SyncRequest::default()).expect("the file syncs");

    let rows = everyone(&engine);
    assert_eq!(rows.len(), 3, "every row of the file is a person");
    let ada = by_email(&rows, "ada@acme.example");
    let alan = by_email(&rows, "alan@acme.example");
    let grace = by_email(&rows, "grace@acme.example");
    assert_eq!(ada.first_name.as_deref(), Some("Ada"), "\"Given name\" is read as first_name");
    assert_eq!(ada.last_name.as_deref(), Some("Lovelace"), "\"Surname\" is read as last_name");
    assert_eq!(ada.start_date.as_deref(), Some("2020-01-06"), "\"Hire date\" is read as start_date");
    assert_eq!(alan.termination_date.as_deref(), Some("2026-12-15"), "\"End date\" is read as the end date");
    assert_eq!(ada.employment_status.as_deref(), Some("ACTIVE"), "statuses are read in Kombo's form whatever their case");
    assert_eq!(ada.employment_type.as_deref(), Some("FULL_TIME"), "employment types are normalised to Kombo's form");
    assert_eq!(ada.legal_entity.as_deref(), Some("Acme SAS"), "a company named in the file becomes a legal entity");
    assert_eq!(alan.work_location.as_deref(), Some("Berlin"), "an office named in the file becomes a work location");
    assert_eq!(ada.teams, vec!["Platform", "Security"], "teams split on | become the person's teams");
    assert_eq!(alan.teams, vec!["Platform"], "team names match whatever their case");
    assert_eq!(alan.manager.as_deref(), Some("Ada Lovelace"), "a manager given by employee number is linked");
    assert_eq!(grace.manager.as_deref(), Some("Ada Lovelace"), "a manager given by work email is linked");

    let db = std::fs::read(dir.path().join("roster.db")).unwrap();
    for salary in ["99999", "88888", "77777"] {
        assert!(!db.windows(5).any(|w| w == salary.as_bytes()), "a column outside the brief's fields is never stored");
    }
    let source = engine.source("HR export").unwrap();
    assert_eq!(source.config["path"], path.canonicalize().unwrap().display().to_string(), "the source keeps the file's path");
}

#[test]
fn a_csv_file_with_problems_is_refused_whole_with_every_problem_by_line() {
    let files = tempfile::tempdir().unwrap();
    let text = "employee_number,first_name,last_name,work_email,start_date,manager,status\n\
                E1,Ada,Lovelace,ada@acme.example,2020-01-06,,ACTIVE\n\
                E2,Alan,Turing,alan@acme.example,31/02/2026,E1,ACTIVE\n\
                E1,Grace,Hopper,grace@acme.example,2021-01-01,,ACTIVE\n\
                ,Nobody,Known,,2021-01-01,,ACTIVE\n\
                E5,Kat,Johnson,ADA@acme.example,2021-01-01,E99,Actif\n";
    let path = write(files.path(), "broken.csv", text);
    let (_dir, mut engine) = engine();
    let error = engine.add_csv_source("HR export", &path, now()).expect_err("a file with problems is refused").to_string();
    for expected in [
        "line 3: start_date \"31/02/2026\" is not a date",
        "line 4: employee_number \"E1\" is also on line 2",
        "line 5: neither an employee_number nor a work_email",
        "line 6: work_email \"ADA@acme.example\" is also on line 2",
        "line 6: manager \"E99\" is neither the employee number nor the work email of anyone in the file",
        "line 6: status \"Actif\" is not one of ACTIVE, PENDING, INACTIVE, LEAVE",
    ] {
        assert!(error.contains(expected), "every problem of the file is listed with its line: missing {expected:?} in\n{error}");
    }
    assert!(engine.sources().unwrap().is_empty(), "a refused file adds no source");
}

#[test]
fn the_list_of_problems_is_capped_so_a_wholly_wrong_file_still_reads() {
    let files = tempfile::tempdir().unwrap();
    let mut text = String::from("work_email,start_date\n");
    for i in 0..60 {
        text.push_str(&format!("p{i}@acme.example,not-a-date\n"));
    }
    let path = write(files.path(), "dates.csv", &text);
    let (_dir, mut engine) = engine();
    let error = engine.add_csv_source("HR export", &path, now()).unwrap_err().to_string();
    assert_eq!(error.matches("is not a date").count(), 50, "at most 50 problems are listed");
    assert!(error.contains("...and 10 more"), "the problems left out are counted: {error}");
}

#[test]
fn a_sync_rereads_the_file_and_a_broken_file_changes_nothing() {
    let files = tempfile::tempdir().unwrap();
    // Commas, no BOM, headers in other cases and spellings.
    let first = "WORK EMAIL,First_Name,last name,START\nada@acme.example,Ada,Lovelace,2020-01-06\n";
    let path = write(files.path(), "people.csv", first);
    let (_dir, mut engine) = engine();
    engine.add_csv_source("HR export", &path, now()).unwrap();
    engine.sync("HR export", now(), SyncRequest::default()).unwrap();
    assert_eq!(by_email(&everyone(&engine), "ada@acme.example").last_name.as_deref(), Some("Lovelace"));

    write(
        files.path(),
        "people.csv",
        "WORK EMAIL,First_Name,last name,START\nada@acme.example,Ada,King,2020-01-06\nalan@acme.example,Alan,Turing,2021-01-01\n",
    );
    engine.sync("HR export", now(), SyncRequest::default()).unwrap();
    let rows = everyone(&engine);
    assert_eq!(by_email(&rows, "ada@acme.example").last_name.as_deref(), Some("King"), "a sync reads the file again");
    assert_eq!(rows.len(), 2, "a row added to the file is a new person at the next sync");

    write(files.path(), "people.csv", "WORK EMAIL,First_Name,last name,START\nada@acme.example,Ada,Byron,2020-13-06\n");
    let error = engine.sync("HR export", now(), SyncRequest::default()).unwrap_err().to_string();
    assert!(
        error.contains("line 2: START \"2020-13-06\" is not a date"),
        "a broken file fails the sync with its problems: {error}"
    );
    let after = everyone(&engine);
    assert_eq!(after, rows, "a file with any problem changes nothing in the directory");
}

#[test]
fn a_file_without_an_identity_column_or_in_another_encoding_is_refused() {
    let files = tempfile::tempdir().unwrap();
    let (_dir, mut engine) = engine();
    let no_id = write(files.path(), "names.csv", "first_name,last_name\nAda,Lovelace\n");
    let error = engine.add_csv_source("a", &no_id, now()).unwrap_err().to_string();
    assert!(
        error.contains("line 1: there is no employee_number or work_email column"),
        "a file needs an identity column: {error}"
    );

    let latin1 = files.path().join("latin1.csv");
    std::fs::write(&latin1, b"work_email,first_name\nh\xe9l\xe8ne@acme.example,H\xe9l\xe8ne\n").unwrap();
    let error = engine.add_csv_source("b", &latin1, now()).unwrap_err().to_string();
    assert!(error.contains("line 2: the file is not UTF-8 text"), "a file that is not UTF-8 is refused with its line: {error}");

    let missing = files.path().join("missing.csv");
    let error = engine.add_csv_source("c", &missing, now()).unwrap_err().to_string();
    assert!(error.contains("could not read the CSV file"), "a missing file says so: {error}");
}

#[test]
fn a_file_that_is_not_regular_or_too_large_is_refused_and_long_cells_are_cut() {
    let files = tempfile::tempdir().unwrap();
    let (_dir, mut engine) = engine();
    let fifo = files.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success(), "the test makes a FIFO");
    // Without the check, opening a FIFO with no writer blocks forever.
    let error = engine.add_csv_source("fifo", &fifo, now()).unwrap_err().to_string();
    assert!(error.contains("not a regular file"), "a FIFO is refused, not read: {error}");

    let huge = files.path().join("huge.csv");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(50 * 1024 * 1024 + 1).unwrap();
    let error = engine.add_csv_source("huge", &huge, now()).unwrap_err().to_string();
    assert!(error.contains("larger than 50 MB"), "a file over 50 MB is refused: {error}");

    let long = "x".repeat(10_000);
    let wide = write(files.path(), "wide.csv", &format!("work_email,first_name\n{long},Ada\n"));
    let error = engine.add_csv_source("wide", &wide, now()).unwrap_err().to_string();
    assert!(error.contains("is not an email address") && error.len() < 400, "an echoed cell value is cut: {} chars", error.len());
}
