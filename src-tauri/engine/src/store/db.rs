//! `Db`: one connection to the directory's database, an encrypted SQLite file or a shared
//! PostgreSQL database, behind one small API that the repositories of `store/` speak.
//!
//! Written here rather than taken from a crate: the crates that span both databases are async
//! (sqlx) or an ORM (diesel), and neither drives SQLCipher through rusqlite. What the two drivers
//! need in common is small: statements with `?N` placeholders, values of a few plain types, rows
//! read by column index, and transactions.
//!
//! SQL is written once where the dialects agree (most of it: standard SQL, `ON CONFLICT`,
//! `RETURNING`, `IS NOT DISTINCT FROM`, `string_agg`); where they differ a repository asks
//! [`Db::dialect`] and marks the two versions.

use std::cell::RefCell;
use std::collections::HashMap;

use bytes::BytesMut;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{to_sql_checked, IsNull, ToSql as PgToSql, Type};

use crate::error::{Error, Result};

/// Which database a [`Db`] speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection to the directory's database. Each thread that needs the store opens its own.
pub struct Db(Backend);

enum Backend {
    Sqlite(rusqlite::Connection),
    /// Boxed: the client and its statement cache are far larger than rusqlite's handle.
    Postgres(Box<Postgres>),
}

/// The PostgreSQL client is used through `&Db` like rusqlite's connection, which needs no `&mut`:
/// the cell gives each statement the client for its duration.
struct Postgres {
    /// The database's address (without password), for messages.
    database: String,
    /// Taken out only when the connection is dropped (see the `Drop` below).
    client: RefCell<Option<postgres::Client>>,
    /// Prepared statements by their SQL as written (before the placeholders are translated).
    statements: RefCell<HashMap<String, postgres::Statement>>,
}

/// More distinct statements than any code path uses: past it the cache is emptied, not grown
/// (statements built with dates or ids in their text would otherwise accumulate).
const STATEMENT_CACHE: usize = 256;

impl Db {
    pub fn sqlite(conn: rusqlite::Connection) -> Db {
        Db(Backend::Sqlite(conn))
    }

    /// A connection to the PostgreSQL database at `database` (its address, for messages).
    pub fn postgres(client: postgres::Client, database: String) -> Db {
        Db(Backend::Postgres(Box::new(Postgres { database, client: RefCell::new(Some(client)), statements: RefCell::default() })))
    }

    /// The database's refusal of a statement that row-level security made change nothing: no
    /// error of the server's says so.
    pub fn refusal(&self, detail: &str) -> Error {
        let database = match &self.0 {
            Backend::Sqlite(_) => super::DATABASE_FILE.to_owned(),
            Backend::Postgres(pg) => pg.database.clone(),
        };
        Error::Forbidden { database, detail: detail.to_owned() }
    }

    pub fn dialect(&self) -> Dialect {
        match self.0 {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, the cipher, FTS5 maintenance).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.0 {
            Backend::Sqlite(conn) => Some(conn),
            Backend::Postgres(_) => None,
        }
    }

    /// Runs one statement; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        let params = params.values();
        match &self.0 {
            Backend::Sqlite(conn) => Ok(conn.prepare_cached(sql)?.execute(rusqlite::params_from_iter(sqlite_binds(&params)))?),
            Backend::Postgres(pg) => {
                let statement = pg.statement(sql)?;
                let binds = pg_binds(&params);
                let n = pg.call(|client| client.execute(&statement, &binds.iter().map(as_pg).collect::<Vec<_>>()))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        }
    }

