//! Listing: cursor walks, page size bounds, order and filters.

use std::collections::HashSet;

use roster_simulator::{Change, EditableField};

use crate::common::{get, get_json, ids, start, walk};

#[test]
fn a_walk_returns_every_employee_exactly_once_in_id_order() {
    let simulator = start(300);
    let expected: Vec<String> = simulator.employees().into_iter().map(|employee| employee.id).collect();
    for page_size in [1usize, 7, 100, 250] {
        let size = page_size.to_string();
        let (records, pages) = walk(&simulator, "/hris/employees", &[("page_size", &size)]);
        assert_eq!(ids(&records), expected, "page_size {page_size}: every employee once, in id order");
        assert_eq!(pages, 300usize.div_ceil(page_size), "page_size {page_size}: no empty trailing page");
    }
}

#[test]
fn the_default_page_size_is_100() {
    let simulator = start(130);
    let body = get_json(&simulator, "/hris/employees", &[]);
    assert_eq!(body["data"]["results"].as_array().map(Vec::len), Some(100), "without page_size a page holds 100 records");
    assert!(body["data"]["next"].is_string(), "a further page is announced");
}

#[test]
fn page_size_outside_1_to_250_is_rejected_with_input_invalid() {
    let simulator = start(10);
    for bad in ["0", "251"] {
        let response = get(&simulator, "/hris/employees", &[("page_size", bad)]);
        assert_eq!(response.status(), 400, "page_size={bad} is a bad request");
        let body: serde_json::Value = response.json().expect("error envelope");
        assert_eq!(body["status"], "error", "page_size={bad} answers the error envelope");
        assert_eq!(body["error"]["code"], "PLATFORM.INPUT_INVALID", "page_size={bad} is PLATFORM.INPUT_INVALID");
    }
}

#[test]
fn an_invalid_cursor_is_rejected() {
    let simulator = start(10);
    let response = get(&simulator, "/hris/employees", &[("cursor", "not-a-cursor")]);
    assert_eq!(response.status(), 400, "a cursor the server never issued is invalid input");
}

#[test]
fn every_model_pages_completely() {
    let simulator = start(120);
    for path in ["/hris/employments", "/hris/groups", "/hris/legal-entities", "/hris/locations"] {
        let (records, _) = walk(&simulator, path, &[("page_size", "3")]);
        let all = ids(&records);
        let unique: HashSet<_> = all.iter().collect();
        assert!(!all.is_empty(), "{path} lists records");
        assert_eq!(unique.len(), all.len(), "{path}: no record twice");
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted, "{path}: stable order by id");
    }
    let (employments, _) = walk(&simulator, "/hris/employments", &[("page_size", "50")]);
    assert_eq!(employments.len(), 120, "one employment per generated employee");
}

#[test]
fn ids_filter_returns_only_those_records() {
    let simulator = start(50);
    let wanted: Vec<String> = simulator.employees().into_iter().step_by(10).map(|employee| employee.id).collect();
    let body = get_json(&simulator, "/hris/employees", &[("ids", &wanted.join(","))]);
    let got = ids(body["data"]["results"].as_array().expect("results"));
    assert_eq!(got, wanted, "ids= returns exactly the named employees");
}

#[test]
fn pages_kept_in_memory_are_served_as_rendered_until_the_company_changes() {
    let kept = start(600);
    let rendered = start(600);
    kept.keep_pages_in_memory();
    let query = [("page_size", "250"), ("include_deleted", "true")];
    let (first, pages) = walk(&kept, "/hris/employees", &query);
    assert_eq!(kept.pages_in_memory(), pages, "each page is kept once it has been served");
    let (again, _) = walk(&kept, "/hris/employees", &query);
    assert_eq!(again, first, "a kept page is served again as it was");
    assert_eq!(walk(&rendered, "/hris/employees", &query).0, first, "and as the same company renders it");
    assert_eq!(kept.pages_in_memory(), pages, "reading the same pages keeps no more of them");

    let someone = kept.employees().into_iter().find(|e| e.remote_deleted_at.is_none()).unwrap().id;
    kept.apply(Change::Edit { employee_id: someone.clone(), field: EditableField::LastName, value: Some("Kept".into()) });
    assert_eq!(kept.pages_in_memory(), 0, "a change discards the kept pages");
    let (changed, _) = walk(&kept, "/hris/employees", &query);
    let edited = changed.iter().find(|e| e["id"] == someone.as_str()).unwrap();
    assert_eq!(edited["last_name"], "Kept", "the next read shows the change");
}
