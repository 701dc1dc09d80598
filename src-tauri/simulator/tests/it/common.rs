//! Fixtures: a simulator over a fixed date, and a blocking client that speaks
//! to it the way Roster's connector speaks to Kombo.

use chrono::NaiveDate;
use reqwest::blocking::{Client, Response};
use roster_simulator::{CompanySpec, Simulator, SimulatorConfig};
use serde_json::Value;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 7).expect("valid date")
}

pub fn config(size: usize) -> SimulatorConfig {
    SimulatorConfig::new(CompanySpec { seed: 7, size, today: today() })
}

pub fn start(size: usize) -> Simulator {
    Simulator::start(config(size)).expect("simulator starts")
}

pub fn client() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::new()
}

/// An authenticated GET of `path` (relative to `/v1`).
pub fn get(simulator: &Simulator, path: &str, query: &[(&str, &str)]) -> Response {
    client()
        .get(format!("{}{path}", simulator.base_url()))
        .bearer_auth(simulator.api_key())
        .header("X-Integration-Id", simulator.integration_id())
        .query(query)
        .send()
        .expect("request reaches the simulator")
}

pub fn get_json(simulator: &Simulator, path: &str, query: &[(&str, &str)]) -> Value {
    let response = get(simulator, path, query);
    assert_eq!(response.status(), 200, "GET {path} {query:?} succeeds");
    response.json().expect("the body is JSON")
}

/// Follows `next` until it is null; returns every record and the page count.
pub fn walk(simulator: &Simulator, path: &str, query: &[(&str, &str)]) -> (Vec<Value>, usize) {
    let mut records = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params: Vec<(&str, &str)> = query.to_vec();
        if let Some(cursor) = &cursor {
            params.push(("cursor", cursor));
        }
        let body = get_json(simulator, path, &params);
        pages += 1;
        assert_eq!(body["status"], "success", "a page has status success");
        records.extend(body["data"]["results"].as_array().expect("results").iter().cloned());
        match body["data"]["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (records, pages),
        }
    }
}

pub fn ids(records: &[Value]) -> Vec<String> {
    records.iter().map(|record| record["id"].as_str().expect("every record has an id").to_owned()).collect()
}

pub fn midnight(date: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    date.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}
