//! Team mode on PostgreSQL: three group roles per database, named after it so that several
//! directories can share one server (`<database>_viewer`, `<database>_admin`, `<database>_owner`,
//! each a member of the one before), the grants that let each do its part, and which of them the
//! connected login holds. The database enforces them; the app reads the role only to hide what
//! the database would refuse.
//!
//! The grants are per table, from the lists below, and applied again after every migration (not
//! by `ALTER DEFAULT PRIVILEGES`): a new table must be placed in one list (a test checks that each
//! is), and column grants (an admin's sync writes a source's sync state, not its settings) have no
//! default form. Row-level security only where a grant is not enough: `meta` holds both
//! directory-wide settings (an owner's) and the checklist reminder's day (an admin's); an admin's
//! sync deletes the people past the retention period from `employees`, while erasing anyone else
//! is the owner's.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use super::Db;
use crate::error::{Error, Result};

/// What the connected login may do in a team's directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    /// Reads lists, profiles and history.
    Viewer,
    /// Also devices and hand-overs, hides, import-once edits, checklists, held plans and syncs.
    Admin,
    /// Also sources, field modes, filters, the schedule, settings, erasure and the team.
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Admin, Role::Owner];

    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Role {
    type Err = Error;

    fn from_str(name: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.name() == name)
            .ok_or_else(|| Error::Invalid(format!("no role {name:?}: the roles are viewer, admin and owner")))
    }
}

/// The people of a team's directory and their roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Team {
    /// The PostgreSQL database the team shares.
    pub database: String,
    /// The login that owns the database: it alone migrates the schema and sets the team up.
    pub owner: String,
    /// Every login with a Roster role, the owner's first, then by name.
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Member {
    pub login: String,
    pub role: Role,
}

/// What `roster directory init-team` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamSetup {
    /// The group roles, by role.
    pub roles: BTreeMap<Role, String>,
    /// False when the roles and grants were already as they should be: nothing was written.
    pub changed: bool,
}

/// Tables an admin writes: devices and hand-overs, hides and edits, checklists, held plans, and
/// everything a sync writes.
const ADMIN_WRITES: &[&str] = &[
    "employees",
    "employee_search_words",
    "employee_links",
    "legal_entities",
    "work_locations",
    "groups",
    "group_memberships",
    "field_provenance",
    "field_conflicts",
    "sync_runs",
    "held_plans",
    "change_log",
    "fetched_people",
    "fetched_counts",
    "devices",
    "device_assignments",
    "checklist_steps",
];

/// Tables every member writes, each only their own rows (row-level security): the display names.
const MEMBER_WRITES: &[&str] = &["team_members"];

/// The columns of `sources` a sync keeps (its state), which an admin's sync writes.
const SOURCE_SYNC_STATE: &str = "first_synced_at, updated_after, next_sync_at, last_full_sync_at, failure_count, last_error";

/// Tables only an owner writes: the sources and their settings, directory-wide settings (`meta`,
/// where row-level security lets an admin write the rows of [`ADMIN_META_KEYS`] only), checklist
/// templates, device rules.
const OWNER_WRITES: &[&str] =
    &["sources", "field_modes", "source_filters", "meta", "checklist_templates", "checklist_template_steps", "device_rules"];

/// The rows of `meta` an admin writes: the day the checklist reminder last went out.
const ADMIN_META_KEYS: &str = "'checklist_reminded_on'";

/// Whom an admin may delete from `employees`: the people retention erases after each sync, whose
/// end date is further back than the retention period (`meta`'s `retention_days`, 365 unless set;
/// 0 keeps everyone). A day of slack for the server's date against the engine's clock (UTC).
/// Erasing anyone else is the owner's.
const PAST_RETENTION: &str = "end_date IS NOT NULL
    AND (SELECT coalesce(max(value::int), 365) FROM meta WHERE key = 'retention_days') > 0
    AND substr(end_date, 1, 10) < to_char(current_date + 1
        - (SELECT coalesce(max(value::int), 365) FROM meta WHERE key = 'retention_days'), 'YYYY-MM-DD')";

/// The group role of `role` in the database named `database`.
fn group(database: &str, role: Role) -> String {
    format!("{database}_{}", role.name())
}

/// A name quoted as an SQL identifier (statements that name roles take no parameters).
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn database(db: &Db) -> Result<String> {
    db.query_row("SELECT current_database()::text", (), |r| r.get(0))
}

