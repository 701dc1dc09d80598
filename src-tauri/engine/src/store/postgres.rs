//! A directory kept in PostgreSQL, for a team: which database a data directory points at (its
//! `directory.json`: the address without the password), the password (in the OS keyring, and
//! nowhere else), connecting over TLS unless the server is on this computer, and errors that
//! name the database.

mod tls;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::db::off_executor;
use super::Db;
use crate::error::{Error, Result};
use crate::private;
use crate::secrets::{SecretError, Secrets};

pub use tls::SslMode;

/// The file in a data directory that points it at a PostgreSQL database. Without it, the data
/// directory holds its own SQLite database.
pub const LOCATION_FILE: &str = "directory.json";

/// The keyring namespace of database passwords: one per address, whatever the data directory.
const PASSWORD_NAMESPACE: &str = "postgres";

/// A PostgreSQL database that holds a directory:
/// `postgres://USER@HOST:PORT/DATABASE[?sslmode=disable|require|verify-full][&sslrootcert=/path/ca.pem]`.
///
/// Roster never sends a password over a connection whose server it has not verified: with TLS,
/// the server's certificate chain is checked up to a trusted CA and its host name matched, for
/// `require` as for `verify-full`. The trusted CAs are the OS trust store's, or only those of the
/// `sslrootcert` PEM file. Without `sslmode`, a server on this computer (127.0.0.1, ::1,
/// localhost, a Unix socket) is reached without TLS and any other with `verify-full`; `disable`
/// for a server elsewhere is taken only when written out. Any other option is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The address as given, without a password (refused if it has one) and without options: it
    /// names the password in the OS keyring.
    pub url: String,
    /// Whether the connection uses TLS (the address's `sslmode`, or the default for its host).
    pub sslmode: SslMode,
    /// The PEM file of the CA(s) that alone are trusted to vouch for the server, instead of the OS
    /// trust store (the address's `sslrootcert`, made absolute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sslrootcert: Option<PathBuf>,
}

impl FromStr for Target {
    type Err = Error;

    fn from_str(address: &str) -> Result<Target> {
        let invalid = |why: &str| Error::Invalid(format!("{why}: expected postgres://USER@HOST:PORT/DATABASE"));
        let (url, query) = address.split_once('?').unwrap_or((address, ""));
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| invalid("not a PostgreSQL address"))?;
        let (user, _) = rest.split_once('@').ok_or_else(|| invalid("the address names no user"))?;
        if user.contains(':') {
            return Err(holds_password());
        }
        let config = postgres::Config::from_str(url).map_err(|e| invalid(&e.to_string()))?;
        if config.get_dbname().is_none() {
            return Err(invalid("the address names no database"));
        }
        let local = config.get_hosts().iter().all(|host| match host {
            postgres::config::Host::Tcp(name) => matches!(name.as_str(), "127.0.0.1" | "::1" | "localhost"),
            postgres::config::Host::Unix(_) => true,
        });
        let (sslmode, sslrootcert) = tls::options(query, local)?;
        Ok(Target { url: url.to_owned(), sslmode, sslrootcert })
    }
}

/// The address with its options, as `roster directory connect` takes it back; options that say
/// what the host's default already says are left out, so a local server reads as it was typed.
impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let default = self.url.parse::<Target>().map(|bare| bare.sslmode).ok();
        if self.sslrootcert.is_none() && default == Some(self.sslmode) {
            return f.write_str(&self.url);
        }
        write!(f, "{}?{}", self.url, tls::query(self.sslmode, self.sslrootcert.as_deref()))
    }
}

