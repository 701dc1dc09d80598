//! Keeps what the last full read returned, with each person's standing under the filters, so that
//! "why is this person missing?" is answered from data, not guessed. Of a person the filters
//! exclude, only the HR id, the name, the work email and the reason are kept.

use std::collections::VecDeque;

use chrono::NaiveDate;
use rusqlite::{params, CachedStatement, Connection};

use super::plan::{display_name, exclusion_reasons, Filters, OrgNames};
use super::stage;
use crate::connector::RemoteEmployee;
use crate::error::Result;
use crate::model::Field;

/// Records fetched people; a row that has not changed is not rewritten. Rows wait in memory
/// until [`Recorder::flush`]: a sync that streams writes them while it waits for the next page.
pub struct Recorder<'c> {
    upsert: CachedStatement<'c>,
    source_id: i64,
    pending: VecDeque<Row>,
    today: String,
    counts: Counts,
}

/// How many people the read returned, and how many of them start later or have left: a read
/// with none of either points at an API key that may not see them.
#[derive(Default)]
struct Counts {
    people: i64,
    future: i64,
    departed: i64,
}

/// One person as recorded.
struct Row {
    remote_id: String,
    name: String,
    work_email: Option<String>,
    employment_status: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    excluded: Option<String>,
}

impl<'c> Recorder<'c> {
    /// `today` tells future starters and departed people apart, for [`Counts`].
    pub fn new(conn: &'c Connection, source_id: i64, today: NaiveDate) -> Result<Recorder<'c>> {
        let upsert = conn.prepare_cached(
            "INSERT INTO fetched_people (source_id, remote_id, name, work_email, employment_status, start_date, end_date, excluded)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, work_email = excluded.work_email,
                 employment_status = excluded.employment_status, start_date = excluded.start_date,
                 end_date = excluded.end_date, excluded = excluded.excluded
             WHERE name IS NOT excluded.name OR work_email IS NOT excluded.work_email
                 OR employment_status IS NOT excluded.employment_status OR start_date IS NOT excluded.start_date
                 OR end_date IS NOT excluded.end_date OR excluded IS NOT excluded.excluded",
        )?;
        Ok(Recorder { upsert, source_id, pending: VecDeque::new(), today: today.to_string(), counts: Counts::default() })
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
        self.pending.push_back(Row {
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
        for row in self.pending.drain(..count.min(self.pending.len())) {
            self.upsert.execute(rusqlite::params![
                self.source_id,
                row.remote_id,
                row.name,
                row.work_email,
                row.employment_status,
                row.start_date,
                row.end_date,
                row.excluded,
            ])?;
        }
        Ok(true)
    }

    /// Writes what waits, and how many people the read returned of each kind; `skipped` people
    /// who left past the retention period were returned too.
    pub fn finish(mut self, conn: &Connection, skipped: i64) -> Result<()> {
        self.flush(usize::MAX)?;
        self.counts.people += skipped;
        self.counts.departed += skipped;
        let Counts { people, future, departed } = self.counts;
        conn.execute(
            "INSERT OR REPLACE INTO fetched_counts (source_id, people, future, departed) VALUES (?1, ?2, ?3, ?4)",
            params![self.source_id, people, future, departed],
        )?;
        Ok(())
    }
}

/// Records the staged read: after a full read it replaces the source's record and its counts;
/// after one of changes only, it updates the people read, so HR's latest values are known between
/// full reads (the counts, which need everyone, wait for the next full read). `skipped`: people the
/// read skipped as past retention.
pub fn record(
    conn: &Connection,
    source_id: i64,
    filters: &Filters,
    names: &OrgNames,
    full_read: bool,
    today: NaiveDate,
    skipped: i64,
) -> Result<()> {
    let mut recorder = Recorder::new(conn, source_id, today)?;
    stage::for_each_employee(conn, |people| -> Result<()> {
        for person in people {
            recorder.person(&person, filters, names);
            recorder.flush(usize::MAX)?;
        }
        Ok(())
    })??;
    if full_read {
        recorder.finish(conn, skipped)?;
    } else {
        recorder.flush(usize::MAX)?;
    }
    conn.execute(
        "DELETE FROM fetched_people WHERE source_id = ?1
         AND remote_id IN (SELECT remote_id FROM temp.stage_employees WHERE json_extract(record, '$.deleted') = 1)",
        [source_id],
    )?;
    if full_read {
        conn.execute(
            "DELETE FROM fetched_people WHERE source_id = ?1 AND remote_id NOT IN (SELECT remote_id FROM temp.stage_employees)",
            [source_id],
        )?;
    }
    Ok(())
}

/// Forgets what earlier reads of the source returned, before a read that records everyone anew.
pub fn forget(conn: &Connection, source_id: i64) -> Result<()> {
    conn.execute("DELETE FROM fetched_people WHERE source_id = ?1", [source_id])?;
    Ok(())
}
