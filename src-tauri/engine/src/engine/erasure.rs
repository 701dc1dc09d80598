//! A person's own data: everything Roster holds about one person as one document (the right of
//! access), and erasing them for good (the right to erasure), now or after the retention period.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Action, Engine, Profile};
use crate::error::{Error, Result};
use crate::private;
use crate::store::checklists::{self, ChecklistQuery};
use crate::store::device_assignments::{self, HandOver};
use crate::store::employee_links::{self, SourceRecord};
use crate::store::{change_log, employees, fetched_people};
use crate::sync::{self, retention};

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

impl Engine {
    /// The person's data as one document, for them to read (`roster person export`).
    pub fn export_person(&self, who: &str, now: DateTime<Utc>) -> Result<PersonalData> {
        let profile = self.profile(who, now)?;
        let conn = self.store.conn();
        let source_records = employee_links::records(conn, profile.id)?;
        let devices = device_assignments::of(conn, profile.id)?;
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
        self.acting(Action::ErasePeople, |engine| {
            let id = engine.find_employee(who)?;
            let conn = engine.store.conn();
            let returned_by = employee_links::returning(conn, id)?;
            if !returned_by.is_empty() {
                return Err(Error::StillInSource { who: who.to_owned(), sources: returned_by.join(", ") });
            }
            if device_assignments::holds_any(conn, id)? {
                return Err(Error::HoldsDevice(who.to_owned()));
            }
            engine.erase(&[id], "user", "erased a person", now)
        })
    }

    /// Retention: people whose end date is more than the retention period ago are erased, unless
    /// they still hold a device. A source that still returns them (most HR systems keep people
    /// who left) does not bring them back: reads skip such people (`sync::retention`). Returns
    /// how many were erased.
    pub fn apply_retention(&mut self, now: DateTime<Utc>) -> Result<usize> {
        let Some((days, cutoff)) = retention::cutoff(self.store.conn(), now)? else {
            return Ok(0);
        };
        let ids = employees::left_before(self.store.conn(), cutoff)?;
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
        let tx = self.store.begin()?;
        let mut sources = BTreeSet::new();
        for id in ids {
            sources.extend(employee_links::source_ids(&tx, *id)?);
            // Records keyed by the source's id for them, not by the employee: gone with the links.
            fetched_people::forget_linked_to(&tx, *id)?;
            employees::delete(&tx, *id)?;
        }
        for source_id in sources {
            sync::discard_held(&tx, source_id, "discarded: people it names were erased; the next sync plans again", now)?;
        }
        change_log::record_erasure(&tx, &now.to_rfc3339(), actor, action)?;
        tx.commit()?;
        self.store.flush_erased()
    }
}
