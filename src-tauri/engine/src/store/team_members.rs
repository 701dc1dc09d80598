//! The team: the name each database role shows in the history. On PostgreSQL each role sets only
//! its own (row-level security); a SQLite directory has one person and no roles.

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store::db::{params, Db, Dialect};

/// A member of the team: their database role and the name they chose, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TeamMember {
    pub role: String,
    pub display_name: Option<String>,
}

impl TeamMember {
    /// How the history names them: the display name, else the role.
    pub fn label(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.role)
    }
}

/// The role this connection works as and its display name; `None` on SQLite.
pub fn me(conn: &Db) -> Result<Option<TeamMember>> {
    if conn.dialect() == Dialect::Sqlite {
        return Ok(None);
    }
    // Dialect: PostgreSQL.
    conn.query_opt("SELECT session_user::text, (SELECT display_name FROM team_members WHERE role_name = session_user)", (), |r| {
        Ok(TeamMember { role: r.get(0)?, display_name: r.get(1)? })
    })
}

/// Sets the display name of this connection's own role (the database refuses any other's).
pub fn set_my_name(conn: &Db, name: &str, at: &str) -> Result<TeamMember> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a display name cannot be empty".into()));
    }
    if conn.dialect() == Dialect::Sqlite {
        return Err(Error::Invalid(
            "display names are for a team's directory in PostgreSQL (`roster directory connect`); in this local directory every change is yours".into(),
        ));
    }
    // Dialect: PostgreSQL.
    conn.execute(
        "INSERT INTO team_members (role_name, display_name, updated_at) VALUES (session_user, ?1, ?2)
         ON CONFLICT (role_name) DO UPDATE SET display_name = excluded.display_name, updated_at = excluded.updated_at",
        params![name, at],
    )?;
    me(conn)?.ok_or_else(|| Error::Stored("no role after setting its name".into()))
}

/// Everyone who changed something, with their display names, by name.
pub fn authors(conn: &Db) -> Result<Vec<TeamMember>> {
    conn.query_map(
        "SELECT a.made_by, t.display_name FROM (SELECT DISTINCT made_by FROM change_log WHERE made_by IS NOT NULL) a
         LEFT JOIN team_members t ON t.role_name = a.made_by ORDER BY coalesce(t.display_name, a.made_by)",
        (),
        |r| Ok(TeamMember { role: r.get(0)?, display_name: r.get(1)? }),
    )
}
