//! The `employees` table: the lists (views by contract dates, hidden people, paging), finding one
//! person, a profile's values, and the writes of a sync, a hand edit and an erasure.

use std::collections::VecDeque;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::{EmployeeRow, Field, FieldValues, View};
use crate::params;
use crate::store::change_log::{self, Actor, Entry};
use crate::store::db::{Db, Dialect, ToDb, Value};
use crate::store::search;
use crate::store::sites::{self, Sites};
use crate::timezones::today_in;

/// The employee columns that hold a field's value as text, named as the field. The other fields
/// are references: legal entity, work location, manager and groups.
pub const TEXT_COLUMNS: [(Field, &str); 12] = [
    (Field::EmployeeNumber, "employee_number"),
    (Field::FirstName, "first_name"),
    (Field::LastName, "last_name"),
    (Field::JobTitle, "job_title"),
    (Field::WorkEmail, "work_email"),
    (Field::PersonalEmail, "personal_email"),
    (Field::MobilePhone, "mobile_phone"),
    (Field::EmploymentStatus, "employment_status"),
    (Field::EmploymentType, "employment_type"),
    (Field::HomeAddress, "home_address"),
    (Field::StartDate, "start_date"),
    (Field::EndDate, "end_date"),
];

/// The column that holds the field as text, if it is held as text.
pub fn text_column(field: Field) -> Option<&'static str> {
    TEXT_COLUMNS.iter().find(|(f, _)| *f == field).map(|(_, c)| *c)
}

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

/// The SQL text of the unit separator, which joins a list's names into one column (names never hold it).
pub(crate) const UNIT_SEPARATOR: &str = "'\u{1f}'";

/// SQL conditions on `e` (employees), `today` (the person's calendar date) and `departed_since`
/// (the earliest end date still in Offboardings), one per view.
/// A date compared inside `coalesce` is not taken for an index range: the planner would otherwise
/// gather most of the directory through an index, slower than reading the views' index whole.
const LEFT: &str =
    "(e.departed_at IS NOT NULL OR coalesce(e.end_date < today, e.employment_status IS NOT DISTINCT FROM 'INACTIVE'))";
const ONBOARDING: &str = "(coalesce(e.start_date > today, FALSE) OR e.employment_status IS NOT DISTINCT FROM 'PENDING')";
/// Both kept on the person by the database (migration 10): the devices handed over to them and
/// not returned, and whether every source that knows them excludes them.
const HOLDS_DEVICE: &str = "e.devices_held > 0";
const OUT_OF_SCOPE: &str = "e.out_of_scope";

/// Who a view holds besides its dates: hidden and out-of-scope people only when asked for,
/// except that a device is never forgotten: an out-of-scope person who still holds one stays in
/// Offboardings, to recover it.
fn managed_condition(view: View, include_hidden: bool, include_out_of_scope: bool) -> String {
    let device_kept = if view == View::Offboardings { format!(" OR {HOLDS_DEVICE}") } else { String::new() };
    let hidden = if include_hidden { "TRUE" } else { "NOT e.hidden" };
    let out_of_scope = if include_out_of_scope { "TRUE".to_owned() } else { format!("(NOT {OUT_OF_SCOPE}{device_kept})") };
    format!("{hidden} AND {out_of_scope}")
}

fn view_condition(view: View) -> String {
    let offboarding = format!(
        "((coalesce(e.end_date >= departed_since, FALSE) AND e.departed_at IS NULL) \
         OR ({LEFT} AND {HOLDS_DEVICE}) OR ({OUT_OF_SCOPE} AND {HOLDS_DEVICE}))"
    );
    match view {
        View::Active => {
            format!("NOT {LEFT} AND coalesce(e.start_date <= today, e.employment_status IS DISTINCT FROM 'PENDING')")
        }
        View::Onboardings => format!("NOT {LEFT} AND {ONBOARDING}"),
        View::Offboardings => offboarding,
        View::Departed => format!("{LEFT} AND NOT {offboarding}"),
        View::All => "TRUE".to_owned(),
    }
}

/// A looser condition on `e0` (employees) that every person of the view meets whatever their
/// time zone, written as a set of ids that the indexes of migration 10 give: the two lists an
/// admin opens most are a few thousand people of a hundred thousand, read without visiting the
/// rest. (An `OR` of the same terms is read by a scan of the whole table.)
fn view_range(view: View, earliest_today: NaiveDate) -> String {
    let ids = |by_date: String, or: &str| {
        format!("e0.id IN (SELECT id FROM employees WHERE {by_date} UNION ALL SELECT id FROM employees WHERE {or})")
    };
    match view {
        View::Onboardings => ids(format!("start_date > '{earliest_today}'"), "employment_status = 'PENDING'"),
        View::Offboardings => {
            ids(format!("end_date >= '{}'", earliest_today - chrono::Duration::days(RECENT_DEPARTURE_DAYS)), "devices_held > 0")
        }
        View::Active | View::Departed | View::All => "TRUE".to_owned(),
    }
}

