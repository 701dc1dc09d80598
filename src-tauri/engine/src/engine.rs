//! The engine's front door: one value that the CLI and the desktop shell both drive.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::connector::csv::{CsvConfig, CsvConnector};
use crate::connector::http::RetryPolicy;
use crate::connector::kombo::{KomboConfig, KomboConnector};
use crate::connector::scim::{ScimConfig, ScimConnector};
use crate::connector::Connector;
use crate::error::{Error, Result};
use crate::model::EmployeeRow;
use crate::oauth::{self, OAuthConfig, OAuthConnector};
use crate::secrets::Secrets;
use crate::store::change_log::{self, ConfigChange};
use crate::store::db::Db;
use crate::store::employees::{self, EmployeeQuery};
use crate::store::runs::{self, SyncRun};
use crate::store::sources::{self, Source, SourceKind};
use crate::store::Store;

mod audit;
mod checklists;
mod device_rules;
mod devices;
mod diagnosis;
mod erasure;
mod explain;
mod notices;
mod overview;
mod people;
mod settings;
mod syncing;
mod team;

pub use checklists::ChecklistChanges;
pub use device_rules::EquipmentSuggestion;
pub use diagnosis::HrDifference;
pub use erasure::PersonalData;
pub use notices::{next_notice_check, Notice};
pub use overview::{
    DeviceToRecover, EntityPeople, Overview, SourceHealth, TimelineWeek, NO_LEGAL_ENTITY, OVERVIEW_STEPS, TIMELINE_WEEKS,
};
pub use people::{Explanation, Profile, ProfileField};
pub use settings::{FieldModeRow, FilterInput, FilterView, Named};
pub use team::Action;

pub struct Engine {
    store: Store,
    secrets: Secrets,
    retry: RetryPolicy,
    /// This computer's host name, which the runs it syncs record.
    machine: String,
}

/// The state of one source, for `roster status` and the settings screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SourceStatus {
    pub source: Source,
    pub last_run: Option<SyncRun>,
    /// The warnings of the latest run that checked for them (a full read), whoever started it.
    pub warnings: Vec<String>,
    /// Whether this machine holds the source's secret, and so runs its scheduled syncs; on a
    /// shared directory, the machines that do are named by its runs.
    pub syncs_here: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Status {
    pub sources: Vec<SourceStatus>,
    pub active: u32,
    pub onboardings: u32,
    pub offboardings: u32,
    pub hidden: u32,
}

impl Engine {
    /// Opens the directory in `data_dir`; runs a crash left open are closed as failed.
    pub fn open(data_dir: &Path) -> Result<Engine> {
        let store = Store::open(data_dir)?;
        let secrets = Secrets::new(&store.installation_id()?);
        // A name is what the history shows; a machine whose name cannot be read still syncs.
        let machine = whoami::hostname().unwrap_or_else(|_| "unknown".to_owned());
        let engine = Engine { store, secrets, retry: RetryPolicy::default(), machine };
        engine.close_interrupted_runs(Utc::now())?;
        Ok(engine)
    }

    /// Replaces the retry policy of HTTP connectors (tests use short delays).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Engine {
        self.retry = retry;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Connects a Kombo integration: the key is checked with Kombo, then kept in the OS keyring.
    pub fn add_kombo_source(&mut self, name: &str, config: KomboConfig, api_key: &str, now: DateTime<Utc>) -> Result<Source> {
        self.acting(Action::ChangeSources, |engine| engine.add_kombo(name, config, api_key, false, now))
    }

    /// Connects the built-in demo's simulator, marked as the demo's source: only that source is
    /// ever pointed at a restarted simulator, whatever other sources are called.
    pub fn add_demo_source(&mut self, name: &str, config: KomboConfig, api_key: &str, now: DateTime<Utc>) -> Result<Source> {
        self.add_kombo(name, config, api_key, true, now)
    }

    fn add_kombo(&mut self, name: &str, config: KomboConfig, api_key: &str, demo: bool, now: DateTime<Utc>) -> Result<Source> {
        let api_key = api_key.trim();
        if api_key.is_empty() {
            return Err(Error::Invalid("the API key is empty".into()));
        }
        let connector = KomboConnector::new(config.clone(), api_key.to_owned(), self.retry)?;
        connector.check_api_key()?;
        let config = KomboConfig { tool: connector.integration_tool()?, ..config };
        let tx = self.store.begin()?;
        let mut source = add_source(&tx, name, SourceKind::Kombo, &serde_json::to_value(&config)?, now)?;
        if demo {
            sources::mark_demo(&tx, source.id)?;
            source.demo = true;
        }
        // The source row is committed only once its secret is safely in the keyring.
        self.secrets.store(&source.secret_account(), api_key)?;
        tx.commit()?;
        Ok(source)
    }

