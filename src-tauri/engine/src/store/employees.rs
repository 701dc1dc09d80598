//! The employee lists: views by contract dates, hidden people, search, paging.

use chrono::{DateTime, Utc};
use rusqlite::functions::FunctionFlags;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::model::{EmployeeRow, View};
use crate::timezones::today_in;

/// How long after their end date a person stays in Offboardings.
pub const RECENT_DEPARTURE_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EmployeeQuery {
    pub view: View,
    pub include_hidden: bool,
    /// Matches the start of the first name, last name, full name or work email, case-insensitively.
    pub search: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

impl Default for EmployeeQuery {
    fn default() -> Self {
        EmployeeQuery { view: View::Active, include_hidden: false, search: None, offset: 0, limit: 500 }
    }
}

/// SQL conditions on `e` (employees) and `today` (the person's calendar date), one per view.
const LEFT: &str = "(e.departed_at IS NOT NULL OR (e.end_date IS NOT NULL AND e.end_date < today) \
     OR (e.end_date IS NULL AND e.employment_status = 'INACTIVE'))";
const ONBOARDING: &str = "((e.start_date IS NOT NULL AND e.start_date > today) OR e.employment_status = 'PENDING')";
const HOLDS_DEVICE: &str = "EXISTS (SELECT 1 FROM device_assignments da WHERE da.employee_id = e.id AND da.returned_on IS NULL)";

fn view_condition(view: View) -> String {
    let offboarding = format!(
        "((e.end_date IS NOT NULL AND e.end_date >= date(today, '-{RECENT_DEPARTURE_DAYS} days') AND e.departed_at IS NULL) \
         OR ({LEFT} AND {HOLDS_DEVICE}))"
    );
    match view {
        View::Active => format!(
            "NOT {LEFT} AND ((e.start_date IS NOT NULL AND e.start_date <= today) \
             OR (e.start_date IS NULL AND e.employment_status IS NOT 'PENDING'))"
        ),
        View::Onboardings => format!("NOT {LEFT} AND {ONBOARDING}"),
        View::Offboardings => offboarding,
        View::Departed => format!("{LEFT} AND NOT {offboarding}"),
        View::All => "1".to_owned(),
    }
}

/// Registers `roster_today(zone)`: the calendar date at `now` in a person's zone.
pub fn register_today(conn: &Connection, now: DateTime<Utc>) -> Result<()> {
    conn.create_scalar_function(
        "roster_today",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| {
            let zone: Option<String> = ctx.get(0)?;
            Ok(today_in(zone.as_deref(), now).to_string())
        },
    )?;
    Ok(())
}

pub fn list(conn: &Connection, query: &EmployeeQuery, now: DateTime<Utc>) -> Result<Vec<EmployeeRow>> {
    register_today(conn, now)?;
    let search = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| format!("{}%", s.to_lowercase()));
    let sql = format!(
        "SELECT e.id, e.employee_number, e.first_name, e.last_name, e.job_title, e.work_email, e.employment_status,
                e.employment_type, le.name, wl.name, trim(coalesce(m.first_name, '') || ' ' || coalesce(m.last_name, '')),
                (SELECT group_concat(name, char(31)) FROM (SELECT g.name FROM group_memberships gm JOIN groups g ON g.id = gm.group_id
                    WHERE gm.employee_id = e.id AND g.type = 'TEAM' ORDER BY g.name)),
                e.start_date, e.end_date, e.hidden,
                (SELECT group_concat(name, char(31)) FROM (SELECT s.name FROM employee_links l JOIN sources s ON s.id = l.source_id
                    WHERE l.employee_id = e.id ORDER BY s.id)),
                (SELECT count(*) FROM device_assignments da WHERE da.employee_id = e.id AND da.returned_on IS NULL)
         FROM (SELECT *, roster_today(time_zone) AS today FROM employees) e
         LEFT JOIN legal_entities le ON le.id = e.legal_entity_id
         LEFT JOIN work_locations wl ON wl.id = e.work_location_id
         LEFT JOIN employees m ON m.id = e.manager_id
         WHERE ({view}) AND (?1 OR e.hidden = 0)
           AND (?2 IS NULL OR lower(e.first_name) LIKE ?2 OR lower(e.last_name) LIKE ?2
                OR lower(e.first_name || ' ' || e.last_name) LIKE ?2 OR lower(e.work_email) LIKE ?2)
         ORDER BY e.last_name COLLATE NOCASE, e.first_name COLLATE NOCASE, e.id
         LIMIT ?3 OFFSET ?4",
        view = view_condition(query.view)
    );
    let mut stmt = conn.prepare(&sql)?;
    let split =
        |s: Option<String>| -> Vec<String> { s.map(|s| s.split('\u{1f}').map(str::to_owned).collect()).unwrap_or_default() };
    let rows = stmt.query_map(params![query.include_hidden, search, query.limit, query.offset], |r| {
        Ok(EmployeeRow {
            id: r.get(0)?,
            employee_number: r.get(1)?,
            first_name: r.get(2)?,
            last_name: r.get(3)?,
            job_title: r.get(4)?,
            work_email: r.get(5)?,
            employment_status: r.get(6)?,
            employment_type: r.get(7)?,
            legal_entity: r.get(8)?,
            work_location: r.get(9)?,
            manager: r.get::<_, Option<String>>(10)?.filter(|m| !m.is_empty()),
            teams: split(r.get(11)?),
            start_date: r.get(12)?,
            termination_date: r.get(13)?,
            hidden: r.get(14)?,
            sources: split(r.get(15)?),
            devices: r.get(16)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Hides or shows a person. Hiding is local: no sync ever changes it.
pub fn set_hidden(conn: &Connection, employee_id: i64, hidden: bool, now: DateTime<Utc>) -> Result<()> {
    let changed =
        conn.execute("UPDATE employees SET hidden = ?2 WHERE id = ?1 AND hidden IS NOT ?2", params![employee_id, hidden])?;
    if changed > 0 {
        conn.execute(
            "INSERT INTO change_log (at, employee_id, actor, action) VALUES (?1, ?2, 'user', ?3)",
            params![now.to_rfc3339(), employee_id, if hidden { "hidden" } else { "unhidden" }],
        )?;
    }
    Ok(())
}

/// The lists a person appears in at `now` (hidden or not).
pub fn views_of(conn: &Connection, employee_id: i64, now: DateTime<Utc>) -> Result<Vec<View>> {
    register_today(conn, now)?;
    let mut views = Vec::new();
    for view in [View::Active, View::Onboardings, View::Offboardings, View::Departed] {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM (SELECT *, roster_today(time_zone) AS today FROM employees WHERE id = ?1) e WHERE {})",
            view_condition(view)
        );
        if conn.query_row(&sql, [employee_id], |r| r.get::<_, bool>(0))? {
            views.push(view);
        }
    }
    Ok(views)
}
