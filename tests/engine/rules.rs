//! One test per rule of the sync, named after it. The brief's "Summary of synchronisation
//! behaviour" is rules 1 to 3.

use chrono::{Duration, NaiveDate};
use roster_engine::params;

use roster_engine::model::{Field, FieldMode, View};
use roster_engine::store::runs::RunState;
use roster_engine::store::settings::Settings;
use roster_engine::sync::plan::Action;
use roster_engine::sync::{Outcome, SyncRequest};
use roster_engine::{Error, FilterInput};
use roster_simulator::{Change, EditableField, EmploymentStatus, EmploymentType, Fault, Model, NewHire, SimulatorConfig};

use crate::harness::{self, email, now, start, start_with, today, World, SOURCE};

fn active(e: &roster_simulator::Employee) -> bool {
    e.employment_status == Some(EmploymentStatus::Active) && e.termination_date.is_none() && e.work_email.is_some()
}

#[test]
fn rule_01_first_sync_overwrites_every_synchronised_field_and_matches_people_already_in_the_directory() {
    let mut world = World::new(21, 40);
    let by_email = world.remote(active);
    let by_number = world.remote(|e| active(e) && e.id != by_email.id && e.employee_number.is_some());
    // Two people already in the directory (say, created by hand or from a CSV), with stale data.
    let conn = world.engine.store().conn();
    conn.execute(
        "INSERT INTO employees (first_name, last_name, job_title, work_email, created_at, updated_at)
         VALUES ('Old', 'Name', 'Old title', upper(?1), ?2, ?2)",
        params![email(&by_email), now().to_rfc3339()],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO employees (employee_number, first_name, work_email, created_at, updated_at)
         VALUES (?1, 'Stale', 'someone.else@old.example', ?2, ?2)",
        params![by_number.employee_number, now().to_rfc3339()],
    )
    .unwrap();

    world.sync();
    assert_eq!(world.count_employees(), 40, "matched people are not duplicated");
    let profile = world.engine.profile(&email(&by_email), now()).unwrap();
    let value = |f: Field| profile.fields.iter().find(|p| p.field == f).unwrap().value.clone();
    assert_eq!(value(Field::LastName), by_email.last_name, "the first sync overwrites the last name");
    assert_eq!(
        value(Field::JobTitle),
        by_email.job_title,
        "the first sync overwrites even import-once fields such as the job title"
    );
    let matched = world.engine.profile(&email(&by_number), now()).unwrap();
    assert_eq!(
        matched.fields.iter().find(|p| p.field == Field::FirstName).unwrap().value,
        by_number.first_name,
        "a person is matched by employee number when the work email differs"
    );
}

#[test]
fn rule_02_an_employee_created_in_the_hr_system_is_created_from_hr_data() {
    let mut world = World::new(22, 30);
    world.sync();
    world.sim.apply(Change::Hire(NewHire {
        first_name: "Ines".into(),
        last_name: "Newcomer".into(),
        work_email: Some("ines.newcomer@quillon.example".into()),
        start_date: Some(today() + Duration::days(10)),
        legal_entity_id: None,
        employment_type: EmploymentType::FullTime,
        job_title: Some("Designer".into()),
    }));
    let report = world.sync_at(now() + Duration::hours(1));
    assert_eq!(report.counts.created, 1, "one new profile");
    let onboardings = world.emails(View::Onboardings, false);
    assert!(onboardings.contains(&"ines.newcomer@quillon.example".to_owned()), "the future hire is an onboarding");
    let profile = world.engine.profile("Ines Newcomer", now()).unwrap();
    let title = profile.fields.iter().find(|f| f.field == Field::JobTitle).unwrap();
    assert_eq!(title.value.as_deref(), Some("Designer"), "the profile carries the HR data");
    assert_eq!(title.source.as_deref(), Some(SOURCE), "and knows where it came from");
}

