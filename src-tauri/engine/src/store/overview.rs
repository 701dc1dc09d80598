//! What the Overview reads that no list already gives: the dated people of a view, with the legal
//! entity and time zone their week is counted by.

use chrono::{DateTime, NaiveDate, Utc};

use crate::connector::calendar_date;
use crate::error::Result;
use crate::model::View;
use crate::store::db::Db;
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
pub fn dated(conn: &Db, view: View, now: DateTime<Utc>) -> Result<Vec<Dated>> {
    let date = if view == View::Offboardings { "end_date" } else { "start_date" };
    let sql = format!(
        "SELECT e.id, e.{date}, le.name, e.time_zone FROM employees e LEFT JOIN legal_entities le ON le.id = e.legal_entity_id
         WHERE e.{date} IS NOT NULL AND e.id IN ({})",
        managed_ids_sql(conn, view, now, "TRUE")?
    );
    let rows = conn.query_map(&sql, (), |r| {
        let Some(date) = calendar_date(&r.get::<String>(1)?) else { return Ok(None) };
        Ok(Some(Dated { employee_id: r.get(0)?, date, legal_entity: r.get(2)?, time_zone: r.get(3)? }))
    })?;
    Ok(rows.into_iter().flatten().collect())
}

/// The ids of hidden people, whom no workflow shows.
pub fn hidden_ids(conn: &Db) -> Result<Vec<i64>> {
    conn.query_map("SELECT id FROM employees WHERE hidden", (), |r| r.get(0))
}
