//! The data directory a test's Roster works in: with its own SQLite file by default; with
//! `ROSTER_TEST_STORE=postgres`, pointed at a fresh database of a throw-away PostgreSQL server,
//! so that the same tests run against the other store.

use std::path::Path;

use roster_test_postgres::{cluster, TestDatabase};

pub struct DataDir {
    dir: tempfile::TempDir,
    /// The database the data directory points at, kept for the test's life.
    database: Option<TestDatabase>,
}

impl DataDir {
    pub fn new() -> DataDir {
        match std::env::var("ROSTER_TEST_STORE").as_deref() {
            Ok("postgres") => DataDir::postgres(),
            Ok("sqlite") | Err(_) => DataDir::sqlite(),
            Ok(other) => panic!("ROSTER_TEST_STORE is sqlite or postgres, not {other:?}"),
        }
    }

    /// A data directory pointed at a fresh database of the test server, whatever the tests' store.
    pub fn postgres() -> DataDir {
        let dir = tempfile::tempdir().unwrap();
        let database = cluster().database();
        let target = database.url.parse().expect("the test server's address");
        roster_engine::store::postgres::connect(dir.path(), &target, &database.password)
            .expect("the data directory points at the test database");
        DataDir { dir, database: Some(database) }
    }

    /// A data directory with its own SQLite file, whatever the tests' store.
    pub fn sqlite() -> DataDir {
        DataDir { dir: tempfile::tempdir().unwrap(), database: None }
    }

    #[allow(dead_code)] // This module is shared: only the CLI tests ask.
    pub fn is_postgres(&self) -> bool {
        self.database.is_some()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}
