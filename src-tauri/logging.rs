//! Where the app's log goes: standard error in debug builds, where a developer looks; in release
//! builds, a daily file in the OS log directory (`paths::log_dir`, made 0700), five days kept, so
//! that an installed Roster started from the desktop menu still leaves a trace for support.
//! Secrets never reach a log line: the engine never formats them (the tests scan the logs for them).

use roster_engine::{paths, private};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

/// Days of logs kept: about a week of history, at most a few megabytes at the default level.
const KEPT_FILES: usize = 5;

/// `ROSTER_LOG` filters as `RUST_LOG` does; by default errors only in debug builds (the tests'
/// output stays readable), `info` in release builds (the file says what each sync did).
pub fn init() {
    let filter = EnvFilter::try_from_env("ROSTER_LOG").unwrap_or_else(|_| EnvFilter::new(default_level()));
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter);
    match file_appender() {
        Some(file) => subscriber.with_ansi(false).with_writer(file).init(),
        None => subscriber.with_writer(std::io::stderr).init(),
    }
}

fn default_level() -> &'static str {
    if cfg!(debug_assertions) {
        "error"
    } else {
        "info"
    }
}

/// The rotating file of a release build; `None` in debug builds, or when the directory cannot be
/// created (then the log goes to standard error, as it would in a terminal).
fn file_appender() -> Option<RollingFileAppender> {
    if cfg!(debug_assertions) {
        return None;
    }
    let dir = paths::log_dir()?;
    // The log names people and sources: the folder is the user's alone, like the data directory.
    let appender = private::ensure_dir(&dir).map_err(|e| e.to_string()).and_then(|()| {
        RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix("roster")
            .filename_suffix("log")
            .max_log_files(KEPT_FILES)
            .build(&dir)
            .map_err(|e| e.to_string())
    });
    appender.inspect_err(|error| eprintln!("logging to standard error: {} cannot hold the log ({error})", dir.display())).ok()
}