    /// Runs several statements separated by semicolons, without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.0 {
            Backend::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Backend::Postgres(pg) => pg.call(|client| client.batch_execute(sql)),
        }
    }

    /// The first row of a query that must return one.
    pub fn query_row<T>(&self, sql: &str, params: impl Params, decode: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        self.query_opt(sql, params, decode)?.ok_or_else(|| Error::Stored(format!("no row for: {}", first_line(sql))))
    }

    /// The first row of a query, if it returns any.
    pub fn query_opt<T>(&self, sql: &str, params: impl Params, decode: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<Option<T>> {
        let params = params.values();
        match &self.0 {
            Backend::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(sqlite_binds(&params)))?;
                rows.next()?.map(|row| decode(&Row(RowRef::Sqlite(row)))).transpose()
            }
            Backend::Postgres(pg) => {
                let statement = pg.statement(sql)?;
                let binds = pg_binds(&params);
                // Like SQLite's, the first row is taken and the rest left unread.
                let row =
                    pg.call(|client| client.query_raw(&statement, binds.iter().map(as_pg)).and_then(|mut rows| rows.next()))?;
                row.map(|row| decode(&Row(RowRef::Postgres(&row)))).transpose()
            }
        }
    }

    /// Every row of a query, each decoded.
    pub fn query_map<T>(&self, sql: &str, params: impl Params, decode: impl FnMut(&Row<'_>) -> Result<T>) -> Result<Vec<T>> {
        self.query_iter(sql, params, decode, |rows| rows.collect())
    }

    /// Calls `each` with the rows of a query, each decoded, one at a time: SQLite reads them
    /// as they are consumed. The first failure ends the iteration and is returned instead.
    pub fn query_iter<T, U>(
        &self,
        sql: &str,
        params: impl Params,
        mut decode: impl FnMut(&Row<'_>) -> Result<T>,
        each: impl FnOnce(&mut dyn Iterator<Item = T>) -> U,
    ) -> Result<U> {
        let params = params.values();
        let mut failure: Option<Error> = None;
        let result = match &self.0 {
            Backend::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(sqlite_binds(&params)))?;
                let mut iter = std::iter::from_fn(|| {
                    let decoded = match rows.next() {
                        Ok(Some(row)) => decode(&Row(RowRef::Sqlite(row))),
                        Ok(None) => return None,
                        Err(e) => Err(e.into()),
                    };
                    decoded.map_err(|e| failure = Some(e)).ok()
                });
                each(&mut iter)
            }
            Backend::Postgres(pg) => {
                // All rows are received before `each` runs, so that it may query the database
                // itself: the connection serves one statement at a time.
                let statement = pg.statement(sql)?;
                let binds = pg_binds(&params);
                let rows: Vec<postgres::Row> =
                    pg.call(|client| client.query_raw(&statement, binds.iter().map(as_pg)).and_then(|rows| rows.collect()))?;
                let mut iter =
                    rows.iter().map_while(|row| decode(&Row(RowRef::Postgres(row))).map_err(|e| failure = Some(e)).ok());
                each(&mut iter)
            }
        };
        match failure {
            Some(e) => Err(e),
            None => Ok(result),
        }
    }

    /// Inserts many rows into `table`, each with a value per column of `columns`. A bulk path of
    /// the two dialects, side by side: SQLite runs its prepared single-row insert per row (no
    /// round trips, as fast there); PostgreSQL sends every row in one `COPY … FROM STDIN`, one
    /// round trip instead of one per row. `COPY` fires the same constraints and triggers.
    pub fn insert_rows<P: Params>(&self, table: &str, columns: &[&str], rows: impl IntoIterator<Item = P>) -> Result<()> {
        let names = columns.join(", ");
        match &self.0 {
            // Dialect: SQLite.
            Backend::Sqlite(conn) => {
                let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                let mut statement =
                    conn.prepare_cached(&format!("INSERT INTO {table} ({names}) VALUES ({})", placeholders.join(", ")))?;
                for row in rows {
                    statement.execute(rusqlite::params_from_iter(sqlite_binds(&row.values())))?;
                }
                Ok(())
            }
            // Dialect: PostgreSQL.
            Backend::Postgres(pg) => {
                let mut data = Vec::new();
                for row in rows {
                    copy_text_row(&mut data, &row.values());
                }
                if data.is_empty() {
                    return Ok(());
                }
                let sent = pg.call(|client| {
                    let mut writer = client.copy_in(&format!("COPY {table} ({names}) FROM STDIN"))?;
                    // A writer dropped before `finish` aborts the copy.
                    if let Err(e) = std::io::Write::write_all(&mut writer, &data) {
                        return Ok(Err(e));
                    }
                    writer.finish().map(|_| Ok(()))
                })?;
                sent.map_err(|e| Error::Stored(format!("sending rows of {table}: {e}")))
            }
        }
    }

    /// Begins a transaction: its writes are applied together at [`Tx::commit`], or not at all.
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Tx { db: self, open: true })
    }

    /// Begins a transaction that takes SQLite's write lock at once: one that reads, then writes,
    /// could otherwise fail when another writer committed in between. (PostgreSQL locks rows as
    /// they are written.)
    pub fn begin_write(&mut self) -> Result<Tx<'_>> {
        self.execute_batch(match self.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        })?;
        Ok(Tx { db: self, open: true })
    }
}

