//! Checklists: templates of steps per view, and each person's copy of them with due dates.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::connector::calendar_date;
use crate::error::{Error, Result};
use crate::model::{Filters, View};
use crate::params;
use crate::store::db::{Db, Row};
use crate::store::device_rules::describe;
use crate::store::employees::{managed_ids_sql, UNIT_SEPARATOR};
use crate::timezones::today_in;

/// Why a step closed without being done: its person's start or end was cancelled.
pub const NO_LONGER_NEEDED: &str = "no longer needed";
/// Why a step closed without being done: its template was removed.
pub const TEMPLATE_REMOVED: &str = "template removed";

/// One step of a template: due `offset_days` after (negative: before) the start or end date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TemplateStep {
    pub title: String,
    pub offset_days: i32,
}

/// A checklist template. `filters` narrows it with the filter shapes of sources, compared with
/// the names (or HR ids) of legal entities and teams; empty lists mean everyone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Template {
    pub name: String,
    pub view: View,
    pub filters: Filters,
    pub steps: Vec<TemplateStep>,
}

/// The template in words, as the audit trail keeps it:
/// "onboardings of team: Sales: Order a laptop (day -5); Create accounts (day 0)".
impl std::fmt::Display for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let view = view_name(self.view).unwrap_or("people");
        let steps: Vec<String> = self.steps.iter().map(|s| format!("{} (day {})", s.title, s.offset_days)).collect();
        write!(f, "{view} of {}: {}", describe(&self.filters), steps.join("; "))
    }
}

/// One person's step, as lists and the profile show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChecklistStep {
    pub id: i64,
    pub employee_id: i64,
    pub person: String,
    pub view: View,
    pub title: String,
    /// The calendar date in the person's time zone.
    pub due_date: String,
    pub done_at: Option<String>,
    pub assignee: Option<String>,
    pub comment: Option<String>,
    /// Why the step closed without being needed any more (only listed when asked for).
    pub closed: Option<String>,
    /// Not done and due before today where the person works.
    pub overdue: bool,
    /// Not done and due today where the person works.
    pub due_today: bool,
}

impl ChecklistStep {
    /// The step's state in words, as lists and exports show it.
    pub fn state(&self) -> &str {
        if let Some(reason) = &self.closed {
            reason
        } else if self.done_at.is_some() {
            "done"
        } else if self.overdue {
            "overdue"
        } else if self.due_today {
            "due today"
        } else {
            "open"
        }
    }
}

/// Which steps a list holds: open (not done) and done steps of people whose checklist is live.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChecklistQuery {
    /// Onboardings or Offboardings; both when `None`.
    pub view: Option<View>,
    /// Only open steps due before this date.
    pub due_before: Option<NaiveDate>,
    pub employee_id: Option<i64>,
    /// Also the steps closed as no longer needed (a person's data export lists everything).
    #[serde(default)]
    pub include_closed: bool,
}

/// Done, overdue and total steps of one person's live checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChecklistProgress {
    pub employee_id: i64,
    pub done: u32,
    pub total: u32,
    /// Open steps due before today where the person works.
    pub overdue: u32,
}

/// One person's checklist for the profile, with what the "ship to home address" step needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PersonChecklist {
    pub steps: Vec<ChecklistStep>,
    /// Whether any source of the person collects the optional home address.
    pub home_address_collected: bool,
    /// The home address as a postal label (name, street, city lines), when it is known.
    pub home_address_label: Option<String>,
}

/// A person a checklist may apply to, with what templates are narrowed by.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub employee_id: i64,
    /// The start (Onboardings) or end (Offboardings) date: the calendar date HR means (sent as a
    /// date or as midnight UTC of it), wherever the person works.
    pub anchor: Option<NaiveDate>,
    /// Name and HR id of the legal entity.
    pub legal_entity: Vec<String>,
    pub employment_type: Option<String>,
    /// Names and HR ids of the teams.
    pub teams: Vec<String>,
}

/// A step not yet closed.
#[derive(Debug, Clone)]
pub struct LiveStep {
    pub id: i64,
    pub employee_id: i64,
    pub template_step_id: Option<i64>,
    pub anchor: NaiveDate,
    pub offset_days: i32,
    pub done: bool,
}

