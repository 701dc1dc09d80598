//! Injected faults behave as a client would see them from Kombo.

use std::time::{Duration, Instant};

use roster_simulator::{Fault, Model};
use serde_json::Value;

use crate::common::{get, start};

/// The cursor of page `n` (1-based) of the employees walk at `page_size`.
fn cursor_of_page(simulator: &roster_simulator::Simulator, n: u32, page_size: &str) -> Option<String> {
    let mut cursor: Option<String> = None;
    for _ in 1..n {
        let mut query = vec![("page_size", page_size)];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor.as_str()));
        }
        let body: Value = get(simulator, "/hris/employees", &query).json().expect("JSON page");
        cursor = body["data"]["next"].as_str().map(str::to_owned);
    }
    cursor
}

fn page(simulator: &roster_simulator::Simulator, cursor: Option<&str>) -> reqwest::blocking::Response {
    let mut query = vec![("page_size", "10")];
    if let Some(cursor) = cursor {
        query.push(("cursor", cursor));
    }
    get(simulator, "/hris/employees", &query)
}

#[test]
fn a_rate_limit_answers_429_with_retry_after_then_recovers() {
    let simulator = start(20);
    simulator.inject(Fault::RateLimit { model: Model::Employees, retry_after_secs: 7, times: 2 });
    for attempt in 1..=2 {
        let response = page(&simulator, None);
        assert_eq!(response.status(), 429, "attempt {attempt} is rate limited");
        assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("7"), "a 429 carries Retry-After");
        let body: Value = response.json().expect("error envelope");
        assert_eq!(body["error"]["code"], "PLATFORM.RATE_LIMIT_EXCEEDED", "the code names the rate limit");
    }
    assert_eq!(page(&simulator, None).status(), 200, "after `times` hits the fault disarms");
    let groups = get(&simulator, "/hris/groups", &[]);
    assert_eq!(groups.status(), 200, "other models were never limited");
}

#[test]
fn a_server_error_hits_exactly_the_targeted_page() {
    let simulator = start(40);
    let second = cursor_of_page(&simulator, 2, "10").expect("a second page");
    simulator.inject(Fault::ServerError { model: Model::Employees, page: 2, times: 1 });
    assert_eq!(page(&simulator, None).status(), 200, "page 1 is unaffected");
    let response = page(&simulator, Some(&second));
    assert_eq!(response.status(), 500, "page 2 fails");
    let body: Value = response.json().expect("error envelope");
    assert_eq!(body["status"], "error", "a 500 still carries the error envelope");
    assert_eq!(page(&simulator, Some(&second)).status(), 200, "a retry of page 2 succeeds");
}

#[test]
fn a_dropped_connection_gives_the_client_a_body_error() {
    let simulator = start(40);
    simulator.inject(Fault::DropConnection { model: Model::Employees, page: 1, times: 1 });
    let response = page(&simulator, None);
    assert_eq!(response.status(), 200, "headers arrive before the connection drops");
    assert!(response.text().is_err(), "reading the truncated body fails on the client");
    assert!(page(&simulator, None).json::<Value>().is_ok(), "the next attempt is whole");
}

#[test]
fn malformed_json_breaks_exactly_the_targeted_page() {
    let simulator = start(40);
    let third = cursor_of_page(&simulator, 3, "10").expect("a third page");
    let second = cursor_of_page(&simulator, 2, "10").expect("a second page");
    simulator.inject(Fault::MalformedJson { model: Model::Employees, page: 3, times: u32::MAX });
    assert!(page(&simulator, None).json::<Value>().is_ok(), "page 1 is valid JSON");
    assert!(page(&simulator, Some(&second)).json::<Value>().is_ok(), "page 2 is valid JSON");
    for attempt in 1..=2 {
        let response = page(&simulator, Some(&third));
        assert_eq!(response.status(), 200, "a malformed page still answers 200");
        let text = response.text().expect("the body arrives whole");
        assert!(serde_json::from_str::<Value>(&text).is_err(), "attempt {attempt}: page 3 is not valid JSON");
    }
}

#[test]
fn setup_sync_pending_and_permission_missing_use_kombo_codes() {
    let simulator = start(10);
    simulator.inject(Fault::PermissionMissing { model: Model::Groups });
    let response = get(&simulator, "/hris/groups", &[]);
    assert_eq!(response.status(), 403, "a missing permission is 403");
    let body: Value = response.json().expect("error envelope");
    assert_eq!(body["error"]["code"], "INTEGRATION.PERMISSION_MISSING", "code names the permission");
    assert_eq!(get(&simulator, "/hris/employees", &[]).status(), 200, "other models are readable");

    simulator.inject(Fault::SetupSyncPending);
    let response = get(&simulator, "/hris/employees", &[]);
    assert_eq!(response.status(), 409, "a pending setup sync is 409");
    let body: Value = response.json().expect("error envelope");
    assert_eq!(body["error"]["code"], "INTEGRATION.SETUP_SYNC_PENDING", "code names the setup sync");

    simulator.clear_faults();
    assert_eq!(get(&simulator, "/hris/groups", &[]).status(), 200, "clear_faults restores service");
}

#[test]
fn latency_delays_every_request() {
    let simulator = start(5);
    simulator.inject(Fault::Latency(Duration::from_millis(200)));
    let started = Instant::now();
    assert_eq!(get(&simulator, "/hris/locations", &[]).status(), 200, "a slow request still succeeds");
    assert!(started.elapsed() >= Duration::from_millis(200), "the response waited for the latency");
}