impl Postgres {
    /// Runs `f` with the client, off the async executor (see [`off_executor`]).
    fn call<T>(&self, f: impl FnOnce(&mut postgres::Client) -> std::result::Result<T, postgres::Error>) -> Result<T> {
        let mut client = self
            .client
            .try_borrow_mut()
            .map_err(|_| Error::Stored("a statement ran while another's rows were being read".into()))?;
        let client = client.as_mut().expect("the client lives as long as the connection");
        off_executor(|| f(client)).map_err(|e| self.fail(e))
    }

    fn fail(&self, source: postgres::Error) -> Error {
        match source.as_db_error() {
            // The login's role may not: typed, so that the engine can name what was refused.
            Some(refusal) if *refusal.code() == postgres::error::SqlState::INSUFFICIENT_PRIVILEGE => {
                Error::Forbidden { database: self.database.clone(), detail: refusal.message().to_owned() }
            }
            _ => Error::Postgres { database: self.database.clone(), source },
        }
    }

    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.call(|client| client.prepare(&numbered_placeholders(sql)))?;
        let mut cache = self.statements.borrow_mut();
        if cache.len() >= STATEMENT_CACHE {
            cache.clear();
        }
        cache.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// Runs `f`, which blocks, where blocking is allowed. The `postgres` client waits for each answer
/// on a small runtime of its own, which tokio refuses to start on a thread that drives async tasks
/// (a Tauri command's): there `f` first hands the thread's other tasks to the executor's other
/// threads. Elsewhere (the CLI, a sync's thread) it simply runs.
pub(crate) fn off_executor<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// Closing the client waits for the server too: off the executor, like its statements.
impl Drop for Postgres {
    fn drop(&mut self) {
        let client = self.client.get_mut().take();
        off_executor(move || drop(client));
    }
}

/// An open transaction; dropped without [`Tx::commit`], it is rolled back.
pub struct Tx<'c> {
    db: &'c mut Db,
    open: bool,
}

impl Tx<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.db.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;

    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        // A failed COMMIT may have ended the transaction already (SQLite does on some errors).
        let still_open = match &self.db.0 {
            Backend::Sqlite(conn) => !conn.is_autocommit(),
            Backend::Postgres(_) => true,
        };
        if self.open && still_open {
            if let Err(error) = self.db.execute_batch("ROLLBACK") {
                tracing::warn!(%error, "rolling back a transaction failed");
            }
        }
    }
}

/// SQL as written for SQLite (`?1`, or `?` counted from the left) with PostgreSQL's `$1`.
/// Quoted text, quoted names and comments are copied as they are.
fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut counted = 0;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                out.push('$');
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    while let Some(digit) = chars.next_if(char::is_ascii_digit) {
                        out.push(digit);
                    }
                } else {
                    counted += 1;
                    out.push_str(&counted.to_string());
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Appends one row to `out` in the text format of PostgreSQL's `COPY`: values separated by tabs,
/// `\N` for NULL, a backslash before each backslash, tab, newline and carriage return.
fn copy_text_row(out: &mut Vec<u8>, values: &[Value<'_>]) {
    use std::io::Write;
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match value {
            Value::Null => out.extend_from_slice(b"\\N"),
            Value::Int(v) => write!(out, "{v}").expect("writing to memory"),
            Value::Real(v) => write!(out, "{v}").expect("writing to memory"),
            Value::Bool(v) => out.push(if *v { b't' } else { b'f' }),
            Value::Text(v) => {
                for byte in v.bytes() {
                    match byte {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        other => out.push(other),
                    }
                }
            }
            // bytea's hex input (`\x…`), its backslash doubled for COPY.
            Value::Blob(v) => {
                out.extend_from_slice(b"\\\\x");
                for byte in *v {
                    write!(out, "{byte:02x}").expect("writing to memory");
                }
            }
        }
    }
    out.push(b'\n');
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}

/// A value bound to a statement's placeholder, or read from a column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Bool(bool),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// What can be bound to a placeholder.
pub trait ToDb {
    fn to_db(&self) -> Value<'_>;
}

/// The parameters of a statement: `()`, an array or slice of one type, or [`params!`] for several.
pub trait Params {
    fn values(&self) -> Vec<Value<'_>>;
}

impl Params for () {
    fn values(&self) -> Vec<Value<'_>> {
        Vec::new()
    }
}

