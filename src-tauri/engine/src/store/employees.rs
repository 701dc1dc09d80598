//! The employee lists: views by contract dates, hidden people, search, paging.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::model::{EmployeeRow, View};
use crate::store::change_log::{self, Actor, Entry};
use crate::timezones::today_in;

/// How long after their end date a person stays in Offboardings.
pub const RECENT_DEPARTURE_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EmployeeQuery {
    pub view: View,
    pub include_hidden: bool,
    /// People every source's filters exclude are no longer managed: listed only when asked for.
    #[serde(default)]
    pub include_out_of_scope: bool,
    /// Every word must start the first name, last name or a part of the work email (case and accents ignored).
    pub search: Option<String>,
    pub offset: u32,
    pub limit: u32,
    /// Only these people (the Overview's week of starts or leaves).
    #[serde(default)]
    #[ts(optional)]
    pub ids: Option<Vec<i64>>,
}

impl Default for EmployeeQuery {
    fn default() -> Self {
        EmployeeQuery {
            view: View::Active,
            include_hidden: false,
            include_out_of_scope: false,
            search: None,
            offset: 0,
            limit: 500,
            ids: None,
        }
    }
}

/// SQL conditions on `e` (employees) and `today` (the person's calendar date), one per view.
const LEFT: &str = "(e.departed_at IS NOT NULL OR (e.end_date IS NOT NULL AND e.end_date < today) \
     OR (e.end_date IS NULL AND e.employment_status IS 'INACTIVE'))";
const ONBOARDING: &str = "((e.start_date IS NOT NULL AND e.start_date > today) OR e.employment_status IS 'PENDING')";
const HOLDS_DEVICE: &str = "EXISTS (SELECT 1 FROM device_assignments da WHERE da.employee_id = e.id AND da.returned_on IS NULL)";
/// Out of scope: every source that knows the person excludes them by its filters.
const OUT_OF_SCOPE: &str = "(EXISTS (SELECT 1 FROM employee_links l WHERE l.employee_id = e.id AND l.out_of_scope IS NOT NULL) \
     AND NOT EXISTS (SELECT 1 FROM employee_links l WHERE l.employee_id = e.id AND l.out_of_scope IS NULL))";

/// Who a view holds besides its dates: hidden and out-of-scope people only when asked for
/// (`?1`, `?2`), except that a device is never forgotten: an out-of-scope person who still holds
/// one stays in Offboardings, to recover it.
fn managed_condition(view: View) -> String {
    let device_kept = if view == View::Offboardings { format!(" OR {HOLDS_DEVICE}") } else { String::new() };
    format!("(?1 OR e.hidden = 0) AND (?2 OR NOT {OUT_OF_SCOPE}{device_kept})")
}

fn view_condition(view: View) -> String {
    let offboarding = format!(
        "((e.end_date IS NOT NULL AND e.end_date >= date(today, '-{RECENT_DEPARTURE_DAYS} days') AND e.departed_at IS NULL) \
         OR ({LEFT} AND {HOLDS_DEVICE}) OR ({OUT_OF_SCOPE} AND {HOLDS_DEVICE}))"
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

/// An SQL expression for "today" of the row `e`: the calendar date at `now` in the person's zone.
/// The few zones in use are resolved here once, so the database compares plain dates per row.
fn today_expr(conn: &Connection, now: DateTime<Utc>) -> Result<String> {
    // A person's zone is always their work location's or legal entity's: the sites hold every zone in use.
    let mut stmt = conn.prepare_cached(
        "SELECT time_zone FROM legal_entities WHERE time_zone IS NOT NULL UNION SELECT time_zone FROM work_locations WHERE time_zone IS NOT NULL",
    )?;
    let zones: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let local = quote(&today_in(None, now).to_string());
    if zones.is_empty() {
        return Ok(local);
    }
    let mut expr = String::from("CASE e.time_zone");
    for zone in &zones {
        expr.push_str(&format!(" WHEN {} THEN {}", quote(zone), quote(&today_in(Some(zone), now).to_string())));
    }
    expr.push_str(&format!(" ELSE {local} END"));
    Ok(expr)
}

/// The FTS5 query for what a person typed: every word must start a name or an email part.
fn search_expr(text: &str) -> Option<String> {
    // Only the local part of an email is indexed: a full address is searched by its local part.
    let text = text.split('@').next().unwrap_or(text);
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

/// The highest employee id so far: people created after this call have higher ones.
pub fn last_id(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(id), 0) FROM employees", [], |r| r.get(0))?)
}

/// Adds the people with ids in `after..=up_to` to the search index, in one statement (see migration V2).
pub fn index_new(conn: &Connection, after: i64, up_to: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO employee_search (rowid, first_name, last_name, email_name)
         SELECT id, first_name, last_name, email_name FROM employee_search_terms WHERE id > ?1 AND id <= ?2",
    )?
    .execute([after, up_to])?;
    Ok(())
}

pub fn list(conn: &Connection, query: &EmployeeQuery, now: DateTime<Utc>) -> Result<Vec<EmployeeRow>> {
    let search = query.search.as_deref().and_then(search_expr);
    // The page is chosen first (filter, sort, limit) and only its rows get their teams, sources
    // and devices looked up.
    let sql = format!(
        "WITH page AS (
             SELECT e.id FROM (SELECT e0.*, {today} AS today FROM employees e0) e
             WHERE ({view}) AND {managed}
               AND (?3 IS NULL OR e.id IN (SELECT rowid FROM employee_search WHERE employee_search MATCH ?3))
               AND (?6 IS NULL OR e.id IN (SELECT value FROM json_each(?6)))
             ORDER BY e.last_name COLLATE NOCASE, e.first_name COLLATE NOCASE, e.id
             LIMIT ?4 OFFSET ?5
         )
         SELECT e.id, e.employee_number, e.first_name, e.last_name, e.job_title, e.work_email, e.employment_status,
                e.employment_type, le.name, wl.name, trim(coalesce(m.first_name, '') || ' ' || coalesce(m.last_name, '')),
                (SELECT group_concat(name, char(31)) FROM (SELECT g.name FROM group_memberships gm CROSS JOIN groups g ON g.id = gm.group_id
                    WHERE gm.employee_id = e.id AND g.type = 'TEAM' ORDER BY g.name)),
                e.start_date, e.end_date, e.hidden,
                (SELECT group_concat(name, char(31)) FROM (SELECT s.name FROM employee_links l JOIN sources s ON s.id = l.source_id
                    WHERE l.employee_id = e.id ORDER BY s.id)),
                (SELECT count(*) FROM device_assignments da WHERE da.employee_id = e.id AND da.returned_on IS NULL),
                CASE WHEN {out_of_scope} THEN (SELECT group_concat(l.out_of_scope, '; ') FROM employee_links l WHERE l.employee_id = e.id) END
         FROM page JOIN employees e ON e.id = page.id
         LEFT JOIN legal_entities le ON le.id = e.legal_entity_id
         LEFT JOIN work_locations wl ON wl.id = e.work_location_id
         LEFT JOIN employees m ON m.id = e.manager_id
         ORDER BY e.last_name COLLATE NOCASE, e.first_name COLLATE NOCASE, e.id",
        today = today_expr(conn, now)?.replace("e.time_zone", "e0.time_zone"),
        view = view_condition(query.view),
        managed = managed_condition(query.view),
        out_of_scope = OUT_OF_SCOPE,
    );
    let mut stmt = conn.prepare(&sql)?;
    let split =
        |s: Option<String>| -> Vec<String> { s.map(|s| s.split('\u{1f}').map(str::to_owned).collect()).unwrap_or_default() };
    let ids = query.ids.as_ref().map(serde_json::to_string).transpose()?;
    let rows =
        stmt.query_map(params![query.include_hidden, query.include_out_of_scope, search, query.limit, query.offset, ids], |r| {
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
                out_of_scope: r.get(17)?,
            })
        })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many managed people a view holds (hidden and out-of-scope people left out), without reading them.
