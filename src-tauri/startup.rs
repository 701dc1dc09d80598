//! Start-up: the first screen in one answer, the scheduler held back until it is given, and the
//! start-up trace, a log line with the time from the process's start to the first screen's rows
//! in the window (which the window reports once they are in its page).

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use tauri::{AppHandle, Listener};

/// The window's report that the first screen's rows are in its page.
const FIRST_SCREEN_DRAWN: &str = "first-screen-drawn";

/// How long the scheduler's first round waits for the window's first question: a window that
/// never asks (its page failed to load) must not stop the syncs.
const FIRST_SCREEN_WAIT: Duration = Duration::from_secs(30);

/// Logs, at `info`, how long after `started` (the process's start) the window drew its first
/// screen; once per run.
pub fn trace(app: &AppHandle, started: Instant) {
    app.once(FIRST_SCREEN_DRAWN, move |_| {
        tracing::info!(target: "roster_app::startup", "first screen drawn {} ms after start", started.elapsed().as_millis());
    });
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
