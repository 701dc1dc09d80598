//! The local SQLite store: opening, pragmas, migrations and the schema-version guard. Every SQL
//! statement of Roster lives in this module, one file per table (or pair of tables that belong
//! together), each speaking the domain's types; `sync` and `engine` call them and hold none.

pub mod change_log;
pub mod checklists;
mod cipher;
pub mod copy;
pub mod db;
pub mod device_assignments;
pub mod device_rules;
pub mod devices;
pub mod directory;
pub mod employee_links;
pub mod employees;
pub mod fetched_people;
pub mod field_conflicts;
pub mod field_provenance;
pub mod groups;
pub mod held_plans;
pub mod locks;
mod migrations;
mod migrations_postgres;
pub mod notifications;
pub mod overview;
pub mod postgres;
pub mod runs;
pub mod search;
pub mod settings;
pub mod sites;
pub mod source_view;
pub mod sources;
pub mod staging;
pub mod team;
pub mod team_members;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::private;

pub use cipher::INSTALLATION_FILE;

/// The file name of the directory database inside the data directory.
pub const DATABASE_FILE: &str = "roster.db";

use db::Dialect;
/// What every repository function takes: the store's connection, or an open transaction (which
/// dereferences to one). `sync` and `engine` name this type, never the database driver's.
pub use db::{Db, Tx};

/// Begins a transaction.
pub fn begin(db: &mut Db) -> Result<Tx<'_>> {
    db.begin()
}

/// Begins a transaction that takes the write lock at once (see [`Db::begin_write`]).
pub fn begin_write(db: &mut Db) -> Result<Tx<'_>> {
    db.begin_write()
}

/// An open connection to Roster's database. Each thread or task that needs the store opens its own:
/// WAL lets SQLite's readers go on while a sync writes.
pub struct Store {
    conn: Db,
    data_dir: PathBuf,
    location: Location,
    /// The connected login's role in the directory's team (never on SQLite).
    role: Option<team::Role>,
}

/// Where a data directory's database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The encrypted SQLite file in the data directory: the default.
    File(PathBuf),
    /// A PostgreSQL database the data directory points at (`roster directory connect`).
    Postgres(postgres::Target),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Postgres(target) => write!(f, "{target}"),
        }
    }
}

impl Store {
    /// Opens the data directory's database and brings its schema up to date: the PostgreSQL
    /// database it points at, or else its encrypted SQLite file (created if needed). The
    /// directory and its files are made private first; a plain SQLite file is encrypted in place.
    pub fn open(data_dir: &Path) -> Result<Store> {
        if let Some(target) = postgres::Target::of(data_dir)? {
            return Store::open_postgres(data_dir, target);
        }
        let path = data_dir.join(DATABASE_FILE);
        Store::open_file(data_dir, path.clone()).map_err(|e| e.naming_database(&path))
    }

