//! Checklists: every onboarding and offboarding gets its template's steps, due where the person
//! works; steps follow HR's moved dates and close, never vanish, when a start is cancelled.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use roster_engine::model::{Filters, View};
use roster_engine::store::checklists::{ChecklistQuery, ChecklistStep, Template, TemplateStep};
use roster_simulator::{Change, EditableField, EmploymentType, NewHire};

use crate::harness::{now, World};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Hires someone starting on `start` in the legal entity of `country`; returns their HR id.
fn hire(world: &World, last_name: &str, country: &str, start: NaiveDate) -> String {
    let entity = world
        .sim
        .legal_entities()
        .into_iter()
        .find(|e| e.address.as_ref().and_then(|a| a.country.as_deref()) == Some(country))
        .expect("the simulated company has an entity in that country")
        .id;
    let email = format!("starts.{}@quillon.example", last_name.to_lowercase());
    world.sim.apply(Change::Hire(NewHire {
        first_name: "Starts".into(),
        last_name: last_name.into(),
        work_email: Some(email.clone()),
        start_date: Some(start),
        legal_entity_id: Some(entity),
        employment_type: EmploymentType::FullTime,
        job_title: None,
    }));
    world.remote(|e| e.work_email.as_deref() == Some(email.as_str())).id
}

fn steps_of(world: &World, who: &str, at: DateTime<Utc>) -> Vec<ChecklistStep> {
    let employee_id = world.engine.find_employee(who).expect("the person is in the directory");
    let query = ChecklistQuery { employee_id: Some(employee_id), ..ChecklistQuery::default() };
    world.engine.checklist(&query, at).unwrap()
}

fn step<'a>(steps: &'a [ChecklistStep], title: &str) -> &'a ChecklistStep {
    steps.iter().find(|s| s.title == title).unwrap_or_else(|| panic!("a step \"{title}\" in {steps:?}"))
}

