//! The `roster-simulator` binary announces where it serves and serves until killed.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

/// Kills the child even when an assertion fails first.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_prints_its_address_and_credentials_as_one_json_line() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_roster-simulator"))
            .args(["--port", "0", "--seed", "7", "--size", "12", "--today", "2026-04-07"])
            .args(["--api-key", "test-key", "--tool", "lucca"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the binary starts"),
    );
    let stdout = child.0.stdout.take().expect("stdout is piped");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("a line is printed");
    let ready: Value = serde_json::from_str(&line).expect("the line is JSON");
    assert_eq!(ready["api_key"], "test-key", "the given API key is used");
    let base_url = ready["base_url"].as_str().expect("base_url");
    let integration_id = ready["integration_id"].as_str().expect("integration_id");

    let body: Value = crate::common::client()
        .get(format!("{base_url}/hris/employees"))
        .bearer_auth("test-key")
        .header("X-Integration-Id", integration_id)
        .send()
        .expect("the binary serves")
        .json()
        .expect("JSON");
    assert_eq!(body["data"]["results"].as_array().map(Vec::len), Some(12), "the binary serves the company of the given size");
}
