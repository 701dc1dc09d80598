//! Who did what: the team's display names and the audit trail of every change.

use chrono::{DateTime, Utc};

use super::Engine;
use crate::error::Result;
use crate::store::change_log::{self, AuditEntry};
use crate::store::team_members::{self, TeamMember};

impl Engine {
    /// The database role this instance works as, and its display name; `None` in a local directory.
    pub fn whoami(&self) -> Result<Option<TeamMember>> {
        team_members::me(self.store.conn())
    }

    /// Sets this role's display name, the name the history shows for its changes.
    pub fn set_display_name(&mut self, name: &str, now: DateTime<Utc>) -> Result<TeamMember> {
        team_members::set_my_name(self.store.conn(), name, &now.to_rfc3339())
    }

    /// The latest changes to the directory, newest first; with `by`, only one admin's (their role
    /// or display name).
    pub fn audit(&self, by: Option<&str>, limit: u32) -> Result<Vec<AuditEntry>> {
        change_log::audit(self.store.conn(), by.map(str::trim).filter(|b| !b.is_empty()), limit)
    }

    /// Everyone who changed something, for the audit view's filter.
    pub fn authors(&self) -> Result<Vec<TeamMember>> {
        team_members::authors(self.store.conn())
    }
}