pub fn count(conn: &Connection, view: View, now: DateTime<Utc>) -> Result<u32> {
    let sql = format!(
        "SELECT count(*) FROM (SELECT e0.*, {} AS today FROM employees e0) e WHERE ({}) AND {}",
        today_expr(conn, now)?.replace("e.time_zone", "e0.time_zone"),
        view_condition(view),
        managed_condition(view)
    );
    Ok(conn.query_row(&sql, [false, false], |r| r.get(0))?)
}

/// An SQL query of the ids of the managed people (not hidden, in scope) a view holds at `now`
/// among those `within` (an SQL condition on `e0`, the employees), for other parts of the store
/// (checklists) to select from with the views' one definition.
pub(crate) fn managed_ids_sql(conn: &Connection, view: View, now: DateTime<Utc>, within: &str) -> Result<String> {
    Ok(format!(
        "SELECT e.id FROM (SELECT e0.*, {} AS today FROM employees e0 WHERE {within}) e WHERE ({}) AND {}",
        today_expr(conn, now)?.replace("e.time_zone", "e0.time_zone"),
        view_condition(view),
        managed_condition(view).replace("?1", "0").replace("?2", "0")
    ))
}

/// Why a person is out of scope and since when, if every source that knows them excludes them.
pub fn out_of_scope(conn: &Connection, employee_id: i64) -> Result<Option<OutOfScope>> {
    let sql = format!(
        "SELECT (SELECT group_concat(s.name || ': ' || l.out_of_scope, '; ') FROM employee_links l JOIN sources s ON s.id = l.source_id
                 WHERE l.employee_id = e.id),
                (SELECT max(c.at) FROM change_log c WHERE c.employee_id = e.id AND c.action = 'out_of_scope')
         FROM employees e WHERE e.id = ?1 AND {OUT_OF_SCOPE}"
    );
    Ok(conn.query_row(&sql, [employee_id], |r| Ok(OutOfScope { reasons: r.get(0)?, since: r.get(1)? })).optional()?)
}

/// A person the filters exclude: which filter with which value (per source), and since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutOfScope {
    pub reasons: String,
    pub since: Option<String>,
}

/// Hides or shows a person. Hiding is local: no sync ever changes it.
pub fn set_hidden(conn: &Connection, employee_id: i64, hidden: bool, now: DateTime<Utc>) -> Result<()> {
    let changed =
        conn.execute("UPDATE employees SET hidden = ?2 WHERE id = ?1 AND hidden IS NOT ?2", params![employee_id, hidden])?;
    if changed > 0 {
        let action = if hidden { "hidden" } else { "unhidden" };
        let at = now.to_rfc3339();
        change_log::record(conn, &Entry { at: &at, employee_id, actor: Actor::User, action, field: None, old: None, new: None })?;
    }
    Ok(())
}

/// The lists a person appears in at `now` (hidden or not).
pub fn views_of(conn: &Connection, employee_id: i64, now: DateTime<Utc>) -> Result<Vec<View>> {
    let today = today_expr(conn, now)?;
    let mut views = Vec::new();
    for view in [View::Active, View::Onboardings, View::Offboardings, View::Departed] {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM (SELECT e.*, {today} AS today FROM employees e WHERE e.id = ?1) e WHERE {})",
            view_condition(view)
        );
        if conn.query_row(&sql, [employee_id], |r| r.get::<_, bool>(0))? {
            views.push(view);
        }
    }
    Ok(views)
}
