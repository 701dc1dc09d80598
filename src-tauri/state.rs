//! What the shell keeps between commands: the data directory, the UI's engine connection, the
//! lock that lets one sync run at a time, and what the tray needs to know.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use roster_engine::sync::Cancel;
use roster_engine::Engine;

use crate::demo::DemoState;

pub struct Directory {
    pub data_dir: PathBuf,
    /// The connection that serves the UI's reads. Syncs open their own, so reads never wait for one.
    pub engine: Mutex<Engine>,
    /// Held for the whole of a sync, so a click on "Sync now" cannot race the scheduler or the
    /// demo. Taken through [`Directory::sync_turn`].
    sync_lock: Mutex<()>,
    /// How to stop each source's sync running now: removing a source cancels its sync.
    pub running: Mutex<HashMap<String, Cancel>>,
    pub demo: Mutex<DemoState>,
    /// Sources added in the window whose first sync the person has not launched yet: the scheduler
    /// leaves them alone, so their filters are set before anyone is imported.
    pub setting_up: Mutex<HashSet<String>>,
    syncing: AtomicBool,
}

impl Directory {
    pub fn new(data_dir: PathBuf, engine: Engine) -> Directory {
        Directory {
            data_dir,
            engine: Mutex::new(engine),
            sync_lock: Mutex::new(()),
            running: Mutex::new(HashMap::new()),
            demo: Mutex::new(DemoState::Starting),
            setting_up: Mutex::new(HashSet::new()),
            syncing: AtomicBool::new(false),
        }
    }

    /// Waits for the sync running now, if any, to end. The lock guards no data, only turns: one
    /// that panicked while holding it left nothing half-done behind, so its poison is cleared
    /// rather than passed on to every later sync.
    pub fn sync_turn(&self) -> MutexGuard<'_, ()> {
        self.sync_lock.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn is_syncing(&self) -> bool {
        self.syncing.load(Ordering::SeqCst)
    }

    pub fn set_syncing(&self, syncing: bool) {
        self.syncing.store(syncing, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{self, AssertUnwindSafe};

    use super::*;

    #[test]
    fn a_sync_that_panicked_during_its_turn_does_not_block_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let directory = Directory::new(dir.path().into(), Engine::open(dir.path()).expect("a directory opens"));
        let panicked = panic::catch_unwind(AssertUnwindSafe(|| {
            let _turn = directory.sync_turn();
            panic!("a sync failed badly");
        }));
        assert!(panicked.is_err(), "the panic happened while the turn was held");
        // A poisoned lock handed on would fail every later sync until a restart.
        let _next = directory.sync_turn();
    }
}