    fn open_postgres(data_dir: &Path, target: postgres::Target) -> Result<Store> {
        make_private(data_dir)?;
        let mut conn = target.connect()?;
        // Before migrating: a login without a role in the team is refused as such.
        let role = team::role(&conn)?;
        migrations_postgres::migrate(&mut conn)?;
        // Checked first: only a writer of `meta` may insert, even a row that is there already.
        let identified: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'installation_id')", (), |r| r.get(0))?;
        if !identified {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('installation_id', ?1) ON CONFLICT DO NOTHING",
                [uuid::Uuid::new_v4().to_string()],
            )?;
        }
        Ok(Store { conn, data_dir: data_dir.to_owned(), location: Location::Postgres(target), role })
    }

    fn open_file(data_dir: &Path, path: PathBuf) -> Result<Store> {
        let io = |source| Error::DataDir { path: data_dir.display().to_string(), source };
        make_private(data_dir)?;
        let key = cipher::DatabaseKey::for_database(&path)?;
        cipher::encrypt_if_plain(&path, &key)?;
        // SQLite gives the WAL and shared-memory files the database file's mode: creating it
        // 0600 here keeps all three private whatever the umask.
        private::create_file(&path, false).map_err(io)?;
        let mut conn = Connection::open(&path)?;
        key.apply(&conn)?;
        configure(&conn)?;
        migrate(&mut conn)?;
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('installation_id', ?1)", [&key.installation_id])?;
        Ok(Store { conn: Db::sqlite(conn), data_dir: data_dir.to_owned(), location: Location::File(path), role: None })
    }

    /// This database's random id, which namespaces its secrets in the OS keyring.
    pub fn installation_id(&self) -> Result<String> {
        self.conn.query_row("SELECT value FROM meta WHERE key = 'installation_id'", (), |r| r.get(0))
    }

    /// Makes an erasure final. SQLite: the contentless search index only marks deleted rows:
    /// their names stay in its segments until they are merged, so they are merged now
    /// (`optimize`). Then the write-ahead log, which still holds page images from before, is
    /// copied into the (securely overwritten) database and emptied; a reader that keeps it from
    /// being emptied is an error. PostgreSQL keeps deleted rows until a vacuum removes them.
    pub fn flush_erased(&self) -> Result<()> {
        let Some(conn) = self.conn.as_sqlite() else {
            return self.conn.execute_batch("VACUUM");
        };
        search::optimize(conn)?;
        let busy: bool = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy {
            return Err(Error::ErasureNotFlushed);
        }
        Ok(())
    }

    /// Folds SQLite's write-ahead log into the database file as far as readers allow, without
    /// waiting for them. SQLite does this on its own after most commits; a first sync leaves it
    /// for later. (PostgreSQL's server does its own.)
    pub fn checkpoint(&self) -> Result<()> {
        if let Some(conn) = self.conn.as_sqlite() {
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        }
        Ok(())
    }

    pub fn conn(&self) -> &Db {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Db {
        &mut self.conn
    }

    /// Begins a transaction on the store's connection.
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        self.conn.begin()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The connected login's role in the directory's team, as found when the store opened.
    pub fn role(&self) -> Option<team::Role> {
        self.role
    }
}

/// Turns off SQLite's automatic checkpoint of the write-ahead log, for a commit too large to
/// fold into the database file at once; returns the setting to restore with
/// [`restore_autocheckpoint`]. (PostgreSQL's server checkpoints on its own schedule.)
pub fn suspend_autocheckpoint(db: &Db) -> Result<Option<i64>> {
    let Some(conn) = db.as_sqlite() else { return Ok(None) };
    let pages: i64 = conn.pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(Some(pages))
}

pub fn restore_autocheckpoint(db: &Db, pages: Option<i64>) -> Result<()> {
    if let (Some(conn), Some(pages)) = (db.as_sqlite(), pages) {
        conn.pragma_update(None, "wal_autocheckpoint", pages)?;
    }
    Ok(())
}

/// Gathers fresh statistics of the people's tables after a bulk load, as PostgreSQL advises: its
/// planner would otherwise plan the next sync's joins for the tables' sizes before the load, until
/// the server's own background analysis comes round (a minute or more). Only the owner may
/// analyze; for another role the server skips each table with a warning, and the sync goes on.
/// (SQLite plans by the keys alone.)
pub fn refresh_statistics(db: &Db) -> Result<()> {
    analyze(db, &["employees", "employee_links", "employee_search_words", "groups", "group_memberships", "fetched_people"])
}

/// Gathers PostgreSQL's statistics of `tables`, which its planner reads. SQLite plans by the keys
/// alone: nothing to do there.
fn analyze(db: &Db, tables: &[&str]) -> Result<()> {
    // Dialect: PostgreSQL only.
    if db.dialect() == Dialect::Postgres {
        db.execute_batch(&format!("ANALYZE {}", tables.join(", ")))?;
    }
    Ok(())
}

/// Makes the data directory and every file in it the user's alone, as an older Roster or a
/// restore from backup may have left them readable by others.
fn make_private(data_dir: &Path) -> Result<()> {
    let io = |source| Error::DataDir { path: data_dir.display().to_string(), source };
    private::ensure_dir(data_dir).map_err(io)?;
    for file in private_files(data_dir)? {
        private::tighten_file(&file).map_err(io)?;
    }
    Ok(())
}

