//! Start-up benchmark: the release app, cold (a new process each time), to the first screen of a
//! 100,000-person directory. The directory is filled once by the engine from the simulator (in this
//! process); then, five times, the app is launched directly (no WebDriver session) in a real
//! window, and the clock runs from the launch (its exec) until its start-up trace, the log line
//! the app writes once the window reports the first screen's rows in its page, is in its log file.
//! Prints each round, the app's own figure (from its `main`), and the median, best and worst.
//!
//! Run: `bash .ci/session cargo bench -p roster --bench startup` (a display and a Secret Service;
//! `ROSTER_BENCH_SIZE` and `ROSTER_BENCH_ROUNDS` change the size and the number of launches).
//! A release build is needed: its log is a file, which the benchmark reads.

// The e2e tests' driver: this benchmark uses only its way of ending the app.
#[allow(dead_code)]
#[path = "../../tests/e2e/driver.rs"]
mod driver;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{CompanySpec, Simulator, SimulatorConfig};

/// The start-up trace's lines (`src-tauri/startup.rs`, `commands/overview.rs`), each before its
/// milliseconds: the first screen drawn (since start), and answered (how long the window waited for
/// the directory, which is read while WebKit starts).
const DRAWN: &str = "first screen drawn ";
const ANSWERED: &str = "first screen answered in ";
/// The directory's part of the first screen, read while WebKit starts (`startup::EarlyRead`).
const READ_EARLY: &str = "first screen read early in ";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).map(|v| v.parse().unwrap_or_else(|_| panic!("{name} is a number"))).unwrap_or(default)
}

fn main() {
    let size = env_number("ROSTER_BENCH_SIZE", 100_000);
    let rounds = env_number("ROSTER_BENCH_ROUNDS", 5);
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let simulator = Simulator::start(SimulatorConfig::new(CompanySpec { seed: 42, size, today })).unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let filled = Instant::now();
    {
        let mut engine = Engine::open(data_dir.path()).expect("a directory opens");
        let config =
            KomboConfig { base_url: simulator.base_url(), integration_id: simulator.integration_id().into(), tool: None };
        engine.add_kombo_source("HR", config, simulator.api_key(), Utc::now()).expect("the simulator's key is accepted");
        engine.sync("HR", Utc::now(), SyncRequest::default()).expect("the first sync fills the directory");
    }
    println!("directory of {size} people filled in {:.1} s", filled.elapsed().as_secs_f64());

    let app = driver::app();
    let mut times = Vec::new();
    for round in 1..=rounds {
        let (launch, own, answered, page) = launch(&app, data_dir.path());
        println!(
            "round {round}: first screen drawn {launch} ms after the launch ({own} ms after the app's main; \
             it waited {answered} ms for the directory, {page})"
        );
        times.push(launch);
    }
    times.sort();
    println!(
        "cold start to the first screen ({size} people, {rounds} launches, from exec): median {} ms, best {} ms, worst {} ms",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}

/// Launches the app and waits for its start-up trace; the milliseconds from the launch, the app's
/// own figure, the first screen's answer, and the early read's and the page's own times (the
/// trace's words). Ends the app (its process group) before returning.
fn launch(app: &str, data_dir: &Path) -> (u128, u128, u128, String) {
    // A log folder of its own, so the line read is this launch's.
    let state = tempfile::tempdir().unwrap();
    let instance = roster_app::instance::bus_name(driver::IDENTIFIER, data_dir);
    let started = Instant::now();
    let mut child = Command::new(app)
        .env(roster_engine::paths::DATA_DIR_ENV, data_dir)
        .env("ROSTER_NO_DEMO", "1")
        .env("XDG_STATE_HOME", state.path())
        .process_group(0)
        .stdout(Stdio::null())
        .spawn()
        .expect("the app starts");
    let deadline = started + Duration::from_secs(60);
    let log = loop {
        if let Some(log) = traced(&state.path().join("roster")) {
            break log;
        }
        if Instant::now() > deadline || child.try_wait().is_ok_and(|exited| exited.is_some()) {
            driver::end_group(&mut child, &instance);
            panic!(
                "no start-up trace in {} within 60 s of the launch (a release build logs to that file)",
                state.path().display()
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let launch = started.elapsed().as_millis();
    driver::end_group(&mut child, &instance);
    let (own, answered) = (millis(&log, DRAWN), millis(&log, ANSWERED));
    let page = log.split(DRAWN).nth(1).and_then(|line| line.split_once('(')).and_then(|(_, times)| times.split_once(')'));
    let early = millis(&log, READ_EARLY).map_or("not read early".to_owned(), |ms| format!("read early in {ms} ms"));
    (
        launch,
        own.expect("the trace gives its time"),
        answered.expect("the answer is logged before the drawing"),
        format!("{early}; {}", page.map_or("", |(times, _)| times)),
    )
}

/// The log in the folder `dir`, once it holds the start-up trace.
fn traced(dir: &Path) -> Option<String> {
    let logs = std::fs::read_dir(dir).ok()?;
    logs.flatten().find_map(|log| std::fs::read_to_string(log.path()).ok().filter(|text| millis(text, DRAWN).is_some()))
}

/// The milliseconds after `words` in `log`; none while the line is still being written.
fn millis(log: &str, words: &str) -> Option<u128> {
    let after = &log[log.find(words)? + words.len()..];
    after.split_once(" ms")?.0.parse().ok()
}
