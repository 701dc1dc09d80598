//! A running cluster and the databases it gives tests, each with a login role of its own.

use std::sync::atomic::{AtomicUsize, Ordering};

use postgres::{Client, Config, NoTls};
use rand::distributions::{Alphanumeric, DistString};

use crate::server::{Server, Supervisor};

/// Numbers the databases of this process: each name is used once.
static NEXT_DATABASE: AtomicUsize = AtomicUsize::new(1);

/// A throw-away PostgreSQL server on 127.0.0.1 in a temporary folder. It stops, and its folder is
/// removed, when it is dropped or when the test process ends.
pub struct Cluster {
    server: Server,
    superuser_password: String,
    // Dropped last (fields drop in order): the server stops after everything else is released.
    _supervisor: Supervisor,
}

/// An empty database owned by a login role of its own, made for one test. Dropping it drops
/// both, so that hundreds of tests leave one small cluster.
pub struct TestDatabase {
    /// `postgres://ROLE@127.0.0.1:PORT/DB`, without the password.
    pub url: String,
    /// The role's password (random).
    pub password: String,
    name: String,
    superuser: Config,
}

impl Cluster {
    /// Initialises and starts a cluster of its own (about 3 s). Most tests share [`crate::cluster`];
    /// one that stops the server uses its own, so that no other test sees it stop.
    #[allow(clippy::new_without_default)] // Starting a server is not a default value.
    pub fn new() -> Cluster {
        Cluster::start_new(None)
    }

    /// Like [`Cluster::new`], with TLS on (`ssl=on`): the server presents `cert_pem` (with the
    /// chain above it, if any) and holds `key_pem`. Clients may still connect without TLS.
    pub fn with_tls(cert_pem: &str, key_pem: &str) -> Cluster {
        Cluster::start_new(Some((cert_pem, key_pem)))
    }

    fn start_new(tls: Option<(&str, &str)>) -> Cluster {
        let superuser_password = random_password();
        let (server, supervisor) = Server::create(&superuser_password, tls);
        Cluster { server, superuser_password, _supervisor: supervisor }
    }

    /// A fresh, empty database with a unique name, owned by a fresh login role that alone may
    /// connect to it.
    pub fn database(&self) -> TestDatabase {
        let name = format!("roster_test_{}", NEXT_DATABASE.fetch_add(1, Ordering::Relaxed));
        let password = random_password();
        let superuser = self.superuser();
        let mut admin = superuser.connect(NoTls).expect("the test cluster accepts its superuser");
        // One statement each: CREATE DATABASE cannot run in the implicit transaction of a batch.
        // The password is alphanumeric, so it needs no quoting beyond the literal's.
        for statement in [
            format!("CREATE ROLE {name} LOGIN PASSWORD '{password}'"),
            format!("CREATE DATABASE {name} OWNER {name}"),
            format!("REVOKE ALL ON DATABASE {name} FROM PUBLIC"),
        ] {
            admin.batch_execute(&statement).unwrap_or_else(|e| panic!("the test database {name} is made: {e:?}"));
        }
        let url = format!("postgres://{name}@127.0.0.1:{}/{name}", self.server.port);
        TestDatabase { url, password, name, superuser }
    }

    /// Stops the server (fast: open connections are ended), waiting until it has stopped.
    pub fn stop(&self) {
        self.server.stop();
    }

    /// Starts the stopped server again on the same port, waiting until it accepts connections.
    pub fn start(&self) {
        self.server.start();
    }

    fn superuser(&self) -> Config {
        let mut config = Config::new();
        config.host("127.0.0.1").port(self.server.port).user("postgres").password(&self.superuser_password).dbname("postgres");
        config
    }

    #[cfg(test)]
    pub(crate) fn folder(&self) -> &std::path::Path {
        &self.server.dir
    }
}

impl TestDatabase {
    /// A new login role (see [`TestDatabase::login`]) that may connect to this database (and make
    /// temporary tables there) and nothing more: what it may read and write, the test grants.
    pub fn connecting_login(&self, suffix: &str) -> Login {
        let login = self.login(suffix);
        self.as_superuser(&format!("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}", self.name, login.name));
        login
    }

    /// The connection settings of the database's role, password included.
    pub fn config(&self) -> Config {
        let mut config: Config = self.url.parse().expect("the test database's URL parses");
        config.password(&self.password);
        config
    }

    /// The address with the server named `localhost` instead of 127.0.0.1, as a certificate names it.
    pub fn url_by_name(&self) -> String {
        self.url.replacen("@127.0.0.1:", "@localhost:", 1)
    }

    /// Lets the database's role create roles (`CREATEROLE`), as a server's administrator lets the
    /// owner of a team's database.
    pub fn allow_creating_roles(&self) {
        self.as_superuser(&format!("ALTER ROLE {} CREATEROLE", self.name));
    }

    /// A new login role of the server named `<database>_<suffix>`, with a random password, that
    /// may connect to nothing until it is granted so; dropped with the database.
    pub fn login(&self, suffix: &str) -> Login {
        let name = format!("{}_{suffix}", self.name);
        let password = random_password();
        self.as_superuser(&format!("CREATE ROLE {name} LOGIN PASSWORD '{password}'"));
        let url = self.url.replacen(&format!("//{}@", self.name), &format!("//{name}@"), 1);
        Login { name, url, password }
    }

    /// Runs `sql` as the cluster's superuser.
    pub fn as_superuser(&self, sql: &str) {
        let mut admin = self.superuser.connect(NoTls).expect("the test cluster accepts its superuser");
        admin.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }

    /// A new connection as the database's role.
    pub fn connect(&self) -> Client {
        self.config().connect(NoTls).unwrap_or_else(|e| panic!("connecting to the test database {}: {e:?}", self.url))
    }
}

/// A login role made by [`TestDatabase::login`]: another person of a team sharing the database.
pub struct Login {
    /// Its name, as `session_user` says it.
    pub name: String,
    /// `postgres://USER@127.0.0.1:PORT/DB` for the test's database, without the password.
    pub url: String,
    pub password: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Best effort: a test may have stopped the server, or be unwinding from a panic.
        if let Ok(mut admin) = self.superuser.connect(NoTls) {
            let name = &self.name;
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            // The roles named after the database (a team's, the tests' logins), then its own.
            let prefixed = admin
                .query("SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, $1)", &[&format!("{name}_")])
                .unwrap_or_default();
            for role in prefixed {
                let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS \"{}\"", role.get::<_, String>(0)));
            }
            let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS {name}"));
        }
    }
}

fn random_password() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
}
