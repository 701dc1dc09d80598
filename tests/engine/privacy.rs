//! The directory's privacy on disk: private files whatever their modes before, encryption at
//! rest with the key in the OS keyring, and plain databases from older versions encrypted in place.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use roster_engine::store::db::Dialect;
use roster_engine::store::postgres::LOCATION_FILE;
use roster_engine::store::{DATABASE_FILE, INSTALLATION_FILE};
use roster_engine::Engine;

use crate::harness::{email, World};

/// Every file and folder under `dir`, with its permission bits.
fn modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        found.push((path.clone(), std::fs::metadata(&path).unwrap().permissions().mode() & 0o777));
        if path.is_dir() {
            found.extend(modes(&path));
        }
    }
    found
}

/// Whether any file under `dir` holds `needle` as bytes.
fn any_file_contains(dir: &Path, needle: &str) -> bool {
    modes(dir).into_iter().filter(|(p, _)| p.is_file()).any(|(p, _)| {
        let bytes = std::fs::read(p).unwrap();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}

#[test]
fn the_data_directory_and_its_files_are_private_even_when_found_open() {
    let mut world = World::new(61, 30);
    world.sync();
    drop(world.engine);
    // An older Roster left everything readable by every local user.
    let dir = world.dir.path();
    for (path, _) in modes(dir) {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(if path.is_dir() { 0o755 } else { 0o644 })).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();

    world.engine = Engine::open(dir).unwrap();
    world.engine.sync(crate::harness::SOURCE, crate::harness::now(), Default::default()).unwrap();
    let dir_mode = std::fs::metadata(dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700, "the data directory is the user's alone");
    let found = modes(dir);
    // A directory in PostgreSQL keeps only where it is here; its syncs lock in the database.
    let files: &[&str] = match world.engine.store().conn().dialect() {
        Dialect::Sqlite => &[DATABASE_FILE, "roster.db-wal", "roster.db-shm", INSTALLATION_FILE],
        Dialect::Postgres => &[LOCATION_FILE],
    };
    for name in files {
        assert!(found.iter().any(|(p, _)| p.ends_with(name)), "{name} is on disk after a sync: {found:?}");
    }
    if world.engine.store().conn().dialect() == Dialect::Sqlite {
        assert!(
            found.iter().any(|(p, _)| p.extension().is_some_and(|e| e == "lock")),
            "a source's lock file is on disk: {found:?}"
        );
    }
    for (path, mode) in found {
        let expected = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, expected, "{} is private to the user (found {mode:o})", path.display());
    }
}

#[test]
fn no_file_of_the_directory_holds_a_name_or_email_after_a_sync() {
    let mut world = World::on_sqlite(62, 30);
    world.sync();
    let person = world.remote(|e| e.first_name.is_some() && e.work_email.is_some());
    let (name, work_email) = (person.last_name.clone().unwrap(), email(&person));
    let listed = world.emails(roster_engine::model::View::All, true);
    assert!(listed.contains(&work_email), "the person is in the directory, read through the key");
    assert!(!any_file_contains(world.dir.path(), &name), "no file of the data directory holds a name in clear ({name})");
    assert!(!any_file_contains(world.dir.path(), &work_email), "no file of the data directory holds an email in clear");

    let header = std::fs::read(world.dir.path().join(DATABASE_FILE)).unwrap();
    assert_ne!(&header[..16], b"SQLite format 3\0", "the database file is not a plain SQLite file");
    let plain = rusqlite::Connection::open(world.dir.path().join(DATABASE_FILE)).unwrap();
    assert!(
        plain.query_row("SELECT count(*) FROM employees", (), |r| r.get::<_, i64>(0)).is_err(),
        "without the key from the keyring the database cannot be read"
    );
}

#[test]
fn a_plain_database_from_an_older_version_is_encrypted_in_place_with_its_data() {
    let mut world = World::on_sqlite(63, 30);
    world.sync();
    let before = world.count_employees();
    let person = world.remote(|e| e.work_email.is_some());
    let work_email = email(&person);

    // A plain copy of the same directory, as an older Roster wrote it, under its own installation id.
    let older = tempfile::tempdir().unwrap();
    let plain_path = older.path().join(DATABASE_FILE);
    let conn = world.engine.store().conn().as_sqlite().expect("an SQLite directory");
    conn.execute("ATTACH DATABASE ?1 AS plain KEY ''", [plain_path.to_string_lossy()]).unwrap();
    conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(())).unwrap();
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    conn.pragma_update(Some("plain"), "user_version", version).unwrap();
    conn.execute("UPDATE plain.meta SET value = ?1 WHERE key = 'installation_id'", [uuid_like()]).unwrap();
    conn.execute("DETACH DATABASE plain", []).unwrap();
    assert!(any_file_contains(older.path(), &work_email), "the older database holds emails in clear");

    let engine = Engine::open(older.path()).expect("a plain database opens and is encrypted");
    let after: i64 = engine.store().conn().query_row("SELECT count(*) FROM employees", (), |r| r.get(0)).unwrap();
    assert_eq!(after, before, "encrypting in place keeps every person");
    assert!(!any_file_contains(older.path(), &work_email), "once encrypted, no file holds the emails in clear");
    drop(engine);
    let reopened = Engine::open(older.path()).expect("the encrypted database opens again with the key from the keyring");
    let again: i64 = reopened.store().conn().query_row("SELECT count(*) FROM employees", (), |r| r.get(0)).unwrap();
    assert_eq!(again, before, "the key kept in the keyring opens the database at the next start");
}

