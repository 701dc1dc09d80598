//! The directory as one source's plan sees it: references expressed in that source's ids, with
//! who owns which field and the source's recorded conflicts.

use std::collections::{HashMap, VecDeque};

use crate::connector::RemoteEmployee;
use crate::error::{Error, Result};
use crate::model::{Field, FieldValues, LocalEmployee, LocalState};
use crate::params;
use crate::store::db::{Db, Dialect, Row};
use crate::store::employees::TEXT_COLUMNS;
use crate::store::groups::sql_join;

/// Reads local employees as one source sees them. The sparse maps (ownership by earlier sources,
/// recorded conflicts) are loaded once; employees are streamed.
pub struct LocalReader {
    source_id: i64,
    owned: HashMap<i64, Vec<Field>>,
    conflicts: Conflicts,
}

/// The columns [`LocalReader::employee`] reads, after whatever a query selects first.
fn local_columns() -> String {
    let text: Vec<String> = TEXT_COLUMNS.iter().map(|(_, c)| format!("e.{c}")).collect();
    format!(
        "e.id, l.missing_since, l.out_of_scope, e.departed_at IS NOT NULL, le.remote_id, wl.remote_id, ml.remote_id,
         (SELECT {} FROM (SELECT g.remote_id FROM group_memberships gm CROSS JOIN groups g
             WHERE g.id = gm.group_id AND g.source_id = ?1 AND gm.employee_id = e.id ORDER BY g.remote_id) ids),
         {}",
        sql_join("remote_id"),
        text.join(", ")
    )
}

/// PostgreSQL: staged people read at a time by [`LocalReader::with_feed`].
const FEED_BATCH: usize = 5000;

/// References are read in this source's ids: another source's legal entity is "none" here.
const LOCAL_JOINS: &str = "LEFT JOIN legal_entities le ON le.id = e.legal_entity_id AND le.source_id = ?1
     LEFT JOIN work_locations wl ON wl.id = e.work_location_id AND wl.source_id = ?1
     LEFT JOIN employee_links ml ON ml.employee_id = e.manager_id AND ml.source_id = ?1";

impl LocalReader {
    pub fn new(conn: &Db, source_id: i64) -> Result<LocalReader> {
        Ok(LocalReader { source_id, owned: owned_elsewhere(conn, source_id)?, conflicts: conflicts(conn, source_id)? })
    }

    /// The employee at column `at` onwards, if the row has one.
    fn employee(&self, row: &Row<'_>, at: usize) -> Result<Option<LocalEmployee>> {
        let Some(employee_id) = row.get::<Option<i64>>(at)? else { return Ok(None) };
        let mut values = FieldValues::default();
        values.set(Field::LegalEntity, row.get(at + 4)?);
        values.set(Field::WorkLocation, row.get(at + 5)?);
        values.set(Field::Manager, row.get(at + 6)?);
        values.set(Field::Groups, row.get(at + 7)?);
        for (i, (field, _)) in TEXT_COLUMNS.iter().enumerate() {
            values.set(*field, row.get(at + 8 + i)?);
        }
        Ok(Some(LocalEmployee {
            employee_id,
            values,
            missing_since: row.get(at + 1)?,
            out_of_scope: row.get(at + 2)?,
            departed: row.get(at + 3)?,
            owned_elsewhere: self.owned.get(&employee_id).cloned().unwrap_or_default(),
            conflicts: self.conflicts.get(&employee_id).cloned().unwrap_or_default(),
        }))
    }

    /// People not yet linked to this source, by work email and employee number, for the first meeting;
    /// and how many people the source links now.
    pub fn state(&self, conn: &Db) -> Result<LocalState> {
        let sql = format!(
            "SELECT {} FROM employees e LEFT JOIN employee_links l ON l.employee_id = e.id AND l.source_id = ?1 {LOCAL_JOINS}
             WHERE NOT EXISTS (SELECT 1 FROM employee_links x WHERE x.employee_id = e.id AND x.source_id = ?1)",
            local_columns()
        );
        let mut state = LocalState { linked_count: super::employee_links::count(conn, self.source_id)?, ..LocalState::default() };
        conn.query_iter(
            &sql,
            [self.source_id],
            |row| self.employee(row, 0),
            |rows| {
                for employee in rows.flatten() {
                    if let Some(email) = employee.values.get(Field::WorkEmail) {
                        state.unlinked_by_email.insert(email.to_lowercase(), employee.clone());
                    }
                    if let Some(number) = employee.values.get(Field::EmployeeNumber) {
                        state.unlinked_by_number.insert(number.to_owned(), employee);
                    }
                }
            },
        )?;
        Ok(state)
    }

