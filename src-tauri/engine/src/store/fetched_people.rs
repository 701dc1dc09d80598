//! What each source's last read returned: the `fetched_people` and `fetched_counts` tables, so
//! that "why is this person missing?" is answered from data. Of a person the filters exclude,
//! only the HR id, the name, the work email and the reason are kept.

use crate::error::Result;
use crate::model::Field;
use crate::store::db::{params, Db, Dialect, ToDb};

/// One person as a read returned them.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedPerson {
    pub remote_id: String,
    pub name: String,
    pub work_email: Option<String>,
    pub employment_status: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Why the filters exclude the person, if they do.
    pub excluded: Option<String>,
}

/// How many people a full read returned, and how many of them start later or have left: a read
/// with none of either points at an API key that may not see them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub people: i64,
    pub future: i64,
    pub departed: i64,
}

/// A fetched person nobody in the directory is linked to, as "why is this person missing?" lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct Unlinked {
    pub source: String,
    pub name: String,
    pub work_email: Option<String>,
    pub excluded: Option<String>,
    pub start_date: Option<String>,
    pub employment_status: Option<String>,
}

/// A linked source's last-read values of the fields it keeps, beside the directory's.
#[derive(Debug, Clone, PartialEq)]
pub struct LastRead {
    pub source_id: i64,
    pub source: String,
    /// Per field: the source's value, then the directory's.
    pub values: Vec<(Field, Option<String>, Option<String>)>,
}

/// The fields a read keeps, by column (the same in `employees`).
const KEPT: [Field; 4] = [Field::WorkEmail, Field::EmploymentStatus, Field::StartDate, Field::EndDate];

/// Writes fetched people of one source; a row that has not changed is not rewritten.
pub struct Writer<'c> {
    conn: &'c Db,
    source_id: i64,
}

/// People per statement: SQLite runs its prepared one-row statement per person (no round trips);
/// PostgreSQL sends many rows per statement (8 parameters each, far below its 65,535).
fn rows_per_statement(dialect: Dialect) -> usize {
    match dialect {
        Dialect::Sqlite => 1,
        Dialect::Postgres => 1000,
    }
}

/// The upsert of `rows` fetched people, one statement for both stores.
fn upsert_sql(rows: usize) -> String {
    format!(
        "INSERT INTO fetched_people (source_id, remote_id, name, work_email, employment_status, start_date, end_date, excluded)
         VALUES {}
         ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, work_email = excluded.work_email,
             employment_status = excluded.employment_status, start_date = excluded.start_date,
             end_date = excluded.end_date, excluded = excluded.excluded
         WHERE fetched_people.name IS DISTINCT FROM excluded.name
             OR fetched_people.work_email IS DISTINCT FROM excluded.work_email
             OR fetched_people.employment_status IS DISTINCT FROM excluded.employment_status
             OR fetched_people.start_date IS DISTINCT FROM excluded.start_date
             OR fetched_people.end_date IS DISTINCT FROM excluded.end_date
             OR fetched_people.excluded IS DISTINCT FROM excluded.excluded",
        vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; rows].join(", ")
    )
}

impl<'c> Writer<'c> {
    pub fn new(conn: &'c Db, source_id: i64) -> Writer<'c> {
        Writer { conn, source_id }
    }

    /// Writes `people`, none of them twice.
    pub fn write<'p>(&mut self, people: impl IntoIterator<Item = &'p FetchedPerson>) -> Result<()> {
        let per_statement = rows_per_statement(self.conn.dialect());
        let mut people = people.into_iter().peekable();
        while people.peek().is_some() {
            let chunk: Vec<&FetchedPerson> = people.by_ref().take(per_statement).collect();
            let bound: Vec<&dyn ToDb> = chunk
                .iter()
                .flat_map(|p| {
                    params![
                        self.source_id,
                        p.remote_id,
                        p.name,
                        p.work_email,
                        p.employment_status,
                        p.start_date,
                        p.end_date,
                        p.excluded
                    ]
                    .to_vec()
                })
                .collect();
            self.conn.execute(&upsert_sql(chunk.len()), bound.as_slice())?;
        }
        Ok(())
    }
}