#[test]
fn rule_03_continuous_fields_follow_hr_and_import_once_fields_keep_their_local_value() {
    let mut world = World::new(23, 30);
    world.sync();
    let person = world.remote(active);
    let who = email(&person);
    world
        .engine
        .edit_field(&who, Field::JobTitle, Some("Head of Laptops"), now())
        .expect("an import-once field can be edited locally");
    let refused = world.engine.edit_field(&who, Field::LastName, Some("Local"), now());
    match refused {
        Err(e @ Error::ContinuousField { .. }) => {
            assert!(e.to_string().contains("change it there"), "the refusal says where to change it: {e}")
        }
        other => panic!("a continuous field cannot be edited locally, got {other:?}"),
    }
    world.sim.apply(Change::Edit {
        employee_id: person.id.clone(),
        field: EditableField::JobTitle,
        value: Some("HR title".into()),
    });
    world.sim.apply(Change::Edit {
        employee_id: person.id.clone(),
        field: EditableField::LastName,
        value: Some("Married".into()),
    });
    let report = world.sync_at(now() + Duration::hours(1));
    let planned = report.plan.employees.iter().find(|p| matches!(p.action, Action::Update { .. })).unwrap();
    let Action::Update { kept, changes, .. } = &planned.action else { unreachable!() };
    assert!(kept.contains(&Field::JobTitle), "the plan reports the import-once field it skipped");
    assert!(changes.iter().any(|c| c.field == Field::LastName), "the plan carries the continuous change");

    let profile = world.engine.profile(&who, now()).unwrap();
    let value = |f: Field| profile.fields.iter().find(|p| p.field == f).unwrap().value.clone();
    assert_eq!(value(Field::JobTitle).as_deref(), Some("Head of Laptops"), "import once: the local value stays");
    assert_eq!(value(Field::LastName).as_deref(), Some("Married"), "continuous: HR's update is applied");
}

#[test]
fn rule_04_field_modes_are_set_per_source_and_per_field_with_the_briefs_defaults() {
    let mut world = World::new(24, 30);
    let modes = world.engine.field_modes(SOURCE).unwrap();
    let mode = |f: Field| modes.iter().find(|m| m.field == f).unwrap().mode;
    assert_eq!(mode(Field::StartDate), FieldMode::Continuous, "contract start dates are continuous by default");
    assert_eq!(mode(Field::EndDate), FieldMode::Continuous, "contract end dates are continuous by default");
    assert_eq!(mode(Field::JobTitle), FieldMode::ImportOnce, "job titles are imported once by default");

    world.sync();
    world.engine.set_field_mode(SOURCE, Field::EndDate, FieldMode::ImportOnce, now()).unwrap();
    let person = world.remote(active);
    world.sim.apply(Change::Terminate { employee_id: person.id.clone(), date: today() + Duration::days(20) });
    world.sync_at(now() + Duration::hours(1));
    assert!(
        !world.emails(View::Offboardings, false).contains(&email(&person)),
        "with the end date imported once, HR's new end date is not applied (the brief's troubleshooting case)"
    );
    world.engine.set_field_mode(SOURCE, Field::EndDate, FieldMode::Continuous, now()).unwrap();
    world.sync_at(now() + Duration::hours(2));
    assert!(
        world.emails(View::Offboardings, false).contains(&email(&person)),
        "switched to continuous, the departure date arrives"
    );
}