/// Every file Roster keeps in the data directory, one folder deep (the lock files).
fn private_files(data_dir: &Path) -> Result<Vec<PathBuf>> {
    let io = |source| Error::DataDir { path: data_dir.display().to_string(), source };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(data_dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            private::ensure_dir(&path).map_err(io)?;
            for inner in std::fs::read_dir(&path).map_err(io)? {
                files.push(inner.map_err(io)?.path());
            }
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    // A sync runs a few dozen distinct statements per employee: keep them all prepared.
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commit.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // A sync touches every index of a large directory in random key order; SQLite's default 2 MB
    // page cache would spill and re-read pages throughout. 16 MB for the directory keeps a
    // 100,000-person sync under the 150 MB budget beside its staging tables, which are held in
    // memory whole (32 MB made the syncs about 5-10% faster and the peak 153 MiB).
    conn.pragma_update(None, "cache_size", -16_000)?;
    conn.pragma_update(Some("temp"), "cache_size", -32_000)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Erased personal data is overwritten, not merely unlinked: GDPR erasure must not leave it in
    // free pages of the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
    // SQLCipher encrypts the database file, never a temporary one: the staging tables are kept in
    // memory, where overwriting freed pages protects nothing. With it on, dropping them after a
    // sync first copied every page into the (in-memory) rollback journal: 70 MB at 100,000
    // people, half the sync's peak.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(Some("temp"), "secure_delete", "OFF")?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let migrations = migrations::migrations();
    let known = migrations::count();
    let found: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > known {
        return Err(Error::DatabaseTooNew { found, known });
    }
    // rusqlite_migration applies all pending migrations in one transaction.
    migrations.to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_uses_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mode: String = store.conn().as_sqlite().unwrap().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal", "the store runs in WAL mode so readers never wait for a sync");
        let fk: i64 = store.conn().as_sqlite().unwrap().pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
        assert_eq!(fk, 1, "foreign keys are enforced");
    }

    #[test]
    fn an_older_binary_refuses_a_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.conn().as_sqlite().unwrap().pragma_update(None, "user_version", 99).unwrap();
        drop(store);
        match Store::open(dir.path()) {
            Err(Error::DatabaseTooNew { found: 99, .. }) => {}
            Err(other) => panic!("expected DatabaseTooNew, got {other}"),
            Ok(_) => panic!("a database from a newer Roster must not be opened"),
        }
    }

    #[test]
    fn reopening_keeps_the_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let store = Store::open(dir.path()).expect("a second open is a no-op migration");
        let v: usize = store.conn().as_sqlite().unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, migrations::count());
    }

    /// Every file under `path` (or `path` itself, a file), with its text.
    fn sources_in(path: &Path) -> Vec<(PathBuf, String)> {
        if path.is_file() {
            return vec![(path.to_owned(), std::fs::read_to_string(path).unwrap())];
        }
        std::fs::read_dir(path).unwrap().flat_map(|entry| sources_in(&entry.unwrap().path())).collect()
    }

    #[test]
    fn only_the_store_holds_sql() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let sql = [
            "SELECT",
            "INSERT",
            "UPDATE ",
            "DELETE",
            "prepare",
            "execute",
            "query_row",
            "query_map",
            "pragma_",
            "rusqlite",
            ".transaction",
        ];
        let mut found = Vec::new();
        for (path, text) in ["sync", "engine", "engine.rs"].iter().flat_map(|p| sources_in(&src.join(p))) {
            for (n, line) in text.lines().enumerate() {
                if let Some(word) = sql.iter().find(|w| line.contains(*w)) {
                    found.push(format!("{}:{}: {word}", path.display(), n + 1));
                }
            }
        }
        assert!(sources_in(&src.join("sync")).len() > 5, "the check reads the sync's files");
        assert!(
            found.is_empty(),
            "sync and engine reach the database through the store's repositories and begin transactions through the store, never the driver: {found:#?}"
        );
    }

    #[test]
    fn the_store_depends_on_neither_sync_nor_engine() {
        let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
        let above = ["sync", "engine"].map(|module| format!("crate::{module}"));
        let uses: Vec<String> = sources_in(&store)
            .into_iter()
            .filter(|(_, text)| above.iter().any(|path| text.contains(path.as_str())))
            .map(|(path, _)| path.display().to_string())
            .collect();
        assert!(uses.is_empty(), "the store is below sync and engine, never beside them: {uses:?}");
    }
}
