//! Reads the directory as one source's plan sees it: references expressed in that source's ids.

use std::collections::HashMap;

use rusqlite::Connection;

use super::plan::{LocalEmployee, LocalState};
use crate::error::Result;
use crate::model::{Field, FieldValues};

/// The employee columns that hold a field's value as text, in [`Field`] terms.
pub const TEXT_COLUMNS: [(Field, &str); 12] = [
    (Field::EmployeeNumber, "employee_number"),
    (Field::FirstName, "first_name"),
    (Field::LastName, "last_name"),
    (Field::JobTitle, "job_title"),
    (Field::WorkEmail, "work_email"),
    (Field::PersonalEmail, "personal_email"),
    (Field::MobilePhone, "mobile_phone"),
    (Field::EmploymentStatus, "employment_status"),
    (Field::EmploymentType, "employment_type"),
    (Field::HomeAddress, "home_address"),
    (Field::StartDate, "start_date"),
    (Field::EndDate, "end_date"),
];

pub fn load(conn: &Connection, source_id: i64) -> Result<LocalState> {
    let groups = group_ids(conn, source_id)?;
    let mut owned = owned_elsewhere(conn, source_id)?;
    let mut conflicts = conflicts(conn, source_id)?;
    let text_columns: Vec<String> = TEXT_COLUMNS.iter().map(|(_, c)| format!("e.{c}")).collect();
    let sql = format!(
        "SELECT e.id, l.remote_id, l.missing_since, l.out_of_scope, le.remote_id, wl.remote_id, ml.remote_id, e.departed_at IS NOT NULL, {}
         FROM employees e
         LEFT JOIN employee_links l ON l.employee_id = e.id AND l.source_id = ?1
         LEFT JOIN legal_entities le ON le.id = e.legal_entity_id AND le.source_id = ?1
         LEFT JOIN work_locations wl ON wl.id = e.work_location_id AND wl.source_id = ?1
         LEFT JOIN employee_links ml ON ml.employee_id = e.manager_id AND ml.source_id = ?1",
        text_columns.join(", ")
    );
    let mut state = LocalState::default();
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([source_id])?;
    while let Some(row) = rows.next()? {
        let employee_id: i64 = row.get(0)?;
        let mut values = FieldValues::default();
        values.set(Field::LegalEntity, row.get(4)?);
        values.set(Field::WorkLocation, row.get(5)?);
        values.set(Field::Manager, row.get(6)?);
        for (i, (field, _)) in TEXT_COLUMNS.iter().enumerate() {
            values.set(*field, row.get(8 + i)?);
        }
        values.set(Field::Groups, Some(groups.get(&employee_id).cloned().unwrap_or_default()));
        let employee = LocalEmployee {
            employee_id,
            values,
            missing_since: row.get(2)?,
            out_of_scope: row.get(3)?,
            departed: row.get(7)?,
            owned_elsewhere: owned.remove(&employee_id).unwrap_or_default(),
            conflicts: conflicts.remove(&employee_id).unwrap_or_default(),
        };
        match row.get::<_, Option<String>>(1)? {
            Some(remote_id) => {
                state.linked.insert(remote_id, employee);
            }
            None => {
                if let Some(email) = employee.values.get(Field::WorkEmail) {
                    state.unlinked_by_email.insert(email.to_lowercase(), employee.clone());
                }
                if let Some(number) = employee.values.get(Field::EmployeeNumber) {
                    state.unlinked_by_number.insert(number.to_owned(), employee.clone());
                }
            }
        }
    }
    Ok(state)
}

/// Fields whose stored value came from a source connected before this one (a lower id): values a
/// later run of that source set (provenance rows), and the values it set when it created the
/// person, unless something else has set them since.
fn owned_elsewhere(conn: &Connection, source_id: i64) -> Result<HashMap<i64, Vec<Field>>> {
    let mut out: HashMap<i64, Vec<Field>> = HashMap::new();
    let mut overridden: HashMap<i64, Vec<Field>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT p.employee_id, p.field, coalesce(p.source_id < ?1, 0) FROM field_provenance p",
    )?;
    let mut rows = stmt.query([source_id])?;
    while let Some(row) = rows.next()? {
        let Some(field) = Field::parse(&row.get::<_, String>(1)?) else { continue };
        let employee_id: i64 = row.get(0)?;
        overridden.entry(employee_id).or_default().push(field);
        if row.get::<_, bool>(2)? {
            out.entry(employee_id).or_default().push(field);
        }
    }
    let text_columns: Vec<String> = TEXT_COLUMNS.iter().map(|(_, c)| format!("e.{c} IS NOT NULL")).collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT e.id, e.legal_entity_id IS NOT NULL, e.work_location_id IS NOT NULL, e.manager_id IS NOT NULL,
                EXISTS (SELECT 1 FROM group_memberships gm WHERE gm.employee_id = e.id), {}
         FROM employees e WHERE e.source_id < ?1",
        text_columns.join(", ")
    ))?;
    let mut rows = stmt.query([source_id])?;
    while let Some(row) = rows.next()? {
        let employee_id: i64 = row.get(0)?;
        let mut present = vec![(Field::LegalEntity, row.get(1)?), (Field::WorkLocation, row.get(2)?), (Field::Manager, row.get(3)?)];
        present.push((Field::Groups, row.get(4)?));
        for (i, (field, _)) in TEXT_COLUMNS.iter().enumerate() {
            present.push((*field, row.get(5 + i)?));
        }
        let set_since = overridden.get(&employee_id);
        let owned = out.entry(employee_id).or_default();
        for (field, has_value) in present {
            if has_value && !set_since.is_some_and(|f| f.contains(&field)) && !owned.contains(&field) {
                owned.push(field);
            }
        }
    }
    Ok(out)
}

/// Per employee: each conflicting field with this source's value.
type Conflicts = HashMap<i64, Vec<(Field, Option<String>)>>;

/// This source's recorded conflicts, in field order as the plan lists them.
fn conflicts(conn: &Connection, source_id: i64) -> Result<Conflicts> {
    let mut stmt = conn.prepare("SELECT employee_id, field, value FROM field_conflicts WHERE source_id = ?1")?;
    let mut out = Conflicts::new();
    let mut rows = stmt.query([source_id])?;
    while let Some(row) = rows.next()? {
        if let Some(field) = Field::parse(&row.get::<_, String>(1)?) {
            out.entry(row.get(0)?).or_default().push((field, row.get(2)?));
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|(field, _)| *field);
    }
    Ok(out)
}

/// Each employee's groups of this source, as the sorted, comma-joined remote ids HR sends.
fn group_ids(conn: &Connection, source_id: i64) -> Result<HashMap<i64, String>> {
    let mut stmt = conn.prepare(
        "SELECT gm.employee_id, g.remote_id FROM group_memberships gm
         JOIN groups g ON g.id = gm.group_id AND g.source_id = ?1
         ORDER BY gm.employee_id, g.remote_id",
    )?;
    let mut out: HashMap<i64, String> = HashMap::new();
    let mut rows = stmt.query([source_id])?;
    while let Some(row) = rows.next()? {
        let ids = out.entry(row.get(0)?).or_default();
        if !ids.is_empty() {
            ids.push(',');
        }
        ids.push_str(&row.get::<_, String>(1)?);
    }
    Ok(out)
}
