//! The HTTP surface: Kombo's platform endpoints and the five HRIS listings,
//! with authentication, fault injection and request recording.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, RawQuery, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::api_error::ApiError;
use crate::company::{self, Company};
use crate::connect;
use crate::fault::{Model, Outcome};
use crate::ids::opaque_id;
use crate::listing::{encode_cursor, page, Envelope, ListQuery};
use crate::records::{Employee, EmploymentStatus};
use crate::request_log::RecordedRequest;
use crate::state::Shared;
use crate::timestamp;

pub fn router(shared: Arc<Shared>) -> Router {
    let listing = |model: Model| {
        get(move |state: State<Arc<Shared>>, headers: HeaderMap, params: Query<HashMap<String, String>>, raw: RawQuery| {
            list(model, state, headers, params, raw)
        })
    };
    Router::new()
        .route("/v1/check-api-key", get(check_api_key))
        .route("/v1/integrations/{integration_id}", get(integration))
        .route("/v1/force-sync", post(force_sync))
        .route(Model::Employees.path(), listing(Model::Employees))
        .route(Model::Employments.path(), listing(Model::Employments))
        .route(Model::Groups.path(), listing(Model::Groups))
        .route(Model::LegalEntities.path(), listing(Model::LegalEntities))
        .route(Model::Locations.path(), listing(Model::Locations))
        .merge(connect::router())
        .layer(middleware::from_fn_with_state(shared.clone(), record))
        .with_state(shared)
}

/// Logs every request, then applies the injected latency and waits while requests are held.
async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let latency = {
        let mut inner = shared.lock();
        inner.requests.push(RecordedRequest {
            method: request.method().to_string(),
            path: request.uri().path().to_owned(),
            query: request.uri().query().map(str::to_owned),
        });
        inner.faults.latency()
    };
    tracing::debug!(method = %request.method(), uri = %request.uri(), "simulator request");
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    shared.gate.pass().await;
    next.run(request).await
}

/// Every Kombo call carries the API key as a bearer token.
pub fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::authentication("Missing API key: send the header \"Authorization: Bearer <api key>\"."))?;
    if bearer.trim() != shared.config.api_key {
        return Err(ApiError::authentication("The API key is invalid. Check the key in the Kombo dashboard."));
    }
    Ok(())
}

/// Integration-scoped calls also name the integration in `X-Integration-Id`.
fn authenticate_integration(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    authenticate(shared, headers)?;
    let integration = headers
        .get("x-integration-id")
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| ApiError::authentication("Missing integration: send the header \"X-Integration-Id\"."))?;
    if integration != shared.config.integration_id {
        return Err(ApiError::integration_not_found(integration));
    }
    Ok(())
}

async fn check_api_key(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    authenticate(&shared, &headers)?;
    Ok(Json(json!({
        "status": "success",
        "data": {
            "environment_id": shared.environment_id,
            "customer_id": shared.customer_id,
        }
    })))
}