/// Whether [`view_range`] narrows the view to the ids its indexes give.
fn narrowed(view: View) -> bool {
    matches!(view, View::Onboardings | View::Offboardings)
}

/// The employees (`e0`) among those `within` (a condition on `e0`) that may belong to
/// `narrow_to` (all of them with `None`), each with `today`, its calendar date at `now` where the
/// person works, and `departed_since`: the rows that a view's condition on `e` then decides. The
/// few zones in use are resolved here once, so the database compares plain dates per row (and
/// does no date arithmetic, which differs between the stores).
fn view_rows(conn: &Db, narrow_to: Option<View>, now: DateTime<Utc>, within: &str) -> Result<String> {
    let zones = sites::time_zones(conn)?;
    let local = today_in(None, now);
    let todays: Vec<(&String, NaiveDate)> = zones.iter().map(|zone| (zone, today_in(Some(zone), now))).collect();
    let earliest = todays.iter().map(|(_, day)| *day).chain([local]).min().unwrap_or(local);
    // Only the zones where the date differs from here need a case: most of the day, none does.
    let todays: Vec<_> = todays.into_iter().filter(|(_, day)| *day != local).collect();
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let by_zone = |date_of: fn(NaiveDate) -> NaiveDate| {
        let local = quote(&date_of(local).to_string());
        if todays.is_empty() {
            return local;
        }
        let cases: String = todays
            .iter()
            .map(|(zone, day)| format!(" WHEN {} THEN {}", quote(zone), quote(&date_of(*day).to_string())))
            .collect();
        format!("CASE e0.time_zone{cases} ELSE {local} END")
    };
    let today = by_zone(|day| day);
    let departed_since = by_zone(|day| day - chrono::Duration::days(RECENT_DEPARTURE_DAYS));
    let range = narrow_to.map_or_else(|| "TRUE".to_owned(), |view| view_range(view, earliest));
    Ok(format!(
        "SELECT e0.*, {today} AS today, {departed_since} AS departed_since FROM employees e0 WHERE ({within}) AND {range}"
    ))
}

/// The highest employee id so far: people created after this call have higher ones.
pub fn last_id(conn: &Db) -> Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM employees", (), |r| r.get(0))
}

pub fn list(conn: &Db, query: &EmployeeQuery, now: DateTime<Utc>) -> Result<Vec<EmployeeRow>> {
    let split =
        |s: Option<String>| -> Vec<String> { s.map(|s| s.split('\u{1f}').map(str::to_owned).collect()).unwrap_or_default() };
    conn.query_map(&list_sql(conn, query, now)?, (), |r| {
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
            manager: r.get::<Option<String>>(10)?.filter(|m| !m.is_empty()),
            teams: split(r.get(11)?),
            start_date: r.get(12)?,
            termination_date: r.get(13)?,
            hidden: r.get(14)?,
            sources: split(r.get(15)?),
            devices: r.get(16)?,
            out_of_scope: r.get(17)?,
        })
    })
}

/// The query of a page of a list. It takes no parameters: what the page asks for is written into
/// its text, so that PostgreSQL plans it for that page, never with a generic plan made for any
/// (which it switches to after five runs of a statement, and which sorted everyone a search found
/// in place of reading the sort index up to the page).
fn list_sql(conn: &Db, query: &EmployeeQuery, now: DateTime<Utc>) -> Result<String> {
    let in_name_order = query.ids.is_none() && !narrowed(query.view);
    let search = match query.search.as_deref() {
        Some(text) => search::condition(conn, text, in_name_order)?,
        None => None,
    };
    let search = search.unwrap_or_else(|| "TRUE".to_owned());
    // Ids are numbers: written into the SQL text, as a list both stores read.
    let ids = match &query.ids {
        None => "TRUE".to_owned(),
        Some(ids) if ids.is_empty() => "FALSE".to_owned(),
        Some(ids) => format!("e.id IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
    };
    // The page is chosen first (filter, sort, limit) and only its rows get their teams, sources
    // and devices looked up. `COLLATE NOCASE` is the order of SQLite's sort index, which gives a
    // page without sorting the directory; PostgreSQL's schema defines a `nocase` collation for it.
    // The page's few rows lead the join (CROSS JOIN keeps SQLite from reading the directory in
    // name order to meet them).
    Ok(format!(
        "WITH page AS (
             SELECT e.id FROM ({rows}) e
             WHERE ({view}) AND {managed} AND {search} AND {ids}
             ORDER BY e.last_name COLLATE NOCASE, e.first_name COLLATE NOCASE, e.id
             LIMIT {limit} OFFSET {offset}
         )
         SELECT e.id, e.employee_number, e.first_name, e.last_name, e.job_title, e.work_email, e.employment_status,
                e.employment_type, le.name, wl.name, trim(coalesce(m.first_name, '') || ' ' || coalesce(m.last_name, '')),
                (SELECT string_agg(g.name, {UNIT_SEPARATOR} ORDER BY g.name) FROM group_memberships gm CROSS JOIN groups g
                    WHERE g.id = gm.group_id AND gm.employee_id = e.id AND g.type = 'TEAM'),
                e.start_date, e.end_date, e.hidden,
                (SELECT string_agg(s.name, {UNIT_SEPARATOR} ORDER BY s.id) FROM employee_links l JOIN sources s ON s.id = l.source_id
                    WHERE l.employee_id = e.id),
                e.devices_held,
                CASE WHEN {out_of_scope} THEN
                    (SELECT string_agg(l.out_of_scope, '; ' ORDER BY l.source_id) FROM employee_links l WHERE l.employee_id = e.id)
                END
         FROM page CROSS JOIN employees e
         LEFT JOIN legal_entities le ON le.id = e.legal_entity_id
         LEFT JOIN work_locations wl ON wl.id = e.work_location_id
         LEFT JOIN employees m ON m.id = e.manager_id
         WHERE e.id = page.id
         ORDER BY e.last_name COLLATE NOCASE, e.first_name COLLATE NOCASE, e.id",
        rows = view_rows(conn, Some(query.view), now, "TRUE")?,
        view = view_condition(query.view),
        managed = managed_condition(query.view, query.include_hidden, query.include_out_of_scope),
        limit = query.limit,
        offset = query.offset,
        out_of_scope = OUT_OF_SCOPE,
    ))
}

