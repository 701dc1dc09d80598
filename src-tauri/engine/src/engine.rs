//! The engine's front door: one value that the CLI and the desktop shell both drive.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::connector::kombo::{KomboConfig, KomboConnector, RetryPolicy};
use crate::connector::Connector;
use crate::error::{Error, Result};
use crate::model::{EmployeeRow, View};
use crate::secrets::Secrets;
use crate::store::employees::{self, EmployeeQuery};
use crate::store::runs::{self, SyncRun};
use crate::store::sources::{self, Source, SourceKind};
use crate::store::Store;
use crate::sync::{self, SyncReport, SyncRequest};

pub struct Engine {
    store: Store,
    secrets: Secrets,
    retry: RetryPolicy,
}

/// The state of one source, for `roster status` and the settings screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SourceStatus {
    pub source: Source,
    pub last_run: Option<SyncRun>,
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
        runs::close_interrupted(store.conn(), &Utc::now().to_rfc3339())?;
        let secrets = Secrets::new(&store.installation_id()?);
        Ok(Engine { store, secrets, retry: RetryPolicy::default() })
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
        let api_key = api_key.trim();
        if api_key.is_empty() {
            return Err(Error::Invalid("the API key is empty".into()));
        }
        KomboConnector::new(config.clone(), api_key.to_owned(), self.retry)?.check_api_key()?;
        let tx = self.store.conn_mut().transaction()?;
        let source = sources::add(&tx, name, SourceKind::Kombo, &serde_json::to_value(&config)?, now)?;
        // The source row is committed only once its secret is safely in the keyring.
        self.secrets.store(&source.secret_account(), api_key)?;
        tx.commit()?;
        Ok(source)
    }

    /// Points a Kombo source at another base URL (the built-in demo's simulator gets a new port at
    /// every start).
    pub fn set_kombo_base_url(&mut self, name: &str, base_url: &str) -> Result<()> {
        let source = self.source(name)?;
        let mut config: KomboConfig = serde_json::from_value(source.config)?;
        config.base_url = base_url.to_owned();
        sources::set_config(self.store.conn(), source.id, &serde_json::to_value(&config)?)
    }

    /// The secret of a source, read from the OS keyring.
    pub fn source_secret(&self, source: &Source) -> Result<String> {
        Ok(self.secrets.load(&source.secret_account())?)
    }

    pub fn sources(&self) -> Result<Vec<Source>> {
        sources::list(self.store.conn())
    }

    pub fn source(&self, name: &str) -> Result<Source> {
        sources::by_name(self.store.conn(), name)
    }

    /// Disconnects a source: its secret leaves the keyring; with `erase`, everything it brought goes too.
    pub fn remove_source(&mut self, name: &str, erase: bool) -> Result<()> {
        let source = self.source(name)?;
        self.secrets.delete(&source.secret_account())?;
        let tx = self.store.conn_mut().transaction()?;
        if erase {
            // People known only through this source go; people other sources also know stay.
            tx.execute(
                "DELETE FROM employees WHERE id IN (SELECT employee_id FROM employee_links WHERE source_id = ?1)
                 AND id NOT IN (SELECT employee_id FROM employee_links WHERE source_id != ?1)",
                [source.id],
            )?;
        }
        sources::delete(&tx, source.id)?;
        tx.commit()?;
        Ok(())
    }

    fn connector(&self, source: &Source) -> Result<Box<dyn Connector>> {
        match source.kind {
            SourceKind::Kombo => {
                let config: KomboConfig = serde_json::from_value(source.config.clone())?;
                let key = self.source_secret(source)?;
                Ok(Box::new(KomboConnector::new(config, key, self.retry)?))
            }
            other => Err(Error::Invalid(format!("{} sources cannot be synced by this build", other.as_str()))),
        }
    }

    /// Syncs one source now.
    pub fn sync(&mut self, source_name: &str, now: DateTime<Utc>, request: SyncRequest) -> Result<SyncReport> {
        let source = self.source(source_name)?;
        let connector = self.connector(&source)?;
        sync::run(&mut self.store, &source, connector.as_ref(), now, request)
    }

    pub fn employees(&self, query: &EmployeeQuery, now: DateTime<Utc>) -> Result<Vec<EmployeeRow>> {
        employees::list(self.store.conn(), query, now)
    }

    pub fn runs(&self, source_name: Option<&str>, limit: u32) -> Result<Vec<SyncRun>> {
        let source_id = source_name.map(|n| self.source(n)).transpose()?.map(|s| s.id);
        runs::list(self.store.conn(), source_id, limit)
    }

    pub fn status(&self, now: DateTime<Utc>) -> Result<Status> {
        let conn = self.store.conn();
        let sources = self
            .sources()?
            .into_iter()
            .map(|source| {
                let last_run = runs::list(conn, Some(source.id), 1)?.into_iter().next();
                Ok(SourceStatus { source, last_run })
            })
            .collect::<Result<Vec<_>>>()?;
        let count = |view: View| -> Result<u32> {
            let query = EmployeeQuery { view, limit: u32::MAX, ..EmployeeQuery::default() };
            Ok(employees::list(conn, &query, now)?.len() as u32)
        };
        let hidden: u32 = conn.query_row("SELECT count(*) FROM employees WHERE hidden", [], |r| r.get(0))?;
        Ok(Status {
            sources,
            active: count(View::Active)?,
            onboardings: count(View::Onboardings)?,
            offboardings: count(View::Offboardings)?,
            hidden,
        })
    }
}
