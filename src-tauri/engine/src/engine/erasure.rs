//! A person's own data: everything Roster holds about one person as one document (the right of
//! access), and erasing them for good (the right to erasure), now or after the retention period.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Engine, Profile};
use crate::error::{Error, Result};
use crate::private;
use crate::store::checklists::{self, ChecklistQuery};
use crate::sync::{self, retention};

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
    /// Onboarding and offboarding steps, closed ones too (they may carry comments about the person).
    pub checklist: Vec<checklists::ChecklistStep>,
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
                Ok(HandOver {
                    serial_number: r.get(0)?,
                    kind: r.get(1)?,
                    model: r.get(2)?,
                    assigned_on: r.get(3)?,
                    returned_on: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let query = ChecklistQuery { employee_id: Some(profile.id), include_closed: true, ..ChecklistQuery::default() };
        let checklist = checklists::list(conn, &query, now)?;
        Ok(PersonalData { exported_at: now.to_rfc3339(), profile, source_records, devices, checklist })
    }

    /// Writes the person's data as a JSON file in `folder` (readable by the user only), for the
    /// profile's "Export data"; returns the file's path.
    pub fn write_person_export(&self, who: &str, folder: &Path, now: DateTime<Utc>) -> Result<PathBuf> {
        let data = self.export_person(who, now)?;
        let path = folder.join(format!("roster-export-{}-{}.json", data.profile.id, now.format("%Y%m%d-%H%M%S")));
        let io = |source| Error::DataDir { path: path.display().to_string(), source };
        let mut file = private::create_file(&path, true).map_err(io)?;
        file.write_all(&serde_json::to_vec_pretty(&data)?).map_err(io)?;
        Ok(path)
    }

    /// Erases a person now: every field, link, provenance, conflict, hand-over and history row
    /// that names them, with secure delete and a checkpoint so no byte of them stays in the files.
    /// Refused while a connected source still returns them (the next sync would bring them back)
    /// or while they hold a device. The history keeps one line saying that someone was erased.
    pub fn erase_person(&mut self, who: &str, now: DateTime<Utc>) -> Result<()> {
        let id = self.find_employee(who)?;
        let conn = self.store.conn();
        let returned_by: Vec<String> = conn
            .prepare(
                "SELECT s.name FROM employee_links l JOIN sources s ON s.id = l.source_id
                 WHERE l.employee_id = ?1 AND l.missing_since IS NULL ORDER BY s.id",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !returned_by.is_empty() {
            return Err(Error::StillInSource { who: who.to_owned(), sources: returned_by.join(", ") });
        }
        let holds: i64 = conn.query_row(
            "SELECT count(*) FROM device_assignments WHERE employee_id = ?1 AND returned_on IS NULL",
            [id],
            |r| r.get(0),
        )?;
        if holds > 0 {
            return Err(Error::HoldsDevice(who.to_owned()));
        }
        self.erase(&[id], "user", "erased a person", now)
    }

    /// Retention: people whose end date is more than the retention period ago are erased, unless
    /// they still hold a device. A source that still returns them (most HR systems keep people
    /// who left) does not bring them back: reads skip such people (`sync::retention`). Returns
    /// how many were erased.
    pub fn apply_retention(&mut self, now: DateTime<Utc>) -> Result<usize> {
        let Some((days, cutoff)) = retention::cutoff(self.store.conn(), now)? else {
            return Ok(0);
        };
        let ids: Vec<i64> = self
            .store
            .conn()
            .prepare(
                "SELECT e.id FROM employees e WHERE e.end_date IS NOT NULL AND substr(e.end_date, 1, 10) < ?1
                 AND NOT EXISTS (SELECT 1 FROM device_assignments a WHERE a.employee_id = e.id AND a.returned_on IS NULL)",
            )?
            .query_map([cutoff.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !ids.is_empty() {
            let who = if ids.len() == 1 { "1 person".to_owned() } else { format!("{} people", ids.len()) };
            self.erase(&ids, "sync", &format!("erased after the {days}-day retention: {who}"), now)?;
            tracing::info!(count = ids.len(), days, "erased people past the retention period");
        }
        Ok(ids.len())
    }

    /// Deletes `ids` and every row that names them in one transaction, records `action` (which
    /// names no one), then makes the erasure final on disk. Plans waiting for approval in the
    /// sources that knew them are discarded: they may carry the erased people's values.
    fn erase(&mut self, ids: &[i64], actor: &str, action: &str, now: DateTime<Utc>) -> Result<()> {
        let tx = self.store.conn_mut().transaction()?;
        let mut sources = BTreeSet::new();
        for id in ids {
            let linked: Vec<i64> = tx
                .prepare_cached("SELECT source_id FROM employee_links WHERE employee_id = ?1")?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            sources.extend(linked);
            // Records keyed by the source's id for them, not by the employee: gone with the links.
            tx.execute(
                "DELETE FROM employments WHERE (source_id, employee_remote_id) IN (SELECT source_id, remote_id FROM employee_links WHERE employee_id = ?1)",
                [id],
            )?;
            tx.execute(
                "DELETE FROM fetched_people WHERE (source_id, remote_id) IN (SELECT source_id, remote_id FROM employee_links WHERE employee_id = ?1)",
                [id],
            )?;
            // Links, memberships, provenance, conflicts and history cascade; reports lose their
            // manager; past hand-overs keep the device's history with a former employee as holder.
            tx.execute("DELETE FROM employees WHERE id = ?1", [id])?;
        }
        for source_id in sources {
            sync::discard_held(&tx, source_id, "discarded: people it names were erased; the next sync plans again", now)?;
        }
        tx.execute(
            "INSERT INTO change_log (at, employee_id, actor, action) VALUES (?1, NULL, ?2, ?3)",
            rusqlite::params![now.to_rfc3339(), actor, action],
        )?;
        tx.commit()?;
        self.store.flush_erased()
    }
}