/// How many managed people each view holds (hidden and out-of-scope people left out), and how
/// many people are hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewCounts {
    pub active: u32,
    pub onboardings: u32,
    pub offboardings: u32,
    pub hidden: u32,
}

/// The counts at `now`, all from one read of the views' index: at start-up the window waits for
/// them, and each view counted on its own read the index again.
pub fn view_counts(conn: &Db, now: DateTime<Utc>) -> Result<ViewCounts> {
    conn.query_row(&view_counts_sql(conn, now)?, (), |r| {
        Ok(ViewCounts { active: r.get(0)?, onboardings: r.get(1)?, offboardings: r.get(2)?, hidden: r.get(3)? })
    })
}

fn view_counts_sql(conn: &Db, now: DateTime<Utc>) -> Result<String> {
    let counted = |condition: String| format!("coalesce(sum(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)");
    let managed = |view: View| counted(format!("({}) AND {}", view_condition(view), managed_only(view)));
    Ok(format!(
        "SELECT {}, {}, {}, {} FROM ({}) e",
        managed(View::Active),
        managed(View::Onboardings),
        managed(View::Offboardings),
        counted("e.hidden".to_owned()),
        // Not narrowed: counting reads the views' index whole, faster than visiting the range's rows.
        view_rows(conn, None, now, "TRUE")?,
    ))
}

/// [`managed_condition`] without hidden or out-of-scope people, whatever was asked.
fn managed_only(view: View) -> String {
    managed_condition(view, false, false)
}

/// An SQL query of the ids of the managed people (not hidden, in scope) a view holds at `now`
/// among those `within` (an SQL condition on `e0`, the employees), for other parts of the store
/// (checklists) to select from with the views' one definition.
pub(crate) fn managed_ids_sql(conn: &Db, view: View, now: DateTime<Utc>, within: &str) -> Result<String> {
    Ok(format!(
        "SELECT e.id FROM ({}) e WHERE ({}) AND {}",
        view_rows(conn, Some(view), now, within)?,
        view_condition(view),
        managed_only(view)
    ))
}

/// A starter who holds no device.
#[derive(Debug, Clone, PartialEq)]
pub struct Starter {
    pub employee_id: i64,
    pub name: String,
    pub start_date: String,
}

/// The managed people of Onboardings at `now` who start by `by` and hold no device, by start date.
pub fn starters_without_device(conn: &Db, by: NaiveDate, now: DateTime<Utc>) -> Result<Vec<Starter>> {
    let within = format!("e0.devices_held = 0 AND e0.start_date <= '{by}'");
    let sql = format!(
        "SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), start_date FROM employees
         WHERE id IN ({}) ORDER BY start_date, last_name COLLATE NOCASE, first_name COLLATE NOCASE, id",
        managed_ids_sql(conn, View::Onboardings, now, &within)?
    );
    conn.query_map(&sql, (), |r| Ok(Starter { employee_id: r.get(0)?, name: r.get(1)?, start_date: r.get(2)? }))
}

/// Why a person is out of scope and since when, if every source that knows them excludes them.
pub fn out_of_scope(conn: &Db, employee_id: i64) -> Result<Option<OutOfScope>> {
    let sql = format!(
        "SELECT (SELECT string_agg(s.name || ': ' || l.out_of_scope, '; ' ORDER BY l.source_id)
                 FROM employee_links l JOIN sources s ON s.id = l.source_id WHERE l.employee_id = e.id),
                (SELECT max(c.at) FROM change_log c WHERE c.employee_id = e.id AND c.action = 'out_of_scope')
         FROM employees e WHERE e.id = ?1 AND {OUT_OF_SCOPE}"
    );
    conn.query_opt(&sql, [employee_id], |r| Ok(OutOfScope { reasons: r.get(0)?, since: r.get(1)? }))
}

