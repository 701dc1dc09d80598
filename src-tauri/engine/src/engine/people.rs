//! What a person does to one employee: find, hide, edit an import-once field, read the profile,
//! and ask why someone is missing.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::Engine;
use crate::error::{Error, Result};
use crate::model::{Field, FieldMode, View};
use crate::store::change_log::{self, Actor, Entry};
use crate::store::employees;
use crate::store::sources;
use crate::sync::local::TEXT_COLUMNS;

/// One field of a profile, with where its value comes from and whether it may be edited here.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProfileField {
    pub field: Field,
    pub value: Option<String>,
    /// The source that last set the value; `None` for a local edit or a value no source set.
    pub source: Option<String>,
    /// The sync run that set it.
    pub run_id: Option<i64>,
    pub mode: Option<FieldMode>,
    pub editable: bool,
    /// Values other sources hold for this field, when they disagree.
    pub conflicts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ChangeEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Profile {
    pub id: i64,
    pub hidden: bool,
    pub views: Vec<View>,
    /// Set when the filters exclude the person: their fields are no longer updated.
    pub out_of_scope: Option<employees::OutOfScope>,
    pub fields: Vec<ProfileField>,
    /// Import-once fields where HR's last read says otherwise (the "missing offboarding" case).
    pub hr_differences: Vec<super::HrDifference>,
    /// The equipment device rules suggest, with a device that could fill each suggestion.
    pub equipment: Vec<super::EquipmentSuggestion>,
    pub history: Vec<ChangeEntry>,
}

/// The answer to "why is this person missing?".
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Explanation {
    pub query: String,
    pub findings: Vec<String>,
}

/// A value a person sets by hand: typed in, or taken from a source's last read.
pub(super) struct HandChange<'a> {
    pub employee_id: i64,
    pub field: Field,
    /// The source the value comes from; `None` for a value typed in Roster.
    pub source_id: Option<i64>,
    pub action: &'a str,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
}

impl HandChange<'_> {
    /// Writes the value to `column`, its provenance (no run set it) and its history entry.
    pub fn write(&self, tx: &rusqlite::Connection, column: &str, now: DateTime<Utc>) -> Result<()> {
        let (id, at) = (self.employee_id, now.to_rfc3339());
        tx.execute(&format!("UPDATE employees SET {column} = ?2, updated_at = ?3 WHERE id = ?1"), params![id, self.new, at])?;
        tx.execute(
            "INSERT INTO field_provenance (employee_id, field, source_id, run_id, set_at) VALUES (?1, ?2, ?3, NULL, ?4)
             ON CONFLICT (employee_id, field) DO UPDATE SET source_id = excluded.source_id, run_id = NULL, set_at = excluded.set_at",
            params![id, self.field.name(), self.source_id, at],
        )?;
        let entry = Entry {
            at: &at,
            employee_id: id,
            actor: Actor::User,
            action: self.action,
            field: Some(self.field),
            old: self.old,
            new: self.new,
        };
        change_log::record(tx, &entry)
    }
}

/// A source that links a person, with its field modes.
struct LinkedSource {
    id: i64,
    name: String,
    modes: std::collections::HashMap<Field, FieldMode>,
}

/// The first source (in connection order) that syncs `field` continuously: it owns the field.
fn continuous_owner(linked: &[LinkedSource], field: Field) -> Option<String> {
    linked.iter().find(|l| l.modes[&field] == FieldMode::Continuous).map(|l| l.name.clone())
}

