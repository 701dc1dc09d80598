//! Every kind of response validates against Kombo's OpenAPI spec (JSON Schema
//! 2020-12), so what works against the simulator works against Kombo.

use std::path::PathBuf;

use roster_simulator::{Change, Fault, Model, Simulator};
use serde_json::{json, Value};

use crate::common::{client, get, get_json, start, walk};

/// The spec subset kept in `tests/spec/` (see its README for where it comes from);
/// `KOMBO_OPENAPI_SPEC` points at another copy, e.g. a newer download.
fn spec() -> Value {
    let path = std::env::var_os("KOMBO_OPENAPI_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/spec/kombo-openapi-hris.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!("the Kombo OpenAPI spec must be readable at {} ({error}); set KOMBO_OPENAPI_SPEC to its path", path.display())
    });
    serde_json::from_str(&text).expect("the spec is JSON")
}

struct Spec {
    components: Value,
}

impl Spec {
    fn load() -> Self {
        Spec { components: spec()["components"].clone() }
    }

    /// Validates `instance` against the schema at `pointer` (e.g.
    /// `#/components/schemas/X`), with the spec's components as the root
    /// document so that its internal `$ref`s resolve.
    fn assert_valid(&self, pointer: &str, instance: &Value, what: &str) {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": pointer,
            "components": self.components,
        });
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|error| panic!("schema {pointer} compiles: {error}"));
        let errors = validator.iter_errors(instance).into_errors();
        assert!(errors.is_empty(), "{what} must validate against {pointer}:\n{errors}");
    }

    fn is_valid(&self, pointer: &str, instance: &Value) -> bool {
        let schema = json!({"$ref": pointer, "components": self.components});
        jsonschema::draft202012::new(&schema).expect("the schema compiles").is_valid(instance)
    }
}

#[test]
fn the_schema_check_rejects_a_record_kombo_would_never_send() {
    let spec = Spec::load();
    let simulator = start(3);
    let pointer = "#/components/schemas/GetHrisEmployeesPositiveResponse";
    let mut body = get_json(&simulator, "/hris/employees", &[]);
    assert!(spec.is_valid(pointer, &body), "the served page is valid");
    body["data"]["results"][0]["changed_at"] = Value::Null;
    assert!(!spec.is_valid(pointer, &body), "a null changed_at is invalid, so the validation is not vacuous");
}

const ERROR_SCHEMA: &str = "#/components/responses/ErrorResponseHRIS/content/application~1json/schema";

#[test]
fn every_listing_validates_against_the_openapi_schema() {
    let spec = Spec::load();
    let simulator = start(200);
    let deleted = simulator.employees()[5].id.clone();
    simulator.apply(Change::Delete { employee_id: deleted });
    for (path, schema) in [
        ("/hris/employees", "GetHrisEmployeesPositiveResponse"),
        ("/hris/employments", "GetHrisEmploymentsPositiveResponse"),
        ("/hris/groups", "GetHrisGroupsPositiveResponse"),
        ("/hris/legal-entities", "GetHrisLegalEntitiesPositiveResponse"),
        ("/hris/locations", "GetHrisLocationsPositiveResponse"),
    ] {
        let pointer = format!("#/components/schemas/{schema}");
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![("page_size", "250"), ("include_deleted", "true")];
            if let Some(cursor) = &cursor {
                query.push(("cursor", cursor.as_str()));
            }
            let body = get_json(&simulator, path, &query);
            spec.assert_valid(&pointer, &body, &format!("a page of {path}"));
            match body["data"]["next"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
    }
    let (records, pages) = walk(&simulator, "/hris/employees", &[("page_size", "250")]);
    assert_eq!((records.len(), pages), (199, 1), "the validated walk covered the company");
}

#[test]
fn platform_and_connect_responses_validate_against_the_openapi_schema() {
    let spec = Spec::load();
    let simulator = start(5);
    let base = simulator.base_url();
    let authed = |request: reqwest::blocking::RequestBuilder| {
        let response = request
            .bearer_auth(simulator.api_key())
            .header("X-Integration-Id", simulator.integration_id())
            .send()
            .expect("request reaches the simulator");
        assert_eq!(response.status(), 200, "the platform call succeeds");
        response.json::<Value>().expect("JSON")
    };
    spec.assert_valid(
        "#/components/schemas/GetCheckApiKeyPositiveResponse",
        &authed(client().get(format!("{base}/check-api-key"))),
        "check-api-key",
    );
    spec.assert_valid(
        "#/components/schemas/GetIntegrationsIntegrationIdPositiveResponse",
        &authed(client().get(format!("{base}/integrations/{}", simulator.integration_id()))),
        "the integration",
    );
    spec.assert_valid(
        "#/components/schemas/PostForceSyncPositiveResponse",
        &authed(client().post(format!("{base}/force-sync")).json(&json!({"type": "DELTA"}))),
        "force-sync",
    );
    let request = json!({
        "end_user_email": "it-admin@quillon.example",
        "end_user_organization_name": "Quillon",
    });
    spec.assert_valid("#/components/schemas/PostConnectCreateLinkRequestBody", &request, "the create-link body the tests send");
    let link = authed(client().post(format!("{base}/connect/create-link")).json(&request));
    spec.assert_valid("#/components/schemas/PostConnectCreateLinkPositiveResponse", &link, "create-link");
    let token = simulator.complete_connect_link(link["data"]["link"].as_str().expect("link"));
    spec.assert_valid(
        "#/components/schemas/GetConnectIntegrationByTokenTokenPositiveResponse",
        &authed(client().get(format!("{base}/connect/integration-by-token/{token}"))),
        "integration-by-token",
    );
}

#[test]
fn every_error_validates_against_the_error_envelope_schema() {
    let spec = Spec::load();
    let simulator: Simulator = start(5);
    let mut errors = Vec::new();
    let unauthenticated =
        client().get(format!("{}/hris/employees", simulator.base_url())).send().expect("request reaches the simulator");
    errors.push(("no API key", unauthenticated));
    errors.push(("bad page size", get(&simulator, "/hris/employees", &[("page_size", "0")])));
    simulator.inject(Fault::RateLimit { model: Model::Groups, retry_after_secs: 1, times: 1 });
    errors.push(("rate limit", get(&simulator, "/hris/groups", &[])));
    simulator.inject(Fault::ServerError { model: Model::Locations, page: 1, times: 1 });
    errors.push(("server error", get(&simulator, "/hris/locations", &[])));
    simulator.inject(Fault::PermissionMissing { model: Model::Employments });
    errors.push(("permission missing", get(&simulator, "/hris/employments", &[])));
    simulator.inject(Fault::SetupSyncPending);
    errors.push(("setup sync pending", get(&simulator, "/hris/employees", &[])));
    for (what, response) in errors {
        assert!(!response.status().is_success(), "{what} is an error status");
        let body: Value = response.json().expect("errors are JSON");
        spec.assert_valid(ERROR_SCHEMA, &body, what);
    }
}
