//! Checklists: templates, keeping each person's steps in step with the directory, ticking steps.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Action, Engine};
use crate::connector::Address;
use crate::error::Result;
use crate::model::{Field, Filters, View};
use crate::store::change_log::{self, Actor, ConfigChange, Entry};
use crate::store::checklists::{
    self, Candidate, ChecklistProgress, ChecklistQuery, ChecklistStep, LiveStep, NewStep, PersonChecklist, StoredStep, Template,
    NO_LONGER_NEEDED, TEMPLATE_REMOVED,
};
use crate::store::Db;

/// A template added or removed, in the audit trail: its name, and what it holds in words.
fn log_template(conn: &Db, template: &Template, added: bool, now: DateTime<Utc>) -> Result<()> {
    let action = if added { "checklist_template_added" } else { "checklist_template_removed" };
    let (at, words) = (now.to_rfc3339(), template.to_string());
    change_log::record_config(conn, &ConfigChange::whole(&at, action, &template.name, &words, added))
}

/// What keeping the checklists in step changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChecklistChanges {
    pub created: u32,
    pub moved: u32,
    pub closed: u32,
}

impl Engine {
    pub fn checklist_templates(&self) -> Result<Vec<Template>> {
        Ok(checklists::templates(self.store.conn())?.into_iter().map(|(_, t)| t).collect())
    }

    /// Adds a template; people it applies to get its steps at once.
    pub fn add_checklist_template(&mut self, template: &Template, now: DateTime<Utc>) -> Result<ChecklistChanges> {
        self.acting(Action::ChangeSettings, |engine| {
            let tx = engine.store.begin()?;
            checklists::add_template(&tx, template)?;
            log_template(&tx, template, true, now)?;
            let changes = reconcile(&tx, Actor::User, now)?;
            tx.commit()?;
            Ok(changes)
        })
    }

    /// Removes a template; its open steps are closed with the reason, never deleted.
    pub fn remove_checklist_template(&mut self, name: &str, now: DateTime<Utc>) -> Result<ChecklistChanges> {
        self.acting(Action::ChangeSettings, |engine| {
            let tx = engine.store.begin()?;
            let removed = checklists::remove_template(&tx, name)?;
            log_template(&tx, &removed, false, now)?;
            let changes = reconcile(&tx, Actor::User, now)?;
            tx.commit()?;
            Ok(changes)
        })
    }

    /// Brings every person's steps in step with the directory and the templates at `now`.
    pub fn reconcile_checklists(&mut self, actor: Actor, now: DateTime<Utc>) -> Result<ChecklistChanges> {
        let tx = self.store.begin()?;
        let changes = reconcile(&tx, actor, now)?;
        tx.commit()?;
        Ok(changes)
    }

    pub fn checklist(&self, query: &ChecklistQuery, now: DateTime<Utc>) -> Result<Vec<ChecklistStep>> {
        checklists::list(self.store.conn(), query, now)
    }

    /// A person's steps for the profile, with their home address as a postal label for shipping.
    pub fn person_checklist(&self, employee_id: i64, now: DateTime<Utc>) -> Result<PersonChecklist> {
        let conn = self.store.conn();
        let query = ChecklistQuery { employee_id: Some(employee_id), ..ChecklistQuery::default() };
        let steps = checklists::list(conn, &query, now)?;
        let (name, address, collected) = checklists::home_address(conn, employee_id)?;
        let label = address.map(|json| postal_label(&name, &json)).transpose()?;
        Ok(PersonChecklist { steps, home_address_collected: collected, home_address_label: label })
    }

    /// Done, overdue and total steps per person of Onboardings or Offboardings, for the progress column.
    pub fn checklist_progress(&self, view: View, now: DateTime<Utc>) -> Result<Vec<ChecklistProgress>> {
        checklists::progress(self.store.conn(), view, now)
    }

    /// A person's open step, named by its title or id.
    pub fn find_step(&self, who: &str, step: &str) -> Result<i64> {
        checklists::find_step(self.store.conn(), self.find_employee(who)?, step)
    }

    /// Ticks or un-ticks a step of a person, named by its title or id.
    pub fn tick_step(&mut self, who: &str, step: &str, done: bool, now: DateTime<Utc>) -> Result<ChecklistStep> {
        let step_id = self.find_step(who, step)?;
        self.set_step_done(step_id, done, now)
    }

    /// Ticks or un-ticks a step by id (the window's tick boxes).
    pub fn set_step_done(&mut self, step_id: i64, done: bool, now: DateTime<Utc>) -> Result<ChecklistStep> {
        self.acting(Action::ChangeChecklists, |engine| {
            checklists::set_done(engine.store.conn(), step_id, done, now)?;
            engine.step(step_id, now)
        })
    }

