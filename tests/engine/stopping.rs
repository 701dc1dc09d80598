//! A sync ends when it must: past the directory's deadline, or cancelled (its source is being
//! removed), even while its read is stuck in the network; either way it changes nothing.

use std::time::{Duration, Instant};

use roster_engine::store::runs::RunState;
use roster_engine::store::settings::Settings;
use roster_engine::sync::{Cancel, SyncRequest};
use roster_engine::{Engine, Error};
use roster_simulator::{Change, EmploymentType, NewHire};

use crate::harness::{fast_retry, now, today, World, SOURCE};

/// Well under the request timeout of `fast_retry` (10 s): a sync that ends this soon did not
/// wait for its held request to give up.
const PROMPTLY: Duration = Duration::from_secs(5);

/// A hire in the simulator that the next sync would create.
fn hire_someone(world: &World) {
    world.sim.apply(Change::Hire(NewHire {
        first_name: "Held".into(),
        last_name: "Back".into(),
        work_email: Some("held.back@quillon.example".into()),
        start_date: Some(today()),
        legal_entity_id: None,
        employment_type: EmploymentType::FullTime,
        job_title: None,
    }));
}

#[test]
fn the_sync_deadline_is_a_setting_of_30_minutes_by_default() {
    let world = World::new(61, 5);
    assert_eq!(world.engine.settings().unwrap().sync_deadline_secs, 30 * 60, "a sync may run half an hour by default");
}

#[test]
fn a_sync_past_its_deadline_fails_clearly_and_changes_nothing() {
    let mut world = World::new(62, 20);
    world.sync();
    hire_someone(&world);
    world.engine.save_settings(&Settings { sync_deadline_secs: 1, ..Settings::default() }, now()).unwrap();
    let people = world.list(roster_engine::model::View::Active, true).len();

    let held = world.sim.hold_requests();
    let started = Instant::now();
    let result = world.engine.sync(SOURCE, now(), SyncRequest { full: true, ..SyncRequest::default() });
    let took = started.elapsed();
    drop(held);

    match result {
        Err(error @ Error::DeadlinePassed { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains("limit of 1 min") && message.contains("nothing was changed"),
                "the message says why: {message}"
            );
        }
        other => panic!("a sync past its deadline fails as such, got {:?}", other.map(|r| r.counts)),
    }
    assert!(took < PROMPTLY, "the deadline ends a read stuck in the network (took {took:?})");
    assert_eq!(world.list(roster_engine::model::View::Active, true).len(), people, "nobody was created");
    let run = &world.engine.runs(Some(SOURCE), 1).unwrap()[0];
    assert_eq!(run.outcome, RunState::Failed, "the run is recorded as failed");
    assert!(run.error.as_deref().is_some_and(|e| e.contains("longer than its limit")), "the run says why: {:?}", run.error);
}

#[test]
fn a_cancelled_sync_ends_promptly_changes_nothing_and_frees_its_source() {
    let mut world = World::new(63, 20);
    world.sync();
    hire_someone(&world);
    let people = world.list(roster_engine::model::View::Active, true).len();

    let held = world.sim.hold_requests();
    let cancel = Cancel::default();
    let request = SyncRequest { full: true, cancel: cancel.clone(), ..SyncRequest::default() };
    // A second connection, as the app's sync thread has.
    let dir = world.dir.path().to_owned();
    let syncing = std::thread::spawn(move || {
        let mut engine = Engine::open(&dir).unwrap().with_retry(fast_retry());
        engine.sync(SOURCE, now(), request).map(|r| r.counts)
    });
    held.wait_for_request();
    let cancelled = Instant::now();
    cancel.cancel();
    let result = syncing.join().unwrap();
    let took = cancelled.elapsed();

    assert!(matches!(result, Err(Error::Cancelled)), "the sync ends as cancelled, got {result:?}");
    assert!(took < PROMPTLY, "a cancel ends a read stuck in the network (took {took:?})");
    assert_eq!(world.list(roster_engine::model::View::Active, true).len(), people, "nobody was created");
    let run = &world.engine.runs(Some(SOURCE), 1).unwrap()[0];
    assert_eq!(run.outcome, RunState::Failed, "the cancelled run is closed");
    assert!(run.error.as_deref().is_some_and(|e| e.contains("cancelled")), "the run says why: {:?}", run.error);

    // The request is still held: removing the source does not wait for it.
    let removing = Instant::now();
    world.engine.remove_source(SOURCE, true, now()).expect("the source is removed while its old request still hangs");
    assert!(removing.elapsed() < PROMPTLY, "removal is prompt (took {:?})", removing.elapsed());
    drop(held);
}
