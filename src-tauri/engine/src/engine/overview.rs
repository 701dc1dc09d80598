//! The Overview: what needs the IT team this week. Starts and leaves of the next weeks by legal
//! entity, overdue and due checklist steps, devices to recover, and each source's health.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Engine, SourceStatus};
use crate::error::Result;
use crate::model::View;
use crate::store::checklists::{self, ChecklistQuery, ChecklistStep};
use crate::store::devices::{self, Device};
use crate::store::employees::{self, EmployeeQuery};
use crate::store::overview::{self, Dated};
use crate::store::runs::RunState;
use crate::timezones::today_in;

/// Weeks the timeline covers, this one first.
pub const TIMELINE_WEEKS: usize = 8;
/// Steps the Overview lists of each kind (overdue, due this week); the rest are counted. A large
/// company has thousands of overdue steps: a screen cannot show them, the checklists export can.
pub const OVERVIEW_STEPS: usize = 50;
/// The name a person without a legal entity is counted under.
pub const NO_LEGAL_ENTITY: &str = "No legal entity";

/// People's ids by legal entity name, in name order.
type ByEntity = BTreeMap<String, Vec<i64>>;

/// The people of one legal entity starting (or leaving) in one week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EntityPeople {
    pub legal_entity: String,
    pub people: Vec<i64>,
}

/// One week of the timeline, Monday to Sunday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TimelineWeek {
    /// The Monday that starts the week (ISO date).
    pub monday: String,
    /// By legal entity, in name order.
    pub starts: Vec<EntityPeople>,
    pub leaves: Vec<EntityPeople>,
}

/// A device held by someone who left or is leaving.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DeviceToRecover {
    pub device: Device,
    pub employee_id: i64,
    pub person: String,
    /// Their end date (ISO).
    pub end_date: Option<String>,
    /// Whether the end date has passed where they work.
    pub left: bool,
}

/// A source at a glance: its last sync, a plan held for approval, its last error.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SourceHealth {
    pub name: String,
    /// When its latest run started, and how it ended.
    pub last_sync: Option<String>,
    pub last_outcome: Option<RunState>,
    /// The run whose plan waits for approval.
    pub held_run: Option<i64>,
    pub last_error: Option<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Overview {
    pub weeks: Vec<TimelineWeek>,
    /// The first [`OVERVIEW_STEPS`] overdue steps, by due date, of `overdue_count`.
    pub overdue: Vec<ChecklistStep>,
    pub overdue_count: u32,
    /// Open steps due from today to Sunday, not yet overdue: the first [`OVERVIEW_STEPS`] of
    /// `due_this_week_count`.
    pub due_this_week: Vec<ChecklistStep>,
    pub due_this_week_count: u32,
    pub devices_to_recover: Vec<DeviceToRecover>,
    pub sources: Vec<SourceHealth>,
}

impl Engine {
    /// The Overview at `now`; `today` is the admin's calendar date, whose week (Monday to Sunday)
    /// the timeline and "due this week" start from. Whether a start or an end is still to come is
    /// judged where the person works. Hidden and out-of-scope people stay out.
    pub fn overview(&self, today: NaiveDate, now: DateTime<Utc>) -> Result<Overview> {
        self.overview_of(today, now, &self.source_statuses()?)
    }

