//! The change log: every change to a person, by a sync or by a person, with its old and new value.

use rusqlite::{params, Connection};

use crate::error::Result;
use crate::model::Field;

/// Who made a change: a sync run of a source, or a person using Roster.
#[derive(Debug, Clone, Copy)]
pub enum Actor {
    Sync { source_id: i64, run_id: i64 },
    User,
}

/// One entry of the log.
pub struct Entry<'a> {
    pub at: &'a str,
    pub employee_id: i64,
    pub actor: Actor,
    pub action: &'a str,
    pub field: Option<Field>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
}

pub fn record(conn: &Connection, entry: &Entry<'_>) -> Result<()> {
    let (actor, source_id, run_id) = match entry.actor {
        Actor::Sync { source_id, run_id } => ("sync", Some(source_id), Some(run_id)),
        Actor::User => ("user", None, None),
    };
    conn.prepare_cached(
        "INSERT INTO change_log (at, employee_id, source_id, run_id, actor, action, field, old_value, new_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        entry.at,
        entry.employee_id,
        source_id,
        run_id,
        actor,
        entry.action,
        entry.field.map(Field::name),
        entry.old,
        entry.new
    ])?;
    Ok(())
}
