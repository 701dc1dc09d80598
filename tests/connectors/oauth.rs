//! OAuth 2.0 with PKCE against the real `oidc-provider` (npm), signing in headlessly over HTTP the
//! way a browser would, and reading a SCIM-shaped API that accepts only that provider's tokens.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use roster_engine::oauth::{OAuthApi, OAuthConfig, Tokens};
use roster_engine::secrets::Secrets;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;

use crate::peers::{assert_secret_nowhere, by_email, engine, everyone, now, repo};

/// A running `tests/peers/oidc-server.mjs`, stopped when dropped.
struct OidcServer {
    child: Child,
    /// Kept open: the server must never write to a closed pipe.
    _stdout: BufReader<std::process::ChildStdout>,
    issuer: String,
    api: String,
}

impl OidcServer {
    fn start() -> OidcServer {
        let peers = repo().join("tests/peers");
        assert!(
            peers.join("node_modules/oidc-provider").exists(),
            "the OAuth tests need the real oidc-provider in {}: run .ci/setup, or `npm ci --prefix tests/peers`",
            peers.display()
        );
        let mut child = Command::new("node")
            .arg(peers.join("oidc-server.mjs"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs tests/peers/oidc-server.mjs");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let ready: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("oidc-server.mjs prints its addresses: {line:?}"));
        OidcServer {
            child,
            _stdout: stdout,
            issuer: ready["issuer"].as_str().unwrap().to_owned(),
            api: ready["api"].as_str().unwrap().to_owned(),
        }
    }

    fn config(&self) -> OAuthConfig {
        OAuthConfig {
            auth_url: format!("{}/auth", self.issuer),
            token_url: format!("{}/token", self.issuer),
            revocation_url: Some(format!("{}/token/revocation", self.issuer)),
            client_id: "roster".into(),
            scopes: vec!["openid".into(), "offline_access".into()],
            api: OAuthApi::Scim,
            base_url: self.api.clone(),
        }
    }

    /// Revokes a token at the provider (RFC 7009), as an administrator would.
    fn revoke_refresh_token(&self, token: &str) {
        let response = http()
            .post(format!("{}/token/revocation", self.issuer))
            .form(&[("token", token), ("token_type_hint", "refresh_token"), ("client_id", "roster")])
            .send()
            .unwrap();
        assert!(response.status().is_success(), "the provider revokes the token: {}", response.text().unwrap());
    }

    /// Makes the provider forget one access token, keeping its grant: the API then answers 401.
    fn forget_access_token(&self, token: &str) {
        let response =
            http().post(format!("{}/test/forget-access-token", self.issuer)).query(&[("token", token)]).send().unwrap();
        assert_eq!(response.status().as_u16(), 204, "the provider knew the access token");
    }

    /// True when the provider still renews with `refresh_token`.
    fn accepts_refresh_token(&self, refresh_token: &str) -> bool {
        http()
            .post(format!("{}/token", self.issuer))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token), ("client_id", "roster")])
            .send()
            .unwrap()
            .status()
            .is_success()
    }
}

