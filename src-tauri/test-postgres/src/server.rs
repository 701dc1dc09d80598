//! The server's processes: where PostgreSQL's programs are, the user the server runs as, and the
//! supervisor that stops it when the test process ends.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use nix::unistd::{Gid, Uid, User};

/// Where Debian installs each major version's server programs.
const DEBIAN_VERSIONS: &str = "/usr/lib/postgresql";

/// How often a start is tried on another free port when the chosen one was taken in between.
const PORT_TRIES: usize = 5;

/// A server's programs, its folder (data, socket, log, and certificate and key if it has TLS) and
/// its port on 127.0.0.1.
pub(crate) struct Server {
    bin: PathBuf,
    pub(crate) dir: PathBuf,
    owner: Option<Owner>,
    pub(crate) port: u16,
    tls: bool,
}

/// File names of the server's TLS certificate and key, in its folder.
const CERT_FILE: &str = "server.crt";
const KEY_FILE: &str = "server.key";

/// The user the server runs as when the test process is root: PostgreSQL refuses to run as root.
#[derive(Clone, Copy)]
struct Owner {
    uid: Uid,
    gid: Gid,
}

impl Server {
    /// Initialises a cluster in a new temporary folder, with the superuser `postgres` and its
    /// `password`, and starts it on a free port, with TLS if `tls` gives a certificate and its key
    /// (PEM). The supervisor is running before the server is started: whatever happens next, the
    /// server ends with the test process.
    pub(crate) fn create(password: &str, tls: Option<(&str, &str)>) -> (Server, Supervisor) {
        let bin = bin_dir();
        let owner = Owner::for_this_process();
        let dir = tempfile::Builder::new()
            .prefix("roster-pg-")
            .tempdir()
            .expect("a temporary folder for the test cluster")
            // The supervisor removes it, after the server has stopped.
            .keep();
        let password_file = dir.join("password");
        std::fs::write(&password_file, password).expect("the superuser's password file");
        if let Some(owner) = owner {
            for path in [&dir, &password_file] {
                std::os::unix::fs::chown(path, Some(owner.uid.as_raw()), Some(owner.gid.as_raw()))
                    .expect("the test cluster's folder is handed to the postgres user");
            }
        }
        let mut server = Server { bin, dir, owner, port: 0, tls: tls.is_some() };
        if let Some((cert_pem, key_pem)) = tls {
            server.write_private(CERT_FILE, cert_pem);
            server.write_private(KEY_FILE, key_pem);
        }
        let supervisor = Supervisor::spawn(&server);
        let password_option = format!("--pwfile={}", password_file.display());
        let data = server.data();
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "scram-sha-256",
                &password_option,
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        );
        std::fs::remove_file(&password_file).expect("the password file is removed once used");
        for _ in 0..PORT_TRIES {
            server.port = free_port();
            match server.try_start() {
                Ok(()) => return (server, supervisor),
                // Another process took the port between our look and the server's bind: try another.
                Err(log) if log.contains("Address already in use") => continue,
                Err(log) => panic!("the test cluster did not start:\n{log}"),
            }
        }
        panic!("the test cluster found no free port in {PORT_TRIES} tries");
    }

    /// Starts the stopped server again on its port, waiting until it accepts connections.
    pub(crate) fn start(&self) {
        if let Err(log) = self.try_start() {
            panic!("the test cluster did not start again on port {}:\n{log}", self.port);
        }
    }

    /// Stops the server, waiting until it has (its clients are disconnected).
    pub(crate) fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    /// `pg_ctl start`, or the end of the server's log when it failed.
    fn try_start(&self) -> Result<(), String> {
        // A throw-away cluster needs no durability across a power loss: fsync off keeps tests fast.
        // The socket goes in the cluster's folder, not the system's /var/run/postgresql.
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            self.port,
            self.dir.display()
        );
        if self.tls {
            let file = |name| self.dir.join(name).display().to_string();
            options += &format!(" -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}", file(CERT_FILE), file(KEY_FILE));
        }
        let log = self.dir.join("log");
        let output = self
            .command("pg_ctl")
            .args(["-D", &self.data(), "-l", &log.display().to_string(), "-o", &options, "-w", "start"])
            .output()
            .expect("pg_ctl runs");
        if output.status.success() {
            return Ok(());
        }
        let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
        if let Ok(mut file) = std::fs::File::open(&log) {
            let _ = file.read_to_string(&mut text);
        }
        Err(text)
    }

    /// Runs one of the server's programs as the server's user; panics with its output if it fails.
    fn run(&self, program: &str, args: &[&str]) {
        let output = self.command(program).args(args).output().expect("PostgreSQL's programs run");
        assert!(
            output.status.success(),
            "{program} {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Writes `contents` to `name` in the server's folder, owned by the server's user and readable
    /// by it alone (PostgreSQL refuses a key file others may read).
    fn write_private(&self, name: &str, contents: &str) {
        let path = self.dir.join(name);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .unwrap_or_else(|e| panic!("the test cluster's {name} is written: {e}"));
        file.write_all(contents.as_bytes()).unwrap_or_else(|e| panic!("the test cluster's {name} is written: {e}"));
        if let Some(owner) = self.owner {
            std::os::unix::fs::chown(&path, Some(owner.uid.as_raw()), Some(owner.gid.as_raw()))
                .expect("the test cluster's TLS files are handed to the postgres user");
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        command.current_dir(&self.dir).stdin(Stdio::null());
        if let Some(owner) = self.owner {
            command.uid(owner.uid.as_raw()).gid(owner.gid.as_raw());
        }
        command
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }
}

/// A shell that waits for its standard input to close, then stops the server and removes its
/// folder. The test process holds the only writing end of that pipe, so it closes when the
/// process ends, however it ends (Rust runs no destructor for a static, and none at all on an
/// abort or a kill), or when the [`Supervisor`] is dropped.
pub(crate) struct Supervisor {
    child: Child,
    stdin: Option<ChildStdin>,
}

/// Ignores the signals a terminal's Ctrl-C or a hang-up sends to the whole process group: the
/// server (pg_ctl starts it in a session of its own) must still be stopped.
const SUPERVISOR: &str = r#"trap '' INT TERM HUP PIPE
read _
"$1/pg_ctl" -D "$2/data" -m immediate -w stop >/dev/null 2>&1
rm -rf "$2""#;

impl Supervisor {
    fn spawn(server: &Server) -> Supervisor {
        let mut command = Command::new("sh");
        command
            .args(["-c", SUPERVISOR, "roster-test-postgres"])
            .arg(&server.bin)
            .arg(&server.dir)
            .current_dir(&server.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(owner) = server.owner {
            command.uid(owner.uid.as_raw()).gid(owner.gid.as_raw());
        }
        let mut child = command.spawn().expect("the test cluster's supervisor starts");
        let stdin = child.stdin.take();
        Supervisor { child, stdin }
    }
}

impl Drop for Supervisor {
    /// Stops the server and waits until it and its folder are gone.
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

impl Owner {
    fn for_this_process() -> Option<Owner> {
        if !Uid::effective().is_root() {
            return None;
        }
        let user = User::from_name("postgres").ok().flatten().unwrap_or_else(|| {
            panic!("the test cluster runs as the `postgres` user when tests run as root, and there is none: run .ci/setup")
        });
        Some(Owner { uid: user.uid, gid: user.gid })
    }
}

/// The folder of `initdb` and `pg_ctl`: `pg_config --bindir`, else Debian's newest installed version.
fn bin_dir() -> PathBuf {
    let has_programs = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    let newest_debian = std::fs::read_dir(DEBIAN_VERSIONS)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            Some((entry.file_name().to_str()?.parse::<u32>().ok()?, entry.path().join("bin")))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin);
    from_pg_config.into_iter().chain(newest_debian).find(|dir| has_programs(dir)).unwrap_or_else(|| {
        panic!("PostgreSQL's server programs (initdb, pg_ctl) are not installed: run .ci/setup (Debian's postgresql package)")
    })
}

/// A port of 127.0.0.1 that nothing listens on now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1");
    listener.local_addr().expect("the port's address").port()
}
