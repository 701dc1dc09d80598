//! A throw-away PostgreSQL cluster for Roster's tests: `initdb` and `pg_ctl` on a free port of
//! 127.0.0.1, in a temporary folder, as the `postgres` user when the tests run as root. Each test
//! takes an empty database of its own with [`Cluster::database`]. The server never outlives the
//! test process, even one that panics or is killed. [`Cluster::with_tls`] starts one with TLS, its
//! certificate issued by a throw-away [`Authority`].

mod authority;
mod cluster;
mod server;

use std::sync::OnceLock;

pub use authority::{Authority, Issued};
pub use cluster::{Cluster, TestDatabase, TestRole};

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The test process's shared cluster, started on first use. A test that stops the server starts a
/// [`Cluster::new`] of its own instead: stopping this one would fail the tests running beside it.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(Cluster::new)
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use postgres::error::SqlState;

    use super::*;

    #[test]
    fn two_databases_are_separate() {
        let (first, second) = (cluster().database(), cluster().database());
        assert_ne!(first.url, second.url, "each test gets a database of its own");
        first.connect().batch_execute("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('Ada')").unwrap();
        let seen: i64 =
            second.connect().query_one("SELECT count(*) FROM pg_tables WHERE tablename = 'people'", &[]).unwrap().get(0);
        assert_eq!(seen, 0, "a table made in one database is not in another");

        let mut trespasser = second.config();
        trespasser.dbname(first.config().get_dbname().unwrap());
        let refused = trespasser.connect(postgres::NoTls).err().expect("one database's role cannot connect to another");
        assert_eq!(refused.code(), Some(&SqlState::INSUFFICIENT_PRIVILEGE), "{refused}");
    }

    #[test]
    fn a_wrong_password_is_refused() {
        let database = cluster().database();
        let mut config = database.config();
        config.password("not the password");
        let refused = config.connect(postgres::NoTls).err().expect("a wrong password is refused");
        assert_eq!(refused.code(), Some(&SqlState::INVALID_PASSWORD), "{refused}");
        database.connect().simple_query("SELECT 1").expect("the right one is accepted");
    }

    #[test]
    fn a_cluster_with_tls_has_ssl_on_and_keeps_it_across_a_restart() {
        let issued = Authority::new("Roster test CA").issue(&["localhost", "127.0.0.1"]);
        let cluster = Cluster::with_tls(&issued.cert_pem, &issued.key_pem);
        let database = cluster.database();
        let ssl = |database: &TestDatabase| -> String { database.connect().query_one("SHOW ssl", &[]).unwrap().get(0) };
        assert_eq!(ssl(&database), "on", "the server offers TLS");
        cluster.stop();
        cluster.start();
        assert_eq!(ssl(&database), "on", "a restarted server still offers TLS");
        assert_eq!(ssl(&super::cluster().database()), "off", "the shared cluster has no TLS");
    }

    #[test]
    fn stop_then_start_keeps_the_data() {
        let cluster = Cluster::new();
        let database = cluster.database();
        database.connect().batch_execute("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('Ada')").unwrap();

        cluster.stop();
        assert!(database.config().connect(postgres::NoTls).is_err(), "a stopped server accepts no connection");
        cluster.start();
        let name: String = database.connect().query_one("SELECT name FROM people", &[]).unwrap().get(0);
        assert_eq!(name, "Ada", "what was committed before the stop is there after the start");
    }

    #[test]
    fn a_dropped_cluster_stops_its_server_and_removes_its_folder() {
        let cluster = Cluster::new();
        let folder = cluster.folder().to_owned();
        let server = postmaster(&folder);
        drop(cluster);
        assert!(!folder.exists(), "the folder is removed when the drop returns");
        assert!(wait_for(|| !running(server)), "the server has stopped");
    }

    /// The ways a test process ends without running the static cluster's destructor.
    const ENDINGS: [&str; 2] = ["panic", "abort"];

    #[test]
    fn the_cluster_ends_with_its_test_process_however_it_ends() {
        for ending in ENDINGS {
            let mut child = Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "tests::a_test_process_that_ends", "--ignored", "--nocapture", "--test-threads=1"])
                .env("ROSTER_TEST_POSTGRES_ENDING", ending)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let folder = BufReader::new(child.stdout.take().unwrap())
                .lines()
                .map_while(Result::ok)
                // The harness prints the test's name on the same line, before it.
                .find_map(|line| line.split_once("cluster folder: ").map(|(_, folder)| folder.to_owned()))
                .expect("the child process started a cluster");
            let server = postmaster(Path::new(&folder));
            assert!(!child.wait().unwrap().success(), "the child process failed ({ending})");
            let gone = wait_for(|| !running(server) && !Path::new(&folder).exists());
            assert!(gone, "the server of a test process that ended by {ending} stops and its folder is removed");
        }
    }

    /// Run by the test above as a child process: starts the shared cluster, then ends as told.
    #[test]
    #[ignore = "a child process of the_cluster_ends_with_its_test_process_however_it_ends"]
    fn a_test_process_that_ends() {
        let Ok(ending) = std::env::var("ROSTER_TEST_POSTGRES_ENDING") else { return };
        println!("cluster folder: {}", cluster().folder().display());
        match ending.as_str() {
            "panic" => panic!("a test fails"),
            _ => std::process::abort(),
        }
    }

    /// The server's process id, from the first line of its pid file.
    fn postmaster(folder: &Path) -> u32 {
        let pid_file = std::fs::read_to_string(folder.join("data/postmaster.pid")).expect("a running server's pid file");
        pid_file.lines().next().and_then(|line| line.parse().ok()).expect("the pid file starts with the pid")
    }

    /// Whether the process is running: neither gone nor a zombie waiting to be reaped (its exit
    /// goes on after pg_ctl has seen its pid file removed).
    fn running(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
    }

    /// Whether `done` became true within 20 s, checking it every 20 ms.
    fn wait_for(done: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        done()
    }
}
