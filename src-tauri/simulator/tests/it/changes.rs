//! Scripted changes between syncs, seen through `updated_after` and `include_deleted`.

use chrono::{Duration, TimeZone, Utc};
use roster_simulator::{Change, EditableField, EmploymentStatus, EmploymentType, NewHire};

use crate::common::{get_json, ids, start, today, walk};

fn after_generation() -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&(today() + Duration::days(1)).and_hms_opt(9, 0, 0).expect("time"))
}

#[test]
fn updated_after_an_edit_returns_only_that_employee() {
    let simulator = start(80);
    let clock = after_generation();
    simulator.set_clock(clock);
    // Someone with no reports, so no embedded manager copy changes elsewhere.
    let employees = simulator.employees();
    let target = employees
        .iter()
        .find(|e| !employees.iter().any(|r| r.manager_id.as_deref() == Some(&e.id)))
        .expect("someone manages nobody")
        .id
        .clone();
    simulator.apply(Change::Edit {
        employee_id: target.clone(),
        field: EditableField::JobTitle,
        value: Some("Principal Engineer".to_owned()),
    });
    let since = (clock - Duration::seconds(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (records, _) = walk(&simulator, "/hris/employees", &[("updated_after", &since)]);
    assert_eq!(ids(&records), vec![target.clone()], "only the edited employee changed after the cut");
    assert_eq!(records[0]["job_title"], "Principal Engineer", "the edit is visible");
    assert_eq!(
        records[0]["changed_at"],
        clock.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "changed_at is the simulator clock"
    );
    let (employments, _) = walk(&simulator, "/hris/employments", &[("updated_after", &since)]);
    assert_eq!(employments.len(), 1, "a job title edit also changes the current employment");

    let exact = clock.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (records, _) = walk(&simulator, "/hris/employees", &[("updated_after", &exact)]);
    assert!(records.is_empty(), "updated_after is strictly after changed_at");

    let sent = simulator.requests().iter().filter_map(|request| request.query_param("updated_after")).collect::<Vec<_>>();
    assert!(sent.contains(&since), "the request log records the updated_after sent");
}

#[test]
fn deleted_employees_appear_only_with_include_deleted() {
    let simulator = start(40);
    let target = simulator.employees()[3].id.clone();
    simulator.apply(Change::Delete { employee_id: target.clone() });
    let (default, _) = walk(&simulator, "/hris/employees", &[]);
    assert!(!ids(&default).contains(&target), "a deleted employee is omitted by default");
    assert_eq!(default.len(), 39, "everyone else is still listed");
    let (with_deleted, _) = walk(&simulator, "/hris/employees", &[("include_deleted", "true")]);
    let deleted = with_deleted
        .iter()
        .find(|record| record["id"] == target.as_str())
        .expect("include_deleted=true lists the deleted employee");
    assert!(deleted["remote_deleted_at"].is_string(), "it carries remote_deleted_at");
    let (employments, _) = walk(&simulator, "/hris/employments", &[]);
    assert!(
        employments.iter().all(|e| e["employee_id"] != target.as_str()),
        "the deleted employee's employments are omitted too"
    );
}

#[test]
fn a_hire_is_listed_with_its_status_from_the_start_date() {
    let simulator = start(20);
    simulator.apply(Change::Hire(NewHire {
        first_name: "Ada".to_owned(),
        last_name: "Lovelace".to_owned(),
        work_email: Some("ada.lovelace@quillon.example".to_owned()),
        start_date: Some(today() + Duration::days(10)),
        legal_entity_id: None,
        employment_type: EmploymentType::FullTime,
        job_title: Some("Engineer".to_owned()),
    }));
    let hire = simulator
        .employees()
        .into_iter()
        .find(|e| e.work_email.as_deref() == Some("ada.lovelace@quillon.example"))
        .expect("the hire is in the company");
    assert_eq!(hire.employment_status, Some(EmploymentStatus::Pending), "a hire starting after today is PENDING");
    let body = get_json(&simulator, "/hris/employees", &[("ids", &hire.id)]);
    assert_eq!(body["data"]["results"][0]["first_name"], "Ada", "the hire is served");
}

#[test]
fn a_termination_in_the_past_makes_the_employee_inactive() {
    let simulator = start(20);
    let target = simulator
        .employees()
        .into_iter()
        .find(|e| e.employment_status == Some(EmploymentStatus::Active))
        .expect("an active employee")
        .id;
    simulator.apply(Change::Terminate { employee_id: target.clone(), date: today() - Duration::days(1) });
    let employee = simulator.employees().into_iter().find(|e| e.id == target).expect("still there");
    assert_eq!(employee.employment_status, Some(EmploymentStatus::Inactive), "terminated yesterday is INACTIVE");
    assert!(employee.termination_date.is_some(), "the termination date is set");
}

#[test]
fn touch_percent_changes_that_share_of_employees() {
    let simulator = start(1000);
    let clock = after_generation();
    simulator.set_clock(clock);
    simulator.apply(Change::TouchPercent(1.0));
    let changed = simulator.employees().iter().filter(|e| e.changed_at == clock).count();
    assert_eq!(changed, 10, "1% of 1000 employees are touched");
}

#[test]
#[should_panic(expected = "no employee with id")]
fn a_change_to_an_unknown_employee_is_a_script_error() {
    let simulator = start(5);
    simulator.apply(Change::Delete { employee_id: "nobody".to_owned() });
}
