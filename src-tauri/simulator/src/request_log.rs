//! The log of requests the simulator received, so tests can assert what a
//! client sent (e.g. that an incremental sync passed `updated_after`).

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::Uri;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The raw, still percent-encoded query string.
    pub query: Option<String>,
}

impl RecordedRequest {
    /// One query parameter, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let uri: Uri = format!("/?{}", self.query.as_deref()?).parse().ok()?;
        let Query(mut params) = Query::<HashMap<String, String>>::try_from_uri(&uri).ok()?;
        params.remove(name)
    }
}
