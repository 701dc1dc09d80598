//! A source's sites: the `legal_entities` and `work_locations` tables, which share their shape.

use std::collections::HashMap;

use crate::connector::RemoteSite;
use crate::error::Result;
use crate::store::db::{params, Db};

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

pub fn stored(conn: &Db, sites: Sites, source_id: i64) -> Result<SiteIds> {
    conn.query_iter(
        &format!("SELECT remote_id, id, time_zone FROM {} WHERE source_id = ?1", sites.table()),
        [source_id],
        |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))),
        |rows| rows.collect(),
    )
}

/// Stores a site as read, in `zone`; an unchanged one is not rewritten. Gives the site's id when
/// the row was written (always when it was new).
pub fn upsert(conn: &Db, sites: Sites, source_id: i64, site: &RemoteSite, zone: Option<&str>) -> Result<Option<i64>> {
    let table = sites.table();
    conn.query_opt(
        &format!(
            "INSERT INTO {table} (source_id, remote_id, name, address, time_zone) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (source_id, remote_id) DO UPDATE SET name = excluded.name, address = excluded.address, time_zone = excluded.time_zone
             WHERE {table}.name IS DISTINCT FROM excluded.name OR {table}.address IS DISTINCT FROM excluded.address
                 OR {table}.time_zone IS DISTINCT FROM excluded.time_zone
             RETURNING id"
        ),
        params![source_id, site.remote_id, site.name, site.address, zone],
        |r| r.get(0),
    )
}

/// The named sites of a source, by remote id.
pub fn names(conn: &Db, sites: Sites, source_id: i64) -> Result<HashMap<String, String>> {
    conn.query_iter(
        &format!("SELECT remote_id, name FROM {} WHERE source_id = ?1 AND name IS NOT NULL", sites.table()),
        [source_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
        |rows| rows.collect(),
    )
}

/// The name of one site, if it has one.
pub fn name_of(conn: &Db, sites: Sites, source_id: i64, remote_id: &str) -> Result<Option<String>> {
    let name = conn.query_opt(
        &format!("SELECT name FROM {} WHERE source_id = ?1 AND remote_id = ?2", sites.table()),
        params![source_id, remote_id],
        |r| r.get::<Option<String>>(0),
    )?;
    Ok(name.flatten())
}

/// Every site of a source as (remote id, name or else remote id), by name (unnamed ones first, as
/// SQLite sorts NULL; PostgreSQL would put them last).
pub fn known(conn: &Db, sites: Sites, source_id: i64) -> Result<Vec<(String, String)>> {
    conn.query_map(
        &format!(
            "SELECT remote_id, coalesce(name, remote_id) FROM {} WHERE source_id = ?1 ORDER BY name NULLS FIRST",
            sites.table()
        ),
        [source_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Every time zone a site is in: a person's zone is always their work location's or legal entity's.
/// Sorted, so that SQL built from them reads the same each time (PostgreSQL's UNION is unordered).
pub fn time_zones(conn: &Db) -> Result<Vec<String>> {
    conn.query_map(
        "SELECT time_zone FROM legal_entities WHERE time_zone IS NOT NULL
         UNION SELECT time_zone FROM work_locations WHERE time_zone IS NOT NULL ORDER BY time_zone",
        (),
        |r| r.get(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sources::{self, SourceKind};
    use crate::store::Store;

    #[test]
    fn a_site_is_written_and_its_id_given_only_when_new_or_changed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let db = store.conn();
        let source = sources::add(db, "HR", SourceKind::Kombo, &serde_json::json!({}), chrono::Utc::now()).unwrap();
        let site = RemoteSite {
            remote_id: "le1".into(),
            name: Some("Quillon GmbH".into()),
            address: None,
            country: None,
            deleted: false,
        };
        let sites = Sites::LegalEntities;

        let id =
            upsert(db, sites, source.id, &site, Some("Europe/Berlin")).unwrap().expect("a new site is written and its id given");
        assert_eq!(
            upsert(db, sites, source.id, &site, Some("Europe/Berlin")).unwrap(),
            None,
            "an unchanged site is not rewritten"
        );
        assert_eq!(
            upsert(db, sites, source.id, &site, Some("Europe/Vienna")).unwrap(),
            Some(id),
            "a new zone rewrites it in place"
        );
        let expected = HashMap::from([("le1".to_owned(), (id, Some("Europe/Vienna".to_owned())))]);
        assert_eq!(stored(db, sites, source.id).unwrap(), expected, "one row per remote id, with its latest zone");
        assert!(stored(db, Sites::WorkLocations, source.id).unwrap().is_empty(), "legal entities and work locations are apart");
    }
}
