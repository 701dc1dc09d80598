//! The database as a whole: where it is, how big, at which schema version, how many people and
//! sources it holds (`roster directory status`), and its own integrity check (`roster directory
//! check`), which reads the file as it is, without migrating it.

use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use super::team::{self, Role, Team};
use super::{cipher, migrations, migrations_postgres, postgres, Location, Store, DATABASE_FILE};
use crate::error::{Error, Result};

/// Where the directory is and what it holds.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DirectoryStatus {
    pub store: StoreKind,
    /// The SQLite file, or the PostgreSQL database's address (without its password).
    pub location: String,
    /// The database file and its write-ahead log, or the PostgreSQL database, in bytes.
    #[ts(type = "number")]
    pub size_bytes: u64,
    #[ts(type = "number")]
    pub schema_version: usize,
    #[ts(type = "number")]
    pub people: u64,
    #[ts(type = "number")]
    pub sources: u64,
    /// The connected login's role in the team: `None` on SQLite, or where the database has no team
    /// and the login does not own it.
    pub role: Option<Role>,
    /// The database's team and its members, once its owner has set one up.
    pub team: Option<Team>,
}

/// What the store's own integrity check found: nothing when `ok`.
#[derive(Debug, Clone, Serialize)]
pub struct DirectoryCheck {
    /// The SQLite file, or the PostgreSQL database's address.
    pub location: String,
    pub ok: bool,
    /// The file's schema version, unless the file could not be read that far.
    pub schema_version: Option<usize>,
    /// The version this build writes; an older file is brought up to it at the next open.
    pub known_version: usize,
    pub problems: Vec<String>,
}

impl DirectoryCheck {
    /// The error that sums up what the check found, if anything: a newer Roster's file, or damage.
    pub fn error(&self) -> Option<Error> {
        match self.schema_version {
            _ if self.ok => None,
            Some(found) if found > self.known_version => Some(Error::DatabaseTooNew { found, known: self.known_version }),
            _ => {
                let detail = match self.problems.len() {
                    1 => "1 problem found".to_owned(),
                    n => format!("{n} problems found"),
                };
                Some(Error::Damaged { file: self.location.clone(), detail })
            }
        }
    }
}

/// Which kind of database holds a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

