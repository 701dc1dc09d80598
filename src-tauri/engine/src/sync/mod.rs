//! One sync of one source: read into staging, plan, then apply in a single transaction.
//! A read that fails leaves the directory exactly as it was; the run is recorded either way.

mod apply;
mod local;
pub mod plan;
mod stage;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, TransactionBehavior};
use serde::Serialize;

use crate::connector::{Connector, ReadRequest};
use crate::error::Result;
use crate::store::sources::{self, Source};
use crate::store::Store;
use plan::{OrgNames, PlanCounts, SourceSettings, SyncPlan};

/// What the caller asks of a sync.
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncRequest {
    /// Plan only: nothing is written, not even a run.
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    pub source: String,
    /// The recorded run; `None` for a dry run.
    pub run_id: Option<i64>,
    pub counts: PlanCounts,
    pub plan: SyncPlan,
}

/// Runs one sync of `source` with `connector`, at `now`.
pub fn run(store: &mut Store, source: &Source, connector: &dyn Connector, now: DateTime<Utc>, request: SyncRequest) -> Result<SyncReport> {
    let conn = store.conn_mut();
    let run_id = if request.dry_run { None } else { Some(start_run(conn, source.id, now)?) };
    let result = read_plan_apply(conn, source, connector, now, run_id);
    stage::drop(conn)?;
    match (result, run_id) {
        (Ok(plan), run_id) => Ok(SyncReport { source: source.name.clone(), run_id, counts: plan.counts, plan }),
        (Err(error), Some(run_id)) => {
            fail_run(conn, source, run_id, now, &error.to_string())?;
            Err(error)
        }
        (Err(error), None) => Err(error),
    }
}

fn read_plan_apply(conn: &mut Connection, source: &Source, connector: &dyn Connector, now: DateTime<Utc>, run_id: Option<i64>) -> Result<SyncPlan> {
    stage::create(conn)?;
    let request = ReadRequest { updated_after: None, disabled_fields: source.disabled_fields.clone() };
    {
        // Staging writes go to TEMP tables: batch them in one transaction for speed. It touches
        // nothing in the database file, so a failure here leaves the directory as it was.
        let tx = conn.transaction()?;
        connector.read(&request, &mut |record| stage::put(&tx, record))?;
        tx.commit()?;
    }
    let legal_entities = stage::sites(conn, "legal_entity")?;
    let work_locations = stage::sites(conn, "work_location")?;
    let groups = stage::groups(conn)?;

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let settings = SourceSettings {
        first_sync: source.first_synced_at.is_none(),
        full_read: request.updated_after.is_none(),
        modes: sources::field_modes(&tx, source.id)?,
        filters: sources::filters(&tx, source.id)?,
        names: OrgNames {
            legal_entities: legal_entities.iter().filter_map(|s| Some((s.remote_id.clone(), s.name.clone()?))).collect(),
            groups: groups.iter().filter_map(|g| Some((g.remote_id.clone(), g.name.clone()?))).collect(),
        },
    };
    let local = local::load(&tx, source.id)?;
    let plan = stage::for_each_employee(&tx, |remote| plan::plan(remote, &local, &settings, now))?;
    drop(local);
    let Some(run_id) = run_id else {
        return Ok(plan);
    };
    let stamp = apply::Stamp { source_id: source.id, run_id, now: &now.to_rfc3339() };
    apply::apply(&tx, &plan, &legal_entities, &work_locations, &groups, &stamp)?;
    store_employments(&tx, source.id)?;
    finish_run(&tx, source, run_id, now, &plan.counts)?;
    tx.commit()?;
    Ok(plan)
}

fn store_employments(conn: &Connection, source_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM employments WHERE source_id = ?1 AND remote_id IN (SELECT remote_id FROM temp.stage_employments WHERE deleted)",
        [source_id],
    )?;
    // Only the employments of people in the directory are kept: excluded people leave no trace.
    conn.execute(
        "INSERT INTO employments (source_id, remote_id, employee_remote_id, employment_type, effective_date)
         SELECT ?1, s.remote_id, s.employee_remote_id, s.employment_type, s.effective_date FROM temp.stage_employments s
         WHERE NOT s.deleted AND s.employee_remote_id IN (SELECT remote_id FROM employee_links WHERE source_id = ?1)
         ON CONFLICT (source_id, remote_id) DO UPDATE SET employee_remote_id = excluded.employee_remote_id,
             employment_type = excluded.employment_type, effective_date = excluded.effective_date
         WHERE employee_remote_id IS NOT excluded.employee_remote_id OR employment_type IS NOT excluded.employment_type
             OR effective_date IS NOT excluded.effective_date",
        [source_id],
    )?;
    Ok(())
}

fn start_run(conn: &Connection, source_id: i64, now: DateTime<Utc>) -> Result<i64> {
    conn.execute(
        "INSERT INTO sync_runs (source_id, kind, started_at, outcome) VALUES (?1, 'full', ?2, 'running')",
        params![source_id, now.to_rfc3339()],
    )?;
    Ok(conn.last_insert_rowid())
}

fn finish_run(conn: &Connection, source: &Source, run_id: i64, now: DateTime<Utc>, counts: &PlanCounts) -> Result<()> {
    let finished = Utc::now().max(now).to_rfc3339();
    conn.execute(
        "UPDATE sync_runs SET outcome = 'succeeded', finished_at = ?2, created = ?3, updated = ?4, unchanged = ?5,
             excluded = ?6, departing = ?7, missing = ?8 WHERE id = ?1",
        params![run_id, finished, counts.created, counts.updated, counts.unchanged, counts.excluded, counts.departing, counts.missing],
    )?;
    let next = now + Duration::seconds(source.sync_interval_secs);
    conn.execute(
        "UPDATE sources SET first_synced_at = coalesce(first_synced_at, ?2), last_full_sync_at = ?2, updated_after = ?2,
             next_sync_at = ?3, failure_count = 0, last_error = NULL WHERE id = ?1",
        params![source.id, now.to_rfc3339(), next.to_rfc3339()],
    )?;
    Ok(())
}

/// Records a failed run; the next try backs off exponentially (1, 2, 4... minutes, at most the interval).
fn fail_run(conn: &Connection, source: &Source, run_id: i64, now: DateTime<Utc>, error: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_runs SET outcome = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1",
        params![run_id, Utc::now().max(now).to_rfc3339(), error],
    )?;
    let failures = source.failure_count + 1;
    let backoff = (60i64 << failures.min(10)).min(source.sync_interval_secs);
    conn.execute(
        "UPDATE sources SET failure_count = ?2, last_error = ?3, next_sync_at = ?4 WHERE id = ?1",
        params![source.id, failures, error, (now + Duration::seconds(backoff)).to_rfc3339()],
    )?;
    Ok(())
}
