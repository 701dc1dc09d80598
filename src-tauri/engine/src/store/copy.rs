//! `roster directory copy --to postgres://…`: moves a data directory's SQLite directory, every
//! table of it, into an empty PostgreSQL database in one transaction, and checks that each
//! table arrived whole before the data directory is pointed at it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rusqlite::types::Value as SqliteValue;
use serde::Serialize;

use super::db::{Db, ToDb, Value};
use super::postgres::Target;
use super::{migrations_postgres, search, Store};
use crate::error::{Error, Result};

/// SQLite's own tables and the full-text index's (PostgreSQL keeps search words of its own,
/// rebuilt after the copy): not copied.
fn copied(table: &str) -> bool {
    !table.starts_with("sqlite_") && !table.starts_with("employee_search")
}

/// PostgreSQL refuses a statement with more than 65,535 parameters.
const PARAMETERS_PER_INSERT: usize = 30_000;

/// How many rows of each table were copied.
#[derive(Debug, Clone, Serialize)]
pub struct CopyReport {
    pub to: String,
    pub rows: BTreeMap<String, u64>,
}

/// Copies the SQLite directory of `store` into the empty database `target`, then points
/// `data_dir` at it. A target that already holds a directory is refused; on any failure the
/// target is left as it was and the data directory still uses its SQLite file.
pub fn to_postgres(store: &Store, data_dir: &Path, target: &Target, password: &str) -> Result<CopyReport> {
    let source = store.conn();
    let Some(sqlite) = source.as_sqlite() else {
        return Err(Error::Invalid(format!("the directory is already in PostgreSQL ({})", store.location())));
    };
    let mut db = target.connect_with(password)?;
    migrations_postgres::migrate(&mut db)?;
    let tx = db.begin()?;
    let held: i64 = tx.query_row(
        "SELECT (SELECT count(*) FROM employees) + (SELECT count(*) FROM sources) + (SELECT count(*) FROM devices)",
        (),
        |r| r.get(0),
    )?;
    if held > 0 {
        return Err(Error::Invalid(format!(
            "{target} already holds a directory: copy into an empty database, or `roster directory connect` to use it as it is"
        )));
    }
    let tables = in_dependency_order(source)?;
    // The schema's own rows (the default checklists) give way to the directory's.
    for table in tables.iter().rev() {
        tx.execute(&format!("DELETE FROM {table}"), ())?;
    }
    let mut rows = BTreeMap::new();
    for table in &tables {
        rows.insert(table.clone(), copy_table(sqlite, &tx, table)?);
    }
    for (table, column) in tx.query_map(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE is_identity = 'YES' AND table_schema = current_schema()",
        (),
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
    )? {
        // New rows take ids after the copied ones.
        tx.query_row(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
            ),
            (),
            |_| Ok(()),
        )?;
    }
    // Everyone's search words, as PostgreSQL keeps them.
    search::index_new(&tx, 0, i64::MAX)?;
    for (table, copied) in &rows {
        let arrived: u64 = tx.query_row(&format!("SELECT count(*) FROM {table}"), (), |r| r.get(0))?;
        if arrived != *copied {
            return Err(Error::Invalid(format!("{table}: {copied} rows copied but {arrived} arrived; nothing was kept")));
        }
    }
    tx.commit()?;
    target.save(data_dir, password)?;
    Ok(CopyReport { to: target.url.clone(), rows })
}

/// The directory's tables, each after the tables it refers to.
fn in_dependency_order(db: &Db) -> Result<Vec<String>> {
    let tables: Vec<String> = db
        .query_map("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name", (), |r| r.get(0))?
        .into_iter()
        .filter(|t: &String| copied(t))
        .collect();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for table in &tables {
        let refers: Vec<String> = db.query_map("SELECT \"table\" FROM pragma_foreign_key_list(?1)", [table], |r| r.get(0))?;
        parents.insert(table.clone(), refers.into_iter().filter(|p| p != table).collect());
    }
    let mut ordered: Vec<String> = Vec::new();
    while ordered.len() < tables.len() {
        let ready: Vec<String> =
            tables.iter().filter(|t| !ordered.contains(t) && parents[*t].iter().all(|p| ordered.contains(p))).cloned().collect();
        if ready.is_empty() {
            return Err(Error::Invalid("the tables' references form a cycle; this Roster cannot copy them".into()));
        }
        ordered.extend(ready);
    }
    Ok(ordered)
}

/// Copies one table in multi-row inserts; a column that refers to its own table (a manager) is
/// filled in afterwards, once every row it may point at is there. Returns the rows copied.
fn copy_table(sqlite: &rusqlite::Connection, tx: &Db, table: &str) -> Result<u64> {
    let columns: Vec<String> = sqlite
        .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
        .query_map([table], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let own: Vec<String> = sqlite
        .prepare("SELECT \"from\" FROM pragma_foreign_key_list(?1) WHERE \"table\" = ?1")?
        .query_map([table], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let list = columns.join(", ");
    let per_insert = (PARAMETERS_PER_INSERT / columns.len()).max(1);
    let mut statement = sqlite.prepare(&format!("SELECT {list} FROM {table}"))?;
    let mut rows = statement.query([])?;
    let mut batch: Vec<SqliteValue> = Vec::new();
    // (column, value, the row's key): the table's first column is its key.
    let mut later: Vec<(&str, SqliteValue, SqliteValue)> = Vec::new();
    let mut copied = 0;
    loop {
        let row = rows.next()?;
        if let Some(row) = row {
            for (i, column) in columns.iter().enumerate() {
                let value: SqliteValue = row.get(i)?;
                if own.contains(column) && value != SqliteValue::Null {
                    // Set once the row it refers to has arrived: the key first, then the reference.
                    later.push((column, value, row.get(0)?));
                    batch.push(SqliteValue::Null);
                } else {
                    batch.push(value);
                }
            }
            copied += 1;
        }
        let full = batch.len() >= per_insert * columns.len();
        if (full || row.is_none()) && !batch.is_empty() {
            let placeholders: Vec<String> = batch
                .chunks(columns.len())
                .enumerate()
                .map(|(r, _)| {
                    let first = r * columns.len();
                    format!("({})", (1..=columns.len()).map(|c| format!("?{}", first + c)).collect::<Vec<_>>().join(", "))
                })
                .collect();
            tx.execute(&format!("INSERT INTO {table} ({list}) VALUES {}", placeholders.join(", ")), batch.as_slice())?;
            batch.clear();
        }
        if row.is_none() {
            break;
        }
    }
    for (column, value, key) in later {
        tx.execute(&format!("UPDATE {table} SET {column} = ?1 WHERE {} = ?2", columns[0]), [value, key])?;
    }
    Ok(copied)
}

impl ToDb for SqliteValue {
    fn to_db(&self) -> Value<'_> {
        match self {
            SqliteValue::Null => Value::Null,
            SqliteValue::Integer(v) => Value::Int(*v),
            SqliteValue::Real(v) => Value::Real(*v),
            SqliteValue::Text(v) => Value::Text(v),
            SqliteValue::Blob(v) => Value::Blob(v),
        }
    }
}
