//! Team mode, live: two instances (two data directories) on one PostgreSQL database; what one
//! commits wakes the other's listener with the kind of data that changed.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use ::postgres::fallible_iterator::FallibleIterator;
use roster_engine::model::{Field, FieldMode, View};
use roster_engine::store::devices::NewDevice;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::store::notifications::{ChangeKind, Listener};
use roster_engine::store::postgres::{self, Target};
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{Change, Simulator};
use roster_test_postgres::{cluster, Cluster, TestDatabase};

use crate::harness::{connect, fast_retry, now, start, today, SOURCE};

/// Two data directories pointed at `database`, as two admins' computers are.
fn two_instances(database: &TestDatabase) -> [tempfile::TempDir; 2] {
    [(); 2].map(|_| {
        let dir = tempfile::tempdir().unwrap();
        postgres::connect(dir.path(), &database.url.parse().unwrap(), &database.password).unwrap();
        dir
    })
}

fn open(dir: &Path) -> Engine {
    Engine::open(dir).unwrap().with_retry(fast_retry())
}

/// An engine on `dir` with the simulated company connected as the source, which `prepare` may
/// set up before the first sync.
fn synced(dir: &Path, sim: &Simulator, prepare: impl FnOnce(&mut Engine)) -> Engine {
    let mut engine = open(dir);
    connect(&mut engine, SOURCE, sim);
    prepare(&mut engine);
    engine.sync(SOURCE, now(), SyncRequest::default()).unwrap();
    engine
}

/// A listener of the database `dir` points at, listening before it is returned.
fn listener(dir: &Path) -> Listener {
    let target = Target::of(dir).unwrap().expect("the data directory points at PostgreSQL");
    let mut listener = Listener::new(target);
    listener.wait(Duration::ZERO).expect("the listener connects");
    assert!(listener.is_listening(), "the first wait connects and listens");
    listener
}

/// What `listener` hears of `change`: everything notified until a marker sent after it (changes
/// arrive in commit order), so that each step is told apart from the one before.
fn heard(listener: &mut Listener, database: &TestDatabase, marker: ChangeKind, change: impl FnOnce()) -> BTreeSet<ChangeKind> {
    change();
    let payload = serde_json::to_value(marker).unwrap();
    database.connect().batch_execute(&format!("NOTIFY roster_changes, '{}'", payload.as_str().unwrap())).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut heard = BTreeSet::new();
    while !heard.contains(&marker) {
        assert!(Instant::now() < deadline, "the change and the marker arrive within 5 s (heard {heard:?})");
        heard.extend(listener.wait(Duration::from_millis(500)).unwrap());
    }
    heard.remove(&marker);
    heard
}

/// The work email of someone the directory lists.
fn someone(engine: &Engine) -> String {
    let query = EmployeeQuery { view: View::All, ..EmployeeQuery::default() };
    engine.employees(&query, now()).unwrap().into_iter().find_map(|row| row.work_email).expect("someone has a work email")
}

fn visible(engine: &Engine, email: &str) -> bool {
    let query = EmployeeQuery { view: View::All, search: Some(email.to_owned()), ..EmployeeQuery::default() };
    engine.employees(&query, now()).unwrap().iter().any(|row| row.work_email.as_deref() == Some(email))
}

#[test]
fn a_hide_a_hand_over_an_edit_and_a_sync_by_one_instance_reach_the_others_listener_as_their_kind() {
    let database = cluster().database();
    let [a_dir, b_dir] = two_instances(&database);
    let sim = start(81, 200);
    let mut a = synced(a_dir.path(), &sim, |_| {});
    let b = open(b_dir.path());
    let mut b_hears = listener(b_dir.path());
    let who = someone(&b);
    assert!(visible(&b, &who), "B lists the person A's sync brought in");

    let hide = heard(&mut b_hears, &database, ChangeKind::Settings, || {
        a.set_hidden(&who, true, now()).unwrap();
    });
    assert!(hide.contains(&ChangeKind::People), "a hide is a change of people: {hide:?}");
    assert!(!hide.contains(&ChangeKind::Devices) && !hide.contains(&ChangeKind::Runs), "and of nothing else: {hide:?}");
    assert!(!visible(&b, &who), "B's list no longer shows the person A hid");

    let edit = heard(&mut b_hears, &database, ChangeKind::Settings, || {
        a.edit_field(&who, Field::JobTitle, Some("Head of Laptops"), now()).unwrap();
    });
    assert!(edit.contains(&ChangeKind::People), "a field edit is a change of people: {edit:?}");
    assert!(!edit.contains(&ChangeKind::Devices), "{edit:?}");

    let laptop = NewDevice { kind: "laptop".into(), model: "X1".into(), serial_number: "SN-LIVE".into() };
    let hand_over = heard(&mut b_hears, &database, ChangeKind::Settings, || {
        a.add_device(&laptop, now()).unwrap();
        a.assign_device("SN-LIVE", &who, today(), now()).unwrap();
    });
    assert!(hand_over.contains(&ChangeKind::Devices), "a hand-over is a change of devices: {hand_over:?}");
    assert!(hand_over.contains(&ChangeKind::People), "and of the holder's count of devices: {hand_over:?}");
    assert!(!hand_over.contains(&ChangeKind::Runs), "{hand_over:?}");

    sim.apply(Change::TouchPercent(50.0));
    let sync = heard(&mut b_hears, &database, ChangeKind::Checklists, || {
        a.sync(SOURCE, now(), SyncRequest::default()).unwrap();
    });
    assert!(
        sync.is_superset(&[ChangeKind::People, ChangeKind::Runs].into()),
        "a sync changes people and records a run: {sync:?}"
    );

    let settings = heard(&mut b_hears, &database, ChangeKind::Checklists, || {
        let mut changed = a.settings().unwrap();
        changed.paused = !changed.paused;
        a.save_settings(&changed, now()).unwrap();
    });
    assert!(settings.contains(&ChangeKind::Settings), "the shared settings are their own kind: {settings:?}");
}

