//! Payloads a real HR API could send but must not corrupt the directory: duplicate ids, missing
//! ids, impossible dates. Served by a minimal HTTP server on 127.0.0.1 that answers Kombo's paths
//! with canned pages.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use roster_engine::connector::kombo::KomboConfig;
use roster_engine::model::View;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use serde_json::json;

use crate::harness::{fast_retry, now};

/// Serves `employees` as the only page of `/hris/employees` (other models empty), until dropped.
fn serve(employees: serde_json::Value) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            // Skip the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or_default().to_owned();
            let body = if path.starts_with("/v1/check-api-key") {
                json!({"status": "success", "data": {"environment_id": "e", "customer_id": "c"}})
            } else if path.starts_with("/v1/integrations/") {
                json!({"status": "success", "data": {"id": "i", "tool": {"id": "personio"}}})
            } else if path.starts_with("/v1/hris/employees") {
                json!({"status": "success", "data": {"next": null, "results": employees}})
            } else {
                json!({"status": "success", "data": {"next": null, "results": []}})
            };
            let body = body.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

fn person(id: &str, start: &str) -> serde_json::Value {
    json!({"id": id, "remote_id": id, "first_name": "Ada", "last_name": id, "work_email": format!("{id}@example.com"),
           "start_date": start, "changed_at": "2026-11-01T00:00:00.000Z", "groups": []})
}

fn sync_error(employees: serde_json::Value) -> (String, usize) {
    let dir = crate::data_dir::DataDir::new();
    let mut engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    let base = serve(employees);
    engine
        .add_kombo_source("HR", KomboConfig { base_url: base, integration_id: "i".into(), tool: None }, "key-0123456789", now())
        .unwrap();
    let error = engine.sync("HR", now(), SyncRequest::default()).expect_err("bad input fails the sync").to_string();
    let query = roster_engine::store::employees::EmployeeQuery { view: View::All, include_hidden: true, ..Default::default() };
    (error, engine.employees(&query, now()).unwrap().len())
}

#[test]
fn a_duplicate_id_fails_the_sync_with_the_id_and_stores_nobody() {
    let (error, stored) = sync_error(json!([person("e1", "2024-01-01T00:00:00.000Z"), person("e1", "2024-02-01T00:00:00.000Z")]));
    assert_eq!(error, "the HR system sent employees id \"e1\" twice", "the error names the model and the id");
    assert_eq!(stored, 0, "a failed sync stores nothing");
}

#[test]
fn an_impossible_date_fails_the_sync_naming_the_person_field_and_value() {
    let (error, stored) = sync_error(json!([person("e1", "2024-01-01T00:00:00.000Z"), person("e2", "2026-02-31T00:00:00.000Z")]));
    assert_eq!(error, "employees \"e2\": start_date \"2026-02-31T00:00:00.000Z\" is not a date");
    assert_eq!(stored, 0);
}

#[test]
fn a_record_without_an_id_fails_the_sync_naming_the_page() {
    let mut nameless = person("e2", "2024-01-01T00:00:00.000Z");
    nameless.as_object_mut().unwrap().remove("id");
    let (error, stored) = sync_error(json!([person("e1", "2024-01-01T00:00:00.000Z"), nameless]));
    assert_eq!(error, "the HR system sent employees page 1 with a record that has no id");
    assert_eq!(stored, 0);
}

#[test]
fn a_server_that_does_not_answer_in_time_fails_the_sync_saying_so() {
    use roster_engine::connector::http::RetryPolicy;
    use roster_simulator::Fault;
    let sim = crate::harness::start(38, 20);
    let dir = crate::data_dir::DataDir::new();
    let patience = RetryPolicy {
        attempts: 2,
        first_delay: std::time::Duration::from_millis(10),
        timeout: std::time::Duration::from_millis(300),
    };
    let mut engine = Engine::open(dir.path()).unwrap().with_retry(patience);
    crate::harness::connect(&mut engine, "HR", &sim);
    sim.inject(Fault::Latency(std::time::Duration::from_millis(800)));
    let error = engine.sync("HR", now(), SyncRequest::default()).expect_err("a silent server fails the sync").to_string();
    assert!(error.contains("timed out") && error.contains("page 1"), "the error says what happened and where: {error}");
}

