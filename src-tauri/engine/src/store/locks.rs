//! Never two syncs of one source at once, across processes and, for a shared PostgreSQL
//! directory, across machines: a lock file in the data directory, or a PostgreSQL advisory lock.

use std::fs::{File, TryLockError};

use super::{Db, Location, Store};
use crate::error::{Error, Result};

/// The advisory locks of sources' syncs: this first key ("RoSy") and the source's id.
const SOURCE_SYNCS: i32 = 0x526f_5379;

/// Held while a source syncs. The OS (for the file) or the server (for the connection that
/// holds the advisory lock) releases it when its holder ends, so a crash never leaves a source locked.
pub enum SourceLock {
    File(File),
    Postgres(Db),
}

impl Store {
    /// Takes the source's lock, or says that a sync of it is running elsewhere.
    pub fn lock_source(&self, source_id: i64, source_name: &str) -> Result<SourceLock> {
        match self.location() {
            Location::File(_) => {
                let dir = self.data_dir().join("locks");
                let io = |source: std::io::Error| Error::DataDir { path: dir.display().to_string(), source };
                crate::private::ensure_dir(&dir).map_err(io)?;
                let file = crate::private::create_file(&dir.join(format!("source-{source_id}.lock")), true).map_err(io)?;
                match file.try_lock() {
                    Ok(()) => Ok(SourceLock::File(file)),
                    Err(TryLockError::WouldBlock) => Err(Error::SyncRunning(source_name.to_owned())),
                    Err(TryLockError::Error(e)) => Err(io(e)),
                }
            }
            Location::Postgres(target) => {
                // A connection of its own: the lock lives as long as the session that took it.
                let db = target.connect()?;
                let key = i32::try_from(source_id).map_err(|_| Error::Invalid(format!("source id {source_id}")))?;
                let taken: bool = db.query_row("SELECT pg_try_advisory_lock(?1, ?2)", [SOURCE_SYNCS, key], |r| r.get(0))?;
                if taken {
                    Ok(SourceLock::Postgres(db))
                } else {
                    Err(Error::SyncRunning(source_name.to_owned()))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use roster_test_postgres::cluster;

    use super::*;
    use crate::store::postgres;

    #[test]
    fn one_sync_per_source_across_machines_sharing_a_postgres_directory() {
        let database = cluster().database();
        let target: postgres::Target = database.url.parse().unwrap();
        // Two machines: two data directories pointed at one database.
        let (first_dir, second_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for dir in [&first_dir, &second_dir] {
            postgres::connect(dir.path(), &target, &database.password).unwrap();
        }
        let (first, second) = (Store::open(first_dir.path()).unwrap(), Store::open(second_dir.path()).unwrap());

        let held = first.lock_source(1, "HR").expect("the first machine takes the lock");
        match second.lock_source(1, "HR") {
            Err(Error::SyncRunning(name)) => assert_eq!(name, "HR"),
            other => panic!("the second machine must wait, got {:?}", other.map(|_| ())),
        }
        second.lock_source(2, "IT").expect("another source's lock is another lock");
        drop(held);
        second.lock_source(1, "HR").expect("released when its holder lets go");
    }

    #[test]
    fn one_sync_per_source_across_processes_sharing_a_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (Store::open(dir.path()).unwrap(), Store::open(dir.path()).unwrap());
        let held = first.lock_source(1, "HR").unwrap();
        assert!(matches!(second.lock_source(1, "HR"), Err(Error::SyncRunning(_))));
        drop(held);
        second.lock_source(1, "HR").expect("released with its file");
    }
}
