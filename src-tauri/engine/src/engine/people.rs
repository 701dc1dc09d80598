//! What a person does to one employee: find, hide, edit an import-once field, read the profile,
//! and ask why someone is missing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Action, Engine};
use crate::error::{Error, Result};
use crate::model::{Field, FieldMode, View};
use crate::store::change_log::{self, Actor, ChangeEntry, Entry};
use crate::store::field_provenance::{self, Provenance};
use crate::store::{self, employee_links, employees, field_conflicts, sources, Db};

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
    /// Writes the value, its provenance (no run set it) and its history entry.
    pub fn write(&self, tx: &Db, now: DateTime<Utc>) -> Result<()> {
        let (id, at) = (self.employee_id, now.to_rfc3339());
        employees::set_text(tx, id, self.field, self.new, Some(&at))?;
        field_provenance::record(tx, id, self.field, self.source_id, None, &at)?;
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
        employees::find(self.store.conn(), who.trim())
    }

    /// Hides or shows a person. Hiding is local: no sync changes it.
    pub fn set_hidden(&mut self, who: &str, hidden: bool, now: DateTime<Utc>) -> Result<i64> {
        self.acting(Action::HidePeople, |engine| {
            let id = engine.find_employee(who)?;
            employees::set_hidden(engine.store.conn(), id, hidden, now)?;
            // A hidden person gets no checklist; shown again, they get it back.
            engine.reconcile_checklists(Actor::User, now)?;
            Ok(id)
        })
    }

    /// Edits a field by hand. A field some source synchronises continuously is refused: HR owns it.
    pub fn edit_field(&mut self, who: &str, field: Field, value: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        self.acting(Action::EditFields, |engine| engine.edit(who, field, None, value, now))
    }

    /// Edits a field by hand from the value `seen` on screen: if someone else saved another value
    /// meanwhile, nothing is written and [`Error::EditConflict`] names them and their value.
    pub fn edit_field_seen(
        &mut self,
        who: &str,
        field: Field,
        seen: Option<&str>,
        value: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.acting(Action::EditFields, |engine| engine.edit(who, field, Some(seen), value, now))
    }

    fn edit(
        &mut self,
        who: &str,
        field: Field,
        seen: Option<Option<&str>>,
        value: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let id = self.find_employee(who)?;
        if employees::text_column(field).is_none() {
            return Err(Error::Invalid(format!(
                "{field} is set by the HR system's organisation data and cannot be edited by hand"
            )));
        }
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
        let value = value.map(str::trim).filter(|v| !v.is_empty());
        let tx = store::begin_write(self.store.conn_mut())?;
        // Locked until the commit: a concurrent edit waits, then reads this one's value.
        let old = employees::text_value_locked(&tx, id, field)?;
        let seen = seen.map(|s| s.map(str::trim).filter(|v| !v.is_empty()));
        if seen.is_some_and(|seen| seen != old.as_deref()) && old.as_deref() != value {
            let by = change_log::last_changed_by(&tx, id, field)?;
            return Err(Error::EditConflict { field, current: old, by });
        }
        if old.as_deref() != value {
            let change =
                HandChange { employee_id: id, field, source_id: None, action: "edited", old: old.as_deref(), new: value };
            change.write(&tx, now)?;
            // A start or end date edited by hand moves the checklist like one HR moved.
            super::checklists::reconcile(&tx, Actor::User, now)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The sources that link the person, in connection order, each with its field modes.
    fn linked_sources(&self, employee_id: i64) -> Result<Vec<LinkedSource>> {
        let conn = self.store.conn();
        employee_links::sources(conn, employee_id)?
            .into_iter()
            .map(|(id, name)| Ok(LinkedSource { id, name, modes: sources::field_modes(conn, id)? }))
            .collect()
    }

    pub fn profile(&self, who: &str, now: DateTime<Utc>) -> Result<Profile> {
        let id = self.find_employee(who)?;
        let conn = self.store.conn();
        let values = employees::shown_values(conn, id)?;
        let value_of = |field: Field| values[field.index()].clone();
        let linked = self.linked_sources(id)?;
        let mut fields = Vec::new();
        for field in Field::ALL {
            // A provenance row if something set the field after creation, else the creating run.
            let provenance = match field_provenance::of(conn, id, field)? {
                Some(found) => found,
                None if value_of(field).is_some() => field_provenance::of_creation(conn, id)?,
                None => Provenance::default(),
            };
            let Provenance { source_id, source, run_id } = provenance;
            let mode = match source_id {
                Some(s) => Some(match linked.iter().find(|l| l.id == s) {
                    Some(l) => l.modes[&field],
                    None => sources::field_modes(conn, s)?[&field],
                }),
                None => None,
            };
            let editable = employees::text_column(field).is_some() && continuous_owner(&linked, field).is_none();
            let conflicts = field_conflicts::described(conn, id, field)?;
            fields.push(ProfileField { field, value: value_of(field), source, run_id, mode, editable, conflicts });
        }
        let history = change_log::history(conn, id)?;
        let hidden = employees::is_hidden(conn, id)?;
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
