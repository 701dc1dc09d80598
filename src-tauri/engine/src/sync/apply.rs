//! The writing half of a sync: executes a [`SyncPlan`] inside the caller's transaction.
//! Every write is guarded so that an unchanged record costs a read, never a write.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::local::TEXT_COLUMNS;
use super::plan::{Action, SyncPlan};
use crate::connector::{RemoteGroup, RemoteSite};
use crate::error::Result;
use crate::model::{Field, FieldValues};
use crate::store::change_log::{self, Actor, Entry};
use crate::store::employees;
use crate::timezones::zone_of_country;

/// Who and when, for provenance and the change log.
pub struct Stamp<'a> {
    pub source_id: i64,
    pub run_id: i64,
    pub now: &'a str,
}

/// Local ids of the source's organisation units, by remote id.
#[derive(Default)]
struct OrgIds {
    legal_entities: HashMap<String, i64>,
    work_locations: HashMap<String, i64>,
    groups: HashMap<String, i64>,
}

/// `created` gives the HR values of a person the plan creates.
pub fn apply(
    conn: &Connection,
    plan: &SyncPlan,
    created: &dyn Fn(&str) -> Result<FieldValues>,
    legal_entities: &[RemoteSite],
    work_locations: &[RemoteSite],
    groups: &[RemoteGroup],
    stamp: &Stamp<'_>,
) -> Result<()> {
    let started = std::time::Instant::now();
    let mut ids = OrgIds {
        legal_entities: upsert_sites(conn, "legal_entities", legal_entities, stamp.source_id)?,
        work_locations: upsert_sites(conn, "work_locations", work_locations, stamp.source_id)?,
        groups: upsert_groups(conn, groups, stamp.source_id)?,
    };
    // Incremental reads bring only changed units: the rest are already stored.
    ids.legal_entities.extend(stored_ids(conn, "legal_entities", stamp.source_id)?);
    ids.work_locations.extend(stored_ids(conn, "work_locations", stamp.source_id)?);
    ids.groups.extend(stored_ids(conn, "groups", stamp.source_id)?);

    // Managers are set after every employee exists, since a manager may be created by this same
    // plan. The flag says whether the value needs a provenance row (not for people created now).
    let mut managers: Vec<(i64, Option<String>, bool)> = Vec::new();
    let last_id = employees::last_id(conn)?;
    for planned in &plan.employees {
        match &planned.action {
            Action::Create => {
                let values = created(&planned.remote_id)?;
                let employee_id = create(conn, &values, &ids, stamp)?;
                link(conn, stamp.source_id, &planned.remote_id, employee_id)?;
                if let Some(manager) = values.get(Field::Manager) {
                    managers.push((employee_id, Some(manager.to_owned()), false));
                }
            }
            Action::Update { employee_id, matched, changes, conflicts, restored, .. } => {
                if matched.is_some() {
                    link(conn, stamp.source_id, &planned.remote_id, *employee_id)?;
                    log(conn, *employee_id, stamp, "linked", None, None, None)?;
                }
                if *restored {
                    conn.prepare_cached(
                        "UPDATE employee_links SET missing_since = NULL, out_of_scope = NULL WHERE source_id = ?1 AND remote_id = ?2")?.execute(params![stamp.source_id, planned.remote_id],)?;
                    conn.prepare_cached("UPDATE employees SET departed_at = NULL WHERE id = ?1")?.execute([employee_id])?;
                    log(conn, *employee_id, stamp, "restored", None, None, None)?;
                }
                conn.prepare_cached("DELETE FROM field_conflicts WHERE employee_id = ?1 AND source_id = ?2")?
                    .execute(params![employee_id, stamp.source_id])?;
                for conflict in conflicts {
                    conn.prepare_cached(
                        "INSERT INTO field_conflicts (employee_id, field, source_id, value) VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![
                        employee_id,
                        conflict.field.name(),
                        stamp.source_id,
                        conflict.theirs
                    ])?;
                }
                for change in changes {
                    if change.field == Field::Manager {
                        managers.push((*employee_id, change.new.clone(), true));
                    } else {
                        write_field(conn, *employee_id, change.field, change.new.as_deref(), &ids, stamp)?;
                    }
                    log(conn, *employee_id, stamp, "updated", Some(change.field), change.old.as_deref(), change.new.as_deref())?;
                }
                if !changes.is_empty() {
                    conn.prepare_cached("UPDATE employees SET updated_at = ?2 WHERE id = ?1")?
                        .execute(params![employee_id, stamp.now])?;
                }
            }
            Action::Exclude { employee_id: Some(employee_id), reasons } => {
                let reason = reasons.join("; ");
                conn.prepare_cached("UPDATE employee_links SET out_of_scope = ?3 WHERE source_id = ?1 AND remote_id = ?2")?
                    .execute(params![stamp.source_id, planned.remote_id, reason])?;
                log(conn, *employee_id, stamp, "out_of_scope", None, None, Some(&reason))?;
            }
            Action::Exclude { employee_id: None, .. } => {}
            Action::Missing { employee_id, since } => {
                conn.prepare_cached("UPDATE employee_links SET missing_since = ?3 WHERE source_id = ?1 AND remote_id = ?2")?
                    .execute(params![stamp.source_id, planned.remote_id, since])?;
                log(conn, *employee_id, stamp, "missing", None, None, Some(since))?;
            }
            Action::Depart { employee_id, missing_since } => {
                conn.prepare_cached("UPDATE employees SET departed_at = ?2 WHERE id = ?1 AND departed_at IS NULL")?
                    .execute(params![employee_id, stamp.now])?;
                log(conn, *employee_id, stamp, "departed", None, Some(missing_since), None)?;
            }
        }
    }
    tracing::debug!(elapsed = ?started.elapsed(), "employees written");
    employees::index_new(conn, last_id)?;
    tracing::debug!(elapsed = ?started.elapsed(), "new people indexed for search");
    set_managers(conn, &managers, stamp)?;
    tracing::debug!(elapsed = ?started.elapsed(), "managers set");
    refresh_time_zones(conn, stamp.source_id)?;
    tracing::debug!(elapsed = ?started.elapsed(), "time zones set");
    Ok(())
}

