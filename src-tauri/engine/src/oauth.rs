//! OAuth 2.0 sign-in to an HR API: authorisation code with PKCE (S256) on a loopback redirect
//! (RFC 8252), tokens kept only in the OS keyring, refreshed before expiry and after a 401.
//!
//! The API behind the sign-in is read by the Kombo or the SCIM connector with the access token as
//! its bearer key, so an OAuth source differs from those only in how it gets and renews the key.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicRequestTokenError};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, HttpClientError, HttpRequest, HttpResponse, PkceCodeChallenge, RedirectUrl,
    RefreshToken, Scope, SyncHttpClient, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::connector::http::RetryPolicy;
use crate::connector::kombo::{KomboConfig, KomboConnector};
use crate::connector::scim::{ScimConfig, ScimConnector};
use crate::connector::{Connector, ConnectorError, ReadRequest, Sink};
use crate::secrets::Secrets;

/// An access token this close to its expiry is renewed before it is used: a long read must not
/// run out of token half-way.
const REFRESH_MARGIN: chrono::Duration = chrono::Duration::seconds(60);
/// The only path the loopback listener answers; other requests (a browser's favicon) get a 404.
const CALLBACK_PATH: &str = "/callback";
/// A request head (request line and headers) longer than this is dropped unanswered: a browser's
/// redirect is far shorter, and the listener keeps no more than this of anyone's request in memory.
const MAX_REQUEST_HEAD: usize = 16 * 1024;
/// How long one connection to the listener may take to send its request: a slow sender is dropped
/// so the next connection (the browser's) is served.
const REQUEST_TIME: Duration = Duration::from_secs(5);

/// The API an OAuth source reads, once signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OAuthApi {
    Kombo { integration_id: String },
    Scim,
}

/// An OAuth source's settings. There is no client secret: Roster is a public (native) client, so
/// PKCE protects the code instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthConfig {
    pub auth_url: String,
    pub token_url: String,
    /// RFC 7009 endpoint; when set, disconnecting revokes Roster's grant.
    pub revocation_url: Option<String>,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub api: OAuthApi,
    /// The API's base URL (Kombo's `/v1`, or the SCIM `/v2` root).
    pub base_url: String,
}

/// What the keyring holds for an OAuth source, as one JSON secret.
#[derive(Clone, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("the OAuth settings are invalid: {0}")]
    Config(String),
    #[error("could not listen for the sign-in redirect on 127.0.0.1: {0}")]
    Listener(String),
    #[error("could not open the browser for the sign-in ({0}); open the sign-in address yourself")]
    Browser(String),
    #[error("the sign-in was not completed within {0} seconds; start the connection again")]
    Timeout(u64),
    #[error("the authorisation server refused the sign-in ({0}); start the connection again, and accept the requested access")]
    Denied(String),
    #[error("the sign-in answer carried no authorisation code; start the connection again")]
    MissingCode,
    #[error("the authorisation server refused to issue tokens: {0}")]
    Exchange(String),
    #[error("could not reach the authorisation server: {0}")]
    Transport(String),
    #[error("the HR system no longer accepts Roster's sign-in ({0}); reconnect the source to sign in again")]
    ReconnectNeeded(String),
    #[error("the HR API refused a freshly renewed access token; check that the scopes ({0}) grant access to the API, then reconnect the source")]
    TokenRefused(String),
}

impl OAuthConfig {
    fn client_id(&self) -> ClientId {
        ClientId::new(self.client_id.clone())
    }

    fn token_url(&self) -> Result<TokenUrl, OAuthError> {
        TokenUrl::new(self.token_url.clone()).map_err(|e| OAuthError::Config(format!("token URL \"{}\": {e}", self.token_url)))
    }

    /// The connector of the API behind the sign-in, with `access_token` as its bearer key.
    pub fn api_connector(&self, access_token: &str, retry: RetryPolicy) -> Result<Box<dyn Connector>, ConnectorError> {
        Ok(match &self.api {
            OAuthApi::Kombo { integration_id } => {
                let config = KomboConfig { base_url: self.base_url.clone(), integration_id: integration_id.clone(), tool: None };
                Box::new(KomboConnector::new(config, access_token.to_owned(), retry)?)
            }
            OAuthApi::Scim => {
                Box::new(ScimConnector::new(ScimConfig { base_url: self.base_url.clone() }, access_token.to_owned(), retry)?)
            }
        })
    }

