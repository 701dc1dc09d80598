//! CSV import: a file of employees, checked whole before anything reaches the directory.
//!
//! Columns are recognised by the brief's field names and common aliases; any other column is never
//! read. A file with any problem is refused with every problem listed by line, so an administrator
//! fixes it in one pass and never gets half an import.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    enum_value, id_from_name, Address, ConnectorError, Problems, ReadRequest, Record, RemoteEmployee, RemoteGroup, RemoteSite,
    Sink,
};
use crate::group_ids;
use crate::model::{Field, FieldValues};

/// More problems than this are counted, not listed.
const MAX_PROBLEMS: usize = 50;

/// The statuses the views understand (Kombo's); anything else in a hand-written file is a typo.
const STATUSES: [&str; 4] = ["ACTIVE", "PENDING", "INACTIVE", "LEAVE"];

/// A CSV source's settings: the file is read again at every sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvConfig {
    pub path: PathBuf,
}

pub struct CsvConnector {
    config: CsvConfig,
}

/// What a recognised column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Field(Field),
    Teams,
    Departments,
    Street1,
    Street2,
    City,
    State,
    ZipCode,
    Country,
}

/// Header spellings, compared after dropping case, spaces, underscores and punctuation.
const ALIASES: &[(&[&str], Column)] = &[
    (
        &["employeenumber", "employeeno", "employeeid", "employeecode", "personnelnumber", "staffnumber", "matricule"],
        Column::Field(Field::EmployeeNumber),
    ),
    (&["firstname", "givenname", "forename", "prenom"], Column::Field(Field::FirstName)),
    (&["lastname", "surname", "familyname", "nom"], Column::Field(Field::LastName)),
    (&["jobtitle", "title", "position", "role"], Column::Field(Field::JobTitle)),
    (&["workemail", "email", "emailaddress", "businessemail", "professionalemail", "mail"], Column::Field(Field::WorkEmail)),
    (&["personalemail", "privateemail", "homeemail"], Column::Field(Field::PersonalEmail)),
    (
        &["mobilephone", "mobilephonenumber", "mobile", "mobilenumber", "phone", "phonenumber", "cellphone"],
        Column::Field(Field::MobilePhone),
    ),
    (&["employmentstatus", "status"], Column::Field(Field::EmploymentStatus)),
    (&["employmenttype", "contracttype", "contract"], Column::Field(Field::EmploymentType)),
    (&["legalentity", "entity", "company", "employer"], Column::Field(Field::LegalEntity)),
    (&["worklocation", "location", "office", "site"], Column::Field(Field::WorkLocation)),
    (
        &["manager", "managerid", "manageremail", "managernumber", "manageremployeenumber", "reportsto"],
        Column::Field(Field::Manager),
    ),
    (
        &["startdate", "start", "hiredate", "hired", "joindate", "joiningdate", "contractstartdate"],
        Column::Field(Field::StartDate),
    ),
    (
        &["enddate", "end", "terminationdate", "leavingdate", "leavedate", "exitdate", "contractenddate"],
        Column::Field(Field::EndDate),
    ),
    (&["homeaddress", "address"], Column::Field(Field::HomeAddress)),
    (&["team", "teams", "group", "groups"], Column::Teams),
    (&["department", "departments"], Column::Departments),
    (&["street", "street1", "streetaddress", "addressline1", "homestreet"], Column::Street1),
    (&["street2", "addressline2"], Column::Street2),
    (&["city", "town", "homecity"], Column::City),
    (&["state", "region", "province"], Column::State),
    (&["zip", "zipcode", "postalcode", "postcode", "homezipcode", "homepostalcode"], Column::ZipCode),
    (&["country", "homecountry"], Column::Country),
];

fn column_of(header: &str) -> Option<Column> {
    let key: String = header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    ALIASES.iter().find(|(names, _)| names.contains(&key.as_str())).map(|(_, column)| *column)
}