/// A new person in one insert. Their values' provenance is the row's own source and run, so no
/// per-field rows are written; the change log's "created" entry is the row itself.
fn create(conn: &Connection, values: &FieldValues, ids: &OrgIds, stamp: &Stamp<'_>) -> Result<i64> {
    let columns: Vec<&str> = TEXT_COLUMNS.iter().map(|(_, c)| *c).collect();
    let placeholders: Vec<String> = (1..=columns.len() + 6).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO employees ({}, legal_entity_id, work_location_id, source_id, run_id, created_at, updated_at) VALUES ({})",
        columns.join(", "),
        placeholders.join(", ")
    );
    let local = |field: Field, map: &HashMap<String, i64>| values.get(field).and_then(|v| map.get(v).copied());
    let mut bound: Vec<Box<dyn rusqlite::ToSql>> =
        TEXT_COLUMNS.iter().map(|(f, _)| Box::new(values.get(*f).map(str::to_owned)) as Box<dyn rusqlite::ToSql>).collect();
    bound.push(Box::new(local(Field::LegalEntity, &ids.legal_entities)));
    bound.push(Box::new(local(Field::WorkLocation, &ids.work_locations)));
    bound.push(Box::new(stamp.source_id));
    bound.push(Box::new(stamp.run_id));
    bound.push(Box::new(stamp.now));
    bound.push(Box::new(stamp.now));
    conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(bound.iter()))?;
    let employee_id = conn.last_insert_rowid();
    set_groups(conn, employee_id, values.get(Field::Groups), ids, stamp, true)?;
    Ok(employee_id)
}

fn link(conn: &Connection, source_id: i64, remote_id: &str, employee_id: i64) -> Result<()> {
    conn.prepare_cached("INSERT INTO employee_links (source_id, remote_id, employee_id) VALUES (?1, ?2, ?3)")?
        .execute(params![source_id, remote_id, employee_id])?;
    Ok(())
}

/// Stores one field's value (references resolved to local ids) and records where it came from.
fn write_field(
    conn: &Connection,
    employee_id: i64,
    field: Field,
    value: Option<&str>,
    ids: &OrgIds,
    stamp: &Stamp<'_>,
) -> Result<()> {
    let local = |map: &HashMap<String, i64>| value.and_then(|v| map.get(v).copied());
    match field {
        Field::LegalEntity => {
            conn.prepare_cached("UPDATE employees SET legal_entity_id = ?2 WHERE id = ?1")?
                .execute(params![employee_id, local(&ids.legal_entities)])?;
        }
        Field::WorkLocation => {
            conn.prepare_cached("UPDATE employees SET work_location_id = ?2 WHERE id = ?1")?
                .execute(params![employee_id, local(&ids.work_locations)])?;
        }
        Field::Groups => set_groups(conn, employee_id, value, ids, stamp, false)?,
        Field::Manager => unreachable!("managers are resolved after every employee of the plan exists"),
        _ => {
            let column =
                TEXT_COLUMNS.iter().find(|(f, _)| *f == field).map(|(_, c)| *c).expect("every other field is a text column");
            conn.prepare_cached(&format!("UPDATE employees SET {column} = ?2 WHERE id = ?1"))?
                .execute(params![employee_id, value])?;
        }
    }
    provenance(conn, employee_id, field, stamp)
}

