//! The OAuth sign-in's loopback listener against real sockets: an answer with another state is
//! refused and the wait goes on, a request head is bounded, and a slow sender cannot hold the
//! sign-in past its time limit.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use roster_engine::oauth::{self, OAuthApi, OAuthConfig, OAuthError};

/// The sign-in's time limit in these tests.
const LIMIT: Duration = Duration::from_secs(2);
/// Less than the listener's 5 s per connection: a sign-in ending within this honoured its limit.
const LIMIT_HONOURED: Duration = Duration::from_millis(3500);

/// Endpoints on a closed loopback port: none of these tests reaches the token exchange.
fn config() -> OAuthConfig {
    OAuthConfig {
        auth_url: "http://127.0.0.1:9/auth".into(),
        token_url: "http://127.0.0.1:9/token".into(),
        revocation_url: None,
        client_id: "roster".into(),
        scopes: vec!["openid".into()],
        api: OAuthApi::Scim,
        base_url: "http://127.0.0.1:9/scim/v2".into(),
    }
}

/// The loopback address and the state of the sign-in that `url` starts.
fn redirect_and_state(url: &str) -> (String, String) {
    let url = reqwest::Url::parse(url).unwrap();
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap();
    let redirect = reqwest::Url::parse(&param("redirect_uri")).unwrap();
    (format!("127.0.0.1:{}", redirect.port().unwrap()), param("state"))
}

/// Runs a sign-in whose "browser" is `browse(listener address, state)`, on a thread of its own.
fn sign_in(browse: impl FnOnce(String, String) + Send + 'static) -> (Result<oauth::Tokens, OAuthError>, Duration) {
    let started = Instant::now();
    let mut browse = Some(browse);
    let mut open = |url: &str| {
        let (address, state) = redirect_and_state(url);
        let browse = browse.take().expect("the browser is opened once");
        std::thread::spawn(move || browse(address, state));
        Ok(())
    };
    let result = oauth::login(&config(), &mut open, LIMIT);
    (result, started.elapsed())
}

/// Sends `request` whole and returns the answer (empty if the listener hung up unanswered).
fn exchange(address: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    // The listener may hang up before reading all of an oversized request.
    let _ = stream.write_all(request);
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn an_answer_with_another_state_is_refused_and_the_sign_in_waits_for_its_own() {
    let (answers, heard) = mpsc::channel();
    let (result, _) = sign_in(move |address, state| {
        let forged = exchange(&address, b"GET /callback?state=forged&code=stolen HTTP/1.1\r\nHost: x\r\n\r\n");
        answers.send(forged).unwrap();
        let own = format!("GET /callback?state={state}&error=access_denied HTTP/1.1\r\nHost: x\r\n\r\n");
        answers.send(exchange(&address, own.as_bytes())).unwrap();
    });
    let forged = heard.recv().unwrap();
    assert!(forged.starts_with("HTTP/1.1 400"), "the forged answer is refused: {forged}");
    match result {
        Err(OAuthError::Denied(why)) => assert!(why.contains("access_denied"), "the sign-in took its own answer: {why}"),
        other => panic!("after a forged answer the sign-in still takes its own, got {:?}", other.err()),
    }
    assert!(heard.recv().unwrap().starts_with("HTTP/1.1 200"), "the own answer is acknowledged");
}

#[test]
fn a_request_head_past_the_bound_is_dropped_unanswered() {
    let (answers, heard) = mpsc::channel();
    let (result, took) = sign_in(move |address, state| {
        // The right state, then a megabyte more of request line.
        let long = format!("GET /callback?state={state}&code=c&pad={} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(1 << 20));
        answers.send(exchange(&address, long.as_bytes())).unwrap();
    });
    let answer = heard.recv().unwrap();
    assert!(answer.is_empty(), "an oversized request is not answered, let alone taken: {:.80}", answer);
    assert!(matches!(result, Err(OAuthError::Timeout(_))), "the sign-in goes on waiting, then times out: {:?}", result.err());
    assert!(took < LIMIT_HONOURED, "within its limit ({took:?})");
}

#[test]
fn a_slow_sender_cannot_hold_the_sign_in_past_its_limit() {
    let (done, finished) = mpsc::channel::<()>();
    let (result, took) = sign_in(move |address, _state| {
        // Half a request line, then silence, the connection held open until the sign-in is over.
        let mut stream = TcpStream::connect(address).unwrap();
        stream.write_all(b"GET /callback?sta").unwrap();
        let _ = finished.recv();
    });
    drop(done);
    assert!(matches!(result, Err(OAuthError::Timeout(_))), "the sign-in times out: {:?}", result.err());
    assert!(took < LIMIT_HONOURED, "a slow sender does not hold the sign-in past its limit ({took:?})");
}