impl Drop for OidcServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http() -> reqwest::blocking::Client {
    roster_engine::connector::http::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Plays the person at the browser: follows the provider's redirects with its cookies, logs in and
/// consents on the dev interaction pages, and returns the final redirect to Roster's loopback.
fn sign_in(auth_url: &str) -> String {
    let http = http();
    let mut cookies: BTreeMap<String, String> = BTreeMap::new();
    let mut url = reqwest::Url::parse(auth_url).unwrap();
    let mut form: Option<Vec<(&str, &str)>> = None;
    for _ in 0..20 {
        let cookie = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let request = match form.take() {
            Some(fields) => http.post(url.clone()).form(&fields),
            None => http.get(url.clone()),
        };
        let response = request.header("Cookie", cookie).send().unwrap();
        for set in response.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        if let Some(location) = response.headers().get("location") {
            url = url.join(location.to_str().unwrap()).unwrap();
            if url.path() == "/callback" {
                return url.to_string();
            }
            continue;
        }
        let page = response.text().unwrap();
        form = Some(if page.contains("name=\"prompt\" value=\"login\"") {
            vec![("prompt", "login"), ("login", "alice"), ("password", "any")]
        } else {
            vec![("prompt", "consent")]
        });
    }
    panic!("the sign-in reaches Roster's redirect within 20 steps");
}

/// Connects an OAuth source, signing in in the background; `tamper` may alter the final redirect.
fn connect(
    engine: &mut Engine,
    server: &OidcServer,
    tamper: fn(String) -> String,
) -> roster_engine::Result<roster_engine::store::sources::Source> {
    let mut open = |url: &str| {
        let url = url.to_owned();
        // Roster waits for the redirect on its loopback port while "the browser" signs in.
        std::thread::spawn(move || {
            let redirect = tamper(sign_in(&url));
            let _ = http().get(redirect).send();
        });
        Ok(())
    };
    engine.add_oauth_source("People API", server.config(), &mut open, Duration::from_secs(30), now())
}

fn tokens(engine: &Engine) -> Tokens {
    let source = engine.source("People API").unwrap();
    serde_json::from_str(&engine.source_secret(&source).unwrap()).expect("the keyring holds the tokens as one JSON secret")
}

fn overwrite_tokens(engine: &Engine, tokens: &Tokens) {
    let source = engine.source("People API").unwrap();
    let secrets = Secrets::new(&engine.store().installation_id().unwrap());
    secrets.store(&source.secret_account(), &serde_json::to_string(tokens).unwrap()).unwrap();
}

#[test]
fn an_oauth_sign_in_connects_a_source_that_syncs_the_api_and_keeps_its_tokens_only_in_the_keyring() {
    let server = OidcServer::start();
    let (dir, mut engine) = engine();
    connect(&mut engine, &server, |u| u).expect("signing in with PKCE on a loopback redirect connects the source");
    let report = engine.sync("People API", now(), SyncRequest::default()).expect("the API accepts the provider's token");

    let rows = everyone(&engine);
    assert_eq!(rows.len(), 3, "every user of the API reaches the directory");
    let bob = by_email(&rows, "bob@oauth.example");
    assert_eq!(bob.manager.as_deref(), Some("Alice Martin"), "the API's managers are linked");
    assert_eq!(bob.teams, vec!["Platform"], "the API's groups are teams");

    let tokens = tokens(&engine);
    let refresh = tokens.refresh_token.clone().expect("offline_access with consent yields a refresh token");
    assert!(tokens.expires_at.is_some(), "the expiry is kept so the token is renewed in time");
    let outputs = vec![format!("{report:?}"), format!("{:?}", engine.sources().unwrap())];
    assert_secret_nowhere(dir.path(), &tokens.access_token, &outputs);
    assert_secret_nowhere(dir.path(), &refresh, &outputs);
}

#[test]
fn an_access_token_about_to_expire_is_renewed_before_the_read() {
    let server = OidcServer::start();
    let (dir, mut engine) = engine();
    connect(&mut engine, &server, |u| u).unwrap();
    let before = tokens(&engine);
    let expiring = Tokens { expires_at: Some(chrono::Utc::now() + chrono::Duration::seconds(10)), ..before.clone() };
    overwrite_tokens(&engine, &expiring);

    let report = engine.sync("People API", now(), SyncRequest::default()).expect("a renewed token reads the API");
    let after = tokens(&engine);
    assert_ne!(after.access_token, before.access_token, "a token expiring within the minute is renewed before the read");
    assert_ne!(after.refresh_token, before.refresh_token, "the rotated refresh token is stored at once");
    assert!(after.expires_at.unwrap() > chrono::Utc::now(), "the renewed token's expiry is kept");
    assert_secret_nowhere(dir.path(), after.refresh_token.as_deref().unwrap(), &[format!("{report:?}")]);
}

#[test]
fn an_access_token_the_api_rejects_is_renewed_once_and_the_read_goes_on() {
    let server = OidcServer::start();
    let (_dir, mut engine) = engine();
    connect(&mut engine, &server, |u| u).unwrap();
    let before = tokens(&engine);
    server.forget_access_token(&before.access_token);

    engine.sync("People API", now(), SyncRequest::default()).expect("after a 401 the token is renewed and the read succeeds");
    assert_ne!(tokens(&engine).access_token, before.access_token, "a 401 triggers a refresh");
    assert_eq!(everyone(&engine).len(), 3);
}

#[test]
fn a_revoked_refresh_token_asks_the_person_to_reconnect() {
    let server = OidcServer::start();
    let (dir, mut engine) = engine();
    connect(&mut engine, &server, |u| u).unwrap();
    let tokens = tokens(&engine);
    server.revoke_refresh_token(tokens.refresh_token.as_deref().unwrap());

    let error = engine.sync("People API", now(), SyncRequest::default()).expect_err("a revoked grant cannot sync").to_string();
    assert!(error.contains("reconnect the source"), "a revoked refresh token tells the person to reconnect: {error}");
    let source = engine.source("People API").unwrap();
    assert!(
        source.last_error.as_deref().is_some_and(|e| e.contains("reconnect the source")),
        "the source shows the reconnect state: {:?}",
        source.last_error
    );
    assert_secret_nowhere(dir.path(), tokens.refresh_token.as_deref().unwrap(), &[error]);
}

#[test]
fn a_sign_in_answer_with_a_wrong_state_is_refused_and_the_real_one_still_connects() {
    let server = OidcServer::start();
    let (_dir, mut engine) = engine();
    let (refusals, refused) = std::sync::mpsc::channel();
    let mut open = |url: &str| {
        let url = url.to_owned();
        let refusals = refusals.clone();
        std::thread::spawn(move || {
            let redirect = sign_in(&url);
            let mut forged = reqwest::Url::parse(&redirect).unwrap();
            let pairs: Vec<(String, String)> = forged
                .query_pairs()
                .map(|(k, v)| (k.to_string(), if k == "state" { "forged-state".to_owned() } else { v.into_owned() }))
                .collect();
            forged.query_pairs_mut().clear().extend_pairs(pairs);
            refusals.send(http().get(forged).send().map(|r| r.status().as_u16())).unwrap();
            let _ = http().get(redirect).send();
        });
        Ok(())
    };
    engine
        .add_oauth_source("People API", server.config(), &mut open, Duration::from_secs(30), now())
        .expect("the sign-in waits past a forged answer for its own");
    assert_eq!(refused.recv().unwrap().unwrap(), 400, "the answer with another state is refused");
}

#[test]
fn disconnecting_an_oauth_source_revokes_its_grant_and_forgets_its_tokens() {
    let server = OidcServer::start();
    let (_dir, mut engine) = engine();
    connect(&mut engine, &server, |u| u).unwrap();
    let tokens = tokens(&engine);
    let source = engine.source("People API").unwrap();
    engine.remove_source("People API", false, chrono::Utc::now()).unwrap();

    assert!(
        !server.accepts_refresh_token(tokens.refresh_token.as_deref().unwrap()),
        "disconnecting revokes the grant at the authorisation server"
    );
    assert!(engine.source_secret(&source).is_err(), "disconnecting deletes the tokens from the keyring");
}
