//! The Lucca "missing permission" mode: future and departed employees are invisible.

use roster_simulator::Simulator;

use crate::common::{config, walk};

#[test]
fn without_the_permission_pending_and_inactive_employees_are_not_returned() {
    let mut restricted = config(60);
    restricted.tool = "lucca".to_owned();
    restricted.hide_future_and_departed = true;
    let simulator = Simulator::start(restricted).expect("starts");
    let (records, _) = walk(&simulator, "/hris/employees", &[]);
    assert!(
        records.iter().all(|r| r["employment_status"] != "PENDING" && r["employment_status"] != "INACTIVE"),
        "no PENDING or INACTIVE employee is visible"
    );
    let hidden = simulator
        .employees()
        .iter()
        .filter(|e| {
            matches!(
                e.employment_status,
                Some(roster_simulator::EmploymentStatus::Pending | roster_simulator::EmploymentStatus::Inactive)
            )
        })
        .count();
    assert!(hidden > 0, "the company does have future and departed employees");
    assert_eq!(records.len() + hidden, 60, "everyone else is visible");
    let (employments, _) = walk(&simulator, "/hris/employments", &[]);
    assert_eq!(employments.len(), records.len(), "their employments are hidden too");
}