#[test]
fn rule_05_filters_exclude_people_with_a_reason_and_never_delete_anyone_silently() {
    let mut world = World::new(25, 40);
    world.sync();
    let everyone = world.count_employees();
    let filters = world
        .engine
        .resolve_filters(SOURCE, &FilterInput { legal_entities: vec!["Quillon GmbH".into()], ..FilterInput::default() })
        .unwrap();
    world.engine.set_filters(SOURCE, &filters, now()).unwrap();

    let preview = world.engine.preview(SOURCE, None, now()).unwrap();
    assert_eq!(preview.len(), 40, "the preview lists every person the source returned");
    let excluded: Vec<_> = preview.iter().filter(|r| !r.included).collect();
    assert!(!excluded.is_empty() && excluded.len() < 40, "some are included, some excluded");
    for row in &excluded {
        assert!(
            row.reasons
                .iter()
                .any(|r| r.starts_with("legal entity \"Quillon") && r.ends_with("is not among the selected legal entities")),
            "an exclusion names the filter and the person's value: {:?}",
            row.reasons
        );
    }
    let report = world.sync_at(now() + Duration::hours(1));
    assert_eq!(report.outcome, Outcome::Held, "putting most of the company out of scope is held by the guard");
    world.engine.approve(report.run_id.unwrap(), now()).unwrap();
    assert_eq!(world.count_employees(), everyone, "people out of scope are never deleted");
    let out_of_scope: i64 = world
        .engine
        .store()
        .conn()
        .query_row("SELECT count(*) FROM employee_links WHERE out_of_scope IS NOT NULL", (), |r| r.get(0))
        .unwrap();
    assert_eq!(out_of_scope as usize, excluded.len(), "each excluded person in the directory is marked out of scope");
    let one = excluded.iter().find(|r| r.work_email.is_some()).unwrap();
    let why = world.engine.explain(one.work_email.as_deref().unwrap(), now()).unwrap();
    assert!(
        why.findings.iter().any(|f| f.contains("out of scope") && f.contains("legal entity")),
        "explain gives the reason: {why:?}"
    );
}

#[test]
fn rule_06_hidden_people_stay_hidden_through_syncs_and_out_of_workflows() {
    let mut world = World::new(26, 40);
    world.sync();
    let consultant = world.remote(|e| {
        e.job_title.as_deref().is_some_and(|t| t.starts_with("External"))
            && e.work_email.is_some()
            && e.termination_date.is_none()
    });
    let who = email(&consultant);
    assert!(world.emails(View::Active, false).contains(&who));
    world.engine.set_hidden(&who, true, now()).unwrap();
    world.sim.apply(Change::Edit {
        employee_id: consultant.id.clone(),
        field: EditableField::LastName,
        value: Some("Renamed".into()),
    });
    world.sync_at(now() + Duration::hours(1));
    world.sync_at(now() + Duration::days(2));
    assert!(!world.emails(View::Active, false).contains(&who), "a hidden person stays out of the default list after syncs");
    assert!(world.emails(View::Active, true).contains(&who), "and appears when hidden people are included");
    let hires = world.remote(|e| e.employment_status == Some(EmploymentStatus::Pending) && e.work_email.is_some());
    world.engine.set_hidden(&email(&hires), true, now()).unwrap();
    assert!(!world.emails(View::Onboardings, false).contains(&email(&hires)), "hidden people are out of onboarding workflows");
    let history = world.engine.profile(&who, now()).unwrap().history;
    assert!(history.iter().any(|h| h.action == "hidden" && h.actor == "user"), "hiding is logged");
}