pub fn set_counts(conn: &Db, source_id: i64, counts: &Counts) -> Result<()> {
    conn.execute(
        "INSERT INTO fetched_counts (source_id, people, future, departed) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source_id) DO UPDATE SET people = excluded.people, future = excluded.future, departed = excluded.departed
         WHERE fetched_counts.people != excluded.people OR fetched_counts.future != excluded.future
             OR fetched_counts.departed != excluded.departed",
        params![source_id, counts.people, counts.future, counts.departed],
    )?;
    Ok(())
}

/// The counts of the source's last full read, if it had one.
pub fn counts(conn: &Db, source_id: i64) -> Result<Option<Counts>> {
    conn.query_opt("SELECT people, future, departed FROM fetched_counts WHERE source_id = ?1", [source_id], |r| {
        Ok(Counts { people: r.get(0)?, future: r.get(1)?, departed: r.get(2)? })
    })
}

/// Forgets what earlier reads of the source returned.
pub fn forget(conn: &Db, source_id: i64) -> Result<()> {
    conn.execute("DELETE FROM fetched_people WHERE source_id = ?1", [source_id])?;
    Ok(())
}

/// Forgets the people the staged read says were deleted in HR; after a full read (`all_staged`),
/// also everyone it did not return.
pub fn forget_not_staged(conn: &Db, source_id: i64, all_staged: bool) -> Result<()> {
    // The staged record is JSON text: each dialect reads its `deleted` flag with its own functions.
    let deleted = match conn.dialect() {
        Dialect::Sqlite => "json_extract(record, '$.deleted') = 1",
        Dialect::Postgres => "(CAST(record AS jsonb) ->> 'deleted') = 'true'",
    };
    conn.execute(
        &format!(
            "DELETE FROM fetched_people WHERE source_id = ?1
             AND remote_id IN (SELECT remote_id FROM stage_employees WHERE {deleted})"
        ),
        [source_id],
    )?;
    if all_staged {
        conn.execute(
            "DELETE FROM fetched_people WHERE source_id = ?1 AND remote_id NOT IN (SELECT remote_id FROM stage_employees)",
            [source_id],
        )?;
    }
    Ok(())
}

/// Forgets the person's records in every source that links them.
pub fn forget_linked_to(conn: &Db, employee_id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM fetched_people WHERE (source_id, remote_id) IN (SELECT source_id, remote_id FROM employee_links WHERE employee_id = ?1)",
        [employee_id],
    )?;
    Ok(())
}

/// Fetched people nobody is linked to whose name or work email contains `pattern` (an SQL LIKE
/// pattern, lower case), by name, at most 20.
pub fn unlinked_matching(conn: &Db, pattern: &str) -> Result<Vec<Unlinked>> {
    conn.query_map(
        "SELECT s.name, f.name, f.work_email, f.excluded, f.start_date, f.employment_status FROM fetched_people f
         JOIN sources s ON s.id = f.source_id
         WHERE (lower(f.name) LIKE ?1 OR lower(f.work_email) LIKE ?1)
           AND f.remote_id NOT IN (SELECT remote_id FROM employee_links WHERE source_id = f.source_id)
         ORDER BY f.name LIMIT 20",
        [pattern],
        |r| {
            Ok(Unlinked {
                source: r.get(0)?,
                name: r.get(1)?,
                work_email: r.get(2)?,
                excluded: r.get(3)?,
                start_date: r.get(4)?,
                employment_status: r.get(5)?,
            })
        },
    )
}

/// The last read of each source that links the person in scope and included them, in connection order.
pub fn last_reads(conn: &Db, employee_id: i64) -> Result<Vec<LastRead>> {
    let columns = KEPT.iter().map(|f| format!("f.{f}, e.{f}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT s.id, s.name, {columns} FROM employee_links l
         JOIN sources s ON s.id = l.source_id
         JOIN fetched_people f ON f.source_id = l.source_id AND f.remote_id = l.remote_id
         JOIN employees e ON e.id = l.employee_id
         WHERE l.employee_id = ?1 AND l.out_of_scope IS NULL AND f.excluded IS NULL ORDER BY s.id"
    );
    conn.query_map(&sql, [employee_id], |row| {
        let values = KEPT
            .iter()
            .enumerate()
            .map(|(i, field)| Ok((*field, row.get(2 + 2 * i)?, row.get(3 + 2 * i)?)))
            .collect::<Result<_>>()?;
        Ok(LastRead { source_id: row.get(0)?, source: row.get(1)?, values })
    })
}
