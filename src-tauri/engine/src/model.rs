//! The domain vocabulary: synchronised fields, their modes, views and the rows the UI and CLI show.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every field Roster synchronises from an HR system: the brief's "complete list of data retrieved".
/// A field not listed here is never read from a payload, so it can never be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Field {
    EmployeeNumber,
    FirstName,
    LastName,
    JobTitle,
    WorkEmail,
    PersonalEmail,
    MobilePhone,
    EmploymentStatus,
    EmploymentType,
    WorkLocation,
    LegalEntity,
    Manager,
    HomeAddress,
    StartDate,
    EndDate,
    Groups,
}

impl Field {
    pub const ALL: [Field; 16] = [
        Field::EmployeeNumber,
        Field::FirstName,
        Field::LastName,
        Field::JobTitle,
        Field::WorkEmail,
        Field::PersonalEmail,
        Field::MobilePhone,
        Field::EmploymentStatus,
        Field::EmploymentType,
        Field::WorkLocation,
        Field::LegalEntity,
        Field::Manager,
        Field::HomeAddress,
        Field::StartDate,
        Field::EndDate,
        Field::Groups,
    ];

    /// Position in [`FieldValues`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Field::EmployeeNumber => "employee_number",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::JobTitle => "job_title",
            Field::WorkEmail => "work_email",
            Field::PersonalEmail => "personal_email",
            Field::MobilePhone => "mobile_phone",
            Field::EmploymentStatus => "employment_status",
            Field::EmploymentType => "employment_type",
            Field::WorkLocation => "work_location",
            Field::LegalEntity => "legal_entity",
            Field::Manager => "manager",
            Field::HomeAddress => "home_address",
            Field::StartDate => "start_date",
            Field::EndDate => "end_date",
            Field::Groups => "groups",
        }
    }

    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The brief's optional fields: a source can switch them off, and then they are neither stored nor kept.
    pub fn is_optional(self) -> bool {
        matches!(self, Field::PersonalEmail | Field::MobilePhone | Field::HomeAddress)
    }

    /// The mode a new source starts with, as the brief suggests: job titles are imported once and
    /// maintained by hand; everything else (dates, names, emails, status, organisation) follows HR.
    pub fn default_mode(self) -> FieldMode {
        match self {
            Field::JobTitle => FieldMode::ImportOnce,
            _ => FieldMode::Continuous,
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How later syncs treat a field once the first sync has set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FieldMode {
    /// HR wins at every sync; the field is read-only in Roster.
    Continuous,
    /// HR sets the field at the first sync only; after that it belongs to Roster.
    ImportOnce,
}

impl FieldMode {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldMode::Continuous => "continuous",
            FieldMode::ImportOnce => "import_once",
        }
    }

    pub fn parse(s: &str) -> Option<FieldMode> {
        match s {
            "continuous" => Some(FieldMode::Continuous),
            "import_once" | "import-once" => Some(FieldMode::ImportOnce),
            _ => None,
        }
    }
}

/// One value per [`Field`], in the textual form the store keeps: ISO dates, JSON for addresses,
/// the source's remote ids for references (legal entity, work location, manager, groups).
/// Boxed: records and plan actions carry one each, and move far more often than they are read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldValues(Box<[Option<String>; Field::ALL.len()]>);

impl FieldValues {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0[field.index()].as_deref()
    }

    pub fn set(&mut self, field: Field, value: Option<String>) {
        self.0[field.index()] = value.filter(|v| !v.is_empty());
    }
}

/// The employee lists of the brief, as the README defines them (dates in the person's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum View {
    Active,
    Onboardings,
    Offboardings,
    Departed,
    All,
}

impl View {
    pub fn as_str(self) -> &'static str {
        match self {
            View::Active => "active",
            View::Onboardings => "onboardings",
            View::Offboardings => "offboardings",
            View::Departed => "departed",
            View::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<View> {
        match s {
            "active" => Some(View::Active),
            "onboardings" => Some(View::Onboardings),
            "offboardings" => Some(View::Offboardings),
            "departed" => Some(View::Departed),
            "all" => Some(View::All),
            _ => None,
        }
    }
}

/// One row of an employee list. Field names follow Kombo's, so scripts read the same words in both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EmployeeRow {
    pub id: i64,
    pub employee_number: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub work_email: Option<String>,
    pub employment_status: Option<String>,
    pub employment_type: Option<String>,
    pub legal_entity: Option<String>,
    pub work_location: Option<String>,
    pub manager: Option<String>,
    pub teams: Vec<String>,
    pub start_date: Option<String>,
    pub termination_date: Option<String>,
    pub hidden: bool,
    pub sources: Vec<String>,
    /// Devices the person holds now: none yet for an onboarding, to recover for an offboarding.
    pub devices: u32,
    /// Why the filters exclude the person, when every source that knows them does.
    pub out_of_scope: Option<String>,
}

/// A source's include-lists. An empty list means "all"; a person must match every non-empty list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Filters {
    /// Legal entity remote ids.
    pub legal_entities: BTreeSet<String>,
    /// Employment types (FULL_TIME, CONTRACT...).
    pub employment_types: BTreeSet<String>,
    /// Team remote ids.
    pub teams: BTreeSet<String>,
}

/// An employee of the directory as the plan sees it, references in the source's remote ids.
#[derive(Debug, Clone)]
pub struct LocalEmployee {
    pub employee_id: i64,
    pub values: FieldValues,
    pub missing_since: Option<String>,
    pub out_of_scope: Option<String>,
    pub departed: bool,
    /// Fields whose value comes from a source connected before this one: that source wins.
    pub owned_elsewhere: Vec<Field>,
    /// This source's recorded conflicts on the person: field and this source's value.
    pub conflicts: Vec<(Field, Option<String>)>,
}

/// What the plan needs of the directory beyond each person's own record.
#[derive(Debug, Clone, Default)]
pub struct LocalState {
    /// How many people the source links before this sync (the mass-change guard's base).
    pub linked_count: u32,
    /// Employees not linked to this source, by lower-cased work email, for the first meeting.
    pub unlinked_by_email: HashMap<String, LocalEmployee>,
    /// The same, by employee number.
    pub unlinked_by_number: HashMap<String, LocalEmployee>,
}

/// How many people a sync creates, updates, leaves, excludes, moves to departing and finds missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlanCounts {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub excluded: u32,
    pub departing: u32,
    pub missing: u32,
}
