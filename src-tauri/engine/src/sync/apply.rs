//! The writing half of a sync: executes a [`SyncPlan`] inside the caller's transaction.
//! Every write is guarded so that an unchanged record costs a read, never a write.

use std::collections::{HashMap, VecDeque};
use std::sync::LazyLock;

use rusqlite::{params, Connection};

use super::local::TEXT_COLUMNS;
use super::plan::{Action, PlannedEmployee, SyncPlan};
use crate::connector::{RemoteGroup, RemoteSite};
use crate::error::Result;
use crate::group_ids;
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

/// The organisation units a person refers to, as local ids, by the source's remote id. Sites
/// keep their time zone, so that a new person's zone is set as they are created.
struct OrgIds {
    legal_entities: HashMap<String, (i64, Option<String>)>,
    work_locations: HashMap<String, (i64, Option<String>)>,
    groups: HashMap<String, i64>,
}

impl OrgIds {
    /// The local ids of the groups a Groups value names (the source's ids, see [`group_ids`]).
    fn groups_of<'v>(&'v self, value: Option<&str>) -> impl Iterator<Item = i64> + 'v {
        group_ids::split(value.unwrap_or_default()).into_iter().filter_map(|g| self.groups.get(&g).copied())
    }
}

/// The two tables of sites, which share their shape.
#[derive(Clone, Copy)]
pub enum Sites {
    LegalEntities,
    WorkLocations,
}

impl Sites {
    fn table(self) -> &'static str {
        match self {
            Sites::LegalEntities => "legal_entities",
            Sites::WorkLocations => "work_locations",
        }
    }
}

/// Writes a plan person by person, inside the caller's transaction: a staged sync feeds it the
/// whole plan, a first sync each person as they are read. What needs every person in place
/// (search index, managers created later, time zones) is done by [`Applier::finish`].
pub struct Applier<'a> {
    conn: &'a Connection,
    stamp: &'a Stamp<'a>,
    ids: OrgIds,
    /// Links made by this apply, not yet written: until then, `linked` answers for them.
    new_links: VecDeque<(String, i64)>,
    /// Group memberships of people created by this apply, not yet written (see [`Applier::catch_up`]).
    new_memberships: VecDeque<(i64, i64)>,
    /// People created by this apply and already in the search index have ids up to this one.
    indexed: i64,
    /// The last person created by this apply (or the highest id before it).
    created: i64,
    /// People this apply linked, by remote id: a report created after their manager gets the
    /// manager in the same insert.
    linked: HashMap<String, i64>,
    /// People created before their manager was linked, by the manager's remote id.
    waiting: HashMap<String, Vec<i64>>,
    /// Manager changes of people already in the directory: resolved once everyone is linked.
    changed_managers: Vec<(i64, Option<String>)>,
    /// Set when a stored person's site or a stored site's zone changed: zones are then recomputed.
    zones_stale: bool,
}

