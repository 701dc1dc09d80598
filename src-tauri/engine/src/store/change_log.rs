//! The change log: every change to a person, by a sync or by a person, with its old and new value.

use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::model::Field;
use crate::store::db::{params, Db};

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

pub fn record(conn: &Db, entry: &Entry<'_>) -> Result<()> {
    let (actor, source_id, run_id) = match entry.actor {
        Actor::Sync { source_id, run_id } => ("sync", Some(source_id), Some(run_id)),
        Actor::User => ("user", None, None),
    };
    conn.execute(
        "INSERT INTO change_log (at, employee_id, source_id, run_id, actor, action, field, old_value, new_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            entry.at,
            entry.employee_id,
            source_id,
            run_id,
            actor,
            entry.action,
            entry.field.map(Field::name),
            entry.old,
            entry.new
        ],
    )?;
    Ok(())
}

/// A change that names no one: an erasure, which says how many people it erased.
pub fn record_erasure(conn: &Db, at: &str, actor: &str, action: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO change_log (at, employee_id, actor, action) VALUES (?1, NULL, ?2, ?3)",
        params![at, actor, action],
    )?;
    Ok(())
}

/// One line of a person's history, as the profile shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ChangeEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub source: Option<String>,
}

/// The person's latest changes, newest first; the creation is the employee row itself (no log
/// row is written per new person).
pub fn history(conn: &Db, employee_id: i64) -> Result<Vec<ChangeEntry>> {
    conn.query_map(
        "SELECT at, actor, action, field, old_value, new_value, source FROM (
             SELECT c.id AS seq, c.at, c.actor, c.action, c.field, c.old_value, c.new_value, s.name AS source FROM change_log c
             LEFT JOIN sources s ON s.id = c.source_id WHERE c.employee_id = ?1
             UNION ALL
             SELECT 0, e.created_at, CASE WHEN e.source_id IS NULL THEN 'user' ELSE 'sync' END, 'created', NULL, NULL, NULL, s.name
             FROM employees e LEFT JOIN sources s ON s.id = e.source_id WHERE e.id = ?1
         ) AS changes ORDER BY seq DESC LIMIT 200",
        [employee_id],
        |r| {
            Ok(ChangeEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                field: r.get(3)?,
                old_value: r.get(4)?,
                new_value: r.get(5)?,
                source: r.get(6)?,
            })
        },
    )
}

/// Forgets the old and new values of the field in the history of the people the source links.
pub fn forget_field(conn: &Db, source_id: i64, field: Field) -> Result<()> {
    conn.execute(
        "UPDATE change_log SET old_value = NULL, new_value = NULL
         WHERE field = ?2 AND employee_id IN (SELECT employee_id FROM employee_links WHERE source_id = ?1)",
        params![source_id, field.name()],
    )?;
    Ok(())
}
