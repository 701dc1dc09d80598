//! The generated company: deterministic, and covering every case a sync meets.

use std::collections::HashSet;

use chrono::Duration;
use roster_simulator::{Company, CompanySpec, EmploymentStatus, EmploymentType, GroupType};

use crate::common::today;

fn company(seed: u64, size: usize) -> Company {
    Company::generate(CompanySpec { seed, size, today: today() })
}

#[test]
fn the_same_spec_generates_the_same_company() {
    assert_eq!(company(7, 200).to_json(), company(7, 200).to_json(), "same seed, size and today give identical JSON");
    assert_ne!(company(7, 200).to_json(), company(8, 200).to_json(), "another seed gives another company");
}

#[test]
fn a_company_has_the_requested_number_of_employees() {
    for size in [0, 5, 30, 1000] {
        assert_eq!(company(3, size).employees().count(), size, "size {size} is honoured");
    }
}

#[test]
fn every_case_a_sync_must_handle_is_present_at_size_30() {
    let company = company(11, 30);
    let today = company.spec().today;
    let employees: Vec<_> = company.employees().collect();
    let has = |rule: &str, test: &dyn Fn(&&roster_simulator::Employee) -> bool| {
        assert!(employees.iter().any(test), "size 30 includes {rule}");
    };
    for kind in [
        EmploymentType::FullTime,
        EmploymentType::PartTime,
        EmploymentType::Contract,
        EmploymentType::Internship,
        EmploymentType::Freelance,
    ] {
        has(&format!("a {kind:?} employee"), &|e| e.employment_type == Some(kind));
    }
    let date = |days: i64| crate::common::midnight(today + Duration::days(days));
    has("a future hire starting in 1-45 days", &|e| {
        e.employment_status == Some(EmploymentStatus::Pending)
            && e.start_date.is_some_and(|start| start >= date(1) && start <= date(45))
    });
    has("a pending hire without start date", &|e| {
        e.employment_status == Some(EmploymentStatus::Pending) && e.start_date.is_none()
    });
    has("a scheduled termination within 30 days", &|e| {
        e.employment_status == Some(EmploymentStatus::Active)
            && e.termination_date.is_some_and(|end| end >= date(1) && end <= date(30))
    });
    has("a termination 1-90 days ago", &|e| {
        e.employment_status == Some(EmploymentStatus::Inactive)
            && e.termination_date.is_some_and(|end| end >= date(-90) && end <= date(-1))
    });
    has("an older termination", &|e| {
        e.employment_status == Some(EmploymentStatus::Inactive) && e.termination_date.is_some_and(|end| end < date(-90))
    });
    has("an external consultant", &|e| e.job_title.as_deref() == Some("External consultant"));
    has("an external accountant", &|e| e.job_title.as_deref() == Some("External accountant"));
    has("the HR administrator service account", &|e| e.job_title.as_deref() == Some("HR administrator"));
    has("someone without work email", &|e| e.work_email.is_none());
    has("an active employee without start date", &|e| {
        e.employment_status == Some(EmploymentStatus::Active) && e.start_date.is_none()
    });
    has("someone on leave", &|e| e.employment_status == Some(EmploymentStatus::Leave));

    let entities: HashSet<_> = company.legal_entities().filter_map(|entity| entity.address.as_ref()?.country.clone()).collect();
    assert!(entities.len() >= 3, "legal entities span at least three countries");
    for kind in [GroupType::Department, GroupType::Team, GroupType::CostCenter] {
        assert!(company.groups().any(|group| group.kind == kind), "groups include a {kind:?}");
    }
    assert!(company.locations().any(|location| location.name.as_deref() == Some("Remote")), "there is a Remote location");
}

#[test]
fn work_emails_are_unique() {
    let company = company(5, 5000);
    let emails: Vec<_> = company.employees().filter_map(|e| e.work_email.clone()).collect();
    let unique: HashSet<_> = emails.iter().collect();
    assert_eq!(unique.len(), emails.len(), "no two employees share a work email");
}

#[test]
fn every_employee_carries_the_sensitive_fields_roster_must_not_store() {
    for employee in company(9, 100).employees() {
        assert!(employee.ssn.as_deref().is_some_and(|ssn| ssn.starts_with("SSN-")), "ssn is recognisable");
        assert!(employee.tax_id.is_some(), "tax_id is set");
        assert!(employee.date_of_birth.is_some(), "date_of_birth is set");
        assert!(
            employee.bank_accounts.as_ref().is_some_and(|accounts| accounts.iter().all(|account| account.iban.is_some())),
            "bank accounts carry an IBAN"
        );
        let custom = employee.custom_fields.as_ref().expect("custom fields");
        assert!(
            custom.contains_key("shoe_size") && custom.contains_key("salary_band"),
            "custom fields carry shoe_size and salary_band"
        );
        assert!(employee.employments.iter().all(|e| e.pay_rate.is_some() && e.pay_currency.is_some()), "employments carry pay");
    }
}

#[test]
fn managers_form_a_tree_rooted_at_the_ceo() {
    let company = company(13, 500);
    let roots: Vec<_> = company.employees().filter(|e| e.manager_id.is_none()).collect();
    assert_eq!(roots.len(), 1, "only the CEO has no manager");
    for employee in company.employees() {
        assert_eq!(
            employee.manager.as_ref().map(|manager| &manager.id),
            employee.manager_id.as_ref(),
            "the embedded manager is the one named by manager_id"
        );
        let mut seen = HashSet::new();
        let mut current = employee;
        while let Some(manager_id) = &current.manager_id {
            assert!(seen.insert(manager_id.clone()), "the manager chain has no cycle");
            current = company.employee(manager_id).expect("every manager exists");
        }
        assert_eq!(current.id, roots[0].id, "every chain ends at the CEO");
    }
}

#[test]
fn two_simulators_of_the_same_spec_serve_identical_pages() {
    let first = crate::common::start(50);
    let second = crate::common::start(50);
    assert_eq!(
        crate::common::get_json(&first, "/hris/employees", &[]),
        crate::common::get_json(&second, "/hris/employees", &[]),
        "the served company depends only on the spec"
    );
}