/// A person the filters exclude: which filter with which value (per source), and since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutOfScope {
    pub reasons: String,
    pub since: Option<String>,
}

/// Hides or shows a person. Hiding is local: no sync ever changes it.
pub fn set_hidden(conn: &Db, employee_id: i64, hidden: bool, now: DateTime<Utc>) -> Result<()> {
    let changed = conn
        .execute("UPDATE employees SET hidden = ?2 WHERE id = ?1 AND hidden IS DISTINCT FROM ?2", params![employee_id, hidden])?;
    if changed > 0 {
        let action = if hidden { "hidden" } else { "unhidden" };
        let at = now.to_rfc3339();
        change_log::record(conn, &Entry { at: &at, employee_id, actor: Actor::User, action, field: None, old: None, new: None })?;
    }
    Ok(())
}

/// The lists a person appears in at `now` (hidden or not).
pub fn views_of(conn: &Db, employee_id: i64, now: DateTime<Utc>) -> Result<Vec<View>> {
    // The person's row and today, read the same way for every view: the zones are looked up once.
    let rows = view_rows(conn, None, now, "e0.id = ?1")?;
    let mut views = Vec::new();
    for view in [View::Active, View::Onboardings, View::Offboardings, View::Departed] {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM ({rows}) e WHERE {})", view_condition(view));
        if conn.query_row(&sql, [employee_id], |r| r.get::<bool>(0))? {
            views.push(view);
        }
    }
    Ok(views)
}

/// Finds one employee by id, work email or full name (case ignored).
pub fn find(conn: &Db, who: &str) -> Result<i64> {
    if let Ok(id) = who.parse::<i64>() {
        if let Some(id) = conn.query_opt("SELECT id FROM employees WHERE id = ?1", [id], |r| r.get(0))? {
            return Ok(id);
        }
    }
    let ids: Vec<i64> = conn.query_map(
        "SELECT id FROM employees WHERE lower(work_email) = lower(?1)
         UNION SELECT id FROM employees WHERE lower(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) = lower(?1)",
        [who],
        |r| r.get(0),
    )?;
    match ids.as_slice() {
        [id] => Ok(*id),
        [] => Err(Error::UnknownEmployee(who.to_owned())),
        _ => Err(Error::AmbiguousEmployee(who.to_owned())),
    }
}

/// A person found by name or work email.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub id: i64,
    pub name: String,
    pub work_email: Option<String>,
    pub hidden: bool,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// People whose full name or work email contains `pattern` (an SQL LIKE pattern, lower case), at most 20.
pub fn matching(conn: &Db, pattern: &str) -> Result<Vec<Match>> {
    conn.query_map(
        "SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), work_email, hidden, start_date, end_date
         FROM employees WHERE lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) LIKE ?1 OR lower(work_email) LIKE ?1
         ORDER BY last_name, first_name LIMIT 20",
        [pattern],
        |r| {
            Ok(Match {
                id: r.get(0)?,
                name: r.get(1)?,
                work_email: r.get(2)?,
                hidden: r.get(3)?,
                start_date: r.get(4)?,
                end_date: r.get(5)?,
            })
        },
    )
}

/// The people who hold a device.
pub fn holders(conn: &Db) -> Result<Vec<i64>> {
    conn.query_map("SELECT id FROM employees WHERE devices_held > 0", (), |r| r.get(0))
}

pub fn is_hidden(conn: &Db, employee_id: i64) -> Result<bool> {
    conn.query_row("SELECT hidden FROM employees WHERE id = ?1", [employee_id], |r| r.get(0))
}

/// The person's values as a profile shows them, indexed by [`Field::index`]: references by name
/// (the legal entity's, the work location's, the manager's full name, the groups' names joined by ", ").
pub fn shown_values(conn: &Db, employee_id: i64) -> Result<Vec<Option<String>>> {
    let columns: Vec<&str> = TEXT_COLUMNS.iter().map(|(_, c)| *c).collect();
    let mut values = vec![None; Field::ALL.len()];
    conn.query_row(
        &format!(
            "SELECT {}, (SELECT name FROM legal_entities WHERE id = e.legal_entity_id),
                    (SELECT name FROM work_locations WHERE id = e.work_location_id),
                    (SELECT trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) FROM employees m WHERE m.id = e.manager_id),
                    (SELECT string_agg(g.name, ', ' ORDER BY g.id) FROM group_memberships gm CROSS JOIN groups g
                        WHERE g.id = gm.group_id AND gm.employee_id = e.id)
             FROM employees e WHERE id = ?1",
            columns.join(", ")
        ),
        [employee_id],
        |r| {
            let references = [Field::LegalEntity, Field::WorkLocation, Field::Manager, Field::Groups];
            let fields = TEXT_COLUMNS.iter().map(|(f, _)| *f).chain(references);
            for (i, field) in fields.enumerate() {
                values[field.index()] = r.get(i)?;
            }
            Ok(())
        },
    )?;
    Ok(values)
}

