//! One sync of one source: read into staging, plan, then apply in a single transaction; a
//! source's first sync, which removes nobody, plans and writes as it reads instead (`first`).
//! A read that fails leaves the directory exactly as it was; the run is recorded either way.

mod apply;
mod fetched;
mod first;
pub mod plan;
pub mod preview;
mod reading;
pub(crate) mod retention;
mod stage;
mod stop;
pub mod units;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::connector::{Connector, ReadRequest, RemoteGroup, RemoteSite};
use crate::error::{Error, Result};
use crate::model::{FieldValues, PlanCounts};
use crate::store::change_log;
use crate::store::runs::{self, RunState};
use crate::store::sites::{self, Sites};
use crate::store::source_view::LocalReader;
use crate::store::sources::{self, Source};
use crate::store::{self, groups, held_plans, settings, staging, Db};
use plan::{OrgNames, SourceSettings, SyncPlan};
pub use stop::Cancel;
use stop::Stop;

/// A full read runs at least this often, to catch what incremental reads miss (deletions not
/// reported, drift); every other scheduled run asks only for changes.
pub const FULL_READ_EVERY: Duration = Duration::hours(24);

/// Incremental reads start this long before the previous sync began: a change stamped by the HR
/// system's clock (which may run behind ours) is read twice rather than never. Reading a record
/// twice is harmless: an unchanged record plans to nothing.
pub const DELTA_OVERLAP: Duration = Duration::minutes(5);

/// What the caller asks of a sync.
#[derive(Debug, Clone, Default)]
pub struct SyncRequest {
    /// Plan only: nothing is written, not even a run.
    pub dry_run: bool,
    /// Read everything, even if an incremental read would do.
    pub full: bool,
    /// Lets another thread stop the sync (a source being removed); nothing of it is then written.
    pub cancel: Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Outcome {
    /// The plan was applied.
    Applied,
    /// The plan was computed and shown, nothing written.
    DryRun,
    /// The mass-change guard held the plan back: approve or discard it.
    Held,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    pub source: String,
    /// The recorded run; `None` for a dry run.
    pub run_id: Option<i64>,
    pub outcome: Outcome,
    pub full_read: bool,
    pub counts: PlanCounts,
    pub plan: SyncPlan,
    /// Things the person should act on, such as a provider permission that seems to be missing.
    pub warnings: Vec<String>,
}

/// Organisation units as read; stored with the plan when it is held, so approval applies exactly it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Org {
    legal_entities: Vec<RemoteSite>,
    work_locations: Vec<RemoteSite>,
    groups: Vec<RemoteGroup>,
}

#[derive(Serialize, Deserialize)]
struct HeldPlan {
    plan: SyncPlan,
    org: Org,
    full_read: bool,
    /// The HR values of the people the plan creates: staging is gone by the time it is approved.
    created: HashMap<String, FieldValues>,
}

/// Where a running sync stands, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Progress {
    pub phase: Phase,
    /// Records read so far while reading.
    pub done: u64,
    /// While applying: how many people the plan writes.
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Phase {
    Reading,
    Applying,
}

/// Told of progress now and then (every few hundred records), never per record.
pub type OnProgress<'a> = dyn FnMut(Progress) + 'a;

/// Runs one sync of `source` with `connector`, at `now`.
pub fn run(
    conn: &mut Db,
    source: &Source,
    connector: Arc<dyn Connector>,
    now: DateTime<Utc>,
    request: SyncRequest,
    machine: &str,
    progress: &mut OnProgress<'_>,
) -> Result<SyncReport> {
    let full_read = request.full || needs_full_read(source, now);
    let read = ReadRequest {
        updated_after: if full_read { None } else { source.updated_after() },
        disabled_fields: source.disabled_fields.clone(),
    };
    let limit = std::time::Duration::from_secs(settings::load(conn)?.sync_deadline_secs.into());
    let stop = Stop::new(request.cancel, limit);
    let run_id = if request.dry_run { None } else { Some(runs::start(conn, source.id, full_read, &now.to_rfc3339(), machine)?) };
    let result = read_plan_apply(conn, source, connector, &read, &stop, now, run_id, progress);
    staging::drop(conn)?;
    match result {
        Ok((outcome, plan)) => Ok(SyncReport {
            source: source.name.clone(),
            run_id,
            outcome,
            full_read,
            counts: plan.counts,
            plan,
            warnings: Vec::new(),
        }),
        Err(error) => {
            if let Some(run_id) = run_id {
                fail_run(conn, source, run_id, now, &error.to_string())?;
            }
            Err(error)
        }
    }
}

fn needs_full_read(source: &Source, now: DateTime<Utc>) -> bool {
    match (source.updated_after(), source.last_full_sync_at.as_deref().and_then(|t| t.parse::<DateTime<Utc>>().ok())) {
        (Some(_), Some(last_full)) => now - last_full >= FULL_READ_EVERY,
        _ => true,
    }
}