    /// Imports a CSV file as a source: the whole file is checked now, and read again at every sync.
    pub fn add_csv_source(&mut self, name: &str, path: &Path, now: DateTime<Utc>) -> Result<Source> {
        self.acting(Action::ChangeSources, |engine| {
            // An absolute path, so a sync started from another working directory reads the same file.
            let path = std::fs::canonicalize(path).map_err(|e| crate::connector::ConnectorError::CsvUnreadable {
                path: path.display().to_string(),
                detail: e.to_string(),
            })?;
            let config = CsvConfig { path };
            CsvConnector::new(config.clone()).load(&[])?;
            let tx = engine.store.begin()?;
            let source = add_source(&tx, name, SourceKind::Csv, &serde_json::to_value(&config)?, now)?;
            tx.commit()?;
            Ok(source)
        })
    }

    /// Connects a SCIM 2.0 service provider: the token is checked with a first read, then kept in the OS keyring.
    pub fn add_scim_source(&mut self, name: &str, base_url: &str, token: &str, now: DateTime<Utc>) -> Result<Source> {
        self.acting(Action::ChangeSources, |engine| {
            let token = token.trim();
            if token.is_empty() {
                return Err(Error::Invalid("the SCIM bearer token is empty".into()));
            }
            let config = ScimConfig { base_url: base_url.trim_end_matches('/').to_owned() };
            ScimConnector::new(config.clone(), token.to_owned(), engine.retry)?.check()?;
            engine.add_with_secret(name, SourceKind::Scim, &serde_json::to_value(&config)?, token, now)
        })
    }

    /// Connects an HR API through an OAuth sign-in: `open` shows the person the sign-in address
    /// (a browser, or a printed URL); the tokens are kept in the OS keyring only.
    pub fn add_oauth_source(
        &mut self,
        name: &str,
        config: OAuthConfig,
        open: &mut dyn FnMut(&str) -> std::result::Result<(), String>,
        timeout: std::time::Duration,
        now: DateTime<Utc>,
    ) -> Result<Source> {
        self.acting(Action::ChangeSources, |engine| {
            let tokens = oauth::login(&config, open, timeout)?;
            config.check_api(&tokens.access_token, engine.retry)?;
            engine.add_with_secret(
                name,
                SourceKind::Oauth,
                &serde_json::to_value(&config)?,
                &serde_json::to_string(&tokens)?,
                now,
            )
        })
    }