    /// Assigns a step to an admin (a name), or to no one.
    pub fn assign_step(&mut self, step_id: i64, assignee: Option<String>, now: DateTime<Utc>) -> Result<ChecklistStep> {
        self.acting(Action::ChangeChecklists, |engine| {
            checklists::set_assignee(engine.store.conn(), step_id, assignee)?;
            engine.step(step_id, now)
        })
    }

    pub fn comment_step(&mut self, step_id: i64, comment: Option<String>, now: DateTime<Utc>) -> Result<ChecklistStep> {
        self.acting(Action::ChangeChecklists, |engine| {
            checklists::set_comment(engine.store.conn(), step_id, comment)?;
            engine.step(step_id, now)
        })
    }

    /// The morning's reminder, once per local day after [`MORNING_HOUR`], when steps are due
    /// today or overdue and reminders are on. `local` is the admin's clock; due dates are judged
    /// where each person works.
    fn step(&self, step_id: i64, now: DateTime<Utc>) -> Result<ChecklistStep> {
        let employee_id = checklists::step_owner(self.store.conn(), step_id)?;
        let query = ChecklistQuery { employee_id: Some(employee_id), ..ChecklistQuery::default() };
        let steps = checklists::list(self.store.conn(), &query, now)?;
        Ok(steps.into_iter().find(|s| s.id == step_id).expect("a step just changed is live"))
    }
}

/// An address as the lines of a postal label: the name, the street, the town line, the country.
/// North American and Australian labels put the state after the city and the postcode last.
fn postal_label(name: &str, json: &str) -> Result<String> {
    let a: Address = serde_json::from_str(json)?;
    let join = |parts: &[Option<&str>], separator: &str| {
        parts.iter().flatten().filter(|p| !p.trim().is_empty()).copied().collect::<Vec<_>>().join(separator)
    };
    let (city, state, zip) = (a.city.as_deref(), a.state.as_deref(), a.zip_code.as_deref());
    let town = match a.country.as_deref() {
        Some("US" | "CA" | "AU") => join(&[Some(&join(&[city, state], ", ")), zip], " "),
        _ => join(&[Some(&join(&[zip, city], " ")), state], ", "),
    };
    let street = [a.street_1.as_deref(), a.street_2.as_deref()];
    let lines: Vec<&str> = [Some(name)]
        .into_iter()
        .chain(street)
        .chain([Some(town.as_str()), a.country.as_deref()])
        .flatten()
        .filter(|l| !l.trim().is_empty())
        .collect();
    // A source that sends the address as one line only: the name, then that line.
    Ok(if lines.len() <= 1 { [name, a.raw.as_deref().unwrap_or_default()].join("\n") } else { lines.join("\n") })
}

/// Whether a template's (or a device rule's) filters take a person: every non-empty list must
/// hold one of their values.
pub(super) fn narrows_to(filters: &Filters, person: &Candidate) -> bool {
    let any = |set: &std::collections::BTreeSet<String>, values: &[String]| {
        set.is_empty() || values.iter().any(|v| set.iter().any(|f| f.eq_ignore_ascii_case(v)))
    };
    any(&filters.legal_entities, &person.legal_entity)
        && any(&filters.employment_types, person.employment_type.as_slice())
        && any(&filters.teams, &person.teams)
}

