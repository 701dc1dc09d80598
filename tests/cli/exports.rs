//! `--csv` on every list command, run as the real `roster` binary against the simulator: the CSV
//! holds the same rows as `--json`, in the columns the text shows, and formula cells are neutralised.

use roster_engine::export::Exported;
use roster_engine::model::EmployeeRow;
use roster_engine::store::devices::Device;
use roster_engine::store::runs::SyncRun;
use roster_engine::sync::preview::PreviewRow;
use serde_json::Value;

use crate::harness::{simulator, Roster};

const SOURCE: &str = "Acme HR";

/// The header and the rows of CSV text, read by the csv crate as any spreadsheet or script would.
pub(crate) fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("a header row").iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.expect("valid CSV").iter().map(str::to_owned).collect()).collect();
    (header, rows)
}

fn s(row: &Value, key: &str) -> String {
    row[key].as_str().unwrap_or_default().to_owned()
}

fn joined(row: &Value, key: &str, separator: &str) -> String {
    row[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>().join(separator)
}

fn number(row: &Value, key: &str) -> String {
    row[key].as_i64().expect("a number").to_string()
}

/// Runs `args` with `--csv` and with `--json` and checks the CSV has the engine's `header` and one
/// row per JSON row, in the same order, each as `cells` reads it from the JSON (the columns'
/// contents are this test's own reading). Returns the number of rows.
fn same_rows(roster: &Roster, args: &[&str], header: &[&str], cells: impl Fn(&Value) -> Vec<String>) -> usize {
    let json = roster.json(args);
    let mut with_csv = args.to_vec();
    with_csv.push("--csv");
    let (got_header, rows) = parse(&roster.ok(&with_csv));
    assert_eq!(got_header, header, "roster {args:?} --csv has the list's columns");
    let want: Vec<Vec<String>> = json.as_array().expect("a JSON list").iter().map(cells).collect();
    assert_eq!(rows, want, "roster {args:?} --csv holds the rows of --json, in order");
    rows.len()
}

fn employee_cells(row: &Value) -> Vec<String> {
    let name = [s(row, "first_name"), s(row, "last_name")].into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>();
    vec![
        name.join(" "),
        s(row, "work_email"),
        s(row, "job_title"),
        joined(row, "teams", ", "),
        s(row, "legal_entity"),
        s(row, "start_date"),
        s(row, "termination_date"),
        number(row, "devices"),
        joined(row, "sources", ", "),
        if row["hidden"] == true { "yes" } else { "" }.to_owned(),
        s(row, "out_of_scope"),
    ]
}

#[test]
fn every_employee_view_exports_its_rows_with_the_current_filters() {
    let sim = simulator(141, 80);
    let roster = Roster::new();
    roster.add_kombo(SOURCE, &sim);
    roster.ok(&["sync"]);
    let everyone = roster.json(&["employees", "--view", "all"]);
    let someone = everyone[0]["work_email"].as_str().unwrap().to_owned();
    let surname = everyone[1]["last_name"].as_str().unwrap().to_owned();
    roster.ok(&["hide", &someone]);
    roster.ok(&["device", "add", "--kind", "laptop", "--model", "X1", "--serial", "SN-CSV-1"]);
    roster.ok(&["device", "assign", "SN-CSV-1", everyone[2]["work_email"].as_str().unwrap()]);
    // Quillon SAS only: everyone else falls out of scope at the next sync (not held for approval).
    roster.ok(&["settings", "--mass-change-percent", "100"]);
    roster.ok(&["filter", "set", "--source", SOURCE, "--legal-entity", "Quillon SAS"]);
    roster.ok(&["sync"]);

    for view in ["active", "onboardings", "offboardings", "departed", "all"] {
        let rows = same_rows(&roster, &["employees", "--view", view], EmployeeRow::HEADER, employee_cells);
        assert!(view == "departed" || rows > 0, "the simulated company has people in {view}");
    }
    let all = same_rows(
        &roster,
        &["employees", "--view", "all", "--include-hidden", "--include-out-of-scope"],
        EmployeeRow::HEADER,
        employee_cells,
    );
    let (_, rows) = parse(&roster.ok(&["employees", "--view", "all", "--include-hidden", "--include-out-of-scope", "--csv"]));
    assert!(rows.iter().any(|r| r[1] == someone && r[9] == "yes"), "the hidden person is exported, marked hidden");
    assert!(rows.iter().any(|r| r[10].contains("legal entit")), "out-of-scope people are exported with the reason");
    assert!(rows.iter().any(|r| r[7] == "1"), "the device holder is exported with their device");
    let in_scope = same_rows(&roster, &["employees", "--view", "all"], EmployeeRow::HEADER, employee_cells);
    assert!(in_scope < all, "without the toggles the export leaves hidden and out-of-scope people out ({in_scope} of {all})");
    let found = same_rows(
        &roster,
        &["employees", "--view", "all", "--include-out-of-scope", "--search", &surname],
        EmployeeRow::HEADER,
        employee_cells,
    );
    assert!(found >= 1 && found < all, "a search narrows the export to the people it finds ({found})");
}

#[test]
fn the_preview_the_devices_and_the_sync_history_export_their_rows() {
    let sim = simulator(142, 60);
    let roster = Roster::new();
    roster.add_kombo(SOURCE, &sim);
    roster.ok(&["filter", "set", "--source", SOURCE, "--legal-entity", "Quillon SAS"]);
    roster.ok(&["sync"]);
    roster.ok(&["sync", "--full"]);
    let someone = roster.json(&["employees"])[0]["work_email"].as_str().unwrap().to_owned();
    roster.ok(&["device", "add", "--kind", "laptop", "--model", "MacBook Air 13", "--serial", "SN-CSV-1"]);
    roster.ok(&["device", "add", "--kind", "phone", "--model", "Pixel 9", "--serial", "SN-CSV-2"]);
    roster.ok(&["device", "assign", "SN-CSV-1", &someone, "--on", "2026-11-02"]);

    let previewed = same_rows(&roster, &["preview", "--source", SOURCE], PreviewRow::HEADER, |r| {
        vec![
            s(r, "name"),
            s(r, "work_email"),
            s(r, "legal_entity"),
            s(r, "employment_type"),
            joined(r, "teams", ", "),
            s(r, "start_date"),
            s(r, "termination_date"),
            if r["included"] == true { "Included" } else { "Excluded" }.to_owned(),
            joined(r, "reasons", "; "),
        ]
    });
    assert!(previewed >= 60, "the preview exports everyone HR returns ({previewed})");
    let (_, preview) = parse(&roster.ok(&["preview", "--source", SOURCE, "--csv"]));
    assert!(preview.iter().any(|r| r[7] == "Included") && preview.iter().any(|r| r[7] == "Excluded" && !r[8].is_empty()));

    let devices = same_rows(&roster, &["device", "list"], Device::HEADER, |r| {
        vec![
            number(r, "id"),
            s(r, "kind"),
            s(r, "model"),
            s(r, "serial_number"),
            s(r, "status"),
            s(r, "holder"),
            s(r, "assigned_on"),
            s(r, "reserved_for"),
        ]
    });
    assert_eq!(devices, 2, "both devices are exported");
    let (_, inventory) = parse(&roster.ok(&["device", "list", "--csv"]));
    assert!(inventory.iter().any(|r| r[3] == "SN-CSV-1" && r[6] == "2026-11-02"), "dates are ISO: {inventory:?}");

    let runs = same_rows(&roster, &["runs"], SyncRun::HEADER, |r| {
        let mut cells =
            vec![number(r, "id"), s(r, "started_at"), s(r, "finished_at"), s(r, "source"), s(r, "kind"), s(r, "outcome")];
        cells.extend(["created", "updated", "unchanged", "excluded", "departing", "missing"].map(|k| number(r, k)));
        cells.extend([s(r, "error"), joined(r, "warnings", "; "), s(r, "machine")]);
        cells.push(if r["run_by_name"].is_null() { s(r, "run_by") } else { s(r, "run_by_name") });
        cells
    });
    assert_eq!(runs, 2, "both runs are exported");
}

#[test]
fn csv_and_json_cannot_be_asked_for_together() {
    let roster = Roster::new();
    for args in [&["--json", "employees", "--csv"][..], &["runs", "--csv", "--json"], &["--json", "device", "list", "--csv"]] {
        let out = roster.run(args);
        assert!(!out.status.success(), "roster {args:?} is refused: one output format at a time");
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(message.contains("cannot be used with"), "clap says why: {message}");
    }
}

#[test]
fn hr_values_that_a_spreadsheet_would_run_as_formulas_are_exported_as_text() {
    let roster = Roster::new();
    let file = roster.data_dir().join("people.csv");
    std::fs::write(
        &file,
        "Employee number,First name,Last name,Work email,Job title,Start date\n\
         E1,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",Doe,e1@example.com,Engineer,2020-01-06\n\
         E2,+1,Doe,e2@example.com,-2,2020-01-06\n\
         E3,Ada,Lovelace,e3@example.com,@SUM(A1),2020-01-06\n",
    )
    .unwrap();
    roster.ok(&["source", "add", "csv", "--name", "Spreadsheet", "--file", file.to_str().unwrap()]);
    roster.ok(&["sync"]);
    let (_, rows) = parse(&roster.ok(&["employees", "--csv"]));
    let by_email = |email: &str| rows.iter().find(|r| r[1] == email).unwrap_or_else(|| panic!("{email} is exported")).clone();
    assert_eq!(
        by_email("e1@example.com")[0],
        "'=HYPERLINK(\"http://evil\",\"x\") Doe",
        "a formula becomes text, read back whole with a leading '"
    );
    assert_eq!(by_email("e2@example.com")[0], "'+1 Doe", "a leading + is neutralised");
    assert_eq!(by_email("e2@example.com")[2], "'-2", "a leading - is neutralised");
    assert_eq!(by_email("e3@example.com")[2], "'@SUM(A1)", "a leading @ is neutralised");
}
