//! What the Overview reads that no list already gives: the dated people of a view, with the legal
//! entity and time zone their week is counted by.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use crate::connector::calendar_date;
use crate::error::Result;
use crate::model::View;
use crate::store::employees::managed_ids_sql;

/// A person of Onboardings (dated by their start) or Offboardings (by their end).
#[derive(Debug, Clone)]
pub struct Dated {
    pub employee_id: i64,
    pub date: NaiveDate,
    pub legal_entity: Option<String>,
    pub time_zone: Option<String>,
}

/// The managed (not hidden, in scope) people of `view` at `now` who have its date.
pub fn dated(conn: &Connection, view: View, now: DateTime<Utc>) -> Result<Vec<Dated>> {
    let date = if view == View::Offboardings { "end_date" } else { "start_date" };
    let sql = format!(
        "SELECT e.id, e.{date}, le.name, e.time_zone FROM employees e LEFT JOIN legal_entities le ON le.id = e.legal_entity_id
         WHERE e.{date} IS NOT NULL AND e.id IN ({})",
        managed_ids_sql(conn, view, now, "1")?
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?)))?;
    let mut people = Vec::new();
    for row in rows {
        let (employee_id, date, legal_entity, time_zone) = row?;
        if let Some(date) = calendar_date(&date) {
            people.push(Dated { employee_id, date, legal_entity, time_zone });
        }
    }
    Ok(people)
}

/// The ids of hidden people, whom no workflow shows.
pub fn hidden_ids(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT id FROM employees WHERE hidden")?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}
