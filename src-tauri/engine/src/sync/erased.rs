//! Reads skip the people retention erased while their source still returns them: without this,
//! each sync would bring them back.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use super::reading::RecordWriter;
use crate::connector::Record;
use crate::error::Result;
use crate::model::Field;
use crate::store::{erased_records, settings};

/// The day before which an end date is past the retention period, or `None` when people are kept
/// for ever.
pub fn retention_cutoff(conn: &Connection, now: DateTime<Utc>) -> Result<Option<NaiveDate>> {
    let days = settings::load(conn)?.retention_days;
    Ok((days > 0).then(|| now.date_naive() - chrono::Duration::days(i64::from(days))))
}

/// The erased records of one source, and the retention cutoff of this read.
pub(super) struct Erased {
    source_id: i64,
    digests: HashSet<Vec<u8>>,
    cutoff: Option<NaiveDate>,
}

impl Erased {
    pub fn load(conn: &Connection, source_id: i64, now: DateTime<Utc>) -> Result<Self> {
        Ok(Erased { source_id, digests: erased_records::digests(conn, source_id)?, cutoff: retention_cutoff(conn, now)? })
    }

    /// Whether `record` is a person retention erased who still left long ago. A record that
    /// comes back with no end date, or one within the retention period, is someone rehired: they
    /// are managed again.
    fn skips(&self, record: &Record) -> bool {
        let (Record::Employee(employee), Some(cutoff)) = (record, self.cutoff) else {
            return false;
        };
        let left_long_ago = employee
            .values
            .get(Field::EndDate)
            .and_then(|d| d.get(..10)?.parse::<NaiveDate>().ok())
            .is_some_and(|end| end < cutoff);
        left_long_ago && self.digests.contains(&erased_records::digest(self.source_id, &employee.remote_id))
    }

    /// `writer`, minus the records retention erased.
    pub fn skipping<'w, W: RecordWriter>(&'w self, writer: &'w mut W) -> Skipping<'w, W> {
        Skipping { erased: self, writer, skipped: 0 }
    }
}

pub(super) struct Skipping<'w, W> {
    erased: &'w Erased,
    writer: &'w mut W,
    /// People skipped: people who left, still counted as seen (an API key that sees them may see
    /// departed people; see the missing-permission warnings).
    pub skipped: i64,
}

impl<W: RecordWriter> RecordWriter for Skipping<'_, W> {
    fn write(&mut self, record: Record) -> Result<()> {
        if self.erased.skips(&record) {
            self.skipped += 1;
            return Ok(());
        }
        self.writer.write(record)
    }

    fn idle(&mut self) -> Result<bool> {
        self.writer.idle()
    }
}
