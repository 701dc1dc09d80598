//! Holding requests: a test closes the gate to catch a client in the middle of a read, and knows
//! for certain when it is there, instead of hoping a delay is long enough.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

pub struct Gate {
    open: watch::Sender<bool>,
    /// Requests waiting at the closed gate.
    waiting: Mutex<u32>,
    arrived: Condvar,
}

impl Default for Gate {
    fn default() -> Self {
        Gate { open: watch::Sender::new(true), waiting: Mutex::new(0), arrived: Condvar::new() }
    }
}

impl Gate {
    /// Returns at once while the gate is open; otherwise waits, counted, until it opens.
    pub async fn pass(&self) {
        let mut open = self.open.subscribe();
        if *open.borrow_and_update() {
            return;
        }
        *self.waiting.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.arrived.notify_all();
        // An error means the sender is gone, i.e. the simulator is stopping: let the request go.
        let _ = open.wait_for(|open| *open).await;
        *self.waiting.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
    }

    pub fn set_open(&self, open: bool) {
        self.open.send_replace(open);
    }

    /// Blocks until a request waits at the gate; false if none came within `timeout`.
    pub fn wait_for_request(&self, timeout: Duration) -> bool {
        let waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        let (waiting, _) = self.arrived.wait_timeout_while(waiting, timeout, |n| *n == 0).unwrap_or_else(PoisonError::into_inner);
        *waiting > 0
    }
}
