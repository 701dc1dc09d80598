//! CSV exports of the lists (employees, devices, device rules, checklists, the filter preview, the sync history), with the
//! columns the window and the text output show: one writer for the CLI's `--csv` and the window's
//! "Export CSV". UTF-8, a header row, dates as ISO 8601 (`2026-04-07`; instants in RFC 3339, UTC)
//! so any spreadsheet or script reads them the same whatever its locale.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::EmployeeRow;
use crate::private;
use crate::store::checklists::ChecklistStep;
use crate::store::device_rules::DeviceRule;
use crate::store::devices::Device;
use crate::store::runs::SyncRun;
use crate::sync::preview::PreviewRow;

/// A list row as CSV cells, in the order of `HEADER`.
pub trait Exported {
    const HEADER: &'static [&'static str];
    fn cells(&self) -> Vec<String>;
}

/// Writes `rows` as CSV (header first) to `out`.
pub fn write<T: Exported>(rows: &[T], out: impl Write) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(T::HEADER)?;
    for row in rows {
        writer.write_record(row.cells().into_iter().map(neutralised))?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes `rows` as a CSV file at `path`, readable by the user only (0600): it holds personal data.
pub fn write_file<T: Exported>(rows: &[T], path: &Path) -> Result<()> {
    let failed = |source: std::io::Error| Error::Export { path: path.display().to_string(), source };
    let file = private::create_file(path, true).map_err(failed)?;
    write(rows, file).map_err(|e| failed(e.into()))
}

/// A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+1`, `-2`, `@SUM(…)`, or one
/// starting with a tab or carriage return, which some spreadsheets skip before looking for `=`)
/// gets a leading `'`, as OWASP's "CSV Injection" advice says: HR values are typed by anyone in
/// the company and must not become live formulas (data sent out, commands run) on an IT admin's
/// machine. Spreadsheets show the `'` as a text marker; scripts see it. Numbers Roster writes
/// (counts, ids) are never negative, so none of them is touched.
fn neutralised(cell: String) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell,
    }
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn flag(on: bool) -> String {
    if on { "yes" } else { "" }.to_owned()
}

impl Exported for EmployeeRow {
    const HEADER: &'static [&'static str] = &[
        "Name",
        "Work email",
        "Job title",
        "Team",
        "Legal entity",
        "Start date",
        "End date",
        "Devices",
        "Source",
        "Hidden",
        "Out of scope",
    ];

    fn cells(&self) -> Vec<String> {
        let parts = [&self.first_name, &self.last_name].into_iter().flatten().filter(|part| !part.is_empty());
        let name = parts.cloned().collect::<Vec<_>>().join(" ");
        vec![
            name,
            text(&self.work_email),
            text(&self.job_title),
            self.teams.join(", "),
            text(&self.legal_entity),
            text(&self.start_date),
            text(&self.termination_date),
            self.devices.to_string(),
            self.sources.join(", "),
            flag(self.hidden),
            text(&self.out_of_scope),
        ]
    }
}

impl Exported for Device {
    const HEADER: &'static [&'static str] =
        &["Id", "Type", "Model", "Serial number", "Status", "Held by", "Since", "Reserved for"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.kind.clone(),
            self.model.clone(),
            self.serial_number.clone(),
            self.status.clone(),
            text(&self.holder),
            text(&self.assigned_on),
            text(&self.reserved_for),
        ]
    }
}

impl Exported for DeviceRule {
    const HEADER: &'static [&'static str] = &["Id", "Condition", "Type", "Model"];

    fn cells(&self) -> Vec<String> {
        vec![self.id.to_string(), self.condition.clone(), self.kind.clone(), self.model.clone()]
    }
}

impl Exported for ChecklistStep {
    const HEADER: &'static [&'static str] = &["Due date", "Person", "List", "Step", "State", "Assigned to", "Comment"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.due_date.clone(),
            self.person.clone(),
            self.view.as_str().to_owned(),
            self.title.clone(),
            self.state().to_owned(),
            text(&self.assignee),
            text(&self.comment),
        ]
    }
}

impl Exported for PreviewRow {
    const HEADER: &'static [&'static str] =
        &["Name", "Work email", "Legal entity", "Employment type", "Teams", "Start date", "End date", "Result", "Reasons"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            text(&self.work_email),
            text(&self.legal_entity),
            text(&self.employment_type),
            self.teams.join(", "),
            text(&self.start_date),
            text(&self.termination_date),
            if self.included { "Included" } else { "Excluded" }.to_owned(),
            self.reasons.join("; "),
        ]
    }
}

