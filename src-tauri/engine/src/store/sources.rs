//! Connected HR sources and their settings: field modes, filters, optional fields, schedule.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::{Field, FieldMode, Filters};
use crate::store::db::{params, Db, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SourceKind {
    Kombo,
    Scim,
    Oauth,
    Csv,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Kombo => "kombo",
            SourceKind::Scim => "scim",
            SourceKind::Oauth => "oauth",
            SourceKind::Csv => "csv",
        }
    }

    fn parse(s: &str) -> Result<SourceKind> {
        match s {
            "kombo" => Ok(SourceKind::Kombo),
            "scim" => Ok(SourceKind::Scim),
            "oauth" => Ok(SourceKind::Oauth),
            "csv" => Ok(SourceKind::Csv),
            other => Err(Error::Invalid(format!("unknown source kind {other}"))),
        }
    }
}

/// A connected source, as the CLI and the UI list it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Source {
    pub id: i64,
    pub name: String,
    pub kind: SourceKind,
    /// Connection settings without secrets.
    #[ts(type = "Record<string, unknown>")]
    pub config: serde_json::Value,
    pub created_at: String,
    pub first_synced_at: Option<String>,
    pub sync_interval_secs: i64,
    pub next_sync_at: Option<String>,
    pub last_full_sync_at: Option<String>,
    pub failure_count: i64,
    pub last_error: Option<String>,
    /// Optional fields (personal email, mobile phone, home address) switched off for this source.
    pub disabled_fields: Vec<Field>,
    /// When the last successful sync started: the next incremental read asks for changes since.
    #[serde(skip)]
    #[ts(skip)]
    pub updated_after: Option<String>,
    /// The built-in demo's source, whose server Roster runs itself.
    #[serde(skip)]
    #[ts(skip)]
    pub demo: bool,
}

impl Source {
    pub fn updated_after(&self) -> Option<DateTime<Utc>> {
        self.updated_after.as_deref().and_then(|t| t.parse().ok())
    }

    /// When the next scheduled sync falls due; `None` for a source never synced, due at once.
    pub fn next_sync(&self) -> Option<DateTime<Utc>> {
        self.next_sync_at.as_deref().and_then(|t| t.parse().ok())
    }

    /// The keyring account of this source's secret.
    pub fn secret_account(&self) -> String {
        format!("source-{}", self.id)
    }
}

const SOURCE_COLUMNS: &str = "id, name, kind, config, created_at, first_synced_at, sync_interval_secs, next_sync_at, \
     last_full_sync_at, failure_count, last_error, personal_email_enabled, mobile_phone_enabled, home_address_enabled, \
     updated_after, demo";

fn source_from_row(row: &Row<'_>) -> Result<Source> {
    let mut disabled_fields = Vec::new();
    for (i, field) in [(11, Field::PersonalEmail), (12, Field::MobilePhone), (13, Field::HomeAddress)] {
        if !row.get::<bool>(i)? {
            disabled_fields.push(field);
        }
    }
    Ok(Source {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: SourceKind::parse(&row.get::<String>(2)?)?,
        config: serde_json::from_str(&row.get::<String>(3)?)?,
        created_at: row.get(4)?,
        first_synced_at: row.get(5)?,
        sync_interval_secs: row.get(6)?,
        next_sync_at: row.get(7)?,
        last_full_sync_at: row.get(8)?,
        failure_count: row.get(9)?,
        last_error: row.get(10)?,
        disabled_fields,
        updated_after: row.get(14)?,
        demo: row.get(15)?,
    })
}

pub fn add(conn: &Db, name: &str, kind: SourceKind, config: &serde_json::Value, now: DateTime<Utc>) -> Result<Source> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a source needs a name".into()));
    }
    let exists: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sources WHERE name = ?1)", [name], |r| r.get(0))?;
    if exists {
        return Err(Error::DuplicateSource(name.to_owned()));
    }
    conn.execute(
        "INSERT INTO sources (name, kind, config, created_at, next_sync_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![name, kind.as_str(), config.to_string(), now.to_rfc3339()],
    )?;
    by_name(conn, name)
}

/// Marks the source as the built-in demo's.
pub fn mark_demo(conn: &Db, source_id: i64) -> Result<()> {
    conn.execute("UPDATE sources SET demo = TRUE WHERE id = ?1", [source_id])?;
    Ok(())
}

pub fn list(conn: &Db) -> Result<Vec<Source>> {
    conn.query_map(&format!("SELECT {SOURCE_COLUMNS} FROM sources ORDER BY id"), (), source_from_row)
}