impl<'a> Applier<'a> {
    pub fn new(conn: &'a Connection, stamp: &'a Stamp<'a>) -> Result<Applier<'a>> {
        let last_id = employees::last_id(conn)?;
        let ids = OrgIds {
            legal_entities: stored_sites(conn, Sites::LegalEntities, stamp.source_id)?,
            work_locations: stored_sites(conn, Sites::WorkLocations, stamp.source_id)?,
            groups: stored_groups(conn, stamp.source_id)?,
        };
        Ok(Applier {
            conn,
            stamp,
            ids,
            new_links: VecDeque::new(),
            new_memberships: VecDeque::new(),
            indexed: last_id,
            created: last_id,
            linked: HashMap::new(),
            waiting: HashMap::new(),
            changed_managers: Vec::new(),
            zones_stale: false,
        })
    }

    /// Stores a legal entity or work location as read; unchanged ones are not rewritten.
    pub fn site(&mut self, sites: Sites, site: &RemoteSite) -> Result<()> {
        let zone = site.country.as_deref().and_then(zone_of_country).map(str::to_owned);
        let written = self
            .conn
            .prepare_cached(&format!(
                "INSERT INTO {} (source_id, remote_id, name, address, time_zone) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, address = excluded.address, time_zone = excluded.time_zone
                 WHERE name IS NOT excluded.name OR address IS NOT excluded.address OR time_zone IS NOT excluded.time_zone",
                sites.table()
            ))?
            .execute(params![self.stamp.source_id, site.remote_id, site.name, site.address, zone])?;
        let map = match sites {
            Sites::LegalEntities => &mut self.ids.legal_entities,
            Sites::WorkLocations => &mut self.ids.work_locations,
        };
        match map.get_mut(&site.remote_id) {
            Some(stored) => {
                self.zones_stale |= written > 0 && stored.1 != zone;
                stored.1 = zone;
            }
            None => {
                let id = self.conn.last_insert_rowid();
                map.insert(site.remote_id.clone(), (id, zone));
            }
        }
        Ok(())
    }

    /// Stores a group as read; an unchanged one is not rewritten.
    pub fn group(&mut self, group: &RemoteGroup) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO groups (source_id, remote_id, name, type) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, type = excluded.type
                 WHERE name IS NOT excluded.name OR type IS NOT excluded.type",
            )?
            .execute(params![self.stamp.source_id, group.remote_id, group.name, group.kind])?;
        if !self.ids.groups.contains_key(&group.remote_id) {
            self.ids.groups.insert(group.remote_id.clone(), self.conn.last_insert_rowid());
        }
        Ok(())
    }

    /// Writes what the plan says of one person. `values` gives the HR values of a person the plan creates.
    pub fn person(&mut self, planned: &PlannedEmployee, values: impl FnOnce() -> Result<FieldValues>) -> Result<()> {
        let (conn, stamp) = (self.conn, self.stamp);
        match &planned.action {
            Action::Create => {
                let values = values()?;
                let employee_id = self.create(&values)?;
                self.link(&planned.remote_id, employee_id)?;
            }
            Action::Update { employee_id, matched, changes, conflicts, restored, .. } => {
                if matched.is_some() {
                    self.link(&planned.remote_id, *employee_id)?;
                    log(conn, *employee_id, stamp, "linked", None, None, None)?;
                }
                if *restored {
                    conn.prepare_cached(
                        "UPDATE employee_links SET missing_since = NULL, out_of_scope = NULL WHERE source_id = ?1 AND remote_id = ?2",
                    )?
                    .execute(params![stamp.source_id, planned.remote_id])?;
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
                    match change.field {
                        Field::Manager => self.changed_managers.push((*employee_id, change.new.clone())),
                        Field::LegalEntity | Field::WorkLocation => {
                            self.zones_stale = true;
                            self.write_field(*employee_id, change.field, change.new.as_deref())?;
                        }
                        _ => self.write_field(*employee_id, change.field, change.new.as_deref())?,
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
        Ok(())
    }

    /// True when this apply linked the source's record `remote_id` to someone.
    pub fn has_linked(&self, remote_id: &str) -> bool {
        self.linked.contains_key(remote_id)
    }

    /// Does some of the work this apply leaves for later (links, then new people's group
    /// memberships, then their search index entries), at most `count` people's worth; false
    /// when none was left. A sync that streams calls it while it waits for the next page;
    /// [`Applier::finish`] does the rest, before anything that reads them.
    pub fn catch_up(&mut self, count: usize) -> Result<bool> {
        if !self.new_links.is_empty() {
            let batch = count.min(self.new_links.len());
            for (remote_id, employee_id) in self.new_links.drain(..batch) {
                self.conn
                    .prepare_cached("INSERT INTO employee_links (source_id, remote_id, employee_id) VALUES (?1, ?2, ?3)")?
                    .execute(params![self.stamp.source_id, remote_id, employee_id])?;
            }
            return Ok(true);
        }
        if !self.new_memberships.is_empty() {
            let batch = count.min(self.new_memberships.len());
            for (employee_id, group_id) in self.new_memberships.drain(..batch) {
                add_membership(self.conn, employee_id, group_id)?;
            }
            return Ok(true);
        }
        if self.indexed == self.created {
            return Ok(false);
        }
        // One statement per batch: FTS5 makes each statement's entries one segment.
        let up_to = self.created.min(self.indexed.saturating_add(i64::try_from(count).unwrap_or(i64::MAX)));
        employees::index_new(self.conn, self.indexed, up_to)?;
        self.indexed = up_to;
        Ok(true)
    }

    /// Completes what needs everyone in place: the search index of new people, managers linked
    /// after their reports, and time zones when sites moved.
    pub fn finish(mut self) -> Result<()> {
        let started = std::time::Instant::now();
        while self.catch_up(usize::MAX)? {}
        tracing::debug!(elapsed = ?started.elapsed(), "new people indexed for search");
        // Reports still waiting name a manager linked by an earlier sync, or one the source did not return.
        let managers = self
            .waiting
            .into_iter()
            .flat_map(|(manager, reports)| reports.into_iter().map(move |report| (report, Some(manager.clone()), false)));
        let changed = self.changed_managers.into_iter().map(|(employee_id, manager)| (employee_id, manager, true));
        set_managers(self.conn, managers.chain(changed), self.stamp)?;
        tracing::debug!(elapsed = ?started.elapsed(), "managers set");
        if self.zones_stale {
            refresh_time_zones(self.conn, self.stamp.source_id)?;
            tracing::debug!(elapsed = ?started.elapsed(), "time zones set");
        }
        Ok(())
    }

    /// A new person in one insert. Their values' provenance is the row's own source and run, so no
    /// per-field rows are written; the change log's "created" entry is the row itself.
    fn create(&mut self, values: &FieldValues) -> Result<i64> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            let columns: Vec<&str> = TEXT_COLUMNS.iter().map(|(_, c)| *c).collect();
            let placeholders: Vec<String> = (1..=columns.len() + 8).map(|i| format!("?{i}")).collect();
            format!(
                "INSERT INTO employees ({}, legal_entity_id, work_location_id, manager_id, time_zone, source_id, run_id, created_at, updated_at)
                 VALUES ({})",
                columns.join(", "),
                placeholders.join(", ")
            )
        });
        let legal_entity = values.get(Field::LegalEntity).and_then(|v| self.ids.legal_entities.get(v));
        let work_location = values.get(Field::WorkLocation).and_then(|v| self.ids.work_locations.get(v));
        let zone = work_location.and_then(|s| s.1.as_deref()).or(legal_entity.and_then(|s| s.1.as_deref()));
        let manager = values.get(Field::Manager);
        let manager_id = manager.and_then(|m| self.linked.get(m).copied());
        let texts: Vec<Option<&str>> = TEXT_COLUMNS.iter().map(|(f, _)| values.get(*f)).collect();
        let mut bound: Vec<&dyn rusqlite::ToSql> = texts.iter().map(|t| t as &dyn rusqlite::ToSql).collect();
        let (legal_entity_id, work_location_id) = (legal_entity.map(|s| s.0), work_location.map(|s| s.0));
        bound.extend([
            &legal_entity_id as &dyn rusqlite::ToSql,
            &work_location_id,
            &manager_id,
            &zone,
            &self.stamp.source_id,
            &self.stamp.run_id,
            &self.stamp.now,
            &self.stamp.now,
        ]);
        self.conn.prepare_cached(&SQL)?.execute(bound.as_slice())?;
        let employee_id = self.conn.last_insert_rowid();
        self.created = employee_id;
        if let (Some(manager), None) = (manager, manager_id) {
            self.waiting.entry(manager.to_owned()).or_default().push(employee_id);
        }
        self.new_memberships.extend(self.ids.groups_of(values.get(Field::Groups)).map(|group| (employee_id, group)));
        Ok(employee_id)
    }

    /// Links the person to the source's record, and gives reports who were waiting for them their manager.
    fn link(&mut self, remote_id: &str, employee_id: i64) -> Result<()> {
        self.new_links.push_back((remote_id.to_owned(), employee_id));
        for report in self.waiting.remove(remote_id).unwrap_or_default() {
            self.conn.prepare_cached("UPDATE employees SET manager_id = ?2 WHERE id = ?1")?.execute([report, employee_id])?;
        }
        self.linked.insert(remote_id.to_owned(), employee_id);
        Ok(())
    }

    /// Stores one field's value (references resolved to local ids) and records where it came from.
    fn write_field(&self, employee_id: i64, field: Field, value: Option<&str>) -> Result<()> {
        let conn = self.conn;
        let site_id = |map: &HashMap<String, (i64, Option<String>)>| value.and_then(|v| map.get(v)).map(|s| s.0);
        match field {
            Field::LegalEntity => {
                conn.prepare_cached("UPDATE employees SET legal_entity_id = ?2 WHERE id = ?1")?
                    .execute(params![employee_id, site_id(&self.ids.legal_entities)])?;
            }
            Field::WorkLocation => {
                conn.prepare_cached("UPDATE employees SET work_location_id = ?2 WHERE id = ?1")?
                    .execute(params![employee_id, site_id(&self.ids.work_locations)])?;
            }
            Field::Groups => set_groups(conn, employee_id, value, &self.ids, self.stamp)?,
            Field::Manager => unreachable!("managers are resolved once every employee of the plan is linked"),
            _ => {
                let column =
                    TEXT_COLUMNS.iter().find(|(f, _)| *f == field).map(|(_, c)| *c).expect("every other field is a text column");
                conn.prepare_cached(&format!("UPDATE employees SET {column} = ?2 WHERE id = ?1"))?
                    .execute(params![employee_id, value])?;
            }
        }
        provenance(conn, employee_id, field, self.stamp)
    }
}