async fn integration(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(integration_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    authenticate(&shared, &headers)?;
    if integration_id != shared.config.integration_id {
        return Err(ApiError::integration_not_found(&integration_id));
    }
    let tool = &shared.config.tool;
    let created_at = timestamp::midnight(shared.config.company.today - chrono::Duration::days(30));
    let read_models: Vec<Value> = [
        ("hris_employees", "Employees"),
        ("hris_employments", "Employments"),
        ("hris_groups", "Groups"),
        ("hris_legal_entities", "Legal entities"),
        ("hris_locations", "Work locations"),
    ]
    .iter()
    .map(|(id, label)| {
        json!({
            "id": id,
            "label": label,
            "is_available": true,
            "coverage_status": "SUPPORTED",
            "scope_config_setting": "ENABLED",
            "opted_out_by_customer": false,
            "fields": [],
        })
    })
    .collect();
    Ok(Json(json!({
        "status": "success",
        "data": {
            "id": shared.config.integration_id,
            "tool": {
                "id": tool,
                "label": tool_label(tool),
                "internal_label": null,
                "logo_url": format!("{}/assets/{tool}-logo.svg", shared.origin),
                "icon_url": format!("{}/assets/{tool}-icon.svg", shared.origin),
            },
            "category": "HRIS",
            "status": "ACTIVE",
            "setup_status": "COMPLETED",
            "end_user": {
                "organization_name": "Quillon",
                "creator_email": "it-admin@quillon.example",
                "origin_id": null,
            },
            "scope_config": { "id": "default", "name": "Default scope" },
            "created_at": timestamp::format(&created_at),
            "beta": false,
            "read_models": read_models,
        }
    })))
}

pub fn tool_label(tool: &str) -> String {
    let mut chars = tool.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

async fn force_sync(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Result<Json<Value>, ApiError> {
    authenticate_integration(&shared, &headers)?;
    let kind = if body.is_empty() {
        "FULL".to_owned()
    } else {
        let body: Value =
            serde_json::from_slice(&body).map_err(|error| ApiError::input(format!("The body is not valid JSON: {error}.")))?;
        match body.get("type").and_then(Value::as_str) {
            None => "FULL".to_owned(),
            Some(kind @ ("FULL" | "DELTA")) => kind.to_owned(),
            Some(other) => return Err(ApiError::input(format!("type must be FULL or DELTA, got \"{other}\"."))),
        }
    };
    let sync_id = opaque_id(&mut shared.lock().rng);
    Ok(Json(json!({
        "status": "success",
        "data": { "already_queued": false, "sync_id": sync_id, "type": kind }
    })))
}

async fn list(
    model: Model,
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    authenticate_integration(&shared, &headers)?;
    let query = ListQuery::parse(&params)?;
    let (outcome, body) = {
        let mut inner = shared.lock();
        let outcome = inner.faults.fire(model, query.page);
        let hide = shared.config.hide_future_and_departed;
        let body = inner.page(model, raw.as_deref().unwrap_or_default(), |company| render(model, company, &query, hide));
        (outcome, body)
    };
    match outcome {
        None => Ok(json_response(Body::from(body))),
        Some(Outcome::RateLimited { retry_after_secs }) => Err(ApiError::rate_limited(retry_after_secs)),
        Some(Outcome::ServerError) => Err(ApiError::unknown()),
        Some(Outcome::SetupSyncPending) => Err(ApiError::setup_sync_pending()),
        Some(Outcome::PermissionMissing) => Err(ApiError::permission_missing(model.path())),
        Some(Outcome::StuckCursor) => {
            // A real cursor (page 2, after no id), so the request that echoes it parses and gets it again.
            let page = json!({"status": "success", "data": {"next": encode_cursor(2, ""), "results": []}});
            Ok(json_response(Body::from(page.to_string())))
        }
        Some(Outcome::MalformedJson) => {
            // A JSON prefix followed by `<` can never parse, wherever the cut falls.
            let mut broken = body[..body.len() / 2].to_vec();
            broken.extend_from_slice(b"<<truncated by the simulator>>");
            Ok(json_response(Body::from(broken)))
        }
        Some(Outcome::DropConnection) => {
            let half = body.slice(..body.len() / 2);
            let chunks = [
                Ok(half),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "connection dropped by the simulator")),
            ];
            // The pause lets hyper flush the headers and the first half before
            // the error makes it abort the connection.
            let stream = futures_util::stream::iter(chunks).then(|chunk| async move {
                if chunk.is_err() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                chunk
            });
            Ok(json_response(Body::from_stream(stream)))
        }
    }
}

fn json_response(body: Body) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A Lucca key without the "future/departed" right sees neither.
fn visible(employee: &Employee, hide_future_and_departed: bool) -> bool {
    !hide_future_and_departed
        || !matches!(employee.employment_status, Some(EmploymentStatus::Pending | EmploymentStatus::Inactive))
}

fn render(model: Model, company: &Company, query: &ListQuery, hide: bool) -> Vec<u8> {
    let after = query.after.as_deref();
    let body = match model {
        Model::Employees => {
            serde_json::to_vec(&Envelope::success(page(company::after(&company.employees, after), query, |employee| {
                visible(employee, hide)
            })))
        }
        Model::Employments => {
            serde_json::to_vec(&Envelope::success(page(company.employments_after(after), query, |employment| {
                company.employee(&employment.employee_id).is_some_and(|employee| visible(employee, hide))
            })))
        }
        Model::Groups => serde_json::to_vec(&Envelope::success(page(company::after(&company.groups, after), query, |_| true))),
        Model::LegalEntities => {
            serde_json::to_vec(&Envelope::success(page(company::after(&company.legal_entities, after), query, |_| true)))
        }
        Model::Locations => {
            serde_json::to_vec(&Envelope::success(page(company::after(&company.locations, after), query, |_| true)))
        }
    };
    body.expect("records always serialise")
}