/// The field's value, if it is held as text.
pub fn text_value(conn: &Db, employee_id: i64, field: Field) -> Result<Option<String>> {
    let column = text_column(field).ok_or_else(|| Error::Invalid(format!("{field} is not a value of its own")))?;
    conn.query_row(&format!("SELECT {column} FROM employees WHERE id = ?1"), [employee_id], |r| r.get(0))
}

/// [`text_value`], with the person's row locked until the transaction ends, so that a concurrent
/// edit waits for this one. SQLite's write transaction (`begin_write`) already excludes the others.
pub fn text_value_locked(conn: &Db, employee_id: i64, field: Field) -> Result<Option<String>> {
    let column = text_column(field).ok_or_else(|| Error::Invalid(format!("{field} is not a value of its own")))?;
    let lock = match conn.dialect() {
        Dialect::Sqlite => "",
        Dialect::Postgres => " FOR UPDATE",
    };
    conn.query_row(&format!("SELECT {column} FROM employees WHERE id = ?1{lock}"), [employee_id], |r| r.get(0))
}

/// Sets a field held as text (see [`TEXT_COLUMNS`]); `at`, when given, becomes the person's last update.
pub fn set_text(conn: &Db, employee_id: i64, field: Field, value: Option<&str>, at: Option<&str>) -> Result<()> {
    let column = text_column(field).expect("only fields held as text are set as text");
    match at {
        Some(at) => conn.execute(
            &format!("UPDATE employees SET {column} = ?2, updated_at = ?3 WHERE id = ?1"),
            params![employee_id, value, at],
        )?,
        None => conn.execute(&format!("UPDATE employees SET {column} = ?2 WHERE id = ?1"), params![employee_id, value])?,
    };
    if [Field::FirstName, Field::LastName, Field::WorkEmail].contains(&field) {
        search::reindex(conn, employee_id)?;
    }
    Ok(())
}

/// Switches an optional field off for the people the source links: their values go.
pub fn clear_for_source(conn: &Db, source_id: i64, field: Field, at: &str) -> Result<()> {
    let column = text_column(field).expect("the optional fields are held as text");
    conn.execute(
        &format!(
            "UPDATE employees SET {column} = NULL, updated_at = ?2
             WHERE {column} IS NOT NULL AND id IN (SELECT employee_id FROM employee_links WHERE source_id = ?1)"
        ),
        params![source_id, at],
    )?;
    Ok(())
}

/// What a new person refers to, as local ids, and their time zone.
#[derive(Debug, Clone, Copy, Default)]
pub struct References<'a> {
    pub legal_entity_id: Option<i64>,
    pub work_location_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub time_zone: Option<&'a str>,
}

/// The people a sync creates, each in one insert, created by the source's run at `at`. SQLite
/// writes each as it is given (a prepared insert, no round trip); PostgreSQL gives each an id
/// taken ahead from the table's sequence and writes them [`BATCH`] at a time with `COPY`, one
/// round trip per batch instead of one per person.
pub struct Creator<'c> {
    conn: &'c Db,
    source_id: i64,
    run_id: i64,
    at: &'c str,
    /// PostgreSQL: ids taken from the sequence and not yet given, lowest first.
    reserved: VecDeque<i64>,
    /// PostgreSQL: people given an id and not yet written, by id.
    pending: Vec<NewRow>,
    /// People already written who are given their manager: (person, manager), written together
    /// at the next [`Creator::flush`].
    late_managers: Vec<(i64, i64)>,
}

/// PostgreSQL: people written per `COPY`, and ids taken from the sequence at a time.
pub const BATCH: usize = 1000;

/// A person given an id and not yet written.
struct NewRow {
    id: i64,
    texts: Vec<Option<String>>,
    legal_entity_id: Option<i64>,
    work_location_id: Option<i64>,
    manager_id: Option<i64>,
    time_zone: Option<String>,
}

