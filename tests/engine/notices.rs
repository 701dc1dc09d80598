//! Desktop notices: the starters of the coming week who hold no device yet, in one notification
//! for them all, each announced once.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use roster_engine::store::devices::NewDevice;
use roster_simulator::EmploymentType;

use crate::harness::{now, today, World};

fn hire(world: &World, last_name: &str, start: NaiveDate) -> String {
    world.hire(last_name, "Quillon GmbH", start, EmploymentType::FullTime)
}

#[test]
fn the_weeks_starters_without_a_device_are_announced_together_and_each_only_once() {
    let mut world = World::new(173, 30);
    let soon = hire(&world, "Soon", today() + Duration::days(2));
    let equipped = hire(&world, "Equipped", today() + Duration::days(3));
    hire(&world, "Later", today() + Duration::days(20));
    world.sync();
    let laptop = NewDevice { kind: "laptop".into(), model: "X1".into(), serial_number: "SN-EQ".into() };
    world.engine.add_device(&laptop, now()).unwrap();
    world.engine.assign_device("SN-EQ", &equipped, today(), now()).unwrap();
    let by = today() + Duration::days(7);
    // The simulated company has starters of its own: the notice is about every one of them.
    let expected: Vec<String> = world
        .list(roster_engine::model::View::Onboardings, false)
        .into_iter()
        .filter(|r| r.devices == 0 && r.start_date.as_deref().is_some_and(|d| d <= by.to_string().as_str()))
        .map(|r| r.work_email.unwrap_or_default())
        .collect();
    assert!(expected.contains(&soon) && !expected.contains(&equipped), "{expected:?}");

    let mut announced = HashSet::new();
    let notice = world.engine.starters_without_device(today(), now(), &mut announced).unwrap().expect("a notice");
    if expected.len() == 1 {
        let start = today() + Duration::days(2);
        assert_eq!(notice.title, format!("New Soon starts on {start} and has no device yet"), "{notice:?}");
    } else {
        assert_eq!(notice.title, format!("{} people start by {by} and have no device yet", expected.len()), "{notice:?}");
        let named = notice.body.lines().filter(|l| !l.starts_with("and ")).count();
        assert_eq!(named, expected.len().min(5), "at most five are named: {notice:?}");
    }
    assert!(!notice.body.contains("Equipped") && !notice.body.contains("Later"), "{notice:?}");
    assert_eq!(announced.len(), expected.len(), "each starter is remembered as announced");
    assert_eq!(
        world.engine.starters_without_device(today(), now(), &mut announced).unwrap(),
        None,
        "the next minute announces no one again"
    );

    let start = today() + Duration::days(1);
    hire(&world, "Newcomer", start);
    world.sync();
    let notice = world.engine.starters_without_device(today(), now(), &mut announced).unwrap().expect("the newcomer's notice");
    assert_eq!(notice.title, format!("New Newcomer starts on {start} and has no device yet"), "only the newcomer: {notice:?}");
}
