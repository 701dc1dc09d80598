//! Start-up benchmark: the release app, cold, to the Overview (the first screen) of a 100,000-person
//! directory. The directory is filled once by the engine from the simulator (in this process); then,
//! five times, tauri-driver launches the app in a real window and the clock runs from the launch
//! request to the Overview's counts in the page. Prints each round and the median.
//!
//! Run: `bash .ci/session cargo bench -p roster --bench startup` (a display and a Secret Service;
//! `ROSTER_BENCH_SIZE` and `ROSTER_BENCH_ROUNDS` change the size and the number of launches).

// The e2e tests' driver: this benchmark uses only part of it.
#[allow(dead_code)]
#[path = "../../tests/e2e/driver.rs"]
mod driver;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use driver::{Demo, TauriDriver};
use fantoccini::Locator;
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use roster_simulator::{CompanySpec, Simulator, SimulatorConfig};

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

    // The engine's HTTP client blocks, so the directory is filled before the driver's runtime starts.
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the WebDriver client");
    runtime.block_on(launches(data_dir.path(), size, rounds));
}

async fn launches(data_dir: &Path, size: usize, rounds: usize) {
    let app = driver::app();
    let mut times = Vec::new();
    for round in 1..=rounds {
        let driver = TauriDriver::start(data_dir, Demo::Off);
        let started = Instant::now();
        let client = driver.launch(&app).await;
        let deadline = started + Duration::from_secs(60);
        // The first screen is the Overview, computed from the whole directory.
        while client.find(Locator::Css(r#"[data-testid="count-starts"]"#)).await.is_err() {
            assert!(Instant::now() < deadline, "no Overview within 60 s of the launch");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let elapsed = started.elapsed();
        println!("round {round}: the Overview on screen {:.0} ms after the launch", elapsed.as_secs_f64() * 1000.0);
        times.push(elapsed);
        let _ = client.close().await;
    }
    times.sort();
    println!(
        "cold start to the Overview ({size} people, {rounds} launches): median {:.0} ms, best {:.0} ms, worst {:.0} ms",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0
    );
}