/// Larger than any HR export; a bigger "file" is a mistake (or `/dev/zero`), not a directory.
const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// The longest cell value echoed in a problem; the rest is cut, so a huge cell stays readable.
const MAX_ECHOED_CHARS: usize = 60;

/// Reads a regular file of at most `MAX_FILE_BYTES`: a FIFO or a device would hang the read or
/// never end it.
fn read_capped(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    // Checked before opening: opening a FIFO with no writer already blocks.
    if !std::fs::metadata(path).map_err(|e| e.to_string())?.is_file() {
        return Err("it is not a regular file".to_owned());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("it is larger than {} MB", MAX_FILE_BYTES / 1024 / 1024));
    }
    Ok(bytes)
}

/// A cell value as echoed in a problem: cut after `MAX_ECHOED_CHARS` characters.
fn echoed(value: &str) -> String {
    match value.char_indices().nth(MAX_ECHOED_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

impl CsvConnector {
    pub fn new(config: CsvConfig) -> CsvConnector {
        CsvConnector { config }
    }

    /// Reads and checks the whole file; any problem refuses all of it.
    pub fn load(&self, disabled: &[Field]) -> Result<Vec<Record>, ConnectorError> {
        let path = self.config.path.display().to_string();
        let bytes =
            read_capped(&self.config.path).map_err(|detail| ConnectorError::CsvUnreadable { path: path.clone(), detail })?;
        parse(&bytes, disabled).map_err(|mut all| {
            let more = all.len().saturating_sub(MAX_PROBLEMS);
            all.truncate(MAX_PROBLEMS);
            ConnectorError::CsvInvalid { path, problems: Problems { shown: all, more } }
        })
    }
}

impl super::Connector for CsvConnector {
    fn read(&self, request: &ReadRequest, sink: &mut Sink<'_>) -> Result<(), crate::Error> {
        // A file has no change history: every read is a full read, whatever was asked.
        self.load(&request.disabled_fields)?.into_iter().try_for_each(sink)
    }
}

/// One data row's recognised cells: column → (header as written, trimmed non-empty value).
struct Row {
    line: u64,
    cells: HashMap<Column, (String, String)>,
}

impl Row {
    fn get(&self, column: Column) -> Option<&str> {
        self.cells.get(&column).map(|(_, v)| v.as_str())
    }

    fn field(&self, field: Field) -> Option<&str> {
        self.get(Column::Field(field))
    }

    /// The person's id within the file: the employee number, else the work email.
    fn remote_id(&self) -> Option<String> {
        self.field(Field::EmployeeNumber).map(str::to_owned).or_else(|| self.field(Field::WorkEmail).map(str::to_lowercase))
    }
}

/// Parses a file into records, or returns every problem found, each naming its line.
fn parse(bytes: &[u8], disabled: &[Field]) -> Result<Vec<Record>, Vec<String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        vec![format!("line {line}: the file is not UTF-8 text; save it as \"CSV UTF-8\" and import it again")]
    })?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() { b';' } else { b',' };
    let mut reader = ::csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());

    let mut problems = Vec::new();
    let headers = reader.headers().map_err(|e| vec![format!("line 1: the header cannot be read: {e}")])?.clone();
    let mut columns: Vec<Option<Column>> = Vec::with_capacity(headers.len());
    let mut seen: HashMap<Column, &str> = HashMap::new();
    for header in headers.iter() {
        let column = column_of(header);
        if let Some(column) = column {
            if let Some(earlier) = seen.insert(column, header) {
                problems.push(format!("line 1: columns \"{earlier}\" and \"{header}\" hold the same field; keep only one"));
            }
        }
        columns.push(column);
    }
    let identity = [Column::Field(Field::EmployeeNumber), Column::Field(Field::WorkEmail)];
    if !identity.iter().any(|c| seen.contains_key(c)) {
        problems.push(
            "line 1: there is no employee_number or work_email column; Roster needs one of them to recognise each person".into(),
        );
        return Err(problems);
    }

    let mut rows = Vec::new();
    for result in reader.records() {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            problems.push(format!(
                "line {line}: {} values, but the header has {} columns; check the delimiters and quotes",
                record.len(),
                headers.len()
            ));
            continue;
        }
        let cells = record
            .iter()
            .zip(&columns)
            .zip(headers.iter())
            .filter_map(|((value, column), header)| {
                let value = value.trim();
                Some((column.as_ref().copied()?, (header.to_owned(), value.to_owned()))).filter(|_| !value.is_empty())
            })
            .collect();
        let row = Row { line, cells };
        check_row(&row, &mut problems);
        rows.push(row);
    }
    check_unique(&rows, Field::EmployeeNumber, |v| v.to_owned(), &mut problems);
    check_unique(&rows, Field::WorkEmail, str::to_lowercase, &mut problems);
    let managers = resolve_managers(&rows, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(into_records(rows, &managers, disabled))
}