impl Engine {
    /// Finds one employee by id, work email or full name.
    pub fn find_employee(&self, who: &str) -> Result<i64> {
        let who = who.trim();
        let conn = self.store.conn();
        if let Ok(id) = who.parse::<i64>() {
            if let Some(id) = conn.query_row("SELECT id FROM employees WHERE id = ?1", [id], |r| r.get(0)).optional()? {
                return Ok(id);
            }
        }
        let mut stmt = conn.prepare(
            "SELECT id FROM employees WHERE lower(work_email) = lower(?1)
             UNION SELECT id FROM employees WHERE lower(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) = lower(?1)",
        )?;
        let ids: Vec<i64> = stmt.query_map([who], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        match ids.as_slice() {
            [id] => Ok(*id),
            [] => Err(Error::UnknownEmployee(who.to_owned())),
            _ => Err(Error::AmbiguousEmployee(who.to_owned())),
        }
    }

    /// Hides or shows a person. Hiding is local: no sync changes it.
    pub fn set_hidden(&mut self, who: &str, hidden: bool, now: DateTime<Utc>) -> Result<i64> {
        let id = self.find_employee(who)?;
        employees::set_hidden(self.store.conn(), id, hidden, now)?;
        // A hidden person gets no checklist; shown again, they get it back.
        self.reconcile_checklists(Actor::User, now)?;
        Ok(id)
    }

    /// Edits a field by hand. A field some source synchronises continuously is refused: HR owns it.
    pub fn edit_field(&mut self, who: &str, field: Field, value: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        let id = self.find_employee(who)?;
        let Some(column) = TEXT_COLUMNS.iter().find(|(f, _)| *f == field).map(|(_, c)| *c) else {
            return Err(Error::Invalid(format!(
                "{field} is set by the HR system's organisation data and cannot be edited by hand"
            )));
        };
        if let Some(source_name) = continuous_owner(&self.linked_sources(id)?, field) {
            return Err(Error::ContinuousField { field, source_name });
        }
        if matches!(field, Field::StartDate | Field::EndDate) {
            if let Some(v) = value {
                crate::connector::calendar_date(v)
                    .filter(|_| v.len() == 10)
                    .ok_or_else(|| Error::Invalid(format!("{field} \"{v}\" is not a date (YYYY-MM-DD)")))?;
            }
        }
        let tx = self.store.conn_mut().transaction()?;
        let old: Option<String> = tx.query_row(&format!("SELECT {column} FROM employees WHERE id = ?1"), [id], |r| r.get(0))?;
        let value = value.map(str::trim).filter(|v| !v.is_empty());
        if old.as_deref() != value {
            let change =
                HandChange { employee_id: id, field, source_id: None, action: "edited", old: old.as_deref(), new: value };
            change.write(&tx, column, now)?;
            // A start or end date edited by hand moves the checklist like one HR moved.
            super::checklists::reconcile(&tx, Actor::User, now)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The sources that link the person, in connection order, each with its field modes.
    fn linked_sources(&self, employee_id: i64) -> Result<Vec<LinkedSource>> {
        let conn = self.store.conn();
        let mut stmt = conn.prepare(
            "SELECT s.id, s.name FROM employee_links l JOIN sources s ON s.id = l.source_id WHERE l.employee_id = ?1 ORDER BY s.id",
        )?;
        let linked: Vec<(i64, String)> =
            stmt.query_map([employee_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        linked.into_iter().map(|(id, name)| Ok(LinkedSource { id, name, modes: sources::field_modes(conn, id)? })).collect()
    }

    pub fn profile(&self, who: &str, now: DateTime<Utc>) -> Result<Profile> {
        let id = self.find_employee(who)?;
        let conn = self.store.conn();
        let columns: Vec<&str> = TEXT_COLUMNS.iter().map(|(_, c)| *c).collect();
        let values: Vec<Option<String>> = conn.query_row(
            &format!(
                "SELECT {}, (SELECT name FROM legal_entities WHERE id = e.legal_entity_id),
                        (SELECT name FROM work_locations WHERE id = e.work_location_id),
                        (SELECT trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) FROM employees m WHERE m.id = e.manager_id),
                        (SELECT group_concat(g.name, ', ') FROM group_memberships gm CROSS JOIN groups g ON g.id = gm.group_id WHERE gm.employee_id = e.id)
                 FROM employees e WHERE id = ?1",
                columns.join(", ")
            ),
            [id],
            |r| (0..columns.len() + 4).map(|i| r.get(i)).collect(),
        )?;
        let value_of = |field: Field| -> Option<String> {
            match field {
                Field::LegalEntity => values[columns.len()].clone(),
                Field::WorkLocation => values[columns.len() + 1].clone(),
                Field::Manager => values[columns.len() + 2].clone(),
                Field::Groups => values[columns.len() + 3].clone(),
                _ => TEXT_COLUMNS.iter().position(|(f, _)| *f == field).and_then(|i| values[i].clone()),
            }
        };
        let linked = self.linked_sources(id)?;
        let mut fields = Vec::new();
        for field in Field::ALL {
            // A provenance row if something set the field after creation, else the creating run.
            let provenance: Option<(Option<i64>, Option<String>, Option<i64>)> = conn
                .query_row(
                    "SELECT p.source_id, s.name, p.run_id FROM field_provenance p LEFT JOIN sources s ON s.id = p.source_id
                     WHERE p.employee_id = ?1 AND p.field = ?2",
                    params![id, field.name()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let provenance = match provenance {
                Some(found) => found,
                None if value_of(field).is_some() => conn.query_row(
                    "SELECT e.source_id, s.name, e.run_id FROM employees e LEFT JOIN sources s ON s.id = e.source_id WHERE e.id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?,
                None => (None, None, None),
            };
            let (source_id, source, run_id) = provenance;
            let mode = match source_id {
                Some(s) => Some(match linked.iter().find(|l| l.id == s) {
                    Some(l) => l.modes[&field],
                    None => sources::field_modes(conn, s)?[&field],
                }),
                None => None,
            };
            let editable = TEXT_COLUMNS.iter().any(|(f, _)| *f == field) && continuous_owner(&linked, field).is_none();
            let mut stmt = conn.prepare(
                "SELECT s.name || ': ' || coalesce(c.value, '(empty)') FROM field_conflicts c JOIN sources s ON s.id = c.source_id
                 WHERE c.employee_id = ?1 AND c.field = ?2 ORDER BY s.id",
            )?;
            let conflicts = stmt.query_map(params![id, field.name()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            fields.push(ProfileField { field, value: value_of(field), source, run_id, mode, editable, conflicts });
        }
        // The creation is the employee row itself (no log row is written per new person).
        let mut stmt = conn.prepare(
            "SELECT at, actor, action, field, old_value, new_value, source FROM (
                 SELECT c.id AS seq, c.at, c.actor, c.action, c.field, c.old_value, c.new_value, s.name AS source FROM change_log c
                 LEFT JOIN sources s ON s.id = c.source_id WHERE c.employee_id = ?1
                 UNION ALL
                 SELECT 0, e.created_at, CASE WHEN e.source_id IS NULL THEN 'user' ELSE 'sync' END, 'created', NULL, NULL, NULL, s.name
                 FROM employees e LEFT JOIN sources s ON s.id = e.source_id WHERE e.id = ?1
             ) ORDER BY seq DESC LIMIT 200",
        )?;
        let history = stmt
            .query_map([id], |r| {
                Ok(ChangeEntry {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    field: r.get(3)?,
                    old_value: r.get(4)?,
                    new_value: r.get(5)?,
                    source: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let hidden: bool = conn.query_row("SELECT hidden FROM employees WHERE id = ?1", [id], |r| r.get(0))?;
        Ok(Profile {
            id,
            hidden,
            views: employees::views_of(conn, id, now)?,
            out_of_scope: employees::out_of_scope(conn, id)?,
            fields,
            hr_differences: super::diagnosis::hr_differences(conn, id)?,
            equipment: super::device_rules::suggestions(conn, id)?,
            history,
        })
    }
}
