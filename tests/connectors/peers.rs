//! What the connector tests share: a throw-away directory, the peers' locations, secret scans.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use roster_engine::connector::http::RetryPolicy;
use roster_engine::model::EmployeeRow;
use roster_engine::model::View;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::Engine;

pub fn now() -> DateTime<Utc> {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

/// The repository's root, where `tests/peers/` lives.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A directory in a temporary folder, with short retries so failures show quickly.
pub fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let retry = RetryPolicy { attempts: 2, first_delay: Duration::from_millis(50), timeout: Duration::from_secs(10) };
    let engine = Engine::open(dir.path()).expect("a directory opens in an empty folder").with_retry(retry);
    (dir, engine)
}

pub fn everyone(engine: &Engine) -> Vec<EmployeeRow> {
    let query = EmployeeQuery { view: View::All, include_hidden: true, limit: u32::MAX, ..EmployeeQuery::default() };
    engine.employees(&query, now()).unwrap()
}

pub fn by_email<'a>(rows: &'a [EmployeeRow], email: &str) -> &'a EmployeeRow {
    rows.iter().find(|r| r.work_email.as_deref() == Some(email)).unwrap_or_else(|| panic!("{email} is in the directory"))
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Asserts that `secret` is in no file of the data directory and in none of `outputs`.
pub fn assert_secret_nowhere(data_dir: &Path, secret: &str, outputs: &[String]) {
    assert!(secret.len() >= 8, "the secret is long enough for the scan to mean something");
    for file in files(data_dir) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "a secret lives only in the OS keyring, never in {}",
            file.display()
        );
    }
    assert!(
        !crate::stored_rows::stored_rows_contain(data_dir, secret),
        "a secret lives only in the OS keyring, never in a row of the (encrypted) database"
    );
    for output in outputs {
        assert!(!output.contains(secret), "a secret never appears in a message or an output: {output}");
    }
}
