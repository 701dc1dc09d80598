//! Staging: a read goes into the store's temporary tables first, a batch at a time (see
//! [`staging`]), so a failed read changes nothing in the directory.

use super::reading::{RecordWriter, SeenIds};
use crate::connector::Record;
use crate::error::Result;
use crate::store::staging;
use crate::store::Db;

/// Records staged at most at once: a few pages, a bounded share of memory.
const BATCH: usize = 1000;

/// Stages the records of a read as they arrive: a batch whenever it is full or the reader is
/// still fetching the next page, the rest at [`Stager::finish`].
pub struct Stager<'c> {
    conn: &'c Db,
    seen: SeenIds,
    waiting: Vec<Record>,
}

impl<'c> Stager<'c> {
    pub fn new(conn: &'c Db) -> Stager<'c> {
        Stager { conn, seen: SeenIds::default(), waiting: Vec::new() }
    }

    /// Stages what still waits: the read has ended.
    pub fn finish(mut self) -> Result<()> {
        self.flush().map(drop)
    }

    fn flush(&mut self) -> Result<bool> {
        if self.waiting.is_empty() {
            return Ok(false);
        }
        staging::put(self.conn, &self.waiting)?;
        self.waiting.clear();
        Ok(true)
    }
}

impl RecordWriter for Stager<'_> {
    fn write(&mut self, record: Record) -> Result<()> {
        self.seen.first_time(&record)?;
        self.waiting.push(record);
        if self.waiting.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn idle(&mut self) -> Result<bool> {
        self.flush()
    }
}
