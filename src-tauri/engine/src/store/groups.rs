//! A source's groups (teams, departments) and who belongs to them: the `groups` and
//! `group_memberships` tables.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::connector::RemoteGroup;
use crate::error::Result;

/// Stores a group as read; an unchanged one is not rewritten. Gives the id of the row inserted
/// last (the group's, when it was new).
pub fn upsert(conn: &Connection, source_id: i64, group: &RemoteGroup) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO groups (source_id, remote_id, name, type) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, type = excluded.type
         WHERE name IS NOT excluded.name OR type IS NOT excluded.type",
    )?
    .execute(params![source_id, group.remote_id, group.name, group.kind])?;
    Ok(conn.last_insert_rowid())
}

/// A source's groups: local id by remote id.
pub fn stored(conn: &Connection, source_id: i64) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare("SELECT remote_id, id FROM groups WHERE source_id = ?1")?;
    let rows = stmt.query_map([source_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The named groups of a source, by remote id.
pub fn names(conn: &Connection, source_id: i64) -> Result<HashMap<String, String>> {
    let mut stmt = conn.prepare("SELECT remote_id, name FROM groups WHERE source_id = ?1 AND name IS NOT NULL")?;
    let rows = stmt.query_map([source_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The name of one group, if it has one.
pub fn name_of(conn: &Connection, source_id: i64, remote_id: &str) -> Result<Option<String>> {
    let name = conn
        .query_row("SELECT name FROM groups WHERE source_id = ?1 AND remote_id = ?2", params![source_id, remote_id], |r| r.get(0))
        .optional()?;
    Ok(name.flatten())
}

/// Every team of a source as (remote id, name or else remote id), by name.
pub fn known_teams(conn: &Connection, source_id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT remote_id, coalesce(name, remote_id) FROM groups WHERE source_id = ?1 AND type = 'TEAM' ORDER BY name",
    )?;
    let rows = stmt.query_map([source_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Takes the person out of every group of the source.
pub fn leave_all(conn: &Connection, employee_id: i64, source_id: i64) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM group_memberships WHERE employee_id = ?1 AND group_id IN (SELECT id FROM groups WHERE source_id = ?2)",
    )?
    .execute(params![employee_id, source_id])?;
    Ok(())
}

pub fn join(conn: &Connection, employee_id: i64, group_id: i64) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO group_memberships VALUES (?1, ?2)")?.execute([employee_id, group_id])?;
    Ok(())
}

/// The SQL that builds a [`Field::Groups`](crate::model::Field::Groups) value (see
/// [`group_ids`](crate::group_ids)) from a query's group ids (`column`, in the order given), for
/// comparing what the directory holds with what a source sends.
pub(crate) fn sql_join(column: &str) -> String {
    format!(r"group_concat(replace(replace({column}, '\', '\\'), ',', '\,'), ',')")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group_ids;

    #[test]
    fn the_sql_join_writes_the_value_the_connectors_write() {
        let conn = Connection::open_in_memory().unwrap();
        let ids = [",", "eng", "eng,ops", r"x\,y"];
        let from_sql: String = conn
            .query_row(
                &format!("SELECT {} FROM (SELECT value AS id FROM json_each(?1) ORDER BY id)", sql_join("id")),
                [serde_json::to_string(&ids).unwrap()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(from_sql, group_ids::join(ids), "an unchanged person's groups read from the directory equal the source's");
    }
}
