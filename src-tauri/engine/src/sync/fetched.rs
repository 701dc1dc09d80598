//! Keeps what the last full read returned, with each person's standing under the filters, so that
//! "why is this person missing?" is answered from data, not guessed (see [`fetched_people`]).

use std::collections::VecDeque;

use chrono::NaiveDate;

use super::plan::{display_name, exclusion_reasons, OrgNames};
use crate::connector::RemoteEmployee;
use crate::error::Result;
use crate::model::{Field, Filters};
use crate::store::fetched_people::{self, Counts, FetchedPerson};
use crate::store::Db;

/// People written at a time while recording a staged read: one statement each on PostgreSQL.
const BATCH: usize = 1000;

/// Records fetched people; a row that has not changed is not rewritten. Rows wait in memory
/// until [`Recorder::flush`]: a sync that streams writes them while it waits for the next page.
pub struct Recorder<'c> {
    writer: fetched_people::Writer<'c>,
    source_id: i64,
    pending: VecDeque<FetchedPerson>,
    today: String,
    counts: Counts,
}

impl<'c> Recorder<'c> {
    /// `today` tells future starters and departed people apart, for [`Counts`].
    pub fn new(conn: &'c Db, source_id: i64, today: NaiveDate) -> Result<Recorder<'c>> {
        let writer = fetched_people::Writer::new(conn, source_id);
        Ok(Recorder { writer, source_id, pending: VecDeque::new(), today: today.to_string(), counts: Counts::default() })
    }

    /// Records one person the read returned; people deleted in HR are not kept.
    pub fn person(&mut self, person: &RemoteEmployee, filters: &Filters, names: &OrgNames) {
        if person.deleted {
            return;
        }
        let reasons = exclusion_reasons(&person.values, filters, names);
        let value = |field| person.values.get(field).map(str::to_owned);
        let (status, start, end) = (value(Field::EmploymentStatus), value(Field::StartDate), value(Field::EndDate));
        let today = self.today.as_str();
        let future = status.as_deref() == Some("PENDING") || start.as_deref().is_some_and(|d| d > today);
        let departed = status.as_deref() == Some("INACTIVE") || end.as_deref().is_some_and(|d| d < today);
        self.counts.people += 1;
        self.counts.future += i64::from(future);
        self.counts.departed += i64::from(departed);
        let included = reasons.is_empty();
        // An excluded person's status and dates are not Roster's to keep.
        let kept = |value: Option<String>| value.filter(|_| included);
        self.pending.push_back(FetchedPerson {
            remote_id: person.remote_id.clone(),
            name: display_name(&person.values),
            work_email: value(Field::WorkEmail),
            employment_status: kept(status),
            start_date: kept(start),
            end_date: kept(end),
            excluded: (!included).then(|| reasons.join("; ")),
        });
    }

    /// Writes up to `count` recorded people; false when none was waiting.
    pub fn flush(&mut self, count: usize) -> Result<bool> {
        if self.pending.is_empty() {
            return Ok(false);
        }
        let batch = count.min(self.pending.len());
        self.writer.write(self.pending.range(..batch))?;
        self.pending.drain(..batch);
        Ok(true)
    }

    /// Writes what waits, and how many people the read returned of each kind; `skipped` people
    /// who left past the retention period were returned too.
    pub fn finish(mut self, conn: &Db, skipped: i64) -> Result<()> {
        self.flush(usize::MAX)?;
        self.counts.people += skipped;
        self.counts.departed += skipped;
        fetched_people::set_counts(conn, self.source_id, &self.counts)
    }

    /// Records one person of a staged read, as the plan reads them: a batch is written once full.
    pub fn staged(&mut self, person: &RemoteEmployee, filters: &Filters, names: &OrgNames) -> Result<()> {
        self.person(person, filters, names);
        if self.pending.len() >= BATCH {
            self.flush(BATCH)?;
        }
        Ok(())
    }

    /// Ends the record of a staged read: after a full read it replaces the source's record and
    /// its counts; after one of changes only, it updates the people read, so HR's latest values
    /// are known between full reads (the counts, which need everyone, wait for the next full
    /// read). `skipped`: people the read skipped as past retention.
    pub fn finish_staged(mut self, conn: &Db, full_read: bool, skipped: i64) -> Result<()> {
        let source_id = self.source_id;
        if full_read {
            self.finish(conn, skipped)?;
        } else {
            self.flush(usize::MAX)?;
        }
        fetched_people::forget_not_staged(conn, source_id, full_read)
    }
}