impl<'c> Creator<'c> {
    pub fn new(conn: &'c Db, source_id: i64, run_id: i64, at: &'c str) -> Creator<'c> {
        Creator { conn, source_id, run_id, at, reserved: VecDeque::new(), pending: Vec::new(), late_managers: Vec::new() }
    }

    /// A new person; returns their id. On PostgreSQL the row waits for [`Creator::flush`] (or the
    /// next full batch): nothing may read it or refer to it in the database before then.
    pub fn add(&mut self, values: &FieldValues, refs: &References<'_>) -> Result<i64> {
        let texts = TEXT_COLUMNS.iter().map(|(f, _)| values.get(*f));
        match self.conn.dialect() {
            // Dialect: SQLite writes the row now and is given its id.
            Dialect::Sqlite => {
                static SQL: LazyLock<String> = LazyLock::new(|| {
                    let columns = insert_columns(false);
                    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                    format!("INSERT INTO employees ({}) VALUES ({}) RETURNING id", columns.join(", "), placeholders.join(", "))
                });
                let texts: Vec<Option<&str>> = texts.collect();
                let mut bound: Vec<&dyn ToDb> = texts.iter().map(|t| t as &dyn ToDb).collect();
                let stamp = [&self.source_id as &dyn ToDb, &self.run_id, &self.at, &self.at];
                bound.extend(params![refs.legal_entity_id, refs.work_location_id, refs.manager_id, refs.time_zone]);
                bound.extend(stamp);
                self.conn.query_row(&SQL, bound.as_slice(), |r| r.get(0))
            }
            // Dialect: PostgreSQL takes an id and keeps the row for the next batch.
            Dialect::Postgres => {
                if self.pending.len() >= BATCH {
                    self.flush()?;
                }
                let id = self.reserve()?;
                self.pending.push(NewRow {
                    id,
                    texts: texts.map(|t| t.map(str::to_owned)).collect(),
                    legal_entity_id: refs.legal_entity_id,
                    work_location_id: refs.work_location_id,
                    manager_id: refs.manager_id,
                    time_zone: refs.time_zone.map(str::to_owned),
                });
                Ok(id)
            }
        }
    }

    /// Gives a person created earlier their manager: in the row still waiting, else at the next
    /// [`Creator::flush`] (once a manager still waiting is written too: the reference must point
    /// at a row).
    pub fn set_manager(&mut self, employee_id: i64, manager_id: i64) {
        match self.pending.binary_search_by_key(&employee_id, |row| row.id) {
            Ok(index) => self.pending[index].manager_id = Some(manager_id),
            Err(_) => self.late_managers.push((employee_id, manager_id)),
        }
    }

    /// Writes the people waiting to be written (PostgreSQL), then the managers given to people
    /// already written; false when nothing waited.
    pub fn flush(&mut self) -> Result<bool> {
        if self.pending.is_empty() && self.late_managers.is_empty() {
            return Ok(false);
        }
        let rows = self.pending.iter().map(|row| {
            let mut bound: Vec<&dyn ToDb> = vec![&row.id as &dyn ToDb];
            bound.extend(row.texts.iter().map(|t| t as &dyn ToDb));
            bound.extend(params![row.legal_entity_id, row.work_location_id, row.manager_id, row.time_zone]);
            bound.extend([&self.source_id as &dyn ToDb, &self.run_id, &self.at, &self.at]);
            bound
        });
        self.conn.insert_rows("employees", &insert_columns(true), rows)?;
        self.pending.clear();
        set_managers(self.conn, &self.late_managers)?;
        self.late_managers.clear();
        Ok(true)
    }

    /// PostgreSQL: the next id of the sequence, taken [`BATCH`] at a time (the ids never taken are
    /// a gap, as a rolled-back insert leaves).
    fn reserve(&mut self) -> Result<i64> {
        if self.reserved.is_empty() {
            let mut ids: Vec<i64> = self.conn.query_map(
                &format!("SELECT nextval(pg_get_serial_sequence('employees', 'id')) FROM generate_series(1, {BATCH})"),
                (),
                |r| r.get(0),
            )?;
            ids.sort_unstable();
            self.reserved.extend(ids);
        }
        self.reserved.pop_front().ok_or_else(|| Error::Stored("the employees' sequence gave no id".into()))
    }
}

/// The columns a new person's insert writes, in [`Creator`]'s order, with the id when it is given.
fn insert_columns(with_id: bool) -> Vec<&'static str> {
    let id = with_id.then_some("id");
    id.into_iter()
        .chain(TEXT_COLUMNS.iter().map(|(_, c)| *c))
        .chain([
            "legal_entity_id",
            "work_location_id",
            "manager_id",
            "time_zone",
            "source_id",
            "run_id",
            "created_at",
            "updated_at",
        ])
        .collect()
}

/// The people's indexes, dropped while a first sync loads an empty directory and built again once
/// it has: an index built once, in key order, costs far less than one updated per new person in
/// random key order (at 100,000 people its pages outgrow SQLite's cache, each one encrypted again
/// whenever it is written out).
pub struct DeferredIndexes(Vec<String>);

/// Drops the people's indexes if the directory holds nobody yet (SQLite; the caller's transaction
/// brings them back should it fail). Nothing a first sync runs reads them.
pub fn defer_indexes(conn: &Db) -> Result<DeferredIndexes> {
    // Dialect: SQLite keeps each index's definition in its schema table; PostgreSQL's first sync
    // writes with COPY into the indexes as they are.
    if conn.dialect() != Dialect::Sqlite || last_id(conn)? != 0 {
        return Ok(DeferredIndexes(Vec::new()));
    }
    let indexes: Vec<(String, String)> = conn.query_map(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'employees' AND sql IS NOT NULL",
        (),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX {name}"))?;
    }
    Ok(DeferredIndexes(indexes.into_iter().map(|(_, sql)| sql).collect()))
}

