//! Staging: what a connector reads goes into temporary tables first, page by page. The directory
//! is only touched once the whole read has succeeded, so a failed read changes nothing, and memory
//! holds one page at a time however large the company.

use rusqlite::{params, Connection};

use crate::connector::{ConnectorError, Model, Record, RemoteEmployee, RemoteGroup, RemoteSite};
use crate::error::{Error, Result};
use crate::model::FieldValues;
use crate::store::sites::Sites;

/// Creates empty staging tables on this connection (TEMP tables: private to it, never in the file).
pub fn create(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DROP TABLE IF EXISTS temp.stage_sites;
         DROP TABLE IF EXISTS temp.stage_groups;
         DROP TABLE IF EXISTS temp.stage_employees;
         CREATE TEMP TABLE stage_sites (kind TEXT NOT NULL, remote_id TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (kind, remote_id));
         CREATE TEMP TABLE stage_groups (remote_id TEXT PRIMARY KEY, record TEXT NOT NULL);
         CREATE TEMP TABLE stage_employees (remote_id TEXT PRIMARY KEY, record TEXT NOT NULL);",
    )?;
    Ok(())
}

pub fn drop(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DROP TABLE IF EXISTS temp.stage_sites; DROP TABLE IF EXISTS temp.stage_groups;
         DROP TABLE IF EXISTS temp.stage_employees;",
    )?;
    Ok(())
}

/// The staged kind of a site.
fn kind(sites: Sites) -> &'static str {
    match sites {
        Sites::LegalEntities => "legal_entity",
        Sites::WorkLocations => "work_location",
    }
}

/// Stages one record; the same id twice within a model is an error, not a silent overwrite.
pub fn put(conn: &Connection, record: Record) -> Result<()> {
    let (model, inserted, id) = match record {
        Record::LegalEntity(site) => (Model::LegalEntities, put_site(conn, Sites::LegalEntities, &site)?, site.remote_id),
        Record::WorkLocation(site) => (Model::Locations, put_site(conn, Sites::WorkLocations, &site)?, site.remote_id),
        Record::Group(group) => (Model::Groups, put_json(conn, "stage_groups", &group.remote_id, &group)?, group.remote_id),
        Record::Employee(e) => (Model::Employees, put_json(conn, "stage_employees", &e.remote_id, &e)?, e.remote_id),
    };
    if inserted {
        Ok(())
    } else {
        Err(Error::Connector(ConnectorError::DuplicateId { model, id }))
    }
}

fn put_site(conn: &Connection, sites: Sites, site: &RemoteSite) -> Result<bool> {
    let n = conn.prepare_cached("INSERT OR IGNORE INTO stage_sites VALUES (?1, ?2, ?3)")?.execute(params![
        kind(sites),
        site.remote_id,
        serde_json::to_string(site)?
    ])?;
    Ok(n == 1)
}

fn put_json<T: serde::Serialize>(conn: &Connection, table: &str, id: &str, record: &T) -> Result<bool> {
    let n = conn
        .prepare_cached(&format!("INSERT OR IGNORE INTO {table} VALUES (?1, ?2)"))?
        .execute(params![id, serde_json::to_string(record)?])?;
    Ok(n == 1)
}

/// The staged HR values of one person.
pub fn employee_values(conn: &Connection, remote_id: &str) -> Result<FieldValues> {
    let record: String =
        conn.prepare_cached("SELECT record FROM stage_employees WHERE remote_id = ?1")?.query_row([remote_id], |r| r.get(0))?;
    Ok(serde_json::from_str::<RemoteEmployee>(&record)?.values)
}

pub fn sites(conn: &Connection, sites: Sites) -> Result<Vec<RemoteSite>> {
    let mut stmt = conn.prepare("SELECT record FROM stage_sites WHERE kind = ?1 ORDER BY remote_id")?;
    let rows = stmt.query_map([kind(sites)], |r| r.get::<_, String>(0))?;
    rows.map(|r| Ok(serde_json::from_str(&r?)?)).collect()
}

pub fn groups(conn: &Connection) -> Result<Vec<RemoteGroup>> {
    let mut stmt = conn.prepare("SELECT record FROM stage_groups ORDER BY remote_id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|r| Ok(serde_json::from_str(&r?)?)).collect()
}

/// Calls `each` with the staged employees in id order, one at a time.
pub fn for_each_employee<T>(conn: &Connection, each: impl FnOnce(&mut dyn Iterator<Item = RemoteEmployee>) -> T) -> Result<T> {
    let mut stmt = conn.prepare("SELECT record FROM stage_employees ORDER BY remote_id")?;
    let mut rows = stmt.query([])?;
    super::stream(&mut rows, |row| Ok(serde_json::from_str(&row.get::<_, String>(0)?)?), each)
}
