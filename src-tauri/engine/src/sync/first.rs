//! A source's first sync, written as it is read.
//!
//! A first sync creates the source's people and removes nobody: nothing is linked to the source
//! yet, so no one can be missing, departing or newly out of scope, and the mass-change guard never
//! holds it. Nothing in its plan waits for the end of the read, so each person is planned and
//! written as their page arrives while a second thread fetches the next pages. One transaction
//! still spans the whole read: a read that fails leaves the directory exactly as it was. Other
//! writers wait for it meanwhile; readers do not (WAL).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::apply::{Applier, Stamp};
use super::plan::{OrgNames, Planner, SourceSettings, SyncPlan};
use super::reading::{self, RecordWriter, SeenIds};
use super::stop::Stop;
use super::{fetched, finish_run, retention, OnProgress, Phase, Progress};
use crate::connector::{Connector, ReadRequest, Record};
use crate::error::Result;
use crate::store::sites::Sites;
use crate::store::source_view::LocalReader;
use crate::store::sources::{self, Source};
use crate::store::{self, employees, fetched_people, settings, Db};

/// People's worth of waiting work done at a time while the writer has nothing new to write:
/// short enough not to keep the next page waiting (a search index batch is one FTS5 segment).
const CATCH_UP_BATCH: usize = 1000;

/// People written at most before what waits for them is written too, even with pages waiting: a
/// writer slower than the reader is never idle, and would otherwise hold the whole company's
/// links, memberships and fetched people in memory until the end of the read.
const MOST_WAITING: usize = 5000;

#[allow(clippy::too_many_arguments)] // one caller, `sync::read_plan_apply`; a struct would only rename them
pub(super) fn run(
    conn: &mut Db,
    source: &Source,
    connector: Arc<dyn Connector>,
    request: &ReadRequest,
    stop: &Stop,
    now: DateTime<Utc>,
    run_id: i64,
    progress: &mut OnProgress<'_>,
) -> Result<SyncPlan> {
    let started = std::time::Instant::now();
    let tx = store::begin_write(conn)?;
    let deferred = employees::defer_indexes(&tx)?;
    let mut settings = SourceSettings {
        first_sync: true,
        full_read: true,
        modes: sources::field_modes(&tx, source.id)?,
        filters: sources::filters(&tx, source.id)?,
        // Learnt as the units arrive: a source stores none before its first sync.
        names: OrgNames::default(),
        missing_grace_days: settings::load(&tx)?.missing_grace_days,
    };
    let local = LocalReader::new(&tx, source.id)?.state(&tx)?;
    let now_text = now.to_rfc3339();
    let stamp = Stamp { source_id: source.id, run_id, now: &now_text };
    let plan = {
        let mut writer = Writer {
            applier: Applier::new(&tx, &stamp)?,
            planner: Planner::new(&local, now),
            recorder: {
                fetched_people::forget(&tx, source.id)?;
                fetched::Recorder::new(&tx, source.id, now.date_naive())?
            },
            settings: &mut settings,
            seen: SeenIds::default(),
            people: 0,
        };
        let past = retention::PastRetention::load(&tx, source.id, now)?;
        let mut skipping = past.skipping(&mut writer);
        reading::read(connector, request, stop, progress, &mut skipping)?;
        let skipped = skipping.skipped;
        tracing::info!(source = %source.name, elapsed = ?started.elapsed(), "read and written");
        // Nobody was linked to the source before: nobody can be absent from its read.
        let plan = writer.planner.finish(writer.settings, std::iter::empty());
        progress(Progress { phase: Phase::Applying, done: 0, total: Some(plan.employees.len() as u64) });
        writer.recorder.finish(&tx, skipped)?;
        writer.applier.finish()?;
        plan
    };
    deferred.build(&tx)?;
    store::refresh_statistics(&tx)?;
    finish_run(&tx, source, run_id, &plan.counts, true, now)?;
    // The commit appends the whole company to the write-ahead log; folding the log into the
    // database file (a checkpoint, as long again) is left for afterwards: the app runs one once
    // the directory is shown, and closing the last connection runs one too.
    let autocheckpoint = store::suspend_autocheckpoint(&tx)?;
    let committed = tx.commit();
    store::restore_autocheckpoint(conn, autocheckpoint)?;
    committed?;
    tracing::info!(source = %source.name, elapsed = ?started.elapsed(), counts = ?plan.counts, "first sync applied");
    Ok(plan)
}

/// The writing side: plans and writes each record as it arrives.
struct Writer<'a> {
    applier: Applier<'a>,
    planner: Planner<'a>,
    recorder: fetched::Recorder<'a>,
    settings: &'a mut SourceSettings,
    seen: SeenIds,
    /// People read so far.
    people: usize,
}

impl RecordWriter for Writer<'_> {
    fn write(&mut self, record: Record) -> Result<()> {
        self.seen.first_time(&record)?;
        match record {
            Record::LegalEntity(site) => {
                self.applier.site(Sites::LegalEntities, &site)?;
                if let Some(name) = site.name {
                    self.settings.names.legal_entities.insert(site.remote_id, name);
                }
            }
            Record::WorkLocation(site) => {
                self.applier.site(Sites::WorkLocations, &site)?;
            }
            Record::Group(group) => {
                self.applier.group(&group)?;
                if let Some(name) = group.name {
                    self.settings.names.groups.insert(group.remote_id, name);
                }
            }
            Record::Employee(mut person) => {
                self.recorder.person(&person, &self.settings.filters, &self.settings.names);
                if let Some(planned) = self.planner.person(self.settings, &person, None) {
                    self.applier.person(planned, || Ok(std::mem::take(&mut person.values)))?;
                }
                self.people += 1;
                if self.people.is_multiple_of(MOST_WAITING) {
                    while self.idle()? {}
                }
            }
        }
        Ok(())
    }

    /// Writes a batch of what waits (fetched people, memberships, search entries); false when nothing does.
    fn idle(&mut self) -> Result<bool> {
        Ok(self.recorder.flush(CATCH_UP_BATCH)? || self.applier.catch_up(CATCH_UP_BATCH)?)
    }
}
