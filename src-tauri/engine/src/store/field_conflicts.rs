//! Values a source holds for a field that another source, connected first, owns: the
//! `field_conflicts` table.

use crate::error::Result;
use crate::model::Field;
use crate::store::db::{params, Db};

/// Replaces the source's recorded conflicts on the person with `conflicts` (field, the source's value).
pub fn replace<'v>(
    conn: &Db,
    employee_id: i64,
    source_id: i64,
    conflicts: impl IntoIterator<Item = (Field, Option<&'v str>)>,
) -> Result<()> {
    conn.execute("DELETE FROM field_conflicts WHERE employee_id = ?1 AND source_id = ?2", [employee_id, source_id])?;
    for (field, value) in conflicts {
        conn.execute(
            "INSERT INTO field_conflicts (employee_id, field, source_id, value) VALUES (?1, ?2, ?3, ?4)",
            params![employee_id, field.name(), source_id, value],
        )?;
    }
    Ok(())
}

/// Each source's conflicting value for the person's field, as "source: value", in connection order.
pub fn described(conn: &Db, employee_id: i64, field: Field) -> Result<Vec<String>> {
    conn.query_map(
        "SELECT s.name || ': ' || coalesce(c.value, '(empty)') FROM field_conflicts c JOIN sources s ON s.id = c.source_id
         WHERE c.employee_id = ?1 AND c.field = ?2 ORDER BY s.id",
        params![employee_id, field.name()],
        |r| r.get(0),
    )
}

pub fn exists(conn: &Db, employee_id: i64, field: Field, source_id: i64) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM field_conflicts WHERE employee_id = ?1 AND field = ?2 AND source_id = ?3)",
        params![employee_id, field.name(), source_id],
        |r| r.get(0),
    )
}

/// Forgets every conflict on the field of the people the source links.
pub fn forget_field(conn: &Db, source_id: i64, field: Field) -> Result<()> {
    conn.execute(
        "DELETE FROM field_conflicts WHERE field = ?2 AND employee_id IN (SELECT employee_id FROM employee_links WHERE source_id = ?1)",
        params![source_id, field.name()],
    )?;
    Ok(())
}
