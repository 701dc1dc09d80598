//! Data minimisation: only the brief's fields are kept, and optional ones can be switched off.

use std::collections::{BTreeSet, HashMap};

use roster_engine::model::{Field, Filters, View};
use roster_engine::store::db::Dialect;
use roster_engine::store::runs::RunState;
use roster_engine::sync::SyncRequest;
use roster_simulator::{Change, EditableField};

use crate::harness::{now, World, SOURCE};
use crate::stored_rows::stored_rows_contain;

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
        .query_row("SELECT count(*) FROM employees WHERE personal_email IS NOT NULL", (), |r| r.get(0))
        .unwrap();
    assert!(stored > 0, "switched on (the default), optional fields are kept");
    assert!(
        stored_rows_contain(world.dir.path(), &personal[0]),
        "the scan below finds a stored value (it reads the encrypted rows as text)"
    );

    world.engine.set_optional_field(SOURCE, Field::PersonalEmail, false, now()).unwrap();
    world.engine.set_optional_field(SOURCE, Field::HomeAddress, false, now()).unwrap();
    let (emails, addresses): (i64, i64) = world
        .engine
        .store()
        .conn()
        .query_row("SELECT count(personal_email), count(home_address) FROM employees", (), |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((emails, addresses), (0, 0), "switching a field off erases what was stored at once");

    let report = world.engine.sync(SOURCE, now() + chrono::Duration::hours(1), SyncRequest::default()).unwrap();
    assert!(report.full_read, "a settings change makes the next sync read everything");
    for value in personal.iter().chain(&streets) {
        assert!(!stored_rows_contain(world.dir.path(), value), "{value:?} is switched off: it is neither stored nor kept");
    }
    let modes = world.engine.field_modes(SOURCE).unwrap();
    assert!(!modes.iter().find(|m| m.field == Field::PersonalEmail).unwrap().enabled);
    assert!(
        world.engine.set_optional_field(SOURCE, Field::WorkEmail, false, now()).is_err(),
        "only the brief's optional fields can be switched off"
    );
}