/// Every notification on the channel until `marker`'s, counted by a plain client.
fn notifications_until(client: &mut ::postgres::Client, marker: &str) -> Vec<String> {
    let mut payloads = Vec::new();
    let mut notifications = client.notifications();
    let mut iter = notifications.timeout_iter(Duration::from_secs(5));
    while let Some(notification) = iter.next().unwrap() {
        if notification.payload() == marker {
            return payloads;
        }
        payloads.push(notification.payload().to_owned());
    }
    panic!("the marker arrives within 5 s of the last notification (got {payloads:?})");
}

#[test]
fn a_sync_that_rewrites_a_thousand_people_sends_one_notification_per_kind_and_transaction() {
    let database = cluster().database();
    let [a_dir, _] = two_instances(&database);
    let sim = start(82, 2000);
    // HR's job titles overwrite Roster's at each sync, so that touching them rewrites people.
    let mut a = synced(a_dir.path(), &sim, |a| a.set_field_mode(SOURCE, Field::JobTitle, FieldMode::Continuous, now()).unwrap());
    let mut counter = database.connect();
    counter.batch_execute("LISTEN roster_changes").unwrap();

    sim.apply(Change::TouchPercent(50.0));
    let report = a.sync(SOURCE, now(), SyncRequest { full: true, ..SyncRequest::default() }).unwrap();
    assert!(report.counts.updated >= 900, "about half the company changed: {:?}", report.counts);
    counter.batch_execute("NOTIFY roster_changes, 'marker'").unwrap();
    let payloads = notifications_until(&mut counter, "marker");
    assert!(payloads.contains(&"people".to_owned()), "the sync's people were announced: {payloads:?}");
    assert!(
        payloads.len() <= 20,
        "{} people rewritten, {} notifications: one per kind of each of the sync's few transactions ({payloads:?})",
        report.counts.updated,
        payloads.len()
    );
}

#[test]
fn a_listener_survives_a_server_restart_and_hears_the_changes_after_it() {
    // A server of this test's own, to restart: the shared one serves the other tests.
    let server = Cluster::new();
    let database = server.database();
    let [a_dir, b_dir] = two_instances(&database);
    let sim = start(83, 50);
    drop(synced(a_dir.path(), &sim, |_| {}));
    let mut b_hears = listener(b_dir.path());

    server.stop();
    let deadline = Instant::now() + Duration::from_secs(10);
    while b_hears.is_listening() {
        assert!(Instant::now() < deadline, "the listener finds within 10 s that its server stopped");
        assert!(b_hears.wait(Duration::from_millis(200)).unwrap().is_empty(), "a stopped server announces nothing");
    }
    assert!(b_hears.wait(Duration::from_millis(200)).is_err(), "connecting to a stopped server fails, and is said so");

    server.start();
    let deadline = Instant::now() + Duration::from_secs(20);
    let missed = loop {
        assert!(Instant::now() < deadline, "the listener reconnects within 20 s of the restart");
        match b_hears.wait(Duration::from_millis(500)) {
            Ok(changes) if b_hears.is_listening() => break changes,
            _ => {}
        }
    };
    assert_eq!(missed, ChangeKind::ALL.into(), "back, it says everything may have changed while it was away");

    let mut a = open(a_dir.path());
    let who = someone(&a);
    let hide = heard(&mut b_hears, &database, ChangeKind::Settings, || {
        a.set_hidden(&who, true, now()).unwrap();
    });
    assert!(hide.contains(&ChangeKind::People), "a change after the restart is heard: {hide:?}");
}