fn holds_password() -> Error {
    Error::Invalid(
        "the address holds a password: give it without one, and type the password when asked (it is kept in the OS keyring)"
            .into(),
    )
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
    pub fn connect(&self) -> Result<Db> {
        Ok(Db::postgres(self.client()?, self.url.clone()))
    }

    /// A bare client with the password from the OS keyring, for what the store's [`Db`] does not
    /// do: listening for other instances' changes (`store::notifications`).
    pub fn client(&self) -> Result<postgres::Client> {
        let password = passwords().load(&self.url).map_err(|error| match error {
            SecretError::Missing { .. } => Error::Invalid(format!(
                "the password of {} is not in this computer's OS keyring: run `roster directory connect '{self}'` again",
                self.url
            )),
            other => other.into(),
        })?;
        self.client_with(&password)
    }

    /// Connects with `password`, over TLS unless `sslmode` is `disable`: a wrong password, a server
    /// that cannot be reached or whose certificate is not trusted, is said so.
    pub fn connect_with(&self, password: &str) -> Result<Db> {
        Ok(Db::postgres(self.client_with(password)?, self.url.clone()))
    }

    fn client_with(&self, password: &str) -> Result<postgres::Client> {
        let mut config = postgres::Config::from_str(&self.url).map_err(|e| Error::Invalid(e.to_string()))?;
        config
            .password(password)
            .application_name("Roster")
            // A server that does not answer is reported, not waited on for minutes.
            .connect_timeout(Duration::from_secs(10))
            .keepalives_idle(Duration::from_secs(60));
        let connected = match self.sslmode {
            SslMode::Disable => off_executor(|| config.ssl_mode(postgres::config::SslMode::Disable).connect(postgres::NoTls)),
            // TLS or no connection; the connector verifies the server before anything is sent.
            SslMode::VerifyFull => {
                let tls = tls::connector(self.sslrootcert.as_deref())?;
                off_executor(|| config.ssl_mode(postgres::config::SslMode::Require).connect(tls))
            }
        };
        // PostgreSQL compiles a statement it estimates costly to machine code first: at 10,000
        // people that took 0.9 s of the re-sync's 1.8 s planning read, which then ran in 0.4 s
        // without. A `SET`, not a start-up option, which a connection pooler in between refuses.
        let connected = connected.and_then(|mut client| off_executor(|| client.batch_execute("SET jit = off")).map(|()| client));
        connected.map_err(|source| match source.code() {
            // The server lets only the team's roles connect (when the database is not open to all).
            Some(code) if *code == postgres::error::SqlState::INSUFFICIENT_PRIVILEGE => Error::NoTeamRole {
                login: config.get_user().unwrap_or_default().to_owned(),
                database: config.get_dbname().unwrap_or_default().to_owned(),
            },
            _ => self.error(source),
        })
    }

    /// A PostgreSQL error, in words naming this database.
    pub fn error(&self, source: postgres::Error) -> Error {
        Error::Postgres { database: self.url.clone(), source }
    }
}

/// Points `data_dir` at the database `target`, once `password` has been tried and the schema
/// brought up to date there: a wrong address or password leaves the data directory as it was.
pub fn connect(data_dir: &Path, target: &Target, password: &str) -> Result<()> {
    let mut db = target.connect_with(password)?;
    super::team::role(&db)?;
    super::migrations_postgres::migrate(&mut db)?;
    target.save(data_dir, password)
}

fn passwords() -> Secrets {
    Secrets::new(PASSWORD_NAMESPACE)
}

