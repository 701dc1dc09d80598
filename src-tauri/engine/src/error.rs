//! The engine's error type. Messages say what happened and, where a person can act, what to do next.

use crate::connector::ConnectorError;
use crate::oauth::OAuthError;
use crate::secrets::SecretError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("could not prepare the database: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("this database was written by a newer Roster (schema version {found}, this build knows {known}); update Roster to open it")]
    DatabaseTooNew { found: usize, known: usize },
    #[error("could not use the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("no source named \"{0}\"; `roster source list` shows the connected sources")]
    UnknownSource(String),
    #[error("a source named \"{0}\" already exists; choose another name")]
    DuplicateSource(String),
    #[error("no employee matches \"{0}\"")]
    UnknownEmployee(String),
    #[error("\"{0}\" matches several employees; use the work email or the id")]
    AmbiguousEmployee(String),
    #[error("{field} is synchronised continuously from {source_name}: change it there, or switch the field to import once")]
    ContinuousField { field: crate::model::Field, source_name: String },
    #[error("a sync of {0} is already running; wait for it to finish")]
    SyncRunning(String),
    #[error("invalid value: {0}")]
    Invalid(String),
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