/// The connected login's role: the database's owner (or a superuser) is its owner, team or not;
/// `None` for another login where the database has no team (what it may do is whatever the
/// database's own grants say). A login without any Roster role in a team's database is refused.
pub fn role(db: &Db) -> Result<Option<Role>> {
    let database = database(db)?;
    let member = |role: Role| {
        format!("(SELECT pg_has_role(current_user, r.oid, 'USAGE') FROM pg_roles r WHERE r.rolname = ?{})", role as usize + 1)
    };
    let (owns, owner, admin, viewer, login): (bool, Option<bool>, Option<bool>, Option<bool>, String) = db.query_row(
        &format!(
            "SELECT pg_has_role(current_user, d.datdba, 'USAGE'), {}, {}, {}, current_user::text
             FROM pg_database d WHERE d.datname = current_database()",
            member(Role::Owner),
            member(Role::Admin),
            member(Role::Viewer)
        ),
        Role::ALL.map(|role| group(&database, role)),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    Ok(match (owns || owner == Some(true), admin, viewer) {
        (true, _, _) => Some(Role::Owner),
        (false, Some(true), _) => Some(Role::Admin),
        (false, _, Some(true)) => Some(Role::Viewer),
        (false, _, Some(false)) => return Err(Error::NoTeamRole { login, database }),
        (false, _, None) => None,
    })
}

/// The team of the database, if it has one.
pub fn team(db: &Db) -> Result<Option<Team>> {
    let database = database(db)?;
    let groups = Role::ALL.map(|role| group(&database, role));
    let exists: bool = db.query_row("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1)", [&groups[0]], |r| r.get(0))?;
    if !exists {
        return Ok(None);
    }
    let owner: String =
        db.query_row("SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = current_database()", (), |r| {
            r.get(0)
        })?;
    // Each login's highest role among those granted to it directly.
    let granted = db.query_map(
        "SELECT r.rolname::text, max(CASE g.rolname WHEN ?3 THEN 2 WHEN ?2 THEN 1 ELSE 0 END)
         FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
         WHERE g.rolname IN (?1, ?2, ?3) AND r.rolname NOT IN (?1, ?2, ?3) AND r.rolname <> ?4
         GROUP BY r.rolname ORDER BY r.rolname",
        [&groups[0], &groups[1], &groups[2], &owner],
        |r| Ok(Member { login: r.get(0)?, role: Role::ALL[r.get::<usize>(1)?] }),
    )?;
    let members = std::iter::once(Member { login: owner.clone(), role: Role::Owner }).chain(granted).collect();
    Ok(Some(Team { database, owner, members }))
}

/// Creates the team's group roles where missing and grants each its part; run by the database's
/// owner, with the server's CREATEROLE right the first time. Run again, it writes nothing.
pub fn init(db: &mut Db) -> Result<TeamSetup> {
    let database = database(db)?;
    if database.len() + "_viewer".len() > 63 {
        return Err(Error::Invalid(format!(
            "the database name {database} is too long to name its roles after it (PostgreSQL's names have at most 63 bytes)"
        )));
    }
    let (owns, may_create, owner): (bool, bool, String) = db.query_row(
        "SELECT pg_has_role(current_user, d.datdba, 'USAGE'), r.rolcreaterole OR r.rolsuper, pg_get_userbyid(d.datdba)::text
         FROM pg_database d, pg_roles r WHERE d.datname = current_database() AND r.rolname = current_user",
        (),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if !owns {
        return Err(Error::Invalid(format!("only the database's owner ({owner}) sets its team up")));
    }
    let roles: BTreeMap<Role, String> = Role::ALL.into_iter().map(|role| (role, group(&database, role))).collect();
    let tx = db.begin()?;
    let before = grants_fingerprint(&tx, &roles)?;
    let mut created = false;
    for name in roles.values() {
        let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1)", [name], |r| r.get(0))?;
        if !exists {
            if !may_create {
                return Err(Error::Invalid(format!(
                    "creating the team's roles needs the right to create roles: ask the server's administrator to run `ALTER ROLE {} CREATEROLE`, then run init-team again",
                    ident(&owner)
                )));
            }
            tx.execute_batch(&format!("CREATE ROLE {} NOLOGIN", ident(name)))?;
            created = true;
        }
    }
    tx.execute_batch(&format!(
        "GRANT {viewer} TO {admin}; GRANT {admin} TO {owner};",
        viewer = ident(&roles[&Role::Viewer]),
        admin = ident(&roles[&Role::Admin]),
        owner = ident(&roles[&Role::Owner])
    ))?;
    apply_grants(&tx, &database)?;
    let changed = created || grants_fingerprint(&tx, &roles)? != before;
    if changed {
        tx.commit()?;
    }
    // Unchanged: dropped, so rolled back, and nothing was written.
    Ok(TeamSetup { roles, changed })
}

/// Grants the team's grants again after a migration, which may have added tables: run by the
/// migration, in its transaction. Nothing to do for a database without a team.
pub(super) fn regrant(db: &Db) -> Result<()> {
    let database = database(db)?;
    let exists: bool =
        db.query_row("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1)", [group(&database, Role::Owner)], |r| r.get(0))?;
    if exists {
        apply_grants(db, &database)?;
    }
    Ok(())
}

/// Every grant of the three roles, from nothing: stale ones (a table moved to another list) are
/// revoked first.
fn apply_grants(db: &Db, database: &str) -> Result<()> {
    let [viewer, admin, owner] = Role::ALL.map(|role| ident(&group(database, role)));
    let list = |tables: &[&str]| tables.iter().map(|t| ident(t)).collect::<Vec<_>>().join(", ");
    db.execute_batch(&format!(
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {viewer}, {admin}, {owner};
         GRANT CONNECT ON DATABASE {db} TO {viewer};
         GRANT TEMPORARY ON DATABASE {db} TO {admin};
         GRANT USAGE ON SCHEMA public TO {viewer};
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO {viewer};
         GRANT INSERT, UPDATE ON {member_tables} TO {viewer};
         GRANT INSERT, UPDATE, DELETE ON {admin_tables} TO {admin};
         GRANT UPDATE ({SOURCE_SYNC_STATE}) ON sources TO {admin};
         GRANT INSERT, UPDATE ON meta TO {admin};
         GRANT INSERT, UPDATE, DELETE ON {owner_tables} TO {owner};
         ALTER TABLE meta ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS roster_read ON meta;
         CREATE POLICY roster_read ON meta FOR SELECT USING (true);
         DROP POLICY IF EXISTS roster_admin ON meta;
         CREATE POLICY roster_admin ON meta TO {admin} USING (key IN ({ADMIN_META_KEYS})) WITH CHECK (key IN ({ADMIN_META_KEYS}));
         DROP POLICY IF EXISTS roster_owner ON meta;
         CREATE POLICY roster_owner ON meta TO {owner} USING (true) WITH CHECK (true);
         ALTER TABLE employees ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS roster_read ON employees;
         CREATE POLICY roster_read ON employees FOR SELECT USING (true);
         DROP POLICY IF EXISTS roster_add ON employees;
         CREATE POLICY roster_add ON employees FOR INSERT TO {admin} WITH CHECK (true);
         DROP POLICY IF EXISTS roster_change ON employees;
         CREATE POLICY roster_change ON employees FOR UPDATE TO {admin} USING (true) WITH CHECK (true);
         DROP POLICY IF EXISTS roster_retention ON employees;
         CREATE POLICY roster_retention ON employees FOR DELETE TO {admin} USING ({PAST_RETENTION});
         DROP POLICY IF EXISTS roster_erase ON employees;
         CREATE POLICY roster_erase ON employees FOR DELETE TO {owner} USING (true);",
        db = ident(database),
        member_tables = list(MEMBER_WRITES),
        admin_tables = list(ADMIN_WRITES),
        owner_tables = list(OWNER_WRITES),
    ))
}

/// The privileges, policies and memberships that concern the team's roles, as one text: equal
/// before and after a run of [`init`] when it changed nothing.
fn grants_fingerprint(db: &Db, roles: &BTreeMap<Role, String>) -> Result<String> {
    db.query_row(
        "SELECT coalesce(string_agg(x, E'\\n' ORDER BY x), '') FROM (
             SELECT c.relname::text || ' ' || coalesce(c.relacl::text, '') || ' ' || c.relrowsecurity::text
             FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
             UNION ALL
             SELECT c.relname::text || '.' || a.attname::text || ' ' || a.attacl::text
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             WHERE c.relnamespace = 'public'::regnamespace AND a.attacl IS NOT NULL
             UNION ALL
             SELECT tablename::text || ' ' || policyname::text || ' ' || array_to_string(roles, ',') || ' '
                    || coalesce(qual, '') || ' ' || coalesce(with_check, '')
             FROM pg_policies WHERE schemaname = 'public'
             UNION ALL
             SELECT coalesce(datacl::text, '') FROM pg_database WHERE datname = current_database()
             UNION ALL
             SELECT coalesce(nspacl::text, '') FROM pg_namespace WHERE nspname = 'public'
             UNION ALL
             SELECT r.rolname::text || ' in ' || g.rolname::text
             FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
             WHERE g.rolname IN (?1, ?2, ?3) AND r.rolname IN (?1, ?2, ?3)
         ) s (x)",
        roles.values().collect::<Vec<_>>(),
        |r| r.get(0),
    )
}