#[test]
fn rule_07_onboardings_and_offboardings_come_from_calendar_dates_where_the_person_works() {
    let mut world = World::new(27, 30);
    let entities = world.sim.legal_entities();
    let entity = |country: &str| {
        entities.iter().find(|e| e.address.as_ref().and_then(|a| a.country.as_deref()) == Some(country)).unwrap().id.clone()
    };
    for (name, country) in [("Berlin", "DE"), ("Newyork", "US")] {
        world.sim.apply(Change::Hire(NewHire {
            first_name: "Starts".into(),
            last_name: name.into(),
            work_email: Some(format!("starts.{}@quillon.example", name.to_lowercase())),
            start_date: Some(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()),
            legal_entity_id: Some(entity(country)),
            employment_type: EmploymentType::FullTime,
            job_title: None,
        }));
    }
    world.sync();
    // 03:00 UTC on the 25th: already the 25th in Berlin, still the 24th in New York.
    let early = "2026-11-25T03:00:00Z".parse().unwrap();
    let onboarding: Vec<String> =
        world.list_at(View::Onboardings, false, early).into_iter().filter_map(|e| e.work_email).collect();
    let active: Vec<String> = world.list_at(View::Active, false, early).into_iter().filter_map(|e| e.work_email).collect();
    assert!(active.contains(&"starts.berlin@quillon.example".to_owned()), "in Berlin the start day has come");
    assert!(
        onboarding.contains(&"starts.newyork@quillon.example".to_owned()),
        "in New York it is still the day before the start: an onboarding (dates are not UTC instants)"
    );
    let leaving = world.remote(|e| e.termination_date.is_some_and(|d| d.date_naive() > today()) && e.work_email.is_some());
    assert!(world.emails(View::Offboardings, false).contains(&email(&leaving)), "an upcoming end date makes an offboarding");
    assert!(world.emails(View::Active, false).contains(&email(&leaving)), "and the person is still active until then");
    let pending_without_date = world.remote(|e| e.employment_status == Some(EmploymentStatus::Pending) && e.start_date.is_none());
    let names: Vec<Option<String>> = world.list(View::Onboardings, false).into_iter().map(|e| e.last_name).collect();
    assert!(names.contains(&pending_without_date.last_name), "a PENDING person without a start date is still an onboarding");
}

#[test]
fn rule_08_the_same_person_in_two_sources_is_one_employee_with_a_visible_conflict() {
    let mut world = World::new(28, 30);
    world.sync();
    // A second HR system with the same people (same seed), where one name differs.
    let second = start(28, 30);
    let person = world.remote(active);
    second.apply(Change::Edit {
        employee_id: person.id.clone(),
        field: EditableField::LastName,
        value: Some("Othername".into()),
    });
    harness::connect(&mut world.engine, "Payroll HR", &second);
    world.engine.sync("Payroll HR", now(), SyncRequest::default()).unwrap();
    assert_eq!(world.count_employees(), 30, "the same people in two sources are one employee each, never two");
    let profile = world.engine.profile(&email(&person), now()).unwrap();
    let last = profile.fields.iter().find(|f| f.field == Field::LastName).unwrap();
    assert_eq!(last.value, person.last_name, "the source connected first wins");
    assert_eq!(last.conflicts, vec!["Payroll HR: Othername".to_owned()], "the conflict is visible on the profile");
    let row = world.list(View::Active, false).into_iter().find(|e| e.work_email == person.work_email).unwrap();
    assert_eq!(row.sources, vec![SOURCE.to_owned(), "Payroll HR".to_owned()], "the person lists both sources");
}

#[test]
fn rule_09_people_missing_from_the_feed_are_marked_then_departed_after_the_grace_period() {
    let mut world = World::new(29, 60);
    world.sync();
    let person = world.remote(active);
    world.sim.apply(Change::Delete { employee_id: person.id.clone() });
    let report = world.sync_at(now() + Duration::hours(1));
    assert_eq!(report.counts.missing, 1, "a deleted person is marked missing, not removed");
    assert!(world.emails(View::Active, false).contains(&email(&person)), "still listed while missing");
    let why = world.engine.explain(&email(&person), now()).unwrap();
    assert!(why.findings.iter().any(|f| f.contains("missing from HR's feed since 2026-11-25")), "{why:?}");

    let report = world.sync_at(now() + Duration::days(3));
    assert_eq!(report.counts.departing, 0, "within the grace period nothing more happens");
    let report = world.sync_at(now() + Duration::days(8));
    assert_eq!(report.counts.departing, 1, "after 7 days the person is moved to departed");
    let later = now() + Duration::days(8);
    assert!(
        !world.list_at(View::Active, false, later).iter().any(|e| e.work_email == person.work_email),
        "departed people leave the active list"
    );
    assert!(world.list_at(View::Departed, false, later).iter().any(|e| e.work_email == person.work_email));
}

