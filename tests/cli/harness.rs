//! What every CLI test needs: a simulator on 127.0.0.1, a throw-away data directory, and the real
//! `roster` binary run as a separate process.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::NaiveDate;
use roster_engine::store::db::Dialect;
use roster_simulator::{CompanySpec, Simulator, SimulatorConfig};

use crate::data_dir::DataDir;

/// The instant every test runs at, and the simulator's "today".
pub const NOW: &str = "2026-11-25T12:00:00Z";

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

pub fn simulator(seed: u64, size: usize) -> Simulator {
    Simulator::start(SimulatorConfig::new(CompanySpec { seed, size, today: today() })).expect("the simulator starts on 127.0.0.1")
}

pub struct Roster {
    pub dir: DataDir,
}

impl Roster {
    /// A data directory in the tests' store (see [`DataDir`]).
    pub fn new() -> Roster {
        Roster { dir: DataDir::new() }
    }

    /// A data directory with its own SQLite file, whatever the tests' store: for what only a
    /// local directory has (its file, moving it into PostgreSQL).
    pub fn sqlite() -> Roster {
        Roster { dir: DataDir::sqlite() }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `roster ARGS` with `stdin` piped in.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        run_roster(Command::new(env!("CARGO_BIN_EXE_roster")), self.data_dir(), args, stdin)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    /// Runs a command that must succeed and returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "roster {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).expect("--json prints JSON")
    }

    pub fn add_kombo(&self, name: &str, sim: &Simulator) {
        let out = self.run_with_stdin(
            &["source", "add", "kombo", "--name", name, "--base-url", &sim.base_url(), "--integration-id", sim.integration_id()],
            sim.api_key(),
        );
        assert!(out.status.success(), "adding a Kombo source works: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// The database and its WAL and shared-memory files.
    pub fn database_files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.data_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("roster.db"))
            .collect()
    }

    /// Every row of every table of the directory, as text: the state a failed sync must not change.
    /// Sync history and the sources' sync status are left out: a failure is meant to be recorded there.
    pub fn directory_dump(&self) -> String {
        // Read through the engine: an SQLite file is encrypted with the key from the keyring.
        let store = roster_engine::store::Store::open(self.data_dir()).unwrap();
        let db = store.conn();
        let (tables, columns) = match db.dialect() {
            Dialect::Sqlite => (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('sync_runs', 'sources') ORDER BY name",
                "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
            ),
            Dialect::Postgres => (
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_name NOT IN ('sync_runs', 'sources') ORDER BY 1",
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name::text = ?1 ORDER BY ordinal_position",
            ),
        };
        let tables: Vec<String> = db.query_map(tables, (), |r| r.get(0)).unwrap();
        let mut dump = String::new();
        let mut rows_of = |table: &str, columns: &[String]| {
            // Any value as text: SQLite's `quote` writes blobs (the search index's) as hex.
            let each: Vec<String> = columns
                .iter()
                .map(|c| match db.dialect() {
                    Dialect::Sqlite => format!("quote(\"{c}\")"),
                    Dialect::Postgres => format!("CAST(\"{c}\" AS TEXT)"),
                })
                .collect();
            let sql = format!("SELECT {} FROM \"{table}\" ORDER BY 1, 2", each.join(", "));
            for values in db
                .query_map(&sql, (), |r| (0..columns.len()).map(|i| r.get::<Option<String>>(i)).collect::<Result<Vec<_>, _>>())
                .unwrap()
            {
                let values: Vec<String> = values.into_iter().map(|v: Option<String>| format!("{v:?}")).collect();
                dump.push_str(&format!("{table}: {}\n", values.join(" | ")));
            }
        };
        for table in tables {
            let columns: Vec<String> = db.query_map(columns, [&table], |r| r.get(0)).unwrap();
            rows_of(&table, &columns);
        }
        let source_columns = ["id", "name", "config", "first_synced_at", "last_full_sync_at", "updated_after"].map(String::from);
        rows_of("sources", &source_columns);
        dump
    }
}

/// True when `needle` occurs in any of `files`.
/// Runs `command` (the `roster` binary, or a launcher of it) with `ARGS`, on `data_dir`, at [`NOW`],
/// with `stdin` piped in.
pub fn run_roster(mut command: Command, data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = command
        .args(args)
        .env("ROSTER_DATA_DIR", data_dir)
        .env("ROSTER_NOW", NOW)
        .env_remove("ROSTER_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the roster binary runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub fn any_file_contains(files: &[PathBuf], needle: &str) -> bool {
    files.iter().any(|f| {
        let bytes = std::fs::read(f).unwrap();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}
