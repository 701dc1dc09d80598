//! `roster`: the headless command line over Roster's engine, for scripts, servers and tests.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use roster_engine::connector::data_use::data_retrieved;
use roster_engine::connector::kombo::{KomboConfig, EU_BASE_URL, US_BASE_URL};
use roster_engine::export::{self, Exported};
use roster_engine::model::{Field, FieldMode, View};
use roster_engine::oauth::{OAuthApi, OAuthConfig};
use roster_engine::paths;
use roster_engine::store::devices::NewDevice;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::store::team::Role;
use roster_engine::store::DATABASE_FILE;
use roster_engine::store::{copy, directory, postgres};
use roster_engine::sync::SyncRequest;
use roster_engine::{Engine, FilterInput};
use serde::Serialize;

mod checklist;
mod device_rule;
mod generate;
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
enum PersonCommand {
    /// Print everything Roster holds about the person as one JSON document (right of access).
    Export { who: String },
    /// Erase the person now, leaving no trace of them in the database (right to erasure).
    /// Refused while a connected source still returns them, or while they hold a device.
    Erase { who: String },
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
        /// Read everything, not only what changed since the last sync.
        #[arg(long)]
        full: bool,
        /// Only the sources whose scheduled sync is due (for cron or a service manager).
        #[arg(long, conflicts_with = "source")]
        due: bool,
    },
    /// Show every person a source returns, included or excluded by its filters, with the reason.
    Preview {
        #[arg(long)]
        source: String,
        #[command(flatten)]
        csv: CsvFlag,
    },
    /// How each field of a source is synchronised: continuous or import once.
    #[command(subcommand)]
    FieldMode(FieldModeCommand),
    /// Which people a source brings: legal entities, employment types, teams.
    #[command(subcommand)]
    Filter(FilterCommand),
    /// Onboarding and offboarding checklists: list, tick, assign, comment; their templates.
    #[command(subcommand)]
    Checklist(checklist::ChecklistCommand),
    /// Hide a person (an external consultant, an HR administrator) from lists and workflows.
    Hide { who: String },
    /// Show a hidden person again.
    Unhide { who: String },
    /// Edit a field by hand (only fields no source synchronises continuously).
    Edit {
        who: String,
        field: String,
        /// The new value; leave out to clear the field.
        value: Option<String>,
    },
    /// Take HR's last-read value of an import-once field once (the field stays import once), when
    /// it differs from Roster's: the "missing offboarding" case. `show` and `explain` list such fields.
    TakeOnce {
        who: String,
        field: String,
        /// The source to take it from, when several differ.
        #[arg(long)]
        source: Option<String>,
    },
    /// Every field of a person with its source and mode, and the history of changes.
    Show { who: String },
    /// A person's own data: export it as one JSON document, or erase it for good.
    #[command(subcommand)]
    Person(PersonCommand),
    /// Apply a plan that the mass-change guard held for approval.
    Approve { run: i64 },
    /// Drop a plan that the mass-change guard held for approval.
    Discard { run: i64 },
    /// Why is this person missing? Answers from the directory and from what the sources returned.
    Explain { who: String },
    /// Directory-wide settings.
    Settings(SettingsArgs),
    /// The device inventory: add, list, assign to and take back from employees.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// List employees.
    Employees(EmployeesArgs),
    /// Every change to the directory, newest first, and who made it: the audit trail.
    History {
        /// Only the changes of this admin (their database role or display name).
        #[arg(long)]
        by: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// The history of sync runs.
    Runs {
        #[arg(long)]
        source: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[command(flatten)]
        csv: CsvFlag,
    },
    /// Sources, their last runs, and the size of each list.
    Status,
    /// Where the directory is, and whether its database is sound.
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// What needs the IT team this week: starts and leaves of the next 8 weeks by legal entity,
    /// overdue and due checklist steps, devices to recover, each source's health.
    Overview,
    /// Write the man page or shell completions (used to build packages).
    #[command(subcommand, hide = true)]
    Generate(generate::Generate),
}

