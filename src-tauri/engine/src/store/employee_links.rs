//! Which source record is which person: the `employee_links` table, with each link's standing
//! (missing from the source's feed since, out of the source's scope because).

use std::collections::HashSet;

use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::store::db::{params, Db, Value};

/// A person's record in one source (the id the HR system gives them).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SourceRecord {
    pub source: String,
    pub remote_id: String,
    pub missing_since: Option<String>,
}

/// How a source sees a person it links.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub source: String,
    pub missing_since: Option<String>,
    pub out_of_scope: Option<String>,
}

/// Links people to the source's records, each given as (remote id, employee id), in one bulk
/// insert (see [`Db::insert_rows`]).
pub fn insert<'a>(conn: &Db, source_id: i64, links: impl IntoIterator<Item = (&'a str, i64)>) -> Result<()> {
    let rows = links
        .into_iter()
        .map(|(remote_id, employee_id)| [Value::Int(source_id), Value::Text(remote_id), Value::Int(employee_id)]);
    conn.insert_rows("employee_links", &["source_id", "remote_id", "employee_id"], rows)
}

/// The source returns the record again, in scope.
pub fn restore(conn: &Db, source_id: i64, remote_id: &str) -> Result<()> {
    conn.execute(
        "UPDATE employee_links SET missing_since = NULL, out_of_scope = NULL WHERE source_id = ?1 AND remote_id = ?2",
        params![source_id, remote_id],
    )?;
    Ok(())
}

pub fn set_out_of_scope(conn: &Db, source_id: i64, remote_id: &str, reason: &str) -> Result<()> {
    conn.execute(
        "UPDATE employee_links SET out_of_scope = ?3 WHERE source_id = ?1 AND remote_id = ?2",
        params![source_id, remote_id, reason],
    )?;
    Ok(())
}

pub fn set_missing(conn: &Db, source_id: i64, remote_id: &str, since: &str) -> Result<()> {
    conn.execute(
        "UPDATE employee_links SET missing_since = ?3 WHERE source_id = ?1 AND remote_id = ?2",
        params![source_id, remote_id, since],
    )?;
    Ok(())
}

/// The source's records linked to someone in the directory.
pub fn remote_ids(conn: &Db, source_id: i64) -> Result<HashSet<String>> {
    conn.query_iter("SELECT remote_id FROM employee_links WHERE source_id = ?1", [source_id], |r| r.get(0), |ids| ids.collect())
}

/// How many people the source links.
pub fn count(conn: &Db, source_id: i64) -> Result<u32> {
    conn.query_row("SELECT count(*) FROM employee_links WHERE source_id = ?1", [source_id], |r| r.get(0))
}

/// The ids of the sources that link the person.
pub fn source_ids(conn: &Db, employee_id: i64) -> Result<Vec<i64>> {
    conn.query_map("SELECT source_id FROM employee_links WHERE employee_id = ?1", [employee_id], |r| r.get(0))
}

/// The sources that link the person, in connection order, as (id, name).
pub fn sources(conn: &Db, employee_id: i64) -> Result<Vec<(i64, String)>> {
    conn.query_map(
        "SELECT s.id, s.name FROM employee_links l JOIN sources s ON s.id = l.source_id WHERE l.employee_id = ?1 ORDER BY s.id",
        [employee_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The names of the sources that still return the person (not missing from their feed), in connection order.
pub fn returning(conn: &Db, employee_id: i64) -> Result<Vec<String>> {
    conn.query_map(
        "SELECT s.name FROM employee_links l JOIN sources s ON s.id = l.source_id
         WHERE l.employee_id = ?1 AND l.missing_since IS NULL ORDER BY s.id",
        [employee_id],
        |r| r.get(0),
    )
}

/// The person's record in each source, in connection order.
pub fn records(conn: &Db, employee_id: i64) -> Result<Vec<SourceRecord>> {
    conn.query_map(
        "SELECT s.name, l.remote_id, l.missing_since FROM employee_links l JOIN sources s ON s.id = l.source_id
         WHERE l.employee_id = ?1 ORDER BY s.id",
        [employee_id],
        |r| Ok(SourceRecord { source: r.get(0)?, remote_id: r.get(1)?, missing_since: r.get(2)? }),
    )
}

/// How each source that links the person sees them.
pub fn standings(conn: &Db, employee_id: i64) -> Result<Vec<Standing>> {
    conn.query_map(
        "SELECT s.name, l.missing_since, l.out_of_scope FROM employee_links l JOIN sources s ON s.id = l.source_id WHERE l.employee_id = ?1",
        [employee_id],
        |r| Ok(Standing { source: r.get(0)?, missing_since: r.get(1)?, out_of_scope: r.get(2)? }),
    )
}
