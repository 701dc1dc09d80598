//! Kombo Connect, reduced to its observable steps: create a link, let the user
//! "connect" on a tiny HTML page, hand out an activation token, and exchange the
//! token for the integration.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api_error::ApiError;
use crate::ids::token;
use crate::routes::{authenticate, tool_label};
use crate::state::{ConnectLink, Inner, Shared};

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/v1/connect/create-link", post(create_link))
        .route("/v1/connect/integration-by-token/{token}", get(integration_by_token))
        .route("/connect/{link_id}", get(link_page).post(complete_page))
}

#[derive(Debug, Deserialize)]
struct CreateLinkBody {
    end_user_email: String,
    end_user_organization_name: String,
    end_user_origin_id: Option<String>,
    integration_tool: Option<String>,
}

async fn create_link(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Result<Json<Value>, ApiError> {
    authenticate(&shared, &headers)?;
    let body: CreateLinkBody = serde_json::from_slice(&body).map_err(|error| {
        ApiError::input(format!("The body must be JSON with end_user_email and end_user_organization_name: {error}."))
    })?;
    if body.end_user_organization_name.is_empty() || !body.end_user_email.contains('@') {
        return Err(ApiError::input("end_user_email must be an email and end_user_organization_name non-empty.".to_owned()));
    }
    let link_id = {
        let mut inner = shared.lock();
        if let Some(link) = inner.faults.connect_link() {
            return Ok(Json(json!({ "status": "success", "data": { "link": link } })));
        }
        let link_id = token(&mut inner.rng, 24);
        inner.links.insert(
            link_id.clone(),
            ConnectLink {
                end_user_email: body.end_user_email,
                end_user_organization_name: body.end_user_organization_name,
                end_user_origin_id: body.end_user_origin_id,
                tool: body.integration_tool.unwrap_or_else(|| shared.config.tool.clone()),
            },
        );
        link_id
    };
    Ok(Json(json!({
        "status": "success",
        "data": { "link": format!("{}/connect/{link_id}", shared.origin) }
    })))
}

/// Finishes the flow for a link: the user "connected" their HR system and the
/// frontend receives an activation token. `None` for a link never created.
pub fn complete(inner: &mut Inner, link_id: &str) -> Option<String> {
    let link = inner.links.get(link_id)?.clone();
    let activation_token = token(&mut inner.rng, 32);
    inner.activations.insert(activation_token.clone(), link);
    Some(activation_token)
}

async fn link_page(State(shared): State<Arc<Shared>>, Path(link_id): Path<String>) -> Response {
    let Some(link) = shared.lock().links.get(&link_id).cloned() else {
        return unknown_link();
    };
    Html(format!(
        "<!doctype html><html><head><title>Kombo Connect (simulator)</title></head><body>\
         <h1>Connect HR system</h1>\
         <p>{organization} is connecting {tool}.</p>\
         <form method=\"post\" action=\"/connect/{link_id}\">\
         <button type=\"submit\" id=\"connect\">Connect HR system</button></form>\
         </body></html>",
        organization = escape(&link.end_user_organization_name),
        tool = escape(&tool_label(&link.tool)),
    ))
    .into_response()
}

async fn complete_page(State(shared): State<Arc<Shared>>, Path(link_id): Path<String>) -> Response {
    let Some(activation_token) = complete(&mut shared.lock(), &link_id) else {
        return unknown_link();
    };
    Html(format!(
        "<!doctype html><html><head><title>Kombo Connect (simulator)</title></head><body>\
         <h1>HR system connected</h1>\
         <p>activation_token: <code id=\"activation-token\">{activation_token}</code></p>\
         </body></html>"
    ))
    .into_response()
}

fn unknown_link() -> Response {
    (StatusCode::NOT_FOUND, Html("<!doctype html><html><body><h1>This Connect link is unknown or expired.</h1></body></html>"))
        .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

async fn integration_by_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(activation_token): Path<String>,
) -> Result<Json<Value>, ApiError> {
    authenticate(&shared, &headers)?;
    let link = shared.lock().activations.get(&activation_token).cloned().ok_or_else(|| {
        ApiError::input(format!("Unknown activation token \"{activation_token}\"; complete the Connect flow first."))
    })?;
    Ok(Json(json!({
        "status": "success",
        "data": {
            "tool": link.tool,
            "id": shared.config.integration_id,
            "end_user_origin_id": link.end_user_origin_id,
            "end_user_organization_name": link.end_user_organization_name,
            "end_user_email": link.end_user_email,
            "setup_status": "COMPLETED",
        }
    })))
}
