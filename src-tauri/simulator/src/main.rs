//! `roster-simulator`: runs the simulated Kombo API as a process for end-to-end
//! tests, printing where it listens and the credentials to use as one JSON line.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};

use chrono::{NaiveDate, Utc};
use clap::Parser;
use roster_simulator::{CompanySpec, Simulator, SimulatorConfig};

#[derive(Debug, Parser)]
#[command(about = "A local stand-in for Kombo's HRIS API, for tests and demos")]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    #[arg(long, default_value_t = 60)]
    size: usize,
    /// The company's today, YYYY-MM-DD; defaults to the current UTC date.
    #[arg(long)]
    today: Option<NaiveDate>,
    /// Generated at random when not given.
    #[arg(long)]
    api_key: Option<String>,
    #[arg(long)]
    integration_id: Option<String>,
    #[arg(long, default_value = "personio")]
    tool: String,
    /// Model a Lucca key without the right to see future and departed employees.
    #[arg(long)]
    hide_future_and_departed: bool,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let mut config = SimulatorConfig::new(CompanySpec {
        seed: args.seed,
        size: args.size,
        today: args.today.unwrap_or_else(|| Utc::now().date_naive()),
    });
    if let Some(api_key) = args.api_key {
        config.api_key = api_key;
    }
    if let Some(integration_id) = args.integration_id {
        config.integration_id = integration_id;
    }
    config.tool = args.tool;
    config.hide_future_and_departed = args.hide_future_and_departed;

    let simulator = Simulator::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)), config)?;
    // The key is printed because this process is a test peer, never a real Kombo.
    let ready = serde_json::json!({
        "base_url": simulator.base_url(),
        "api_key": simulator.api_key(),
        "integration_id": simulator.integration_id(),
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{ready}")?;
    stdout.flush()?;
    drop(stdout);
    // Serve until the process is killed; SIGTERM and Ctrl-C end it as usual.
    loop {
        std::thread::park();
    }
}