/// A template step as stored, with its id.
#[derive(Debug, Clone)]
pub struct StoredStep {
    pub id: i64,
    pub position: i64,
    pub step: TemplateStep,
}

pub fn view_name(view: View) -> Result<&'static str> {
    match view {
        View::Onboardings => Ok("onboardings"),
        View::Offboardings => Ok("offboardings"),
        other => Err(Error::Invalid(format!("checklists belong to onboardings or offboardings, not {other:?}"))),
    }
}

fn parse_view(name: String) -> Result<View> {
    View::parse(&name).ok_or_else(|| Error::Stored(format!("\"{name}\" is not a checklist's view")))
}

pub fn templates(conn: &Db) -> Result<Vec<(i64, Template)>> {
    let rows: Vec<(i64, String, View, String)> =
        conn.query_map("SELECT id, name, view, filters FROM checklist_templates ORDER BY view DESC, name", (), |r| {
            Ok((r.get(0)?, r.get(1)?, parse_view(r.get(2)?)?, r.get(3)?))
        })?;
    rows.into_iter().map(|(id, name, view, filters)| Ok((id, template(conn, id, name, view, &filters)?))).collect()
}

/// The template `id` from its row's name, view and filters, with its steps.
fn template(conn: &Db, id: i64, name: String, view: View, filters: &str) -> Result<Template> {
    let steps = template_steps(conn, id)?.into_iter().map(|s| s.step).collect();
    Ok(Template { name, view, filters: serde_json::from_str(filters)?, steps })
}

pub fn template_steps(conn: &Db, template_id: i64) -> Result<Vec<StoredStep>> {
    conn.query_map(
        "SELECT id, position, title, offset_days FROM checklist_template_steps WHERE template_id = ?1 ORDER BY position, id",
        [template_id],
        |r| {
            Ok(StoredStep { id: r.get(0)?, position: r.get(1)?, step: TemplateStep { title: r.get(2)?, offset_days: r.get(3)? } })
        },
    )
}

pub fn add_template(conn: &Db, template: &Template) -> Result<()> {
    let view = view_name(template.view)?;
    let exists: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM checklist_templates WHERE name = ?1)", [&template.name], |r| r.get(0))?;
    if exists {
        return Err(Error::Invalid(format!(
            "a checklist template named \"{}\" already exists; choose another name",
            template.name
        )));
    }
    let id: i64 = conn.query_row(
        "INSERT INTO checklist_templates (name, view, filters) VALUES (?1, ?2, ?3) RETURNING id",
        params![template.name, view, serde_json::to_string(&template.filters)?],
        |r| r.get(0),
    )?;
    for (position, step) in template.steps.iter().enumerate() {
        conn.execute(
            "INSERT INTO checklist_template_steps (template_id, position, title, offset_days) VALUES (?1, ?2, ?3, ?4)",
            params![id, position as i64 + 1, step.title, step.offset_days],
        )?;
    }
    Ok(())
}

/// Removes a template; its people's steps stay, without a template, until reconciled. The
/// template it was.
pub fn remove_template(conn: &Db, name: &str) -> Result<Template> {
    let found = conn.query_opt("SELECT id, view, filters FROM checklist_templates WHERE name = ?1", [name], |r| {
        Ok((r.get::<i64>(0)?, parse_view(r.get(1)?)?, r.get::<String>(2)?))
    })?;
    let Some((id, view, filters)) = found else {
        return Err(Error::Invalid(format!(
            "no checklist template named \"{name}\"; `roster checklist template list` shows them"
        )));
    };
    // Read before the delete, which takes the template's steps with it.
    let removed = template(conn, id, name.to_owned(), view, &filters)?;
    conn.execute("DELETE FROM checklist_templates WHERE id = ?1", [id])?;
    Ok(removed)
}

