//! What every HR connector hands the sync: source-neutral records holding only the fields Roster may keep.

pub mod csv;
pub mod data_use;
pub mod http;
pub mod kombo;
pub mod scim;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Field, FieldValues};

/// A legal entity or a work location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteSite {
    pub remote_id: String,
    pub name: Option<String>,
    /// The address as JSON (`street_1`, `city`, `zip_code`, `country`...).
    pub address: Option<String>,
    /// ISO 3166 alpha-2 country code, used to find the site's time zone.
    pub country: Option<String>,
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteGroup {
    pub remote_id: String,
    pub name: Option<String>,
    /// DEPARTMENT, TEAM or COST_CENTER.
    pub kind: Option<String>,
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteEmployee {
    pub remote_id: String,
    /// References (legal entity, work location, manager, groups) hold the source's remote ids.
    pub values: FieldValues,
    /// Set when the HR system reports the record as deleted (`remote_deleted_at`).
    pub deleted: bool,
}

/// One record of any model, in the order a connector reads them: sites and groups first, so that
/// employees can refer to them.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    LegalEntity(RemoteSite),
    WorkLocation(RemoteSite),
    Group(RemoteGroup),
    Employee(RemoteEmployee),
}

impl Record {
    /// The record's model and id: each id is read once per model.
    pub fn key(&self) -> (Model, &str) {
        match self {
            Record::LegalEntity(site) => (Model::LegalEntities, &site.remote_id),
            Record::WorkLocation(site) => (Model::Locations, &site.remote_id),
            Record::Group(group) => (Model::Groups, &group.remote_id),
            Record::Employee(person) => (Model::Employees, &person.remote_id),
        }
    }
}

/// The models a connector reads, named as in messages and in Kombo's paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    LegalEntities,
    Locations,
    Groups,
    Employees,
}

impl Model {
    pub fn path(self) -> &'static str {
        match self {
            Model::LegalEntities => "legal-entities",
            Model::Locations => "locations",
            Model::Groups => "groups",
            Model::Employees => "employees",
        }
    }
}

impl std::fmt::Display for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.path())
    }
}

/// What a sync asks of a connector.
#[derive(Debug, Clone, Default)]
pub struct ReadRequest {
    /// Only records changed after this instant (an incremental read); `None` reads everything.
    pub updated_after: Option<DateTime<Utc>>,
    /// Optional fields the source has switched off are dropped at the parse, never kept.
    pub disabled_fields: Vec<Field>,
}

/// A connector failure. Every variant says which model and page, and what the person can do.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("could not reach the HR system while reading {model} page {page}: {detail}")]
    Transport { model: Model, page: u32, detail: String },
    #[error("the HR system rejected the API key; check the key, or create a new one and reconnect the source")]
    AuthenticationInvalid,
    #[error("the API key lacks a permission needed to read {model}: {message}. Grant it in the HR system and sync again")]
    PermissionMissing { model: Model, message: String },
    #[error("the first sync is still running at the HR provider; retry later")]
    SetupSyncPending,
    #[error("the HR system kept rate-limiting the reads of {model} page {page}; Roster will try again at the next sync")]
    RateLimited { model: Model, page: u32 },
    #[error("the HR system answered {status} for {model} page {page}: {message}")]
    Status { model: Model, page: u32, status: u16, message: String },
    #[error("the HR system sent malformed data for {model} page {page}: {detail}")]
    Malformed { model: Model, page: u32, detail: String },
    #[error("the HR system sent the same cursor twice while reading {model} (page {page}); the read was stopped so it cannot loop forever. Retry later, or contact the HR API's support if it persists")]
    RepeatedCursor { model: Model, page: u32 },
    #[error("the HR API answered a Connect link with the scheme \"{scheme}\"; Roster opens only https links (or http on this computer), so it was not opened. Check the source's base URL")]
    UnsafeConnectLink { scheme: String },
    #[error("the HR system sent {model} page {page} with a record that has no id")]
    MissingId { model: Model, page: u32 },
    #[error("the HR system sent {model} id \"{id}\" twice")]
    DuplicateId { model: Model, id: String },
    #[error("{model} \"{id}\": {field} \"{value}\" is not a date")]
    InvalidDate { model: Model, id: String, field: &'static str, value: String },
    #[error("the address {url} is refused: {reason}")]
    InsecureUrl { url: String, reason: String },
    #[error(
        "the HR system sent {model} page {page} larger than {limit_mb} MB; nothing was changed. Check the HR system's address"
    )]
    PageTooLarge { model: Model, page: u32, limit_mb: u64 },
    #[error("the HR system's {model} go on past {limit} pages; nothing was changed. Its paging (or its count of records) is broken: report it to the HR system's vendor")]
    TooManyPages { model: Model, limit: u32 },
    #[error("could not read the CSV file {path}: {detail}; check that the file exists and that Roster may read it")]
    CsvUnreadable { path: String, detail: String },
    #[error("the CSV file {path} was not imported, nothing was changed; fix these problems and import it again:\n{problems}")]
    CsvInvalid { path: String, problems: Problems },
}