    /// [`Engine::overview`] with the sources' statuses already read (the first screen shows them
    /// in its header too).
    pub fn overview_of(&self, today: NaiveDate, now: DateTime<Utc>, sources: &[SourceStatus]) -> Result<Overview> {
        let conn = self.store.conn();
        let monday = monday_of(today);
        // Per week, the starts and the leaves: people by legal entity.
        let mut weeks: Vec<(ByEntity, ByEntity)> = vec![Default::default(); TIMELINE_WEEKS];
        // Each view is read once: the leavers serve the timeline and the devices to recover.
        let starters = overview::dated(conn, View::Onboardings, now)?;
        let leavers = overview::dated(conn, View::Offboardings, now)?;
        for (people, leaves) in [(&starters, false), (&leavers, true)] {
            for person in people {
                let Some(week) = week_of(person, monday, now) else { continue };
                let (starts, ends) = &mut weeks[week];
                let bucket = if leaves { ends } else { starts };
                let entity = person.legal_entity.clone().unwrap_or_else(|| NO_LEGAL_ENTITY.to_owned());
                bucket.entry(entity).or_default().push(person.employee_id);
            }
        }
        let entities = |m: ByEntity| m.into_iter().map(|(legal_entity, people)| EntityPeople { legal_entity, people }).collect();
        let weeks = weeks
            .into_iter()
            .enumerate()
            .map(|(i, (starts, leaves))| TimelineWeek {
                monday: (monday + Duration::weeks(i as i64)).to_string(),
                starts: entities(starts),
                leaves: entities(leaves),
            })
            .collect();

        let hidden: HashSet<i64> = overview::hidden_ids(conn)?.into_iter().collect();
        // Open steps due by Sunday: the overdue and this week's.
        let due_by_sunday = ChecklistQuery { due_before: Some(monday + Duration::days(7)), ..ChecklistQuery::default() };
        let open: Vec<ChecklistStep> =
            checklists::list(conn, &due_by_sunday, now)?.into_iter().filter(|s| !hidden.contains(&s.employee_id)).collect();
        let (mut overdue, mut due_this_week): (Vec<_>, Vec<_>) = open.into_iter().partition(|s| s.overdue);
        let (overdue_count, due_this_week_count) = (overdue.len() as u32, due_this_week.len() as u32);
        overdue.truncate(OVERVIEW_STEPS);
        due_this_week.truncate(OVERVIEW_STEPS);

        Ok(Overview {
            weeks,
            overdue,
            overdue_count,
            due_this_week,
            due_this_week_count,
            devices_to_recover: self.devices_to_recover(leavers, now)?,
            sources: sources.iter().map(health).collect(),
        })
    }

    /// Devices held by people in Offboardings: leaving soon, or left and not yet returned.
    /// `leavers`: the dated people of Offboardings, as the timeline read them.
    fn devices_to_recover(&self, leavers: Vec<Dated>, now: DateTime<Utc>) -> Result<Vec<DeviceToRecover>> {
        let conn = self.store.conn();
        let leavers: HashMap<i64, Dated> = leavers.into_iter().map(|d| (d.employee_id, d)).collect();
        // Only device holders are read: a list row costs a few lookups, and leavers are thousands.
        let holders = Some(employees::holders(conn)?);
        let query = EmployeeQuery { view: View::Offboardings, limit: u32::MAX, ids: holders, ..EmployeeQuery::default() };
        let mut out = Vec::new();
        for row in employees::list(conn, &query, now)? {
            let person = [row.first_name.as_deref(), row.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>();
            // Without an end date, a person is in Offboardings only because they left holding a device.
            let left = leavers.get(&row.id).is_none_or(|d| d.date < today_in(d.time_zone.as_deref(), now));
            for device in devices::list(conn, Some(row.id))? {
                let end_date = row.termination_date.clone();
                out.push(DeviceToRecover { device, employee_id: row.id, person: person.join(" "), end_date, left });
            }
        }
        out.sort_by(|a, b| a.end_date.cmp(&b.end_date).then_with(|| a.person.cmp(&b.person)));
        Ok(out)
    }
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(date.weekday().num_days_from_monday().into())
}

/// The timeline week (0 = the week of `monday`) of a person's date, a calendar date as HR means
/// it. Whether it is still to come is judged by the person's own today: on Monday morning in
/// Berlin, a start on Sunday in New York is still today there, so it counts, in this week.
/// `None` when the date has passed where they work or lies beyond the timeline.
fn week_of(person: &Dated, monday: NaiveDate, now: DateTime<Utc>) -> Option<usize> {
    if person.date < today_in(person.time_zone.as_deref(), now) {
        return None;
    }
    let week = (person.date - monday).num_days().div_euclid(7).max(0) as usize;
    (week < TIMELINE_WEEKS).then_some(week)
}

fn health(status: &SourceStatus) -> SourceHealth {
    let run = status.last_run.as_ref();
    SourceHealth {
        name: status.source.name.clone(),
        last_sync: run.map(|r| r.started_at.clone()),
        last_outcome: run.map(|r| r.outcome),
        held_run: run.filter(|r| r.outcome == RunState::Held).map(|r| r.id),
        last_error: status.source.last_error.clone(),
        warnings: status.warnings.clone(),
    }
}
