//! The Overview: starts and leaves of the next eight weeks by legal entity, placed by where each
//! person works; hidden people left out; checklist steps due; devices to recover; sources' health.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use roster_engine::model::View;
use roster_engine::store::checklists::{ChecklistQuery, ChecklistStep};
use roster_engine::store::devices::NewDevice;
use roster_engine::{EntityPeople, OVERVIEW_STEPS, TIMELINE_WEEKS};
use roster_simulator::{Change, EmploymentStatus, EmploymentType};

use crate::harness::{now, World};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn hire(world: &World, last_name: &str, entity: &str, start: &str) -> String {
    world.hire(last_name, entity, date(start), EmploymentType::FullTime)
}

/// The weeks' people among `ours` (id → name), by legal entity: the simulated company has other
/// starters and leavers too.
fn ours(groups: &[EntityPeople], names: &BTreeMap<i64, String>) -> Vec<(String, Vec<String>)> {
    groups
        .iter()
        .map(|g| (g.legal_entity.clone(), g.people.iter().filter_map(|id| names.get(id).cloned()).collect::<Vec<_>>()))
        .filter(|(_, people)| !people.is_empty())
        .collect()
}

fn group(entity: &str, names: &[&str]) -> (String, Vec<String>) {
    (entity.to_owned(), names.iter().map(|n| (*n).to_owned()).collect())
}

#[test]
fn starts_are_counted_by_week_and_legal_entity_where_the_person_works_and_hidden_people_stay_out() {
    let mut world = World::new(161, 30);
    let people = [
        ("Sunberlin", "Quillon GmbH", "2026-11-29"),
        ("Sunyork", "Quillon Inc.", "2026-11-29"),
        ("Monberlin", "Quillon GmbH", "2026-11-30"),
        ("Paris", "Quillon SAS", "2026-12-08"),
        ("Berlin", "Quillon GmbH", "2026-12-09"),
        ("Hidden", "Quillon GmbH", "2026-12-09"),
        ("Later", "Quillon GmbH", "2027-03-01"),
    ];
    let emails: Vec<String> = people.iter().map(|(name, entity, start)| hire(&world, name, entity, start)).collect();
    world.sync();
    world.engine.set_hidden(&emails[5], true, now()).unwrap();
    let names: BTreeMap<i64, String> = people
        .iter()
        .zip(&emails)
        .map(|((name, ..), email)| (world.engine.find_employee(email).unwrap(), (*name).to_owned()))
        .collect();

    // Sunday 23:30 UTC: Monday 00:30 in Berlin, still Sunday evening in New York.
    let at: DateTime<Utc> = "2026-11-29T23:30:00Z".parse().unwrap();
    let overview = world.engine.overview(date("2026-11-30"), at).unwrap();
    assert_eq!(overview.weeks.len(), TIMELINE_WEEKS, "eight weeks");
    let mondays: Vec<&str> = overview.weeks.iter().map(|w| w.monday.as_str()).collect();
    assert_eq!(mondays[..3], ["2026-11-30", "2026-12-07", "2026-12-14"], "weeks run Monday to Sunday from this one");

    assert_eq!(
        ours(&overview.weeks[0].starts, &names),
        vec![group("Quillon GmbH", &["Monberlin"]), group("Quillon Inc.", &["Sunyork"])],
        "this week: a Sunday start is still to come in New York (where it is Sunday), not in Berlin (where Monday began)"
    );
    assert_eq!(
        ours(&overview.weeks[1].starts, &names),
        vec![group("Quillon GmbH", &["Berlin"]), group("Quillon SAS", &["Paris"])],
        "next week, by legal entity in name order; the hidden starter is left out"
    );
    let everywhere: Vec<String> =
        overview.weeks.iter().flat_map(|w| ours(&w.starts, &names)).flat_map(|(_, people)| people).collect();
    assert!(!everywhere.contains(&"Later".to_owned()), "a start beyond eight weeks is not on the timeline");
    assert!(!everywhere.contains(&"Hidden".to_owned()), "hidden people are excluded from every week");
    assert!(
        overview.overdue.iter().chain(&overview.due_this_week).all(|s| s.person != "New Hidden"),
        "nor are a hidden person's steps listed"
    );
}

