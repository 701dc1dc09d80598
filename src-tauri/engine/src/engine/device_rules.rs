//! Device rules: the equipment each person is suggested, and whether the inventory can fill it.

use crate::store::Db;
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::checklists::narrows_to;
use super::{Action, Engine};
use crate::error::Result;
use crate::store::change_log::{self, ConfigChange};
use crate::store::device_rules::{self, DeviceRule, NewDeviceRule};

/// One piece of equipment a rule suggests for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EquipmentSuggestion {
    pub rule_id: i64,
    /// Why: the rule's condition in words.
    pub condition: String,
    pub kind: String,
    pub model: String,
    /// The serial number of such a device the person already holds.
    pub held: Option<String>,
    /// The serial number of such a device reserved for the person.
    pub reserved: Option<String>,
    /// The serial number of such a device in stock, held by no one and reserved for no one.
    pub free: Option<String>,
}

impl Engine {
    pub fn device_rules(&self) -> Result<Vec<DeviceRule>> {
        device_rules::list(self.store.conn())
    }

    /// Adds a rule; the audit trail keeps it in words.
    pub fn add_device_rule(&mut self, rule: &NewDeviceRule, now: DateTime<Utc>) -> Result<DeviceRule> {
        self.acting(Action::ChangeSettings, |engine| {
            let tx = engine.store.begin()?;
            let added = device_rules::add(&tx, rule, &now.to_rfc3339())?;
            log_rule(&tx, &added, true, now)?;
            tx.commit()?;
            Ok(added)
        })
    }

    /// Removes a rule; the audit trail keeps what it was.
    pub fn remove_device_rule(&mut self, id: i64, now: DateTime<Utc>) -> Result<()> {
        self.acting(Action::ChangeSettings, |engine| {
            let tx = engine.store.begin()?;
            let removed = device_rules::remove(&tx, id)?;
            log_rule(&tx, &removed, false, now)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// The equipment the rules suggest for `who`, each with a device that could fill it.
    pub fn equipment(&self, who: &str) -> Result<Vec<EquipmentSuggestion>> {
        suggestions(self.store.conn(), self.find_employee(who)?)
    }
}

/// A rule added or removed, in the audit trail: its kind, and the rule in words.
fn log_rule(conn: &Db, rule: &DeviceRule, added: bool, now: DateTime<Utc>) -> Result<()> {
    let action = if added { "device_rule_added" } else { "device_rule_removed" };
    let (at, words) = (now.to_rfc3339(), rule.to_string());
    change_log::record_config(conn, &ConfigChange::whole(&at, action, &rule.kind, &words, added))
}

/// Every rule whose filters take the person, in the rules' order, with the device of that kind and
/// model they hold or, failing that, the one reserved for them or, failing that, one free in the
/// inventory (never one reserved for someone else).
pub(super) fn suggestions(conn: &Db, employee_id: i64) -> Result<Vec<EquipmentSuggestion>> {
    let person = device_rules::person(conn, employee_id)?;
    device_rules::list(conn)?
        .into_iter()
        .filter(|rule| narrows_to(&rule.filters, &person))
        .map(|rule| {
            let held = device_rules::held_device(conn, employee_id, &rule.kind, &rule.model)?;
            // Someone who holds one needs none from stock; someone with one kept for them, no other.
            let reserved = match held {
                Some(_) => None,
                None => device_rules::reserved_device(conn, employee_id, &rule.kind, &rule.model)?,
            };
            let free = match (&held, &reserved) {
                (None, None) => device_rules::free_device(conn, &rule.kind, &rule.model)?,
                _ => None,
            };
            Ok(EquipmentSuggestion {
                rule_id: rule.id,
                condition: rule.condition,
                kind: rule.kind,
                model: rule.model,
                held,
                reserved,
                free,
            })
        })
        .collect()
}
