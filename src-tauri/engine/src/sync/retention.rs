//! Reads skip the people who left longer ago than the retention period and are not in the
//! directory: retention would erase them right after the sync, and most HR systems keep
//! returning people who left, so each read would bring them back. Nobody Roster holds is
//! skipped: someone kept past the period (they still hold a device) goes on being updated.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::reading::RecordWriter;
use crate::connector::{Record, RemoteEmployee};
use crate::error::Result;
use crate::model::Field;
use crate::store::{employee_links, settings, Db};

/// The retention period and the day before which an end date is past it, or `None` when people
/// are kept for ever.
pub fn cutoff(conn: &Db, now: DateTime<Utc>) -> Result<Option<(u32, NaiveDate)>> {
    let days = settings::load(conn)?.retention_days;
    Ok((days > 0).then(|| (days, now.date_naive() - chrono::Duration::days(i64::from(days)))))
}

/// What a read of one source skips.
pub(super) struct PastRetention {
    cutoff: Option<(u32, NaiveDate)>,
    /// The source's records linked to someone in the directory.
    linked: HashSet<String>,
}

impl PastRetention {
    pub fn load(conn: &Db, source_id: i64, now: DateTime<Utc>) -> Result<Self> {
        let cutoff = cutoff(conn, now)?;
        let linked = if cutoff.is_some() { employee_links::remote_ids(conn, source_id)? } else { HashSet::new() };
        Ok(PastRetention { cutoff, linked })
    }

    /// Skips no one: the preview reads everyone and gives [`PastRetention::reason`] instead.
    pub fn none() -> Self {
        PastRetention { cutoff: None, linked: HashSet::new() }
    }

    /// Why `employee` is skipped, if they are: someone who left before the cutoff and whom
    /// Roster does not hold. A record that comes back with no end date, or one within the period
    /// (a rehire, a corrected date), is read as usual.
    pub fn reason(&self, employee: &RemoteEmployee) -> Option<String> {
        let (days, cutoff) = self.cutoff?;
        let end = employee.values.get(Field::EndDate)?.get(..10)?.parse::<NaiveDate>().ok()?;
        (end < cutoff && !self.linked.contains(&employee.remote_id))
            .then(|| format!("left on {end}, longer ago than the {days}-day retention period: not kept"))
    }

    fn skips(&self, record: &Record) -> bool {
        matches!(record, Record::Employee(employee) if self.reason(employee).is_some())
    }

    /// `writer`, minus the records past retention.
    pub fn skipping<'w, W: RecordWriter>(&'w self, writer: &'w mut W) -> Skipping<'w, W> {
        Skipping { past: self, writer, skipped: 0 }
    }
}

pub(super) struct Skipping<'w, W> {
    past: &'w PastRetention,
    writer: &'w mut W,
    /// People skipped: people who left, still counted as returned (an API key that sees them
    /// sees departed people; see the missing-permission warnings).
    pub skipped: i64,
}

impl<W: RecordWriter> RecordWriter for Skipping<'_, W> {
    fn write(&mut self, record: Record) -> Result<()> {
        if self.past.skips(&record) {
            self.skipped += 1;
            return Ok(());
        }
        self.writer.write(record)
    }

    fn idle(&mut self) -> Result<bool> {
        self.writer.idle()
    }
}
