//! Sync benchmark: 10,000 and 100,000 simulated employees over HTTP on 127.0.0.1.
//!
//! Prints, per size: the floor (fetch and parse every page, no storage), a full first sync, a
//! no-change re-sync and what it wrote, an incremental sync with 1% changed, search latency, and
//! this process's peak memory, each against its goal. The simulator runs in a child process (this
//! same binary, started with ROSTER_BENCH_ROLE=simulator) so that its memory is not counted, and
//! serves every page from memory, rendered once up front: the floor is our connector's fetch and
//! parse, not the simulator building JSON, and the syncs read the same bytes.
//!
//! Run: `keyctl session - bash -c 'ROSTER_KEYRING=keyutils cargo bench -p roster-engine --bench sync'`
//! (sizes can be chosen with ROSTER_BENCH_SIZES=10000,100000, rounds of floor and first sync with
//! ROSTER_BENCH_ROUNDS=3). With ROSTER_BENCH_STORE=postgres the directory is a fresh database of a
//! throw-away PostgreSQL server on 127.0.0.1 (one per round), and what the no-change re-sync wrote
//! is counted by the server's own statistics.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use roster_engine::connector::http::RetryPolicy;
use roster_engine::connector::kombo::{KomboConfig, KomboConnector};
use roster_engine::connector::{Connector, ReadRequest};
use roster_engine::model::{Field, FieldMode, View};
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::store::settings::Settings;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{Change, CompanySpec, Simulator, SimulatorConfig};
use roster_test_postgres::{Cluster, TestDatabase};

const TODAY: (i32, u32, u32) = (2026, 11, 25);

fn main() {
    if std::env::var("ROSTER_BENCH_ROLE").as_deref() == Ok("simulator") {
        return serve_simulator();
    }
    // ROSTER_LOG=info shows where a sync spends its time.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("ROSTER_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let sizes: Vec<usize> = std::env::var("ROSTER_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("ROSTER_BENCH_SIZES is a list of numbers"))
        .collect();
    let store = match std::env::var("ROSTER_BENCH_STORE").as_deref() {
        Ok("postgres") => Store::Postgres(Cluster::new()),
        Ok("sqlite") | Err(_) => Store::Sqlite,
        Ok(other) => panic!("ROSTER_BENCH_STORE is sqlite or postgres, not {other:?}"),
    };
    for size in sizes {
        bench(&store, size);
    }
}

/// Where the benchmark's directories are kept.
enum Store {
    Sqlite,
    /// A throw-away server; each directory is a fresh database of it.
    Postgres(Cluster),
}

impl Store {
    /// The goals of the issue that differ by store: first sync and search p95 (ms).
    fn goals(&self) -> (f64, f64) {
        match self {
            Store::Sqlite => (1.5, 10.0),
            Store::Postgres(_) => (3.0, 20.0),
        }
    }

    /// A new, empty directory: its folder, and the database it points at on PostgreSQL.
    fn directory(&self) -> (tempfile::TempDir, Option<TestDatabase>) {
        let dir = tempfile::tempdir().unwrap();
        let database = match self {
            Store::Sqlite => None,
            Store::Postgres(cluster) => {
                let database = cluster.database();
                let target = database.url.parse().unwrap();
                roster_engine::store::postgres::connect(dir.path(), &target, &database.password).unwrap();
                Some(database)
            }
        };
        (dir, database)
    }
}

/// The child process: a simulator of `ROSTER_BENCH_SIZE` employees. Prints its address, then
/// applies "touch N%" commands read from standard input until it closes.
fn serve_simulator() {
    let size: usize = std::env::var("ROSTER_BENCH_SIZE").unwrap().parse().unwrap();
    let today = NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap();
    let sim = Simulator::start(SimulatorConfig::new(CompanySpec { seed: 42, size, today })).unwrap();
    sim.keep_pages_in_memory();
    println!("{}\t{}\t{}", sim.base_url(), sim.integration_id(), sim.api_key());
    std::io::stdout().flush().unwrap();
    for line in std::io::stdin().lock().lines() {
        let percent: f64 = line.unwrap().trim().parse().unwrap();
        sim.set_clock(Utc::now());
        sim.apply(Change::TouchPercent(percent));
        println!("done");
        std::io::stdout().flush().unwrap();
    }
}

struct SimulatorProcess {
    child: Child,
    lines: BufReader<std::process::ChildStdout>,
    config: KomboConfig,
    key: String,
}

