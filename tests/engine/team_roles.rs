//! Team mode: several instances, each with its own data directory and login, on one PostgreSQL
//! database whose roles (viewer, admin, owner) the database itself enforces. PostgreSQL only:
//! these tests start their own database whatever `ROSTER_TEST_STORE` says.

use chrono::{DateTime, Utc};
use roster_engine::model::{Field, View};
use roster_engine::store::devices::NewDevice;
use roster_engine::store::employees;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::store::postgres::{self, Target};
use roster_engine::store::settings::Settings;
use roster_engine::store::team::Role;
use roster_engine::sync::SyncRequest;
use roster_engine::{Action, Engine, Error};
use roster_simulator::Simulator;
use roster_test_postgres::{cluster, TestDatabase};
use tempfile::TempDir;

use crate::harness::{connect, fast_retry, now, start, today, SOURCE};

/// One instance of Roster: a data directory of its own, pointed at the team's database.
struct Instance {
    engine: Engine,
    dir: TempDir,
}

fn open(url: &str, password: &str) -> Instance {
    let dir = tempfile::tempdir().unwrap();
    postgres::connect(dir.path(), &url.parse().unwrap(), password).expect("the login connects");
    Instance { engine: Engine::open(dir.path()).unwrap().with_retry(fast_retry()), dir }
}

/// A team's database, synced from the simulator by its owner, who has set the team up.
struct TeamDb {
    database: TestDatabase,
    owner: Instance,
    _sim: Simulator,
}

impl TeamDb {
    fn new(seed: u64) -> TeamDb {
        let database = cluster().database();
        database.allow_creating_roles();
        let mut owner = open(&database.url, &database.password);
        owner.engine.save_settings(&Settings { retention_days: 0, ..Settings::default() }, now()).unwrap();
        let sim = start(seed, 40);
        connect(&mut owner.engine, SOURCE, &sim);
        owner.engine.sync(SOURCE, now(), SyncRequest::default()).expect("the owner's first sync");
        assert!(owner.engine.init_team().expect("the owner sets the team up").changed, "a first init-team changes things");
        TeamDb { database, owner, _sim: sim }
    }

    /// A new login of the server with `role` in the team, and its instance.
    fn member(&mut self, suffix: &str, role: Role) -> Instance {
        let login = self.database.login(suffix);
        assert_eq!(self.owner.engine.grant_role(&login.name, role).unwrap(), None, "a new login had no role");
        open(&login.url, &login.password)
    }

    fn work_emails(&self) -> Vec<String> {
        let query = EmployeeQuery { view: View::All, include_hidden: true, limit: 1000, ..EmployeeQuery::default() };
        self.owner.engine.employees(&query, now()).unwrap().into_iter().filter_map(|e| e.work_email).collect()
    }
}

fn device(serial: &str) -> NewDevice {
    NewDevice { kind: "laptop".into(), model: "ThinkPad X1".into(), serial_number: serial.into() }
}

/// The refusal of `action` to `role`, as the engine words it.
fn assert_refused<T: std::fmt::Debug>(result: Result<T, Error>, role: Role, action: Action, words: &str) {
    match result {
        Err(error @ Error::RoleCannot { .. }) => {
            assert!(
                matches!(error, Error::RoleCannot { role: r, action: a } if r == role && a == action),
                "refused as {role} doing {action}: {error:?}"
            );
            assert_eq!(error.to_string(), words, "the refusal names the role, the action and whom to ask");
        }
        other => panic!("the database refuses {role} to {action}, got {other:?}"),
    }
}

fn later() -> DateTime<Utc> {
    now() + chrono::Duration::minutes(5)
}