/// What went wrong with a PostgreSQL database, in a person's words.
pub(crate) fn describe(source: &postgres::Error) -> String {
    use postgres::error::SqlState;
    if let Some(refusal) = tls::refusal(source) {
        return refusal;
    }
    match source.code() {
        Some(code) if *code == SqlState::INVALID_PASSWORD || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            "the server refused the user name or password; connect again with the right password".into()
        }
        Some(code) if *code == SqlState::INVALID_CATALOG_NAME => "the database does not exist on the server".into(),
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
    use roster_test_postgres::{Authority, Cluster, TestDatabase};

    use super::*;

    #[test]
    fn an_address_with_a_password_or_without_a_database_is_refused() {
        let with_password = "postgres://roster:secret@db.example:5432/roster".parse::<Target>().unwrap_err();
        assert!(with_password.to_string().contains("holds a password"), "{with_password}");
        assert!(!with_password.to_string().contains("secret"), "the message never repeats the password");
        let no_database = "postgres://roster@db.example:5432".parse::<Target>().unwrap_err();
        assert!(no_database.to_string().contains("names no database"), "{no_database}");
        assert!("mysql://roster@db/x".parse::<Target>().is_err());
    }

    #[test]
    fn without_sslmode_a_server_on_this_computer_gets_no_tls_and_any_other_is_verified() {
        for host in ["127.0.0.1", "[::1]", "localhost"] {
            let target: Target = format!("postgres://roster@{host}:5432/roster").parse().unwrap();
            assert_eq!(target.sslmode, SslMode::Disable, "a server on this computer ({host}) is reached without TLS");
        }
        for host in ["db.example", "10.0.0.5", "127.0.0.2"] {
            let target: Target = format!("postgres://roster@{host}:5432/roster").parse().unwrap();
            assert_eq!(target.sslmode, SslMode::VerifyFull, "a server elsewhere ({host}) is verified by default");
        }
        let spread: Target = "postgres://roster@localhost:5432,db.example:5432/roster".parse().unwrap();
        assert_eq!(spread.sslmode, SslMode::VerifyFull, "one host elsewhere among several is enough to verify");
        let with_ca: Target = "postgres://roster@localhost:5432/roster?sslrootcert=/etc/roster/ca.pem".parse().unwrap();
        assert_eq!(with_ca.sslmode, SslMode::VerifyFull, "a CA file asks for TLS, even on this computer");
    }

    #[test]
    fn require_verifies_as_verify_full_and_disable_elsewhere_is_taken_only_when_written() {
        let require: Target = "postgres://roster@db.example:5432/roster?sslmode=require".parse().unwrap();
        assert_eq!(require.sslmode, SslMode::VerifyFull, "require never sends the password to an unverified server");
        let disable: Target = "postgres://roster@db.example:5432/roster?sslmode=disable".parse().unwrap();
        assert_eq!(disable.sslmode, SslMode::Disable, "disable written out is taken");
        // Shown as typed where the host's default says it all, with the option where it differs.
        for (typed, shown) in [
            ("postgres://roster@127.0.0.1:5432/roster", "postgres://roster@127.0.0.1:5432/roster"),
            ("postgres://roster@127.0.0.1:5432/roster?sslmode=disable", "postgres://roster@127.0.0.1:5432/roster"),
            ("postgres://roster@db.example:5432/roster?sslmode=require", "postgres://roster@db.example:5432/roster"),
            (
                "postgres://roster@db.example:5432/roster?sslmode=disable",
                "postgres://roster@db.example:5432/roster?sslmode=disable",
            ),
            (
                "postgres://roster@localhost:5432/roster?sslmode=verify-full",
                "postgres://roster@localhost:5432/roster?sslmode=verify-full",
            ),
        ] {
            let target: Target = typed.parse().unwrap();
            assert_eq!(target.to_string(), shown);
            assert_eq!(shown.parse::<Target>().unwrap(), target, "what is shown connects as what was typed");
        }
        for weaker in ["prefer", "allow", "verify-ca", ""] {
            let refused = format!("postgres://roster@db.example/roster?sslmode={weaker}").parse::<Target>().unwrap_err();
            assert!(refused.to_string().contains("sslmode=disable|require|verify-full"), "{refused}");
        }
    }

    #[test]
    fn the_options_are_kept_beside_the_address_and_shown_with_it() {
        let target: Target =
            "postgres://roster@db.example:5432/roster?sslmode=verify-full&sslrootcert=/etc/our%20ca/ca.pem".parse().unwrap();
        assert_eq!(target.url, "postgres://roster@db.example:5432/roster", "the stored address has no options");
        assert_eq!(target.sslrootcert.as_deref(), Some(Path::new("/etc/our ca/ca.pem")), "the value is percent-decoded");
        let shown = target.to_string();
        assert_eq!(shown, "postgres://roster@db.example:5432/roster?sslmode=verify-full&sslrootcert=/etc/our%20ca/ca.pem");
        assert_eq!(shown.parse::<Target>().unwrap(), target, "the address shown connects to the same place the same way");
        let stored: serde_json::Value = serde_json::to_value(&target).unwrap();
        assert_eq!(stored["sslmode"], "verify-full", "{stored}");
        assert_eq!(serde_json::from_value::<Target>(stored).unwrap(), target, "directory.json keeps the options");

        let relative: Target = "postgres://roster@db.example/roster?sslrootcert=ca.pem".parse().unwrap();
        let kept = relative.sslrootcert.unwrap();
        assert!(kept.is_absolute() && kept.ends_with("ca.pem"), "a relative CA file is kept absolute: {kept:?}");
    }

    #[test]
    fn an_address_with_an_unknown_or_contradictory_option_is_refused() {
        let unknown = "postgres://roster@db.example/roster?connect_timeout=5".parse::<Target>().unwrap_err();
        assert!(unknown.to_string().contains("option connect_timeout is not supported"), "{unknown}");
        let password = "postgres://roster@db.example/roster?password=hunter2".parse::<Target>().unwrap_err();
        assert!(password.to_string().contains("holds a password"), "{password}");
        assert!(!password.to_string().contains("hunter2"), "the message never repeats an option's value");
        let twice = "postgres://roster@db.example/roster?sslmode=disable&sslmode=verify-full".parse::<Target>().unwrap_err();
        assert!(twice.to_string().contains("sslmode twice"), "{twice}");
        let both = "postgres://roster@db.example/roster?sslmode=disable&sslrootcert=/ca.pem".parse::<Target>().unwrap_err();
        assert!(both.to_string().contains("give one or the other"), "{both}");
    }

    /// A server with TLS whose certificate `authority` issued for `localhost` only, and a database
    /// on it.
    fn tls_server(authority: &Authority) -> (Cluster, TestDatabase) {
        let issued = authority.issue(&["localhost"]);
        let cluster = Cluster::with_tls(&issued.cert_pem, &issued.key_pem);
        let database = cluster.database();
        (cluster, database)
    }

    /// `authority`'s certificate in a PEM file in `dir`.
    fn ca_file(dir: &Path, authority: &Authority) -> PathBuf {
        let file = dir.join("ca.pem");
        std::fs::write(&file, authority.pem()).unwrap();
        file
    }

    #[test]
    fn verify_full_with_the_servers_ca_file_connects_over_tls() {
        let company = Authority::new("Roster test company CA");
        let (_cluster, database) = tls_server(&company);
        let by_name = database.url_by_name();
        let dir = tempfile::tempdir().unwrap();
        let ca = ca_file(dir.path(), &company);
        for mode in ["verify-full", "require"] {
            let target: Target = format!("{by_name}?sslmode={mode}&sslrootcert={}", ca.display()).parse().unwrap();
            let client = target.connect_with(&database.password).unwrap_or_else(|e| panic!("{mode}: {e}"));
            assert!(encrypted(client), "the connection is encrypted ({mode})");
        }
        let plain: Target = by_name.parse().unwrap();
        assert!(
            !encrypted(plain.connect_with(&database.password).unwrap()),
            "without options, a server on this computer is reached without TLS"
        );
    }

    /// Whether the server says that this connection uses TLS.
    fn encrypted(db: Db) -> bool {
        db.query_row("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", (), |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_server_that_cannot_be_verified_is_refused_with_what_to_do() {
        let company = Authority::new("Roster test company CA");
        let (_cluster, database) = tls_server(&company);
        let by_name = database.url_by_name();
        let dir = tempfile::tempdir().unwrap();
        let other = ca_file(dir.path(), &Authority::new("Roster test other CA"));
        let target: Target = format!("{by_name}?sslmode=require&sslrootcert={}", other.display()).parse().unwrap();
        let refused = target.connect_with(&database.password).err().expect("a certificate another CA signed is refused");
        let message = refused.to_string();
        assert!(message.contains(&target.url), "the message names the database: {message}");
        assert!(
            message.contains("certificate was not trusted")
                && message.contains("sslrootcert=")
                && message.contains("trust store"),
            "the message says what to do: {message}"
        );

        let ca = ca_file(dir.path(), &company);
        let by_address = format!("{}?sslmode=verify-full&sslrootcert={}", database.url, ca.display());
        let refused = by_address.parse::<Target>().unwrap().connect_with(&database.password).err().expect("another name");
        assert!(refused.to_string().contains("not for the host name"), "the certificate names localhost only: {refused}");

        let missing = format!("{by_name}?sslrootcert={}", dir.path().join("none.pem").display());
        let refused = missing.parse::<Target>().unwrap().connect_with(&database.password).err().expect("no CA file");
        assert!(refused.to_string().contains("none.pem (sslrootcert) cannot be read"), "{refused}");
    }

    #[test]
    fn a_server_without_tls_is_refused_when_tls_is_asked_for() {
        let database = roster_test_postgres::cluster().database();
        let target: Target = format!("{}?sslmode=require", database.url).parse().unwrap();
        let refused = target.connect_with(&database.password).err().expect("no TLS, no connection");
        assert!(refused.to_string().contains("does not offer TLS"), "{refused}");
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
