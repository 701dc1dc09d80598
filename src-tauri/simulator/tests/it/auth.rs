//! Authentication: bearer API key plus `X-Integration-Id`, failing with Kombo's envelope.

use reqwest::blocking::RequestBuilder;
use serde_json::Value;

use crate::common::{client, get_json, start};

fn error_of(request: RequestBuilder) -> (u16, Value) {
    let response = request.send().expect("request reaches the simulator");
    let status = response.status().as_u16();
    (status, response.json().expect("errors are JSON"))
}

fn assert_envelope(body: &Value, code: &str, rule: &str) {
    assert_eq!(body["status"], "error", "{rule}: status is error");
    assert_eq!(body["error"]["code"], code, "{rule}: code is {code}");
    assert!(body["error"]["message"].is_string(), "{rule}: a message says what is wrong");
    assert!(body["error"]["log_url"].is_null(), "{rule}: log_url is present (null)");
}

#[test]
fn a_missing_or_wrong_api_key_is_authentication_invalid() {
    let simulator = start(5);
    let url = format!("{}/hris/employees", simulator.base_url());
    let (status, body) = error_of(client().get(&url).header("X-Integration-Id", simulator.integration_id()));
    assert_eq!(status, 401, "no API key is 401");
    assert_envelope(&body, "PLATFORM.AUTHENTICATION_INVALID", "no API key");

    let (status, body) = error_of(client().get(&url).bearer_auth("wrong").header("X-Integration-Id", simulator.integration_id()));
    assert_eq!(status, 401, "a wrong API key is 401");
    assert_envelope(&body, "PLATFORM.AUTHENTICATION_INVALID", "wrong API key");

    let (status, body) = error_of(client().get(&url).bearer_auth(simulator.api_key()));
    assert_eq!(status, 401, "a missing X-Integration-Id is 401");
    assert_envelope(&body, "PLATFORM.AUTHENTICATION_INVALID", "missing integration id");
}

#[test]
fn an_unknown_integration_is_integration_not_found() {
    let simulator = start(5);
    let (status, body) = error_of(
        client()
            .get(format!("{}/hris/groups", simulator.base_url()))
            .bearer_auth(simulator.api_key())
            .header("X-Integration-Id", "personio:nope"),
    );
    assert_eq!(status, 404, "an unknown integration is 404");
    assert_envelope(&body, "PLATFORM.INTEGRATION_NOT_FOUND", "unknown integration");

    let (status, body) =
        error_of(client().get(format!("{}/integrations/personio:nope", simulator.base_url())).bearer_auth(simulator.api_key()));
    assert_eq!(status, 404, "GET /integrations of an unknown id is 404");
    assert_envelope(&body, "PLATFORM.INTEGRATION_NOT_FOUND", "unknown integration details");
}

#[test]
fn check_api_key_accepts_the_key_alone() {
    let simulator = start(5);
    let response = client()
        .get(format!("{}/check-api-key", simulator.base_url()))
        .bearer_auth(simulator.api_key())
        .send()
        .expect("request reaches the simulator");
    assert_eq!(response.status(), 200, "check-api-key needs no integration id");
    let body: Value = response.json().expect("JSON");
    assert!(body["data"]["environment_id"].is_string(), "it names the environment");
}

#[test]
fn the_integration_reports_the_configured_tool() {
    let mut config = crate::common::config(5);
    config.tool = "lucca".to_owned();
    let simulator = roster_simulator::Simulator::start(config).expect("starts");
    let path = format!("/integrations/{}", simulator.integration_id());
    let body = get_json(&simulator, &path, &[]);
    assert_eq!(body["data"]["tool"]["id"], "lucca", "the tool is the configured one");
    assert_eq!(body["data"]["id"], simulator.integration_id(), "the id is the integration's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_simulator_starts_and_stops_inside_a_tokio_app() {
    let simulator = start(5);
    let url = format!("{}/check-api-key", simulator.base_url());
    let key = simulator.api_key().to_owned();
    let status = tokio::task::spawn_blocking(move || {
        client().get(url).bearer_auth(key).send().expect("request reaches the simulator").status()
    })
    .await
    .expect("the request task finishes");
    assert_eq!(status, 200, "a simulator started from async code serves");
    drop(simulator);
}
