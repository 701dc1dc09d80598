//! Plans the mass-change guard holds until someone approves or discards them: the `held_plans` table.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Result;
use crate::store::db::{params, Db};

/// Holds `plan` for the run `run_id`.
pub fn hold(conn: &Db, run_id: i64, plan: &impl Serialize) -> Result<()> {
    conn.execute("INSERT INTO held_plans (run_id, plan) VALUES (?1, ?2)", params![run_id, serde_json::to_string(plan)?])?;
    Ok(())
}

/// The plan the run waits with, and the run's source; `None` when it waits with none.
pub fn get<T: DeserializeOwned>(conn: &Db, run_id: i64) -> Result<Option<(i64, T)>> {
    let row: Option<(i64, String)> = conn.query_opt(
        "SELECT r.source_id, h.plan FROM held_plans h JOIN sync_runs r ON r.id = h.run_id WHERE h.run_id = ?1",
        [run_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    row.map(|(source_id, plan)| Ok((source_id, serde_json::from_str(&plan)?))).transpose()
}

pub fn delete(conn: &Db, run_id: i64) -> Result<()> {
    conn.execute("DELETE FROM held_plans WHERE run_id = ?1", [run_id])?;
    Ok(())
}

/// Drops the plans of the source's discarded runs.
pub fn delete_discarded(conn: &Db, source_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM held_plans WHERE run_id IN (SELECT id FROM sync_runs WHERE source_id = ?1 AND outcome = 'discarded')",
        [source_id],
    )?;
    Ok(())
}