    /// Checks that the API accepts `access_token`, as a new source is connected.
    pub fn check_api(&self, access_token: &str, retry: RetryPolicy) -> Result<(), ConnectorError> {
        match &self.api {
            OAuthApi::Kombo { integration_id } => {
                let config = KomboConfig { base_url: self.base_url.clone(), integration_id: integration_id.clone(), tool: None };
                KomboConnector::new(config, access_token.to_owned(), retry)?.check_api_key()
            }
            OAuthApi::Scim => {
                ScimConnector::new(ScimConfig { base_url: self.base_url.clone() }, access_token.to_owned(), retry)?.check()
            }
        }
    }
}

/// An HTTP client that never follows redirects: a token endpoint that redirects is an error, and
/// following it could send the code or tokens elsewhere.
fn http() -> Result<TokenHttp, OAuthError> {
    crate::connector::http::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map(TokenHttp)
        .map_err(|e| OAuthError::Transport(e.to_string()))
}

/// Sends `oauth2`'s requests with our reqwest and its TLS (the crate's own client is an older
/// reqwest, a second copy in the binary).
struct TokenHttp(reqwest::blocking::Client);

impl SyncHttpClient for TokenHttp {
    type Error = HttpClientError<reqwest::Error>;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, Self::Error> {
        let response = self.0.execute(request.try_into().map_err(Box::new)?).map_err(Box::new)?;
        let mut answer = oauth2::http::Response::builder().status(response.status()).version(response.version());
        for (name, value) in response.headers() {
            answer = answer.header(name, value);
        }
        // A token answer is small: a server sending more is cut off at the page cap.
        let mut body = Vec::new();
        response.take(crate::connector::http::MAX_PAGE_BYTES).read_to_end(&mut body)?;
        answer.body(body).map_err(HttpClientError::Http)
    }
}

/// Signs in: opens `open(url)` (a browser, or a printed address), waits for the redirect on a
/// random loopback port, checks its state and exchanges the code with the PKCE verifier.
pub fn login(
    config: &OAuthConfig,
    open: &mut dyn FnMut(&str) -> Result<(), String>,
    timeout: Duration,
) -> Result<Tokens, OAuthError> {
    check_url("authorisation URL", &config.auth_url)?;
    check_url("token URL", &config.token_url)?;
    if let Some(revocation) = &config.revocation_url {
        check_url("revocation URL", revocation)?;
    }
    check_url("API base URL", &config.base_url)?;
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| OAuthError::Listener(e.to_string()))?;
    let port = listener.local_addr().map_err(|e| OAuthError::Listener(e.to_string()))?.port();
    let redirect = format!("http://127.0.0.1:{port}{CALLBACK_PATH}");
    let client = BasicClient::new(config.client_id())
        .set_auth_uri(
            AuthUrl::new(config.auth_url.clone())
                .map_err(|e| OAuthError::Config(format!("authorisation URL \"{}\": {e}", config.auth_url)))?,
        )
        .set_token_uri(config.token_url()?)
        .set_redirect_uri(RedirectUrl::new(redirect).map_err(|e| OAuthError::Config(e.to_string()))?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(config.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge);
    if config.scopes.iter().any(|s| s == "offline_access") {
        // OpenID Connect issues a refresh token for offline_access only with prompt=consent.
        request = request.add_extra_param("prompt", "consent");
    }
    let (url, state) = request.url();
    open(url.as_str()).map_err(OAuthError::Browser)?;
    let params = wait_for_redirect(&listener, state.secret(), Instant::now() + timeout, timeout)?;
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if let Some(error) = param("error") {
        let description = param("error_description").map(|d| format!(": {d}")).unwrap_or_default();
        return Err(OAuthError::Denied(format!("{error}{description}")));
    }
    let code = param("code").ok_or(OAuthError::MissingCode)?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request(&http()?)
        .map_err(|e| token_error(e, false))?;
    Ok(Tokens {
        access_token: response.access_token().secret().clone(),
        refresh_token: response.refresh_token().map(|t| t.secret().clone()),
        expires_at: response.expires_in().and_then(|d| chrono::Duration::from_std(d).ok()).map(expiry),
    })
}

/// When a token given now for `lifetime` expires. Tokens expire in the authorisation server's real
/// time, so this reads the real clock, not the sync's (possibly pinned) `now`.
/// The lifetime is the server's word: clamped to a year (renewal then simply happens early), so a
/// huge `expires_in` cannot overflow the date arithmetic and panic the sync.
fn expiry(lifetime: chrono::Duration) -> DateTime<Utc> {
    let now = Utc::now();
    now.checked_add_signed(lifetime.min(chrono::Duration::days(365))).unwrap_or(now)
}