/// A slice: of one type, or of several as [`params!`] makes.
impl<T: ToDb> Params for &[T] {
    fn values(&self) -> Vec<Value<'_>> {
        self.iter().map(ToDb::to_db).collect()
    }
}

impl<T: ToDb> Params for Vec<T> {
    fn values(&self) -> Vec<Value<'_>> {
        self.iter().map(ToDb::to_db).collect()
    }
}

impl<T: ToDb, const N: usize> Params for [T; N] {
    fn values(&self) -> Vec<Value<'_>> {
        self.iter().map(ToDb::to_db).collect()
    }
}

/// Parameters of several types: `params![id, name, hidden]`.
#[macro_export]
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$(&$value as &dyn $crate::store::db::ToDb),*] as &[&dyn $crate::store::db::ToDb]
    };
}
pub use params;

/// A value as it is bound: rows built for [`Db::insert_rows`] from values their iterator owns.
impl ToDb for Value<'_> {
    fn to_db(&self) -> Value<'_> {
        *self
    }
}

impl<T: ToDb + ?Sized> ToDb for &T {
    fn to_db(&self) -> Value<'_> {
        (**self).to_db()
    }
}

impl<T: ToDb> ToDb for Option<T> {
    fn to_db(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, ToDb::to_db)
    }
}

impl ToDb for str {
    fn to_db(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToDb for String {
    fn to_db(&self) -> Value<'_> {
        Value::Text(self)
    }
}

impl ToDb for [u8] {
    fn to_db(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl ToDb for Vec<u8> {
    fn to_db(&self) -> Value<'_> {
        Value::Blob(self)
    }
}

impl ToDb for bool {
    fn to_db(&self) -> Value<'_> {
        Value::Bool(*self)
    }
}

impl ToDb for f64 {
    fn to_db(&self) -> Value<'_> {
        Value::Real(*self)
    }
}

macro_rules! int_to_db {
    ($($t:ty),*) => {$(
        impl ToDb for $t {
            fn to_db(&self) -> Value<'_> {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_to_db!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! wide_int_to_db {
    ($($t:ty),*) => {$(
        impl ToDb for $t {
            /// Counts and sizes: none comes near `i64::MAX`; one past it is stored as the maximum.
            fn to_db(&self) -> Value<'_> {
                Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
wide_int_to_db!(u64, usize);

struct SqliteBind<'a>(Value<'a>);

impl rusqlite::ToSql for SqliteBind<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(v),
            Value::Real(v) => ValueRef::Real(v),
            Value::Bool(v) => ValueRef::Integer(i64::from(v)),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
            Value::Blob(v) => ValueRef::Blob(v),
        }))
    }
}

fn sqlite_binds<'a>(values: &[Value<'a>]) -> Vec<SqliteBind<'a>> {
    values.iter().map(|v| SqliteBind(*v)).collect()
}

/// A value sent to PostgreSQL as the type the server inferred for its placeholder: SQLite's
/// loose typing (a flag bound as 0 or 1, a number compared with text) works on both stores.
#[derive(Debug)]
struct PgBind<'a>(Value<'a>);

fn pg_binds<'a>(values: &[Value<'a>]) -> Vec<PgBind<'a>> {
    values.iter().map(|v| PgBind(*v)).collect()
}

