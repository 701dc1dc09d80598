//! A directory kept in PostgreSQL, for a team: which database a data directory points at (its
//! `directory.json`: the address without the password), the password (in the OS keyring, and
//! nowhere else), connecting, and errors that name the database.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Db;
use crate::error::{Error, Result};
use crate::private;
use crate::secrets::{SecretError, Secrets};

/// The file in a data directory that points it at a PostgreSQL database. Without it, the data
/// directory holds its own SQLite database.
pub const LOCATION_FILE: &str = "directory.json";

/// The keyring namespace of database passwords: one per address, whatever the data directory.
const PASSWORD_NAMESPACE: &str = "postgres";

/// A PostgreSQL database that holds a directory: `postgres://USER@HOST:PORT/DATABASE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The address as given, without a password (refused if it has one) and without options.
    pub url: String,
}

impl FromStr for Target {
    type Err = Error;

    fn from_str(url: &str) -> Result<Target> {
        let invalid = |why: &str| Error::Invalid(format!("{why}: expected postgres://USER@HOST:PORT/DATABASE"));
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| invalid("not a PostgreSQL address"))?;
        let (user, _) = rest.split_once('@').ok_or_else(|| invalid("the address names no user"))?;
        if user.contains(':') {
            return Err(Error::Invalid(
                "the address holds a password: give it without one, and type the password when asked (it is kept in the OS keyring)"
                    .into(),
            ));
        }
        if url.contains('?') {
            return Err(invalid("options after '?' are not supported"));
        }
        let config = postgres::Config::from_str(url).map_err(|e| invalid(&e.to_string()))?;
        if config.get_dbname().is_none() {
            return Err(invalid("the address names no database"));
        }
        Ok(Target { url: url.to_owned() })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

impl Target {
    /// The database `data_dir` points at, if it points at one.
    pub fn of(data_dir: &Path) -> Result<Option<Target>> {
        let file = data_dir.join(LOCATION_FILE);
        match std::fs::read_to_string(&file) {
            Ok(text) => Ok(Some(serde_json::from_str(&text)?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::DataDir { path: file.display().to_string(), source }),
        }
    }

    /// Points `data_dir` at this database, with its password in the OS keyring.
    pub fn save(&self, data_dir: &Path, password: &str) -> Result<()> {
        let io = |source| Error::DataDir { path: data_dir.display().to_string(), source };
        private::ensure_dir(data_dir).map_err(io)?;
        passwords().store(&self.url, password)?;
        let mut file = private::create_file(&data_dir.join(LOCATION_FILE), true).map_err(io)?;
        std::io::Write::write_all(&mut file, serde_json::to_string_pretty(self)?.as_bytes()).map_err(io)
    }

    /// Points `data_dir` back at its own SQLite database and forgets the password.
    pub fn forget(data_dir: &Path) -> Result<Option<Target>> {
        let Some(target) = Target::of(data_dir)? else { return Ok(None) };
        passwords().delete(&target.url)?;
        let file = data_dir.join(LOCATION_FILE);
        std::fs::remove_file(&file).map_err(|source| Error::DataDir { path: file.display().to_string(), source })?;
        Ok(Some(target))
    }

    /// Connects with the password from the OS keyring.
    pub fn connect(&self) -> Result<postgres::Client> {
        let password = passwords().load(&self.url).map_err(|error| match error {
            SecretError::Missing { .. } => Error::Invalid(format!(
                "the password of {self} is not in this computer's OS keyring: run `roster directory connect {self}` again"
            )),
            other => other.into(),
        })?;
        self.connect_with(&password)
    }

    /// Connects with `password`: a wrong one, or a server that cannot be reached, is said so.
    pub fn connect_with(&self, password: &str) -> Result<postgres::Client> {
        let mut config = postgres::Config::from_str(&self.url).map_err(|e| Error::Invalid(e.to_string()))?;
        config
            .password(password)
            .application_name("Roster")
            // A server that does not answer is reported, not waited on for minutes.
            .connect_timeout(Duration::from_secs(10))
            .keepalives_idle(Duration::from_secs(60));
        config.connect(postgres::NoTls).map_err(|source| self.error(source))
    }

    /// A PostgreSQL error, in words naming this database.
    pub fn error(&self, source: postgres::Error) -> Error {
        Error::Postgres { database: self.url.clone(), source }
    }
}

/// Points `data_dir` at the database `target`, once `password` has been tried and the schema
/// brought up to date there: a wrong address or password leaves the data directory as it was.
pub fn connect(data_dir: &Path, target: &Target, password: &str) -> Result<()> {
    let mut db = Db::postgres(target.connect_with(password)?, target.url.clone());
    super::migrations_postgres::migrate(&mut db)?;
    target.save(data_dir, password)
}

fn passwords() -> Secrets {
    Secrets::new(PASSWORD_NAMESPACE)
}

/// What went wrong with a PostgreSQL database, in a person's words.
pub(crate) fn describe(source: &postgres::Error) -> String {
    use postgres::error::SqlState;
    match source.code() {
        Some(code) if *code == SqlState::INVALID_PASSWORD || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            "the server refused the user name or password; connect again with `roster directory connect` and the right password"
                .into()
        }
        Some(code) if *code == SqlState::INVALID_CATALOG_NAME => "the database does not exist on the server".into(),
        Some(code) if *code == SqlState::INSUFFICIENT_PRIVILEGE => {
            format!("the database user may not do this ({})", source.as_db_error().map_or("", |e| e.message()))
        }
        Some(code) if code.code().starts_with("57P") || code.code().starts_with("08") => {
            "the server closed the connection (it may be restarting or stopped); nothing of the interrupted change was kept"
                .into()
        }
        Some(_) => source.as_db_error().map_or_else(|| source.to_string(), |e| e.message().to_owned()),
        None if source.is_closed() => {
            "the connection to the server was lost (it may be restarting or stopped); nothing of the interrupted change was kept"
                .into()
        }
        None => {
            let detail = std::error::Error::source(source).map_or_else(|| source.to_string(), ToString::to_string);
            format!("the server cannot be reached ({detail}); check that it is running and that this computer may connect to it")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_with_a_password_or_without_a_database_is_refused() {
        let with_password = "postgres://roster:secret@db.example:5432/roster".parse::<Target>().unwrap_err();
        assert!(with_password.to_string().contains("holds a password"), "{with_password}");
        assert!(!with_password.to_string().contains("secret"), "the message never repeats the password");
        let no_database = "postgres://roster@db.example:5432".parse::<Target>().unwrap_err();
        assert!(no_database.to_string().contains("names no database"), "{no_database}");
        assert!("mysql://roster@db/x".parse::<Target>().is_err());
        let target: Target = "postgres://roster@db.example:5432/roster".parse().unwrap();
        assert_eq!(target.to_string(), "postgres://roster@db.example:5432/roster");
    }

    #[test]
    fn an_unreachable_server_is_named_with_what_to_check() {
        // A port nothing listens on: connecting is refused at once.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let target: Target = format!("postgres://roster@127.0.0.1:{port}/roster").parse().unwrap();
        let error = target.connect_with("pw").err().expect("nothing listens there");
        let message = error.to_string();
        assert!(message.contains(&target.url) && message.contains("cannot be reached"), "{message}");
    }
}
