//! Keeps what the last full read returned, with each person's standing under the filters, so that
//! "why is this person missing?" is answered from data, not guessed.

use rusqlite::Connection;

use super::plan::{display_name, exclusion_reasons, Filters, OrgNames};
use super::stage;
use crate::error::Result;
use crate::model::Field;

/// Replaces the source's record of fetched people with the staged read; unchanged rows are not rewritten.
pub fn record(conn: &Connection, source_id: i64, filters: &Filters, names: &OrgNames) -> Result<()> {
    let mut upsert = conn.prepare(
        "INSERT INTO fetched_people (source_id, remote_id, name, work_email, employment_status, start_date, end_date, excluded)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, work_email = excluded.work_email,
             employment_status = excluded.employment_status, start_date = excluded.start_date,
             end_date = excluded.end_date, excluded = excluded.excluded
         WHERE name IS NOT excluded.name OR work_email IS NOT excluded.work_email
             OR employment_status IS NOT excluded.employment_status OR start_date IS NOT excluded.start_date
             OR end_date IS NOT excluded.end_date OR excluded IS NOT excluded.excluded",
    )?;
    stage::for_each_employee(conn, |people| -> Result<()> {
        for person in people.filter(|p| !p.deleted) {
            let reasons = exclusion_reasons(&person.values, filters, names);
            let v = &person.values;
            upsert.execute(rusqlite::params![
                source_id,
                person.remote_id,
                display_name(v),
                v.get(Field::WorkEmail),
                v.get(Field::EmploymentStatus),
                v.get(Field::StartDate),
                v.get(Field::EndDate),
                (!reasons.is_empty()).then(|| reasons.join("; ")),
            ])?;
        }
        Ok(())
    })??;
    conn.execute(
        "DELETE FROM fetched_people WHERE source_id = ?1
         AND remote_id NOT IN (SELECT remote_id FROM temp.stage_employees WHERE json_extract(record, '$.deleted') = 0)",
        [source_id],
    )?;
    Ok(())
}
