//! SCIM 2.0 against the real `scim2-server` (PyPI), seeded over HTTP at every start.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use roster_engine::sync::SyncRequest;
use serde_json::{json, Value};

use crate::peers::{assert_secret_nowhere, by_email, engine, everyone, now, repo};

const TOKEN: &str = "scim-test-token-9f3c2a71";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A running `scim2-server`, stopped when dropped.
struct ScimServer {
    child: Child,
    base: String,
    http: reqwest::blocking::Client,
}

impl ScimServer {
    fn start() -> ScimServer {
        let binary = repo().join("tests/peers/.venv/bin/scim2-server");
        assert!(
            binary.exists(),
            "the SCIM tests need the real scim2-server at {}: run .ci/setup, or `python3 -m venv tests/peers/.venv && \
             tests/peers/.venv/bin/pip install -r tests/peers/requirements.txt`",
            binary.display()
        );
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(binary)
            .args(["--port", &port.to_string(), "--bearer-token", TOKEN])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("scim2-server starts");
        let server = ScimServer {
            child,
            base: format!("http://127.0.0.1:{port}/v2"),
            http: roster_engine::connector::http::builder().build().unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while server.http.get(format!("{}/ServiceProviderConfig", server.base)).bearer_auth(TOKEN).send().is_err() {
            assert!(Instant::now() < deadline, "scim2-server answers within 20 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn post(&self, resource: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/{resource}", self.base))
            .bearer_auth(TOKEN)
            .header("Content-Type", "application/scim+json")
            .body(body.to_string())
            .send()
            .unwrap();
        assert!(response.status().is_success(), "scim2-server accepts the seed: {}", response.text().unwrap());
        response.json().unwrap()
    }

    fn user(&self, number: usize, manager: Option<&str>) -> String {
        let email = format!("user{number}@scim.example");
        let mut enterprise = json!({"employeeNumber": format!("S-{number}"), "organization": "Scimco SAS", "department": "Research & Development"});
        if let Some(manager) = manager {
            enterprise["manager"] = json!({"value": manager});
        }
        let user = self.post(
            "Users",
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
                "userName": email,
                "name": {"givenName": format!("Given{number}"), "familyName": format!("Family{number}")},
                "title": "Engineer",
                "userType": "Contractor",
                "active": number % 10 != 3,
                "emails": [{"value": email, "type": "work", "primary": true}, {"value": format!("home{number}@mail.example"), "type": "home"}],
                "phoneNumbers": [{"value": "+33 6 00 00 00 00", "type": "mobile"}],
                "addresses": [{"type": "home", "streetAddress": "1 rue de Rivoli", "locality": "Paris", "postalCode": "75001", "country": "FR"}],
                ENTERPRISE: enterprise,
            }),
        );
        user["id"].as_str().unwrap().to_owned()
    }
}

impl Drop for ScimServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_scim_source_syncs_every_page_of_users_with_groups_departments_and_managers() {
    let server = ScimServer::start();
    let boss = server.user(0, None);
    // More users than one page (100), so the connector must follow startIndex paging.
    let mut ids = vec![boss.clone()];
    for n in 1..=104 {
        ids.push(server.user(n, Some(&boss)));
    }
    server.post(
        "Groups",
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Platform",
               "members": [{"value": ids[1], "type": "User"}, {"value": ids[2], "type": "User"}]}),
    );

    let (dir, mut engine) = engine();
    engine.add_scim_source("Directory", &server.base, TOKEN, now()).expect("a SCIM source with a valid token connects");
    let report = engine.sync("Directory", now(), SyncRequest::default()).expect("the SCIM source syncs");

    let rows = everyone(&engine);
    assert_eq!(rows.len(), 105, "every user of every page reaches the directory");
    let one = by_email(&rows, "user1@scim.example");
    assert_eq!(one.first_name.as_deref(), Some("Given1"), "name.givenName is the first name");
    assert_eq!(one.last_name.as_deref(), Some("Family1"), "name.familyName is the last name");
    assert_eq!(one.employee_number.as_deref(), Some("S-1"), "the enterprise employeeNumber is the employee number");
    assert_eq!(one.job_title.as_deref(), Some("Engineer"), "title is the job title");
    assert_eq!(one.employment_type.as_deref(), Some("CONTRACTOR"), "userType is the employment type");
    assert_eq!(one.employment_status.as_deref(), Some("ACTIVE"), "active users are ACTIVE");
    assert_eq!(
        by_email(&rows, "user3@scim.example").employment_status.as_deref(),
        Some("INACTIVE"),
        "inactive users are INACTIVE"
    );
    assert_eq!(one.legal_entity.as_deref(), Some("Scimco SAS"), "the enterprise organization is the legal entity");
    assert_eq!(one.manager.as_deref(), Some("Given0 Family0"), "manager.value links the manager");
    assert_eq!(one.teams, vec!["Platform"], "/Groups membership makes teams");
    assert!(by_email(&rows, "user5@scim.example").teams.is_empty(), "a user in no group is in no team");
    assert_eq!(one.start_date, None, "SCIM has no start date unless an extension carries one");

    let conn = engine.store().conn();
    let department: String = conn
        .query_row("SELECT name FROM groups WHERE type = 'DEPARTMENT'", (), |r| r.get(0))
        .expect("the enterprise department is a DEPARTMENT group");
    assert_eq!(department, "Research & Development");
    let address: String = conn
        .query_row("SELECT home_address FROM employees WHERE work_email = 'user1@scim.example'", (), |r| r.get(0))
        .expect("the home address is kept");
    assert!(
        address.contains("\"city\":\"Paris\"") && address.contains("\"zip_code\":\"75001\""),
        "addresses[type=home] is the home address: {address}"
    );

    let outputs = vec![format!("{report:?}"), format!("{:?}", engine.sources().unwrap())];
    assert_secret_nowhere(dir.path(), TOKEN, &outputs);
}

#[test]
fn a_scim_source_with_a_wrong_token_is_refused_and_not_added() {
    let server = ScimServer::start();
    let (dir, mut engine) = engine();
    let wrong = "not-the-scim-token-1234";
    let error =
        engine.add_scim_source("Directory", &server.base, wrong, now()).expect_err("a wrong token is refused").to_string();
    assert!(error.contains("rejected"), "the person is told the token was rejected: {error}");
    assert!(engine.sources().unwrap().is_empty(), "a refused token adds no source");
    assert_secret_nowhere(dir.path(), wrong, &[error]);
}
