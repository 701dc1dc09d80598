//! Start-up: the first screen in one answer, the scheduler held back until it is given, and the
//! start-up trace, a log line with the time from the process's start to the first screen's rows
//! in the window (which the window reports once they are in its page), and where that time went.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;
use tauri::{AppHandle, Listener, Manager};
use ts_rs::TS;

use crate::commands::overview::DirectoryPart;
use crate::events::Revision;
use crate::state::Directory;

/// The window's report that the first screen's rows are in its page.
const FIRST_SCREEN_DRAWN: &str = "first-screen-drawn";

/// The moment the process started, on both clocks: the window's times are the wall clock's.
#[derive(Clone, Copy)]
pub struct Started {
    at: Instant,
    wall: SystemTime,
}

impl Started {
    pub fn now() -> Self {
        Self { at: Instant::now(), wall: SystemTime::now() }
    }

    /// Milliseconds from the start to `epoch_millis` (the wall clock's, as the window reads it).
    fn since(&self, epoch_millis: u64) -> i128 {
        let start = self.wall.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis());
        i128::from(epoch_millis) - start as i128
    }
}

/// What the window's report says of its own start (epoch milliseconds).
#[derive(Deserialize, TS)]
#[ts(export)]
pub struct PageTimes {
    /// When the page began loading (its `performance.timeOrigin`).
    page_started: u64,
    /// When it asked for the first screen.
    asked: u64,
    /// When it had the answer.
    answered: u64,
    /// When the answer was in its page.
    rendered: u64,
}

/// How long the scheduler's first round waits for the window's first question: a window that
/// never asks (its page failed to load) must not stop the syncs.
const FIRST_SCREEN_WAIT: Duration = Duration::from_secs(30);

/// Logs, at `info`, how long after `started` (the process's start) the window drew its first
/// screen, with its page's own times: where the start went (WebKit, the directory, the drawing);
/// once per run.
pub fn trace(app: &AppHandle, started: Started) {
    app.once(FIRST_SCREEN_DRAWN, move |event| {
        let drawn = started.at.elapsed().as_millis();
        let page = page_times(&started, event.payload());
        tracing::info!(target: "roster_app::startup", "first screen drawn {drawn} ms after start ({page})");
    });
}

/// The window's times in its report (`payload`), in words and in milliseconds after `started`.
fn page_times(started: &Started, payload: &str) -> String {
    match serde_json::from_str::<PageTimes>(payload) {
        Ok(page) => format!(
            "the page began loading at {} ms, asked for it at {} ms, had the answer at {} ms and rendered it at {} ms",
            started.since(page.page_started),
            started.since(page.asked),
            started.since(page.answered),
            started.since(page.rendered)
        ),
        Err(error) => format!("the page's times are unreadable: {error}"),
    }
}

/// The directory's part of the first screen, read while the window loads: WebKit takes a few
/// hundred milliseconds to start and ask for it, and at 100,000 people the Overview takes about as
/// long to read. Taken once, by the first screen's answer, if nothing changed since it was read.
#[derive(Default)]
pub struct EarlyRead {
    slot: Mutex<Option<(u64, DirectoryPart)>>,
}

impl EarlyRead {
    /// Reads it on a thread of its own, holding the engine (the window's first question waits for
    /// it rather than reading again). Once the directory is open, before the window loads.
    pub fn start(app: &AppHandle) {
        let app = app.clone();
        std::thread::spawn(move || {
            let directory = app.state::<Directory>();
            let Ok(engine) = directory.engine.lock() else { return };
            if app.state::<FirstScreenGate>().is_open() {
                return; // the window asked first, and was answered
            }
            let revision = app.state::<Revision>().current();
            let reading = Instant::now();
            match DirectoryPart::read(&engine) {
                Ok(part) => {
                    tracing::info!(target: "roster_app::startup", "first screen read early in {} ms", reading.elapsed().as_millis());
                    app.state::<EarlyRead>().keep(revision, part);
                }
                Err(error) => tracing::warn!(%error, "the first screen is read when the window asks"),
            }
        });
    }

    /// Keeps `part`, read at the directory's `revision`.
    fn keep(&self, revision: u64, part: DirectoryPart) {
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some((revision, part));
        }
    }

    /// What was read early, unless the directory changed since (it is now at `revision`) or the
    /// day did; once.
    pub fn take(&self, revision: u64) -> Option<DirectoryPart> {
        let (read_at, part) = self.slot.lock().ok()?.take()?;
        (read_at == revision && part.is_current()).then_some(part)
    }
}

/// Opened once the window's first screen has been answered.
#[derive(Default)]
pub struct FirstScreenGate {
    answered: Mutex<bool>,
    bell: Condvar,
}

impl FirstScreenGate {
    pub fn open(&self) {
        if let Ok(mut answered) = self.answered.lock() {
            *answered = true;
        }
        self.bell.notify_all();
    }

    /// Whether the first screen was answered already.
    pub fn is_open(&self) -> bool {
        self.answered.lock().is_ok_and(|answered| *answered)
    }

    /// Waits until the first screen is answered, or [`FIRST_SCREEN_WAIT`] at most: the
    /// scheduler's first round reads the directory, and would hold it while the window waits.
    pub fn wait(&self) {
        let Ok(answered) = self.answered.lock() else {
            return;
        };
        let _ = self.bell.wait_timeout_while(answered, FIRST_SCREEN_WAIT, |answered| !*answered);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn the_pages_times_are_told_in_milliseconds_after_the_process_started() {
        let started = Started { at: Instant::now(), wall: SystemTime::UNIX_EPOCH + Duration::from_millis(1_000_000) };
        let payload = r#"{"page_started":1000250,"asked":1000400,"answered":1000430,"rendered":1000600}"#;
        assert_eq!(
            page_times(&started, payload),
            "the page began loading at 250 ms, asked for it at 400 ms, had the answer at 430 ms and rendered it at 600 ms"
        );
        assert!(
            page_times(&started, "null").starts_with("the page's times are unreadable"),
            "an old window's report is still logged"
        );
    }

    #[test]
    fn an_early_read_is_taken_once_and_never_after_the_directory_changed() {
        let dir = tempfile::tempdir().unwrap();
        let engine = roster_engine::Engine::open(dir.path()).expect("a directory opens");
        let early = EarlyRead::default();
        early.keep(3, DirectoryPart::read(&engine).unwrap());
        assert!(early.take(3).is_some(), "nothing changed since it was read: it is the answer");
        assert!(early.take(3).is_none(), "it is taken once: a reloaded window reads the directory again");
        early.keep(3, DirectoryPart::read(&engine).unwrap());
        assert!(early.take(4).is_none(), "a change since it was read makes it stale");
        assert!(early.take(3).is_none(), "and a stale read is dropped, not kept for later");
    }

    #[test]
    fn the_gate_lets_a_waiter_through_once_opened_even_if_opened_first() {
        let gate = Arc::new(FirstScreenGate::default());
        let waiter = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                let waited = Instant::now();
                gate.wait();
                waited.elapsed()
            })
        };
        gate.open();
        let waited = waiter.join().unwrap();
        assert!(waited < FIRST_SCREEN_WAIT, "an opened gate releases its waiter at once, not at the timeout");
        let again = Instant::now();
        gate.wait();
        assert!(again.elapsed() < FIRST_SCREEN_WAIT, "a gate opened before the wait does not hold it");
    }
}
