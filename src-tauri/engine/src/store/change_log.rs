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

/// A decision on a plan the mass-change guard held: it names the run, and no one person.
pub fn record_decision(conn: &Db, at: &str, source_id: i64, run_id: i64, action: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO change_log (at, employee_id, source_id, run_id, actor, action) VALUES (?1, NULL, ?2, ?3, 'user', ?4)",
        params![at, source_id, run_id, action],
    )?;
    Ok(())
}

/// A change to how the directory is kept rather than to a person: a source connected or
/// disconnected, its field modes, optional fields, filters or schedule, or a setting. `field`
/// names the field or setting changed.
pub struct ConfigChange<'a> {
    pub at: &'a str,
    pub source_id: Option<i64>,
    pub action: &'a str,
    pub field: Option<&'a str>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
}

impl<'a> ConfigChange<'a> {
    /// Something added or removed whole (a checklist template, a device rule): named by `field`,
    /// and kept in `words` as the new value when added, as the old one when removed.
    pub fn whole(at: &'a str, action: &'a str, field: &'a str, words: &'a str, added: bool) -> Self {
        let (old, new) = if added { (None, Some(words)) } else { (Some(words), None) };
        ConfigChange { at, source_id: None, action, field: Some(field), old, new }
    }
}

pub fn record_config(conn: &Db, change: &ConfigChange<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO change_log (at, employee_id, source_id, actor, action, field, old_value, new_value)
         VALUES (?1, NULL, ?2, 'user', ?3, ?4, ?5, ?6)",
        params![change.at, change.source_id, change.action, change.field, change.old, change.new],
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
    /// The database role that made the change (a team's directory in PostgreSQL; `None` on SQLite).
    pub made_by: Option<String>,
    /// The display name that role set, if any.
    pub made_by_name: Option<String>,
}

/// The person's latest changes, newest first; the creation is the employee row itself (no log
/// row is written per new person).
pub fn history(conn: &Db, employee_id: i64) -> Result<Vec<ChangeEntry>> {
    conn.query_map(
        "SELECT at, actor, action, field, old_value, new_value, source, made_by, t.display_name FROM (
             SELECT c.id AS seq, c.at, c.actor, c.action, c.field, c.old_value, c.new_value, s.name AS source, c.made_by
             FROM change_log c LEFT JOIN sources s ON s.id = c.source_id WHERE c.employee_id = ?1
             UNION ALL
             SELECT 0, e.created_at, CASE WHEN e.source_id IS NULL THEN 'user' ELSE 'sync' END, 'created', NULL, NULL, NULL, s.name, NULL
             FROM employees e LEFT JOIN sources s ON s.id = e.source_id WHERE e.id = ?1
         ) AS changes LEFT JOIN team_members t ON t.role_name = changes.made_by ORDER BY seq DESC LIMIT 200",
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
                made_by: r.get(7)?,
                made_by_name: r.get(8)?,
            })
        },
    )
}

/// One change in the directory's audit trail: what, to whom, by whom and when.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    /// The person changed; `None` for a change that names no one (an erasure, a held plan's fate).
    pub employee_id: Option<i64>,
    pub person: Option<String>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub source: Option<String>,
    pub run_id: Option<i64>,
    pub made_by: Option<String>,
    pub made_by_name: Option<String>,
}

/// The latest changes of everyone, newest first; with `by`, only those of the role of that name
/// or of that display name.
pub fn audit(conn: &Db, by: Option<&str>, limit: u32) -> Result<Vec<AuditEntry>> {
    // PostgreSQL types a parameter from each place it is used: `?1 IS NULL` alone says nothing, so it is cast.
    conn.query_map(
        "SELECT c.id, c.at, c.actor, c.action, c.employee_id,
                CASE WHEN e.id IS NOT NULL THEN trim(coalesce(e.first_name, '') || ' ' || coalesce(e.last_name, '')) END,
                c.field, c.old_value, c.new_value, s.name, c.run_id, c.made_by, t.display_name
         FROM change_log c
         LEFT JOIN employees e ON e.id = c.employee_id
         LEFT JOIN sources s ON s.id = c.source_id
         LEFT JOIN team_members t ON t.role_name = c.made_by
         WHERE CAST(?1 AS TEXT) IS NULL OR c.made_by = ?1 OR t.display_name = ?1
         ORDER BY c.id DESC LIMIT ?2",
        params![by, limit],
        |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                employee_id: r.get(4)?,
                person: r.get(5)?,
                field: r.get(6)?,
                old_value: r.get(7)?,
                new_value: r.get(8)?,
                source: r.get(9)?,
                run_id: r.get(10)?,
                made_by: r.get(11)?,
                made_by_name: r.get(12)?,
            })
        },
    )
}

/// Who last changed the person's field, as the history names them: the display name or role
/// (`None` on SQLite, where every change is the one person's), or the sync of a source.
pub fn last_changed_by(conn: &Db, employee_id: i64, field: Field) -> Result<Option<String>> {
    let found: Option<Option<String>> = conn.query_opt(
        "SELECT CASE WHEN c.actor = 'sync' AND s.name IS NOT NULL THEN 'a sync of ' || s.name
                     ELSE coalesce(t.display_name, c.made_by) END
         FROM change_log c
         LEFT JOIN team_members t ON t.role_name = c.made_by LEFT JOIN sources s ON s.id = c.source_id
         WHERE c.employee_id = ?1 AND c.field = ?2 ORDER BY c.id DESC LIMIT 1",
        params![employee_id, field.name()],
        |r| r.get(0),
    )?;
    Ok(found.flatten())
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
