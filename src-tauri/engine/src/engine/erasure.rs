//! A person's own data: everything Roster holds about one person as one document (the right of
//! access), and erasing them for good (the right to erasure).

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Engine, Profile};
use crate::error::{Error, Result};

/// One device hand-over: who held which device, from when to when.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct HandOver {
    pub serial_number: String,
    pub kind: String,
    pub model: String,
    pub assigned_on: String,
    pub returned_on: Option<String>,
}

/// Everything Roster holds about one person: every field with its source, the devices they
/// held and the history of changes.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PersonalData {
    pub exported_at: String,
    pub profile: Profile,
    /// The person's record in each source (the id the HR system gives them).
    pub source_records: Vec<SourceRecord>,
    pub devices: Vec<HandOver>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SourceRecord {
    pub source: String,
    pub remote_id: String,
    pub missing_since: Option<String>,
}

impl Engine {
    /// The person's data as one document, for them to read (`roster person export`).
    pub fn export_person(&self, who: &str, now: DateTime<Utc>) -> Result<PersonalData> {
        let profile = self.profile(who, now)?;
        let conn = self.store.conn();
        let mut stmt = conn.prepare(
            "SELECT s.name, l.remote_id, l.missing_since FROM employee_links l JOIN sources s ON s.id = l.source_id
             WHERE l.employee_id = ?1 ORDER BY s.id",
        )?;
        let source_records = stmt
            .query_map([profile.id], |r| Ok(SourceRecord { source: r.get(0)?, remote_id: r.get(1)?, missing_since: r.get(2)? }))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = conn.prepare(
            "SELECT d.serial_number, d.kind, d.model, a.assigned_on, a.returned_on FROM device_assignments a
             JOIN devices d ON d.id = a.device_id WHERE a.employee_id = ?1 ORDER BY a.assigned_on, a.id",
        )?;
        let devices = stmt
            .query_map([profile.id], |r| {
                Ok(HandOver { serial_number: r.get(0)?, kind: r.get(1)?, model: r.get(2)?, assigned_on: r.get(3)?, returned_on: r.get(4)? })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(PersonalData { exported_at: now.to_rfc3339(), profile, source_records, devices })
    }

    /// Erases a person now: every field, link, provenance, conflict, hand-over and history row
    /// that names them, with secure delete and a checkpoint so no byte of them stays in the files.
    /// Refused while a connected source still returns them (the next sync would bring them back)
    /// or while they hold a device. The history keeps one line saying that someone was erased.
    pub fn erase_person(&mut self, who: &str, now: DateTime<Utc>) -> Result<()> {
        let id = self.find_employee(who)?;
        let tx = self.store.conn_mut().transaction()?;
        let returned_by: Vec<String> = tx
            .prepare(
                "SELECT s.name FROM employee_links l JOIN sources s ON s.id = l.source_id
                 WHERE l.employee_id = ?1 AND l.missing_since IS NULL ORDER BY s.id",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !returned_by.is_empty() {
            return Err(Error::StillInSource { who: who.to_owned(), sources: returned_by.join(", ") });
        }
        let holds: i64 =
            tx.query_row("SELECT count(*) FROM device_assignments WHERE employee_id = ?1 AND returned_on IS NULL", [id], |r| r.get(0))?;
        if holds > 0 {
            return Err(Error::HoldsDevice(who.to_owned()));
        }
        // Records keyed by the source's id for them, not by the employee: gone with the links.
        tx.execute(
            "DELETE FROM employments WHERE (source_id, employee_remote_id) IN (SELECT source_id, remote_id FROM employee_links WHERE employee_id = ?1)",
            [id],
        )?;
        tx.execute(
            "DELETE FROM fetched_people WHERE (source_id, remote_id) IN (SELECT source_id, remote_id FROM employee_links WHERE employee_id = ?1)",
            [id],
        )?;
        // Links, memberships, provenance, conflicts, hand-overs and history cascade; reports lose their manager.
        tx.execute("DELETE FROM employees WHERE id = ?1", [id])?;
        tx.execute(
            "INSERT INTO change_log (at, employee_id, actor, action) VALUES (?1, NULL, 'user', 'erased a person')",
            [now.to_rfc3339()],
        )?;
        tx.commit()?;
        self.store.flush_erased()
    }
}
