//! What Roster reads from an HR system and why: shown before any authorisation, and the only
//! fields the connectors keep (see [`crate::model::Field`]).

use serde::Serialize;
use ts_rs::TS;

use crate::model::Field;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DataUse {
    /// The HR system's object the data comes from.
    pub object: &'static str,
    pub data: &'static str,
    pub purpose: &'static str,
    /// The fields behind this line; optional ones can be switched off per source.
    pub fields: Vec<Field>,
    pub optional: bool,
}

/// The brief's table of data retrieved, line by line.
pub fn data_retrieved() -> Vec<DataUse> {
    vec![
        DataUse {
            object: "Employee",
            data: "First name, last name, work email, employee number",
            purpose: "Create and manage employee profiles, keep them informed of orders, and enrol them in device management",
            fields: vec![Field::FirstName, Field::LastName, Field::WorkEmail, Field::EmployeeNumber],
            optional: false,
        },
        DataUse {
            object: "Employee",
            data: "Personal email",
            purpose: "Reach people before their first day",
            fields: vec![Field::PersonalEmail],
            optional: true,
        },
        DataUse {
            object: "Employee",
            data: "Mobile phone number",
            purpose: "Keep people informed of orders and deliveries",
            fields: vec![Field::MobilePhone],
            optional: true,
        },
        DataUse {
            object: "Employee",
            data: "Home address",
            purpose: "Ship equipment",
            fields: vec![Field::HomeAddress],
            optional: true,
        },
        DataUse {
            object: "Employee / Team",
            data: "Job title, team, manager, employment status, work location, legal entity",
            purpose: "Apply controls by device groups and SaaS rules",
            fields: vec![
                Field::JobTitle,
                Field::Groups,
                Field::Manager,
                Field::EmploymentStatus,
                Field::WorkLocation,
                Field::LegalEntity,
            ],
            optional: false,
        },
        DataUse {
            object: "Contract (employment)",
            data: "Start and end dates, employment type, effective date",
            purpose: "Manage onboardings and offboardings",
            fields: vec![Field::StartDate, Field::EndDate, Field::EmploymentType],
            optional: false,
        },
        DataUse {
            object: "Legal entity, work location",
            data: "Name, address",
            purpose: "Filter by legal entity and know each person's time zone",
            fields: vec![],
            optional: false,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_synchronised_field_is_declared_with_a_purpose() {
        let declared: Vec<Field> = data_retrieved().into_iter().flat_map(|d| d.fields).collect();
        for field in Field::ALL {
            assert!(declared.contains(&field), "{field} is read, so it must be shown with its purpose before authorisation");
        }
        for use_ in data_retrieved() {
            assert_eq!(
                use_.optional,
                use_.fields.iter().any(|f| f.is_optional()),
                "{} is optional exactly when its fields are",
                use_.data
            );
        }
    }
}