/// Gives the login `login` the role `role` in the team, instead of any role it had; returns that
/// one. The login must exist on the server.
pub fn grant(db: &mut Db, login: &str, role: Role) -> Result<Option<Role>> {
    let (database, had) = member_of(db, login)?;
    let tx = db.begin()?;
    revoke_all(&tx, &database, login)?;
    tx.execute_batch(&format!("GRANT {} TO {}", ident(&group(&database, role)), ident(login)))?;
    tx.commit()?;
    Ok(had)
}

/// Takes every Roster role from the login; returns the one it had.
pub fn revoke(db: &mut Db, login: &str) -> Result<Option<Role>> {
    let (database, had) = member_of(db, login)?;
    let tx = db.begin()?;
    revoke_all(&tx, &database, login)?;
    tx.commit()?;
    Ok(had)
}

/// The database and the role `login` holds in its team; refuses a database without a team, a
/// login that does not exist, and the team's own roles.
fn member_of(db: &Db, login: &str) -> Result<(String, Option<Role>)> {
    let team = team(db)?.ok_or_else(|| {
        Error::Invalid("this directory has no team yet: its owner runs `roster directory init-team` first".into())
    })?;
    if Role::ALL.iter().any(|role| group(&team.database, *role) == login) {
        return Err(Error::Invalid(format!("{login} is one of the team's roles, not a person's login")));
    }
    let exists: bool = db.query_row("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1)", [login], |r| r.get(0))?;
    if !exists {
        return Err(Error::Invalid(format!(
            "there is no login {login} on the database server: create it first (`CREATE ROLE {} LOGIN PASSWORD '…'`)",
            ident(login)
        )));
    }
    if login == team.owner {
        return Err(Error::Invalid(format!("{login} owns the database: it is the team's owner whatever it is granted")));
    }
    let had = team.members.into_iter().find(|m| m.login == login).map(|m| m.role);
    Ok((team.database, had))
}

