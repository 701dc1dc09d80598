//! Staging: a read goes into the store's temporary tables first, page by page (see
//! [`staging`]), so a failed read changes nothing in the directory.

use crate::connector::Record;
use crate::error::Result;
use crate::store::staging;
use crate::store::Db;

/// Stages the records of a read as they arrive.
pub struct Stager<'c>(pub &'c Db);

impl super::reading::RecordWriter for Stager<'_> {
    fn write(&mut self, record: Record) -> Result<()> {
        staging::put(self.0, record)
    }
}
