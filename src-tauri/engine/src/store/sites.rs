//! A source's sites: the `legal_entities` and `work_locations` tables, which share their shape.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::connector::RemoteSite;
use crate::error::Result;

/// The two tables of sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A source's stored sites by remote id: the local id and the time zone.
pub type SiteIds = HashMap<String, (i64, Option<String>)>;

pub fn stored(conn: &Connection, sites: Sites, source_id: i64) -> Result<SiteIds> {
    let mut stmt = conn.prepare(&format!("SELECT remote_id, id, time_zone FROM {} WHERE source_id = ?1", sites.table()))?;
    let rows = stmt.query_map([source_id], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stores a site as read, in `zone`; an unchanged one is not rewritten. Says whether the row was
/// written, and gives the id of the row inserted last (the site's, when it was new).
pub fn upsert(conn: &Connection, sites: Sites, source_id: i64, site: &RemoteSite, zone: Option<&str>) -> Result<(bool, i64)> {
    let written = conn
        .prepare_cached(&format!(
            "INSERT INTO {} (source_id, remote_id, name, address, time_zone) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, address = excluded.address, time_zone = excluded.time_zone
             WHERE name IS NOT excluded.name OR address IS NOT excluded.address OR time_zone IS NOT excluded.time_zone",
            sites.table()
        ))?
        .execute(params![source_id, site.remote_id, site.name, site.address, zone])?;
    Ok((written > 0, conn.last_insert_rowid()))
}

/// The named sites of a source, by remote id.
pub fn names(conn: &Connection, sites: Sites, source_id: i64) -> Result<HashMap<String, String>> {
    let mut stmt =
        conn.prepare(&format!("SELECT remote_id, name FROM {} WHERE source_id = ?1 AND name IS NOT NULL", sites.table()))?;
    let rows = stmt.query_map([source_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The name of one site, if it has one.
pub fn name_of(conn: &Connection, sites: Sites, source_id: i64, remote_id: &str) -> Result<Option<String>> {
    let name = conn
        .query_row(
            &format!("SELECT name FROM {} WHERE source_id = ?1 AND remote_id = ?2", sites.table()),
            params![source_id, remote_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(name.flatten())
}

/// Every site of a source as (remote id, name or else remote id), by name.
pub fn known(conn: &Connection, sites: Sites, source_id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT remote_id, coalesce(name, remote_id) FROM {} WHERE source_id = ?1 ORDER BY name",
        sites.table()
    ))?;
    let rows = stmt.query_map([source_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every time zone a site is in: a person's zone is always their work location's or legal entity's.
pub fn time_zones(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT time_zone FROM legal_entities WHERE time_zone IS NOT NULL UNION SELECT time_zone FROM work_locations WHERE time_zone IS NOT NULL",
    )?;
    let zones = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(zones)
}