impl DeferredIndexes {
    /// Builds the indexes dropped by [`defer_indexes`] again.
    pub fn build(self, conn: &Db) -> Result<()> {
        for sql in &self.0 {
            conn.execute_batch(sql)?;
        }
        Ok(())
    }
}

/// Gives people their managers, both local ids: (person, manager), a thousand per statement.
fn set_managers(conn: &Db, managers: &[(i64, i64)]) -> Result<()> {
    for batch in managers.chunks(1000) {
        // Typed: PostgreSQL reads an untyped parameter in VALUES as text. Both name the columns
        // of VALUES column1, column2.
        let values: Vec<String> =
            (1..=batch.len()).map(|i| format!("(CAST(?{} AS BIGINT), CAST(?{} AS BIGINT))", 2 * i - 1, 2 * i)).collect();
        let sql = format!(
            "UPDATE employees SET manager_id = v.column2 FROM (VALUES {}) AS v WHERE employees.id = v.column1",
            values.join(", ")
        );
        conn.execute(&sql, batch.iter().flat_map(|&(person, manager)| [person, manager]).collect::<Vec<i64>>())?;
    }
    Ok(())
}

pub fn set_site(conn: &Db, employee_id: i64, sites: Sites, site_id: Option<i64>) -> Result<()> {
    let sql = match sites {
        Sites::LegalEntities => "UPDATE employees SET legal_entity_id = ?2 WHERE id = ?1",
        Sites::WorkLocations => "UPDATE employees SET work_location_id = ?2 WHERE id = ?1",
    };
    conn.execute(sql, params![employee_id, site_id])?;
    Ok(())
}

pub fn set_updated_at(conn: &Db, employee_id: i64, at: &str) -> Result<()> {
    conn.execute("UPDATE employees SET updated_at = ?2 WHERE id = ?1", params![employee_id, at])?;
    Ok(())
}

/// Moves the person to departed at `at`, unless they already are.
pub fn set_departed(conn: &Db, employee_id: i64, at: &str) -> Result<()> {
    conn.execute("UPDATE employees SET departed_at = ?2 WHERE id = ?1 AND departed_at IS NULL", params![employee_id, at])?;
    Ok(())
}

pub fn clear_departed(conn: &Db, employee_id: i64) -> Result<()> {
    conn.execute("UPDATE employees SET departed_at = NULL WHERE id = ?1", [employee_id])?;
    Ok(())
}

/// Resolves managers (the source's remote ids; none for no manager) to employees through the
/// source's links, in one statement.
pub fn resolve_managers(conn: &Db, source_id: i64, managers: impl Iterator<Item = (i64, Option<String>)>) -> Result<()> {
    // SQLite's row id is its `INTEGER PRIMARY KEY`, PostgreSQL's integers are BIGINT. Both look
    // the unqualified name up among the temporary tables first.
    let id = match conn.dialect() {
        Dialect::Sqlite => "INTEGER",
        Dialect::Postgres => "BIGINT",
    };
    conn.execute_batch(&format!(
        "CREATE TEMP TABLE IF NOT EXISTS pending_managers (employee_id {id} PRIMARY KEY, manager TEXT); DELETE FROM pending_managers;"
    ))?;
    let managers: Vec<(i64, Option<String>)> = managers.collect();
    let rows = managers
        .iter()
        .map(|(employee_id, manager)| [Value::Int(*employee_id), manager.as_deref().map_or(Value::Null, Value::Text)]);
    conn.insert_rows("pending_managers", &["employee_id", "manager"], rows)?;
    conn.execute(
        "UPDATE employees SET manager_id = (SELECT l.employee_id FROM employee_links l WHERE l.source_id = ?1 AND l.remote_id = p.manager)
         FROM pending_managers p WHERE employees.id = p.employee_id",
        [source_id],
    )?;
    conn.execute_batch("DROP TABLE pending_managers")?;
    Ok(())
}

/// Keeps the zone of each person the source links in step with their work location, else their legal entity.
pub fn refresh_time_zones(conn: &Db, source_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE employees SET time_zone = z.zone FROM (
             SELECT e.id AS eid, COALESCE(wl.time_zone, le.time_zone) AS zone
             FROM employee_links l JOIN employees e ON e.id = l.employee_id
             LEFT JOIN work_locations wl ON wl.id = e.work_location_id
             LEFT JOIN legal_entities le ON le.id = e.legal_entity_id
             WHERE l.source_id = ?1
         ) z WHERE employees.id = z.eid AND employees.time_zone IS DISTINCT FROM z.zone",
        [source_id],
    )?;
    Ok(())
}