#[test]
fn rule_10_a_plan_that_would_remove_too_many_people_is_held_for_approval() {
    let mut world = World::new(30, 50);
    world.sync();
    let victims: Vec<_> = world.sim.employees().into_iter().filter(active).take(8).collect();
    for v in &victims {
        world.sim.apply(Change::Delete { employee_id: v.id.clone() });
    }
    world.sim.apply(Change::Hire(NewHire {
        first_name: "Held".into(),
        last_name: "Newcomer".into(),
        work_email: Some("held.newcomer@quillon.example".into()),
        start_date: Some(today() + Duration::days(5)),
        legal_entity_id: None,
        employment_type: EmploymentType::FullTime,
        job_title: None,
    }));
    let before = world.list(View::All, true);
    let report = world.sync_at(now() + Duration::hours(1));
    assert_eq!(report.outcome, Outcome::Held, "8 of 50 people missing at once (16% > 10%) is held");
    assert_eq!(world.list(View::All, true), before, "a held plan changes nothing");
    let runs = world.engine.runs(Some(SOURCE), 1).unwrap();
    assert_eq!(runs[0].outcome, RunState::Held, "the held run is in the history");

    let held = world.engine.held_plan(report.run_id.unwrap()).unwrap();
    assert_eq!(
        held.employees.iter().filter(|p| matches!(p.action, Action::Missing { .. })).count(),
        8,
        "the held plan can be reviewed person by person before approving it"
    );
    world.engine.discard(report.run_id.unwrap(), now()).unwrap();
    assert_eq!(world.engine.runs(Some(SOURCE), 1).unwrap()[0].outcome, RunState::Discarded);
    let report = world.sync_at(now() + Duration::hours(2));
    assert_eq!(report.outcome, Outcome::Held, "the same change is held again at the next sync");
    let applied = world.engine.approve(report.run_id.unwrap(), now()).unwrap();
    assert_eq!(applied.counts.missing, 8, "approving applies the held plan as shown");
    assert!(
        world.emails(View::Onboardings, false).contains(&"held.newcomer@quillon.example".to_owned()),
        "including the people it creates, from the values it held"
    );
    assert_eq!(world.engine.runs(Some(SOURCE), 1).unwrap()[0].outcome, RunState::Succeeded);

    world.engine.save_settings(&Settings { mass_change_percent: 50, ..Settings::default() }, now()).unwrap();
    assert_eq!(world.engine.settings().unwrap().mass_change_percent, 50, "the threshold is a setting");
}

#[test]
fn rule_11_hourly_syncs_read_only_changes_and_a_daily_full_read_catches_drift() {
    let mut world = World::new(31, 30);
    world.sync();
    let hourly = world.sync_at(now() + Duration::hours(1));
    assert!(!hourly.full_read, "an hourly sync reads only changes");
    let delta = world.sim.requests().into_iter().rev().find(|r| r.path.ends_with("/hris/employees")).unwrap();
    assert!(delta.query_param("updated_after").is_some(), "it asks with updated_after");
    assert_eq!(delta.query_param("include_deleted").as_deref(), Some("true"), "and asks for deletions");
    let daily = world.sync_at(now() + Duration::hours(25));
    assert!(daily.full_read, "at least once a day a full read runs");
    let on_demand =
        world.engine.sync(SOURCE, now() + Duration::hours(26), SyncRequest { full: true, ..SyncRequest::default() }).unwrap();
    assert!(on_demand.full_read, "and on demand");
}

