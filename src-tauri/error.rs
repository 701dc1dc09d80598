//! The one error the UI receives from every command: a stable `code` to branch on and a
//! `message` that says what to do. The UI never matches on message text.

use roster_engine::paths;
use roster_engine::store::DATABASE_FILE;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The database or the data directory could not be used.
    Storage,
    /// The database was written by a newer Roster.
    DatabaseTooNew,
    NotFound,
    Conflict,
    /// Another admin changed it first (a field's value, a device's holder): show what is there now.
    ChangedMeanwhile,
    Invalid,
    /// The HR system could not be reached, refused the request or its sign-in failed.
    Connector,
    /// The OS keyring is locked, unavailable or lacks a secret.
    Keyring,
    /// The connected login's role in the team may not do this: the database refused it.
    NotPermitted,
    /// An update could not be downloaded, was not signed by Roster's key, or could not be installed.
    Update,
    /// A bug or a crashed background task: nothing the user did.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, TS)]
#[error("{message}")]
#[ts(export)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn internal(message: impl Into<String>) -> CommandError {
        CommandError { code: ErrorCode::Internal, message: message.into() }
    }
}

impl From<roster_engine::Error> for CommandError {
    fn from(error: roster_engine::Error) -> CommandError {
        use roster_engine::Error as E;
        let code = match &error {
            E::Database(_)
            | E::Postgres { .. }
            | E::Stored(_)
            | E::Migration(_)
            | E::DataDir { .. }
            | E::Export { .. }
            | E::Corrupt(_)
            | E::Damaged { .. }
            | E::NoDirectory { .. } => ErrorCode::Storage,
            E::DatabaseTooNew { .. } => ErrorCode::DatabaseTooNew,
            E::UnknownSource(_) | E::UnknownEmployee(_) => ErrorCode::NotFound,
            E::StillInSource { .. }
            | E::HoldsDevice(_)
            | E::DuplicateSource(_)
            | E::AmbiguousEmployee(_)
            | E::ContinuousField { .. }
            | E::SyncRunning(_)
            | E::Cancelled
            | E::Busy
            | E::ErasureNotFlushed => ErrorCode::Conflict,
            E::EditConflict { .. } | E::DeviceTaken { .. } => ErrorCode::ChangedMeanwhile,
            E::Invalid(_) => ErrorCode::Invalid,
            E::Connector(_) | E::OAuth(_) | E::DeadlinePassed { .. } => ErrorCode::Connector,
            E::Secret(_) | E::KeyLost { .. } => ErrorCode::Keyring,
            E::Forbidden { .. } | E::RoleCannot { .. } | E::NoTeamRole { .. } | E::SchemaNeedsOwner { .. } => {
                ErrorCode::NotPermitted
            }
        };
        // The app opens the one directory `paths::data_dir` names: a damaged database is named in full.
        let error = error.naming_database(&paths::data_dir(None).join(DATABASE_FILE));
        // Engine messages never carry secrets: keyring and connector errors name accounts and URLs only.
        CommandError { code, message: error.to_string() }
    }
}

/// A poisoned lock means an earlier command panicked while holding it.
impl<T> From<std::sync::PoisonError<T>> for CommandError {
    fn from(_: std::sync::PoisonError<T>) -> CommandError {
        CommandError::internal("an earlier operation crashed; restart Roster")
    }
}

impl From<tauri::Error> for CommandError {
    fn from(error: tauri::Error) -> CommandError {
        CommandError::internal(format!("a background task failed: {error}"))
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_database_reaches_the_window_as_a_storage_error_naming_the_file() {
        // As a query reports it: by the file's name only.
        let damaged =
            roster_engine::Error::Damaged { file: DATABASE_FILE.into(), detail: "database disk image is malformed".into() };
        let error = CommandError::from(damaged);
        assert_eq!(error.code, ErrorCode::Storage, "damage is a storage error");
        let file = paths::data_dir(None).join(DATABASE_FILE);
        assert!(
            error.message.contains(&format!("{} is damaged", file.display())) && error.message.contains("from a backup"),
            "the message names the app's database file and what to do: {}",
            error.message
        );
    }
}
