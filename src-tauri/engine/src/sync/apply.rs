//! The writing half of a sync: carries out a [`SyncPlan`] inside the caller's transaction, through
//! the store's repositories. Every write is guarded so that an unchanged record costs a read, never a write.

use std::collections::{HashMap, VecDeque};

use super::plan::{Action, PlannedEmployee, SyncPlan};
use crate::connector::{RemoteGroup, RemoteSite};
use crate::error::Result;
use crate::group_ids;
use crate::model::{Field, FieldValues};
use crate::store::change_log::{self, Actor, Entry};
use crate::store::employees::{self, References};
use crate::store::sites::{self, SiteIds, Sites};
use crate::store::{employee_links, field_conflicts, field_provenance, groups, search, Db};
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
    legal_entities: SiteIds,
    work_locations: SiteIds,
    groups: HashMap<String, i64>,
}

impl OrgIds {
    /// The local ids of the groups a Groups value names (the source's ids, see [`group_ids`]).
    fn groups_of<'v>(&'v self, value: Option<&str>) -> impl Iterator<Item = i64> + 'v {
        group_ids::split(value.unwrap_or_default()).into_iter().filter_map(|g| self.groups.get(&g).copied())
    }
}

/// Writes a plan person by person, inside the caller's transaction: a staged sync feeds it the
/// whole plan, a first sync each person as they are read. What needs every person in place
/// (search index, managers created later, time zones) is done by [`Applier::finish`].
pub struct Applier<'a> {
    conn: &'a Db,
    stamp: &'a Stamp<'a>,
    ids: OrgIds,
    /// Writes the people this apply creates (on PostgreSQL a batch at a time).
    creator: employees::Creator<'a>,
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
    pub fn new(conn: &'a Db, stamp: &'a Stamp<'a>) -> Result<Applier<'a>> {
        let last_id = employees::last_id(conn)?;
        let ids = OrgIds {
            legal_entities: sites::stored(conn, Sites::LegalEntities, stamp.source_id)?,
            work_locations: sites::stored(conn, Sites::WorkLocations, stamp.source_id)?,
            groups: groups::stored(conn, stamp.source_id)?,
        };
        Ok(Applier {
            conn,
            stamp,
            ids,
            creator: employees::Creator::new(conn, stamp.source_id, stamp.run_id, stamp.now),
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
        let written = sites::upsert(self.conn, sites, self.stamp.source_id, site, zone.as_deref())?;
        let map = match sites {
            Sites::LegalEntities => &mut self.ids.legal_entities,
            Sites::WorkLocations => &mut self.ids.work_locations,
        };
        match (map.get_mut(&site.remote_id), written) {
            (Some(stored), _) => {
                self.zones_stale |= written.is_some() && stored.1 != zone;
                stored.1 = zone;
            }
            (None, Some(id)) => {
                map.insert(site.remote_id.clone(), (id, zone));
            }
            // A site not stored before is always written.
            (None, None) => {}
        }
        Ok(())
    }

    /// Stores a group as read; an unchanged one is not rewritten.
    pub fn group(&mut self, group: &RemoteGroup) -> Result<()> {
        if let Some(id) = groups::upsert(self.conn, self.stamp.source_id, group)? {
            self.ids.groups.entry(group.remote_id.clone()).or_insert(id);
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
                    employee_links::restore(conn, stamp.source_id, &planned.remote_id)?;
                    employees::clear_departed(conn, *employee_id)?;
                    log(conn, *employee_id, stamp, "restored", None, None, None)?;
                }
                let theirs = conflicts.iter().map(|c| (c.field, c.theirs.as_deref()));
                field_conflicts::replace(conn, *employee_id, stamp.source_id, theirs)?;
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
                    employees::set_updated_at(conn, *employee_id, stamp.now)?;
                }
            }
            Action::Exclude { employee_id: Some(employee_id), reasons } => {
                let reason = reasons.join("; ");
                employee_links::set_out_of_scope(conn, stamp.source_id, &planned.remote_id, &reason)?;
                log(conn, *employee_id, stamp, "out_of_scope", None, None, Some(&reason))?;
            }
            Action::Exclude { employee_id: None, .. } => {}
            Action::Missing { employee_id, since } => {
                employee_links::set_missing(conn, stamp.source_id, &planned.remote_id, since)?;
                log(conn, *employee_id, stamp, "missing", None, None, Some(since))?;
            }
            Action::Depart { employee_id, missing_since } => {
                employees::set_departed(conn, *employee_id, stamp.now)?;
                log(conn, *employee_id, stamp, "departed", None, Some(missing_since), None)?;
            }
        }
        Ok(())
    }

    /// Does some of the work this apply leaves for later (new people waiting to be written, then
    /// links, then new people's group memberships, then their search index entries), at most
    /// `count` people's worth; false when none was left. A sync that streams calls it while it
    /// waits for the next page; [`Applier::finish`] does the rest, before anything that reads them.
    pub fn catch_up(&mut self, count: usize) -> Result<bool> {
        // The people first: the links, memberships and index entries below refer to them.
        if self.creator.flush()? {
            return Ok(true);
        }
        if !self.new_links.is_empty() {
            let batch = count.min(self.new_links.len());
            let links = self.new_links.range(..batch).map(|(remote_id, employee_id)| (remote_id.as_str(), *employee_id));
            employee_links::insert(self.conn, self.stamp.source_id, links)?;
            self.new_links.drain(..batch);
            return Ok(true);
        }
        if !self.new_memberships.is_empty() {
            let batch = count.min(self.new_memberships.len());
            groups::join_new(self.conn, self.new_memberships.drain(..batch))?;
            return Ok(true);
        }
        if self.indexed == self.created {
            return Ok(false);
        }
        // One statement per batch: FTS5 makes each statement's entries one segment.
        let up_to = self.created.min(self.indexed.saturating_add(i64::try_from(count).unwrap_or(i64::MAX)));
        search::index_new(self.conn, self.indexed, up_to)?;
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
            employees::refresh_time_zones(self.conn, self.stamp.source_id)?;
            tracing::debug!(elapsed = ?started.elapsed(), "time zones set");
        }
        Ok(())
    }

    /// A new person in one insert. Their values' provenance is the row's own source and run, so no
    /// per-field rows are written; the change log's "created" entry is the row itself.
    fn create(&mut self, values: &FieldValues) -> Result<i64> {
        let legal_entity = values.get(Field::LegalEntity).and_then(|v| self.ids.legal_entities.get(v));
        let work_location = values.get(Field::WorkLocation).and_then(|v| self.ids.work_locations.get(v));
        let manager = values.get(Field::Manager);
        let refs = References {
            legal_entity_id: legal_entity.map(|s| s.0),
            work_location_id: work_location.map(|s| s.0),
            manager_id: manager.and_then(|m| self.linked.get(m).copied()),
            time_zone: work_location.and_then(|s| s.1.as_deref()).or(legal_entity.and_then(|s| s.1.as_deref())),
        };
        let employee_id = self.creator.add(values, &refs)?;
        self.created = employee_id;
        if let (Some(manager), None) = (manager, refs.manager_id) {
            self.waiting.entry(manager.to_owned()).or_default().push(employee_id);
        }
        // Each group once, should the value name one twice.
        let mut groups: Vec<i64> = self.ids.groups_of(values.get(Field::Groups)).collect();
        groups.sort_unstable();
        groups.dedup();
        self.new_memberships.extend(groups.into_iter().map(|group| (employee_id, group)));
        Ok(employee_id)
    }

    /// Links the person to the source's record, and gives reports who were waiting for them their manager.
    fn link(&mut self, remote_id: &str, employee_id: i64) -> Result<()> {
        self.new_links.push_back((remote_id.to_owned(), employee_id));
        for report in self.waiting.remove(remote_id).unwrap_or_default() {
            self.creator.set_manager(report, employee_id);
        }
        self.linked.insert(remote_id.to_owned(), employee_id);
        Ok(())
    }

    /// Stores one field's value (references resolved to local ids) and records where it came from.
    fn write_field(&self, employee_id: i64, field: Field, value: Option<&str>) -> Result<()> {
        let conn = self.conn;
        let site_id = |map: &SiteIds| value.and_then(|v| map.get(v)).map(|s| s.0);
        match field {
            Field::LegalEntity => {
                employees::set_site(conn, employee_id, Sites::LegalEntities, site_id(&self.ids.legal_entities))?
            }
            Field::WorkLocation => {
                employees::set_site(conn, employee_id, Sites::WorkLocations, site_id(&self.ids.work_locations))?
            }
            Field::Groups => set_groups(conn, employee_id, value, &self.ids, self.stamp)?,
            Field::Manager => unreachable!("managers are resolved once every employee of the plan is linked"),
            _ => employees::set_text(conn, employee_id, field, value, None)?,
        }
        provenance(conn, employee_id, field, self.stamp)
    }
}

