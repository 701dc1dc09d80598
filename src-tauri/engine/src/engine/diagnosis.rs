//! The brief's "missing offboarding" case: HR's last-read value of an import-once field differs
//! from the one Roster keeps. Found from what each source last returned, and settled by taking
//! HR's value once (or by switching the field to continuous, in the source's field modes).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::people::HandChange;
use super::{Action, Engine};
use crate::error::{Error, Result};
use crate::model::{Field, FieldMode};
use crate::store::fetched_people::{self, LastRead};
use crate::store::{field_conflicts, sources, Db};

/// HR says one thing, Roster keeps another, because the field is imported once from that source.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HrDifference {
    pub source: String,
    pub field: Field,
    /// The value in the source's last read.
    pub hr_value: Option<String>,
    /// The value Roster keeps.
    pub kept_value: Option<String>,
}

impl HrDifference {
    /// The diagnosis in words, with the two ways out.
    pub fn describe(&self) -> String {
        let label = self.field.name().replace('_', " ");
        let mut capitalised = label.clone();
        capitalised[..1].make_ascii_uppercase();
        format!(
            "HR now says {label} {}; Roster keeps its own value ({}) because {capitalised} is import once for {}: \
             take HR's value once (in the profile, or roster take-once) or switch {capitalised} to continuous for {}",
            spoken(self.field, self.hr_value.as_deref()),
            spoken(self.field, self.kept_value.as_deref()),
            self.source,
            self.source,
        )
    }
}

/// A value as people say it: dates as "7 Dec 2026", nothing as "none".
fn spoken(field: Field, value: Option<&str>) -> String {
    match value {
        None => "none".into(),
        Some(v) if matches!(field, Field::StartDate | Field::EndDate) => {
            v.parse::<NaiveDate>().map_or_else(|_| v.to_owned(), |d| d.format("%-d %b %Y").to_string())
        }
        Some(v) => v.to_owned(),
    }
}

/// Every import-once field of the person where a linked source's last read differs from the kept
/// value. A field another source owns is a conflict, not this; out-of-scope links are not updated
/// at all, which their profile says already.
pub fn hr_differences(conn: &Db, employee_id: i64) -> Result<Vec<HrDifference>> {
    let mut out = Vec::new();
    for LastRead { source_id, source, values } in fetched_people::last_reads(conn, employee_id)? {
        let modes = sources::field_modes(conn, source_id)?;
        for (field, hr_value, kept_value) in values {
            if hr_value == kept_value
                || modes[&field] != FieldMode::ImportOnce
                || field_conflicts::exists(conn, employee_id, field, source_id)?
            {
                continue;
            }
            out.push(HrDifference { source: source.clone(), field, hr_value, kept_value });
        }
    }
    Ok(out)
}

impl Engine {
    /// Takes HR's last-read value of an import-once field once: the field stays import once. With
    /// several sources differing, `source_name` says whose value to take.
    pub fn take_hr_value(
        &mut self,
        who: &str,
        field: Field,
        source_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<HrDifference> {
        self.acting(Action::EditFields, |engine| {
            let id = engine.find_employee(who)?;
            let differences: Vec<HrDifference> = hr_differences(engine.store.conn(), id)?
                .into_iter()
                .filter(|d| d.field == field && source_name.is_none_or(|s| d.source == s))
                .collect();
            let difference = match differences.as_slice() {
                [one] => one.clone(),
                [] => {
                    return Err(Error::Invalid(format!(
                        "HR's last read holds the same {field} for {who} as Roster (or {field} is not imported once): nothing to take"
                    )))
                }
                several => {
                    let names: Vec<&str> = several.iter().map(|d| d.source.as_str()).collect();
                    return Err(Error::Invalid(format!(
                        "{field} of {who} differs in several sources ({}): name the one to take it from",
                        names.join(", ")
                    )));
                }
            };
            let source = engine.source(&difference.source)?;
            let tx = engine.store.begin()?;
            let change = HandChange {
                employee_id: id,
                field,
                source_id: Some(source.id),
                action: "took_hr_value",
                old: difference.kept_value.as_deref(),
                new: difference.hr_value.as_deref(),
            };
            change.write(&tx, now)?;
            tx.commit()?;
            Ok(difference)
        })
    }
}
