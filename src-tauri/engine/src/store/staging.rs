//! Staging: what a connector reads goes into temporary tables first, page by page. The directory
//! is only touched once the whole read has succeeded, so a failed read changes nothing, and memory
//! holds one page at a time however large the company.

use crate::connector::{ConnectorError, Model, Record, RemoteEmployee, RemoteGroup, RemoteSite};
use crate::error::{Error, Result};
use crate::model::FieldValues;
use crate::params;
use crate::store::db::{Db, Dialect};
use crate::store::sites::Sites;

/// Creates empty staging tables on this connection (TEMP tables: private to it, never in the
/// database). Both stores look a name up among the temporary tables first: it needs no schema.
pub fn create(conn: &Db) -> Result<()> {
    // PostgreSQL orders text by the database's locale, SQLite by its bytes: with the byte order
    // ("C") both read the staged records in the same order.
    let id = match conn.dialect() {
        Dialect::Sqlite => "TEXT",
        Dialect::Postgres => "TEXT COLLATE \"C\"",
    };
    conn.execute_batch(&format!(
        "DROP TABLE IF EXISTS stage_sites;
         DROP TABLE IF EXISTS stage_groups;
         DROP TABLE IF EXISTS stage_employees;
         CREATE TEMP TABLE stage_sites (kind TEXT NOT NULL, remote_id {id} NOT NULL, record TEXT NOT NULL, PRIMARY KEY (kind, remote_id));
         CREATE TEMP TABLE stage_groups (remote_id {id} PRIMARY KEY, record TEXT NOT NULL);
         CREATE TEMP TABLE stage_employees (remote_id {id} PRIMARY KEY, record TEXT NOT NULL);"
    ))?;
    Ok(())
}

pub fn drop(conn: &Db) -> Result<()> {
    conn.execute_batch(
        "DROP TABLE IF EXISTS stage_sites; DROP TABLE IF EXISTS stage_groups; DROP TABLE IF EXISTS stage_employees;",
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
pub fn put(conn: &Db, record: Record) -> Result<()> {
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

fn put_site(conn: &Db, sites: Sites, site: &RemoteSite) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO stage_sites VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![kind(sites), site.remote_id, serde_json::to_string(site)?],
    )?;
    Ok(n == 1)
}

fn put_json<T: serde::Serialize>(conn: &Db, table: &str, id: &str, record: &T) -> Result<bool> {
    let n = conn.execute(
        &format!("INSERT INTO {table} VALUES (?1, ?2) ON CONFLICT DO NOTHING"),
        params![id, serde_json::to_string(record)?],
    )?;
    Ok(n == 1)
}

/// The staged HR values of one person.
pub fn employee_values(conn: &Db, remote_id: &str) -> Result<FieldValues> {
    let record: String = conn.query_row("SELECT record FROM stage_employees WHERE remote_id = ?1", [remote_id], |r| r.get(0))?;
    Ok(serde_json::from_str::<RemoteEmployee>(&record)?.values)
}

pub fn sites(conn: &Db, sites: Sites) -> Result<Vec<RemoteSite>> {
    conn.query_map("SELECT record FROM stage_sites WHERE kind = ?1 ORDER BY remote_id", [kind(sites)], |r| {
        Ok(serde_json::from_str(&r.get::<String>(0)?)?)
    })
}

pub fn groups(conn: &Db) -> Result<Vec<RemoteGroup>> {
    conn.query_map("SELECT record FROM stage_groups ORDER BY remote_id", (), |r| Ok(serde_json::from_str(&r.get::<String>(0)?)?))
}

/// Calls `each` with the staged employees in id order, one at a time.
pub fn for_each_employee<T>(conn: &Db, each: impl FnOnce(&mut dyn Iterator<Item = RemoteEmployee>) -> T) -> Result<T> {
    conn.query_iter(
        "SELECT record FROM stage_employees ORDER BY remote_id",
        (),
        |r| Ok(serde_json::from_str(&r.get::<String>(0)?)?),
        each,
    )
}
