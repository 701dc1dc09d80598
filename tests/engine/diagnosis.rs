//! The brief's two troubleshooting cases as the engine answers them: a departure HR announced that
//! an import-once end date keeps out of Offboardings, and the warnings of a source that hides
//! people, kept with the run whoever started it.

use chrono::Duration;

use roster_engine::model::{Field, FieldMode, View};
use roster_engine::sync::Outcome;
use roster_engine::HrDifference;
use roster_simulator::{Change, EmploymentStatus, SimulatorConfig};

use crate::harness::{email, now, start_with, today, World, SOURCE};

#[test]
fn an_import_once_end_date_that_hr_changed_is_diagnosed_and_hr_value_can_be_taken_once() {
    let mut world = World::new(61, 40);
    world.sync();
    world.engine.set_field_mode(SOURCE, Field::EndDate, FieldMode::ImportOnce, now()).unwrap();
    world.sync_at(now() + Duration::hours(1));
    let person = world.remote(|e| {
        e.employment_status == Some(EmploymentStatus::Active) && e.termination_date.is_none() && e.work_email.is_some()
    });
    let who = email(&person);
    let leaving = today() + Duration::days(12);
    world.sim.apply(Change::Terminate { employee_id: person.id.clone(), date: leaving });
    let later = now() + Duration::hours(2);
    let report = world.sync_at(later);
    assert!(!report.full_read, "HR's new value is known after a sync that reads only changes too");
    assert!(!world.emails(View::Offboardings, false).contains(&who), "import once: HR's end date is not applied");

    let profile = world.engine.profile(&who, later).unwrap();
    assert_eq!(
        profile.hr_differences,
        vec![HrDifference {
            source: SOURCE.into(),
            field: Field::EndDate,
            hr_value: Some(leaving.to_string()),
            kept_value: None
        }],
        "the profile shows HR's end date beside the one Roster keeps"
    );
    let why = world.engine.explain(&who, later).unwrap();
    let said = format!("HR now says end date {}; Roster keeps its own value (none)", leaving.format("%-d %b %Y"));
    assert!(
        why.findings
            .iter()
            .any(|f| f.contains(&said) && f.contains("End date is import once for HR") && f.contains("continuous")),
        "\"why is this person missing?\" names both values, the mode and both ways out: {why:?}"
    );

    let taken = world.engine.take_hr_value(&who, Field::EndDate, None, later).unwrap();
    assert_eq!(taken.hr_value.as_deref(), Some(leaving.to_string().as_str()));
    assert!(
        world.list_at(View::Offboardings, false, later).iter().any(|e| e.work_email.as_deref() == Some(who.as_str())),
        "with HR's end date taken, the person is in Offboardings"
    );
    let profile = world.engine.profile(&who, later).unwrap();
    assert!(profile.hr_differences.is_empty(), "nothing differs any more: {:?}", profile.hr_differences);
    assert!(
        profile.history.iter().any(|h| h.action == "took_hr_value"
            && h.actor == "user"
            && h.field.as_deref() == Some("end_date")
            && h.new_value == Some(leaving.to_string())),
        "taking HR's value is in the history like an edit: {:?}",
        profile.history
    );
    let mode = world.engine.field_modes(SOURCE).unwrap().into_iter().find(|m| m.field == Field::EndDate).unwrap().mode;
    assert_eq!(mode, FieldMode::ImportOnce, "taking the value once leaves the field import once");
    assert!(
        world.engine.take_hr_value(&who, Field::EndDate, None, later).is_err(),
        "with nothing differing, there is nothing to take"
    );
}

#[test]
fn a_scheduled_sync_keeps_its_warnings_with_the_run_until_a_full_read_checks_again() {
    let mut config = SimulatorConfig::new(roster_simulator::CompanySpec { seed: 62, size: 30, today: today() });
    config.tool = "lucca".into();
    config.hide_future_and_departed = true;
    let mut world = World::with_simulator(start_with(config));
    let results = world.engine.sync_due(now()).unwrap();
    assert_eq!(results.len(), 1, "the new source is due");
    let runs = world.engine.runs(Some(SOURCE), 10).unwrap();
    assert_eq!(runs[0].warnings.len(), 2, "the scheduled run keeps both warnings: {:?}", runs[0].warnings);
    assert!(runs[0].warnings.iter().any(|w| w.contains("View future employees")), "{:?}", runs[0].warnings);
    let status = world.engine.status(now()).unwrap();
    assert_eq!(status.sources[0].warnings, runs[0].warnings, "the source's status carries its run's warnings");

    let later = now() + Duration::hours(1);
    let report = world.sync_at(later);
    assert!(report.outcome == Outcome::Applied && !report.full_read, "the next hourly sync reads only changes");
    let runs = world.engine.runs(Some(SOURCE), 10).unwrap();
    assert!(runs[0].warnings.is_empty(), "a read of changes only does not check: its run has none of its own");
    assert_eq!(
        world.engine.status(later).unwrap().sources[0].warnings.len(),
        2,
        "the warnings hold until a full read checks again"
    );

    let mut clean = World::new(62, 30);
    clean.engine.sync_due(now()).unwrap();
    assert!(clean.engine.status(now()).unwrap().sources[0].warnings.is_empty(), "a source that hides nobody has no warning");
    assert_eq!(clean.engine.runs(None, 1).unwrap()[0].warnings, Vec::<String>::new());
}