/// Rows of the person's steps in the database, closed ones included: (title, closed reason).
fn stored_steps(world: &World, who: &str) -> Vec<(String, Option<String>)> {
    let employee_id = world.engine.find_employee(who).unwrap();
    let conn = world.engine.store().conn();
    conn.query_map("SELECT title, closed FROM checklist_steps WHERE employee_id = ?1 ORDER BY position", [employee_id], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .unwrap()
}

fn history_actions(world: &World, who: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let profile = world.engine.profile(who, now()).unwrap();
    profile.history.into_iter().map(|h| (h.action, h.old_value, h.new_value)).collect()
}

#[test]
fn every_onboarding_gets_the_default_steps_due_by_the_start_date_where_the_person_works() {
    let mut world = World::new(141, 30);
    let start = date("2026-12-10");
    hire(&world, "Berlin", "DE", start);
    hire(&world, "Newyork", "US", start);
    world.sync();

    let steps = steps_of(&world, "Starts Berlin", now());
    let due: Vec<(&str, String)> = steps.iter().map(|s| (s.title.as_str(), s.due_date.clone())).collect();
    assert_eq!(
        due,
        vec![
            ("Order equipment", "2026-11-26".to_owned()),
            ("Ship to home address", "2026-12-03".to_owned()),
            ("Create accounts", "2026-12-07".to_owned()),
            ("Enrol device", "2026-12-09".to_owned()),
            ("Welcome on day one", "2026-12-10".to_owned()),
        ],
        "the onboarding template's steps fall due their offset in days before the start date"
    );
    assert!(steps.iter().all(|s| !s.overdue && !s.due_today), "on the 25th nothing is due yet: {steps:?}");

    // 23:30 UTC on the 26th: already the 27th in Berlin, still the 26th in New York.
    let late = at("2026-11-26T23:30:00Z");
    let berlin = step(&steps_of(&world, "Starts Berlin", late), "Order equipment").clone();
    let new_york = step(&steps_of(&world, "Starts Newyork", late), "Order equipment").clone();
    assert_eq!(new_york.due_date, berlin.due_date, "both start on the same calendar date, so the step is due the same date");
    assert!(berlin.overdue && !berlin.due_today, "in Berlin the due date has passed: overdue");
    assert!(new_york.due_today && !new_york.overdue, "in New York it is still the due date: due today, not overdue");
    let overdue: Vec<(i64, u32)> = world
        .engine
        .checklist_progress(View::Onboardings, late)
        .unwrap()
        .into_iter()
        .map(|p| (p.employee_id, p.overdue))
        .collect();
    assert!(overdue.contains(&(berlin.employee_id, 1)), "the progress counts Berlin's overdue step: {overdue:?}");
    assert!(overdue.contains(&(new_york.employee_id, 0)), "and none for New York: {overdue:?}");

    let later = at("2026-11-27T01:00:00Z");
    let due_before = ChecklistQuery { due_before: Some(date("2026-11-27")), ..ChecklistQuery::default() };
    let people: BTreeSet<String> = world.engine.checklist(&due_before, later).unwrap().into_iter().map(|s| s.person).collect();
    assert!(
        people.contains("Starts Berlin") && people.contains("Starts Newyork"),
        "the open steps due before a date are listed across people: {people:?}"
    );

    // Once the start day has come the person is Active, and their checklist stays until done.
    world.sync_at(at("2026-12-10T12:00:00Z"));
    let steps = steps_of(&world, "Starts Berlin", at("2026-12-10T12:00:00Z"));
    assert_eq!(steps.len(), 5, "a starter keeps their checklist from day one on");
    assert!(step(&steps, "Welcome on day one").due_today, "the welcome is due on the start date");
    assert!(step(&steps, "Enrol device").overdue, "a step left open past its date is overdue");
}

#[test]
fn every_offboarding_gets_the_offboarding_steps_and_hidden_people_get_none() {
    let mut world = World::new(142, 30);
    world.sync();
    let leaving = world.list(View::Offboardings, false);
    let leaver = leaving
        .iter()
        .find(|e| e.termination_date.as_deref().is_some_and(|d| d[..10] > *"2026-11-25"))
        .expect("the simulated company has someone leaving");
    let who = leaver.work_email.clone().unwrap();
    let end = date(&leaver.termination_date.as_deref().unwrap()[..10]);
    let steps = steps_of(&world, &who, now());
    let due: Vec<(&str, NaiveDate)> = steps.iter().map(|s| (s.title.as_str(), date(&s.due_date))).collect();
    assert_eq!(
        due,
        vec![("Recover devices", end), ("Revoke accounts", end), ("Wipe devices", end + Duration::days(3))],
        "the offboarding template's steps fall due from the end date"
    );
    let progress = world.engine.checklist_progress(View::Offboardings, now()).unwrap();
    assert!(
        progress.iter().any(|p| p.employee_id == leaver.id && p.done == 0 && p.total == 3 && p.overdue == 0),
        "the progress counts the person's steps: {progress:?}"
    );

    world.engine.set_hidden(&who, true, now()).unwrap();
    assert!(steps_of(&world, &who, now()).is_empty(), "a hidden person has no checklist");
    assert!(
        stored_steps(&world, &who).iter().all(|(_, closed)| closed.as_deref() == Some("no longer needed")),
        "the hidden person's steps are closed, not deleted"
    );
    world.engine.set_hidden(&who, false, now()).unwrap();
    assert_eq!(steps_of(&world, &who, now()).len(), 3, "shown again, the person gets their checklist back");
}

#[test]
fn open_steps_move_with_a_start_date_hr_moves_and_the_history_says_so() {
    let mut world = World::new(143, 30);
    let id = hire(&world, "Mover", "FR", date("2026-12-10"));
    world.sync();
    let done = world.engine.tick_step("Starts Mover", "order equipment", true, now()).unwrap();
    assert!(done.done_at.is_some(), "a ticked step is done");

    world.sim.apply(Change::Edit { employee_id: id, field: EditableField::StartDate, value: Some("2026-12-17".into()) });
    world.sync_at(now() + Duration::hours(1));

    let steps = steps_of(&world, "Starts Mover", now());
    assert_eq!(step(&steps, "Welcome on day one").due_date, "2026-12-17", "the open steps move with the start date");
    assert_eq!(step(&steps, "Ship to home address").due_date, "2026-12-10", "each keeps its offset to the new date");
    assert_eq!(step(&steps, "Order equipment").due_date, "2026-11-26", "a done step keeps the date it was due on");
    assert!(
        history_actions(&world, "Starts Mover").contains(&(
            "checklist moved with the start".to_owned(),
            Some("2026-12-10".to_owned()),
            Some("2026-12-17".to_owned())
        )),
        "the history says the checklist moved, from which date to which"
    );

    let undone = world.engine.tick_step("Starts Mover", "Order equipment", false, now()).unwrap();
    assert_eq!(
        (undone.done_at.as_deref(), undone.due_date.as_str()),
        (None, "2026-12-03"),
        "un-ticked, the step is open again and due by the current start date"
    );
    let assigned = world.engine.assign_step(undone.id, Some("Sam (IT)".into()), now()).unwrap();
    let commented = world.engine.comment_step(assigned.id, Some("laptop on back-order".into()), now()).unwrap();
    assert_eq!(
        (commented.assignee.as_deref(), commented.comment.as_deref()),
        (Some("Sam (IT)"), Some("laptop on back-order")),
        "a step is assigned to an admin and commented"
    );
}

#[test]
fn a_cancelled_start_closes_the_open_steps_as_no_longer_needed() {
    let mut world = World::new(144, 30);
    let deleted = hire(&world, "Deleted", "DE", date("2026-12-10"));
    let inactive = hire(&world, "Inactive", "DE", date("2026-12-10"));
    world.sync();
    world.engine.tick_step("Starts Deleted", "Order equipment", true, now()).unwrap();

    world.sim.apply(Change::Delete { employee_id: deleted });
    world.sim.apply(Change::Edit {
        employee_id: inactive,
        field: EditableField::EmploymentStatus,
        value: Some("INACTIVE".into()),
    });
    let changes = world.engine.reconcile_checklists(roster_engine::store::change_log::Actor::User, now()).unwrap();
    assert_eq!(changes.closed, 0, "nothing is cancelled before HR's change is synced");
    world.sync_at(now() + Duration::hours(1));
    assert_eq!(
        steps_of(&world, "Starts Deleted", now()).len(),
        5,
        "a person missing from HR keeps their checklist during the grace days (missing is not yet gone)"
    );
    world.sync_at(now() + Duration::days(8));

    for who in ["Starts Deleted", "Starts Inactive"] {
        assert!(steps_of(&world, who, now()).is_empty(), "{who}: a cancelled start leaves no open checklist");
        let stored = stored_steps(&world, who);
        assert_eq!(stored.len(), 5, "{who}: the steps are kept, not deleted");
        assert!(
            stored.iter().all(|(_, closed)| closed.as_deref() == Some("no longer needed")),
            "{who}: every step is closed as no longer needed: {stored:?}"
        );
    }
    let export = world.engine.export_person("Starts Inactive", now()).unwrap();
    assert!(
        export.checklist.len() == 5 && export.checklist.iter().all(|s| s.closed.as_deref() == Some("no longer needed")),
        "the person's data export lists their closed steps too: {:?}",
        export.checklist
    );
    assert!(
        history_actions(&world, "Starts Deleted").contains(&(
            "checklist no longer needed".to_owned(),
            None,
            Some("4 open onboarding steps closed".to_owned())
        )),
        "the history says how many open steps closed (the done one was done)"
    );
}

#[test]
fn a_template_narrowed_by_legal_entity_applies_only_to_its_people() {
    let mut world = World::new(145, 30);
    hire(&world, "Berlin", "DE", date("2026-12-10"));
    hire(&world, "London", "GB", date("2026-12-10"));
    world.sync();

    let template = Template {
        name: "German keyboards".into(),
        view: View::Onboardings,
        filters: Filters { legal_entities: ["quillon gmbh".to_owned()].into(), ..Filters::default() },
        steps: vec![TemplateStep { title: "Order a DE keyboard".into(), offset_days: -10 }],
    };
    let changes = world.engine.add_checklist_template(&template, now()).unwrap();
    assert!(changes.created >= 1, "people the new template applies to get its steps at once: {changes:?}");
    let berlin = steps_of(&world, "Starts Berlin", now());
    assert_eq!(step(&berlin, "Order a DE keyboard").due_date, "2026-11-30", "the narrowed step is due by its offset");
    assert_eq!(berlin.len(), 6, "the German starter gets both templates' steps");
    let london = steps_of(&world, "Starts London", now());
    assert_eq!(london.len(), 5, "a starter of another legal entity gets the default template only");

    let by_type = Template {
        name: "Contractors".into(),
        view: View::Onboardings,
        filters: Filters { employment_types: ["CONTRACT".to_owned()].into(), ..Filters::default() },
        steps: vec![TemplateStep { title: "Sign the NDA".into(), offset_days: -5 }],
    };
    world.engine.add_checklist_template(&by_type, now()).unwrap();
    assert_eq!(steps_of(&world, "Starts London", now()).len(), 5, "a full-time starter gets no contractor steps");

    world.engine.remove_checklist_template("German keyboards", now()).unwrap();
    assert_eq!(steps_of(&world, "Starts Berlin", now()).len(), 5, "a removed template's open steps leave the checklist");
    assert!(
        stored_steps(&world, "Starts Berlin").contains(&("Order a DE keyboard".to_owned(), Some("template removed".to_owned()))),
        "and are closed with the reason, not deleted"
    );
    let names: Vec<String> = world.engine.checklist_templates().unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, vec!["Contractors", "Onboarding", "Offboarding"], "templates list by view, then name");
}

