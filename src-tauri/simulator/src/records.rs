//! The five Kombo HRIS read models, typed, serialising to exactly the JSON Kombo
//! sends (field names, nullability and date format from the OpenAPI spec).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmploymentStatus {
    Active,
    Pending,
    Inactive,
    Leave,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmploymentType {
    FullTime,
    PartTime,
    Contract,
    Internship,
    Freelance,
    WorkingStudent,
    Apprenticeship,
    Training,
}

impl EmploymentType {
    /// Parses the wire name (`FULL_TIME`, …), as scripted edits carry it.
    pub fn from_wire(raw: &str) -> Option<Self> {
        serde_json::from_value(Value::String(raw.to_owned())).ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GroupType {
    Department,
    Team,
    CostCenter,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub city: Option<String>,
    pub country: Option<String>,
    pub raw: Option<String>,
    pub state: Option<String>,
    pub street_1: Option<String>,
    pub street_2: Option<String>,
    pub zip_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomesticBankRouting {
    pub number: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankAccount {
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub account_number: Option<String>,
    pub holder_name: Option<String>,
    pub bank_name: Option<String>,
    pub domestic_bank_routing: Option<DomesticBankRouting>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalEntity {
    pub id: String,
    pub remote_id: Option<String>,
    pub name: Option<String>,
    pub address: Option<Address>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub changed_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub remote_deleted_at: Option<DateTime<Utc>>,
    pub remote_data: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: String,
    pub remote_id: Option<String>,
    pub name: Option<String>,
    pub address: Option<Address>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub changed_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub remote_deleted_at: Option<DateTime<Utc>>,
    pub remote_data: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub remote_id: String,
    pub name: Option<String>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub changed_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub remote_deleted_at: Option<DateTime<Utc>>,
    #[serde(rename = "type")]
    pub kind: GroupType,
    pub parent_id: Option<String>,
    pub remote_data: Option<Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Employment {
    pub id: String,
    pub remote_id: Option<String>,
    pub employee_id: String,
    pub job_title: Option<String>,
    pub pay_rate: Option<f64>,
    pub pay_period: Option<String>,
    pub pay_frequency: Option<String>,
    pub employment_type: Option<EmploymentType>,
    pub pay_currency: Option<String>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub effective_date: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub changed_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub remote_deleted_at: Option<DateTime<Utc>>,
    pub remote_data: Option<Map<String, Value>>,
    pub custom_fields: Option<Map<String, Value>>,
    pub integration_fields: Vec<Value>,
}

/// The manager as Kombo embeds it in the employee: a small copy, kept current by
/// the company whenever the manager changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagerRef {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_full_name: Option<String>,
    pub id: String,
    pub employee_number: Option<String>,
    pub work_email: Option<String>,
    pub remote_id: String,
    pub employment_status: Option<EmploymentStatus>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub termination_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRef {
    pub id: String,
    pub remote_id: String,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: GroupType,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalEntityRef {
    pub id: String,
    pub remote_id: Option<String>,
    pub name: Option<String>,
    pub address: Option<Address>,
}

/// An employee exactly as `GET /hris/employees` returns it, including the
/// sensitive fields (ssn, bank accounts, pay…) that Roster must never store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Employee {
    pub id: String,
    pub remote_id: String,
    pub employee_number: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub nationality: Option<String>,
    pub display_full_name: Option<String>,
    pub job_title: Option<String>,
    pub work_email: Option<String>,
    pub personal_email: Option<String>,
    pub mobile_phone_number: Option<String>,
    pub ssn: Option<String>,
    pub tax_id: Option<String>,
    pub gender: Option<String>,
    pub ethnicity: Option<String>,
    pub marital_status: Option<String>,
    pub employment_status: Option<EmploymentStatus>,
    pub employment_type: Option<EmploymentType>,
    pub weekly_hours: Option<f64>,
    pub avatar: Option<String>,
    pub work_location_id: Option<String>,
    pub legal_entity_id: Option<String>,
    pub manager_id: Option<String>,
    pub home_address: Option<Address>,
    pub bank_accounts: Option<Vec<BankAccount>>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub date_of_birth: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub termination_date: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub remote_created_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub changed_at: DateTime<Utc>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub remote_deleted_at: Option<DateTime<Utc>>,
    pub custom_fields: Option<Map<String, Value>>,
    pub integration_fields: Vec<Value>,
    pub remote_data: Option<Map<String, Value>>,
    pub employments: Vec<Employment>,
    pub time_off_balances: Vec<Value>,
    pub manager: Option<ManagerRef>,
    pub groups: Vec<GroupRef>,
    pub legal_entity: Option<LegalEntityRef>,
    pub teams: Vec<GroupRef>,
    pub work_location: Option<Location>,
}

impl Employee {
    pub fn as_manager(&self) -> ManagerRef {
        ManagerRef {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            display_full_name: self.display_full_name.clone(),
            id: self.id.clone(),
            employee_number: self.employee_number.clone(),
            work_email: self.work_email.clone(),
            remote_id: self.remote_id.clone(),
            employment_status: self.employment_status,
            termination_date: self.termination_date,
        }
    }
}

impl Group {
    pub fn embedded(&self) -> GroupRef {
        GroupRef { id: self.id.clone(), remote_id: self.remote_id.clone(), name: self.name.clone(), kind: self.kind }
    }
}

impl LegalEntity {
    pub fn embedded(&self) -> LegalEntityRef {
        LegalEntityRef {
            id: self.id.clone(),
            remote_id: self.remote_id.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
        }
    }
}
