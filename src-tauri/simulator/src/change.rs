//! Scripted changes to the company between two syncs: what an HR admin would do
//! in the HR tool. Every change bumps `changed_at` so `updated_after` finds it.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Map;

use crate::company::Company;
use crate::ids::opaque_id;
use crate::records::{Employee, Employment, EmploymentStatus, EmploymentType, Group, GroupType};
use crate::timestamp::midnight;

#[derive(Debug, Clone, PartialEq)]
pub struct NewHire {
    pub first_name: String,
    pub last_name: String,
    pub work_email: Option<String>,
    /// After the company's today the hire is PENDING, otherwise ACTIVE.
    pub start_date: Option<NaiveDate>,
    /// `None` hires into the first legal entity (Quillon GmbH).
    pub legal_entity_id: Option<String>,
    pub employment_type: EmploymentType,
    pub job_title: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditableField {
    FirstName,
    LastName,
    JobTitle,
    WorkEmail,
    /// `YYYY-MM-DD`.
    StartDate,
    /// `YYYY-MM-DD`; only the date, the status is left as it is.
    TerminationDate,
    /// A legal entity id.
    LegalEntity,
    /// A location id.
    WorkLocation,
    /// An employee id.
    Manager,
    /// Wire name, e.g. `PART_TIME`.
    EmploymentType,
    /// Wire name, e.g. `LEAVE`.
    EmploymentStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Hire(NewHire),
    /// `value: None` clears the field.
    Edit {
        employee_id: String,
        field: EditableField,
        value: Option<String>,
    },
    /// Sets the termination date; the status becomes INACTIVE once the date is
    /// not after the company's today.
    Terminate {
        employee_id: String,
        date: NaiveDate,
    },
    /// Deleted in the HR tool: Kombo keeps the record with `remote_deleted_at`.
    Delete {
        employee_id: String,
    },
    /// A new team with the given id (Kombo ids are opaque: any text), which `members` join.
    AddTeam {
        id: String,
        name: String,
        members: Vec<String>,
    },
    /// Edits the job title of a deterministic `percent` of employees (every
    /// n-th by id), as a benchmark's "1% changed since the last sync".
    TouchPercent(f64),
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ChangeError {
    #[error("no employee with id {0}; take ids from Simulator::employees()")]
    UnknownEmployee(String),
    #[error("{field:?} cannot be set to {value:?}: {reason}")]
    InvalidValue { field: EditableField, value: Option<String>, reason: &'static str },
}

impl Company {
    /// Applies one scripted change as of `now` (the new `changed_at`).
    pub fn apply(&mut self, change: Change, now: DateTime<Utc>) -> Result<(), ChangeError> {
        match change {
            Change::Hire(hire) => self.hire(hire, now),
            Change::Edit { employee_id, field, value } => self.edit(&employee_id, field, value, now),
            Change::Terminate { employee_id, date } => {
                let today = self.spec.today;
                let employee = self.employee_mut(&employee_id)?;
                employee.termination_date = Some(midnight(date));
                if date <= today {
                    employee.employment_status = Some(EmploymentStatus::Inactive);
                }
                employee.changed_at = now;
                self.refresh_manager_copies(&employee_id, now);
                Ok(())
            }
            Change::Delete { employee_id } => {
                let employee = self.employee_mut(&employee_id)?;
                employee.remote_deleted_at = Some(now);
                employee.changed_at = now;
                for employment in &mut employee.employments {
                    employment.remote_deleted_at = Some(now);
                    employment.changed_at = now;
                }
                Ok(())
            }
            Change::AddTeam { id, name, members } => {
                let team = Group {
                    id: id.clone(),
                    remote_id: id.clone(),
                    name: Some(name),
                    changed_at: now,
                    remote_deleted_at: None,
                    kind: GroupType::Team,
                    parent_id: None,
                    remote_data: None,
                };
                // All or nothing: every member is checked before anyone joins.
                if let Some(unknown) = members.iter().find(|m| !self.employees.contains_key(*m)) {
                    return Err(ChangeError::UnknownEmployee(unknown.clone()));
                }
                for member in &members {
                    let employee = self.employee_mut(member)?;
                    employee.groups.push(team.embedded());
                    employee.teams.push(team.embedded());
                    employee.changed_at = now;
                }
                self.groups.insert(id, team);
                Ok(())
            }
            Change::TouchPercent(percent) => {
                let total = self.employees.len();
                let count = ((total as f64) * percent / 100.0).round() as usize;
                if count == 0 {
                    return Ok(());
                }
                let stride = (total / count).max(1);
                for employee in self.employees.values_mut().step_by(stride).take(count) {
                    let title = employee.job_title.take().unwrap_or_default();
                    let title = match title.strip_suffix(" (acting)") {
                        Some(base) => base.to_owned(),
                        None => format!("{title} (acting)"),
                    };
                    set_job_title(employee, Some(title), now);
                }
                Ok(())
            }
        }
    }

    fn employee_mut(&mut self, id: &str) -> Result<&mut Employee, ChangeError> {
        self.employees.get_mut(id).ok_or_else(|| ChangeError::UnknownEmployee(id.to_owned()))
    }

    fn hire(&mut self, hire: NewHire, now: DateTime<Utc>) -> Result<(), ChangeError> {
        let entity_id = hire
            .legal_entity_id
            .clone()
            .or_else(|| self.entity_order.first().cloned())
            .filter(|id| self.legal_entities.contains_key(id))
            .ok_or(ChangeError::InvalidValue {
                field: EditableField::LegalEntity,
                value: hire.legal_entity_id.clone(),
                reason: "not a legal entity id of this company",
            })?;
        let entity = &self.legal_entities[&entity_id];
        let currency = entity.address.as_ref().and_then(|address| address.country.as_deref()).map(|country| match country {
            "US" => "USD",
            "GB" => "GBP",
            _ => "EUR",
        });
        let id = opaque_id(&mut self.rng);
        let employment_id = opaque_id(&mut self.rng);
        let number = 1000 + self.employees.len();
        let status = match hire.start_date {
            Some(start) if start <= self.spec.today => EmploymentStatus::Active,
            _ => EmploymentStatus::Pending,
        };
        let employee = Employee {
            id: id.clone(),
            remote_id: format!("hire-{number}"),
            employee_number: Some(format!("E{number:05}")),
            display_full_name: Some(format!("{} {}", hire.first_name, hire.last_name)),
            first_name: Some(hire.first_name),
            last_name: Some(hire.last_name),
            nationality: None,
            job_title: hire.job_title.clone(),
            work_email: hire.work_email,
            personal_email: None,
            mobile_phone_number: None,
            ssn: Some(format!("SSN-{number:09}")),
            tax_id: None,
            gender: None,
            ethnicity: None,
            marital_status: None,
            employment_status: Some(status),
            employment_type: Some(hire.employment_type),
            weekly_hours: None,
            avatar: None,
            work_location_id: None,
            legal_entity_id: Some(entity_id),
            manager_id: None,
            home_address: None,
            bank_accounts: None,
            date_of_birth: None,
            start_date: hire.start_date.map(midnight),
            termination_date: None,
            remote_created_at: Some(now),
            changed_at: now,
            remote_deleted_at: None,
            custom_fields: Some(Map::new()),
            integration_fields: Vec::new(),
            remote_data: None,
            employments: vec![Employment {
                id: employment_id,
                remote_id: None,
                employee_id: id,
                job_title: hire.job_title,
                pay_rate: None,
                pay_period: None,
                pay_frequency: None,
                employment_type: Some(hire.employment_type),
                pay_currency: currency.map(Into::into),
                effective_date: hire.start_date.map(midnight),
                changed_at: now,
                remote_deleted_at: None,
                remote_data: None,
                custom_fields: None,
                integration_fields: Vec::new(),
            }],
            time_off_balances: Vec::new(),
            manager: None,
            groups: Vec::new(),
            legal_entity: Some(entity.embedded()),
            teams: Vec::new(),
            work_location: None,
        };
        self.insert_employee(employee);
        Ok(())
    }

    fn edit(
        &mut self,
        employee_id: &str,
        field: EditableField,
        value: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), ChangeError> {
        let invalid = |reason| ChangeError::InvalidValue { field, value: value.clone(), reason };
        let date = |value: &Option<String>| match value {
            None => Ok(None),
            Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(|date| Some(midnight(date)))
                .map_err(|_| invalid("expected YYYY-MM-DD")),
        };
        // Resolve references before borrowing the employee mutably.
        let legal_entity = match (field, &value) {
            (EditableField::LegalEntity, Some(id)) => Some(
                self.legal_entities
                    .get(id)
                    .map(|entity| entity.embedded())
                    .ok_or_else(|| invalid("not a legal entity id of this company"))?,
            ),
            _ => None,
        };
        let location = match (field, &value) {
            (EditableField::WorkLocation, Some(id)) => {
                Some(self.locations.get(id).cloned().ok_or_else(|| invalid("not a location id of this company"))?)
            }
            _ => None,
        };
        let manager = match (field, &value) {
            (EditableField::Manager, Some(id)) => Some(
                self.employees.get(id).map(Employee::as_manager).ok_or_else(|| invalid("not an employee id of this company"))?,
            ),
            _ => None,
        };
        let employment_type = match (field, &value) {
            (EditableField::EmploymentType, Some(raw)) => {
                Some(EmploymentType::from_wire(raw).ok_or_else(|| invalid("expected a Kombo employment type"))?)
            }
            _ => None,
        };
        let employment_status = match (field, &value) {
            (EditableField::EmploymentStatus, Some(raw)) => Some(
                serde_json::from_value::<EmploymentStatus>(serde_json::Value::String(raw.clone()))
                    .map_err(|_| invalid("expected a Kombo employment status"))?,
            ),
            _ => None,
        };
        let start_date = match field {
            EditableField::StartDate | EditableField::TerminationDate => date(&value)?,
            _ => None,
        };

        let employee = self.employee_mut(employee_id)?;
        employee.changed_at = now;
        let mut manager_copy_changed = false;
        match field {
            EditableField::FirstName | EditableField::LastName => {
                if field == EditableField::FirstName {
                    employee.first_name = value;
                } else {
                    employee.last_name = value;
                }
                employee.display_full_name = Some(
                    [employee.first_name.as_deref(), employee.last_name.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                manager_copy_changed = true;
            }
            EditableField::JobTitle => set_job_title(employee, value, now),
            EditableField::WorkEmail => {
                employee.work_email = value;
                manager_copy_changed = true;
            }
            EditableField::StartDate => {
                employee.start_date = start_date;
                for employment in &mut employee.employments {
                    employment.effective_date = start_date;
                    employment.changed_at = now;
                }
            }
            EditableField::TerminationDate => {
                employee.termination_date = start_date;
                manager_copy_changed = true;
            }
            EditableField::LegalEntity => {
                employee.legal_entity_id = legal_entity.as_ref().map(|entity| entity.id.clone());
                employee.legal_entity = legal_entity;
            }
            EditableField::WorkLocation => {
                employee.work_location_id = location.as_ref().map(|location| location.id.clone());
                employee.work_location = location;
            }
            EditableField::Manager => {
                employee.manager_id = manager.as_ref().map(|manager| manager.id.clone());
                employee.manager = manager;
            }
            EditableField::EmploymentType => {
                employee.employment_type = employment_type;
                for employment in &mut employee.employments {
                    employment.employment_type = employment_type;
                    employment.changed_at = now;
                }
            }
            EditableField::EmploymentStatus => {
                employee.employment_status = employment_status;
                manager_copy_changed = true;
            }
        }
        if manager_copy_changed {
            self.refresh_manager_copies(employee_id, now);
        }
        Ok(())
    }
}

/// The job title lives on the employee and on the current employment; Kombo
/// reports both as changed.
fn set_job_title(employee: &mut Employee, title: Option<String>, now: DateTime<Utc>) {
    employee.changed_at = now;
    if let Some(employment) = employee.employments.last_mut() {
        employment.job_title = title.clone();
        employment.changed_at = now;
    }
    employee.job_title = title;
}