    fn add_with_secret(
        &mut self,
        name: &str,
        kind: SourceKind,
        config: &serde_json::Value,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<Source> {
        let tx = self.store.begin()?;
        let source = add_source(&tx, name, kind, config, now)?;
        // The source row is committed only once its secret is safely in the keyring.
        self.secrets.store(&source.secret_account(), secret)?;
        tx.commit()?;
        Ok(source)
    }

    /// Kombo Connect: the link to open in the system browser, where the customer connects their HR system.
    pub fn kombo_connect_link(&self, base_url: &str, api_key: &str, end_user_email: &str, organization: &str) -> Result<String> {
        let config = KomboConfig { base_url: base_url.to_owned(), integration_id: String::new(), tool: None };
        Ok(KomboConnector::new(config, api_key.trim().to_owned(), self.retry)?
            .create_connect_link(end_user_email, organization)?)
    }

    /// Kombo Connect: turns the flow's activation token into an integration and connects it as a source.
    pub fn add_kombo_source_by_token(
        &mut self,
        name: &str,
        base_url: &str,
        api_key: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Source> {
        let config = KomboConfig { base_url: base_url.to_owned(), integration_id: String::new(), tool: None };
        let (integration_id, _tool) =
            KomboConnector::new(config.clone(), api_key.trim().to_owned(), self.retry)?.integration_by_token(token)?;
        self.add_kombo_source(name, KomboConfig { integration_id, ..config }, api_key, now)
    }

    /// Points a Kombo source at another base URL (the built-in demo's simulator gets a new port at
    /// every start).
    pub fn set_kombo_base_url(&mut self, name: &str, base_url: &str) -> Result<()> {
        self.acting(Action::ChangeSources, |engine| {
            let source = engine.source(name)?;
            let mut config: KomboConfig = serde_json::from_value(source.config)?;
            config.base_url = base_url.to_owned();
            sources::set_config(engine.store.conn(), source.id, &serde_json::to_value(&config)?)
        })
    }

    /// The secret of a source, read from the OS keyring.
    pub fn source_secret(&self, source: &Source) -> Result<String> {
        Ok(self.secrets.load(&source.secret_account())?)
    }

    /// Keeps this machine's copy of a source's API key or token in its keyring, so that it may
    /// run the source's scheduled syncs (on a directory several machines share, each holds its own).
    pub fn set_source_secret(&self, name: &str, secret: &str) -> Result<()> {
        let source = self.source(name)?;
        let secret = secret.trim();
        match source.kind {
            _ if secret.is_empty() => Err(Error::Invalid("the API key or token is empty".into())),
            SourceKind::Kombo | SourceKind::Scim => Ok(self.secrets.store(&source.secret_account(), secret)?),
            SourceKind::Csv => Err(Error::Invalid(format!("{name} reads a CSV file and has no secret"))),
            // Its refresh token rotates at each use: two machines holding one would lock each other out.
            SourceKind::Oauth => {
                Err(Error::Invalid(format!("{name} signs in with OAuth: its syncs run on the machine that signed in")))
            }
        }
    }

    pub fn sources(&self) -> Result<Vec<Source>> {
        sources::list(self.store.conn())
    }

    pub fn source(&self, name: &str) -> Result<Source> {
        sources::by_name(self.store.conn(), name)
    }

    /// Disconnects a source: its secret leaves the keyring; with `erase`, everything it brought goes too.
    pub fn remove_source(&mut self, name: &str, erase: bool, now: DateTime<Utc>) -> Result<()> {
        self.acting(Action::ChangeSources, |engine| {
            let source = engine.source(name)?;
            let tx = engine.store.begin()?;
            // Named in the value rather than linked: the entry outlives the source.
            let change = ConfigChange {
                at: &now.to_rfc3339(),
                source_id: None,
                action: if erase { "source_disconnected_and_erased" } else { "source_disconnected" },
                field: None,
                old: Some(&source.name),
                new: None,
            };
            change_log::record_config(&tx, &change)?;
            if erase {
                // People known only through this source go; people other sources also know stay.
                employees::delete_known_only_to(&tx, source.id)?;
            }
            // First, as a team's database refuses it to a role that may not: the grant and the
            // secret are kept then.
            sources::delete(&tx, source.id)?;
            if source.kind == SourceKind::Oauth {
                revoke_oauth_grant(&engine.secrets, &source);
            }
            engine.secrets.delete(&source.secret_account())?;
            tx.commit()?;
            if erase {
                engine.store.flush_erased()?;
            }
            Ok(())
        })
    }

    fn connector(&self, source: &Source) -> Result<Arc<dyn Connector>> {
        match source.kind {
            SourceKind::Kombo => {
                let config: KomboConfig = serde_json::from_value(source.config.clone())?;
                let key = self.source_secret(source)?;
                Ok(Arc::new(KomboConnector::new(config, key, self.retry)?))
            }
            SourceKind::Csv => Ok(Arc::new(CsvConnector::new(serde_json::from_value(source.config.clone())?))),
            SourceKind::Scim => {
                let config: ScimConfig = serde_json::from_value(source.config.clone())?;
                Ok(Arc::new(ScimConnector::new(config, self.source_secret(source)?, self.retry)?))
            }
            SourceKind::Oauth => {
                let config: OAuthConfig = serde_json::from_value(source.config.clone())?;
                Ok(Arc::new(OAuthConnector::new(config, self.secrets.clone(), source.secret_account(), self.retry)))
            }
        }
    }

    pub fn employees(&self, query: &EmployeeQuery, now: DateTime<Utc>) -> Result<Vec<EmployeeRow>> {
        employees::list(self.store.conn(), query, now)
    }

    pub fn runs(&self, source_name: Option<&str>, limit: u32) -> Result<Vec<SyncRun>> {
        let source_id = source_name.map(|n| self.source(n)).transpose()?.map(|s| s.id);
        runs::list(self.store.conn(), source_id, limit)
    }

    pub fn status(&self, now: DateTime<Utc>) -> Result<Status> {
        let counts = employees::view_counts(self.store.conn(), now)?;
        Ok(Status {
            sources: self.source_statuses()?,
            active: counts.active,
            onboardings: counts.onboardings,
            offboardings: counts.offboardings,
            hidden: counts.hidden,
        })
    }

    /// Each source with its latest run and the warnings that still hold.
    pub fn source_statuses(&self) -> Result<Vec<SourceStatus>> {
        let conn = self.store.conn();
        self.sources()?
            .into_iter()
            .map(|source| {
                let last_run = runs::list(conn, Some(source.id), 1)?.into_iter().next();
                let warnings = runs::current_warnings(conn, source.id)?;
                // A keyring that cannot be asked now is no reason to hide the source: its syncs
                // will say what is wrong with it.
                let syncs_here = self.holds_secret(&source).unwrap_or(true);
                Ok(SourceStatus { source, last_run, warnings, syncs_here })
            })
            .collect()
    }
}

/// Revokes an OAuth source's grant at the authorisation server. Best effort: disconnecting must
/// work even when the server is unreachable or the grant is already gone.
fn revoke_oauth_grant(secrets: &Secrets, source: &Source) {
    let revoked = serde_json::from_value::<OAuthConfig>(source.config.clone()).map_err(Error::from).and_then(|config| {
        let tokens: oauth::Tokens = serde_json::from_str(&secrets.load(&source.secret_account())?)?;
        Ok(oauth::revoke(&config, &tokens)?)
    });
    if let Err(error) = revoked {
        tracing::warn!(source = %source.name, %error, "could not revoke the OAuth grant while disconnecting");
    }
}

/// Adds a source, logged as connected in the same transaction. Named in the value rather than
/// linked, as its disconnection is: the entry outlives the source.
fn add_source(tx: &Db, name: &str, kind: SourceKind, config: &serde_json::Value, now: DateTime<Utc>) -> Result<Source> {
    let source = sources::add(tx, name, kind, config, now)?;
    let change = ConfigChange {
        at: &now.to_rfc3339(),
        source_id: None,
        action: "source_connected",
        field: None,
        old: None,
        new: Some(name),
    };
    change_log::record_config(tx, &change)?;
    Ok(source)
}
