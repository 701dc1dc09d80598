//! The brief's "missing offboarding" case from the command line: `explain` and `show` name HR's
//! end date and the one Roster keeps, and `take-once` takes HR's value.

use chrono::Duration;
use roster_simulator::{Change, EmploymentStatus};

use crate::harness::{simulator, today, Roster};

#[test]
fn explain_names_an_import_once_end_date_hr_changed_and_take_once_brings_the_person_to_offboardings() {
    let sim = simulator(71, 30);
    let roster = Roster::new();
    roster.add_kombo("HR", &sim);
    roster.ok(&["sync"]);
    roster.ok(&["field-mode", "set", "--source", "HR", "end_date", "import-once"]);
    let person = sim
        .employees()
        .into_iter()
        .find(|e| e.employment_status == Some(EmploymentStatus::Active) && e.termination_date.is_none() && e.work_email.is_some())
        .expect("the company has someone staying");
    let who = person.work_email.clone().unwrap();
    let leaving = today() + Duration::days(9);
    sim.apply(Change::Terminate { employee_id: person.id.clone(), date: leaving });
    roster.ok(&["sync"]);
    let offboarding = |roster: &Roster| roster.ok(&["employees", "--view", "offboardings"]).contains(&who);
    assert!(!offboarding(&roster), "import once: HR's end date is not applied");

    let said = format!("HR now says end date {}; Roster keeps its own value (none)", leaving.format("%-d %b %Y"));
    let explained = roster.ok(&["explain", &who]);
    assert!(
        explained.contains(&said) && explained.contains("End date is import once for HR"),
        "explain names both values and why: {explained}"
    );
    assert!(roster.ok(&["show", &who]).contains(&said), "show prints the same diagnosis");

    let taken = roster.ok(&["take-once", &who, "end_date"]);
    assert!(taken.contains(&leaving.to_string()), "take-once says what it took: {taken}");
    assert!(offboarding(&roster), "with HR's end date taken, the person is in Offboardings");
    let profile = roster.json(&["show", &who]);
    let took =
        profile["history"].as_array().unwrap().iter().any(|h| {
            h["action"] == "took_hr_value" && h["field"] == "end_date" && h["new_value"] == leaving.to_string().as_str()
        });
    assert!(took, "the history records it like an edit: {}", profile["history"]);
    assert_eq!(profile["hr_differences"], serde_json::json!([]), "nothing differs any more");
    let modes = roster.ok(&["field-mode", "list", "--source", "HR"]);
    assert!(modes.lines().any(|l| l == "end_date\timport_once"), "the field stays import once: {modes}");

    let again = roster.run(&["take-once", &who, "end_date"]);
    assert!(
        !again.status.success() && String::from_utf8_lossy(&again.stderr).contains("nothing to take"),
        "with nothing differing, take-once refuses and says why"
    );
}
