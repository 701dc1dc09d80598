//! Kombo's error envelope, `{"status":"error","error":{code,title,message,log_url}}`,
//! as the one error type every handler returns.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub message: String,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, title: &'static str, message: String) -> Self {
        ApiError { status, code, title, message, retry_after_secs: None }
    }

    pub fn authentication(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "PLATFORM.AUTHENTICATION_INVALID", "Authentication invalid", message.to_owned())
    }

    pub fn integration_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "PLATFORM.INTEGRATION_NOT_FOUND",
            "Integration not found",
            format!("No integration with id \"{id}\" exists in this environment."),
        )
    }

    pub fn input(message: String) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "PLATFORM.INPUT_INVALID", "Input invalid", message)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        ApiError {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "PLATFORM.RATE_LIMIT_EXCEEDED",
                "Rate limit exceeded",
                format!("Too many requests. Retry after {retry_after_secs} seconds."),
            )
        }
    }

    pub fn unknown() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "PLATFORM.UNKNOWN_ERROR",
            "Unknown error",
            "An unexpected error occurred (injected by the simulator).".to_owned(),
        )
    }

    pub fn setup_sync_pending() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "INTEGRATION.SETUP_SYNC_PENDING",
            "Setup sync pending",
            "The initial sync of this integration has not finished yet. Try again later.".to_owned(),
        )
    }

    pub fn permission_missing(path: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "INTEGRATION.PERMISSION_MISSING",
            "Permission missing",
            format!("The API user in the HR system lacks the permission to read {path}."),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "status": "error",
            "error": {
                "code": self.code,
                "title": self.title,
                "message": self.message,
                "log_url": null,
            }
        });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