#[test]
fn an_admins_hand_over_is_seen_by_a_viewer_whose_own_writes_the_database_refuses() {
    let mut team = TeamDb::new(91);
    let mut admin = team.member("ann", Role::Admin);
    let mut viewer = team.member("vic", Role::Viewer);
    assert_eq!((admin.engine.role(), viewer.engine.role()), (Some(Role::Admin), Some(Role::Viewer)), "each knows its role");
    let emails = team.work_emails();
    let (first, second) = (&emails[0], &emails[1]);

    admin.engine.add_device(&device("SN-A1"), now()).expect("an admin adds devices");
    admin.engine.add_device(&device("SN-A2"), now()).unwrap();
    admin.engine.assign_device("SN-A1", first, today(), now()).expect("an admin hands devices over");
    let seen = viewer.engine.devices(None).unwrap();
    let handed = seen.iter().find(|d| d.serial_number == "SN-A1").expect("the viewer sees the admin's device");
    assert_eq!(
        (handed.status.as_str(), handed.holder_id),
        ("assigned", Some(team.owner.engine.find_employee(first).unwrap())),
        "the viewer's instance sees the hand-over the admin's made"
    );

    let hidden_before = team.owner.engine.status(now()).unwrap().hidden;
    let title_before = team.owner.engine.profile(second, now()).unwrap();
    assert_refused(
        viewer.engine.assign_device("SN-A2", second, today(), later()),
        Role::Viewer,
        Action::HandOverDevices,
        "your role viewer cannot hand over devices; ask an admin",
    );
    assert_refused(
        viewer.engine.take_back_device("SN-A1", today(), later()),
        Role::Viewer,
        Action::TakeBackDevices,
        "your role viewer cannot take back devices; ask an admin",
    );
    assert_refused(
        viewer.engine.set_hidden(second, true, later()),
        Role::Viewer,
        Action::HidePeople,
        "your role viewer cannot hide people; ask an admin",
    );
    assert_refused(
        viewer.engine.edit_field(second, Field::JobTitle, Some("Chief Viewer"), later()),
        Role::Viewer,
        Action::EditFields,
        "your role viewer cannot edit fields; ask an admin",
    );
    // The store's own write, with no engine around it: the database refuses it.
    let id = viewer.engine.find_employee(second).unwrap();
    match employees::set_hidden(viewer.engine.store().conn(), id, true, later()) {
        Err(Error::Forbidden { detail, .. }) => assert!(detail.contains("permission denied"), "{detail}"),
        other => panic!("the database itself refuses a viewer's write, got {other:?}"),
    }

    let devices = team.owner.engine.devices(None).unwrap();
    let spare = devices.iter().find(|d| d.serial_number == "SN-A2").unwrap();
    let kept = devices.iter().find(|d| d.serial_number == "SN-A1").unwrap();
    assert_eq!((spare.status.as_str(), spare.holder_id), ("in_stock", None), "the refused hand-over changed nothing");
    assert_eq!(kept.status, "assigned", "the refused return changed nothing");
    assert_eq!(team.owner.engine.status(now()).unwrap().hidden, hidden_before, "the refused hide changed nothing");
    assert_eq!(team.owner.engine.profile(second, now()).unwrap().fields, title_before.fields, "the refused edit changed nothing");
    assert_eq!(team.owner.engine.devices(None).unwrap().len(), 2, "and no device appeared or went");
}

#[test]
fn an_admin_syncs_hides_and_edits_but_the_database_keeps_sources_schedule_and_settings_for_the_owner() {
    let mut team = TeamDb::new(92);
    let mut admin = team.member("ann", Role::Admin);
    let emails = team.work_emails();

    let report = admin.engine.sync(SOURCE, later(), SyncRequest::default()).expect("an admin's sync writes what a sync writes");
    assert!(report.run_id.is_some(), "the admin's sync is recorded as a run: {report:?}");
    admin.engine.set_hidden(&emails[0], true, later()).expect("an admin hides people");
    admin.engine.edit_field(&emails[1], Field::JobTitle, Some("Head of Laptops"), later()).expect("an admin edits fields");
    let edited = team.owner.engine.profile(&emails[1], now()).unwrap();
    assert!(
        edited.fields.iter().any(|f| f.field == Field::JobTitle && f.value.as_deref() == Some("Head of Laptops")),
        "the owner's instance reads the admin's edit"
    );
    let reminder_morning = today().and_hms_opt(9, 0, 0).unwrap();
    admin.engine.checklist_reminder(reminder_morning, later()).expect("an admin records the day of the checklist reminder");

    assert_refused(
        admin.engine.save_settings(&Settings::default(), now()),
        Role::Admin,
        Action::ChangeSettings,
        "your role admin cannot change settings; ask the directory's owner",
    );
    assert_refused(
        admin.engine.set_sync_interval(SOURCE, std::time::Duration::from_secs(600), later()),
        Role::Admin,
        Action::ChangeSchedule,
        "your role admin cannot change the sync schedule; ask the directory's owner",
    );
    assert_refused(
        admin.engine.remove_source(SOURCE, false, now()),
        Role::Admin,
        Action::ChangeSources,
        "your role admin cannot change sources; ask the directory's owner",
    );
    assert_eq!(team.owner.engine.settings().unwrap().retention_days, 0, "the refused settings changed nothing");
    let source = team.owner.engine.source(SOURCE).expect("the source is still there");
    assert_eq!(source.sync_interval_secs, 3600, "the refused schedule changed nothing");
    assert!(team.owner.engine.source_secret(&source).is_ok(), "the refused removal kept the source's key in the keyring");
}