fn as_pg<'a>(bind: &'a PgBind<'_>) -> &'a (dyn PgToSql + Sync) {
    bind
}

type PgResult = std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>>;

impl PgToSql for PgBind<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> PgResult {
        let text = [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME, Type::UNKNOWN].contains(ty);
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) if *ty == Type::INT8 => v.to_sql(ty, out),
            Value::Int(v) if *ty == Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::BOOL => (v != 0).to_sql(ty, out),
            // Both stores hold whole numbers exactly in a double up to 2^53.
            #[allow(clippy::cast_precision_loss)]
            Value::Int(v) if *ty == Type::FLOAT8 => (v as f64).to_sql(ty, out),
            Value::Int(v) if text => v.to_string().to_sql(ty, out),
            Value::Bool(v) if *ty == Type::BOOL => v.to_sql(ty, out),
            Value::Bool(v) if *ty == Type::INT8 => i64::from(v).to_sql(ty, out),
            Value::Bool(v) if *ty == Type::INT4 => i32::from(v).to_sql(ty, out),
            Value::Real(v) if *ty == Type::FLOAT8 => v.to_sql(ty, out),
            Value::Text(v) if text => v.to_sql(ty, out),
            Value::Text(v) if *ty == Type::INT8 => v.parse::<i64>()?.to_sql(ty, out),
            Value::Blob(v) if *ty == Type::BYTEA => v.to_sql(ty, out),
            other => Err(format!("cannot send {other:?} as {ty}").into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A row of a query's answer, read by column index.
pub struct Row<'r>(RowRef<'r>);

enum RowRef<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl<'r> Row<'r> {
    pub fn get<T: FromDb>(&self, index: usize) -> Result<T> {
        let value = self.value(index)?;
        T::from_db(value).ok_or_else(|| {
            Error::Stored(format!("column {index} holds {value:?}, not a value of type {}", std::any::type_name::<T>()))
        })
    }

    fn value(&self, index: usize) -> Result<Value<'r>> {
        match self.0 {
            RowRef::Sqlite(row) => {
                use rusqlite::types::ValueRef;
                Ok(match row.get_ref(index)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(v) => Value::Text(std::str::from_utf8(v).map_err(|e| Error::Stored(e.to_string()))?),
                    ValueRef::Blob(v) => Value::Blob(v),
                })
            }
            RowRef::Postgres(row) => pg_value(row, index),
        }
    }
}

fn pg_value(row: &postgres::Row, index: usize) -> Result<Value<'_>> {
    let unreadable = |e: postgres::Error| Error::Stored(format!("column {index}: {e}"));
    let ty = row.columns().get(index).ok_or_else(|| Error::Stored(format!("no column {index}")))?.type_();
    let cell = if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(index).map_err(unreadable)?.map(Value::Int)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(index).map_err(unreadable)?.map(|v| Value::Int(v.into()))
    } else if *ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(index).map_err(unreadable)?.map(|v| Value::Int(v.into()))
    } else if *ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(index).map_err(unreadable)?.map(Value::Bool)
    } else if *ty == Type::FLOAT8 {
        row.try_get::<_, Option<f64>>(index).map_err(unreadable)?.map(Value::Real)
    } else if *ty == Type::BYTEA {
        row.try_get::<_, Option<&[u8]>>(index).map_err(unreadable)?.map(Value::Blob)
    } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME, Type::UNKNOWN].contains(ty) {
        row.try_get::<_, Option<&str>>(index).map_err(unreadable)?.map(Value::Text)
    } else {
        // NUMERIC (what `sum` of integers gives) among others: the query casts it to BIGINT.
        return Err(Error::Stored(format!("column {index} is of type {ty}, which Roster does not read")));
    };
    Ok(cell.unwrap_or(Value::Null))
}

/// What a column can be read as.
pub trait FromDb: Sized {
    /// `None` when the value is of another type.
    fn from_db(value: Value<'_>) -> Option<Self>;
}

impl<T: FromDb> FromDb for Option<T> {
    fn from_db(value: Value<'_>) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_db(other).map(Some),
        }
    }
}