#[test]
fn rule_12_sources_sync_on_schedule_back_off_after_failures_and_never_run_twice_at_once() {
    let mut world = World::new(32, 30);
    assert_eq!(world.engine.due_sources(now()).unwrap().len(), 1, "a new source is due at once");
    assert!(world.engine.next_sync_at().unwrap().is_some_and(|next| next <= now()), "the scheduler wakes for it at once");
    world.sync();
    assert!(world.engine.due_sources(now() + Duration::minutes(59)).unwrap().is_empty(), "not due before an hour");
    assert_eq!(world.engine.next_sync_at().unwrap(), Some(now() + Duration::hours(1)), "the scheduler sleeps until then");
    assert_eq!(
        world.engine.due_sources(now() + Duration::minutes(61)).unwrap().len(),
        1,
        "due after an hour, also if the app was closed meanwhile"
    );

    world.sim.inject(Fault::ServerError { model: Model::Employees, page: 1, times: u32::MAX });
    let at = now() + Duration::hours(2);
    let results = world.engine.sync_due(at).unwrap();
    assert!(results[0].1.is_err(), "the due sync fails");
    let source = world.engine.source(SOURCE).unwrap();
    assert_eq!(source.failure_count, 1);
    assert!(source.last_error.as_deref().unwrap().contains("employees page 1"), "the state says why");
    let next: chrono::DateTime<chrono::Utc> = source.next_sync_at.unwrap().parse().unwrap();
    assert_eq!(next, at + Duration::minutes(2), "the retry backs off (2 minutes after the first failure)");
    world.sim.clear_faults();

    // Another engine (as another process would) syncing the same source, held mid-read.
    let held = world.sim.hold_requests();
    let dir = world.dir.path().to_owned();
    let other = std::thread::spawn(move || {
        let mut engine = roster_engine::Engine::open(&dir).unwrap();
        engine.sync(SOURCE, now() + Duration::hours(3), SyncRequest::default())
    });
    held.wait_for_request();
    match world.engine.sync(SOURCE, now() + Duration::hours(3), SyncRequest::default()) {
        Err(Error::SyncRunning(name)) => assert_eq!(name, SOURCE),
        other => panic!("a second run of the same source is refused while one runs, got {:?}", other.map(|r| r.counts)),
    }
    drop(held);
    other.join().unwrap().expect("the first run completes once its read goes on");

    world.engine.set_sync_interval(SOURCE, std::time::Duration::from_secs(15 * 60), now()).unwrap();
    assert!(world.engine.due_sources(now() + Duration::minutes(14)).unwrap().is_empty(), "each source has its own interval");
    assert_eq!(world.engine.due_sources(now() + Duration::minutes(16)).unwrap().len(), 1);
    assert!(world.engine.set_sync_interval(SOURCE, std::time::Duration::from_secs(10), now()).is_err(), "at most once a minute");
    world.engine.save_settings(&Settings { paused: true, ..Settings::default() }, now()).unwrap();
    assert!(world.engine.due_sources(now() + Duration::days(1)).unwrap().is_empty(), "nothing is due while syncing is paused");
    assert_eq!(world.engine.next_sync_at().unwrap(), None, "and the scheduler has no sync to wake for");
}

#[test]
fn rule_13_every_run_is_recorded_and_every_value_knows_its_source_and_run() {
    let mut world = World::new(33, 30);
    world.sync();
    world.sim.apply(Change::TouchPercent(10.0));
    world.sync_at(now() + Duration::hours(1));
    let runs = world.engine.runs(Some(SOURCE), 10).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[1].created, runs[1].outcome.as_str()), (30, "succeeded"), "the first run created everyone");
    assert!(
        runs[0].finished_at.is_some() && runs[0].unchanged > 0,
        "the second run counts the people it left unchanged (job titles are imported once)"
    );
    let person = world.remote(active);
    let run_of = |world: &World, field: Field| -> Option<i64> {
        let profile = world.engine.profile(&email(&person), now()).unwrap();
        profile.fields.into_iter().find(|f| f.field == field).unwrap().run_id
    };
    assert_eq!(run_of(&world, Field::StartDate), Some(runs[1].id), "the start date was set by the first run");
    world.engine.edit_field(&email(&person), Field::JobTitle, Some("Edited"), now()).unwrap();
    assert_eq!(run_of(&world, Field::JobTitle), None, "a local edit has no run: it is Roster's own");
    let history = world.engine.profile(&email(&person), now()).unwrap().history;
    assert!(
        history.iter().any(|h| h.action == "edited" && h.actor == "user" && h.new_value.as_deref() == Some("Edited")),
        "local edits are logged"
    );
    assert!(
        history.iter().any(|h| h.action == "created" && h.source.as_deref() == Some(SOURCE)),
        "creation is logged with its source"
    );
}