/// Resolves managers (remote ids) to employees in one statement: a plan that creates a company
/// sets tens of thousands of them.
fn set_managers(conn: &Connection, managers: &[(i64, Option<String>, bool)], stamp: &Stamp<'_>) -> Result<()> {
    conn.execute_batch("CREATE TEMP TABLE IF NOT EXISTS pending_managers (employee_id INTEGER PRIMARY KEY, manager TEXT); DELETE FROM temp.pending_managers;")?;
    let mut insert = conn.prepare_cached("INSERT INTO temp.pending_managers VALUES (?1, ?2)")?;
    for (employee_id, manager, record_provenance) in managers {
        insert.execute(params![employee_id, manager])?;
        if *record_provenance {
            provenance(conn, *employee_id, Field::Manager, stamp)?;
        }
    }
    conn.prepare_cached(
        "UPDATE employees SET manager_id = (SELECT l.employee_id FROM employee_links l WHERE l.source_id = ?1 AND l.remote_id = p.manager)
         FROM temp.pending_managers p WHERE employees.id = p.employee_id",
    )?
    .execute([stamp.source_id])?;
    conn.execute_batch("DROP TABLE temp.pending_managers")?;
    Ok(())
}

/// Replaces the person's groups of this source with `value`'s; a new person has none to remove.
fn set_groups(
    conn: &Connection,
    employee_id: i64,
    value: Option<&str>,
    ids: &OrgIds,
    stamp: &Stamp<'_>,
    new: bool,
) -> Result<()> {
    if !new {
        conn.prepare_cached(
            "DELETE FROM group_memberships WHERE employee_id = ?1 AND group_id IN (SELECT id FROM groups WHERE source_id = ?2)",
        )?
        .execute(params![employee_id, stamp.source_id])?;
    }
    for group in value.unwrap_or_default().split(',').filter_map(|g| ids.groups.get(g)) {
        conn.prepare_cached("INSERT OR IGNORE INTO group_memberships VALUES (?1, ?2)")?.execute(params![employee_id, group])?;
    }
    Ok(())
}

fn provenance(conn: &Connection, employee_id: i64, field: Field, stamp: &Stamp<'_>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO field_provenance (employee_id, field, source_id, run_id, set_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (employee_id, field) DO UPDATE SET source_id = excluded.source_id, run_id = excluded.run_id, set_at = excluded.set_at")?.execute(params![employee_id, field.name(), stamp.source_id, stamp.run_id, stamp.now],)?;
    Ok(())
}

fn log(
    conn: &Connection,
    employee_id: i64,
    stamp: &Stamp<'_>,
    action: &str,
    field: Option<Field>,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<()> {
    let actor = Actor::Sync { source_id: stamp.source_id, run_id: stamp.run_id };
    change_log::record(conn, &Entry { at: stamp.now, employee_id, actor, action, field, old, new })
}

fn upsert_sites(conn: &Connection, table: &str, sites: &[RemoteSite], source_id: i64) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare(&format!(
        "INSERT INTO {table} (source_id, remote_id, name, address, time_zone) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, address = excluded.address, time_zone = excluded.time_zone
         WHERE name IS NOT excluded.name OR address IS NOT excluded.address OR time_zone IS NOT excluded.time_zone"
    ))?;
    for site in sites {
        let zone = site.country.as_deref().and_then(zone_of_country);
        stmt.execute(params![source_id, site.remote_id, site.name, site.address, zone])?;
    }
    stored_ids(conn, table, source_id)
}

fn upsert_groups(conn: &Connection, groups: &[RemoteGroup], source_id: i64) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare(
        "INSERT INTO groups (source_id, remote_id, name, type) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, type = excluded.type
         WHERE name IS NOT excluded.name OR type IS NOT excluded.type",
    )?;
    for group in groups {
        stmt.execute(params![source_id, group.remote_id, group.name, group.kind])?;
    }
    stored_ids(conn, "groups", source_id)
}

fn stored_ids(conn: &Connection, table: &str, source_id: i64) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare(&format!("SELECT remote_id, id FROM {table} WHERE source_id = ?1"))?;
    let rows = stmt.query_map([source_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Keeps each employee's zone in step with their work location, else their legal entity.
fn refresh_time_zones(conn: &Connection, source_id: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE employees SET time_zone = zone FROM (
             SELECT e.id AS eid, COALESCE(wl.time_zone, le.time_zone) AS zone
             FROM employee_links l JOIN employees e ON e.id = l.employee_id
             LEFT JOIN work_locations wl ON wl.id = e.work_location_id
             LEFT JOIN legal_entities le ON le.id = e.legal_entity_id
             WHERE l.source_id = ?1
         ) WHERE employees.id = eid AND employees.time_zone IS NOT zone",
    )?
    .execute([source_id])?;
    Ok(())
}