/// Answers requests on the loopback listener until the redirect arrives or time runs out. An
/// answer with another state (another sign-in's, or a page on this computer trying to end this
/// one) is refused and the wait goes on.
fn wait_for_redirect(
    listener: &TcpListener,
    state: &str,
    deadline: Instant,
    timeout: Duration,
) -> Result<Vec<(String, String)>, OAuthError> {
    listener.set_nonblocking(true).map_err(|e| OAuthError::Listener(e.to_string()))?;
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(OAuthError::Timeout(timeout.as_secs()));
                }
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(e) => return Err(OAuthError::Listener(e.to_string())),
        };
        let Some(target) = request_target(&stream, deadline.min(Instant::now() + REQUEST_TIME)) else { continue };
        let url = oauth2::url::Url::parse(&format!("http://127.0.0.1{target}")).ok();
        let Some(url) = url.filter(|u| u.path() == CALLBACK_PATH) else {
            respond(stream, "404 Not Found", "Not found.");
            continue;
        };
        let params: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let given = params.iter().find(|(k, _)| k == "state").map(|(_, v)| v.as_str());
        // Compared before anything else: an answer to someone else's sign-in is never used.
        if given != Some(state) {
            respond(stream, "400 Bad Request", "This sign-in answer does not belong to Roster's sign-in attempt and was refused. Roster keeps waiting for its own.");
            continue;
        }
        respond(stream, "200 OK", "Roster received the sign-in. You can close this window.");
        return Ok(params);
    }
}

/// The request target of one HTTP request (`/callback?code=...`), or `None` for anything
/// unreadable, longer than `MAX_REQUEST_HEAD` or not complete by `until`.
fn request_target(mut stream: &TcpStream, until: Instant) -> Option<String> {
    stream.set_nonblocking(false).ok()?;
    // The whole head is read (the headers are dropped) so the browser sees a clean answer.
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        // Each read waits only for the time left: a sender dribbling bytes cannot hold the flow.
        let left = until.saturating_duration_since(Instant::now());
        stream.set_read_timeout(Some(left.max(Duration::from_millis(1)))).ok()?;
        let read = stream.read(&mut chunk).ok().filter(|n| *n > 0 && Instant::now() < until)?;
        head.extend_from_slice(&chunk[..read]);
        if head.len() > MAX_REQUEST_HEAD {
            return None;
        }
    }
    let line = String::from_utf8_lossy(&head[..head.iter().position(|b| *b == b'\n')?]).into_owned();
    let mut parts = line.split_whitespace();
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_owned)
}

fn respond(mut stream: TcpStream, status: &str, message: &str) {
    let body = format!("<!doctype html><meta charset=\"utf-8\"><title>Roster</title><p>{message}</p>");
    // The browser may already have gone; nothing more can be done for it then.
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Renews the tokens with the refresh token. A refused refresh token means the grant is gone
/// (revoked, expired): only a new sign-in helps.
pub fn refresh(config: &OAuthConfig, tokens: &Tokens) -> Result<Tokens, OAuthError> {
    let Some(refresh_token) = &tokens.refresh_token else {
        return Err(OAuthError::ReconnectNeeded("the access token expired and the sign-in gave no refresh token".into()));
    };
    let client = BasicClient::new(config.client_id()).set_token_uri(config.token_url()?);
    let response = client
        .exchange_refresh_token(&RefreshToken::new(refresh_token.clone()))
        .request(&http()?)
        .map_err(|e| token_error(e, true))?;
    Ok(Tokens {
        access_token: response.access_token().secret().clone(),
        // Servers that rotate refresh tokens send a new one; the others keep the old one valid.
        refresh_token: response.refresh_token().map(|t| t.secret().clone()).or_else(|| tokens.refresh_token.clone()),
        expires_at: response.expires_in().and_then(|d| chrono::Duration::from_std(d).ok()).map(expiry),
    })
}

/// Revokes the grant (RFC 7009) when the server has a revocation endpoint; the refresh token is
/// revoked when there is one, since that ends the whole grant. The request is made here rather
/// than by `oauth2`, which refuses plain-HTTP revocation URLs even on loopback.
pub fn revoke(config: &OAuthConfig, tokens: &Tokens) -> Result<(), OAuthError> {
    let Some(url) = &config.revocation_url else { return Ok(()) };
    check_url("revocation URL", url)?;
    let (token, hint) = match &tokens.refresh_token {
        Some(t) => (t.as_str(), "refresh_token"),
        None => (tokens.access_token.as_str(), "access_token"),
    };
    let response = http()?
        .0
        .post(url)
        .form(&[("token", token), ("token_type_hint", hint), ("client_id", config.client_id.as_str())])
        .send()
        .map_err(|e| OAuthError::Transport(e.without_url().to_string()))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(OAuthError::Exchange(format!("the revocation endpoint answered {}", response.status())))
    }
}