#[test]
fn the_shipping_step_has_the_home_address_as_a_postal_label_or_says_it_is_not_collected() {
    let mut world = World::new(146, 60);
    world.sync();
    let starters = world.list(View::Onboardings, false);
    let (id, name, street) = starters
        .iter()
        .filter(|row| row.start_date.is_some())
        .find_map(|row| {
            let remote = world.sim.employees().into_iter().find(|e| e.work_email.is_some() && e.work_email == row.work_email)?;
            let street = remote.home_address.and_then(|a| a.street_1)?;
            Some((row.id, format!("{} {}", row.first_name.clone()?, row.last_name.clone()?), street))
        })
        .expect("the simulated company has a starter with a home address");

    let checklist = world.engine.person_checklist(id, now()).unwrap();
    assert_eq!(checklist.steps.len(), 5, "the profile lists the person's steps");
    assert!(checklist.home_address_collected, "the source collects the optional home address");
    let label = checklist.home_address_label.expect("the address is known");
    let lines: Vec<&str> = label.lines().collect();
    assert_eq!(lines.first(), Some(&name.as_str()), "a postal label starts with the name: {label}");
    assert!(lines.contains(&street.as_str()), "and holds the street on its own line: {label}");

    world.engine.set_optional_field(crate::harness::SOURCE, roster_engine::model::Field::HomeAddress, false, now()).unwrap();
    world.sync_at(now() + Duration::hours(1));
    let checklist = world.engine.person_checklist(id, now()).unwrap();
    assert!(
        !checklist.home_address_collected && checklist.home_address_label.is_none(),
        "with the optional field off the address is not collected, and none is shown"
    );
}