/// Reads the source into staging, minus the people `past` retention; returns its organisation
/// units and how many such people the read skipped.
fn read(
    conn: &mut Db,
    connector: Arc<dyn Connector>,
    request: &ReadRequest,
    past: &retention::PastRetention,
    stop: &Stop,
    progress: &mut OnProgress<'_>,
) -> Result<(Org, i64)> {
    staging::create(conn)?;
    // Staging writes go to TEMP tables: batch them in one transaction for speed. It touches
    // nothing in the database file, so a failure here leaves the directory as it was.
    let tx = store::begin(conn)?;
    let mut stager = stage::Stager::new(&tx);
    let mut writer = past.skipping(&mut stager);
    reading::read(connector, request, stop, progress, &mut writer)?;
    let skipped = writer.skipped;
    stager.finish()?;
    staging::analyze(&tx)?;
    tx.commit()?;
    let org = Org {
        legal_entities: staging::sites(conn, Sites::LegalEntities)?,
        work_locations: staging::sites(conn, Sites::WorkLocations)?,
        groups: staging::groups(conn)?,
    };
    Ok((org, skipped))
}

#[allow(clippy::too_many_arguments)] // the one call above; a struct would only rename them
fn read_plan_apply(
    conn: &mut Db,
    source: &Source,
    connector: Arc<dyn Connector>,
    request: &ReadRequest,
    stop: &Stop,
    now: DateTime<Utc>,
    run_id: Option<i64>,
    progress: &mut OnProgress<'_>,
) -> Result<(Outcome, SyncPlan)> {
    if let (Some(run_id), None) = (run_id, &source.first_synced_at) {
        let plan = first::run(conn, source, connector, request, stop, now, run_id, progress)?;
        return Ok((Outcome::Applied, plan));
    }
    let started = std::time::Instant::now();
    let past = retention::PastRetention::load(conn, source.id, now)?;
    let (org, skipped) = read(conn, connector, request, &past, stop, progress)?;
    tracing::info!(source = %source.name, elapsed = ?started.elapsed(), "read and staged");
    let full_read = request.updated_after.is_none();
    let tx = store::begin_write(conn)?;
    let directory_settings = settings::load(&tx)?;
    let settings = SourceSettings {
        first_sync: source.first_synced_at.is_none(),
        full_read,
        modes: sources::field_modes(&tx, source.id)?,
        filters: sources::filters(&tx, source.id)?,
        names: org_names(&tx, source.id, &org)?,
        missing_grace_days: directory_settings.missing_grace_days,
    };
    let reader = LocalReader::new(&tx, source.id)?;
    let local = reader.state(&tx)?;
    let absent = reader.absent(&tx, full_read)?;
    // What the read returned is recorded in the same pass over it as the plan (a dry run records nothing).
    let mut recorder = run_id.map(|_| fetched::Recorder::new(&tx, source.id, now.date_naive())).transpose()?;
    let mut failed = None;
    let plan = reader.with_feed(&tx, |feed| {
        let mut recorded = feed.map_while(|(person, linked)| {
            let written = recorder.as_mut().map_or(Ok(()), |r| r.staged(&person, &settings.filters, &settings.names));
            written.map_err(|error| failed = Some(error)).ok().map(|()| (person, linked))
        });
        plan::plan(&mut recorded, absent, &local, &settings, now)
    })?;
    if let Some(error) = failed {
        return Err(error);
    }
    tracing::info!(source = %source.name, elapsed = ?started.elapsed(), counts = ?plan.counts, "planned");
    drop((reader, local));
    let (Some(run_id), Some(recorder)) = (run_id, recorder) else {
        return Ok((Outcome::DryRun, plan));
    };
    recorder.finish_staged(&tx, full_read, skipped)?;
    tracing::info!(source = %source.name, elapsed = ?started.elapsed(), "recorded what was fetched");
    supersede_held(&tx, source.id, now)?;
    if plan.needs_approval(directory_settings.mass_change_percent) {
        let created = plan
            .employees
            .iter()
            .filter(|p| p.action == plan::Action::Create)
            .map(|p| Ok((p.remote_id.clone(), staging::employee_values(&tx, &p.remote_id)?)))
            .collect::<Result<_>>()?;
        let held = HeldPlan { plan, org, full_read, created };
        held_plans::hold(&tx, run_id, &held)?;
        close_run(&tx, run_id, RunState::Held, now, &held.plan.counts)?;
        tx.commit()?;
        return Ok((Outcome::Held, held.plan));
    }
    progress(Progress { phase: Phase::Applying, done: 0, total: Some(plan.employees.len() as u64) });
    apply_plan(&tx, source, run_id, &plan, &org, full_read, &|remote_id| staging::employee_values(&tx, remote_id), now)?;
    tracing::info!(source = %source.name, elapsed = ?started.elapsed(), "applied");
    tx.commit()?;
    Ok((Outcome::Applied, plan))
}

#[allow(clippy::too_many_arguments)] // one call per path (sync, approval); a struct would only rename them
fn apply_plan(
    tx: &Db,
    source: &Source,
    run_id: i64,
    plan: &SyncPlan,
    org: &Org,
    full_read: bool,
    created: &dyn Fn(&str) -> Result<FieldValues>,
    now: DateTime<Utc>,
) -> Result<()> {
    let stamp = apply::Stamp { source_id: source.id, run_id, now: &now.to_rfc3339() };
    apply::apply(tx, plan, created, &org.legal_entities, &org.work_locations, &org.groups, &stamp)?;
    finish_run(tx, source, run_id, &plan.counts, full_read, now)
}

