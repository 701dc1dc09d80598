//! Staging: what a connector reads goes into temporary tables first, page by page. The directory
//! is only touched once the whole read has succeeded, so a failed read changes nothing, and memory
//! holds one page at a time however large the company.

use crate::connector::{Record, RemoteEmployee, RemoteGroup, RemoteSite};
use crate::error::Result;
use crate::model::FieldValues;
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

/// Tells PostgreSQL's planner how much was staged: nothing gathers statistics of temporary tables
/// on its own, and without them it plans the joins with the directory for a guessed size.
pub fn analyze(conn: &Db) -> Result<()> {
    super::analyze(conn, &["stage_sites", "stage_groups", "stage_employees"])
}

/// The staged kind of a site.
fn kind(sites: Sites) -> &'static str {
    match sites {
        Sites::LegalEntities => "legal_entity",
        Sites::WorkLocations => "work_location",
    }
}

/// Stages records, a batch at a time (on PostgreSQL one `COPY` per table, not a round trip per
/// record). The caller has made sure each id is new within its model: the tables' keys would
/// otherwise fail the whole batch.
pub fn put(conn: &Db, records: &[Record]) -> Result<()> {
    let (mut sites, mut groups, mut employees) = (Vec::new(), Vec::new(), Vec::new());
    for record in records {
        match record {
            Record::LegalEntity(site) => sites.push([kind(Sites::LegalEntities).to_owned(), site.remote_id.clone(), json(site)?]),
            Record::WorkLocation(site) => {
                sites.push([kind(Sites::WorkLocations).to_owned(), site.remote_id.clone(), json(site)?])
            }
            Record::Group(group) => groups.push([group.remote_id.clone(), json(group)?]),
            Record::Employee(person) => employees.push([person.remote_id.clone(), json(person)?]),
        }
    }
    conn.insert_rows("stage_sites", &["kind", "remote_id", "record"], sites)?;
    conn.insert_rows("stage_groups", &["remote_id", "record"], groups)?;
    conn.insert_rows("stage_employees", &["remote_id", "record"], employees)
}

fn json<T: serde::Serialize>(record: &T) -> Result<String> {
    Ok(serde_json::to_string(record)?)
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