/// Creates the missing steps, moves open steps whose date HR moved and closes the steps no longer
/// wanted, for both views; the change log says so per person.
pub(crate) fn reconcile(conn: &Db, actor: Actor, now: DateTime<Utc>) -> Result<ChecklistChanges> {
    let mut changes = ChecklistChanges::default();
    let templates = checklists::templates(conn)?;
    for (view, field) in [(View::Onboardings, Field::StartDate), (View::Offboardings, Field::EndDate)] {
        let steps: Vec<(Filters, Vec<StoredStep>)> = templates
            .iter()
            .filter(|(_, t)| t.view == view)
            .map(|(id, t)| Ok((t.filters.clone(), checklists::template_steps(conn, *id)?)))
            .collect::<Result<_>>()?;
        let mut live: HashMap<i64, Vec<LiveStep>> = HashMap::new();
        for step in checklists::live_steps(conn, view)? {
            live.entry(step.employee_id).or_default().push(step);
        }
        let people = checklists::candidates(conn, view, now)?;
        let mut new_steps = Vec::new();
        for person in &people {
            let mut had = live.remove(&person.employee_id).unwrap_or_default();
            // No date, no due dates: a pending person without one gets steps once HR sets it.
            let Some(anchor) = person.anchor else {
                close(conn, &had, NO_LONGER_NEEDED, actor, view, now, &mut changes)?;
                continue;
            };
            let wanted: BTreeMap<i64, &StoredStep> = steps
                .iter()
                .filter(|(filters, _)| narrows_to(filters, person))
                .flat_map(|(_, s)| s.iter().map(|s| (s.id, s)))
                .collect();
            let (kept, gone): (Vec<LiveStep>, Vec<LiveStep>) =
                had.drain(..).partition(|s| s.template_step_id.is_some_and(|id| wanted.contains_key(&id)));
            // A step whose template went is closed as such; one the template no longer takes the
            // person for (HR changed their team, say) is no longer needed.
            let (removed, unneeded): (Vec<LiveStep>, Vec<LiveStep>) =
                gone.into_iter().partition(|s| s.template_step_id.is_none());
            close(conn, &removed, TEMPLATE_REMOVED, actor, view, now, &mut changes)?;
            close(conn, &unneeded, NO_LONGER_NEEDED, actor, view, now, &mut changes)?;
            if let Some(old) = kept.first().map(|s| s.anchor).filter(|old| *old != anchor) {
                for step in &kept {
                    checklists::move_step(conn, step, anchor)?;
                }
                changes.moved += kept.iter().filter(|s| !s.done).count() as u32;
                let (old, new) = (old.to_string(), anchor.to_string());
                let action = format!("checklist moved with the {}", if view == View::Onboardings { "start" } else { "end" });
                let at = now.to_rfc3339();
                let entry = Entry {
                    at: &at,
                    employee_id: person.employee_id,
                    actor,
                    action: &action,
                    field: Some(field),
                    old: Some(&old),
                    new: Some(&new),
                };
                change_log::record(conn, &entry)?;
            }
            for (id, step) in wanted {
                if !kept.iter().any(|s| s.template_step_id == Some(id)) {
                    new_steps.push(NewStep { employee_id: person.employee_id, step, anchor });
                }
            }
        }
        checklists::insert_steps(conn, view, &new_steps, now)?;
        changes.created += new_steps.len() as u32;
        // Whoever is left had steps and is no longer a candidate: their start or end was cancelled.
        for steps in live.values() {
            close(conn, steps, NO_LONGER_NEEDED, actor, view, now, &mut changes)?;
        }
    }
    Ok(changes)
}

/// Closes `steps` with `reason`; the change log gets one entry for the person's open steps among
/// them (done steps close silently: their work is over and they stay in the history as done).
fn close(
    conn: &Db,
    steps: &[LiveStep],
    reason: &str,
    actor: Actor,
    view: View,
    now: DateTime<Utc>,
    changes: &mut ChecklistChanges,
) -> Result<()> {
    for step in steps {
        checklists::close_step(conn, step.id, reason, now)?;
    }
    let open = steps.iter().filter(|s| !s.done).count();
    let Some(first) = steps.first().filter(|_| open > 0) else {
        return Ok(());
    };
    changes.closed += open as u32;
    let kind = if view == View::Onboardings { "onboarding" } else { "offboarding" };
    let detail = format!("{open} open {kind} step{} closed", if open == 1 { "" } else { "s" });
    let at = now.to_rfc3339();
    let action = format!("checklist {reason}");
    let entry =
        Entry { at: &at, employee_id: first.employee_id, actor, action: &action, field: None, old: None, new: Some(&detail) };
    change_log::record(conn, &entry)
}

#[cfg(test)]
mod tests {
    use super::postal_label;

    #[test]
    fn a_postal_label_writes_the_town_line_the_way_the_country_does() {
        let us = r#"{"street_1":"350 Fifth Avenue","city":"New York","state":"NY","zip_code":"10118","country":"US"}"#;
        assert_eq!(postal_label("Ava Berg", us).unwrap(), "Ava Berg\n350 Fifth Avenue\nNew York, NY 10118\nUS");
        let de = r#"{"street_1":"Friedrichstrasse 68","city":"Berlin","zip_code":"10117","country":"DE"}"#;
        assert_eq!(postal_label("Max Muster", de).unwrap(), "Max Muster\nFriedrichstrasse 68\n10117 Berlin\nDE");
        let raw = r#"{"raw":"1 Poultry, London EC2R 8EJ"}"#;
        assert_eq!(
            postal_label("Ann Lee", raw).unwrap(),
            "Ann Lee\n1 Poultry, London EC2R 8EJ",
            "a one-line address stays whole"
        );
    }
}
