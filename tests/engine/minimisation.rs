//! Data minimisation: only the brief's fields are kept, and optional ones can be switched off.

use roster_engine::model::Field;
use roster_engine::sync::SyncRequest;

use crate::harness::{now, World, SOURCE};

fn files_contain(world: &World, needle: &str) -> bool {
    std::fs::read_dir(world.dir.path()).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).any(|p| {
        let bytes = std::fs::read(p).unwrap();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}

#[test]
fn optional_fields_switched_off_are_neither_stored_nor_kept() {
    let mut world = World::new(41, 40);
    world.sync();
    let people = world.sim.employees();
    let personal: Vec<String> = people.iter().filter_map(|e| e.personal_email.clone()).collect();
    let streets: Vec<String> = people.iter().filter_map(|e| e.home_address.as_ref()?.street_1.clone()).collect();
    assert!(!personal.is_empty() && !streets.is_empty(), "the simulator sends personal emails and home addresses");
    let stored: i64 = world
        .engine
        .store()
        .conn()
        .query_row("SELECT count(*) FROM employees WHERE personal_email IS NOT NULL", [], |r| r.get(0))
        .unwrap();
    assert!(stored > 0, "switched on (the default), optional fields are kept");

    world.engine.set_optional_field(SOURCE, Field::PersonalEmail, false, now()).unwrap();
    world.engine.set_optional_field(SOURCE, Field::HomeAddress, false, now()).unwrap();
    let (emails, addresses): (i64, i64) = world
        .engine
        .store()
        .conn()
        .query_row("SELECT count(personal_email), count(home_address) FROM employees", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((emails, addresses), (0, 0), "switching a field off erases what was stored at once");

    let report = world.engine.sync(SOURCE, now() + chrono::Duration::hours(1), SyncRequest::default()).unwrap();
    assert!(report.full_read, "a settings change makes the next sync read everything");
    for value in personal.iter().chain(&streets) {
        assert!(!files_contain(&world, value), "{value:?} is switched off: it is neither stored nor kept");
    }
    let modes = world.engine.field_modes(SOURCE).unwrap();
    assert!(!modes.iter().find(|m| m.field == Field::PersonalEmail).unwrap().enabled);
    assert!(
        world.engine.set_optional_field(SOURCE, Field::WorkEmail, false, now()).is_err(),
        "only the brief's optional fields can be switched off"
    );
}