/// Applies a whole plan: the organisation units read, then every person.
pub fn apply(
    conn: &Db,
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

/// Resolves managers (remote ids) to employees through the source's links. The flag says
/// whether the value needs a provenance row (not for people created now).
fn set_managers(conn: &Db, managers: impl Iterator<Item = (i64, Option<String>, bool)>, stamp: &Stamp<'_>) -> Result<()> {
    let mut resolved = Vec::new();
    for (employee_id, manager, record_provenance) in managers {
        if record_provenance {
            provenance(conn, employee_id, Field::Manager, stamp)?;
        }
        resolved.push((employee_id, manager));
    }
    employees::resolve_managers(conn, stamp.source_id, resolved.into_iter())
}

/// Replaces the person's groups of this source with `value`'s; a new person has none to remove.
fn set_groups(conn: &Db, employee_id: i64, value: Option<&str>, ids: &OrgIds, stamp: &Stamp<'_>) -> Result<()> {
    groups::leave_all(conn, employee_id, stamp.source_id)?;
    for group in ids.groups_of(value) {
        groups::join(conn, employee_id, group)?;
    }
    Ok(())
}

fn provenance(conn: &Db, employee_id: i64, field: Field, stamp: &Stamp<'_>) -> Result<()> {
    field_provenance::record(conn, employee_id, field, Some(stamp.source_id), Some(stamp.run_id), stamp.now)
}

fn log(
    conn: &Db,
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