    /// Calls `each` with the staged people, each beside the employee this source already links to
    /// them (if any), in id order, one at a time.
    pub fn with_feed<T>(
        &self,
        conn: &Db,
        each: impl FnOnce(&mut dyn Iterator<Item = (RemoteEmployee, Option<LocalEmployee>)>) -> T,
    ) -> Result<T> {
        let sql = |after: &str, limit: &str| {
            format!(
                "SELECT s.record, {} FROM stage_employees s
                 LEFT JOIN employee_links l ON l.source_id = ?1 AND l.remote_id = s.remote_id
                 LEFT JOIN employees e ON e.id = l.employee_id {LOCAL_JOINS}
                 {after} ORDER BY s.remote_id {limit}",
                local_columns()
            )
        };
        let decode = |row: &Row<'_>| -> Result<_> {
            let remote: RemoteEmployee = serde_json::from_str(&row.get::<String>(0)?)?;
            Ok((remote, self.employee(row, 1)?))
        };
        match conn.dialect() {
            // Dialect: SQLite hands over each row as it is consumed.
            Dialect::Sqlite => conn.query_iter(&sql("", ""), [self.source_id], decode, each),
            // Dialect: PostgreSQL receives a statement's rows whole before they are consumed:
            // they are read a batch at a time, after the last id read, so that the whole
            // company's records are never in memory at once.
            Dialect::Postgres => {
                let limit = format!("LIMIT {FEED_BATCH}");
                let (first, next) = (sql("", &limit), sql("WHERE s.remote_id > ?2", &limit));
                let mut batch = VecDeque::new();
                // The last id read; whether the last batch was the end; what failed.
                let (mut after, mut read_all, mut failure): (Option<String>, bool, Option<Error>) = (None, false, None);
                let result = {
                    let mut feed = std::iter::from_fn(|| {
                        if batch.is_empty() && !read_all {
                            let read = match &after {
                                None => conn.query_map(&first, [self.source_id], decode),
                                Some(last) => conn.query_map(&next, params![self.source_id, last], decode),
                            };
                            match read {
                                Ok(rows) => {
                                    read_all = rows.len() < FEED_BATCH;
                                    after = rows.last().map(|(person, _)| person.remote_id.clone());
                                    batch.extend(rows);
                                }
                                Err(e) => (read_all, failure) = (true, Some(e)),
                            }
                        }
                        batch.pop_front()
                    });
                    each(&mut feed)
                };
                failure.map_or(Ok(result), Err)
            }
        }
    }

    /// People this source links who are not in the staged read: after a full read, everyone absent;
    /// after an incremental one, only those already missing (their grace period runs on).
    pub fn absent(&self, conn: &Db, full_read: bool) -> Result<Vec<(String, LocalEmployee)>> {
        let sql = format!(
            "SELECT l.remote_id, {} FROM employee_links l JOIN employees e ON e.id = l.employee_id {LOCAL_JOINS}
             WHERE l.source_id = ?1 AND (?2 OR l.missing_since IS NOT NULL)
               AND l.remote_id NOT IN (SELECT remote_id FROM stage_employees)
             ORDER BY l.remote_id",
            local_columns()
        );
        let absent = conn.query_map(&sql, params![self.source_id, full_read], |row| {
            Ok(self.employee(row, 1)?.map(|employee| (row.get::<String>(0), employee)))
        })?;
        absent.into_iter().flatten().map(|(remote_id, employee)| Ok((remote_id?, employee))).collect()
    }
}

/// Fields whose stored value came from a source connected before this one (a lower id): values a
/// later run of that source set (provenance rows), and the values it set when it created the
/// person, unless something else has set them since.
fn owned_elsewhere(conn: &Db, source_id: i64) -> Result<HashMap<i64, Vec<Field>>> {
    let mut out: HashMap<i64, Vec<Field>> = HashMap::new();
    let mut overridden: HashMap<i64, Vec<Field>> = HashMap::new();
    let provenance = "SELECT p.employee_id, p.field, coalesce(p.source_id < ?1, FALSE) FROM field_provenance p";
    let decode = |row: &Row<'_>| Ok((row.get::<i64>(0)?, row.get::<String>(1)?, row.get::<bool>(2)?));
    conn.query_iter(provenance, [source_id], decode, |rows| {
        for (employee_id, field, earlier) in rows {
            let Some(field) = Field::parse(&field) else { continue };
            overridden.entry(employee_id).or_default().push(field);
            if earlier {
                out.entry(employee_id).or_default().push(field);
            }
        }
    })?;
    let text_columns: Vec<String> = TEXT_COLUMNS.iter().map(|(_, c)| format!("e.{c} IS NOT NULL")).collect();
    let created = format!(
        "SELECT e.id, e.legal_entity_id IS NOT NULL, e.work_location_id IS NOT NULL, e.manager_id IS NOT NULL,
                EXISTS (SELECT 1 FROM group_memberships gm WHERE gm.employee_id = e.id), {}
         FROM employees e WHERE e.source_id < ?1",
        text_columns.join(", ")
    );
    let decode = |row: &Row<'_>| -> Result<(i64, Vec<(Field, bool)>)> {
        let mut present =
            vec![(Field::LegalEntity, row.get(1)?), (Field::WorkLocation, row.get(2)?), (Field::Manager, row.get(3)?)];
        present.push((Field::Groups, row.get(4)?));
        for (i, (field, _)) in TEXT_COLUMNS.iter().enumerate() {
            present.push((*field, row.get(5 + i)?));
        }
        Ok((row.get(0)?, present))
    };
    conn.query_iter(&created, [source_id], decode, |rows| {
        for (employee_id, present) in rows {
            let set_since = overridden.get(&employee_id);
            let owned = out.entry(employee_id).or_default();
            for (field, has_value) in present {
                if has_value && !set_since.is_some_and(|f| f.contains(&field)) && !owned.contains(&field) {
                    owned.push(field);
                }
            }
        }
    })?;
    Ok(out)
}

/// Per employee: each conflicting field with this source's value.
type Conflicts = HashMap<i64, Vec<(Field, Option<String>)>>;

/// This source's recorded conflicts, in field order as the plan lists them.
fn conflicts(conn: &Db, source_id: i64) -> Result<Conflicts> {
    let mut out = Conflicts::new();
    let sql = "SELECT employee_id, field, value FROM field_conflicts WHERE source_id = ?1";
    let decode = |row: &Row<'_>| Ok((row.get::<i64>(0)?, row.get::<String>(1)?, row.get::<Option<String>>(2)?));
    conn.query_iter(sql, [source_id], decode, |rows| {
        for (employee_id, field, value) in rows {
            if let Some(field) = Field::parse(&field) {
                out.entry(employee_id).or_default().push((field, value));
            }
        }
    })?;
    for list in out.values_mut() {
        list.sort_by_key(|(field, _)| *field);
    }
    Ok(out)
}
