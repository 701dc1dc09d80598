//! Reservations: a device in stock kept for one person is suggested to them only, until it is
//! handed to them, the reservation is cancelled or the person is erased.

use chrono::{Duration, NaiveDate};
use roster_engine::model::Filters;
use roster_engine::store::device_rules::NewDeviceRule;
use roster_engine::store::devices::{Device, NewDevice};
use roster_engine::sync::SyncRequest;
use roster_engine::EquipmentSuggestion;
use roster_simulator::{Change, EmploymentType};

use crate::harness::{now, World, SOURCE};

/// A rule that suggests everyone a MacBook Air 13, and `serials` of them in stock.
fn laptops(world: &mut World, serials: &[&str]) {
    let rule = NewDeviceRule { filters: Filters::default(), kind: "laptop".into(), model: "MacBook Air 13".into() };
    world.engine.add_device_rule(&rule, now()).expect("the rule is added");
    stock(world, serials);
}

fn stock(world: &mut World, serials: &[&str]) {
    for serial in serials {
        let device = NewDevice { kind: "laptop".into(), model: "MacBook Air 13".into(), serial_number: (*serial).into() };
        world.engine.add_device(&device, now()).expect("the device is added");
    }
}

fn laptop(world: &World, who: &str) -> EquipmentSuggestion {
    let all = world.engine.equipment(who).unwrap();
    assert_eq!(all.len(), 1, "one suggestion for {who}: {all:?}");
    all.into_iter().next().unwrap()
}

/// What the suggestion offers: (reserved, free).
fn offered(world: &World, who: &str) -> (Option<String>, Option<String>) {
    let suggestion = laptop(world, who);
    (suggestion.reserved, suggestion.free)
}

fn device(world: &World, serial: &str) -> Device {
    world.engine.devices(None).unwrap().into_iter().find(|d| d.serial_number == serial).expect("the device is listed")
}

fn logged(world: &World, who: &str, action: &str) -> Vec<Option<String>> {
    let history = world.engine.profile(who, now()).unwrap().history;
    history.into_iter().filter(|e| e.action == action).map(|e| e.new_value).collect()
}

fn some(serial: &str) -> Option<String> {
    Some(serial.to_owned())
}

#[test]
fn a_device_reserved_for_one_starter_is_no_longer_offered_to_another_until_the_reservation_ends() {
    let mut world = World::new(161, 20);
    let start = NaiveDate::from_ymd_opt(2026, 12, 14).unwrap();
    let ada = world.hire("Ada", "Quillon SAS", start, EmploymentType::FullTime);
    let bob = world.hire("Bob", "Quillon SAS", start, EmploymentType::FullTime);
    world.sync();
    laptops(&mut world, &["SN-1"]);
    assert_eq!(offered(&world, &ada), (None, some("SN-1")), "before any reservation, the free laptop is offered to Ada");
    assert_eq!(offered(&world, &bob), (None, some("SN-1")), "and to Bob: nothing keeps it for either yet");

    let reserved = world.engine.reserve_device("SN-1", &ada, now()).expect("a free device can be reserved");
    assert_eq!(reserved.reserved_for.as_deref(), Some("New Ada"), "the device says whom it is reserved for");
    assert_eq!(reserved.status, "in_stock", "a reserved device is still in stock, not handed over");
    assert_eq!(offered(&world, &ada), (some("SN-1"), None), "Ada sees the laptop reserved for her");
    assert_eq!(offered(&world, &bob), (None, None), "Bob is no longer offered the laptop reserved for Ada");
    assert_eq!(
        logged(&world, &ada, "device_reserved"),
        vec![some("laptop MacBook Air 13 (SN-1)")],
        "Ada's history records the reservation"
    );
    world.engine.reserve_device("SN-1", &ada, now()).expect("reserving it again for the same person is harmless");
    assert_eq!(logged(&world, &ada, "device_reserved").len(), 1, "and records nothing more");

    let other = world.engine.reserve_device("SN-1", &bob, now()).expect_err("a device is promised to one person");
    assert!(other.to_string().contains("reserved for New Ada"), "the refusal names the person: {other}");
    let on = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    assert!(world.engine.assign_device("SN-1", &bob, on, now()).is_err(), "nor can it be handed to someone else");

    stock(&mut world, &["SN-2"]);
    assert_eq!(offered(&world, &bob), (None, some("SN-2")), "Bob is offered the next free laptop");
    assert_eq!(offered(&world, &ada), (some("SN-1"), None), "Ada keeps hers");

    let released = world.engine.unreserve_device("SN-1", now()).expect("a reservation can be cancelled");
    assert_eq!(released.reserved_for, None, "the device is reserved for no one");
    assert_eq!(offered(&world, &bob), (None, some("SN-1")), "the released laptop is free again, the lowest serial first");
    assert_eq!(
        logged(&world, &ada, "device_unreserved"),
        vec![some("laptop MacBook Air 13 (SN-1)")],
        "the cancellation is recorded"
    );
    assert!(world.engine.unreserve_device("SN-1", now()).is_err(), "a device reserved for no one has no reservation to cancel");

    world.engine.reserve_device("SN-1", &ada, now()).unwrap();
    let handed = world.engine.assign_device("SN-1", &ada, on, now()).expect("the hand-over to the person it is kept for");
    assert_eq!(
        (handed.holder.as_deref(), handed.reserved_for.as_deref(), handed.status.as_str()),
        (Some("New Ada"), None, "assigned"),
        "the hand-over turns the reservation into a normal assignment"
    );
    let suggestion = laptop(&world, &ada);
    assert_eq!((suggestion.held, suggestion.reserved), (some("SN-1"), None), "Ada holds the laptop now");
    let held = world.engine.reserve_device("SN-1", &bob, now()).expect_err("a held device cannot be reserved");
    assert!(held.to_string().contains("was handed to New Ada"), "{held}");
}

#[test]
fn erasing_a_person_releases_the_device_reserved_for_them() {
    let mut world = World::new(162, 20);
    world.sync();
    let person = world.remote(|e| e.work_email.is_some());
    let email = person.work_email.clone().unwrap();
    laptops(&mut world, &["SN-9"]);
    world.engine.reserve_device("SN-9", &email, now()).unwrap();
    assert!(device(&world, "SN-9").reserved_for.is_some(), "the laptop is reserved before the erasure");

    world.sim.apply(Change::Delete { employee_id: person.id.clone() });
    let later = now() + Duration::hours(1);
    world.sim.set_clock(later);
    world.engine.sync(SOURCE, later, SyncRequest { full: true, ..SyncRequest::default() }).unwrap();
    world.engine.erase_person(&email, later).expect("someone no source returns can be erased");

    let released = device(&world, "SN-9");
    assert_eq!(
        (released.reserved_for_id, released.reserved_for),
        (None, None),
        "erasing the person clears the reservation: the device names no one erased"
    );
    let colleague = world.list(roster_engine::model::View::Active, false)[0].work_email.clone().unwrap();
    assert_eq!(offered(&world, &colleague), (None, some("SN-9")), "and it is free for anyone again");
}