impl Command {
    /// Whether a list was asked for as CSV.
    fn csv(&self) -> bool {
        match self {
            Command::Employees(args) => args.csv.on,
            Command::Preview { csv, .. }
            | Command::Runs { csv, .. }
            | Command::Device(DeviceCommand::List { csv, .. })
            | Command::Checklist(checklist::ChecklistCommand::List { csv, .. })
            | Command::Device(DeviceCommand::Rule(device_rule::RuleCommand::List { csv })) => csv.on,
            _ => false,
        }
    }
}

#[derive(Subcommand)]
enum DirectoryCommand {
    /// Where the directory is (its SQLite file or PostgreSQL database), its size, schema version, people and sources.
    Status,
    /// The database's own integrity check: prints `ok`, or what is wrong and exits non-zero.
    Check,
    /// Keep this data directory's directory in a PostgreSQL database, shared by a team. The
    /// password is read from ROSTER_DB_PASSWORD or standard input and kept in the OS keyring.
    Connect {
        /// postgres://USER@HOST:PORT/DATABASE (without the password)
        url: String,
    },
    /// Go back to this data directory's own SQLite file; the PostgreSQL database is left as it is.
    Disconnect,
    /// The database role this data directory works as, and the name the history shows for it.
    Whoami {
        /// Set the display name of this role (each role sets only its own).
        #[arg(long)]
        name: Option<String>,
    },
    /// Move this data directory's SQLite directory, every table of it, into an empty PostgreSQL
    /// database, check that every row arrived, then keep the directory there. The password is
    /// read as for `connect`.
    Copy {
        /// postgres://USER@HOST:PORT/DATABASE (without the password)
        #[arg(long)]
        to: String,
    },
    /// Set the connected PostgreSQL database up for a team, once, as its owner: creates the roles
    /// DATABASE_viewer, DATABASE_admin and DATABASE_owner and grants each its part. Run again, it
    /// changes nothing.
    InitTeam,
    /// Give an existing login of the database server a role in the team (instead of any it had).
    Grant {
        login: String,
        #[arg(long, value_parser = ["viewer", "admin", "owner"])]
        role: String,
    },
    /// Take every Roster role from a login: it can no longer open the directory.
    Revoke { login: String },
}

