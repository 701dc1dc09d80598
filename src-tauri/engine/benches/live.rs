//! Live benchmark: two instances (two data directories) on one PostgreSQL database holding many
//! people, on a throw-away server on 127.0.0.1.
//!
//! Prints: what ten idle listening instances cost the server over a minute, as the database's
//! committed transactions (`pg_stat_database.xact_commit`, read from another database), against
//! the goal of none (TCP keep-alives are no transactions); then the time from one instance's hide
//! to the other's refreshed first page (its listener woken, the page read again), median and p95
//! against the goal of 500 ms.
//!
//! Run: `bash .ci/session cargo bench -p roster-engine --bench live` (the listeners read the
//! database's password from the OS keyring). ROSTER_BENCH_PEOPLE sets the directory's size
//! (100000), ROSTER_BENCH_ROUNDS the hides measured (100), ROSTER_BENCH_IDLE_SECONDS the idle
//! window (60).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::store::notifications::{ChangeKind, Listener};
use roster_engine::store::postgres::{self, Target};
use roster_engine::Engine;
use roster_test_postgres::{Cluster, TestDatabase};

fn main() {
    let people = setting("ROSTER_BENCH_PEOPLE", 100_000);
    let rounds = setting("ROSTER_BENCH_ROUNDS", 100);
    let idle = Duration::from_secs(setting("ROSTER_BENCH_IDLE_SECONDS", 60) as u64);
    let server = Cluster::new();
    let database = server.database();
    let [a_dir, b_dir] = [(); 2].map(|_| {
        let dir = tempfile::tempdir().unwrap();
        postgres::connect(dir.path(), &database.url.parse().unwrap(), &database.password).unwrap();
        dir
    });
    fill(&database, people);
    let target = Target::of(b_dir.path()).unwrap().unwrap();

    // First, while autovacuum has nothing to do: the hides below would give it work.
    let transactions = idle_cost(&database, &target, 10, idle);
    println!(
        "10 idle listening instances over {} s: {transactions} transactions committed in the database (goal: 0) {}",
        idle.as_secs(),
        verdict(transactions == 0)
    );

    let latencies = refresh_latencies(&mut Engine::open(a_dir.path()).unwrap(), b_dir.path(), &target, rounds);
    let (median, p95) = (percentile(&latencies, 50), percentile(&latencies, 95));
    println!(
        "{people} people, {rounds} hides: a hide in A to B's refreshed first page: median {} ms, p95 {} ms (goal p95 <= 500 ms) {}",
        median.as_millis(),
        p95.as_millis(),
        verdict(p95 <= Duration::from_millis(500))
    );
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |value| value.parse().unwrap_or_else(|_| panic!("{name} is a number")))
}

fn verdict(met: bool) -> &'static str {
    if met {
        "ok"
    } else {
        "MISSED"
    }
}

fn now() -> DateTime<Utc> {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

/// `people` active employees, written straight into the database (the sync has its own benchmark).
fn fill(database: &TestDatabase, people: usize) {
    let started = Instant::now();
    database
        .connect()
        .batch_execute(&format!(
            "INSERT INTO employees (employee_number, first_name, last_name, work_email, employment_status, start_date, created_at, updated_at)
             SELECT 'E' || n, 'First' || n, 'Last' || lpad(n::text, 6, '0'), 'p' || n || '@bench.example', 'ACTIVE', '2020-01-06', 'now', 'now'
             FROM generate_series(1, {people}) AS n"
        ))
        .unwrap();
    // Done now, so that autovacuum has nothing to do in the database while the idle minute is counted.
    database.connect().batch_execute("VACUUM ANALYZE").unwrap();
    eprintln!("{people} people written in {:.1} s", started.elapsed().as_secs_f64());
}

/// B's first page, as the window reads it when told that people changed.
fn first_page(engine: &Engine) -> usize {
    let query = EmployeeQuery { limit: 200, ..EmployeeQuery::default() };
    engine.employees(&query, now()).unwrap().len()
}

/// For each round: A hides (or shows again) someone on B's first page; the time from just before
/// A's call to B's first page read again once its listener heard of it.
fn refresh_latencies(a: &mut Engine, b_dir: &std::path::Path, target: &Target, rounds: usize) -> Vec<Duration> {
    let (listening_tx, listening) = mpsc::channel();
    let (refreshed_tx, refreshed) = mpsc::channel::<Instant>();
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let b = Engine::open(b_dir).unwrap();
            let mut listener = Listener::new(target.clone());
            listener.wait(Duration::ZERO).unwrap();
            listening_tx.send(()).unwrap();
            while !done.load(Ordering::SeqCst) {
                let changes = listener.wait(Duration::from_millis(200)).unwrap();
                if changes.contains(&ChangeKind::People) {
                    assert!(first_page(&b) > 0, "B's first page has people");
                    refreshed_tx.send(Instant::now()).unwrap();
                }
            }
        });
        listening.recv().unwrap();
        let latencies = (0..rounds)
            .map(|round| {
                let who = format!("p{}@bench.example", 1 + round / 2);
                let started = Instant::now();
                a.set_hidden(&who, round % 2 == 0, now()).unwrap();
                let at = refreshed.recv_timeout(Duration::from_secs(10)).expect("B hears of the hide within 10 s");
                // What the listener gathered after the first refresh belongs to this round too.
                while refreshed.recv_timeout(Duration::from_millis(250)).is_ok() {}
                at - started
            })
            .collect();
        done.store(true, Ordering::SeqCst);
        latencies
    })
}

fn percentile(values: &[Duration], p: usize) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// The transactions the database commits while `instances` listeners wait `window` for changes
/// that never come, counted by the server.
fn idle_cost(database: &TestDatabase, target: &Target, instances: usize, window: Duration) -> i64 {
    let stop = AtomicBool::new(false);
    let (listening_tx, listening) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..instances {
            let listening_tx = listening_tx.clone();
            let stop = &stop;
            scope.spawn(move || {
                let mut listener = Listener::new(target.clone());
                listener.wait(Duration::ZERO).unwrap();
                listening_tx.send(()).unwrap();
                while !stop.load(Ordering::SeqCst) {
                    assert!(listener.wait(Duration::from_secs(1)).unwrap().is_empty(), "nothing changes while idle");
                }
            });
        }
        for _ in 0..instances {
            listening.recv().unwrap();
        }
        // From another database, so that the observer's own reads are not counted.
        let mut observer = database.config().dbname("postgres").connect(::postgres::NoTls).unwrap();
        let committed = |observer: &mut ::postgres::Client| -> i64 {
            observer.batch_execute("SELECT pg_stat_clear_snapshot()").unwrap();
            let sql = format!("SELECT xact_commit FROM pg_stat_database WHERE datname = '{}'", database_name(database));
            observer.query_one(&sql, &[]).unwrap().get(0)
        };
        // An idle session's statistics reach the view up to 10 s late (PostgreSQL 15): the
        // listeners' connecting transactions are let in before counting.
        std::thread::sleep(Duration::from_secs(11));
        let before = committed(&mut observer);
        std::thread::sleep(window);
        let after = committed(&mut observer);
        let listening: i64 = observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN roster_changes' AND state = 'idle'",
                &[&database_name(database)],
            )
            .unwrap()
            .get(0);
        assert_eq!(listening, instances as i64, "every listener waits, idle, on its LISTEN");
        stop.store(true, Ordering::SeqCst);
        after - before
    })
}

fn database_name(database: &TestDatabase) -> String {
    database.url.rsplit('/').next().unwrap().to_owned()
}
