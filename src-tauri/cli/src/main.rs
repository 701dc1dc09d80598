//! `roster`: the headless command line over Roster's engine, for scripts, servers and tests.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use roster_engine::connector::kombo::{KomboConfig, EU_BASE_URL, US_BASE_URL};
use roster_engine::model::View;
use roster_engine::paths;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use serde::Serialize;

mod output;

/// Roster keeps an employee directory in step with HR systems.
#[derive(Parser)]
#[command(name = "roster", version, about)]
struct Cli {
    /// The data directory (default: the OS convention; also ROSTER_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Connect, list and disconnect HR sources.
    #[command(subcommand)]
    Source(SourceCommand),
    /// Synchronise every source, or one.
    Sync {
        #[arg(long)]
        source: Option<String>,
        /// Print the plan without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// List employees.
    Employees(EmployeesArgs),
    /// The history of sync runs.
    Runs {
        #[arg(long)]
        source: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Sources, their last runs, and the size of each list.
    Status,
}

#[derive(Subcommand)]
enum SourceCommand {
    /// Connect a source. Secrets are read from standard input or an environment variable, never from an argument.
    #[command(subcommand)]
    Add(AddSource),
    List,
    /// Disconnect a source; its secret leaves the keyring.
    Remove {
        name: String,
        /// Also erase the employees that only this source knows.
        #[arg(long)]
        erase: bool,
    },
}

#[derive(Subcommand)]
enum AddSource {
    /// A Kombo HRIS integration. The API key comes from ROSTER_API_KEY or standard input.
    Kombo {
        #[arg(long)]
        name: String,
        /// Kombo's API base URL; defaults to the region's.
        #[arg(long)]
        base_url: Option<String>,
        #[arg(long, value_enum, default_value_t = Region::Eu)]
        region: Region,
        #[arg(long)]
        integration_id: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Region {
    Eu,
    Us,
}

#[derive(Args)]
struct EmployeesArgs {
    #[arg(long, value_enum, default_value_t = ViewArg::Active)]
    view: ViewArg,
    #[arg(long)]
    include_hidden: bool,
    /// Matches the start of a first name, last name, full name or work email.
    #[arg(long)]
    search: Option<String>,
    #[arg(long, default_value_t = 1000)]
    limit: u32,
    #[arg(long, default_value_t = 0)]
    offset: u32,
}

#[derive(Clone, Copy, ValueEnum)]
enum ViewArg {
    Active,
    Onboardings,
    Offboardings,
    Departed,
    All,
}

impl From<ViewArg> for View {
    fn from(v: ViewArg) -> View {
        match v {
            ViewArg::Active => View::Active,
            ViewArg::Onboardings => View::Onboardings,
            ViewArg::Offboardings => View::Offboardings,
            ViewArg::Departed => View::Departed,
            ViewArg::All => View::All,
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("ROSTER_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The current instant; `ROSTER_NOW` (RFC 3339) pins it, so tests and demos are reproducible.
fn now() -> anyhow::Result<DateTime<Utc>> {
    match std::env::var("ROSTER_NOW") {
        Ok(value) => Ok(DateTime::parse_from_rfc3339(&value).context("ROSTER_NOW is not an RFC 3339 date-time")?.into()),
        Err(_) => Ok(Utc::now()),
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let data_dir = paths::data_dir(cli.data_dir);
    let mut engine = Engine::open(&data_dir)?;
    let now = now()?;
    let json = cli.json;
    match cli.command {
        Command::Source(SourceCommand::Add(AddSource::Kombo { name, base_url, region, integration_id })) => {
            let base_url = base_url.unwrap_or_else(|| match region {
                Region::Eu => EU_BASE_URL.to_owned(),
                Region::Us => US_BASE_URL.to_owned(),
            });
            let key = read_secret("ROSTER_API_KEY", "Kombo API key")?;
            let source = engine.add_kombo_source(&name, KomboConfig { base_url, integration_id }, &key, now)?;
            print(json, &source, || format!("connected {} ({})", source.name, source.kind.as_str()))
        }
        Command::Source(SourceCommand::List) => {
            let sources = engine.sources()?;
            print(json, &sources, || output::sources(&sources))
        }
        Command::Source(SourceCommand::Remove { name, erase }) => {
            engine.remove_source(&name, erase)?;
            print(json, &serde_json::json!({ "removed": name, "erased": erase }), || format!("disconnected {name}"))
        }
        Command::Sync { source, dry_run } => {
            let names = match source {
                Some(name) => vec![name],
                None => engine.sources()?.into_iter().map(|s| s.name).collect(),
            };
            if names.is_empty() {
                bail!("no source is connected; add one with `roster source add`");
            }
            let mut reports = Vec::new();
            for name in names {
                let report = engine.sync(&name, now, SyncRequest { dry_run })?;
                if !json {
                    println!("{}", output::report(&report, dry_run));
                }
                reports.push(report);
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&reports)?);
            }
            Ok(())
        }
        Command::Employees(args) => {
            let query = EmployeeQuery {
                view: args.view.into(),
                include_hidden: args.include_hidden,
                search: args.search,
                offset: args.offset,
                limit: args.limit,
            };
            let rows = engine.employees(&query, now)?;
            print(json, &rows, || output::employees(&rows))
        }
        Command::Runs { source, limit } => {
            let runs = engine.runs(source.as_deref(), limit)?;
            print(json, &runs, || output::runs(&runs))
        }
        Command::Status => {
            let status = engine.status(now)?;
            print(json, &status, || output::status(&status))
        }
    }
}

fn print<T: Serialize>(json: bool, value: &T, text: impl FnOnce() -> String) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        println!("{}", text());
    }
    Ok(())
}

/// Reads a secret from an environment variable or standard input, never from the command line,
/// where it would be visible in the process list and the shell history.
fn read_secret(env: &str, what: &str) -> anyhow::Result<String> {
    if let Ok(value) = std::env::var(env) {
        return Ok(value);
    }
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("{what} (input is read from standard input; end with Ctrl-D):");
    }
    let mut value = String::new();
    stdin.read_to_string(&mut value).with_context(|| format!("could not read the {what} from standard input"))?;
    let value = value.trim().to_owned();
    if value.is_empty() {
        bail!("no {what} given: pipe it on standard input or set {env}");
    }
    Ok(value)
}