/// Checks one row on its own: identity, dates, emails and status.
fn check_row(row: &Row, problems: &mut Vec<String>) {
    let line = row.line;
    if row.remote_id().is_none() {
        problems.push(format!(
            "line {line}: neither an employee_number nor a work_email; Roster needs one of them to recognise the person"
        ));
    }
    let mut dates = [None, None];
    for (i, field) in [Field::StartDate, Field::EndDate].into_iter().enumerate() {
        if let Some((header, value)) = row.cells.get(&Column::Field(field)) {
            dates[i] = iso_date(value);
            if dates[i].is_none() {
                problems.push(format!("line {line}: {header} \"{}\" is not a date; write it as YYYY-MM-DD", echoed(value)));
            }
        }
    }
    if let [Some(start), Some(end)] = dates {
        if end < start {
            problems.push(format!("line {line}: the end date {end} is before the start date {start}"));
        }
    }
    for field in [Field::WorkEmail, Field::PersonalEmail] {
        if let Some((header, value)) = row.cells.get(&Column::Field(field)) {
            if !looks_like_email(value) {
                problems.push(format!("line {line}: {header} \"{}\" is not an email address", echoed(value)));
            }
        }
    }
    if let Some((header, value)) = row.cells.get(&Column::Field(Field::EmploymentStatus)) {
        if !STATUSES.contains(&enum_value(value).as_str()) {
            problems.push(format!("line {line}: {header} \"{}\" is not one of {}", echoed(value), STATUSES.join(", ")));
        }
    }
}

/// Only `YYYY-MM-DD`: `03/04/2026` means different days in different countries, so it is refused.
fn iso_date(value: &str) -> Option<NaiveDate> {
    let well_formed =
        value.len() == 10 && value.char_indices().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
    well_formed.then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()).flatten()
}

fn looks_like_email(value: &str) -> bool {
    matches!(value.split_once('@'), Some((local, domain)) if !local.is_empty() && domain.contains('.') && !value.contains(char::is_whitespace))
}

fn check_unique(rows: &[Row], field: Field, key: impl Fn(&str) -> String, problems: &mut Vec<String>) {
    let mut first: HashMap<String, u64> = HashMap::new();
    for row in rows {
        if let Some((header, value)) = row.cells.get(&Column::Field(field)) {
            if let Some(line) = first.get(&key(value)) {
                problems.push(format!(
                    "line {}: {header} \"{}\" is also on line {line}; each person must appear once",
                    row.line,
                    echoed(value)
                ));
            } else {
                first.insert(key(value), row.line);
            }
        }
    }
}