pub fn by_name(conn: &Db, name: &str) -> Result<Source> {
    conn.query_opt(&format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE name = ?1"), [name], source_from_row)?
        .ok_or_else(|| Error::UnknownSource(name.to_owned()))
}

pub fn by_id(conn: &Db, id: i64) -> Result<Source> {
    conn.query_opt(&format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?1"), [id], source_from_row)?
        .ok_or_else(|| Error::UnknownSource(id.to_string()))
}

pub fn set_sync_interval(conn: &Db, source_id: i64, interval: std::time::Duration, now: DateTime<Utc>) -> Result<()> {
    let secs = i64::try_from(interval.as_secs()).unwrap_or(i64::MAX);
    if secs < 60 {
        return Err(Error::Invalid("a source syncs at most once a minute".into()));
    }
    conn.execute(
        "UPDATE sources SET sync_interval_secs = ?2, next_sync_at = ?3 WHERE id = ?1",
        params![source_id, secs, (now + chrono::Duration::seconds(secs)).to_rfc3339()],
    )?;
    Ok(())
}

pub fn set_config(conn: &Db, source_id: i64, config: &serde_json::Value) -> Result<()> {
    conn.execute("UPDATE sources SET config = ?2 WHERE id = ?1", params![source_id, config.to_string()])?;
    Ok(())
}

pub fn delete(conn: &Db, id: i64) -> Result<()> {
    conn.execute("DELETE FROM sources WHERE id = ?1", [id])?;
    Ok(())
}

/// Switches one of the brief's optional fields on or off for a source.
pub fn set_optional_field(conn: &Db, source_id: i64, field: Field, enabled: bool) -> Result<()> {
    let column = match field {
        Field::PersonalEmail => "personal_email_enabled",
        Field::MobilePhone => "mobile_phone_enabled",
        Field::HomeAddress => "home_address_enabled",
        other => {
            return Err(Error::Invalid(format!(
                "{other} is not an optional field; only personal_email, mobile_phone and home_address can be switched off"
            )))
        }
    };
    conn.execute(&format!("UPDATE sources SET {column} = ?2 WHERE id = ?1"), params![source_id, enabled])?;
    require_full_read(conn, source_id)
}

/// The effective mode of every field for a source: stored choices over the defaults.
pub fn field_modes(conn: &Db, source_id: i64) -> Result<HashMap<Field, FieldMode>> {
    let mut modes: HashMap<Field, FieldMode> = Field::ALL.iter().map(|f| (*f, f.default_mode())).collect();
    let rows = conn.query_map("SELECT field, mode FROM field_modes WHERE source_id = ?1", [source_id], |r| {
        Ok((r.get::<String>(0)?, r.get::<String>(1)?))
    })?;
    for (field, mode) in rows {
        if let (Some(field), Some(mode)) = (Field::parse(&field), FieldMode::parse(&mode)) {
            modes.insert(field, mode);
        }
    }
    Ok(modes)
}

pub fn set_field_mode(conn: &Db, source_id: i64, field: Field, mode: FieldMode) -> Result<()> {
    conn.execute(
        "INSERT INTO field_modes (source_id, field, mode) VALUES (?1, ?2, ?3)
         ON CONFLICT (source_id, field) DO UPDATE SET mode = excluded.mode",
        params![source_id, field.name(), mode.as_str()],
    )?;
    require_full_read(conn, source_id)
}

/// After a settings change the next sync reads everything: an incremental read would only apply
/// the new settings to the few people who changed in HR.
fn require_full_read(conn: &Db, source_id: i64) -> Result<()> {
    conn.execute("UPDATE sources SET last_full_sync_at = NULL WHERE id = ?1", [source_id])?;
    Ok(())
}

pub fn filters(conn: &Db, source_id: i64) -> Result<Filters> {
    let mut filters = Filters::default();
    let rows = conn.query_map("SELECT kind, value FROM source_filters WHERE source_id = ?1", [source_id], |r| {
        Ok((r.get::<String>(0)?, r.get::<String>(1)?))
    })?;
    for (kind, value) in rows {
        match kind.as_str() {
            "legal_entity" => filters.legal_entities.insert(value),
            "employment_type" => filters.employment_types.insert(value),
            _ => filters.teams.insert(value),
        };
    }
    Ok(filters)
}

pub fn set_filters(conn: &Db, source_id: i64, filters: &Filters) -> Result<()> {
    conn.execute("DELETE FROM source_filters WHERE source_id = ?1", [source_id])?;
    for (kind, values) in
        [("legal_entity", &filters.legal_entities), ("employment_type", &filters.employment_types), ("team", &filters.teams)]
    {
        for value in values {
            conn.execute(
                "INSERT INTO source_filters (source_id, kind, value) VALUES (?1, ?2, ?3)",
                params![source_id, kind, value],
            )?;
        }
    }
    require_full_read(conn, source_id)
}

/// Records a successful sync at `at`: the source's schedule, its failures forgotten, when the next
/// incremental read starts from, and (after a full read) when the last full read was.
pub fn record_success(
    conn: &Db,
    source_id: i64,
    at: &str,
    next_sync_at: &str,
    full_read: bool,
    updated_after: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE sources SET first_synced_at = coalesce(first_synced_at, ?2), updated_after = ?5, next_sync_at = ?3,
             failure_count = 0, last_error = NULL, last_full_sync_at = CASE WHEN ?4 THEN ?2 ELSE last_full_sync_at END
         WHERE id = ?1",
        params![source_id, at, next_sync_at, full_read, updated_after],
    )?;
    Ok(())
}

/// Records a failed sync: how many in a row, the error, and when to try again.
pub fn record_failure(conn: &Db, source_id: i64, failures: i64, error: &str, next_sync_at: &str) -> Result<()> {
    conn.execute(
        "UPDATE sources SET failure_count = ?2, last_error = ?3, next_sync_at = ?4 WHERE id = ?1",
        params![source_id, failures, error, next_sync_at],
    )?;
    Ok(())
}