fn uuid_like() -> String {
    format!("older-{}", std::process::id())
}

#[test]
fn people_who_left_are_erased_after_the_retention_period_unless_they_hold_a_device_and_stay_erased() {
    use roster_engine::store::devices::NewDevice;
    use roster_engine::store::settings::Settings;
    use roster_engine::sync::SyncRequest;
    use roster_simulator::Change;

    use crate::harness::{now, today, SOURCE};

    let mut world = World::new(64, 40);
    world.engine.save_settings(&Settings { retention_days: 0, ..Settings::default() }, now()).unwrap();
    let people: Vec<_> =
        world.sim.employees().into_iter().filter(|e| e.work_email.is_some() && e.termination_date.is_none()).take(3).collect();
    let [gone, holder, still_sent] = [&people[0], &people[1], &people[2]].map(|e| e.clone());
    for person in [&gone, &holder, &still_sent] {
        world.sim.apply(Change::Terminate { employee_id: person.id.clone(), date: today() - chrono::Duration::days(60) });
    }
    world.sync();
    let laptop = |serial: &str| NewDevice { kind: "laptop".into(), model: "X1".into(), serial_number: serial.into() };
    world.engine.add_device(&laptop("SN-RET-1"), now()).unwrap();
    world.engine.assign_device("SN-RET-1", &email(&holder), today() - chrono::Duration::days(400), now()).unwrap();
    world.engine.add_device(&laptop("SN-RET-2"), now()).unwrap();
    world.engine.assign_device("SN-RET-2", &email(&gone), today() - chrono::Duration::days(400), now()).unwrap();
    world.engine.take_back_device("SN-RET-2", today() - chrono::Duration::days(70), now()).unwrap();
    // Deleted in HR: no source returns them any more. `still_sent` stays in HR, as most HR
    // systems keep people who left.
    world.sim.apply(Change::Delete { employee_id: gone.id.clone() });
    world.engine.save_settings(&Settings { retention_days: 30, ..Settings::default() }, now()).unwrap();
    let full = SyncRequest { full: true, ..SyncRequest::default() };
    let later = now() + chrono::Duration::hours(1);
    world.sim.set_clock(later);
    world.engine.sync(SOURCE, later, full.clone()).unwrap();

    let all = world.emails(roster_engine::model::View::All, true);
    assert!(!all.contains(&email(&gone)), "someone who left 60 days ago, past a 30-day retention and gone from HR, is erased");
    assert!(!all.contains(&email(&still_sent)), "someone who left as long ago is erased though HR still returns them");
    assert!(!any_file_contains(world.dir.path(), &email(&gone)), "the erasure leaves no bytes in clear");
    assert!(all.contains(&email(&holder)), "someone who still holds a device is kept");
    let logged: i64 = world
        .engine
        .store()
        .conn()
        .query_row("SELECT count(*) FROM change_log WHERE employee_id IS NULL AND action LIKE 'erased after the 30-day retention: % people'", (), |r| r.get(0))
        .unwrap();
    assert_eq!(logged, 1, "the erasure is recorded in the history, naming no one");
    let (_, history) = world.engine.device_history("SN-RET-2").unwrap();
    assert_eq!(history.len(), 1, "the device keeps its past hand-over");
    assert_eq!((history[0].holder_id, history[0].holder.as_deref()), (None, None), "held by a former employee, unnamed");
    assert_eq!(history[0].returned_on, Some((today() - chrono::Duration::days(70)).to_string()));

    let count = world.count_employees();
    let again = later + chrono::Duration::hours(1);
    world.sim.set_clock(again);
    let report = world.engine.sync(SOURCE, again, full.clone()).unwrap();
    assert_eq!(report.counts.created, 0, "the next read skips the record retention erased: {report:?}");
    assert!(!world.emails(roster_engine::model::View::All, true).contains(&email(&still_sent)));
    assert_eq!(world.count_employees(), count);

    // HR moves the person's end date into the retention period (a rehire, a corrected date):
    // someone to manage again.
    world.sim.apply(Change::Terminate { employee_id: still_sent.id.clone(), date: today() + chrono::Duration::days(30) });
    let rehired = again + chrono::Duration::hours(1);
    world.sim.set_clock(rehired);
    world.engine.sync(SOURCE, rehired, full).unwrap();
    assert!(
        world.emails(roster_engine::model::View::All, true).contains(&email(&still_sent)),
        "a record back within the retention period is managed again"
    );
}