impl Exported for SyncRun {
    const HEADER: &'static [&'static str] = &[
        "Run",
        "Started",
        "Finished",
        "Source",
        "Kind",
        "Outcome",
        "Created",
        "Updated",
        "Unchanged",
        "Excluded",
        "Departing",
        "Missing",
        "Error",
        "Warnings",
        "Machine",
        "Run by",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.started_at.clone(),
            text(&self.finished_at),
            self.source.clone(),
            self.kind.clone(),
            self.outcome.to_string(),
            self.created.to_string(),
            self.updated.to_string(),
            self.unchanged.to_string(),
            self.excluded.to_string(),
            self.departing.to_string(),
            self.missing.to_string(),
            text(&self.error),
            self.warnings.join("; "),
            text(&self.machine),
            text(&self.run_by_name.clone().or_else(|| self.run_by.clone())),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(first: &str, last: &str) -> EmployeeRow {
        EmployeeRow {
            id: 1,
            employee_number: None,
            first_name: Some(first.to_owned()),
            last_name: Some(last.to_owned()),
            job_title: Some("Engineer".to_owned()),
            work_email: Some("a@example.com".to_owned()),
            employment_status: None,
            employment_type: None,
            legal_entity: Some("Quillon GmbH".to_owned()),
            work_location: None,
            manager: None,
            teams: vec!["Sales".to_owned(), "EMEA".to_owned()],
            start_date: Some("2026-04-07".to_owned()),
            termination_date: None,
            hidden: false,
            sources: vec!["HR".to_owned()],
            devices: 2,
            out_of_scope: None,
        }
    }

    fn read_back(bytes: &[u8]) -> Vec<Vec<String>> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(|r| r.expect("the export is valid CSV").iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn formula_cells_are_neutralised_and_read_back_as_the_same_text_with_a_quote() {
        let hostile = ["=HYPERLINK(\"http://evil\",\"x\")", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"];
        let rows: Vec<EmployeeRow> = hostile.iter().map(|first| person(first, "")).collect();
        let mut out = Vec::new();
        write(&rows, &mut out).unwrap();
        let names: Vec<String> = read_back(&out).into_iter().map(|r| r[0].clone()).collect();
        let expected: Vec<String> = hostile.iter().map(|h| format!("'{h}")).collect();
        assert_eq!(names, expected, "every cell a spreadsheet would run as a formula starts with ' and keeps its text");
    }

    #[test]
    fn ordinary_cells_are_written_as_they_are_with_a_header() {
        let mut row = person("Zoë", "O'Brien, Jr.");
        row.out_of_scope = Some("team \"Ops\" is not among the selected teams".to_owned());
        let mut out = Vec::new();
        write(&[row], &mut out).unwrap();
        let text = String::from_utf8(out).expect("the export is UTF-8");
        assert!(
            text.starts_with(
                "Name,Work email,Job title,Team,Legal entity,Start date,End date,Devices,Source,Hidden,Out of scope\n"
            ),
            "a header row first: {text}"
        );
        let rows = read_back(text.as_bytes());
        assert_eq!(
            rows,
            vec![vec![
                "Zoë O'Brien, Jr.",
                "a@example.com",
                "Engineer",
                "Sales, EMEA",
                "Quillon GmbH",
                "2026-04-07",
                "",
                "2",
                "HR",
                "",
                "team \"Ops\" is not among the selected teams"
            ]],
            "commas, quotes and accents survive; an apostrophe inside a cell is not a formula"
        );
    }

    #[test]
    fn an_export_file_is_readable_by_the_user_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("people.csv");
        write_file(&[person("Ada", "Lovelace")], &path).unwrap();
        assert_eq!(read_back(&std::fs::read(&path).unwrap()).len(), 1, "the file holds the row");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, private::FILE_MODE, "an export of personal data is 0600, got {mode:o}");
        }
    }

    #[test]
    fn a_file_that_cannot_be_written_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-folder").join("people.csv");
        let error = write_file(&[person("Ada", "Lovelace")], &path).unwrap_err();
        assert!(matches!(error, Error::Export { .. }), "{error:?}");
        assert!(error.to_string().contains("no-such-folder"), "the message names the path: {error}");
    }
}
