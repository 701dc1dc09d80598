//! What the HTTP connectors share: the client, bounded retries with backoff that honour
//! `Retry-After`, and sorting a page's response into data, a failure worth retrying, or a final one.

use std::time::Duration;

use backon::{BlockingRetryable, ExponentialBuilder};
use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;
use serde::Deserialize;

use super::{ConnectorError, Model};

/// A `Retry-After` longer than this is not waited for within one sync; the next sync tries again.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How often and how patiently a failed page request is retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: usize,
    pub first_delay: Duration,
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { attempts: 4, first_delay: Duration::from_millis(500), timeout: Duration::from_secs(30) }
    }
}

pub fn client(retry: &RetryPolicy) -> Result<Client, ConnectorError> {
    Client::builder()
        .timeout(retry.timeout)
        .user_agent(concat!("Roster/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ConnectorError::Transport { model: Model::Employees, page: 0, detail: e.to_string() })
}

/// The outcome of one failed request: worth another try (perhaps after a delay the server asked
/// for), or final.
pub enum Attempt {
    Retry { error: ConnectorError, after: Option<Duration> },
    Final(ConnectorError),
}

impl Attempt {
    fn into_error(self) -> ConnectorError {
        match self {
            Attempt::Retry { error, .. } | Attempt::Final(error) => error,
        }
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the policy's attempts are spent.
pub fn with_retries<T>(policy: &RetryPolicy, attempt: impl FnMut() -> Result<T, Attempt>) -> Result<T, ConnectorError> {
    let backoff = ExponentialBuilder::default()
        .with_min_delay(policy.first_delay)
        .with_max_times(policy.attempts.saturating_sub(1))
        .with_jitter();
    attempt
        .retry(backoff)
        .when(|e: &Attempt| matches!(e, Attempt::Retry { after, .. } if after.is_none_or(|wait| wait <= MAX_RETRY_AFTER)))
        // backon's blocking retry has no hook to replace its delay, so the rest of a longer
        // `Retry-After` is waited here, before backon's own (shorter) sleep.
        .notify(|e: &Attempt, delay| {
            if let Attempt::Retry { after: Some(wait), .. } = e {
                std::thread::sleep(wait.saturating_sub(delay));
            }
        })
        .call()
        .map_err(Attempt::into_error)
}

/// Sorts a page request's outcome: 429, 5xx and transport failures (including a connection
/// dropped mid-body) are retried; other statuses go through `final_error`; a complete body that
/// does not parse is malformed data, which no retry would fix.
pub fn read_page<T: for<'de> Deserialize<'de>>(
    sent: reqwest::Result<Response>,
    model: Model,
    page: u32,
    final_error: fn(Model, u32, Response) -> ConnectorError,
) -> Result<T, Attempt> {
    let response = sent.map_err(|e| Attempt::Retry { error: transport(model, page, &e), after: None })?;
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        let after = retry_after(&response);
        return Err(Attempt::Retry { error: ConnectorError::RateLimited { model, page }, after });
    }
    if status.is_server_error() {
        return Err(Attempt::Retry { error: final_error(model, page, response), after: None });
    }
    if !status.is_success() {
        return Err(Attempt::Final(final_error(model, page, response)));
    }
    let bytes = response.bytes().map_err(|e| Attempt::Retry { error: transport(model, page, &e), after: None })?;
    serde_json::from_slice(&bytes).map_err(|e| Attempt::Final(ConnectorError::Malformed { model, page, detail: e.to_string() }))
}

pub fn transport(model: Model, page: u32, error: &reqwest::Error) -> ConnectorError {
    let detail = if error.is_timeout() {
        "the request timed out".to_owned()
    } else if error.is_body() || error.is_decode() {
        "the connection closed before the page was complete".to_owned()
    } else if error.is_connect() {
        "could not connect; check the base URL and the network".to_owned()
    } else {
        // reqwest's message names the URL, which never carries a secret (keys travel in headers).
        error.to_string()
    };
    ConnectorError::Transport { model, page, detail }
}

fn retry_after(response: &Response) -> Option<Duration> {
    response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}