/// The people a checklist of `view` applies to at `now`: everyone managed in the view, and people
/// whose checklist is already live and whose date simply passed (a starter is Active from day
/// one, a leaver Departed after the recent-departure weeks: their late steps are still wanted).
pub fn candidates(conn: &Db, view: View, now: DateTime<Utc>) -> Result<Vec<Candidate>> {
    let (continued, date) = match view {
        View::Onboardings => (View::Active, "start_date"),
        _ => (View::Departed, "end_date"),
    };
    let sql = format!(
        "{} WHERE e.id IN ({members}) OR e.id IN ({continued})",
        candidate_select(date),
        members = managed_ids_sql(conn, view, now, "TRUE")?,
        // Only people with live steps are looked at: Active holds nearly everyone.
        continued = managed_ids_sql(
            conn,
            continued,
            now,
            "e0.id IN (SELECT employee_id FROM checklist_steps WHERE view = ?1 AND closed IS NULL)"
        )?,
    );
    conn.query_map(&sql, [view_name(view)?], candidate)
}

/// The query of [`Candidate`]s, without its `WHERE`: `date` (a column) is their anchor. Device
/// rules narrow people with the same values.
pub(crate) fn candidate_select(date: &str) -> String {
    format!(
        "SELECT e.id, e.{date}, le.name, le.remote_id, e.employment_type,
                (SELECT string_agg(coalesce(g.name, '') || {UNIT_SEPARATOR} || g.remote_id, {UNIT_SEPARATOR}) FROM group_memberships gm
                    JOIN groups g ON g.id = gm.group_id WHERE gm.employee_id = e.id AND g.type = 'TEAM')
         FROM employees e LEFT JOIN legal_entities le ON le.id = e.legal_entity_id"
    )
}