impl SimulatorProcess {
    fn start(size: usize) -> SimulatorProcess {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("ROSTER_BENCH_ROLE", "simulator")
            .env("ROSTER_BENCH_SIZE", size.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        lines.read_line(&mut first).unwrap();
        let parts: Vec<&str> = first.trim().split('\t').collect();
        let config = KomboConfig { base_url: parts[0].into(), integration_id: parts[1].into(), tool: None };
        SimulatorProcess { child, lines, config, key: parts[2].into() }
    }

    fn touch(&mut self, percent: f64) {
        writeln!(self.child.stdin.as_mut().unwrap(), "{percent}").unwrap();
        let mut done = String::new();
        self.lines.read_line(&mut done).unwrap();
    }
}

impl Drop for SimulatorProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// This process's peak resident memory so far, in MiB (Linux: VmHWM).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn wal_bytes(dir: &std::path::Path) -> u64 {
    std::fs::metadata(dir.join("roster.db-wal")).map(|m| m.len()).unwrap_or(0)
}

/// PostgreSQL: rows inserted, updated and deleted so far in each of the directory's tables, as
/// the server's statistics count them (the engine's connection flushes its own first).
fn pg_rows_written(engine: &Engine) -> std::collections::HashMap<String, i64> {
    let conn = engine.store().conn();
    // Sent to the server when this statement ends, before the next one reads the view.
    conn.query_row("SELECT pg_stat_force_next_flush()", (), |_| Ok(())).unwrap();
    conn.query_map(
        "SELECT relname, CAST(n_tup_ins + n_tup_upd + n_tup_del AS BIGINT) FROM pg_stat_user_tables WHERE schemaname = 'public'",
        (),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
    .into_iter()
    .collect()
}

fn bench(store: &Store, size: usize) {
    let (first_goal, search_goal) = store.goals();
    let postgres = matches!(store, Store::Postgres(_));
    println!("== {size} employees, {}", if postgres { "PostgreSQL (local server)" } else { "SQLite" });
    let started = Instant::now();
    let mut sim = SimulatorProcess::start(size);
    println!("simulator ready in {:.1} s (child process)", started.elapsed().as_secs_f64());
    let retry = RetryPolicy::default();

    // The floor (fetch and parse every page of every model, keep nothing) and the first sync take
    // turns, a few rounds: the best of each is compared, so that a noisy neighbour on a shared
    // machine does not decide the ratio.
    let rounds: usize = std::env::var("ROSTER_BENCH_ROUNDS").map_or(3, |r| r.parse().expect("ROSTER_BENCH_ROUNDS is a number"));
    let connector = KomboConnector::new(sim.config.clone(), sim.key.clone(), retry).unwrap();
    // Every page the syncs will read is rendered once, up front, by a first read whose time
    // includes the simulator building JSON (what the floor used to be).
    let t = Instant::now();
    read_everything(&connector, size);
    println!(
        "pages rendered up front by a first read: {:.2} s (fetch + parse + the simulator rendering JSON)",
        t.elapsed().as_secs_f64()
    );
    let (mut floors, mut firsts, mut checkpoints) = (Vec::new(), Vec::new(), Vec::new());
    let mut kept = None;
    for _ in 0..rounds {
        // The previous round's directory goes first: only one is open at a time.
        drop(kept.take());
        let t = Instant::now();
        read_everything(&connector, size);
        floors.push(t.elapsed().as_secs_f64());

        let (dir, database) = store.directory();
        let mut engine = Engine::open(dir.path()).unwrap();
        // Everyone the simulator sends is created, those who left years ago included: the
        // benchmark measures a whole company's sync, not what retention leaves out.
        engine.save_settings(&Settings { retention_days: 0, ..Settings::default() }, Utc::now()).unwrap();
        engine.add_kombo_source("Bench", sim.config.clone(), &sim.key, Utc::now()).unwrap();
        let t = Instant::now();
        let first = engine.sync("Bench", Utc::now(), SyncRequest::default()).unwrap();
        firsts.push(t.elapsed().as_secs_f64());
        assert_eq!(first.counts.created as usize, size, "the first sync created everyone");
        let t = Instant::now();
        engine.store().checkpoint().unwrap();
        checkpoints.push(t.elapsed().as_secs_f64());
        // The engine goes before its database (tuple fields drop in order).
        kept = Some((engine, dir, database));
    }
    let (mut engine, dir, _database) = kept.expect("at least one round");
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let list = |v: &[f64]| v.iter().map(|t| format!("{t:.2}")).collect::<Vec<_>>().join(", ");
    let floor = best(&floors);
    println!("fetch + parse floor (pages from memory): best {floor:.2} s of {rounds} rounds ({} s)", list(&floors));
    let per_round: Vec<String> = floors.iter().zip(&firsts).map(|(floor, first)| format!("{:.2}x", first / floor)).collect();
    println!(
        "full first sync: best {:.2} s = {:.2}x the best floor, goal <= {first_goal}x ({} s; each round against its own floor: {}; {size} created)",
        best(&firsts),
        best(&firsts) / floor,
        list(&firsts),
        per_round.join(", ")
    );
    if !postgres {
        println!(
            "then folding its write-ahead log into the database file (a checkpoint, after the sync): best {:.2} s ({} s)",
            best(&checkpoints),
            list(&checkpoints)
        );
    }

    // The 1% changed below are job titles: made continuous, so that the incremental sync writes
    // them. (Changing a mode makes the next read a full one: the no-change re-sync.)
    engine.set_field_mode("Bench", Field::JobTitle, FieldMode::Continuous, Utc::now()).unwrap();
    checkpoint(&engine);
    let before_wal = wal_bytes(dir.path());
    let log_before = change_log_rows(&engine);
    let written_before = if postgres { pg_rows_written(&engine) } else { Default::default() };
    let t = Instant::now();
    let again = engine.sync("Bench", Utc::now(), SyncRequest { full: true, ..SyncRequest::default() }).unwrap();
    let resync = t.elapsed().as_secs_f64();
    if postgres {
        // The run's own record (its row, the source's schedule) is written by every sync.
        let run_record = ["sync_runs", "sources"];
        let mut written: Vec<(String, i64)> = pg_rows_written(&engine)
            .into_iter()
            .map(|(table, rows)| {
                let delta = rows - written_before.get(&table).copied().unwrap_or(0);
                (table, delta)
            })
            .filter(|(_, delta)| *delta != 0)
            .collect();
        written.sort();
        let directory: i64 = written.iter().filter(|(t, _)| !run_record.contains(&t.as_str())).map(|(_, d)| d).sum();
        println!(
            "no-change full re-sync: {resync:.2} s = {:.2}x the best floor; directory rows written: {directory}, goal 0 (server statistics, rows inserted + updated + deleted per table: {written:?})",
            resync / floor
        );
    } else {
        println!(
        "no-change full re-sync: {resync:.2} s = {:.2}x the best floor, goal <= 1.2x; directory rows written: {}, goal 0 (created {}, updated {}, change log +{}); WAL +{} KiB for the run record",
        resync / floor,
        again.counts.created + again.counts.updated + (change_log_rows(&engine) - log_before) as u32,
        again.counts.created,
        again.counts.updated,
        change_log_rows(&engine) - log_before,
        (wal_bytes(dir.path()) - before_wal) / 1024
    );
    }

    sim.touch(1.0);
    let t = Instant::now();
    let delta = engine.sync("Bench", Utc::now(), SyncRequest::default()).unwrap();
    println!(
        "incremental sync, 1% changed: {:.2} s ({} read as changed: {} updated, {} unchanged; full read: {})",
        t.elapsed().as_secs_f64(),
        delta.counts.updated + delta.counts.unchanged,
        delta.counts.updated,
        delta.counts.unchanged,
        delta.full_read
    );

    search_latency(&engine, search_goal);
    let peak = peak_mib();
    println!("peak memory of this process (engine, no simulator): {peak:.0} MiB = {:.0} MB, goal <= 150 MB", peak * 1.048_576);
}

/// Fetches and parses every page of every model, keeping nothing: the floor of any sync.
fn read_everything(connector: &KomboConnector, size: usize) {
    let mut records = 0usize;
    connector
        .read(&ReadRequest::default(), &mut |_| {
            records += 1;
            Ok(())
        })
        .unwrap();
    assert!(records > size, "the read returned every record ({records})");
}

/// SQLite: empties the write-ahead log, so that what the next sync appends to it can be measured.
fn checkpoint(engine: &Engine) {
    if let Some(conn) = engine.store().conn().as_sqlite() {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    }
}

fn change_log_rows(engine: &Engine) -> i64 {
    engine.store().conn().query_row("SELECT count(*) FROM change_log", (), |r| r.get(0)).unwrap()
}

fn search_latency(engine: &Engine, goal_ms: f64) {
    let now: DateTime<Utc> = Utc::now();
    let prefixes = ["a", "ma", "ben", "sa", "lu", "no", "ki", "jo", "em", "th", "ol", "fe", "ch", "ra", "mi"];
    let mut samples: Vec<Duration> = Vec::new();
    for round in 0..20 {
        for p in prefixes {
            let query = EmployeeQuery {
                view: View::Active,
                search: Some(p.to_owned()),
                limit: 100,
                offset: 0,
                include_hidden: round % 2 == 0,
                include_out_of_scope: false,
                ids: None,
            };
            let t = Instant::now();
            let rows = engine.employees(&query, now).unwrap();
            samples.push(t.elapsed());
            std::hint::black_box(rows);
        }
    }
    samples.sort();
    let pct = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1000.0;
    println!(
        "employees --search (first 100 rows): p50 {:.2} ms, p95 {:.2} ms (goal <= {goal_ms} ms), max {:.2} ms",
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
}
