//! Where Roster keeps its data: the OS convention, unless `--data-dir` or `ROSTER_DATA_DIR` says otherwise.

use std::path::PathBuf;

/// The environment variable that overrides the data directory (tests and benchmarks use temp dirs).
pub const DATA_DIR_ENV: &str = "ROSTER_DATA_DIR";

/// The data directory: `explicit` if given, then `ROSTER_DATA_DIR`, then the platform's data dir
/// (`~/.local/share/roster` on Linux, `~/Library/Application Support/dev.roster.Roster` on macOS,
/// `%APPDATA%\roster\Roster\data` on Windows).
pub fn data_dir(explicit: Option<PathBuf>) -> PathBuf {
    explicit
        .or_else(|| std::env::var_os(DATA_DIR_ENV).map(PathBuf::from))
        .or_else(|| directories::ProjectDirs::from("dev", "roster", "Roster").map(|d| d.data_dir().to_path_buf()))
        .unwrap_or_else(|| PathBuf::from(".roster"))
}

/// Where the desktop app writes its log files in release builds: the OS state directory
/// (`~/.local/state/roster` on Linux), else a `logs` folder in the local data directory
/// (`~/Library/Application Support/dev.roster.Roster/logs`, `%LOCALAPPDATA%\roster\Roster\data\logs`).
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("dev", "roster", "Roster")?;
    Some(dirs.state_dir().map(PathBuf::from).unwrap_or_else(|| dirs.data_local_dir().join("logs")))
}
