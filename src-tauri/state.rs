//! What the shell keeps between commands: the data directory, the UI's engine connection, and the
//! lock that lets one sync run at a time.

use std::path::PathBuf;
use std::sync::Mutex;

use roster_engine::Engine;

use crate::demo::DemoState;

pub struct Directory {
    pub data_dir: PathBuf,
    /// The connection that serves the UI's reads. Syncs open their own, so reads never wait for one.
    pub engine: Mutex<Engine>,
    /// Held for the whole of a sync, so a click on "Sync now" cannot race the demo's first sync.
    pub sync_lock: Mutex<()>,
    pub demo: Mutex<DemoState>,
}