#[test]
fn a_cursor_seen_twice_ends_the_read_as_an_error() {
    use roster_simulator::{Fault, Model};
    let sim = crate::harness::start(39, 20);
    let dir = crate::data_dir::DataDir::new();
    let mut engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    crate::harness::connect(&mut engine, "HR", &sim);
    sim.inject(Fault::StuckCursor { model: Model::Employees });
    let error = engine.sync("HR", now(), SyncRequest::default()).expect_err("an endless cursor fails the sync").to_string();
    assert!(
        error.contains("same cursor twice") && error.contains("employees"),
        "a repeated cursor ends the read with an error naming the model: {error}"
    );
    let employee_pages = sim.requests().iter().filter(|r| r.path.starts_with("/v1/hris/employees")).count();
    assert!(employee_pages <= 3, "the read stops at the first repeated cursor, not after {employee_pages} pages");
}

#[test]
fn a_connect_link_that_is_not_https_is_refused() {
    use roster_simulator::Fault;
    let sim = crate::harness::start(40, 5);
    let dir = crate::data_dir::DataDir::new();
    let engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    for link in ["file:///etc/passwd", "smb://attacker.example/share", "http://attacker.example/connect"] {
        sim.inject(Fault::ConnectLink(link));
        let error = engine
            .kombo_connect_link(&sim.base_url(), sim.api_key(), "it@example.com", "Acme")
            .expect_err("only https links are opened");
        assert!(
            error.to_string().contains("opens only https"),
            "a {link} Connect link is refused before it reaches the opener: {error}"
        );
    }
    sim.clear_faults();
    let own =
        engine.kombo_connect_link(&sim.base_url(), sim.api_key(), "it@example.com", "Acme").expect("the local simulator's link");
    assert!(own.starts_with("http://127.0.0.1"), "http to this computer (the demo's simulator) is still opened: {own}");
}

#[test]
fn an_activation_token_stays_in_its_path_segment_and_out_of_errors() {
    let sim = crate::harness::start(41, 5);
    let dir = crate::data_dir::DataDir::new();
    let mut engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    let token = "../../hris/employees?page_size=1#x";
    let error = engine
        .add_kombo_source_by_token("HR", &sim.base_url(), sim.api_key(), token, now())
        .expect_err("an unknown token is refused")
        .to_string();
    let paths: Vec<String> = sim.requests().into_iter().map(|r| r.path).collect();
    assert!(
        paths.iter().all(|p| p.starts_with("/v1/connect/integration-by-token/")),
        "the token is one percent-encoded path segment, never a way to another endpoint: {paths:?}"
    );
    assert!(!error.contains(token), "the activation token is kept out of the error text: {error}");
}

#[test]
fn a_huge_token_lifetime_is_clamped_not_a_panic() {
    use roster_engine::oauth::{refresh, OAuthApi, OAuthConfig, Tokens};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let token_url = format!("http://{}/token", listener.local_addr().unwrap());
    // A hostile token endpoint: one answer, then the thread ends.
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        let mut length = 0;
        while reader.read_line(&mut line).unwrap() > 2 {
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            line.clear();
        }
        std::io::Read::read_exact(&mut reader, &mut vec![0; length]).unwrap();
        let body = r#"{"access_token":"a","token_type":"bearer","expires_in":9000000000000}"#;
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let config = OAuthConfig {
        auth_url: token_url.replace("/token", "/auth"),
        token_url,
        revocation_url: None,
        client_id: "roster".into(),
        scopes: vec![],
        api: OAuthApi::Scim,
        base_url: "http://127.0.0.1:9/v1".into(),
    };
    let old = Tokens { access_token: "old".into(), refresh_token: Some("r".into()), expires_at: None };
    let renewed = refresh(&config, &old).expect("a huge expires_in still renews the token");
    let expires_at = renewed.expires_at.expect("the lifetime is kept, clamped");
    assert!(
        expires_at <= chrono::Utc::now() + chrono::Duration::days(366),
        "a lifetime of 9e12 s is clamped to a year rather than overflowing: {expires_at}"
    );
}