pub fn status(store: &Store) -> Result<DirectoryStatus> {
    let conn = store.conn();
    let (people, sources) =
        conn.query_row("SELECT (SELECT count(*) FROM employees), (SELECT count(*) FROM sources)", (), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let (kind, size_bytes, schema_version, team) = match (store.location(), conn.as_sqlite()) {
        (Location::File(path), Some(sqlite)) => {
            let size = ["", "-wal"]
                .iter()
                .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
                .map(|meta| meta.len())
                .sum();
            (StoreKind::Sqlite, size, schema_version(sqlite)?, None)
        }
        _ => {
            let (size, version) = migrations_postgres::size_and_version(conn)?;
            (StoreKind::Postgres, size, version, team::team(conn)?)
        }
    };
    Ok(DirectoryStatus {
        store: kind,
        location: store.location().to_string(),
        size_bytes,
        schema_version,
        people,
        sources,
        role: store.role(),
        team,
    })
}

/// Checks the database in `data_dir`: every page's authentication code (SQLCipher), SQLite's
/// integrity check, the foreign keys, and the schema version against this build's. Damage is a
/// finding, not an error; a missing key or directory is an error.
pub fn check(data_dir: &Path) -> Result<DirectoryCheck> {
    if let Some(target) = postgres::Target::of(data_dir)? {
        return check_postgres(&target);
    }
    let path = data_dir.join(DATABASE_FILE);
    if !path.is_file() {
        return Err(Error::NoDirectory { path: data_dir.display().to_string() });
    }
    let file = path.display().to_string();
    let known_version = migrations::count();
    let conn = cipher::connect_existing(&path)?;
    let mut problems = Vec::new();
    let schema = match schema_version(&conn) {
        Ok(found) => Some(found),
        Err(error) => {
            problems.push(damage(error)?);
            None
        }
    };
    if let Some(found) = schema.filter(|found| *found > known_version) {
        problems.push(format!("the schema version is {found}, newer than this Roster knows ({known_version}): update Roster"));
    }
    if schema.is_some() {
        if cipher::is_encrypted(&path)? {
            findings(&conn, "PRAGMA cipher_integrity_check", |r| r.get(0), &mut problems);
        }
        // SQLite's check answers one row, `ok`, when it finds nothing wrong.
        findings(&conn, "PRAGMA integrity_check", |r| r.get::<_, String>(0), &mut problems);
        problems.retain(|p| p != "ok");
        findings(
            &conn,
            "PRAGMA foreign_key_check",
            |r| {
                let (table, row, parent): (String, Option<i64>, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
                let rowid = row.map(|id| format!(" (rowid {id})")).unwrap_or_default();
                Ok(format!("a row of {table}{rowid} refers to a row of {parent} that does not exist"))
            },
            &mut problems,
        );
    }
    Ok(DirectoryCheck { location: file, ok: problems.is_empty(), schema_version: schema, known_version, problems })
}

/// Checks a PostgreSQL database without migrating it: its schema version against this build's,
/// and that nothing switched off what keeps it consistent (a constraint not validated, a trigger
/// disabled). The server itself keeps the pages sound.
fn check_postgres(target: &postgres::Target) -> Result<DirectoryCheck> {
    let db = target.connect()?;
    let known_version = migrations_postgres::count();
    let mut problems = Vec::new();
    let schema = match migrations_postgres::size_and_version(&db) {
        Ok((_, found)) => Some(found),
        Err(_) => {
            problems.push("the database holds no Roster schema (its version table is missing)".to_owned());
            None
        }
    };
    if let Some(found) = schema.filter(|found| *found > known_version) {
        problems.push(format!("the schema version is {found}, newer than this Roster knows ({known_version}): update Roster"));
    }
    problems.extend(db.query_map(
        "SELECT 'the constraint ' || conname || ' of ' || conrelid::regclass::text || ' is not validated'
         FROM pg_constraint WHERE NOT convalidated AND connamespace = current_schema()::regnamespace
         UNION ALL
         SELECT 'the trigger ' || tgname || ' of ' || tgrelid::regclass::text || ' is disabled'
         FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'
         ORDER BY 1",
        (),
        |r| r.get(0),
    )?);
    Ok(DirectoryCheck { location: target.url.clone(), ok: problems.is_empty(), schema_version: schema, known_version, problems })
}

fn schema_version(conn: &Connection) -> Result<usize> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Adds the rows of a checking pragma to `problems`, or why it stopped.
fn findings(
    conn: &Connection,
    pragma: &str,
    row: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<String>,
    problems: &mut Vec<String>,
) {
    let rows = conn.prepare(pragma).and_then(|mut stmt| stmt.query_map([], &row)?.collect::<rusqlite::Result<Vec<_>>>());
    match rows {
        Ok(rows) => problems.extend(rows),
        // A check that cannot finish is a finding too: SQLite reports some damage (a page an
        // index's expression reads) as a plain error.
        Err(error) => problems.push(damage(error.into()).unwrap_or_else(|other| format!("{pragma} could not finish: {other}"))),
    }
}

/// What SQLite said of damage it stopped at; any other error is returned.
fn damage(error: Error) -> Result<String> {
    match error {
        Error::Damaged { detail, .. } => Ok(format!("SQLite stopped reading the file: {detail}")),
        other => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_healthy_directory_checks_ok_at_this_builds_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let found = check(dir.path()).unwrap();
        assert!(found.ok && found.problems.is_empty() && found.error().is_none(), "a new directory has nothing wrong: {found:?}");
        assert_eq!(found.schema_version, Some(migrations::count()), "the check reads the file's schema version");
    }

    #[test]
    fn a_broken_foreign_key_is_a_finding_naming_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // Only a connection that stopped enforcing foreign keys can write such a row.
        store.conn().as_sqlite().unwrap().pragma_update(None, "foreign_keys", "OFF").unwrap();
        store
            .conn()
            .execute("INSERT INTO employee_links (employee_id, source_id, remote_id) VALUES (4242, 4343, 'x')", ())
            .unwrap();
        drop(store);
        let found = check(dir.path()).unwrap();
        assert!(!found.ok, "a row pointing nowhere is wrong");
        assert!(
            found.problems.iter().any(|p| p == "a row of employee_links refers to a row of employees that does not exist"),
            "the finding names the table and what it refers to: {:?}",
            found.problems
        );
    }

    #[test]
    fn a_newer_schema_is_a_finding_and_not_migrated() {
        let dir = tempfile::tempdir().unwrap();
        Store::open(dir.path()).unwrap().conn().as_sqlite().unwrap().pragma_update(None, "user_version", 99).unwrap();
        let found = check(dir.path()).unwrap();
        assert!(found.problems.iter().any(|p| p.contains("newer than this Roster knows")), "{:?}", found.problems);
        assert!(matches!(found.error(), Some(Error::DatabaseTooNew { found: 99, .. })), "a newer file is not called damaged");
        let conn = cipher::connect_existing(&dir.path().join(DATABASE_FILE)).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 99, "checking leaves the file as it was");
    }

    #[test]
    fn damaged_pages_are_findings_and_opening_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let pages: usize = store.conn().as_sqlite().unwrap().pragma_query_value(None, "page_count", |r| r.get(0)).unwrap();
        drop(store);
        let path = dir.path().join(DATABASE_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let page_size = bytes.len() / pages;
        assert_eq!(page_size * pages, bytes.len(), "the closed store folded its log into the file");
        // The last page, then the first, which SQLite reads before anything else.
        let last = bytes.len() - page_size;
        bytes[last + 100..last + 200].fill(0x5a);
        std::fs::write(&path, &bytes).unwrap();
        let found = check(dir.path()).unwrap();
        assert!(
            found.problems.iter().any(|p| p == &format!("HMAC verification failed for page {pages}")),
            "the check names the damaged page: {:?}",
            found.problems
        );

        bytes[200..300].fill(0x5a);
        std::fs::write(&path, &bytes).unwrap();
        let found = check(dir.path()).unwrap();
        assert!(!found.ok && found.schema_version.is_none(), "a file unreadable from its first page: {found:?}");
        assert!(matches!(found.error(), Some(Error::Damaged { .. })), "is damaged");
        match Store::open(dir.path()) {
            Err(error @ Error::Damaged { .. }) => {
                let message = error.to_string();
                assert!(message.contains(&format!("{} is damaged", path.display())), "the error names the file: {message}");
            }
            Err(other) => panic!("a damaged file is reported as damaged, not as {other}"),
            Ok(_) => panic!("a damaged file does not open"),
        }
    }
}