/// Ends an applied run: the run's record, and the source's schedule.
fn finish_run(tx: &Db, source: &Source, run_id: i64, counts: &PlanCounts, full_read: bool, now: DateTime<Utc>) -> Result<()> {
    close_run(tx, run_id, RunState::Succeeded, now, counts)?;
    let next = now + Duration::seconds(source.sync_interval_secs);
    let updated_after = (now - DELTA_OVERLAP).to_rfc3339();
    sources::record_success(tx, source.id, &now.to_rfc3339(), &next.to_rfc3339(), full_read, &updated_after)
}

/// Applies a plan the mass-change guard held, exactly as it was shown.
pub fn approve(conn: &mut Db, run_id: i64, now: DateTime<Utc>) -> Result<SyncReport> {
    let tx = store::begin_write(conn)?;
    let (source_id, held) = held_plan(&tx, run_id)?;
    let source = sources::by_id(&tx, source_id)?;
    held_plans::delete(&tx, run_id)?;
    change_log::record_decision(&tx, &now.to_rfc3339(), source_id, run_id, "plan_approved")?;
    let created = |remote_id: &str| {
        held.created
            .get(remote_id)
            .cloned()
            .ok_or_else(|| Error::Invalid(format!("the held plan lacks the values of {remote_id}")))
    };
    apply_plan(&tx, &source, run_id, &held.plan, &held.org, held.full_read, &created, now)?;
    tx.commit()?;
    Ok(SyncReport {
        source: source.name,
        run_id: Some(run_id),
        outcome: Outcome::Applied,
        full_read: held.full_read,
        counts: held.plan.counts,
        plan: held.plan,
        warnings: Vec::new(),
    })
}

/// The plan a held run waits with, person by person, as it would be applied.
pub fn held(conn: &Db, run_id: i64) -> Result<SyncPlan> {
    Ok(held_plan(conn, run_id)?.1.plan)
}

/// Drops a held plan: nothing of it is applied.
pub fn discard(conn: &mut Db, run_id: i64, now: DateTime<Utc>) -> Result<()> {
    let tx = store::begin(conn)?;
    let (source_id, _) = held_plan(&tx, run_id)?;
    held_plans::delete(&tx, run_id)?;
    runs::discard(&tx, run_id, &now.to_rfc3339())?;
    change_log::record_decision(&tx, &now.to_rfc3339(), source_id, run_id, "plan_discarded")?;
    tx.commit()?;
    Ok(())
}

fn held_plan(conn: &Db, run_id: i64) -> Result<(i64, HeldPlan)> {
    held_plans::get(conn, run_id)?.ok_or_else(|| Error::Invalid(format!("run {run_id} has no plan waiting for approval")))
}

/// A newer run replaces a plan still waiting for approval: the older one describes a stale state.
fn supersede_held(conn: &Db, source_id: i64, now: DateTime<Utc>) -> Result<()> {
    discard_held(conn, source_id, "superseded by a newer sync", now)
}

/// Discards the source's plan waiting for approval, if any, saying why in its run.
pub fn discard_held(conn: &Db, source_id: i64, why: &str, now: DateTime<Utc>) -> Result<()> {
    runs::discard_held(conn, source_id, why, &now.to_rfc3339())?;
    held_plans::delete_discarded(conn, source_id)
}

/// Names for reasons: what this read brought, over what is stored (incremental reads bring only changes).
fn org_names(conn: &Db, source_id: i64, org: &Org) -> Result<OrgNames> {
    let mut names = OrgNames {
        legal_entities: sites::names(conn, Sites::LegalEntities, source_id)?,
        groups: groups::names(conn, source_id)?,
    };
    names.legal_entities.extend(org.legal_entities.iter().filter_map(|s| Some((s.remote_id.clone(), s.name.clone()?))));
    names.groups.extend(org.groups.iter().filter_map(|g| Some((g.remote_id.clone(), g.name.clone()?))));
    Ok(names)
}

/// When a run ends: the clock's time, never before the run's own `now`.
fn finished_at(now: DateTime<Utc>) -> String {
    Utc::now().max(now).to_rfc3339()
}

fn close_run(conn: &Db, run_id: i64, outcome: RunState, now: DateTime<Utc>, counts: &PlanCounts) -> Result<()> {
    runs::close(conn, run_id, outcome, &finished_at(now), counts)
}

/// Records a failed run; the next try backs off exponentially (2, 4, 8... minutes, at most the interval).
fn fail_run(conn: &Db, source: &Source, run_id: i64, now: DateTime<Utc>, error: &str) -> Result<()> {
    runs::fail(conn, run_id, &finished_at(now), error)?;
    let failures = source.failure_count + 1;
    let backoff = (60i64 << failures.min(10)).min(source.sync_interval_secs);
    sources::record_failure(conn, source.id, failures, error, &(now + Duration::seconds(backoff)).to_rfc3339())
}
