//! tauri-driver as a child process: started on free ports, stopped with SIGTERM when dropped.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
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
    child: Child,
    port: u16,
    /// The app binary launched, so that it can be ended with the driver.
    app: std::sync::Mutex<Option<String>>,
}

impl TauriDriver {
    /// Starts tauri-driver; the app it launches inherits `ROSTER_DATA_DIR = data_dir`. With
    /// `Demo::Off` it starts without the built-in demo company, so a test can connect its own
    /// simulator through the window.
    pub fn start(data_dir: &Path, demo: Demo) -> TauriDriver {
        let (port, native_port) = (free_port(), free_port());
        let mut command = Command::new(executable());
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env(roster_engine::paths::DATA_DIR_ENV, data_dir);
        if demo == Demo::Off {
            command.env("ROSTER_NO_DEMO", "1");
        }
        let child = command
            .stdout(Stdio::null())
            .spawn()
            .expect("tauri-driver should start: install it with `cargo install tauri-driver --locked`");
        let driver = TauriDriver { child, port, app: std::sync::Mutex::new(None) };
        driver.wait_until_listening();
        driver
    }

    /// Opens a WebDriver session, which launches the app binary in a real window.
    pub async fn launch(&self, app: &str) -> Client {
        *self.app.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(app.to_owned());
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
}

impl Drop for TauriDriver {
    /// SIGTERM, not SIGKILL: tauri-driver then stops WebKitWebDriver too, which would otherwise
    /// linger and hold the test's output open.
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
        // Closing its window leaves Roster running in the tray, and a single-instance app still
        // running would take over the next test's launch: end it too.
        if let Some(app) = self.app.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take() {
            let _ = Command::new("pkill").args(["-TERM", "-f", &app]).status();
        }
    }
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
