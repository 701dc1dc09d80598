//! The HR records erased by retention while their source still returns them (most HR systems
//! keep returning people long after they left), so that later reads can skip them.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use sha2::{Digest, Sha256};

use crate::error::Result;

/// Only a digest of the source's id for the person is kept: it recognises the record when it
/// comes back, and names no one.
pub fn digest(source_id: i64, remote_id: &str) -> Vec<u8> {
    Sha256::new().chain_update(source_id.to_be_bytes()).chain_update(remote_id.as_bytes()).finalize().to_vec()
}

/// Remembers that the record `remote_id` of `source_id` was erased.
pub fn remember(conn: &Connection, source_id: i64, remote_id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO erased_records (source_id, digest, erased_at) VALUES (?1, ?2, ?3)")?
        .execute(params![source_id, digest(source_id, remote_id), now.to_rfc3339()])?;
    Ok(())
}

/// The digests of one source's erased records.
pub fn digests(conn: &Connection, source_id: i64) -> Result<HashSet<Vec<u8>>> {
    let rows = conn
        .prepare("SELECT digest FROM erased_records WHERE source_id = ?1")?
        .query_map([source_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