/// A row of [`candidate_select`].
pub(crate) fn candidate(r: &Row<'_>) -> Result<Candidate> {
    let split = |s: Option<String>| -> Vec<String> {
        s.map(|s| s.split('\u{1f}').filter(|p| !p.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
    };
    Ok(Candidate {
        employee_id: r.get(0)?,
        anchor: r.get::<Option<String>>(1)?.as_deref().and_then(calendar_date),
        legal_entity: [r.get::<Option<String>>(2)?, r.get(3)?].into_iter().flatten().collect(),
        employment_type: r.get(4)?,
        teams: split(r.get(5)?),
    })
}

pub fn live_steps(conn: &Db, view: View) -> Result<Vec<LiveStep>> {
    let sql = "SELECT id, employee_id, template_step_id, anchor_date, offset_days, done_at IS NOT NULL
               FROM checklist_steps WHERE view = ?1 AND closed IS NULL";
    conn.query_map(sql, [view_name(view)?], |r| {
        let anchor: String = r.get(3)?;
        Ok(LiveStep {
            id: r.get(0)?,
            employee_id: r.get(1)?,
            template_step_id: r.get(2)?,
            anchor: calendar_date(&anchor).unwrap_or_default(),
            offset_days: r.get(4)?,
            done: r.get(5)?,
        })
    })
}

pub fn due(anchor: NaiveDate, offset_days: i32) -> NaiveDate {
    anchor + chrono::Duration::days(offset_days.into())
}

/// A step a person's checklist gains: the template's step, due from the person's date.
pub struct NewStep<'a> {
    pub employee_id: i64,
    pub step: &'a StoredStep,
    pub anchor: NaiveDate,
}

/// Adds steps to people's checklists of `view`, in one bulk insert.
pub fn insert_steps(conn: &Db, view: View, steps: &[NewStep<'_>], now: DateTime<Utc>) -> Result<()> {
    let (view, now) = (view_name(view)?, now.to_rfc3339());
    // The dates as text, held here while the rows borrow them.
    let dates: Vec<(String, String)> =
        steps.iter().map(|new| (new.anchor.to_string(), due(new.anchor, new.step.step.offset_days).to_string())).collect();
    let rows = steps.iter().zip(&dates).map(|(new, (anchor, due))| {
        let step = new.step;
        params![new.employee_id, step.id, view, step.position, step.step.title, step.step.offset_days, *anchor, *due, now]
            .to_vec()
    });
    conn.insert_rows(
        "checklist_steps",
        &["employee_id", "template_step_id", "view", "position", "title", "offset_days", "anchor_date", "due_date", "created_at"],
        rows,
    )
}

/// Moves a live step to a new start or end date; a done step keeps the date it was due on.
pub fn move_step(conn: &Db, step: &LiveStep, anchor: NaiveDate) -> Result<()> {
    conn.execute(
        "UPDATE checklist_steps SET anchor_date = ?2, due_date = CASE WHEN done_at IS NULL THEN ?3 ELSE due_date END WHERE id = ?1",
        params![step.id, anchor.to_string(), due(anchor, step.offset_days).to_string()],
    )?;
    Ok(())
}

pub fn close_step(conn: &Db, step_id: i64, reason: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE checklist_steps SET closed = ?2, closed_at = ?3 WHERE id = ?1",
        params![step_id, reason, now.to_rfc3339()],
    )?;
    Ok(())
}

/// Live steps as lists show them, ordered by person and step.
pub fn list(conn: &Db, query: &ChecklistQuery, now: DateTime<Utc>) -> Result<Vec<ChecklistStep>> {
    let view = query.view.map(view_name).transpose()?;
    // PostgreSQL types a parameter where it first meets it: the casts say what each optional one is.
    let sql = "SELECT s.id, s.employee_id, trim(coalesce(e.first_name, '') || ' ' || coalesce(e.last_name, '')), s.view, s.title,
                s.due_date, s.done_at, s.assignee, s.comment, e.time_zone, s.closed
         FROM checklist_steps s JOIN employees e ON e.id = s.employee_id
         WHERE (s.closed IS NULL OR ?4) AND (CAST(?1 AS TEXT) IS NULL OR s.view = ?1)
           AND (CAST(?2 AS BIGINT) IS NULL OR s.employee_id = ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR (s.done_at IS NULL AND s.due_date < ?3))
         ORDER BY s.due_date, e.last_name COLLATE NOCASE, e.first_name COLLATE NOCASE, s.employee_id, s.position";
    let params = params![view, query.employee_id, query.due_before.map(|d| d.to_string()), query.include_closed];
    conn.query_map(sql, params, |r| {
        let due_date: String = r.get(5)?;
        let done_at: Option<String> = r.get(6)?;
        let zone: Option<String> = r.get(9)?;
        let today = today_in(zone.as_deref(), now).to_string();
        let closed: Option<String> = r.get(10)?;
        let open = done_at.is_none() && closed.is_none();
        Ok(ChecklistStep {
            id: r.get(0)?,
            employee_id: r.get(1)?,
            person: r.get(2)?,
            view: parse_view(r.get(3)?)?,
            title: r.get(4)?,
            overdue: open && due_date < today,
            due_today: open && due_date == today,
            due_date,
            done_at,
            assignee: r.get(7)?,
            comment: r.get(8)?,
            closed,
        })
    })
}

/// Done, overdue and total live steps per person of a view, at `now`.
pub fn progress(conn: &Db, view: View, now: DateTime<Utc>) -> Result<Vec<ChecklistProgress>> {
    // Overdue depends on each person's zone: the few open due dates are compared here, per row.
    let steps = conn.query_map(
        "SELECT s.employee_id, s.done_at IS NOT NULL, s.due_date, e.time_zone
         FROM checklist_steps s JOIN employees e ON e.id = s.employee_id
         WHERE s.view = ?1 AND s.closed IS NULL ORDER BY s.employee_id",
        [view_name(view)?],
        |r| Ok((r.get::<i64>(0)?, r.get::<bool>(1)?, r.get::<String>(2)?, r.get::<Option<String>>(3)?)),
    )?;
    let mut all: Vec<ChecklistProgress> = Vec::new();
    for (employee_id, done, due_date, zone) in steps {
        if all.last().is_none_or(|p| p.employee_id != employee_id) {
            all.push(ChecklistProgress { employee_id, done: 0, total: 0, overdue: 0 });
        }
        let person = all.last_mut().expect("pushed above");
        person.total += 1;
        if done {
            person.done += 1;
        } else if due_date < today_in(zone.as_deref(), now).to_string() {
            person.overdue += 1;
        }
    }
    Ok(all)
}

/// The local date of the last morning reminder, so that each morning has one.
pub fn reminded_on(conn: &Db) -> Result<Option<NaiveDate>> {
    let value: Option<String> = conn.query_opt("SELECT value FROM meta WHERE key = 'checklist_reminded_on'", (), |r| r.get(0))?;
    Ok(value.and_then(|v| v.parse().ok()))
}

pub fn set_reminded_on(conn: &Db, date: NaiveDate) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('checklist_reminded_on', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [date.to_string()],
    )?;
    Ok(())
}