fn revoke_all(db: &Db, database: &str, login: &str) -> Result<()> {
    let groups = Role::ALL.map(|role| ident(&group(database, role))).join(", ");
    db.execute_batch(&format!("REVOKE {groups} FROM {}", ident(login)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Written by migrations alone, which only the database's owner runs.
    const MIGRATIONS_ONLY: &[&str] = &["roster_schema_version"];

    #[test]
    fn every_table_of_the_schema_is_placed_in_exactly_one_list_of_writers() {
        let database = roster_test_postgres::cluster().database();
        let mut db = Db::postgres(database.connect(), database.url.clone());
        super::super::migrations_postgres::migrate(&mut db).unwrap();
        let tables: BTreeSet<String> = db
            .query_map("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'", (), |r| r.get(0))
            .unwrap()
            .into_iter()
            .collect();
        let listed: Vec<&str> = [MEMBER_WRITES, ADMIN_WRITES, OWNER_WRITES, MIGRATIONS_ONLY].concat();
        let placed: BTreeSet<String> = listed.iter().map(|t| (*t).to_owned()).collect();
        assert_eq!(placed.len(), listed.len(), "no table is in two lists: {listed:?}");
        assert_eq!(
            placed, tables,
            "each table says who writes it (admin, owner or migrations only): a new table goes in one list"
        );
    }

    #[test]
    fn a_table_added_after_init_team_is_covered_once_the_grants_are_applied_again() {
        let database = roster_test_postgres::cluster().database();
        database.allow_creating_roles();
        let mut db = Db::postgres(database.connect(), database.url.clone());
        super::super::migrations_postgres::migrate(&mut db).unwrap();
        init(&mut db).unwrap();
        let viewer = group(&super::database(&db).unwrap(), Role::Viewer);
        let reads = |db: &Db, table: &str| -> bool {
            db.query_row("SELECT has_table_privilege(?1, ?2, 'SELECT')", [viewer.as_str(), table], |r| r.get(0)).unwrap()
        };
        db.execute_batch("CREATE TABLE later (id BIGINT)").unwrap();
        assert!(!reads(&db, "later"), "a new table has no grant of its own");
        regrant(&db).unwrap();
        assert!(reads(&db, "later"), "the grants that every migration applies again cover it");
        assert!(reads(&db, "devices"), "and keep the others");
    }

    #[test]
    fn a_role_is_named_by_its_word_and_nothing_else() {
        assert_eq!("admin".parse::<Role>().unwrap(), Role::Admin);
        let refused = "root".parse::<Role>().unwrap_err().to_string();
        assert!(refused.contains("viewer, admin and owner"), "{refused}");
        assert!(Role::Viewer < Role::Admin && Role::Admin < Role::Owner, "each role can do what the one before can");
        assert_eq!(ident("o\"k"), "\"o\"\"k\"", "a quote in a name is doubled");
    }
}