#[test]
fn leaves_steps_due_and_devices_to_recover_are_listed() {
    let mut world = World::new(162, 40);
    let leaver = world.remote(|e| {
        e.employment_status == Some(EmploymentStatus::Active) && e.termination_date.is_none() && e.work_email.is_some()
    });
    world.sim.apply(Change::Terminate { employee_id: leaver.id.clone(), date: date("2026-12-03") });
    hire(&world, "Soon", "Quillon Ltd", "2026-12-01");
    world.sync();
    let leaver_email = leaver.work_email.clone().unwrap();
    let leaver_id = world.engine.find_employee(&leaver_email).unwrap();

    let overview = world.engine.overview(date("2026-11-25"), now()).unwrap();
    let leaving: Vec<i64> = overview.weeks[1].leaves.iter().flat_map(|g| g.people.clone()).collect();
    assert!(leaving.contains(&leaver_id), "a leaver on 3 December is in the week of 30 November: {:?}", overview.weeks[1]);

    let overdue: Vec<&str> = overview.overdue.iter().filter(|s| s.person == "New Soon").map(|s| s.title.as_str()).collect();
    assert_eq!(overdue, ["Order equipment", "Ship to home address"], "due 17 and 24 November, open on the 25th: overdue");
    let this_week: Vec<&str> =
        overview.due_this_week.iter().filter(|s| s.person == "New Soon").map(|s| s.title.as_str()).collect();
    assert_eq!(this_week, ["Create accounts"], "due on Saturday 28 November: due this week, not yet overdue");

    let device = |serial: &str| NewDevice { kind: "laptop".into(), model: "X1".into(), serial_number: serial.into() };
    world.engine.add_device(&device("SN-LEAVER"), now()).unwrap();
    world.engine.add_device(&device("SN-STAYER"), now()).unwrap();
    let stayer = world.list(View::Active, false).into_iter().find(|e| e.termination_date.is_none()).unwrap();
    world.engine.assign_device("SN-LEAVER", &leaver_email, date("2025-01-01"), now()).unwrap();
    world.engine.assign_device("SN-STAYER", &stayer.work_email.unwrap(), date("2025-01-01"), now()).unwrap();
    let overview = world.engine.overview(date("2026-11-25"), now()).unwrap();
    let serials: Vec<(&str, bool)> =
        overview.devices_to_recover.iter().map(|d| (d.device.serial_number.as_str(), d.left)).collect();
    assert_eq!(serials, [("SN-LEAVER", false)], "the leaver's laptop is to recover (they have not left yet); a stayer's is not");

    world.engine.set_hidden(&leaver_email, true, now()).unwrap();
    let overview = world.engine.overview(date("2026-11-25"), now()).unwrap();
    assert!(overview.devices_to_recover.is_empty(), "a hidden leaver's devices are not listed");
    assert_eq!(overview.sources.len(), 1, "one source");
    let source = &overview.sources[0];
    assert!(source.last_sync.is_some() && source.held_run.is_none() && source.last_error.is_none(), "{source:?}");
}

#[test]
fn a_large_companys_steps_due_are_all_counted_and_the_first_listed() {
    let mut world = World::new(181, 2000);
    world.sync();
    let overview = world.engine.overview(date("2026-11-25"), now()).unwrap();
    let due_by_sunday = ChecklistQuery { due_before: Some(date("2026-11-30")), ..ChecklistQuery::default() };
    let (overdue, this_week): (Vec<ChecklistStep>, Vec<ChecklistStep>) =
        world.engine.checklist(&due_by_sunday, now()).unwrap().into_iter().partition(|s| s.overdue);
    assert!(overdue.len() > OVERVIEW_STEPS, "the company has more overdue steps than a screen lists: {}", overdue.len());
    assert_eq!(
        (overview.overdue_count as usize, overview.due_this_week_count as usize),
        (overdue.len(), this_week.len()),
        "every step due is counted"
    );
    let ids = |steps: &[ChecklistStep]| steps.iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(ids(&overview.overdue), ids(&overdue[..OVERVIEW_STEPS]), "the earliest overdue steps are listed");
    assert_eq!(ids(&overview.due_this_week), ids(&this_week[..this_week.len().min(OVERVIEW_STEPS)]));
}