/// Applies a whole plan: the organisation units read, then every person.
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
    let mut applier = Applier::new(conn, stamp)?;
    for site in legal_entities {
        applier.site(Sites::LegalEntities, site)?;
    }
    for site in work_locations {
        applier.site(Sites::WorkLocations, site)?;
    }
    for group in groups {
        applier.group(group)?;
    }
    for planned in &plan.employees {
        applier.person(planned, || created(&planned.remote_id))?;
    }
    tracing::debug!(elapsed = ?started.elapsed(), "employees written");
    applier.finish()
}

/// Resolves managers (remote ids) to employees through the source's links, in one statement.
/// The flag says whether the value needs a provenance row (not for people created now).
fn set_managers(conn: &Connection, managers: impl Iterator<Item = (i64, Option<String>, bool)>, stamp: &Stamp<'_>) -> Result<()> {
    conn.execute_batch("CREATE TEMP TABLE IF NOT EXISTS pending_managers (employee_id INTEGER PRIMARY KEY, manager TEXT); DELETE FROM temp.pending_managers;")?;
    let mut insert = conn.prepare_cached("INSERT INTO temp.pending_managers VALUES (?1, ?2)")?;
    for (employee_id, manager, record_provenance) in managers {
        insert.execute(params![employee_id, manager])?;
        if record_provenance {
            provenance(conn, employee_id, Field::Manager, stamp)?;
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
fn set_groups(conn: &Connection, employee_id: i64, value: Option<&str>, ids: &OrgIds, stamp: &Stamp<'_>) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM group_memberships WHERE employee_id = ?1 AND group_id IN (SELECT id FROM groups WHERE source_id = ?2)",
    )?
    .execute(params![employee_id, stamp.source_id])?;
    for group in ids.groups_of(value) {
        add_membership(conn, employee_id, group)?;
    }
    Ok(())
}

fn add_membership(conn: &Connection, employee_id: i64, group_id: i64) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO group_memberships VALUES (?1, ?2)")?.execute([employee_id, group_id])?;
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

fn stored_sites(conn: &Connection, sites: Sites, source_id: i64) -> Result<HashMap<String, (i64, Option<String>)>> {
    let mut stmt = conn.prepare(&format!("SELECT remote_id, id, time_zone FROM {} WHERE source_id = ?1", sites.table()))?;
    let rows = stmt.query_map([source_id], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn stored_groups(conn: &Connection, source_id: i64) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare("SELECT remote_id, id FROM groups WHERE source_id = ?1")?;
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