#[test]
fn people_a_first_sync_excludes_leave_only_the_reason_they_were_excluded() {
    let mut world = World::new(43, 60);
    // Before the first sync, filters name the HR system's ids (the app offers them from a preview read).
    let quillon = world.sim.legal_entities().into_iter().find(|e| e.name.as_deref() == Some("Quillon GmbH")).unwrap();
    let filters = Filters { legal_entities: [quillon.id].into(), ..Filters::default() };
    world.engine.set_filters(SOURCE, &filters, now()).unwrap();
    let report = world.sync();
    assert!(report.counts.created > 0 && report.counts.excluded > 0, "some are created, some excluded: {:?}", report.counts);

    let count = |sql: &str| -> i64 { world.engine.store().conn().query_row(sql, (), |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM employees"), i64::from(report.counts.created), "only included people are created");
    let tables = match world.engine.store().conn().dialect() {
        Dialect::Sqlite => "sqlite_master",
        Dialect::Postgres => "(SELECT table_name AS name FROM information_schema.tables) t",
    };
    assert_eq!(
        count(&format!("SELECT count(*) FROM {tables} WHERE name = 'employments'")),
        0,
        "no employment is kept, of an excluded person or anyone: nothing reads them"
    );
    assert_eq!(
        count("SELECT count(*) FROM fetched_people WHERE excluded LIKE 'legal entity%'"),
        i64::from(report.counts.excluded),
        "what is kept of an excluded person is why, for \"why is this person missing?\""
    );
}

#[test]
fn of_people_the_filters_exclude_only_the_hr_id_name_work_email_and_reason_are_kept() {
    let mut world = World::new(44, 60);
    let quillon = world.sim.legal_entities().into_iter().find(|e| e.name.as_deref() == Some("Quillon GmbH")).unwrap();
    let filters = Filters { legal_entities: [quillon.id.clone()].into(), ..Filters::default() };
    world.engine.set_filters(SOURCE, &filters, now()).unwrap();
    // Dates no one else has, to look for: an excluded person starts in 2031 and leaves in 2032.
    let outsider = world
        .sim
        .employees()
        .into_iter()
        .find(|e| e.remote_deleted_at.is_none() && e.legal_entity_id.as_deref() != Some(quillon.id.as_str()))
        .unwrap();
    let (start, end) = ("2031-07-13", "2032-03-17");
    for (field, date) in [(EditableField::StartDate, start), (EditableField::TerminationDate, end)] {
        world.sim.apply(Change::Edit { employee_id: outsider.id.clone(), field, value: Some(date.into()) });
    }
    world.sync();
    let (excluded, included): (Vec<_>, Vec<_>) = world
        .sim
        .employees()
        .into_iter()
        .filter(|e| e.remote_deleted_at.is_none())
        .partition(|e| e.legal_entity_id.as_deref() != Some(quillon.id.as_str()));
    assert!(excluded.len() > 5 && !included.is_empty(), "the filter excludes some people and keeps others");
    let others = |e: &roster_simulator::Employee| -> Vec<String> {
        [e.personal_email.clone(), e.mobile_phone_number.clone()].into_iter().flatten().collect()
    };
    // A value an included person shares is stored for them: only the excluded people's own are checked.
    let shared: std::collections::HashSet<String> = included.iter().flat_map(others).collect();

    // The first sync writes as it reads; a later full read stages, then records anew.
    for (read, at) in [("the first sync", now()), ("a later full read", now() + chrono::Duration::hours(1))] {
        if at != now() {
            world.sim.set_clock(at);
            world.engine.sync(SOURCE, at, SyncRequest { full: true, ..SyncRequest::default() }).unwrap();
        }
        let mut checked = 0;
        for person in &excluded {
            for value in others(person).into_iter().filter(|v| !shared.contains(v)) {
                checked += 1;
                assert!(
                    !stored_rows_contain(world.dir.path(), &value),
                    "after {read}, {value:?} of an excluded person is nowhere in the database"
                );
            }
        }
        assert!(checked > 10, "the excluded people have personal emails and phones to look for ({checked})");
        for date in [start, end] {
            assert!(!stored_rows_contain(world.dir.path(), date), "after {read}, the excluded person's date {date} is not kept");
        }
        let (rows, with_more): (i64, i64) = world
            .engine
            .store()
            .conn()
            .query_row(
                "SELECT count(*), count(*) FILTER (WHERE employment_status IS NOT NULL OR start_date IS NOT NULL OR end_date IS NOT NULL)
                 FROM fetched_people WHERE excluded IS NOT NULL",
                (),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(rows as usize, excluded.len(), "after {read}, each excluded person is recorded, for the preview and explain");
        assert_eq!(with_more, 0, "after {read}, no status or date of an excluded person is kept");
    }

    let someone = excluded.iter().find(|e| e.work_email.is_some()).unwrap();
    let email = someone.work_email.clone().unwrap();
    let why = world.engine.explain(&email, now()).unwrap();
    assert!(
        why.findings.iter().any(|f| f.contains(&email) && f.contains("is excluded: legal entity")),
        "\"why is this person missing?\" still names the filter that excluded them: {why:?}"
    );
    let preview = world.engine.preview(SOURCE, None, now()).unwrap();
    let row = preview.iter().find(|r| r.remote_id == someone.id).expect("the preview lists the excluded person");
    assert!(!row.included && row.reasons[0].starts_with("legal entity"), "and the preview says why: {row:?}");
    let counted: i64 = world.engine.store().conn().query_row("SELECT people FROM fetched_counts", (), |r| r.get(0)).unwrap();
    assert_eq!(
        counted as usize,
        excluded.len() + included.len(),
        "excluded people still count towards what the API key lets Roster see (the missing-permission warnings)"
    );
}

#[test]
fn switching_an_optional_field_off_discards_a_held_plan_that_would_write_it_back() {
    let mut world = World::new(43, 60);
    // Only Quillon GmbH at first; then everyone, while HR deletes people: the plan, which would
    // create the other entities' people with their personal emails, is held by the guard.
    let quillon = world.sim.legal_entities().into_iter().find(|e| e.name.as_deref() == Some("Quillon GmbH")).unwrap();
    let gmbh_only = Filters { legal_entities: [quillon.id.clone()].into(), ..Filters::default() };
    world.engine.set_filters(SOURCE, &gmbh_only, now()).unwrap();
    world.sync();
    let others: Vec<String> = world
        .sim
        .employees()
        .into_iter()
        .filter(|e| e.legal_entity_id.as_deref() != Some(quillon.id.as_str()))
        .filter_map(|e| e.personal_email)
        .collect();
    assert!(!others.is_empty(), "people outside Quillon GmbH have personal emails");
    let gmbh: Vec<_> =
        world.sim.employees().into_iter().filter(|e| e.legal_entity_id.as_deref() == Some(quillon.id.as_str())).collect();
    for person in gmbh.iter().take(gmbh.len() / 2) {
        world.sim.apply(roster_simulator::Change::Delete { employee_id: person.id.clone() });
    }
    world.engine.set_filters(SOURCE, &Filters::default(), now()).unwrap();
    let report = world.sync_at(now() + chrono::Duration::hours(1));
    assert_eq!(report.outcome, roster_engine::sync::Outcome::Held, "half the imported people deleted at once is held");
    let run = report.run_id.unwrap();

    world.engine.set_optional_field(SOURCE, Field::PersonalEmail, false, now()).unwrap();
    assert!(world.engine.approve(run, now()).is_err(), "the held plan is gone: it carried the field now switched off");
    let runs = world.engine.runs(Some(SOURCE), 1).unwrap();
    assert_eq!(runs[0].outcome, RunState::Discarded, "the history says the plan was discarded");
    assert!(runs[0].error.as_deref().unwrap_or("").contains("personal_email"), "and why: {:?}", runs[0].error);
    for value in &others {
        assert!(!stored_rows_contain(world.dir.path(), value), "{value:?} never reaches the directory once the field is off");
    }
}

#[test]
fn a_sync_reads_only_the_models_whose_data_it_keeps_never_the_employments() {
    let mut world = World::new(45, 60);
    world.sync();
    let later = now() + chrono::Duration::hours(1);
    world.sim.set_clock(later);
    let full = world.engine.sync(SOURCE, later, SyncRequest { full: true, ..SyncRequest::default() }).unwrap();
    let delta = world.sync_at(later + chrono::Duration::hours(1));
    assert!(full.full_read && !delta.full_read, "a first sync, a later full read and a delta are all checked");
    let read: BTreeSet<String> =
        world.sim.requests().into_iter().filter_map(|r| r.path.strip_prefix("/v1/hris/").map(str::to_owned)).collect();
    let kept: BTreeSet<String> = ["employees", "groups", "legal-entities", "locations"].map(String::from).into();
    assert_eq!(read, kept, "a sync reads the models whose data it keeps; employments are never asked for");

    // What is kept of a contract comes with the employee.
    let hr: HashMap<String, roster_simulator::Employee> =
        world.sim.employees().into_iter().filter_map(|e| Some((e.work_email.clone()?, e))).collect();
    let mut checked = 0;
    for row in world.list(View::All, true) {
        let Some(person) = row.work_email.as_ref().and_then(|email| hr.get(email)) else { continue };
        let wire = person.employment_type.map(|t| serde_json::to_value(t).unwrap().as_str().unwrap().to_owned());
        let date = |d: Option<chrono::DateTime<chrono::Utc>>| d.map(|d| d.date_naive().to_string());
        assert_eq!(
            (row.employment_type.clone(), row.start_date.clone(), row.termination_date.clone()),
            (wire, date(person.start_date), date(person.termination_date)),
            "{:?}'s employment type and dates are HR's, read with the employee",
            row.work_email
        );
        checked += usize::from(row.employment_type.is_some() && row.start_date.is_some());
    }
    assert!(checked > 10, "people with an employment type and a start date were compared ({checked})");
}