#[test]
fn init_team_run_again_changes_nothing_and_says_so() {
    let mut team = TeamDb::new(93);
    let database = team.database.config().get_dbname().unwrap().to_owned();
    let again = team.owner.engine.init_team().expect("a second init-team succeeds");
    assert!(!again.changed, "a second init-team finds everything in place: {again:?}");
    let names: Vec<String> = again.roles.values().cloned().collect();
    assert_eq!(
        names,
        ["viewer", "admin", "owner"].map(|r| format!("{database}_{r}")),
        "the roles are named after the database, so that several directories can share one server"
    );
    let _viewer = team.member("vic", Role::Viewer);
    let found = team.owner.engine.team().unwrap().expect("the database has a team");
    let members: Vec<(String, Role)> = found.members.iter().map(|m| (m.login.clone(), m.role)).collect();
    assert_eq!(members, vec![(database.clone(), Role::Owner), (format!("{database}_vic"), Role::Viewer)], "the team");
    assert!(!team.owner.engine.init_team().unwrap().changed, "granting a person changes nothing init-team sets");
}

#[test]
fn a_login_without_a_roster_role_is_refused_on_connect_with_what_to_do() {
    let mut team = TeamDb::new(94);
    // One the server does not let in, one it does (the database is open to it) but the team does not know.
    let stranger = team.database.login("stranger");
    let visitor = team.database.login("visitor");
    let database = team.database.config().get_dbname().unwrap().to_owned();
    team.database.as_superuser(&format!("GRANT CONNECT ON DATABASE {database} TO {}", visitor.name));
    for login in [&stranger, &visitor] {
        let dir = tempfile::tempdir().unwrap();
        let target: Target = login.url.parse().unwrap();
        match postgres::connect(dir.path(), &target, &login.password) {
            Err(error @ Error::NoTeamRole { .. }) => {
                let message = error.to_string();
                assert!(
                    message.contains(&format!("the login {} has no Roster role", login.name))
                        && message.contains(&format!("roster directory grant {} --role viewer", login.name)),
                    "the refusal says what to ask for: {message}"
                );
            }
            other => panic!("{} has no Roster role and is refused, got {other:?}", login.name),
        }
        assert_eq!(Target::of(dir.path()).unwrap(), None, "the refused data directory is left as it was");
    }

    // A member whose role is taken back can no longer open the directory.
    let admin = team.member("ann", Role::Admin);
    let dir = admin.dir.path().to_owned();
    drop(admin.engine);
    let login = format!("{database}_ann");
    assert_eq!(team.owner.engine.revoke_role(&login).unwrap(), Some(Role::Admin), "revoke says which role went");
    match Engine::open(&dir) {
        Err(Error::NoTeamRole { login: refused, .. }) => assert_eq!(refused, login),
        Err(other) => panic!("a revoked login is refused as having no role, got {other}"),
        Ok(_) => panic!("a revoked login cannot open the directory"),
    }
}

#[test]
fn a_member_opening_an_older_schema_is_told_to_ask_the_owner() {
    let mut team = TeamDb::new(95);
    let viewer = team.member("vic", Role::Viewer);
    let dir = viewer.dir.path().to_owned();
    drop(viewer.engine);
    let mut client = team.database.connect();
    let version = |client: &mut ::postgres::Client| -> i64 {
        client.query_one("SELECT version FROM roster_schema_version", &[]).unwrap().get(0)
    };
    let older = version(&mut client) - 1;
    client.batch_execute(&format!("UPDATE roster_schema_version SET version = {older}")).unwrap();
    match Engine::open(&dir) {
        Err(error @ Error::SchemaNeedsOwner { .. }) => {
            let owner = team.database.config().get_user().unwrap().to_owned();
            assert_eq!(
                error.to_string(),
                format!("the directory's schema is older than this Roster; ask the owner ({owner}) to open it once"),
                "not a permission error: whom to ask"
            );
        }
        Err(other) => panic!("a member cannot migrate and is told so, got {other}"),
        Ok(_) => panic!("a member cannot open an older schema"),
    }
    assert_eq!(version(&mut client), older, "the schema is left as it was");
}

#[test]
fn an_admins_sync_erases_whom_retention_erases_but_erasing_anyone_else_is_the_owners() {
    let mut team = TeamDb::new(96);
    let mut admin = team.member("ann", Role::Admin);
    team.owner.engine.save_settings(&Settings { retention_days: 365, ..Settings::default() }, now()).unwrap();
    let before = team.work_emails().len();
    let report = admin.engine.sync(SOURCE, later(), SyncRequest::default()).expect("the admin's sync and its retention run");
    assert!(report.run_id.is_some(), "{report:?}");
    let after = team.work_emails();
    assert!(after.len() < before, "the admin's sync erased the people past retention ({before} before, {} after)", after.len());

    let current = team.owner.engine.find_employee(&after[0]).unwrap();
    match employees::delete(admin.engine.store().conn(), current) {
        Err(Error::Forbidden { detail, .. }) => assert!(detail.contains("owner"), "{detail}"),
        other => panic!("the database keeps a current person from an admin's delete, got {other:?}"),
    }
    assert_eq!(team.work_emails(), after, "the refused erasure changed nothing");
    employees::delete(team.owner.engine.store().conn(), current).expect("the owner erases anyone");
    assert_eq!(team.work_emails().len(), after.len() - 1, "the owner's erasure went through");
}