#[test]
fn erasing_people_discards_a_held_plan_that_carries_their_values() {
    use roster_engine::store::settings::Settings;
    use roster_engine::sync::{Outcome, SyncRequest};
    use roster_simulator::Change;

    use crate::harness::{now, today, SOURCE};

    let mut world = World::new(66, 40);
    world.engine.save_settings(&Settings { retention_days: 0, ..Settings::default() }, now()).unwrap();
    let person = world.remote(|e| e.work_email.is_some() && e.termination_date.is_none());
    world.sim.apply(Change::Terminate { employee_id: person.id.clone(), date: today() - chrono::Duration::days(60) });
    world.sync();
    // A fifth of the company gone at once: the mass-change guard holds the plan.
    let victims: Vec<_> =
        world.sim.employees().into_iter().filter(|e| e.id != person.id && e.termination_date.is_none()).take(8).collect();
    for victim in victims {
        world.sim.apply(Change::Delete { employee_id: victim.id });
    }
    let later = now() + chrono::Duration::hours(1);
    world.sim.set_clock(later);
    let held = world.engine.sync(SOURCE, later, SyncRequest { full: true, ..SyncRequest::default() }).unwrap();
    assert_eq!(held.outcome, Outcome::Held);
    let run = held.run_id.unwrap();

    world.engine.save_settings(&Settings { retention_days: 30, ..Settings::default() }, now()).unwrap();
    assert!(world.engine.apply_retention(later).unwrap() >= 1);
    assert!(!world.emails(roster_engine::model::View::All, true).contains(&email(&person)));
    let outcome: String =
        world.engine.store().conn().query_row("SELECT outcome FROM sync_runs WHERE id = ?1", [run], |r| r.get(0)).unwrap();
    assert_eq!(outcome, "discarded", "a plan made before the erasure could write the person back");
    let plans: i64 = world.engine.store().conn().query_row("SELECT count(*) FROM held_plans", (), |r| r.get(0)).unwrap();
    assert_eq!(plans, 0, "and its values are gone with it");
}

#[test]
fn a_retention_of_zero_keeps_everyone() {
    use roster_engine::store::settings::Settings;
    use roster_engine::sync::SyncRequest;
    use roster_simulator::Change;

    use crate::harness::{now, today, SOURCE};

    let mut world = World::new(65, 20);
    world.engine.save_settings(&Settings { retention_days: 0, ..Settings::default() }, now()).unwrap();
    let person = world.remote(|e| e.work_email.is_some() && e.termination_date.is_none());
    world.sim.apply(Change::Terminate { employee_id: person.id.clone(), date: today() - chrono::Duration::days(3000) });
    world.sync();
    world.sim.apply(Change::Delete { employee_id: person.id.clone() });
    let later = now() + chrono::Duration::hours(1);
    world.sim.set_clock(later);
    world.engine.sync(SOURCE, later, SyncRequest { full: true, ..SyncRequest::default() }).unwrap();
    assert!(
        world.emails(roster_engine::model::View::All, true).contains(&email(&person)),
        "0 days means people are never erased"
    );
}

#[test]
fn a_first_sync_leaves_out_people_who_left_before_the_retention_period_and_still_sees_departed_people() {
    use roster_engine::store::settings::Settings;

    use crate::harness::{now, today};

    // A retention of one day: nearly everyone who left is past it, so only the people skipped can
    // tell the permission check that this source returns departed people.
    let mut world = World::new(67, 120);
    world.engine.save_settings(&Settings { retention_days: 1, ..Settings::default() }, now()).unwrap();
    let cutoff = today() - chrono::Duration::days(1);
    let left_long_ago: Vec<String> = world
        .sim
        .employees()
        .iter()
        .filter(|e| {
            e.termination_date.is_some_and(|d| d.date_naive() < cutoff) && e.remote_deleted_at.is_none() && e.work_email.is_some()
        })
        .map(email)
        .collect();
    assert!(!left_long_ago.is_empty(), "the simulated company has people who left over a year ago");
    let report = world.sync();
    let all = world.emails(roster_engine::model::View::All, true);
    let imported: Vec<&String> = left_long_ago.iter().filter(|e| all.contains(e)).collect();
    assert!(imported.is_empty(), "retention would erase them at once: they are never imported: {imported:?}");
    assert!(
        !report.warnings.iter().any(|w| w.contains("departed") || w.contains("left")),
        "the people skipped count as departed people returned: no missing-permission warning: {:?}",
        report.warnings
    );
}