impl FromDb for String {
    fn from_db(value: Value<'_>) -> Option<Self> {
        match value {
            Value::Text(v) => Some(v.to_owned()),
            _ => None,
        }
    }
}

impl FromDb for Vec<u8> {
    fn from_db(value: Value<'_>) -> Option<Self> {
        match value {
            Value::Blob(v) => Some(v.to_owned()),
            _ => None,
        }
    }
}

impl FromDb for bool {
    fn from_db(value: Value<'_>) -> Option<Self> {
        match value {
            Value::Bool(v) => Some(v),
            Value::Int(v) => Some(v != 0),
            _ => None,
        }
    }
}

impl FromDb for f64 {
    fn from_db(value: Value<'_>) -> Option<Self> {
        match value {
            Value::Real(v) => Some(v),
            #[allow(clippy::cast_precision_loss)]
            Value::Int(v) => Some(v as f64),
            _ => None,
        }
    }
}

macro_rules! int_from_db {
    ($($t:ty),*) => {$(
        impl FromDb for $t {
            fn from_db(value: Value<'_>) -> Option<Self> {
                match value {
                    Value::Int(v) => <$t>::try_from(v).ok(),
                    Value::Bool(v) => Some(<$t>::from(v)),
                    _ => None,
                }
            }
        }
    )*};
}
int_from_db!(i64, i32, u32, u64, usize, u8, u16, i16);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_outside_quotes_and_comments() {
        assert_eq!(numbered_placeholders("SELECT ?1, ?12 FROM t WHERE a = ?2"), "SELECT $1, $12 FROM t WHERE a = $2");
        assert_eq!(numbered_placeholders("INSERT INTO t VALUES (?, ?)"), "INSERT INTO t VALUES ($1, $2)");
        assert_eq!(
            numbered_placeholders("SELECT '?1', \"a?\" -- why?\n, ?1"),
            "SELECT '?1', \"a?\" -- why?\n, $1",
            "quoted text, names and comments keep their question marks"
        );
    }

    fn memory() -> Db {
        Db::sqlite(rusqlite::Connection::open_in_memory().unwrap())
    }

    #[test]
    fn values_of_each_type_go_in_and_come_back() {
        let db = memory();
        db.execute_batch("CREATE TABLE t (i INTEGER, r REAL, b INTEGER, s TEXT, x BLOB, n TEXT)").unwrap();
        db.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![7_i64, 2.5, true, "é'", vec![0_u8, 1], None::<String>],
        )
        .unwrap();
        let row = db.query_row("SELECT i, r, b, s, x, n FROM t", (), six_columns).unwrap();
        assert_eq!(row, (7, 2.5, true, "é'".to_owned(), vec![0, 1], None));
        let wrong = db.query_row("SELECT s FROM t", (), |r| r.get::<i64>(0)).unwrap_err();
        assert!(wrong.to_string().contains("not a value of type i64"), "{wrong}");
    }

    type SixColumns = (i64, f64, bool, String, Vec<u8>, Option<String>);

    /// The row of the value tests' table `t (i, r, b, s, x, n)`.
    fn six_columns(r: &Row<'_>) -> Result<SixColumns> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
    }

    /// Rows as a bulk insert must store them: text that `COPY` escapes, NULL and text reading
    /// `\N`, flags, numbers, bytes.
    fn insert_rows_round_trip(db: &Db) {
        let blob_type = if db.dialect() == Dialect::Postgres { "BYTEA" } else { "BLOB" };
        db.execute_batch(&format!("CREATE TABLE t (i BIGINT, b BOOLEAN, s TEXT, x {blob_type})")).unwrap();
        let texts = ["tab\tnew\nline\rreturn", "back\\slash \\N", "\\N", "Zoë O'Brien, 民準", ""];
        let rows: Vec<[Value<'_>; 4]> = texts
            .iter()
            .zip(1..)
            .map(|(text, i)| [Value::Int(i), Value::Bool(i % 2 == 0), Value::Text(text), Value::Blob(&[0, 9, 10, 92, 255])])
            .chain([[Value::Int(99), Value::Null, Value::Null, Value::Null]])
            .collect();
        db.insert_rows("t", &["i", "b", "s", "x"], rows).unwrap();
        db.insert_rows("t", &["i"], Vec::<[i64; 1]>::new()).expect("no rows is nothing to do");
        let stored = db
            .query_map("SELECT i, b, s, x FROM t ORDER BY i", (), |r| {
                Ok((r.get::<i64>(0)?, r.get::<Option<bool>>(1)?, r.get::<Option<String>>(2)?, r.get::<Option<Vec<u8>>>(3)?))
            })
            .unwrap();
        let expected: Vec<_> = texts
            .iter()
            .zip(1..)
            .map(|(text, i)| (i, Some(i % 2 == 0), Some((*text).to_owned()), Some(vec![0, 9, 10, 92, 255])))
            .chain([(99, None, None, None)])
            .collect();
        assert_eq!(stored, expected, "{:?}: every row is stored exactly as given", db.dialect());
    }

    #[test]
    fn a_bulk_insert_stores_each_value_as_given_on_both_stores() {
        insert_rows_round_trip(&memory());
        let database = roster_test_postgres::cluster().database();
        insert_rows_round_trip(&Db::postgres(database.connect(), database.url.clone()));
    }

    #[test]
    fn a_transaction_dropped_without_commit_changes_nothing() {
        let mut db = memory();
        db.execute_batch("CREATE TABLE t (i INTEGER)").unwrap();
        {
            let tx = db.begin_write().unwrap();
            tx.execute("INSERT INTO t VALUES (?1)", [1]).unwrap();
        }
        let tx = db.begin().unwrap();
        tx.execute("INSERT INTO t VALUES (?1)", [2]).unwrap();
        tx.commit().unwrap();
        assert_eq!(db.query_map("SELECT i FROM t", (), |r| r.get::<i64>(0)).unwrap(), vec![2]);
        assert_eq!(db.query_opt("SELECT i FROM t WHERE i = ?1", [1], |r| r.get::<i64>(0)).unwrap(), None);
    }

    #[test]
    fn on_postgres_values_are_sent_as_the_column_types_and_a_dropped_transaction_changes_nothing() {
        let database = roster_test_postgres::cluster().database();
        let mut db = Db::postgres(database.connect(), database.url.clone());
        db.execute_batch("CREATE TABLE t (i BIGINT, r DOUBLE PRECISION, b BOOLEAN, s TEXT, x BYTEA, n TEXT)").unwrap();
        // SQLite's loose habits: a flag bound as 1, a number into a text column.
        db.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![7_i64, 2.5, 1_i64, 42_i64, vec![0_u8, 1], None::<String>],
        )
        .unwrap();
        let row = db.query_row("SELECT i, r, b, s, x, n FROM t WHERE b AND i = ?1", [7], six_columns).unwrap();
        assert_eq!(row, (7, 2.5, true, "42".to_owned(), vec![0, 1], None));
        assert_eq!(db.query_row("SELECT count(*) FROM t WHERE s = ?1", ["42"], |r| r.get::<i64>(0)).unwrap(), 1);
        {
            let tx = db.begin_write().unwrap();
            tx.execute("DELETE FROM t", ()).unwrap();
        }
        assert_eq!(db.query_row("SELECT count(*) FROM t", (), |r| r.get::<i64>(0)).unwrap(), 1, "rolled back");
        let error = db.execute("INSERT INTO nowhere VALUES (?1)", [1]).unwrap_err().to_string();
        assert!(error.contains(&database.url) && error.contains("nowhere"), "errors name the database: {error}");
    }

    #[test]
    fn postgres_is_reached_from_an_async_task_as_a_tauri_command_reaches_it() {
        let database = roster_test_postgres::cluster().database();
        let target: crate::store::postgres::Target = database.url.parse().unwrap();
        let password = database.password.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        let task = runtime.spawn(async move {
            let db = target.connect_with(&password)?;
            db.query_row("SELECT 1 + ?1", [41], |r| r.get::<i64>(0))
        });
        let answer = runtime.block_on(task).expect("no panic in the task").expect("the query runs");
        assert_eq!(answer, 42);
    }
}
