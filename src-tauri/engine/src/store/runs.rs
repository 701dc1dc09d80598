//! The history of sync runs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::model::PlanCounts;
use crate::store::db::{params, Db, FromDb, ToDb, Value};

/// Where a sync run stands. The UI, the tray and the CLI match on this, never on text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RunState {
    Running,
    Succeeded,
    Failed,
    /// The mass-change guard holds its plan, waiting to be approved or discarded.
    Held,
    /// Its held plan was discarded, superseded or made stale.
    Discarded,
}

impl RunState {
    const ALL: [RunState; 5] = [RunState::Running, RunState::Succeeded, RunState::Failed, RunState::Held, RunState::Discarded];

    /// The stored name, as the `sync_runs.outcome` CHECK constraint lists them.
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Succeeded => "succeeded",
            RunState::Failed => "failed",
            RunState::Held => "held",
            RunState::Discarded => "discarded",
        }
    }
}

impl std::fmt::Display for RunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ToDb for RunState {
    fn to_db(&self) -> Value<'_> {
        Value::Text(self.as_str())
    }
}

impl FromDb for RunState {
    fn from_db(value: Value<'_>) -> Option<Self> {
        match value {
            Value::Text(text) => RunState::ALL.into_iter().find(|s| s.as_str() == text),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SyncRun {
    pub id: i64,
    pub source: String,
    pub kind: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub outcome: RunState,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub excluded: u32,
    pub departing: u32,
    pub missing: u32,
    pub error: Option<String>,
    /// What the person should act on though the run succeeded, such as a missing permission.
    pub warnings: Vec<String>,
    /// The host name of the machine that ran it.
    pub machine: Option<String>,
    /// The database role that ran it (a team's directory in PostgreSQL), and its display name.
    pub run_by: Option<String>,
    pub run_by_name: Option<String>,
}

/// The latest runs, newest first, optionally of one source.
pub fn list(conn: &Db, source_id: Option<i64>, limit: u32) -> Result<Vec<SyncRun>> {
    // PostgreSQL types a parameter from each place it is used: `?1 IS NULL` alone says nothing, so it is cast.
    conn.query_map(
        "SELECT r.id, s.name, r.kind, r.started_at, r.finished_at, r.outcome, r.created, r.updated, r.unchanged,
                r.excluded, r.departing, r.missing, r.error, r.warnings, r.machine, r.run_by, t.display_name
         FROM sync_runs r JOIN sources s ON s.id = r.source_id LEFT JOIN team_members t ON t.role_name = r.run_by
         WHERE CAST(?1 AS BIGINT) IS NULL OR r.source_id = ?1 ORDER BY r.id DESC LIMIT ?2",
        params![source_id, limit],
        |r| {
            Ok(SyncRun {
                id: r.get(0)?,
                source: r.get(1)?,
                kind: r.get(2)?,
                started_at: r.get(3)?,
                finished_at: r.get(4)?,
                outcome: r.get(5)?,
                created: r.get(6)?,
                updated: r.get(7)?,
                unchanged: r.get(8)?,
                excluded: r.get(9)?,
                departing: r.get(10)?,
                missing: r.get(11)?,
                error: r.get(12)?,
                warnings: warnings(r.get(13)?)?,
                machine: r.get(14)?,
                run_by: r.get(15)?,
                run_by_name: r.get(16)?,
            })
        },
    )
}

/// Records the warnings a run raised; an empty list says it checked and found none.
pub fn set_warnings(conn: &Db, run_id: i64, warnings: &[String]) -> Result<()> {
    conn.execute("UPDATE sync_runs SET warnings = ?2 WHERE id = ?1", params![run_id, serde_json::to_string(warnings)?])?;
    Ok(())
}

/// The warnings of the source's latest run that checked for them: they hold until a run finds
/// otherwise (runs that read only changes do not check).
pub fn current_warnings(conn: &Db, source_id: i64) -> Result<Vec<String>> {
    let stored: Option<String> = conn.query_opt(
        "SELECT warnings FROM sync_runs WHERE source_id = ?1 AND warnings IS NOT NULL ORDER BY id DESC LIMIT 1",
        [source_id],
        |r| r.get(0),
    )?;
    warnings(stored)
}

fn warnings(stored: Option<String>) -> Result<Vec<String>> {
    Ok(stored.map(|json| serde_json::from_str(&json)).transpose()?.unwrap_or_default())
}

/// Closes a source's runs left `running` by a process that stopped mid-sync: their writes were
/// never committed.
pub fn close_interrupted(conn: &Db, source_id: i64, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_runs SET outcome = 'failed', finished_at = ?2, error = 'interrupted: Roster stopped during this sync'
         WHERE outcome = 'running' AND source_id = ?1",
        params![source_id, now],
    )?;
    Ok(())
}

/// Records a run that starts now on `machine` (its host name); returns its id.
pub fn start(conn: &Db, source_id: i64, full_read: bool, at: &str, machine: &str) -> Result<i64> {
    conn.query_row(
        "INSERT INTO sync_runs (source_id, kind, started_at, outcome, machine) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![source_id, if full_read { "full" } else { "incremental" }, at, RunState::Running, machine],
        |r| r.get(0),
    )
}

/// Ends a run in `state` with its plan's counts.
pub fn close(conn: &Db, run_id: i64, state: RunState, finished_at: &str, counts: &PlanCounts) -> Result<()> {
    conn.execute(
        "UPDATE sync_runs SET outcome = ?2, finished_at = ?3, created = ?4, updated = ?5, unchanged = ?6,
             excluded = ?7, departing = ?8, missing = ?9 WHERE id = ?1",
        params![
            run_id,
            state,
            finished_at,
            counts.created,
            counts.updated,
            counts.unchanged,
            counts.excluded,
            counts.departing,
            counts.missing
        ],
    )?;
    Ok(())
}

pub fn fail(conn: &Db, run_id: i64, finished_at: &str, error: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_runs SET outcome = ?4, finished_at = ?2, error = ?3 WHERE id = ?1",
        params![run_id, finished_at, error, RunState::Failed],
    )?;
    Ok(())
}

/// Marks a held run discarded.
pub fn discard(conn: &Db, run_id: i64, at: &str) -> Result<()> {
    conn.execute("UPDATE sync_runs SET outcome = ?3, finished_at = ?2 WHERE id = ?1", params![run_id, at, RunState::Discarded])?;
    Ok(())
}

/// Marks the source's held run, if any, discarded, saying why.
pub fn discard_held(conn: &Db, source_id: i64, why: &str, at: &str) -> Result<()> {
    conn.execute(
        "UPDATE sync_runs SET outcome = ?4, finished_at = ?2, error = ?3 WHERE source_id = ?1 AND outcome = ?5",
        params![source_id, at, why, RunState::Discarded, RunState::Held],
    )?;
    Ok(())
}
