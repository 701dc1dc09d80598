//! A source's groups (teams, departments) and who belongs to them: the `groups` and
//! `group_memberships` tables.

use std::collections::HashMap;

use crate::connector::RemoteGroup;
use crate::error::Result;
use crate::store::db::{params, Db};

/// Stores a group as read; an unchanged one is not rewritten. Gives the group's id when the row
/// was written (always when it was new).
pub fn upsert(conn: &Db, source_id: i64, group: &RemoteGroup) -> Result<Option<i64>> {
    conn.query_opt(
        "INSERT INTO groups (source_id, remote_id, name, type) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, type = excluded.type
         WHERE groups.name IS DISTINCT FROM excluded.name OR groups.type IS DISTINCT FROM excluded.type
         RETURNING id",
        params![source_id, group.remote_id, group.name, group.kind],
        |r| r.get(0),
    )
}

/// A source's groups: local id by remote id.
pub fn stored(conn: &Db, source_id: i64) -> Result<HashMap<String, i64>> {
    conn.query_iter(
        "SELECT remote_id, id FROM groups WHERE source_id = ?1",
        [source_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
        |rows| rows.collect(),
    )
}

/// The named groups of a source, by remote id.
pub fn names(conn: &Db, source_id: i64) -> Result<HashMap<String, String>> {
    conn.query_iter(
        "SELECT remote_id, name FROM groups WHERE source_id = ?1 AND name IS NOT NULL",
        [source_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
        |rows| rows.collect(),
    )
}

/// The name of one group, if it has one.
pub fn name_of(conn: &Db, source_id: i64, remote_id: &str) -> Result<Option<String>> {
    let name =
        conn.query_opt("SELECT name FROM groups WHERE source_id = ?1 AND remote_id = ?2", params![source_id, remote_id], |r| {
            r.get::<Option<String>>(0)
        })?;
    Ok(name.flatten())
}

/// Every team of a source as (remote id, name or else remote id), by name (unnamed ones first, as
/// SQLite sorts NULL; PostgreSQL would put them last).
pub fn known_teams(conn: &Db, source_id: i64) -> Result<Vec<(String, String)>> {
    conn.query_map(
        "SELECT remote_id, coalesce(name, remote_id) FROM groups WHERE source_id = ?1 AND type = 'TEAM' ORDER BY name NULLS FIRST",
        [source_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Takes the person out of every group of the source.
pub fn leave_all(conn: &Db, employee_id: i64, source_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM group_memberships WHERE employee_id = ?1 AND group_id IN (SELECT id FROM groups WHERE source_id = ?2)",
        [employee_id, source_id],
    )?;
    Ok(())
}

pub fn join(conn: &Db, employee_id: i64, group_id: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO group_memberships (employee_id, group_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        [employee_id, group_id],
    )?;
    Ok(())
}

/// Adds new people to groups, each membership given as (employee id, group id), in one bulk
/// insert (see [`Db::insert_rows`]): people who belong to no group yet, each group given once.
pub fn join_new(conn: &Db, memberships: impl IntoIterator<Item = (i64, i64)>) -> Result<()> {
    let rows = memberships.into_iter().map(|(employee_id, group_id)| [employee_id, group_id]);
    conn.insert_rows("group_memberships", &["employee_id", "group_id"], rows)
}

/// The SQL that builds a [`Field::Groups`](crate::model::Field::Groups) value (see
/// [`group_ids`](crate::group_ids)) from a query's group ids (`column`, in the order given), for
/// comparing what the directory holds with what a source sends.
pub(crate) fn sql_join(column: &str) -> String {
    format!(r"string_agg(replace(replace({column}, '\', '\\'), ',', '\,'), ',')")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group_ids;
    use crate::store::sources::{self, SourceKind};
    use crate::store::Store;

    #[test]
    fn a_group_is_written_and_its_id_given_only_when_new_or_changed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let db = store.conn();
        let source = sources::add(db, "HR", SourceKind::Kombo, &serde_json::json!({}), chrono::Utc::now()).unwrap();
        let team = RemoteGroup { remote_id: "t1".into(), name: Some("Sales".into()), kind: Some("TEAM".into()), deleted: false };

        let id = upsert(db, source.id, &team).unwrap().expect("a new group is written and its id given");
        assert_eq!(upsert(db, source.id, &team).unwrap(), None, "an unchanged group is not rewritten");
        let renamed = RemoteGroup { name: Some("Sales EMEA".into()), ..team };
        assert_eq!(upsert(db, source.id, &renamed).unwrap(), Some(id), "a renamed group is rewritten in place");
        assert_eq!(stored(db, source.id).unwrap(), HashMap::from([("t1".to_owned(), id)]), "one row per remote id");
        assert_eq!(name_of(db, source.id, "t1").unwrap().as_deref(), Some("Sales EMEA"), "the new name is stored");
    }

    #[test]
    fn the_sql_join_writes_the_value_the_connectors_write() {
        let conn = Db::sqlite(rusqlite::Connection::open_in_memory().unwrap());
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