/// Every problem found in an imported file, one per line, capped so a wholly wrong file still
/// gives a readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    pub shown: Vec<String>,
    /// How many more problems were found than are shown.
    pub more: usize,
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.shown.iter().map(|p| format!("  {p}")).collect();
        f.write_str(&lines.join("\n"))?;
        if self.more > 0 {
            write!(f, "\n  ...and {} more", self.more)?;
        }
        Ok(())
    }
}

/// A postal address as the store keeps it, whatever the source: Kombo's field names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street_1: Option<String>,
    pub street_2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub country: Option<String>,
    pub raw: Option<String>,
}

impl Address {
    /// The JSON the store keeps; `None` when every part is empty.
    pub fn to_json(&self) -> Option<String> {
        if *self == Address::default() {
            return None;
        }
        Some(serde_json::to_string(self).expect("an address of strings always serialises"))
    }
}

/// An enum-like value written by hand or by a tool ("Full time", "contractor") in the form
/// Kombo uses and filters compare (`FULL_TIME`, `CONTRACTOR`).
pub fn enum_value(raw: &str) -> String {
    raw.trim().to_uppercase().replace([' ', '-'], "_")
}

/// A stable id for an organisation unit known only by its name (CSV teams, SCIM departments):
/// case, spacing and punctuation do not matter.
pub fn id_from_name(prefix: &str, name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    format!("{prefix}:{}", slug.trim_matches('-'))
}

/// Where a connector delivers records. Returning an error stops the read.
pub type Sink<'a> = dyn FnMut(Record) -> Result<(), crate::Error> + 'a;

/// A source of HR records. A sync reads on a thread of its own while it writes on another.
pub trait Connector: Send + Sync {
    /// Reads every model, page by page, handing each record to `sink` as soon as its page is parsed.
    /// An organisation unit comes before the first employee that refers to it.
    fn read(&self, request: &ReadRequest, sink: &mut Sink<'_>) -> Result<(), crate::Error>;
}

/// Reads the calendar date of an HR date or date-time. Contract dates are calendar dates, often
/// written as midnight UTC: the date part is kept as it is, never shifted into a local zone.
pub fn calendar_date(value: &str) -> Option<NaiveDate> {
    let date_part = value.get(..10)?;
    if value.len() > 10 && !value[10..].starts_with('T') && !value[10..].starts_with(' ') {
        return None;
    }
    NaiveDate::parse_from_str(date_part, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::calendar_date;

    #[test]
    fn midnight_utc_keeps_its_calendar_date() {
        assert_eq!(
            calendar_date("2026-04-07T00:00:00.000Z").unwrap().to_string(),
            "2026-04-07",
            "a start on the 7th stays on the 7th whatever the machine's zone"
        );
        assert_eq!(calendar_date("2026-04-07").unwrap().to_string(), "2026-04-07");
        assert!(calendar_date("2026-02-31").is_none(), "an impossible date is refused");
        assert!(calendar_date("07/04/2026").is_none());
        assert!(calendar_date("2026-04-07garbage").is_none());
    }
}