#[test]
fn rule_14_explain_says_why_a_person_is_missing() {
    let mut config = SimulatorConfig::new(roster_simulator::CompanySpec { seed: 34, size: 40, today: today() });
    config.tool = "lucca".into();
    config.hide_future_and_departed = true;
    let mut world = World::with_simulator(start_with(config));
    let report = world.sync();
    assert_eq!(report.warnings.len(), 2, "each missing permission is its own warning: {:?}", report.warnings);
    assert!(
        report.warnings[0].contains("no future starters")
            && report.warnings[0].contains("Lucca API key")
            && report.warnings[0].contains("\"View future employees\"")
            && !report.warnings[0].contains("departed"),
        "the first warning names Lucca's permission for future starters, and only it: {}",
        report.warnings[0]
    );
    assert!(
        report.warnings[1].contains("no departed employees") && report.warnings[1].contains("\"View departed employees\""),
        "the second names Lucca's permission for departed people: {}",
        report.warnings[1]
    );
    let why = world.engine.explain("nobody-like-this", now()).unwrap();
    assert!(
        why.findings.iter().any(|f| f.starts_with("no one matching \"nobody-like-this\" was returned by the HR system")),
        "someone HR never returned is explained as not returned by the HR system: {why:?}"
    );
    assert!(
        why.findings.iter().any(|f| f.contains("View future employees"))
            && why.findings.iter().any(|f| f.contains("View departed employees")),
        "a Lucca source with no future and no departed people points at each missing permission: {why:?}"
    );
    let present = world.remote(active);
    let why = world.engine.explain(&email(&present), now()).unwrap();
    assert!(why.findings.iter().any(|f| f.contains("already present in Active")), "{why:?}");
}

#[test]
fn a_source_that_hides_future_and_departed_people_is_warned_about_whatever_the_provider() {
    let mut config = SimulatorConfig::new(roster_simulator::CompanySpec { seed: 34, size: 40, today: today() });
    config.tool = "personio".into();
    config.hide_future_and_departed = true;
    let mut world = World::with_simulator(start_with(config));
    let warnings = world.sync().warnings;
    assert_eq!(warnings.len(), 2, "both missing permissions are detected for any provider: {warnings:?}");
    assert!(
        warnings.iter().all(|w| w.contains("HR system's API key") && !w.contains("Lucca")),
        "a provider without known permission names gets the general advice: {warnings:?}"
    );
    let mut world = World::new(34, 40);
    assert!(world.sync().warnings.is_empty(), "a source that returns future and departed people raises no warning");
}

#[test]
fn search_finds_people_by_the_start_of_a_name_or_email_ignoring_case_and_accents() {
    let mut world = World::new(35, 40);
    world.sim.apply(Change::Hire(NewHire {
        first_name: "José".into(),
        last_name: "Álvarez-Núñez".into(),
        work_email: Some("jose.alvarez@quillon.example".into()),
        start_date: Some(today() - Duration::days(30)),
        legal_entity_id: None,
        employment_type: EmploymentType::FullTime,
        job_title: None,
    }));
    world.sync();
    let find = |text: &str| -> Vec<Option<String>> {
        let query = roster_engine::store::employees::EmployeeQuery {
            search: Some(text.into()),
            ..roster_engine::store::employees::EmployeeQuery::default()
        };
        world.engine.employees(&query, now()).unwrap().into_iter().map(|e| e.work_email).collect()
    };
    let jose = vec![Some("jose.alvarez@quillon.example".to_owned())];
    assert_eq!(find("alv"), jose, "a last-name prefix finds the person, accents ignored");
    assert_eq!(find("JOSÉ ÁLV"), jose, "several words must all match, case ignored");
    assert_eq!(find("nunez"), jose, "each part of a compound name is searchable");
    assert_eq!(find("jose.alvarez@"), jose, "the start of the work email finds them");
    assert_eq!(find("jose.alvarez@quillon.example"), jose, "and so does the full work email");
    assert!(find("zzzz").is_empty(), "nothing matches nothing");
}

