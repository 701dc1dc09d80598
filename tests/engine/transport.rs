//! The connectors' transport rules against real HTTP servers on 127.0.0.1: TLS except on
//! loopback, redirects kept to one origin (so the key never reaches another host), and bounded pages.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use roster_engine::connector::http::{MAX_PAGE_BYTES, MAX_REDIRECTS};
use roster_engine::connector::kombo::{KomboConfig, KomboConnector};
use roster_engine::connector::scim::{ScimConfig, ScimConnector};
use roster_engine::Engine;

use crate::harness::{fast_retry, now};

const KEY: &str = "transport-test-api-key-0123456789";

/// A small HTTP/1.1 server on 127.0.0.1 that records each request's head and answers it with
/// `respond(path)`, closing the connection after each answer.
struct Peer {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Peer {
    fn start(respond: impl Fn(&str) -> Vec<u8> + Send + 'static) -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let recorded = heads.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let head = read_head(&stream);
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                recorded.lock().unwrap().push(head);
                let mut stream = stream;
                // The client may hang up early (a refused page): that is not the server's failure.
                let _ = stream.write_all(&respond(&path));
            }
        });
        Peer { port, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

fn read_head(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            return head;
        }
        head.push_str(&line);
    }
}

fn answer(status: &str, extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out =
        format!("HTTP/1.1 {status}\r\n{extra_headers}Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn kombo(base_url: String) -> KomboConnector {
    let config = KomboConfig { base_url, integration_id: "integration".into(), tool: None };
    KomboConnector::new(config, KEY.into(), fast_retry()).expect("a loopback URL is accepted")
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    for url in ["http://hr.example.com/v1", "http://10.0.0.8/v1", "ftp://hr.example.com/v1"] {
        let config = KomboConfig { base_url: url.into(), integration_id: "i".into(), tool: None };
        let error =
            KomboConnector::new(config, KEY.into(), fast_retry()).err().expect("a key never crosses the network in clear");
        assert!(error.to_string().contains("use https://"), "the refusal says what to do: {error}");
        let scim = ScimConnector::new(ScimConfig { base_url: url.into() }, KEY.into(), fast_retry());
        assert!(scim.is_err(), "a SCIM token never crosses the network in clear either ({url})");
    }
    for url in ["https://hr.example.com/v1", "http://127.0.0.1:9/v1", "http://localhost:9/v1", "http://[::1]:9/v1"] {
        let config = KomboConfig { base_url: url.into(), integration_id: "i".into(), tool: None };
        assert!(KomboConnector::new(config, KEY.into(), fast_retry()).is_ok(), "{url} is TLS or this machine: accepted");
    }
    let dir = crate::data_dir::DataDir::new();
    let mut engine = Engine::open(dir.path()).unwrap();
    let error = engine.add_scim_source("Okta", "http://idp.example.com/scim/v2", KEY, now()).unwrap_err();
    assert!(error.to_string().contains("use https://"), "adding a source over plain HTTP is refused clearly: {error}");
    assert!(engine.sources().unwrap().is_empty(), "a refused source is not added");
}

#[test]
fn a_redirect_to_another_host_never_receives_the_key() {
    let elsewhere = Peer::start(|_| answer("200 OK", "", b"{}"));
    let target = format!("http://localhost:{}/v1/check-api-key", elsewhere.port);
    let origin = Peer::start(move |_| answer("302 Found", &format!("Location: {target}\r\n"), b""));

    let error = kombo(format!("http://127.0.0.1:{}/v1", origin.port)).check_api_key().unwrap_err();
    assert!(error.to_string().contains("another host or scheme"), "the refusal names the reason: {error}");
    assert!(
        origin.heads().iter().any(|h| h.contains(KEY)),
        "the configured server itself received the key (so the check below means something)"
    );
    assert!(
        elsewhere.heads().is_empty(),
        "a redirect to another host is not followed, so the key never reaches it: {:?}",
        elsewhere.heads()
    );
}

#[test]
fn redirects_on_the_same_server_are_followed_a_few_times_only() {
    let peer = Peer::start(|path| {
        let hop: u32 = path.rsplit('/').next().and_then(|n| n.parse().ok()).unwrap_or(0);
        if path.starts_with("/short") && hop >= 2 {
            return answer("200 OK", "", b"{}");
        }
        let prefix = if path.starts_with("/short") { "/short" } else { "/long" };
        answer("302 Found", &format!("Location: {prefix}/v1/check-api-key/{}\r\n", hop + 1), b"")
    });
    kombo(format!("http://127.0.0.1:{}/short/v1", peer.port))
        .check_api_key()
        .expect("two redirects on the same server are followed");
    let error = kombo(format!("http://127.0.0.1:{}/long/v1", peer.port)).check_api_key().unwrap_err();
    assert!(
        error.to_string().contains(&format!("more than {MAX_REDIRECTS} redirects")),
        "an endless redirect fails clearly: {error}"
    );
}

#[test]
fn an_oversized_page_fails_the_read_and_changes_nothing() {
    let peer = Peer::start(|path| {
        if path.contains("/hris/") {
            // Close-delimited, with no length declared: only counting the bytes read can stop it.
            let mut out =
                b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"status\":\"success\",\"data\":{\"next\":null,\"results\":["
                    .to_vec();
            out.resize(MAX_PAGE_BYTES as usize + 1024 * 1024, b' ');
            out
        } else if path.contains("/integrations/") {
            answer("200 OK", "", br#"{"status":"success","data":{"tool":null}}"#)
        } else {
            answer("200 OK", "", br#"{"status":"success","data":{}}"#)
        }
    });
    let dir = crate::data_dir::DataDir::new();
    let mut engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    let config = KomboConfig { base_url: format!("http://127.0.0.1:{}/v1", peer.port), integration_id: "i".into(), tool: None };
    engine.add_kombo_source("HR", config, KEY, now()).expect("the source connects");
    let error = engine.sync("HR", now(), Default::default()).unwrap_err();
    assert!(error.to_string().contains("larger than 64 MB"), "a page past the cap fails the read clearly: {error}");
    let people: i64 = engine.store().conn().query_row("SELECT count(*) FROM employees", (), |r| r.get(0)).unwrap();
    assert_eq!(people, 0, "a refused page changes nothing");
}

/// A SCIM server on 127.0.0.1 with no groups that answers each `/Users` page with `page(start_index)`.
fn scim_peer(page: impl Fn(u64) -> String + Send + 'static) -> Peer {
    Peer::start(move |path| {
        if path.contains("/Groups") {
            return answer("200 OK", "", br#"{"totalResults":0,"Resources":[]}"#);
        }
        let start_index = path.split(['?', '&']).find_map(|p| p.strip_prefix("startIndex=")).and_then(|v| v.parse().ok());
        answer("200 OK", "", page(start_index.unwrap_or(1)).as_bytes())
    })
}

fn scim_users(from: u64, count: u64) -> String {
    let users: Vec<String> =
        (from..from + count).map(|i| format!(r#"{{"id":"u{i}","userName":"u{i}@example.com","active":true}}"#)).collect();
    users.join(",")
}

fn users_requested(peer: &Peer) -> usize {
    peer.heads().iter().filter(|h| h.contains("/Users")).count()
}

#[test]
fn a_scim_server_announcing_endless_users_fails_the_read_at_once_and_changes_nothing() {
    // Every page full, and a total no page limit could reach.
    let peer = scim_peer(|start| {
        format!(r#"{{"totalResults":1000000000000000,"itemsPerPage":100,"Resources":[{}]}}"#, scim_users(start, 100))
    });
    let dir = crate::data_dir::DataDir::new();
    let mut engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    engine.add_scim_source("IdP", &format!("http://127.0.0.1:{}/scim/v2", peer.port), KEY, now()).expect("the token checks");
    let checked = users_requested(&peer);
    let error = engine.sync("IdP", now(), Default::default()).unwrap_err();
    assert!(error.to_string().contains("past 100000 pages"), "the read fails clearly: {error}");
    assert_eq!(users_requested(&peer) - checked, 1, "the first page's total is enough to refuse the read");
    let people: i64 = engine.store().conn().query_row("SELECT count(*) FROM employees", (), |r| r.get(0)).unwrap();
    assert_eq!(people, 0, "a refused read changes nothing");
}

#[test]
fn a_scim_page_size_past_any_index_neither_overflows_nor_skips_users() {
    // `itemsPerPage` near u64::MAX: adding it to the start index overflows; two users a page.
    let peer = scim_peer(|start| {
        let count = 2.min(5u64.saturating_sub(start - 1));
        format!(r#"{{"totalResults":5,"itemsPerPage":18446744073709551615,"Resources":[{}]}}"#, scim_users(start, count))
    });
    let dir = crate::data_dir::DataDir::new();
    let mut engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    engine.add_scim_source("IdP", &format!("http://127.0.0.1:{}/scim/v2", peer.port), KEY, now()).expect("the token checks");
    let report = engine.sync("IdP", now(), Default::default()).expect("the read goes by the users received");
    assert_eq!(report.counts.created, 5, "every user of the five is read, none skipped");
}

#[test]
fn a_host_that_never_answers_the_connection_is_given_up_after_the_connect_timeout() {
    use std::time::{Duration, Instant};

    use roster_engine::connector::http::{RetryPolicy, CONNECT_TIMEOUT};
    use roster_engine::connector::{Connector, ReadRequest};

    // A listener that never accepts: once its accept queue is full, the kernel drops new SYNs,
    // so a connection attempt hangs as it does towards a host that never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    loop {
        match TcpStream::connect_timeout(&address, Duration::from_millis(300)) {
            Ok(stream) => queued.push(stream),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
            Err(e) => panic!("connecting to the listener failed otherwise: {e}"),
        }
        assert!(queued.len() < 10_000, "the accept queue never filled");
    }
    // A request timeout far longer than the connect timeout: only the latter can end this read soon.
    let patient = RetryPolicy { attempts: 1, first_delay: Duration::from_millis(10), timeout: Duration::from_secs(300) };
    let config = KomboConfig { base_url: format!("http://{address}/v1"), integration_id: "i".into(), tool: None };
    let connector = KomboConnector::new(config, KEY.into(), patient).unwrap();
    let started = Instant::now();
    let error = connector.read(&ReadRequest::default(), &mut |_| Ok(())).unwrap_err();
    let waited = started.elapsed();
    assert!(
        waited >= CONNECT_TIMEOUT && waited < 2 * CONNECT_TIMEOUT,
        "the read gave up connecting after the connect timeout, not the request timeout: {error} after {waited:?}"
    );
    assert!(error.to_string().contains("timed out"), "the error says the connection timed out: {error}");
    drop((queued, listener));
}
