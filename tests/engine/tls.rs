//! HTTPS sources are checked against the OS trust store: a company's private CA there is
//! trusted, and a certificate from a CA it does not hold is refused with a clear message.
//!
//! The trust store is given to a child process through `SSL_CERT_FILE` (never the machine's
//! store): the child re-runs this binary's `child_syncs_the_https_source`, which syncs a SCIM
//! source served over HTTPS on 127.0.0.1 and prints what happened.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use roster_engine::Engine;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::harness::{fast_retry, now};

const TOKEN: &str = "tls-test-token-0123456789";
const URL_VAR: &str = "ROSTER_TEST_HTTPS_URL";

/// A throw-away certificate authority, as a company's own.
struct Authority {
    key: KeyPair,
    cert: rcgen::Certificate,
}

impl Authority {
    fn new(name: &str) -> Authority {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        Authority { key, cert }
    }

    fn write_pem(&self, path: &Path) {
        std::fs::write(path, self.cert.pem()).unwrap();
    }

    /// A server certificate for 127.0.0.1, and its key.
    fn issue(&self) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().signed_by(&key, &self.cert, &self.key).unwrap();
        (cert.der().clone(), PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())))
    }
}

/// A SCIM service provider with one user, over HTTPS on 127.0.0.1; returns its base URL.
fn https_scim(authority: &Authority) -> String {
    let (cert, key) = authority.issue();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let connection = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(connection, stream);
            let mut reader = BufReader::new(&mut tls);
            let mut line = String::new();
            // A client that refuses the certificate ends the handshake here.
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let body = if line.contains("/Groups") {
                r#"{"totalResults":0,"Resources":[]}"#
            } else {
                r#"{"totalResults":1,"Resources":[{"id":"u1","userName":"ada@example.com","active":true}]}"#
            };
            let answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            let _ = tls.write_all(answer.as_bytes());
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    format!("https://127.0.0.1:{port}/scim/v2")
}

/// Runs the child with `trusted` as the whole trust store; returns what it printed.
fn sync_in_child(url: &str, trusted: &Path) -> String {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "tls::child_syncs_the_https_source", "--ignored", "--nocapture", "--test-threads=1"])
        .env("SSL_CERT_FILE", trusted)
        .env_remove("SSL_CERT_DIR")
        .env(URL_VAR, url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "the child ran: {stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

#[test]
fn a_source_behind_a_private_ca_in_the_os_trust_store_syncs_and_another_ca_is_refused_clearly() {
    let company = Authority::new("Roster test company CA");
    let other = Authority::new("Roster test other CA");
    let dir = crate::data_dir::DataDir::new();
    let (trusted, untrusted) = (dir.path().join("company.pem"), dir.path().join("other.pem"));
    company.write_pem(&trusted);
    other.write_pem(&untrusted);
    let url = https_scim(&company);

    let synced = sync_in_child(&url, &trusted);
    assert!(synced.contains("RESULT synced 1"), "with the company's CA in the trust store the source syncs: {synced}");

    let refused = sync_in_child(&url, &untrusted);
    assert!(
        refused.contains("RESULT failed") && refused.contains("TLS certificate was refused") && refused.contains("trust store"),
        "without it the connection is refused, saying why and what to do: {refused}"
    );
}

/// The child's side: connects and syncs the source at `ROSTER_TEST_HTTPS_URL`, and prints the outcome.
#[test]
#[ignore = "run by the test above in a child process, with its own trust store"]
fn child_syncs_the_https_source() {
    let url = std::env::var(URL_VAR).expect("run by a_source_behind_a_private_ca_...");
    let dir = crate::data_dir::DataDir::new();
    let mut engine = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    let synced = engine
        .add_scim_source("IdP", &url, TOKEN, now())
        .and_then(|_| engine.sync("IdP", now(), Default::default()))
        .map(|report| report.counts.created);
    match synced {
        Ok(created) => println!("RESULT synced {created}"),
        Err(error) => println!("RESULT failed: {error}"),
    }
}
