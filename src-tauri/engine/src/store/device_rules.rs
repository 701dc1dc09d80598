//! Device rules: the equipment a person is suggested, by legal entity, employment type or team,
//! and the devices of the inventory that could fill a suggestion.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::Filters;
use crate::store::checklists::{self, Candidate};
use crate::store::db::{params, Db, Row};

/// A rule as the admin writes it: "team = Sales → laptop: MacBook Air 13". `filters` narrows it
/// with the filter shapes of sources (names or HR ids); empty lists mean everyone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewDeviceRule {
    pub filters: Filters,
    /// laptop, phone, keyboard... (the kinds of the inventory).
    pub kind: String,
    /// The model or a description: "MacBook Air 13", "DE layout".
    pub model: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeviceRule {
    pub id: i64,
    pub filters: Filters,
    /// The filters in words: "team: Sales; legal entity: Quillon GmbH", or "everyone".
    pub condition: String,
    pub kind: String,
    pub model: String,
}

impl DeviceRule {
    fn new(id: i64, filters: Filters, kind: String, model: String) -> DeviceRule {
        DeviceRule { id, condition: describe(&filters), filters, kind, model }
    }
}

/// The rule in words, as the audit trail keeps it: "laptop MacBook Air 13 for team: Sales".
impl std::fmt::Display for DeviceRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} for {}", self.kind, self.model, self.condition)
    }
}

/// Filters in words, as rules and checklist templates show them: "everyone" when nothing narrows.
pub fn describe(filters: &Filters) -> String {
    let narrowed: Vec<String> =
        [("legal entity", &filters.legal_entities), ("employment type", &filters.employment_types), ("team", &filters.teams)]
            .into_iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(kind, values)| format!("{kind}: {}", values.iter().cloned().collect::<Vec<_>>().join(", ")))
            .collect();
    if narrowed.is_empty() {
        "everyone".to_owned()
    } else {
        narrowed.join("; ")
    }
}

pub fn list(conn: &Db) -> Result<Vec<DeviceRule>> {
    conn.query_map("SELECT id, filters, kind, model FROM device_rules ORDER BY kind, model, id", (), rule)
}

/// A rule from its row: id, filters, kind, model.
fn rule(r: &Row<'_>) -> Result<DeviceRule> {
    Ok(DeviceRule::new(r.get(0)?, serde_json::from_str(&r.get::<String>(1)?)?, r.get(2)?, r.get(3)?))
}

pub fn add(conn: &Db, rule: &NewDeviceRule, now: &str) -> Result<DeviceRule> {
    let (kind, model) = (rule.kind.trim(), rule.model.trim());
    if kind.is_empty() || model.is_empty() {
        return Err(Error::Invalid("a device rule needs a device kind and a model (or a description)".into()));
    }
    let id = conn.query_row(
        "INSERT INTO device_rules (filters, kind, model, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        params![serde_json::to_string(&rule.filters)?, kind, model, now],
        |r| r.get(0),
    )?;
    Ok(DeviceRule::new(id, rule.filters.clone(), kind.to_owned(), model.to_owned()))
}

/// Removes the rule `id`; the rule it was.
pub fn remove(conn: &Db, id: i64) -> Result<DeviceRule> {
    conn.query_opt("DELETE FROM device_rules WHERE id = ?1 RETURNING id, filters, kind, model", [id], rule)?
        .ok_or_else(|| Error::Invalid(format!("no device rule {id}; `roster device rule list` shows them")))
}

/// What rules narrow a person by: their legal entity, employment type and teams.
pub fn person(conn: &Db, employee_id: i64) -> Result<Candidate> {
    let sql = format!("{} WHERE e.id = ?1", checklists::candidate_select("start_date"));
    conn.query_opt(&sql, [employee_id], checklists::candidate)?
        .ok_or_else(|| Error::Invalid(format!("no employee {employee_id}")))
}

/// The serial number of a device of this kind and model (case ignored) that is in stock, held by
/// no one and reserved for no one, the lowest first.
pub fn free_device(conn: &Db, kind: &str, model: &str) -> Result<Option<String>> {
    conn.query_opt(
        "SELECT d.serial_number FROM devices d
         WHERE lower(d.kind) = lower(?1) AND lower(d.model) = lower(?2) AND d.status = 'in_stock' AND d.reserved_for IS NULL
           AND NOT EXISTS (SELECT 1 FROM device_assignments a WHERE a.device_id = d.id AND a.returned_on IS NULL)
         ORDER BY d.serial_number LIMIT 1",
        [kind, model],
        |r| r.get(0),
    )
}

/// The serial number of a device of this kind and model (case ignored) reserved for the person.
pub fn reserved_device(conn: &Db, employee_id: i64, kind: &str, model: &str) -> Result<Option<String>> {
    conn.query_opt(
        "SELECT d.serial_number FROM devices d
         WHERE d.reserved_for = ?1 AND lower(d.kind) = lower(?2) AND lower(d.model) = lower(?3)
         ORDER BY d.serial_number LIMIT 1",
        params![employee_id, kind, model],
        |r| r.get(0),
    )
}

/// The serial number of a device of this kind and model (case ignored) the person holds now.
pub fn held_device(conn: &Db, employee_id: i64, kind: &str, model: &str) -> Result<Option<String>> {
    conn.query_opt(
        "SELECT d.serial_number FROM devices d JOIN device_assignments a ON a.device_id = d.id AND a.returned_on IS NULL
         WHERE a.employee_id = ?1 AND lower(d.kind) = lower(?2) AND lower(d.model) = lower(?3)
         ORDER BY d.serial_number LIMIT 1",
        params![employee_id, kind, model],
        |r| r.get(0),
    )
}
