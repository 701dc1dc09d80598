//! Team mode: the connected role, the team, and refusals by the database named as the action the
//! person tried ("your role viewer cannot hand over devices; ask an admin").

use super::Engine;
use crate::error::{Error, Result};
use crate::store::team::{self, Role, Team, TeamSetup};

/// What a person asks the engine to do that the database may refuse to their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    AddDevices,
    HandOverDevices,
    TakeBackDevices,
    ReserveDevices,
    HidePeople,
    EditFields,
    ChangeChecklists,
    RunSyncs,
    ApproveHeldPlans,
    DiscardHeldPlans,
    ChangeSources,
    ChangeFieldModes,
    ChangeFilters,
    ChangeSchedule,
    ChangeSettings,
    ErasePeople,
    ManageTeam,
}

impl Action {
    /// The least role that may do it.
    pub fn needs(self) -> Role {
        use Action::*;
        match self {
            AddDevices | HandOverDevices | TakeBackDevices | ReserveDevices | HidePeople | EditFields | ChangeChecklists
            | RunSyncs | ApproveHeldPlans | DiscardHeldPlans => Role::Admin,
            ChangeSources | ChangeFieldModes | ChangeFilters | ChangeSchedule | ChangeSettings | ErasePeople | ManageTeam => {
                Role::Owner
            }
        }
    }

    /// Whom to ask, in the refusal's words.
    pub fn who_can(self) -> &'static str {
        match self.needs() {
            Role::Owner => "the directory's owner",
            _ => "an admin",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use Action::*;
        f.write_str(match self {
            AddDevices => "add devices",
            HandOverDevices => "hand over devices",
            TakeBackDevices => "take back devices",
            ReserveDevices => "reserve devices",
            HidePeople => "hide people",
            EditFields => "edit fields",
            ChangeChecklists => "change checklists",
            RunSyncs => "run syncs",
            ApproveHeldPlans => "approve held plans",
            DiscardHeldPlans => "discard held plans",
            ChangeSources => "change sources",
            ChangeFieldModes => "change field modes",
            ChangeFilters => "change filters",
            ChangeSchedule => "change the sync schedule",
            ChangeSettings => "change settings",
            ErasePeople => "erase people",
            ManageTeam => "manage the team",
        })
    }
}

impl Engine {
    /// The connected login's role in the directory's team (`None` on SQLite, or on PostgreSQL
    /// for a login the database's own grants let in without a team).
    pub fn role(&self) -> Option<Role> {
        self.store.role()
    }

    /// Whether the connected role may do `action` (with no role, the database alone decides).
    pub fn may(&self, action: Action) -> bool {
        self.role().is_none_or(|role| role >= action.needs())
    }

    /// Runs `op`, naming `action` if the database refuses it to the connected role.
    pub(crate) fn acting<T>(&mut self, action: Action, op: impl FnOnce(&mut Engine) -> Result<T>) -> Result<T> {
        let role = self.role();
        op(self).map_err(|error| match (error, role) {
            (Error::Forbidden { .. }, Some(role)) => Error::RoleCannot { role, action },
            (other, _) => other,
        })
    }

    /// The directory's team, if its database has one.
    pub fn team(&self) -> Result<Option<Team>> {
        match self.store.conn().dialect() {
            crate::store::db::Dialect::Postgres => team::team(self.store.conn()),
            crate::store::db::Dialect::Sqlite => Ok(None),
        }
    }

    /// Creates the team's roles and grants (`roster directory init-team`).
    pub fn init_team(&mut self) -> Result<TeamSetup> {
        self.postgres_only()?;
        self.acting(Action::ManageTeam, |engine| team::init(engine.store.conn_mut()))
    }

    /// Gives `login` the role `role` instead of any it had; returns that one.
    pub fn grant_role(&mut self, login: &str, role: Role) -> Result<Option<Role>> {
        self.postgres_only()?;
        self.acting(Action::ManageTeam, |engine| team::grant(engine.store.conn_mut(), login, role))
    }

    /// Takes every Roster role from `login`; returns the one it had.
    pub fn revoke_role(&mut self, login: &str) -> Result<Option<Role>> {
        self.postgres_only()?;
        self.acting(Action::ManageTeam, |engine| team::revoke(engine.store.conn_mut(), login))
    }

    fn postgres_only(&self) -> Result<()> {
        match self.store.conn().dialect() {
            crate::store::db::Dialect::Postgres => Ok(()),
            crate::store::db::Dialect::Sqlite => Err(Error::Invalid(
                "a team shares a directory in PostgreSQL: connect this data directory to one first (`roster directory connect`)"
                    .into(),
            )),
        }
    }
}
