//! Which source record is which person: the `employee_links` table, with each link's standing
//! (missing from the source's feed since, out of the source's scope because).

use std::collections::HashSet;

use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;

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

pub fn insert(conn: &Connection, source_id: i64, remote_id: &str, employee_id: i64) -> Result<()> {
    conn.prepare_cached("INSERT INTO employee_links (source_id, remote_id, employee_id) VALUES (?1, ?2, ?3)")?
        .execute(params![source_id, remote_id, employee_id])?;
    Ok(())
}

/// The source returns the record again, in scope.
pub fn restore(conn: &Connection, source_id: i64, remote_id: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE employee_links SET missing_since = NULL, out_of_scope = NULL WHERE source_id = ?1 AND remote_id = ?2",
    )?
    .execute(params![source_id, remote_id])?;
    Ok(())
}

pub fn set_out_of_scope(conn: &Connection, source_id: i64, remote_id: &str, reason: &str) -> Result<()> {
    conn.prepare_cached("UPDATE employee_links SET out_of_scope = ?3 WHERE source_id = ?1 AND remote_id = ?2")?
        .execute(params![source_id, remote_id, reason])?;
    Ok(())
}

pub fn set_missing(conn: &Connection, source_id: i64, remote_id: &str, since: &str) -> Result<()> {
    conn.prepare_cached("UPDATE employee_links SET missing_since = ?3 WHERE source_id = ?1 AND remote_id = ?2")?
        .execute(params![source_id, remote_id, since])?;
    Ok(())
}

/// The source's records linked to someone in the directory.
pub fn remote_ids(conn: &Connection, source_id: i64) -> Result<HashSet<String>> {
    let ids = conn
        .prepare("SELECT remote_id FROM employee_links WHERE source_id = ?1")?
        .query_map([source_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// How many people the source links.
pub fn count(conn: &Connection, source_id: i64) -> Result<u32> {
    Ok(conn.query_row("SELECT count(*) FROM employee_links WHERE source_id = ?1", [source_id], |r| r.get(0))?)
}

/// The ids of the sources that link the person.
pub fn source_ids(conn: &Connection, employee_id: i64) -> Result<Vec<i64>> {
    let ids = conn
        .prepare_cached("SELECT source_id FROM employee_links WHERE employee_id = ?1")?
        .query_map([employee_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// The sources that link the person, in connection order, as (id, name).
pub fn sources(conn: &Connection, employee_id: i64) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.name FROM employee_links l JOIN sources s ON s.id = l.source_id WHERE l.employee_id = ?1 ORDER BY s.id",
    )?;
    let linked = stmt.query_map([employee_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(linked)
}

/// The names of the sources that still return the person (not missing from their feed), in connection order.
pub fn returning(conn: &Connection, employee_id: i64) -> Result<Vec<String>> {
    let names = conn
        .prepare(
            "SELECT s.name FROM employee_links l JOIN sources s ON s.id = l.source_id
             WHERE l.employee_id = ?1 AND l.missing_since IS NULL ORDER BY s.id",
        )?
        .query_map([employee_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

/// The person's record in each source, in connection order.
pub fn records(conn: &Connection, employee_id: i64) -> Result<Vec<SourceRecord>> {
    let mut stmt = conn.prepare(
        "SELECT s.name, l.remote_id, l.missing_since FROM employee_links l JOIN sources s ON s.id = l.source_id
         WHERE l.employee_id = ?1 ORDER BY s.id",
    )?;
    let records = stmt
        .query_map([employee_id], |r| Ok(SourceRecord { source: r.get(0)?, remote_id: r.get(1)?, missing_since: r.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(records)
}

/// How each source that links the person sees them.
pub fn standings(conn: &Connection, employee_id: i64) -> Result<Vec<Standing>> {
    let mut stmt = conn.prepare(
        "SELECT s.name, l.missing_since, l.out_of_scope FROM employee_links l JOIN sources s ON s.id = l.source_id WHERE l.employee_id = ?1",
    )?;
    let standings = stmt
        .query_map([employee_id], |r| Ok(Standing { source: r.get(0)?, missing_since: r.get(1)?, out_of_scope: r.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(standings)
}