/// The person's name, stored home address (JSON) and whether a source of theirs collects it.
pub fn home_address(conn: &Db, employee_id: i64) -> Result<(String, Option<String>, bool)> {
    conn.query_row(
        "SELECT trim(coalesce(e.first_name, '') || ' ' || coalesce(e.last_name, '')), e.home_address,
                EXISTS (SELECT 1 FROM employee_links l JOIN sources s ON s.id = l.source_id
                        WHERE l.employee_id = e.id AND s.home_address_enabled)
         FROM employees e WHERE e.id = ?1",
        [employee_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// A live step of a person, by its id or its title (case ignored).
pub fn find_step(conn: &Db, employee_id: i64, step: &str) -> Result<i64> {
    let step = step.trim();
    conn.query_opt(
        "SELECT id FROM checklist_steps WHERE employee_id = ?1 AND closed IS NULL
           AND (CAST(id AS TEXT) = ?2 OR lower(title) = lower(?2)) ORDER BY id LIMIT 1",
        params![employee_id, step],
        |r| r.get(0),
    )?
    .ok_or_else(|| {
        Error::Invalid(format!("no open checklist step \"{step}\" for this person; `roster checklist list` shows them"))
    })
}

/// Ticks (`done`) or un-ticks a live step. An un-ticked step is due again by the current start
/// or end date (a done step kept the date it was due on when HR moved it).
pub fn set_done(conn: &Db, step_id: i64, done: bool, now: DateTime<Utc>) -> Result<()> {
    if done {
        let sql = "UPDATE checklist_steps SET done_at = ?2 WHERE id = ?1 AND closed IS NULL";
        return update_live(conn, sql, step_id, Some(now.to_rfc3339()));
    }
    // The date is computed here: the two stores' date arithmetic differs.
    let live = "SELECT anchor_date, offset_days FROM checklist_steps WHERE id = ?1 AND closed IS NULL";
    let (anchor, offset_days) =
        conn.query_opt(live, [step_id], |r| Ok((r.get::<String>(0)?, r.get::<i32>(1)?)))?.ok_or_else(|| no_open_step(step_id))?;
    let anchor = calendar_date(&anchor).ok_or_else(|| Error::Stored(format!("step {step_id} is anchored on \"{anchor}\"")))?;
    let sql = "UPDATE checklist_steps SET done_at = NULL, due_date = ?2 WHERE id = ?1 AND closed IS NULL";
    update_live(conn, sql, step_id, Some(due(anchor, offset_days).to_string()))
}

pub fn set_assignee(conn: &Db, step_id: i64, assignee: Option<String>) -> Result<()> {
    update_live(conn, "UPDATE checklist_steps SET assignee = ?2 WHERE id = ?1 AND closed IS NULL", step_id, assignee)
}

pub fn set_comment(conn: &Db, step_id: i64, comment: Option<String>) -> Result<()> {
    update_live(conn, "UPDATE checklist_steps SET comment = ?2 WHERE id = ?1 AND closed IS NULL", step_id, comment)
}

fn update_live(conn: &Db, sql: &str, step_id: i64, value: Option<String>) -> Result<()> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if conn.execute(sql, params![step_id, value])? == 0 {
        return Err(no_open_step(step_id));
    }
    Ok(())
}

fn no_open_step(step_id: i64) -> Error {
    Error::Invalid(format!("no open checklist step {step_id}"))
}

/// The employee a step belongs to.
pub fn step_owner(conn: &Db, step_id: i64) -> Result<i64> {
    conn.query_opt("SELECT employee_id FROM checklist_steps WHERE id = ?1", [step_id], |r| r.get(0))?
        .ok_or_else(|| Error::Invalid(format!("no checklist step {step_id}")))
}
