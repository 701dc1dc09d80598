//! Values a source holds for a field that another source, connected first, owns: the
//! `field_conflicts` table.

use rusqlite::{params, Connection};

use crate::error::Result;
use crate::model::Field;

/// Replaces the source's recorded conflicts on the person with `conflicts` (field, the source's value).
pub fn replace<'v>(
    conn: &Connection,
    employee_id: i64,
    source_id: i64,
    conflicts: impl IntoIterator<Item = (Field, Option<&'v str>)>,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM field_conflicts WHERE employee_id = ?1 AND source_id = ?2")?
        .execute(params![employee_id, source_id])?;
    for (field, value) in conflicts {
        conn.prepare_cached("INSERT INTO field_conflicts (employee_id, field, source_id, value) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![employee_id, field.name(), source_id, value])?;
    }
    Ok(())
}

/// Each source's conflicting value for the person's field, as "source: value", in connection order.
pub fn described(conn: &Connection, employee_id: i64, field: Field) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT s.name || ': ' || coalesce(c.value, '(empty)') FROM field_conflicts c JOIN sources s ON s.id = c.source_id
         WHERE c.employee_id = ?1 AND c.field = ?2 ORDER BY s.id",
    )?;
    let described = stmt.query_map(params![employee_id, field.name()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(described)
}

pub fn exists(conn: &Connection, employee_id: i64, field: Field, source_id: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM field_conflicts WHERE employee_id = ?1 AND field = ?2 AND source_id = ?3)",
        params![employee_id, field.name(), source_id],
        |r| r.get(0),
    )?)
}

/// Forgets every conflict on the field of the people the source links.
pub fn forget_field(conn: &Connection, source_id: i64, field: Field) -> Result<()> {
    conn.execute(
        "DELETE FROM field_conflicts WHERE field = ?2 AND employee_id IN (SELECT employee_id FROM employee_links WHERE source_id = ?1)",
        params![source_id, field.name()],
    )?;
    Ok(())
}