/// Maps each row's manager (an employee number or a work email) to the manager's id in the file.
fn resolve_managers(rows: &[Row], problems: &mut Vec<String>) -> HashMap<u64, String> {
    let mut by_key: HashMap<String, String> = HashMap::new();
    for row in rows {
        if let Some(id) = row.remote_id() {
            if let Some(email) = row.field(Field::WorkEmail) {
                by_key.entry(email.to_lowercase()).or_insert_with(|| id.clone());
            }
            if let Some(number) = row.field(Field::EmployeeNumber) {
                by_key.insert(number.to_owned(), id);
            }
        }
    }
    let mut managers = HashMap::new();
    for row in rows {
        if let Some((header, value)) = row.cells.get(&Column::Field(Field::Manager)) {
            match by_key.get(value.as_str()).or_else(|| by_key.get(&value.to_lowercase())) {
                Some(id) => {
                    managers.insert(row.line, id.clone());
                }
                None => problems.push(format!(
                    "line {}: {header} \"{}\" is neither the employee number nor the work email of anyone in the file",
                    row.line,
                    echoed(value)
                )),
            }
        }
    }
    managers
}

/// Builds the records of a file that passed every check: organisation units first, then people.
fn into_records(rows: Vec<Row>, managers: &HashMap<u64, String>, disabled: &[Field]) -> Vec<Record> {
    let mut legal_entities: BTreeMap<String, String> = BTreeMap::new();
    let mut locations: BTreeMap<String, String> = BTreeMap::new();
    let mut groups: BTreeMap<String, (String, &'static str)> = BTreeMap::new();
    let mut employees = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut values = FieldValues::default();
        for field in [
            Field::EmployeeNumber,
            Field::FirstName,
            Field::LastName,
            Field::JobTitle,
            Field::WorkEmail,
            Field::PersonalEmail,
            Field::MobilePhone,
            Field::StartDate,
            Field::EndDate,
        ] {
            values.set(field, row.field(field).map(str::to_owned));
        }
        values.set(Field::EmploymentStatus, row.field(Field::EmploymentStatus).map(enum_value));
        values.set(Field::EmploymentType, row.field(Field::EmploymentType).map(enum_value));
        values.set(Field::Manager, managers.get(&row.line).cloned());
        for (field, sites, prefix) in
            [(Field::LegalEntity, &mut legal_entities, "legal-entity"), (Field::WorkLocation, &mut locations, "location")]
        {
            if let Some(name) = row.field(field) {
                let id = id_from_name(prefix, name);
                sites.entry(id.clone()).or_insert_with(|| name.to_owned());
                values.set(field, Some(id));
            }
        }
        let mut ids = Vec::new();
        for (column, kind, prefix) in [(Column::Teams, "TEAM", "team"), (Column::Departments, "DEPARTMENT", "department")] {
            for name in row.get(column).unwrap_or_default().split([';', '|']).map(str::trim).filter(|n| !n.is_empty()) {
                let id = id_from_name(prefix, name);
                groups.entry(id.clone()).or_insert_with(|| (name.to_owned(), kind));
                ids.push(id);
            }
        }
        values.set(Field::Groups, Some(group_ids::join(ids)));
        let address = Address {
            street_1: row.get(Column::Street1).map(str::to_owned),
            street_2: row.get(Column::Street2).map(str::to_owned),
            city: row.get(Column::City).map(str::to_owned),
            state: row.get(Column::State).map(str::to_owned),
            zip_code: row.get(Column::ZipCode).map(str::to_owned),
            country: row.get(Column::Country).map(str::to_owned),
            raw: row.field(Field::HomeAddress).map(str::to_owned),
        };
        values.set(Field::HomeAddress, address.to_json());
        for field in disabled {
            values.set(*field, None);
        }
        let remote_id = row.remote_id().expect("rows without an id were refused");
        employees.push(Record::Employee(RemoteEmployee { remote_id, values, deleted: false }));
    }
    let site = |(remote_id, name): (String, String)| RemoteSite {
        remote_id,
        name: Some(name),
        address: None,
        country: None,
        deleted: false,
    };
    legal_entities
        .into_iter()
        .map(|s| Record::LegalEntity(site(s)))
        .chain(locations.into_iter().map(|s| Record::WorkLocation(site(s))))
        .chain(groups.into_iter().map(|(remote_id, (name, kind))| {
            Record::Group(RemoteGroup { remote_id, name: Some(name), kind: Some(kind.to_owned()), deleted: false })
        }))
        .chain(employees)
        .collect()
}
