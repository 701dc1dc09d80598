//! What the HTTP connectors share: the client, bounded retries with backoff that honour
//! `Retry-After`, and sorting a page's response into data, a failure worth retrying, or a final one.

use std::io::Read;
use std::time::Duration;

use backon::{BlockingRetryable, ExponentialBuilder};
use reqwest::blocking::{Client, ClientBuilder, Response};
use reqwest::Certificate;
use reqwest::StatusCode;
use serde::Deserialize;

use super::{ConnectorError, Model};

/// The largest page body read: a hostile or broken server cannot fill memory within the timeout.
pub const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;
/// A sanity limit on the pages of one model in one read (25 million records at Kombo's 250 a
/// page): a server whose cursors never end fails the read instead of running forever.
pub const MAX_PAGES_PER_MODEL: u32 = 100_000;
/// Redirects followed within the same scheme, host and port; any other redirect is refused.
pub const MAX_REDIRECTS: usize = 3;

/// A host that does not answer the connection is given up on this soon (the request timeout,
/// longer, covers a slow answer): a wrong address fails fast instead of taking every retry's full timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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
    builder()
        .timeout(retry.timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(retry.timeout))
        .redirect(redirect_policy())
        .build()
        .map_err(|e| ConnectorError::Transport { model: Model::Employees, page: 0, detail: e.to_string() })
}

/// Every HTTP client of Roster starts here. Certificates are checked by the platform's verifier,
/// so a company's private CA or TLS-inspecting proxy in the OS trust store works (on Linux the
/// store is read from the usual bundle, or `SSL_CERT_FILE`); Mozilla's roots are trusted too.
pub fn builder() -> ClientBuilder {
    // reqwest is built without a crypto provider: ring, which the updater's TLS installs as well.
    // Installing fails only when a provider is in place already, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fallback = webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().filter_map(|der| Certificate::from_der(der).ok());
    Client::builder().tls_certs_merge(fallback).user_agent(concat!("Roster/", env!("CARGO_PKG_VERSION")))
}

/// Follows a few redirects on the same origin only: the API key travels in a header, and a
/// redirect to another host or scheme must never carry it there (nor downgrade it to plain HTTP).
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().cloned();
        let same_origin = first.is_some_and(|from| from.origin() == attempt.url().origin());
        if !same_origin {
            let to = attempt.url().origin().ascii_serialization();
            attempt.error(format!("the server redirected to {to}, another host or scheme; Roster does not send credentials there. Use the final address as the base URL"))
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else {
            attempt.follow()
        }
    })
}

/// Refuses a plain-HTTP URL unless it points at this machine (tests, local tools): anywhere else
/// the key or token would cross the network in clear.
pub fn require_tls(url: &str) -> Result<(), ConnectorError> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| ConnectorError::InsecureUrl { url: url.to_owned(), reason: e.to_string() })?;
    // The URL parser lowercases host names and brackets IPv6 addresses.
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        scheme => Err(ConnectorError::InsecureUrl {
            url: url.to_owned(),
            reason: format!("{scheme}:// is only allowed for 127.0.0.1, ::1 and localhost; use https://"),
        }),
    }
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
    if page > MAX_PAGES_PER_MODEL {
        return Err(Attempt::Final(ConnectorError::TooManyPages { model, limit: MAX_PAGES_PER_MODEL }));
    }
    let response = sent.map_err(|e| {
        // A refused redirect is a setting to fix, not a glitch to retry.
        let error = transport(model, page, &e);
        if e.is_redirect() {
            Attempt::Final(error)
        } else {
            Attempt::Retry { error, after: None }
        }
    })?;
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
    let bytes = read_capped(response, model, page)?;
    serde_json::from_slice(&bytes).map_err(|e| Attempt::Final(ConnectorError::Malformed { model, page, detail: e.to_string() }))
}

/// Reads a page's body, failing as soon as it passes `MAX_PAGE_BYTES` (a declared length that
/// large is refused before reading).
fn read_capped(response: Response, model: Model, page: u32) -> Result<Vec<u8>, Attempt> {
    let too_large = || Attempt::Final(ConnectorError::PageTooLarge { model, page, limit_mb: MAX_PAGE_BYTES / (1024 * 1024) });
    if response.content_length().is_some_and(|length| length > MAX_PAGE_BYTES) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    response.take(MAX_PAGE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| {
        let detail = format!("the connection closed before the page was complete ({e})");
        Attempt::Retry { error: ConnectorError::Transport { model, page, detail }, after: None }
    })?;
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

pub fn transport(model: Model, page: u32, error: &reqwest::Error) -> ConnectorError {
    let detail = if error.is_timeout() {
        "the request timed out".to_owned()
    } else if error.is_body() || error.is_decode() {
        "the connection closed before the page was complete".to_owned()
    } else if error.is_redirect() {
        // The policy's message says where it led and what to do.
        std::error::Error::source(error).map_or_else(|| error.to_string(), |cause| cause.to_string())
    } else if let Some(tls) = tls_refusal(error) {
        format!("the server's TLS certificate was refused ({tls}). If your company uses its own certificate authority or a TLS-inspecting proxy, add its certificate to this computer's trust store")
    } else if error.is_connect() {
        "could not connect; check the base URL and the network".to_owned()
    } else {
        // reqwest's message names the URL, which never carries a secret (keys travel in headers).
        error.to_string()
    };
    ConnectorError::Transport { model, page, detail }
}

/// The certificate error behind a failed connection, if that is what failed it.
fn tls_refusal(error: &reqwest::Error) -> Option<&rustls::Error> {
    let mut cause = std::error::Error::source(error);
    while let Some(mut error) = cause {
        // An I/O error's `source` skips the error it wraps (rustls's, in one or two I/O errors):
        // step into it instead.
        while let Some(inner) = error.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            error = inner;
        }
        if let Some(tls) = error.downcast_ref() {
            return Some(tls);
        }
        cause = error.source();
    }
    None
}

fn retry_after(response: &Response) -> Option<Duration> {
    response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &'static str) -> reqwest::Result<Response> {
        Ok(Response::from(http::Response::builder().status(200).body(body).unwrap()))
    }

    #[test]
    fn a_page_past_the_sanity_limit_ends_the_read_with_a_clear_error() {
        let last: Result<serde_json::Value, Attempt> =
            read_page(page("{}"), Model::Employees, MAX_PAGES_PER_MODEL, |_, _, _| unreachable!());
        assert!(last.is_ok(), "the limit's own page is still read");
        let past: Result<serde_json::Value, Attempt> =
            read_page(page("{}"), Model::Employees, MAX_PAGES_PER_MODEL + 1, |_, _, _| unreachable!());
        let error = past.map_err(Attempt::into_error).unwrap_err();
        assert!(
            matches!(error, ConnectorError::TooManyPages { model: Model::Employees, limit: MAX_PAGES_PER_MODEL }),
            "{error:?}"
        );
        assert!(error.to_string().contains("nothing was changed"), "the message says the directory is untouched: {error}");
    }
}
