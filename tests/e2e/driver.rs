//! tauri-driver as a child process: started on free ports in a process group of its own, which
//! the app it launches joins; dropping it ends that group, and only that group.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    On,
    Off,
}

pub struct TauriDriver {
    /// tauri-driver, leader of a new process group: WebKitWebDriver and the app it launches
    /// inherit the group, so the group is exactly the processes this test started.
    child: Child,
    port: u16,
    /// The session-bus name the app holds while it runs: one per data directory.
    instance: String,
}

impl TauriDriver {
    /// Starts tauri-driver; the app it launches inherits `ROSTER_DATA_DIR = data_dir`. With
    /// `Demo::Off` it starts without the built-in demo company, so a test can connect its own
    /// simulator through the window.
    pub fn start(data_dir: &Path, demo: Demo) -> TauriDriver {
        TauriDriver::start_with_env(data_dir, demo, &[])
    }

    /// [`TauriDriver::start`], with more environment variables for the app.
    pub fn start_with_env(data_dir: &Path, demo: Demo, env: &[(&str, &str)]) -> TauriDriver {
        let (port, native_port) = (free_port(), free_port());
        let mut command = Command::new(executable());
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env(roster_engine::paths::DATA_DIR_ENV, data_dir)
            .envs(env.iter().copied());
        if demo == Demo::Off {
            command.env("ROSTER_NO_DEMO", "1");
        }
        let child = command
            .process_group(0)
            .stdout(Stdio::null())
            .spawn()
            .expect("tauri-driver should start: install it with `cargo install tauri-driver --locked`");
        let instance = roster_app::instance::bus_name(IDENTIFIER, data_dir);
        let driver = TauriDriver { child, port, instance };
        driver.wait_until_listening();
        driver
    }

    /// Opens a WebDriver session, which launches the app binary in a real window.
    pub async fn launch(&self, app: &str) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("tauri:options".into(), json!({ "application": app }));
        ClientBuilder::native()
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("tauri-driver should open a session on the app")
    }

    fn wait_until_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen on port {} within 20 s", self.port);
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether a process named `program` runs among those this test started (the app's own
    /// children included, such as the updater's dpkg).
    pub fn runs(&self, program: &str) -> bool {
        live_member(self.child.id(), Some(program)).is_some()
    }
}

impl Drop for TauriDriver {
    /// Ends tauri-driver's group: tauri-driver, WebKitWebDriver and the app, which otherwise stays
    /// in the tray (and a single-instance app still running would take over the next test's launch).
    fn drop(&mut self) {
        end_group(&mut self.child, &self.instance);
    }
}

/// SIGTERM to the process group that `leader` leads, then waits until none of its processes is
/// alive and the session bus has freed the app's single-instance name `instance`. SIGTERM, not
/// SIGKILL: WebKitWebDriver killed outright lingers and holds the test's output open.
pub fn end_group(leader: &mut Child, instance: &str) {
    let group = leader.id();
    let _ = Command::new("kill").args(["-TERM", "--", &format!("-{group}")]).status();
    let _ = leader.wait();
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Some(pid) = live_member(group, None) {
        if Instant::now() > deadline {
            // Last resort, still only within the group this test started. No panic: a drop
            // may run while a failed test unwinds, and a second panic would hide the first.
            eprintln!("process {pid} of the test's app did not end within 20 s of SIGTERM: killing its group");
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{group}")]).status();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // The bus frees the app's single-instance name a moment after the process is gone; an app
    // launched on the same data directory before then hands over to the vanished one and
    // quits. Wait for the bus to say so.
    while bus_lists(instance) {
        if Instant::now() > deadline {
            eprintln!("the session bus still lists {instance} 20 s after the app ended");
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The app's identifier (`tauri.conf.json`), which its single-instance bus names start with.
pub const IDENTIFIER: &str = "dev.roster.Roster";

fn bus_lists(name: &str) -> bool {
    let names = Command::new("dbus-send")
        .args(["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
        .arg("org.freedesktop.DBus.ListNames")
        .output();
    names.is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains(name))
}

/// A process of process group `group` that is still running (zombies, which wait only for their
/// parent to reap them, do not count), with its program's name (`comm`), read from `/proc`.
fn live_member(group: u32, named: Option<&str>) -> Option<u32> {
    let entries = std::fs::read_dir("/proc").ok()?;
    entries.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
        // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so read after the last ')'.
        let comm = &stat[stat.find('(')? + 1..stat.rfind(')')?];
        let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
        let state = fields.next()?;
        let pgrp: u32 = fields.nth(1)?.parse().ok()?;
        let live = pgrp == group && state != "Z" && state != "X";
        (live && named.is_none_or(|name| name == comm)).then_some(pid)
    })
}

/// The app under test: the one this build made, or `ROSTER_E2E_APP` (the installed
/// `/usr/bin/roster-app`, when `.ci/package-check` tries a package).
pub fn app() -> String {
    std::env::var("ROSTER_E2E_APP").unwrap_or_else(|_| env!("CARGO_BIN_EXE_roster-app").to_owned())
}

/// tauri-driver from PATH, else from cargo's bin directory.
fn executable() -> PathBuf {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|dir| dir.join("bin/tauri-driver"));
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("tauri-driver"));
    on_path.chain(cargo_bin).find(|p| p.is_file()).unwrap_or_else(|| PathBuf::from("tauri-driver"))
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free local port");
    listener.local_addr().expect("the port of a bound socket").port()
}