/// Tokens travel only over HTTPS, or plain HTTP to this machine (a local test or proxy).
fn check_url(what: &str, url: &str) -> Result<(), OAuthError> {
    crate::connector::http::require_tls(url).map_err(|e| OAuthError::Config(format!("{what}: {e}")))
}

/// Maps a token endpoint failure; `invalid_grant` on a refresh means the grant is gone.
fn token_error<E: std::error::Error + 'static>(error: BasicRequestTokenError<E>, refreshing: bool) -> OAuthError {
    match error {
        oauth2::RequestTokenError::ServerResponse(response) => {
            let description = response.error_description().map(|d| format!(": {d}")).unwrap_or_default();
            let message = format!("{}{description}", response.error());
            if refreshing && *response.error() == BasicErrorResponseType::InvalidGrant {
                OAuthError::ReconnectNeeded(message)
            } else {
                OAuthError::Exchange(message)
            }
        }
        oauth2::RequestTokenError::Request(e) => OAuthError::Transport(e.to_string()),
        oauth2::RequestTokenError::Parse(e, _) => OAuthError::Exchange(format!("its answer could not be read: {e}")),
        oauth2::RequestTokenError::Other(e) => OAuthError::Exchange(e),
    }
}

/// The connector of an OAuth source: renews the tokens as needed, keeps them in the keyring, and
/// reads the API with the Kombo or SCIM connector.
pub struct OAuthConnector {
    config: OAuthConfig,
    secrets: Secrets,
    account: String,
    retry: RetryPolicy,
}

impl OAuthConnector {
    pub fn new(config: OAuthConfig, secrets: Secrets, account: String, retry: RetryPolicy) -> OAuthConnector {
        OAuthConnector { config, secrets, account, retry }
    }

    fn load(&self) -> Result<Tokens, crate::Error> {
        Ok(serde_json::from_str(&self.secrets.load(&self.account)?)?)
    }

    /// Renews and stores the tokens at once: a rotated refresh token is single-use, so losing the
    /// new one would lose the grant.
    fn renew(&self, tokens: &Tokens) -> Result<Tokens, crate::Error> {
        let renewed = refresh(&self.config, tokens)?;
        self.secrets.store(&self.account, &serde_json::to_string(&renewed)?)?;
        Ok(renewed)
    }

    fn refused(&self) -> crate::Error {
        OAuthError::TokenRefused(self.config.scopes.join(" ")).into()
    }
}

impl Connector for OAuthConnector {
    fn read(&self, request: &ReadRequest, sink: &mut Sink<'_>) -> Result<(), crate::Error> {
        let mut tokens = self.load()?;
        let mut renewed = false;
        if tokens.expires_at.is_some_and(|at| at - REFRESH_MARGIN <= Utc::now()) {
            tokens = self.renew(&tokens)?;
            renewed = true;
        }
        let mut delivered = 0usize;
        let first = self.config.api_connector(&tokens.access_token, self.retry)?.read(request, &mut |record| {
            delivered += 1;
            sink(record)
        });
        match first {
            // A token revoked or expired early: renew once and read again, but only if nothing was
            // handed over yet, since a second read of the same records would stage them twice.
            Err(crate::Error::Connector(ConnectorError::AuthenticationInvalid)) if !renewed && delivered == 0 => {
                let tokens = self.renew(&tokens)?;
                match self.config.api_connector(&tokens.access_token, self.retry)?.read(request, sink) {
                    Err(crate::Error::Connector(ConnectorError::AuthenticationInvalid)) => Err(self.refused()),
                    other => other,
                }
            }
            Err(crate::Error::Connector(ConnectorError::AuthenticationInvalid)) if renewed => Err(self.refused()),
            other => other,
        }
    }
}
