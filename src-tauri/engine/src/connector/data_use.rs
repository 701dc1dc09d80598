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
    /// What Roster does with it today, and only that.
    pub purpose: &'static str,
    /// What it will also serve once a later feature exists (not yet).
    pub later: Option<&'static str>,
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
            purpose: "Create and keep each person's profile, recognise them across sources, and record the devices they hold",
            later: Some("keeping people informed of orders, and enrolling them in device management"),
            fields: vec![Field::FirstName, Field::LastName, Field::WorkEmail, Field::EmployeeNumber],
            optional: false,
        },
        DataUse {
            object: "Employee",
            data: "Personal email",
            purpose: "Shown on the profile, to reach people before their first day",
            later: None,
            fields: vec![Field::PersonalEmail],
            optional: true,
        },
        DataUse {
            object: "Employee",
            data: "Mobile phone number",
            purpose: "Shown on the profile, to reach people",
            later: Some("keeping people informed of orders and deliveries"),
            fields: vec![Field::MobilePhone],
            optional: true,
        },
        DataUse {
            object: "Employee",
            data: "Home address",
            purpose: "Shown on the profile, for sending equipment by hand",
            later: Some("shipping equipment"),
            fields: vec![Field::HomeAddress],
            optional: true,
        },
        DataUse {
            object: "Employee / Team",
            data: "Job title, team, manager, employment status, work location, legal entity",
            purpose: "Shown on the profile; filter a source by team and legal entity; sort people into onboardings, \
                      active and offboardings by status; know each person's time zone",
            later: Some("applying controls by device groups and SaaS rules"),
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
            object: "Employee",
            data: "Start and end dates, employment type",
            purpose: "Manage onboardings and offboardings; filter a source by employment type",
            later: None,
            fields: vec![Field::StartDate, Field::EndDate, Field::EmploymentType],
            optional: false,
        },
        DataUse {
            object: "Legal entity, work location",
            data: "Name, address",
            purpose: "Filter by legal entity and know each person's time zone",
            later: None,
            fields: vec![],
            optional: false,
        },
        DataUse {
            object: "Employee excluded by the filters",
            data: "HR id, name, work email, and which filter excluded them; nothing else is kept",
            purpose: "The filter preview, and answering \"why is this person missing?\"",
            later: None,
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

    #[test]
    fn purposes_claim_only_what_roster_does_today() {
        // Features that do not exist yet: their words belong in `later`, never in `purpose`.
        let later_features = ["order", "deliver", "ship", "enrol", "device group", "saas"];
        for use_ in data_retrieved() {
            let purpose = use_.purpose.to_lowercase();
            for feature in later_features {
                assert!(!purpose.contains(feature), "{:?} claims a feature Roster does not have ({feature})", use_.purpose);
            }
            assert!(!purpose.contains("used by"), "a purpose says what Roster does, not what it will use: {:?}", use_.purpose);
        }
        let later = |data: &str| data_retrieved().into_iter().find(|d| d.data == data).and_then(|d| d.later).unwrap_or_default();
        assert!(later("Home address").contains("shipping"), "shipping is named as a later purpose of the home address");
        assert!(
            later("Job title, team, manager, employment status, work location, legal entity").contains("device groups"),
            "device rules are named as a later purpose of the organisation fields"
        );
    }

    #[test]
    fn the_table_says_what_is_kept_of_people_the_filters_exclude() {
        let excluded = data_retrieved().into_iter().find(|d| d.object.contains("excluded")).expect("a line for excluded people");
        for kept in ["HR id", "name", "work email", "filter excluded them", "nothing else"] {
            assert!(excluded.data.contains(kept), "{:?} names {kept:?}", excluded.data);
        }
        assert!(excluded.purpose.contains("why is this person missing?"));
    }
}
