//! Kombo Connect: create a link, complete it, exchange the token for the integration.

use roster_simulator::Simulator;
use serde_json::{json, Value};

use crate::common::{client, start};

fn create_link(simulator: &Simulator) -> String {
    let response = client()
        .post(format!("{}/connect/create-link", simulator.base_url()))
        .bearer_auth(simulator.api_key())
        .json(&json!({
            "end_user_email": "it-admin@quillon.example",
            "end_user_organization_name": "Quillon",
            "integration_category": "HRIS",
            "integration_tool": "personio",
            "link_type": "EMBEDDED",
        }))
        .send()
        .expect("request reaches the simulator");
    assert_eq!(response.status(), 200, "create-link succeeds");
    let body: Value = response.json().expect("JSON");
    body["data"]["link"].as_str().expect("a link").to_owned()
}

fn integration_by_token(simulator: &Simulator, token: &str) -> Value {
    let response = client()
        .get(format!("{}/connect/integration-by-token/{token}", simulator.base_url()))
        .bearer_auth(simulator.api_key())
        .send()
        .expect("request reaches the simulator");
    assert_eq!(response.status(), 200, "a completed token resolves");
    response.json().expect("JSON")
}

#[test]
fn the_connect_page_flow_yields_a_token_for_the_integration() {
    let simulator = start(5);
    let link = create_link(&simulator);
    assert!(link.starts_with("http://127.0.0.1:"), "the link points at the simulator");
    let page = client().get(&link).send().expect("page loads").text().expect("HTML");
    assert!(page.contains("Connect HR system"), "the page offers to connect");
    let done = client().post(&link).send().expect("form posts").text().expect("HTML");
    let marker = "id=\"activation-token\">";
    let start = done.find(marker).expect("the page shows the activation token") + marker.len();
    let token = &done[start..start + done[start..].find('<').expect("token ends")];
    assert!(done.contains("activation_token: "), "the token is labelled");
    let body = integration_by_token(&simulator, token);
    assert_eq!(body["data"]["id"], simulator.integration_id(), "the token resolves to the integration");
    assert_eq!(body["data"]["end_user_email"], "it-admin@quillon.example", "the end user is the link's");
}

#[test]
fn complete_connect_link_is_the_programmatic_shortcut() {
    let simulator = start(5);
    let link = create_link(&simulator);
    let token = simulator.complete_connect_link(&link);
    let body = integration_by_token(&simulator, &token);
    assert_eq!(body["data"]["id"], simulator.integration_id(), "the token resolves to the integration");
    assert_eq!(body["data"]["setup_status"], "COMPLETED", "the integration is set up");
}

#[test]
fn an_unknown_token_is_rejected() {
    let simulator = start(5);
    let response = client()
        .get(format!("{}/connect/integration-by-token/nope", simulator.base_url()))
        .bearer_auth(simulator.api_key())
        .send()
        .expect("request reaches the simulator");
    assert_eq!(response.status(), 400, "a token never issued is invalid input");
}