/// The last name and work email given to one synced person, names no one else has: the search
/// index stores each term once, so a shared name would stay for the others anyway.
const UNIQUE_NAME: &str = "Quazzelbrink";
const UNIQUE_EMAIL: &str = "yorvanth.quazzelbrink@quillon.example";

/// A synced directory in which one person has [`UNIQUE_NAME`] and [`UNIQUE_EMAIL`].
fn world_with_a_uniquely_named_person(seed: u64) -> (World, roster_simulator::Employee) {
    use roster_simulator::{Change, EditableField};

    let mut world = World::new(seed, 30);
    let person = world.remote(|e| e.work_email.is_some());
    for (field, value) in [(EditableField::LastName, UNIQUE_NAME), (EditableField::WorkEmail, UNIQUE_EMAIL)] {
        world.sim.apply(Change::Edit { employee_id: person.id.clone(), field, value: Some(value.into()) });
    }
    world.sync();
    assert!(
        crate::stored_rows::stored_rows_contain(world.dir.path(), "yorvanth"),
        "the search index holds the email's name before the erasure (else the test proves nothing)"
    );
    (world, person)
}

/// Neither the person's name nor email is in any stored row (the full-text index's segments
/// included), and the write-ahead log that held the pages from before is empty.
fn assert_nothing_left_of_the_unique_person(dir: &Path) {
    for needle in [UNIQUE_NAME, UNIQUE_EMAIL, "yorvanth", "quazzelbrink"] {
        assert!(
            !crate::stored_rows::stored_rows_contain(dir, needle),
            "no stored row, the full-text index's segments included, holds {needle:?} after the erasure"
        );
    }
    let wal = std::fs::metadata(dir.join("roster.db-wal")).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal, 0, "the write-ahead log, which held the pages from before the erasure, is emptied");
}

#[test]
fn an_erased_person_leaves_no_name_in_the_search_index_nor_in_the_write_ahead_log() {
    use roster_engine::sync::SyncRequest;
    use roster_simulator::Change;

    use crate::harness::{now, SOURCE};

    let (mut world, person) = world_with_a_uniquely_named_person(66);
    world.sim.apply(Change::Delete { employee_id: person.id.clone() });
    let later = now() + chrono::Duration::hours(1);
    world.sim.set_clock(later);
    world.engine.sync(SOURCE, later, SyncRequest { full: true, ..SyncRequest::default() }).unwrap();

    world.engine.erase_person(UNIQUE_EMAIL, later).expect("someone no source returns can be erased");
    assert_nothing_left_of_the_unique_person(world.dir.path());
}

#[test]
fn disconnecting_a_source_with_erase_leaves_no_name_in_the_search_index() {
    let (mut world, _) = world_with_a_uniquely_named_person(68);
    world.engine.remove_source(crate::harness::SOURCE, true, crate::harness::now()).unwrap();
    assert_nothing_left_of_the_unique_person(world.dir.path());
}

#[test]
fn an_erasure_that_cannot_clear_the_write_ahead_log_says_so() {
    // SQLite's write-ahead log: PostgreSQL keeps no such file here.
    use roster_engine::sync::SyncRequest;
    use roster_simulator::Change;

    use crate::harness::{now, SOURCE};

    let mut world = World::on_sqlite(67, 20);
    world.sync();
    let person = world.remote(|e| e.work_email.is_some());
    world.sim.apply(Change::Delete { employee_id: person.id.clone() });
    let later = now() + chrono::Duration::hours(1);
    world.sim.set_clock(later);
    world.engine.sync(SOURCE, later, SyncRequest { full: true, ..SyncRequest::default() }).unwrap();

    // Another window reading the directory holds the log's old pages (with the person) in use.
    let mut reader = roster_engine::store::Store::open(world.dir.path()).unwrap();
    let reading = reader.conn_mut().begin().unwrap();
    let _: i64 = reading.query_row("SELECT count(*) FROM employees", (), |r| r.get(0)).unwrap();
    let erased = world.engine.erase_person(&email(&person), later);
    assert!(
        matches!(erased, Err(roster_engine::Error::ErasureNotFlushed)),
        "an erasure whose old copy stays in the write-ahead log is reported, not passed off as done: {erased:?}"
    );
    drop(reading);
    assert!(!world.emails(roster_engine::model::View::All, true).contains(&email(&person)), "the person is erased all the same");
}