#[test]
fn devices_are_assigned_taken_back_and_shown_on_offboardings_until_recovered() {
    let mut world = World::new(36, 40);
    world.sync();
    let leaving = world.remote(|e| e.termination_date.is_some_and(|d| d.date_naive() > today()) && e.work_email.is_some());
    let device = world
        .engine
        .add_device(
            &roster_engine::store::devices::NewDevice {
                kind: "laptop".into(),
                model: "ThinkPad X1".into(),
                serial_number: "SN-1".into(),
            },
            now(),
        )
        .unwrap();
    assert_eq!(device.holder, None, "a new device is held by nobody");
    world.engine.assign_device("SN-1", &email(&leaving), today(), now()).expect("a free device can be assigned");
    let row = world.list(View::Offboardings, false).into_iter().find(|e| e.work_email == leaving.work_email).unwrap();
    assert_eq!(row.devices, 1, "an offboarding shows the device to recover");
    let someone = world.remote(active);
    assert!(world.engine.assign_device("SN-1", &email(&someone), today(), now()).is_err(), "a device has one holder at a time");

    // After the end date, the person stays in Offboardings while they still hold the device.
    let later = now() + Duration::days(60);
    let in_offboardings =
        |world: &World| world.list_at(View::Offboardings, false, later).iter().any(|e| e.work_email == leaving.work_email);
    assert!(in_offboardings(&world), "someone who left with a device is still an offboarding");
    world.engine.take_back_device("SN-1", today(), now()).unwrap();
    assert!(!in_offboardings(&world), "once the device is back, they are departed");
    let history = world.engine.profile(&email(&leaving), now()).unwrap().history;
    assert!(history.iter().any(|h| h.action == "device_returned"), "assignments are logged on the person");
}

#[test]
fn a_long_sync_reports_its_progress() {
    let mut world = World::new(37, 600);
    let mut seen = Vec::new();
    let report = world.engine.sync_with_progress(SOURCE, now(), SyncRequest::default(), &mut |p| seen.push(p)).unwrap();
    let reading: Vec<_> = seen.iter().filter(|p| p.phase == roster_engine::sync::Phase::Reading).collect();
    assert!(reading.len() >= 2, "reading is reported now and then, not only at the end: {seen:?}");
    assert!(reading.windows(2).all(|w| w[0].done <= w[1].done), "the count only grows");
    let applying = seen.iter().find(|p| p.phase == roster_engine::sync::Phase::Applying).expect("applying is reported");
    assert_eq!(applying.total, Some(report.plan.employees.len() as u64), "with the number of people to write");
}

#[test]
fn a_failed_first_sync_keeps_the_peoples_indexes_and_a_successful_one_builds_them_again() {
    // A first sync into an empty SQLite directory drops the people's indexes and builds them after its load.
    let mut world = World::on_sqlite(61, 30);
    let indexes = |world: &World| -> Vec<String> {
        let sql = "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'employees' ORDER BY name";
        world.engine.store().conn().query_map(sql, (), |r| r.get(0)).unwrap()
    };
    let fresh = indexes(&world);
    assert!(fresh.contains(&"employees_sort".to_owned()), "a fresh directory has the people's indexes: {fresh:?}");

    world.sim.inject(Fault::ServerError { model: Model::Employees, page: 1, times: u32::MAX });
    assert!(world.engine.sync(SOURCE, now(), SyncRequest::default()).is_err(), "the first sync's read fails");
    assert_eq!(indexes(&world), fresh, "a first sync that fails leaves the people's indexes as they were");
    world.sim.clear_faults();

    world.sync();
    assert_eq!(world.count_employees(), 30, "the next first sync creates everyone");
    assert_eq!(indexes(&world), fresh, "and builds every one of the people's indexes again");
}
