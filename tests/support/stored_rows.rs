//! Whether a value is stored anywhere in a directory. The database file is encrypted, so a grep
//! of its bytes proves nothing: the rows are read through the key, every value as text.

use std::path::Path;

use roster_engine::store::db::Db;
use rusqlite::types::ValueRef;

/// True when any column of any row of any table (the full-text index's shadow tables included)
/// holds `needle`.
pub fn stored_rows_contain(data_dir: &Path, needle: &str) -> bool {
    let store = roster_engine::store::Store::open(data_dir).expect("the directory opens with its key");
    match store.conn().as_sqlite() {
        Some(conn) => sqlite_rows_contain(conn, needle),
        None => postgres_rows_contain(store.conn(), needle),
    }
}

/// Every row of every table of a PostgreSQL directory, as JSON text.
fn postgres_rows_contain(db: &Db, needle: &str) -> bool {
    let tables: Vec<String> = db
        .query_map("SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()", (), |r| {
            r.get(0)
        })
        .unwrap();
    tables.iter().any(|table| {
        let sql = format!("SELECT count(*) FROM \"{table}\" x WHERE strpos(CAST(row_to_json(x) AS TEXT), ?1) > 0");
        db.query_row(&sql, [needle], |r| r.get::<i64>(0)).unwrap() > 0
    })
}

fn sqlite_rows_contain(conn: &rusqlite::Connection, needle: &str) -> bool {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.iter().any(|table| {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        let mut found = false;
        while let Some(row) = rows.next().unwrap() {
            found |= (0..columns).any(|i| as_text(row.get_ref(i).unwrap()).contains(needle));
        }
        found
    })
}

/// Text and blobs as the characters they hold (a `{:?}` of them would print byte numbers, in
/// which no name is ever found); numbers as written.
fn as_text(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => x.to_string(),
        ValueRef::Null => String::new(),
    }
}
