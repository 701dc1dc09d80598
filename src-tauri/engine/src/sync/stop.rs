//! Ending a sync early: cancelled by whoever started it (a source being removed), or past the
//! directory's deadline. Both are checked while waiting for the reader, so a read stuck in the
//! network ends the sync too; the reader thread is left to finish its request on its own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Cancels a running sync from another thread. Clones share the one flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// When the sync in progress must stop.
pub(super) struct Stop {
    pub cancel: Cancel,
    pub deadline: Instant,
    pub limit: Duration,
}

impl Stop {
    pub fn new(cancel: Cancel, limit: Duration) -> Stop {
        Stop { cancel, deadline: Instant::now() + limit, limit }
    }

    /// Fails once the sync is cancelled or past its deadline.
    pub fn check(&self) -> Result<()> {
        if self.cancel.is_cancelled() {
            Err(Error::Cancelled)
        } else if Instant::now() >= self.deadline {
            Err(Error::DeadlinePassed { minutes: self.limit.as_secs().div_ceil(60) })
        } else {
            Ok(())
        }
    }

    /// How long to wait for the reader before checking again.
    pub fn wait(&self, poll: Duration) -> Duration {
        self.deadline.saturating_duration_since(Instant::now()).min(poll)
    }
}
