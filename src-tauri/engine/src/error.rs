//! The engine's error type. Messages say what happened and, where a person can act, what to do next.

use crate::connector::ConnectorError;
use crate::oauth::OAuthError;
use crate::secrets::SecretError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database error: {0}")]
    Database(rusqlite::Error),
    #[error(
        "the directory is busy: a sync is writing into it (a first sync writes as it reads); try again once it has finished"
    )]
    Busy,
    #[error("could not prepare the database: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// An error of a directory's PostgreSQL server, or of the connection to it.
    #[error("the directory's PostgreSQL database {database}: {}", crate::store::postgres::describe(.source))]
    Postgres { database: String, source: postgres::Error },
    /// The database refused a statement to the connected login (SQLSTATE 42501): its role may not
    /// do it. The engine names the action when it knows the role ([`Error::RoleCannot`]).
    #[error("the directory's PostgreSQL database {database} refused this to your login: {detail}")]
    Forbidden { database: String, detail: String },
    /// An action the connected role may not do, refused by the database.
    #[error("your role {role} cannot {action}; ask {}", .action.who_can())]
    RoleCannot { role: crate::store::team::Role, action: crate::engine::Action },
    #[error("the login {login} has no Roster role in the directory's database {database}: ask its owner to run `roster directory grant {login} --role viewer` (or admin, or owner)")]
    NoTeamRole { login: String, database: String },
    #[error("the directory's schema is older than this Roster; ask the owner ({owner}) to open it once")]
    SchemaNeedsOwner { owner: String },
    /// A value read from the database is not of the type its column should hold.
    #[error("unexpected data in the database: {0}")]
    Stored(String),
    #[error("this database was written by a newer Roster (schema version {found}, this build knows {known}); update Roster to open it")]
    DatabaseTooNew { found: usize, known: usize },
    #[error("the key of the encrypted database is not in the OS keyring (or {file} is missing): the directory cannot be read; restore the data directory and its keyring entry, or start afresh with an empty data directory")]
    KeyLost { file: String },
    #[error("the directory's database {file} is damaged ({detail}), or was encrypted with another key than the one in the OS keyring: restore the data directory from a backup, or sync again into a fresh data directory (`--data-dir`, or an empty ROSTER_DATA_DIR); `roster directory check` says what is wrong")]
    Damaged { file: String, detail: String },
    #[error("there is no directory in {path}: a command such as `roster status` creates one")]
    NoDirectory { path: String },
    #[error("could not use the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("could not write the export to {path}: {source}")]
    Export { path: String, source: std::io::Error },
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
    #[error("{who} is still returned by {sources}: erase them there first (or wait until they are gone from it), or the next sync would bring them back")]
    StillInSource { who: String, sources: String },
    #[error("the data is erased from the directory, but another Roster window or command is still reading it, so an old copy stays on disk until that one closes: close it")]
    ErasureNotFlushed,
    #[error("{0} still holds a device: record its return first")]
    HoldsDevice(String),
    /// The field's value is no longer the one the edit started from: someone saved first.
    #[error("{field} was changed{} meanwhile: {}; your edit was not saved. Check the new value and save again if yours should replace it", by_whom(.by), shown(.current))]
    EditConflict { field: crate::model::Field, current: Option<String>, by: Option<String> },
    /// The device is held by someone: it cannot be handed over before it is taken back.
    #[error("{device} was handed to {holder}{} on {on}; take it back first", by_whom(.by))]
    DeviceTaken { device: String, holder: String, by: Option<String>, on: String },
    #[error("the sync was cancelled (its source is being removed); nothing was changed")]
    Cancelled,
    #[error("the sync took longer than its limit of {minutes} min and was stopped; nothing was changed. Check the HR system's address and status, or raise the limit in Settings")]
    DeadlinePassed { minutes: u64 },
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

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Error {
        // The write lock stayed taken past the busy timeout: in practice a first sync, which
        // holds it for its whole read.
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) => Error::Busy,
            // SQLCipher reports a page whose authentication code does not match as corrupt, and
            // the first page as "not a database": damage, or another key.
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                Error::Damaged { file: crate::store::DATABASE_FILE.to_owned(), detail: sqlite_message(&error) }
            }
            _ => Error::Database(error),
        }
    }
}

impl Error {
    /// True when a write broke a unique constraint of `table`: another writer took the value first.
    pub fn is_unique_violation(&self, table: &str) -> bool {
        match self {
            Error::Database(rusqlite::Error::SqliteFailure(e, Some(message))) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    && message.starts_with(&format!("UNIQUE constraint failed: {table}."))
            }
            Error::Postgres { source, .. } => source
                .as_db_error()
                .is_some_and(|e| *e.code() == postgres::error::SqlState::UNIQUE_VIOLATION && e.table() == Some(table)),
            _ => false,
        }
    }

    /// Names the database file in full in a [`Error::Damaged`], which a query only knows by its
    /// file name; other errors are returned as they are.
    pub fn naming_database(self, file: &std::path::Path) -> Error {
        match self {
            Error::Damaged { detail, .. } => Error::Damaged { file: file.display().to_string(), detail },
            other => other,
        }
    }
}

/// " by Ada", or nothing when the store does not know (a local directory has one person).
fn by_whom(by: &Option<String>) -> String {
    by.as_ref().map(|by| format!(" by {by}")).unwrap_or_default()
}

fn shown(value: &Option<String>) -> String {
    value.as_ref().map_or_else(|| "(empty)".to_owned(), |v| format!("\"{v}\""))
}

/// SQLite's own words for an error, without rusqlite's wrapping.
fn sqlite_message(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(_, Some(message)) if !message.is_empty() => message.clone(),
        rusqlite::Error::SqliteFailure(code, _) => code.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn a_locked_directory_says_why_and_what_to_do() {
        let busy = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), None);
        let error = Error::from(busy);
        assert!(matches!(error, Error::Busy), "{error:?}");
        assert!(error.to_string().contains("try again once it has finished"));
        let other = Error::from(rusqlite::Error::QueryReturnedNoRows);
        assert!(matches!(other, Error::Database(_)), "other errors stay database errors: {other:?}");
    }

    #[test]
    fn a_damaged_database_says_what_to_do_and_names_the_file() {
        let corrupt = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT), None);
        let error = Error::from(corrupt).naming_database(std::path::Path::new("/data/roster.db"));
        let message = error.to_string();
        assert!(matches!(error, Error::Damaged { .. }), "{error:?}");
        assert!(message.contains("/data/roster.db is damaged"), "the message names the file: {message}");
        assert!(
            message.contains("restore the data directory from a backup") && message.contains("fresh data directory"),
            "and says what to do: {message}"
        );
    }
}
