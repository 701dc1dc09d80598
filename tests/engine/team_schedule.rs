//! Scheduled syncs of a directory shared in PostgreSQL by several instances (machines): every
//! instance that holds a source's secret tries each hour; exactly one of them runs it.

use std::sync::{Arc, Barrier};
use std::thread;

use chrono::Duration;
use roster_engine::store::postgres;
use roster_engine::Engine;
use roster_test_postgres::cluster;

use crate::harness::{connect, fast_retry, now, start, SOURCE};

/// An instance of Roster on a machine of its own: its own data directory, pointed at `database`.
fn instance((url, password): &(String, String)) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    postgres::connect(dir.path(), &url.parse().unwrap(), password).unwrap();
    let engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    (dir, engine)
}

fn runs(engine: &Engine) -> usize {
    engine.runs(None, 100).unwrap().len()
}

#[test]
fn instances_sharing_a_directory_run_each_scheduled_sync_once() {
    let test_database = cluster().database();
    let database = (test_database.url.clone(), test_database.password.clone());
    let sim = start(81, 400);
    let (_first_dir, mut first) = instance(&database);
    connect(&mut first, SOURCE, &sim);
    drop(first);

    // Both instances wake on the same minute and find the new source due.
    let barrier = Arc::new(Barrier::new(2));
    let syncing: Vec<_> = (0..2)
        .map(|_| {
            let (database, barrier) = (database.clone(), barrier.clone());
            thread::spawn(move || {
                let (_dir, mut engine) = instance(&database);
                barrier.wait();
                engine.sync_due(now()).unwrap().into_iter().map(|(name, result)| (name, result.unwrap())).collect::<Vec<_>>()
            })
        })
        .collect();
    let reports: Vec<_> = syncing.into_iter().flat_map(|t| t.join().unwrap()).collect();
    assert_eq!(reports.len(), 1, "one instance ran the sync, the other stood aside: {reports:?}");
    let (_first_dir, first) = instance(&database);
    assert_eq!(runs(&first), 1, "one run is recorded");

    // An instance that read the due list before another ran the sync does not run it again.
    let (_second_dir, mut second) = instance(&database);
    let an_hour_later = now() + Duration::minutes(61);
    let due = first.due_sources(an_hour_later).unwrap();
    assert_eq!(due.len(), 1, "the hourly sync is due again");
    let report = second.sync_if_due(SOURCE, an_hour_later, Default::default(), &mut |_| {}).unwrap();
    assert!(report.is_some(), "the second instance runs it");
    let mut first = first;
    let again = first.sync_if_due(&due[0].name, an_hour_later, Default::default(), &mut |_| {}).unwrap();
    assert!(again.is_none(), "its stale list does not make the first run it twice");
    assert_eq!(runs(&first), 2);
    assert!(first.sync_due(an_hour_later).unwrap().is_empty(), "nothing is due until the next hour");
}
