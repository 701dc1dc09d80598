//! Where each value came from: the `field_provenance` table. A value set when the person was
//! created has no row: its provenance is the employee row's own source and run.

use crate::error::Result;
use crate::model::Field;
use crate::store::db::{params, Db};

/// The source and run that set a value; neither for a value typed in Roster.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provenance {
    pub source_id: Option<i64>,
    pub source: Option<String>,
    pub run_id: Option<i64>,
}

/// Records that `source_id`'s run `run_id` (none for a value set by hand) set the field at `at`.
pub fn record(conn: &Db, employee_id: i64, field: Field, source_id: Option<i64>, run_id: Option<i64>, at: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO field_provenance (employee_id, field, source_id, run_id, set_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (employee_id, field) DO UPDATE SET source_id = excluded.source_id, run_id = excluded.run_id, set_at = excluded.set_at",
        params![employee_id, field.name(), source_id, run_id, at],
    )?;
    Ok(())
}

/// What set the field after the person was created, if anything did.
pub fn of(conn: &Db, employee_id: i64, field: Field) -> Result<Option<Provenance>> {
    conn.query_opt(
        "SELECT p.source_id, s.name, p.run_id FROM field_provenance p LEFT JOIN sources s ON s.id = p.source_id
         WHERE p.employee_id = ?1 AND p.field = ?2",
        params![employee_id, field.name()],
        |r| Ok(Provenance { source_id: r.get(0)?, source: r.get(1)?, run_id: r.get(2)? }),
    )
}

/// The source and run that created the person.
pub fn of_creation(conn: &Db, employee_id: i64) -> Result<Provenance> {
    conn.query_row(
        "SELECT e.source_id, s.name, e.run_id FROM employees e LEFT JOIN sources s ON s.id = e.source_id WHERE e.id = ?1",
        [employee_id],
        |r| Ok(Provenance { source_id: r.get(0)?, source: r.get(1)?, run_id: r.get(2)? }),
    )
}
