//! Directory-wide settings, kept in the `meta` table with their defaults here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store::db::{params, Db};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    /// Days a person may be missing from a source's feed before they are moved to departed.
    pub missing_grace_days: u32,
    /// A plan that would offboard, remove or put out of scope more than this share (in %) of a
    /// source's people is held for approval.
    pub mass_change_percent: u32,
    /// Automatic syncing is paused (the tray's "Pause syncing").
    pub paused: bool,
    /// People are erased this many days after their end date (storage limitation); 0 keeps them.
    pub retention_days: u32,
    /// A sync still running after this many seconds is stopped, changing nothing.
    pub sync_deadline_secs: u32,
    /// A desktop notification each morning for the checklist steps due today or overdue.
    pub checklist_reminders: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            missing_grace_days: 7,
            mass_change_percent: 10,
            paused: false,
            retention_days: 365,
            sync_deadline_secs: 30 * 60,
            checklist_reminders: true,
        }
    }
}

const KEYS: [&str; 6] =
    ["missing_grace_days", "mass_change_percent", "paused", "retention_days", "sync_deadline_secs", "checklist_reminders"];

pub fn load(conn: &Db) -> Result<Settings> {
    let get = |key: &str| -> Result<Option<u32>> {
        let value: Option<String> = conn.query_opt("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))?;
        value
            .map(|v| v.parse::<u32>().map_err(|_| Error::Invalid(format!("setting {key} holds {v:?}, not a number"))))
            .transpose()
    };
    let defaults = Settings::default();
    Ok(Settings {
        missing_grace_days: get(KEYS[0])?.unwrap_or(defaults.missing_grace_days),
        mass_change_percent: get(KEYS[1])?.unwrap_or(defaults.mass_change_percent),
        paused: get(KEYS[2])?.map(|v| v != 0).unwrap_or(defaults.paused),
        retention_days: get(KEYS[3])?.unwrap_or(defaults.retention_days),
        sync_deadline_secs: get(KEYS[4])?.unwrap_or(defaults.sync_deadline_secs),
        checklist_reminders: get(KEYS[5])?.map(|v| v != 0).unwrap_or(defaults.checklist_reminders),
    })
}

pub fn save(conn: &Db, settings: &Settings) -> Result<()> {
    if settings.mass_change_percent > 100 {
        return Err(Error::Invalid("the mass-change threshold is a percentage, 0 to 100".into()));
    }
    if settings.sync_deadline_secs == 0 {
        return Err(Error::Invalid("a sync's time limit must be at least one second".into()));
    }
    let values = [
        settings.missing_grace_days,
        settings.mass_change_percent,
        settings.paused as u32,
        settings.retention_days,
        settings.sync_deadline_secs,
        settings.checklist_reminders as u32,
    ];
    for (key, value) in KEYS.iter().zip(values) {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value.to_string()],
        )?;
    }
    Ok(())
}