#[derive(Subcommand)]
enum SourceCommand {
    /// Connect a source. Secrets are read from standard input or an environment variable, never from an argument.
    #[command(subcommand)]
    Add(AddSource),
    List,
    /// What Roster reads from an HR system, and why: review it before connecting one.
    DataUse,
    /// Keep this machine's copy of a source's API key or token (from ROSTER_API_KEY or standard
    /// input) in its keyring, so that it can run the source's scheduled syncs on a shared directory.
    Secret {
        name: String,
    },
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
        #[command(flatten)]
        endpoint: KomboEndpoint,
        #[arg(long)]
        integration_id: String,
    },
    /// A Kombo integration created through Kombo Connect: Roster prints a link to open in a browser,
    /// where the HR system is chosen and authorised, then reads the activation token the flow shows
    /// from standard input. The API key comes from ROSTER_API_KEY.
    KomboConnect {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        endpoint: KomboEndpoint,
        /// The email of the person who connects the HR system.
        #[arg(long)]
        email: String,
        /// The organisation's name, shown in the Connect flow.
        #[arg(long)]
        organization: String,
    },
    /// A CSV file, checked whole now and read again at every sync.
    Csv {
        #[arg(long)]
        name: String,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// A SCIM 2.0 service provider. The bearer token comes from ROSTER_API_KEY or standard input.
    Scim {
        #[arg(long)]
        name: String,
        /// The SCIM root, e.g. https://idp.example.com/scim/v2
        #[arg(long)]
        base_url: String,
    },
    /// An HR API behind an OAuth 2.0 sign-in: prints the address to open, then waits for the sign-in.
    Oauth {
        #[arg(long)]
        name: String,
        #[arg(long)]
        auth_url: String,
        #[arg(long)]
        token_url: String,
        /// RFC 7009 endpoint, so that disconnecting revokes Roster's access.
        #[arg(long)]
        revocation_url: Option<String>,
        #[arg(long)]
        client_id: String,
        /// Space- or comma-separated scopes.
        #[arg(long, default_value = "")]
        scopes: String,
        #[arg(long, value_enum)]
        api: ApiArg,
        /// The API's base URL (Kombo's /v1, or the SCIM root).
        #[arg(long)]
        base_url: String,
        /// The Kombo integration id (with --api kombo).
        #[arg(long)]
        integration_id: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ApiArg {
    Kombo,
    Scim,
}

/// Where Kombo's API is: a region's, or an explicit base URL.
#[derive(Args)]
struct KomboEndpoint {
    /// Kombo's API base URL; defaults to the region's.
    #[arg(long)]
    base_url: Option<String>,
    #[arg(long, value_enum, default_value_t = Region::Eu)]
    region: Region,
}

impl KomboEndpoint {
    fn base_url(self) -> String {
        self.base_url.unwrap_or_else(|| match self.region {
            Region::Eu => EU_BASE_URL.to_owned(),
            Region::Us => US_BASE_URL.to_owned(),
        })
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Region {
    Eu,
    Us,
}

#[derive(Subcommand)]
enum FieldModeCommand {
    List {
        #[arg(long)]
        source: String,
    },
    Set {
        #[arg(long)]
        source: String,
        field: String,
        /// continuous or import-once.
        mode: String,
    },
    /// Switch an optional field (personal_email, mobile_phone, home_address) on or off.
    Optional {
        #[arg(long)]
        source: String,
        field: String,
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

#[derive(Subcommand)]
enum FilterCommand {
    List {
        #[arg(long)]
        source: String,
    },
    /// Replace the source's filters; each option can repeat; none at all means "everyone".
    Set {
        #[arg(long)]
        source: String,
        #[command(flatten)]
        filters: FilterArgs,
    },
}

/// Include-lists, as sources' filters and checklist templates take them.
#[derive(Args)]
pub(crate) struct FilterArgs {
    /// A legal entity's name (or id).
    #[arg(long = "legal-entity")]
    legal_entities: Vec<String>,
    /// FULL_TIME, PART_TIME, CONTRACT, INTERNSHIP, FREELANCE...
    #[arg(long = "employment-type")]
    employment_types: Vec<String>,
    /// A team's name (or id).
    #[arg(long = "team")]
    teams: Vec<String>,
}

impl FilterArgs {
    /// The lists as checklist templates and device rules keep them (names or ids).
    pub(crate) fn into_filters(self) -> roster_engine::model::Filters {
        roster_engine::model::Filters {
            legal_entities: self.legal_entities.into_iter().collect(),
            employment_types: self.employment_types.into_iter().collect(),
            teams: self.teams.into_iter().collect(),
        }
    }
}

impl From<FilterArgs> for FilterInput {
    fn from(FilterArgs { legal_entities, employment_types, teams }: FilterArgs) -> FilterInput {
        FilterInput { legal_entities, employment_types, teams }
    }
}

#[derive(Subcommand)]
enum DeviceCommand {
    Add {
        /// laptop, phone, monitor...
        #[arg(long)]
        kind: String,
        #[arg(long)]
        model: String,
        #[arg(long)]
        serial: String,
    },
    List {
        /// Only the devices this person holds.
        #[arg(long)]
        holder: Option<String>,
        #[command(flatten)]
        csv: CsvFlag,
    },
    /// Hand a device (id or serial number) to a person.
    Assign {
        device: String,
        who: String,
        /// The hand-over date (default: today).
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// Who held a device (id or serial number), newest first.
    History { device: String },
    /// Keep a device in stock (id or serial number) for a person until it is handed to them.
    Reserve { device: String, who: String },
    /// Cancel a device's reservation.
    Unreserve { device: String },
    /// Take a device back.
    Return {
        device: String,
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// Rules that suggest equipment for new people, by legal entity, employment type or team.
    #[command(subcommand)]
    Rule(device_rule::RuleCommand),
}

#[derive(Args)]
struct SettingsArgs {
    /// Days someone may be missing from a feed before they are moved to departed.
    #[arg(long)]
    missing_grace_days: Option<u32>,
    /// Hold a plan for approval when it would offboard or remove more than this % of a source.
    #[arg(long)]
    mass_change_percent: Option<u32>,
    /// Pause or resume scheduled syncing.
    #[arg(long, value_parser = ["on", "off"])]
    paused: Option<String>,
    /// Erase people this many days after their end date (0: never).
    #[arg(long)]
    retention_days: Option<u32>,
    /// Stop a sync still running after this many minutes; it changes nothing.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_SYNC_DEADLINE_MINUTES))]
    sync_deadline_minutes: Option<u32>,
    /// The window's morning notification of checklist steps due today or overdue.
    #[arg(long, value_parser = ["on", "off"])]
    checklist_reminders: Option<String>,
}

/// A week: a read longer than that is broken, not slow; and the seconds fit the setting.
const MAX_SYNC_DEADLINE_MINUTES: i64 = 7 * 24 * 60;

#[derive(Args)]
struct EmployeesArgs {
    #[arg(long, value_enum, default_value_t = ViewArg::Active)]
    view: ViewArg,
    #[arg(long)]
    include_hidden: bool,
    /// Also list people the filters exclude (marked "out of scope").
    #[arg(long)]
    include_out_of_scope: bool,
    /// Matches the start of a first name, last name, full name or work email.
    #[arg(long)]
    search: Option<String>,
    #[arg(long, default_value_t = 1000)]
    limit: u32,
    #[arg(long, default_value_t = 0)]
    offset: u32,
    #[command(flatten)]
    csv: CsvFlag,
}

/// `--csv` on the list commands: the list as CSV on standard output, with the columns the text shows.
#[derive(Args)]
pub(crate) struct CsvFlag {
    /// Print the list as CSV (UTF-8, a header row, ISO dates), e.g. `> people.csv`.
    #[arg(long = "csv", conflicts_with = "json")]
    on: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ViewArg {
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
    // `--json` is global, and a global flag given before the subcommand escapes its `conflicts_with`.
    if cli.json && cli.command.csv() {
        Cli::command()
            .error(clap::error::ErrorKind::ArgumentConflict, "the argument '--csv' cannot be used with '--json'")
            .exit();
    }
    // Packaging needs no directory and no keyring: answered before the engine opens.
    if let Command::Generate(what) = &cli.command {
        return match generate::write(what, Cli::command(), &mut std::io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        };
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Errors quote HR values too (a CSV cell, a name).
            eprintln!("error: {}", output::printable(&format!("{error:#}")));
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
    let data_dir = paths::data_dir(cli.data_dir.clone());
    // A query only knows the damaged database by its file name: the message names it in full.
    run_in(cli, &data_dir).map_err(|error| match error.downcast::<roster_engine::Error>() {
        Ok(error) => error.naming_database(&data_dir.join(DATABASE_FILE)).into(),
        Err(other) => other,
    })
}

fn run_in(cli: Cli, data_dir: &Path) -> anyhow::Result<()> {
    let json = cli.json;
    // Checked as the file is, before opening the directory would migrate or write it.
    if let Command::Directory(DirectoryCommand::Check) = cli.command {
        let check = directory::check(data_dir)?;
        print(json, &check, || output::directory_check(&check))?;
        return check.error().map_or(Ok(()), |error| Err(error.into()));
    }
    // Changing where the directory is comes before opening it.
    match &cli.command {
        Command::Directory(DirectoryCommand::Connect { url }) => {
            let target: postgres::Target = url.parse()?;
            let password = read_secret("ROSTER_DB_PASSWORD", "database password")?;
            postgres::connect(data_dir, &target, &password)?;
            println!("the directory is now kept in {target}");
            return Ok(());
        }
        Command::Directory(DirectoryCommand::Disconnect) => {
            match postgres::Target::forget(data_dir)? {
                Some(target) => println!("disconnected from {target}; the directory is this data directory's SQLite file again"),
                None => println!("not connected to a database: the directory is this data directory's SQLite file"),
            }
            return Ok(());
        }
        _ => {}
    }
    let mut engine = Engine::open(data_dir)?;
    let now = now()?;
    match cli.command {
        Command::Source(SourceCommand::Add(AddSource::KomboConnect { name, endpoint, email, organization })) => {
            let base_url = endpoint.base_url();
            let key = std::env::var("ROSTER_API_KEY").context("set ROSTER_API_KEY to the Kombo API key")?;
            let link = engine.kombo_connect_link(&base_url, &key, &email, &organization)?;
            eprintln!(
                "Open this link in a browser and connect the HR system:\n{link}\nThen paste the activation token it shows:"
            );
            let mut token = String::new();
            std::io::stdin().read_line(&mut token).context("could not read the activation token")?;
            let source = engine.add_kombo_source_by_token(&name, &base_url, &key, token.trim(), now)?;
            print(json, &source, || format!("connected {} ({})", source.name, source.kind.as_str()))
        }
        Command::Source(SourceCommand::Add(AddSource::Kombo { name, endpoint, integration_id })) => {
            let base_url = endpoint.base_url();
            let key = read_secret("ROSTER_API_KEY", "Kombo API key")?;
            let source = engine.add_kombo_source(&name, KomboConfig { base_url, integration_id, tool: None }, &key, now)?;
            print(json, &source, || format!("connected {} ({})", source.name, source.kind.as_str()))
        }
        Command::Source(SourceCommand::Add(AddSource::Csv { name, file })) => {
            let source = engine.add_csv_source(&name, &file, now)?;
            print(json, &source, || format!("connected {} ({})", source.name, source.kind.as_str()))
        }
        Command::Source(SourceCommand::Add(AddSource::Scim { name, base_url })) => {
            let token = read_secret("ROSTER_API_KEY", "SCIM bearer token")?;
            let source = engine.add_scim_source(&name, &base_url, &token, now)?;
            print(json, &source, || format!("connected {} ({})", source.name, source.kind.as_str()))
        }
        Command::Source(SourceCommand::Add(AddSource::Oauth {
            name,
            auth_url,
            token_url,
            revocation_url,
            client_id,
            scopes,
            api,
            base_url,
            integration_id,
        })) => {
            let api = match (api, integration_id) {
                (ApiArg::Kombo, Some(integration_id)) => OAuthApi::Kombo { integration_id },
                (ApiArg::Kombo, None) => bail!("--api kombo needs --integration-id"),
                (ApiArg::Scim, _) => OAuthApi::Scim,
            };
            let scopes = scopes.split([' ', ',']).filter(|s| !s.is_empty()).map(str::to_owned).collect();
            let config = OAuthConfig { auth_url, token_url, revocation_url, client_id, scopes, api, base_url };
            // The address goes to standard error, so `--json` output stays one JSON document.
            let mut open = |url: &str| {
                eprintln!("Open this address in a browser to sign in (waiting up to 5 minutes):\n{url}");
                Ok(())
            };
            let source = engine.add_oauth_source(&name, config, &mut open, std::time::Duration::from_secs(300), now)?;
            print(json, &source, || format!("connected {} ({})", source.name, source.kind.as_str()))
        }
        Command::Source(SourceCommand::DataUse) => {
            let table = data_retrieved();
            print(json, &table, || output::data_use(&table))
        }
        Command::Source(SourceCommand::List) => {
            let sources = engine.sources()?;
            print(json, &sources, || output::sources(&sources))
        }
        Command::Source(SourceCommand::Secret { name }) => {
            let secret = read_secret("ROSTER_API_KEY", "API key or token")?;
            engine.set_source_secret(&name, &secret)?;
            print(json, &serde_json::json!({ "source": name, "secret": "kept in this machine's keyring" }), || {
                format!("this machine now holds {name}'s secret and runs its scheduled syncs when due")
            })
        }
        Command::Source(SourceCommand::Remove { name, erase }) => {
            engine.remove_source(&name, erase, now)?;
            print(json, &serde_json::json!({ "removed": name, "erased": erase }), || format!("disconnected {name}"))
        }
        Command::Sync { source, dry_run, full, due } => {
            let names = match source {
                Some(name) => vec![name],
                None if due => engine.due_sources(now)?.into_iter().map(|s| s.name).collect(),
                None => engine.sources()?.into_iter().map(|s| s.name).collect(),
            };
            if names.is_empty() && !due {
                bail!("no source is connected; add one with `roster source add`");
            }
            let mut reports = Vec::new();
            for name in names {
                let request = SyncRequest { dry_run, full, ..SyncRequest::default() };
                let report = if due {
                    // Another machine's turn, or one without this machine's secret: not ours to run.
                    match engine.sync_if_due(&name, now, request, &mut |_| {})? {
                        Some(report) => report,
                        None => continue,
                    }
                } else {
                    engine.sync(&name, now, request)?
                };
                if !json {
                    print(false, &(), || output::report(&report, dry_run))?;
                }
                reports.push(report);
            }
            if json {
                print(true, &reports, String::new)?;
            }
            Ok(())
        }
        Command::Employees(args) => {
            let query = EmployeeQuery {
                view: args.view.into(),
                include_hidden: args.include_hidden,
                include_out_of_scope: args.include_out_of_scope,
                search: args.search,
                offset: args.offset,
                limit: args.limit,
                ids: None,
            };
            let rows = engine.employees(&query, now)?;
            print_list(json, args.csv, &rows, || output::employees(&rows))
        }
        Command::History { by, limit } => {
            let entries = engine.audit(by.as_deref(), limit)?;
            print(json, &entries, || output::audit(&entries))
        }
        Command::Runs { source, limit, csv } => {
            let runs = engine.runs(source.as_deref(), limit)?;
            print_list(json, csv, &runs, || output::runs(&runs))
        }
        Command::Preview { source, csv } => {
            let rows = engine.preview(&source, None, now)?;
            print_list(json, csv, &rows, || output::preview(&rows))
        }
        Command::FieldMode(FieldModeCommand::List { source }) => {
            let rows = engine.field_modes(&source)?;
            print(json, &rows, || output::field_modes(&rows))
        }
        Command::FieldMode(FieldModeCommand::Set { source, field, mode }) => {
            let field = parse_field(&field)?;
            let mode =
                FieldMode::parse(&mode).with_context(|| format!("mode \"{mode}\" is neither continuous nor import-once"))?;
            engine.set_field_mode(&source, field, mode, now)?;
            let rows = engine.field_modes(&source)?;
            print(json, &rows, || format!("{field} is now {} for {source}", mode.as_str()))
        }
        Command::FieldMode(FieldModeCommand::Optional { source, field, state }) => {
            let field = parse_field(&field)?;
            engine.set_optional_field(&source, field, state == "on", now)?;
            let rows = engine.field_modes(&source)?;
            print(json, &rows, || format!("{field} is now {state} for {source}"))
        }
        Command::Filter(FilterCommand::List { source }) => {
            let filters = engine.filters(&source)?;
            print(json, &filters, || output::filters(&filters))
        }
        Command::Filter(FilterCommand::Set { source, filters }) => {
            let view = engine.set_filters_by_name(&source, &filters.into(), now)?;
            print(json, &view, || output::filters(&view))
        }
        Command::Checklist(command) => checklist::run(&mut engine, command, json, now),
        Command::Hide { who } => {
            let id = engine.set_hidden(&who, true, now)?;
            print(json, &serde_json::json!({ "id": id, "hidden": true }), || format!("{who} is hidden"))
        }
        Command::Unhide { who } => {
            let id = engine.set_hidden(&who, false, now)?;
            print(json, &serde_json::json!({ "id": id, "hidden": false }), || format!("{who} is shown again"))
        }
        Command::Edit { who, field, value } => {
            let field = parse_field(&field)?;
            engine.edit_field(&who, field, value.as_deref(), now)?;
            let profile = engine.profile(&who, now)?;
            print(json, &profile, || format!("{field} of {who} is now {}", value.as_deref().unwrap_or("empty")))
        }
        Command::TakeOnce { who, field, source } => {
            let field = parse_field(&field)?;
            let taken = engine.take_hr_value(&who, field, source.as_deref(), now)?;
            print(json, &taken, || {
                format!("{field} of {who} is now {} (from {})", taken.hr_value.as_deref().unwrap_or("empty"), taken.source)
            })
        }
        Command::Show { who } => {
            let profile = engine.profile(&who, now)?;
            print(json, &profile, || output::profile(&profile))
        }
        Command::Person(PersonCommand::Export { who }) => {
            // The document is JSON whatever the output mode: it is meant to be handed over as is.
            let data = engine.export_person(&who, now)?;
            print(true, &data, String::new)
        }
        Command::Person(PersonCommand::Erase { who }) => {
            engine.erase_person(&who, now)?;
            print(json, &serde_json::json!({ "erased": who }), || format!("{who} is erased"))
        }
        Command::Approve { run } => {
            let report = engine.approve(run, now)?;
            print(json, &report, || output::report(&report, false))
        }
        Command::Discard { run } => {
            engine.discard(run, now)?;
            print(json, &serde_json::json!({ "discarded": run }), || format!("the plan of run {run} is discarded"))
        }
        Command::Explain { who } => {
            let explanation = engine.explain(&who, now)?;
            print(json, &explanation, || explanation.findings.join("\n"))
        }
        Command::Settings(args) => {
            let current = engine.settings()?;
            let mut settings = current;
            if let Some(days) = args.missing_grace_days {
                settings.missing_grace_days = days;
            }
            if let Some(percent) = args.mass_change_percent {
                settings.mass_change_percent = percent;
            }
            if let Some(paused) = args.paused {
                settings.paused = paused == "on";
            }
            if let Some(days) = args.retention_days {
                settings.retention_days = days;
            }
            if let Some(minutes) = args.sync_deadline_minutes {
                settings.sync_deadline_secs = minutes * 60;
            }
            if let Some(reminders) = args.checklist_reminders {
                settings.checklist_reminders = reminders == "on";
            }
            // Showing the settings changes nothing, so it needs no role that may change them.
            if settings != current {
                engine.save_settings(&settings, now)?;
            }
            print(json, &settings, || {
                format!(
                    "missing grace: {} days; mass-change guard: {}%; scheduled syncing {}; {}; a sync stops after {} minutes",
                    settings.missing_grace_days,
                    settings.mass_change_percent,
                    if settings.paused { "paused" } else { "on" },
                    match settings.retention_days {
                        0 => "people who left are kept".to_owned(),
                        days => format!("people are erased {days} days after they left"),
                    },
                    settings.sync_deadline_secs.div_ceil(60)
                )
            })
        }
        Command::Device(DeviceCommand::Add { kind, model, serial }) => {
            let device = engine.add_device(&NewDevice { kind, model, serial_number: serial }, now)?;
            print(json, &device, || format!("added {} {} ({})", device.kind, device.model, device.serial_number))
        }
        Command::Device(DeviceCommand::List { holder, csv }) => {
            let devices = engine.devices(holder.as_deref())?;
            print_list(json, csv, &devices, || output::devices(&devices))
        }
        Command::Device(DeviceCommand::Assign { device, who, on }) => {
            let device = engine.assign_device(&device, &who, on.unwrap_or(now.date_naive()), now)?;
            print(json, &device, || format!("{} {} is now held by {who}", device.model, device.serial_number))
        }
        Command::Device(DeviceCommand::History { device }) => {
            let (device, history) = engine.device_history(&device)?;
            print(json, &history, || output::device_history(&device, &history))
        }
        Command::Device(DeviceCommand::Reserve { device, who }) => {
            let device = engine.reserve_device(&device, &who, now)?;
            let name = device.reserved_for.as_deref().unwrap_or(&who);
            print(json, &device, || format!("{} {} is reserved for {name}", device.model, device.serial_number))
        }
        Command::Device(DeviceCommand::Unreserve { device }) => {
            let device = engine.unreserve_device(&device, now)?;
            print(json, &device, || format!("{} {} is no longer reserved", device.model, device.serial_number))
        }
        Command::Device(DeviceCommand::Return { device, on }) => {
            let device = engine.take_back_device(&device, on.unwrap_or(now.date_naive()), now)?;
            print(json, &device, || format!("{} {} is back in stock", device.model, device.serial_number))
        }
        Command::Device(DeviceCommand::Rule(command)) => device_rule::run(&mut engine, command, json, now),
        Command::Overview => {
            let today = now.with_timezone(&chrono::Local).date_naive();
            let overview = engine.overview(today, now)?;
            print(json, &overview, || output::overview(&overview))
        }
        Command::Status => {
            let status = engine.status(now)?;
            print(json, &status, || output::status(&status))
        }
        Command::Directory(DirectoryCommand::Status) => {
            let status = directory::status(engine.store())?;
            print(json, &status, || output::directory_status(&status))
        }
        Command::Directory(DirectoryCommand::Whoami { name }) => {
            let me = match name {
                Some(name) => Some(engine.set_display_name(&name, now)?),
                None => engine.whoami()?,
            };
            print(json, &me, || output::whoami(me.as_ref()))
        }
        Command::Directory(DirectoryCommand::Copy { to }) => {
            let target: postgres::Target = to.parse()?;
            let password = read_secret("ROSTER_DB_PASSWORD", "database password")?;
            let report = copy::to_postgres(engine.store(), data_dir, &target, &password)?;
            print(json, &report, || output::directory_copy(&report))
        }
        Command::Directory(DirectoryCommand::InitTeam) => {
            let setup = engine.init_team()?;
            print(json, &setup, || output::team_setup(&setup))
        }
        Command::Directory(DirectoryCommand::Grant { login, role }) => {
            let role: Role = role.parse()?;
            let had = engine.grant_role(&login, role)?;
            println!("{}", output::role_change(&login, had, Some(role)));
            Ok(())
        }
        Command::Directory(DirectoryCommand::Revoke { login }) => {
            let had = engine.revoke_role(&login)?;
            println!("{}", output::role_change(&login, had, None));
            Ok(())
        }
        Command::Directory(DirectoryCommand::Check | DirectoryCommand::Connect { .. } | DirectoryCommand::Disconnect) => {
            unreachable!("answered before the directory opens")
        }
        Command::Generate(_) => unreachable!("answered in main, before the directory opens"),
    }
}

fn parse_field(name: &str) -> anyhow::Result<Field> {
    let normalised = name.trim().to_lowercase().replace(['-', ' '], "_");
    Field::parse(&normalised).with_context(|| {
        let known: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        format!("unknown field \"{name}\"; fields are {}", known.join(", "))
    })
}

pub(crate) fn print<T: Serialize + ?Sized>(json: bool, value: &T, text: impl FnOnce() -> String) -> anyhow::Result<()> {
    // JSON escapes control characters itself (and is read by scripts); text goes to a person.
    let out = if json { serde_json::to_string_pretty(value)? } else { output::printable(&text()).into_owned() };
    write_out(format!("{out}\n").as_bytes())
}

/// A list as JSON, CSV or text.
pub(crate) fn print_list<T: Serialize + Exported>(
    json: bool,
    csv: CsvFlag,
    rows: &[T],
    text: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    if !csv.on {
        return print(json, rows, text);
    }
    let mut out = Vec::new();
    export::write(rows, &mut out)?;
    // Meant for a file or a pipe; shown on a terminal, HR values are written out, never run.
    if std::io::stdout().is_terminal() {
        return write_out(output::printable(&String::from_utf8_lossy(&out)).as_bytes());
    }
    write_out(&out)
}

fn write_out(bytes: &[u8]) -> anyhow::Result<()> {
    // A reader that stops early (`| head`) is not an error worth a panic.
    match std::io::stdout().write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Reads a secret from an environment variable or standard input, never from the command line,
/// where it would be visible in the process list and the shell history.
fn read_secret(env: &str, what: &str) -> anyhow::Result<String> {
    if let Ok(value) = std::env::var(env) {
        return Ok(value);
    }
    let mut stdin = std::io::stdin();
    let mut value = String::new();
    if stdin.is_terminal() {
        // Typed at a terminal: read without echo, so the secret never shows on screen or in scrollback.
        value = rpassword::prompt_password(format!("{what} (not shown as you type): "))
            .with_context(|| format!("could not read the {what} from the terminal"))?;
    } else {
        stdin.read_to_string(&mut value).with_context(|| format!("could not read the {what} from standard input"))?;
    }
    let value = value.trim().to_owned();
    if value.is_empty() {
        bail!("no {what} given: pipe it on standard input or set {env}");
    }
    Ok(value)
}