/// People whose end date is before `cutoff` and who hold no device.
pub fn left_before(conn: &Db, cutoff: NaiveDate) -> Result<Vec<i64>> {
    conn.query_map(
        "SELECT e.id FROM employees e WHERE e.end_date IS NOT NULL AND substr(e.end_date, 1, 10) < ?1
         AND NOT EXISTS (SELECT 1 FROM device_assignments a WHERE a.employee_id = e.id AND a.returned_on IS NULL)",
        [cutoff.to_string()],
        |r| r.get(0),
    )
}

/// Deletes the person: links, memberships, provenance, conflicts and history cascade; reports
/// lose their manager; past hand-overs keep the device's history with a former employee as holder.
pub fn delete(conn: &Db, employee_id: i64) -> Result<()> {
    if conn.execute("DELETE FROM employees WHERE id = ?1", [employee_id])? == 0 {
        // The person was found, so row-level security kept them: a team's admin erases only
        // whom retention erases (see `store::team`).
        return Err(conn.refusal("erasing this person is the owner's"));
    }
    Ok(())
}

/// Deletes the people known only through the source; people other sources also know stay.
pub fn delete_known_only_to(conn: &Db, source_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM employees WHERE id IN (SELECT employee_id FROM employee_links WHERE source_id = ?1)
         AND id NOT IN (SELECT employee_id FROM employee_links WHERE source_id != ?1)",
        [source_id],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// How SQLite means to run `sql`: one line per step (a statement only SQLite has).
    fn plan(conn: &Db, sql: &str) -> String {
        let conn = conn.as_sqlite().expect("the test store is SQLite");
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let unset = vec![false; stmt.parameter_count()];
        let steps = stmt.query_map(rusqlite::params_from_iter(unset), |r| r.get::<_, String>(3)).unwrap();
        steps.collect::<rusqlite::Result<Vec<_>>>().unwrap().join("\n")
    }

    // Timings belong to the benchmarks; what makes them is checked here: at 100,000 people a
    // read of the employees table costs a few tenths of a second, its views' index a few ms.
    #[test]
    fn counting_the_views_reads_the_views_index_once_never_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let plan = plan(store.conn(), &view_counts_sql(store.conn(), Utc::now()).unwrap());
        assert_eq!(plan, "SCAN e0 USING COVERING INDEX employees_views", "all the views are counted in one read of the index");
    }

    #[test]
    fn a_page_of_a_list_is_read_in_the_sort_indexs_order_without_sorting_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for view in [View::Active, View::Departed, View::All] {
            let query = EmployeeQuery { view, ..EmployeeQuery::default() };
            let plan = plan(store.conn(), &list_sql(store.conn(), &query, Utc::now()).unwrap());
            assert!(
                plan.contains("SCAN e0 USING INDEX employees_sort"),
                "{view:?} reads people in name order from its index:\n{plan}"
            );
        }
    }

    #[test]
    fn a_search_that_finds_many_reads_the_sort_index_and_one_that_finds_few_sorts_those_found() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let conn = store.conn();
        for n in 0..200 {
            let first = if n == 0 { "Zoë" } else { "Anna" };
            conn.execute(
                "INSERT INTO employees (first_name, last_name, created_at, updated_at) VALUES (?1, ?2, 'now', 'now')",
                [first, &format!("Doe{n}")],
            )
            .unwrap();
        }
        search::index_new(conn, 0, last_id(conn).unwrap()).unwrap();
        for view in [View::Active, View::Departed, View::All] {
            let page_plan = |text: &str| {
                let query = EmployeeQuery { view, search: Some(text.to_owned()), ..EmployeeQuery::default() };
                plan(conn, &list_sql(conn, &query, Utc::now()).unwrap())
            };
            let many = page_plan("ann");
            assert!(
                many.contains("SCAN e0 USING INDEX employees_sort"),
                "{view:?}: a search that finds most people reads them in name order up to the page:\n{many}"
            );
            assert!(
                many.contains("SCAN page\nSEARCH e USING INTEGER PRIMARY KEY (rowid=?)"),
                "{view:?}: the page's rows are looked up by id, the directory not read again:\n{many}"
            );
            let few = page_plan("zoe");
            assert!(
                few.contains("SEARCH e0 USING INTEGER PRIMARY KEY (rowid=?)") && !few.contains("employees_sort"),
                "{view:?}: a search that finds one person in a hundred reads only those found:\n{few}"
            );
        }
    }

    #[test]
    fn onboardings_and_offboardings_visit_only_the_people_their_indexes_give() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for view in [View::Onboardings, View::Offboardings] {
            let plan = plan(store.conn(), &managed_ids_sql(store.conn(), view, Utc::now(), "TRUE").unwrap());
            assert!(plan.starts_with("SEARCH e0 USING INTEGER PRIMARY KEY (rowid=?)"), "{view:?} visits its range only:\n{plan}");
            assert!(!plan.contains("SCAN e0") && !plan.contains("SCAN employees\n"), "{view:?} reads no whole table:\n{plan}");
        }
    }
}