#[test]
fn one_reminder_each_morning_names_the_steps_due_today_or_overdue_unless_switched_off() {
    let mut world = World::new(147, 30);
    hire(&world, "Berlin", "DE", date("2026-12-10"));
    world.sync();
    let local = |s: &str| -> chrono::NaiveDateTime { s.parse().unwrap() };
    // "Order equipment" is due on the 26th: on the 27th, overdue.
    let on_the_27th = at("2026-11-27T09:00:00Z");
    assert_eq!(
        world.engine.checklist_reminder(local("2026-11-27T07:30:00"), on_the_27th).unwrap(),
        None,
        "no reminder before the morning"
    );
    let reminder = world
        .engine
        .checklist_reminder(local("2026-11-27T08:05:00"), on_the_27th)
        .unwrap()
        .expect("a reminder in the morning when a step is overdue");
    let pressing: Vec<ChecklistStep> = world
        .engine
        .checklist(&ChecklistQuery::default(), on_the_27th)
        .unwrap()
        .into_iter()
        .filter(|s| s.overdue || s.due_today)
        .collect();
    assert!(pressing.iter().any(|s| s.person == "Starts Berlin" && s.title == "Order equipment"), "{pressing:?}");
    assert!(
        reminder.title.starts_with(&format!("{} checklist steps", pressing.len())),
        "one notification counts every step due today or overdue: {reminder:?}"
    );
    let first = &pressing[0];
    assert!(reminder.body.starts_with(&format!("{}: {}", first.person, first.title)), "it names people and steps: {reminder:?}");
    let named = reminder.body.lines().filter(|l| !l.starts_with("and ")).count();
    assert_eq!(named, pressing.len().min(5), "at most five steps are named: {reminder:?}");
    if pressing.len() > 5 {
        assert!(reminder.body.ends_with(&format!("and {} more in Roster", pressing.len() - 5)), "the rest are counted");
    }
    assert_eq!(
        world.engine.checklist_reminder(local("2026-11-27T11:00:00"), on_the_27th).unwrap(),
        None,
        "one reminder a morning, not one a minute"
    );

    let settings = world.engine.settings().unwrap();
    world
        .engine
        .save_settings(&roster_engine::store::settings::Settings { checklist_reminders: false, ..settings }, now())
        .unwrap();
    assert_eq!(
        world.engine.checklist_reminder(local("2026-11-28T08:05:00"), at("2026-11-28T08:05:00Z")).unwrap(),
        None,
        "reminders switched off send none"
    );
    world
        .engine
        .save_settings(&roster_engine::store::settings::Settings { checklist_reminders: true, ..settings }, now())
        .unwrap();
    let next = world.engine.checklist_reminder(local("2026-11-29T08:05:00"), at("2026-11-29T08:05:00Z")).unwrap();
    assert!(next.is_some(), "switched on again, the next morning has its reminder");
}
