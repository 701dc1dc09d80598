//! Who did what, and edit conflicts, in a team's directory: two admins (two data directories, two
//! login roles) on one PostgreSQL database, and two windows on one SQLite file.

use std::sync::Barrier;

use chrono::Duration;
use roster_engine::model::Field;
use roster_engine::store::devices::NewDevice;
use roster_engine::store::postgres;
use roster_engine::sync::Outcome;
use roster_engine::{Engine, Error, FilterInput};
use roster_simulator::Simulator;
use roster_test_postgres::{cluster, Login, TestDatabase};

use crate::data_dir::DataDir;
use crate::harness::{connect, fast_retry, now, start, today, SOURCE};

/// A team of two on one database: Ada's and Bob's engines, each in its own data directory and
/// logged in as its own role, granted what an admin needs (the owner's engine made the schema).
struct Team {
    ada: Engine,
    bob: Engine,
    ada_role: Login,
    bob_role: Login,
    sim: Simulator,
    // Dropped last: the engines' connections close before the database goes.
    _dirs: [tempfile::TempDir; 3],
    _database: TestDatabase,
}

impl Team {
    fn new(seed: u64) -> Team {
        let database = cluster().database();
        let owner_dir = tempfile::tempdir().unwrap();
        postgres::connect(owner_dir.path(), &database.url.parse().unwrap(), &database.password).unwrap();
        let (ada_role, bob_role) = (database.connecting_login("ada"), database.connecting_login("bob"));
        database
            .connect()
            .batch_execute(&format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {a}, {b};
                 GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {a}, {b};",
                a = ada_role.name,
                b = bob_role.name
            ))
            .unwrap();
        let open = |role: &Login| {
            let dir = tempfile::tempdir().unwrap();
            postgres::connect(dir.path(), &role.url.parse().unwrap(), &role.password).unwrap();
            (Engine::open(dir.path()).unwrap().with_retry(fast_retry()), dir)
        };
        let ((mut ada, ada_dir), (bob, bob_dir)) = (open(&ada_role), open(&bob_role));
        let sim = start(seed, 30);
        connect(&mut ada, SOURCE, &sim);
        ada.sync(SOURCE, now(), Default::default()).expect("Ada's first sync succeeds");
        Team { ada, bob, ada_role, bob_role, sim, _dirs: [owner_dir, ada_dir, bob_dir], _database: database }
    }

    /// A new connection as `role`, past the app: what a hand-written statement may do.
    fn client(role: &Login) -> ::postgres::Client {
        let mut config: ::postgres::Config = role.url.parse().unwrap();
        config.password(&role.password);
        config.connect(::postgres::NoTls).unwrap()
    }
}

/// Someone to edit and hand devices to: the first person with a work email, as the directory lists them.
fn people(engine: &Engine, n: usize) -> Vec<String> {
    let query = roster_engine::store::employees::EmployeeQuery { limit: 100, ..Default::default() };
    let found: Vec<String> = engine.employees(&query, now()).unwrap().into_iter().filter_map(|e| e.work_email).take(n).collect();
    assert_eq!(found.len(), n, "the company has {n} people with a work email");
    found
}

fn job_title(engine: &Engine, who: &str) -> Option<String> {
    engine.profile(who, now()).unwrap().fields.into_iter().find(|f| f.field == Field::JobTitle).unwrap().value
}

fn laptop(engine: &mut Engine, serial: &str) {
    let device = NewDevice { kind: "laptop".into(), model: "X1".into(), serial_number: serial.into() };
    engine.add_device(&device, now()).expect("the device is added");
}

#[test]
fn an_edit_from_a_stale_value_is_refused_with_the_other_admins_value_and_the_history_names_who_made_each_change() {
    let mut team = Team::new(401);
    let who = &people(&team.ada, 1)[0];
    team.ada.set_display_name("Ada Admin", now()).expect("Ada names herself");
    let seen = job_title(&team.bob, who);
    assert_eq!(seen, job_title(&team.ada, who), "both admins see the same value");

    team.ada.edit_field_seen(who, Field::JobTitle, seen.as_deref(), Some("Head of Platform"), now()).expect("Ada saves first");
    let refused = team
        .bob
        .edit_field_seen(who, Field::JobTitle, seen.as_deref(), Some("Platform Lead"), now())
        .expect_err("Bob's save from the value he saw before Ada's is refused");
    match &refused {
        Error::EditConflict { field: Field::JobTitle, current, by } => {
            assert_eq!(current.as_deref(), Some("Head of Platform"), "the refusal shows Ada's new value");
            assert_eq!(by.as_deref(), Some("Ada Admin"), "and names her by her display name");
        }
        other => panic!("a typed edit conflict, not {other:?}"),
    }
    let message = refused.to_string();
    assert!(message.contains("changed by Ada Admin meanwhile: \"Head of Platform\""), "{message}");
    assert_eq!(job_title(&team.ada, who).as_deref(), Some("Head of Platform"), "nothing was overwritten");

    team.bob
        .edit_field_seen(who, Field::JobTitle, Some("Head of Platform"), Some("Platform Lead"), now())
        .expect("Bob's retry from Ada's value is saved");
    let history = team.ada.profile(who, now()).unwrap().history;
    let edits: Vec<_> = history.iter().filter(|e| e.action == "edited").collect();
    assert_eq!(edits.len(), 2, "two edits were saved: {history:?}");
    assert_eq!(
        (edits[0].made_by.as_deref(), edits[0].made_by_name.as_deref(), edits[0].new_value.as_deref()),
        (Some(team.bob_role.name.as_str()), None, Some("Platform Lead")),
        "the latest edit names Bob's role (he set no display name)"
    );
    assert_eq!(
        (edits[1].made_by.as_deref(), edits[1].made_by_name.as_deref(), edits[1].at.as_str()),
        (Some(team.ada_role.name.as_str()), Some("Ada Admin"), now().to_rfc3339().as_str()),
        "the first names Ada's role, her display name, and when"
    );
}

#[test]
fn the_database_names_who_made_a_change_and_a_role_cannot_set_another_roles_display_name() {
    let mut team = Team::new(402);
    team.ada.set_display_name("Ada Admin", now()).unwrap();
    assert_eq!(
        team.bob.whoami().unwrap().map(|me| me.role),
        Some(team.bob_role.name.clone()),
        "each instance works as its own role"
    );

    let mut bob = Team::client(&team.bob_role);
    let refused = bob
        .execute(
            "INSERT INTO team_members (role_name, display_name, updated_at) VALUES ($1, 'Mallory', 'now')
             ON CONFLICT (role_name) DO UPDATE SET display_name = excluded.display_name",
            &[&team.ada_role.name],
        )
        .expect_err("Bob cannot rename Ada");
    assert_eq!(refused.code(), Some(&::postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "the database refuses: {refused}");
    let changed =
        bob.execute("UPDATE team_members SET display_name = 'Mallory' WHERE role_name = $1", &[&team.ada_role.name]).unwrap();
    assert_eq!(changed, 0, "Bob's update does not reach Ada's row");
    assert_eq!(team.bob.whoami().unwrap().unwrap().display_name, None, "Bob's own name is unset");
    let ada = team.ada.whoami().unwrap().unwrap();
    assert_eq!(ada.display_name.as_deref(), Some("Ada Admin"), "Ada's name is hers alone to change");

    bob.execute(
        "INSERT INTO change_log (at, actor, action, made_by) VALUES ('now', 'user', 'forged', $1)",
        &[&team.ada_role.name],
    )
    .unwrap();
    bob.execute("UPDATE change_log SET made_by = $1 WHERE action = 'forged'", &[&team.ada_role.name]).unwrap();
    let forged = team.ada.audit(None, 1).unwrap().remove(0);
    assert_eq!(
        (forged.action.as_str(), forged.made_by.as_deref()),
        ("forged", Some(team.bob_role.name.as_str())),
        "a change claimed for Ada is recorded as Bob's, who made it"
    );
}

#[test]
fn the_audit_filters_changes_by_admin_and_names_hand_overs_returns_hides_and_runs() {
    let mut team = Team::new(403);
    team.ada.set_display_name("Ada Admin", now()).unwrap();
    let [carol, dan] = <[String; 2]>::try_from(people(&team.ada, 2)).unwrap();
    laptop(&mut team.ada, "SN-7");
    team.ada.assign_device("SN-7", &carol, today(), now()).unwrap();
    team.bob.take_back_device("SN-7", today(), now()).unwrap();
    team.bob.set_hidden(&dan, true, now()).unwrap();

    let actions = |by: &str| -> Vec<String> { team.ada.audit(Some(by), 50).unwrap().into_iter().map(|e| e.action).collect() };
    assert_eq!(actions("Ada Admin"), ["device_assigned", "source_connected"], "Ada's changes, by her display name");
    assert_eq!(actions(&team.ada_role.name), ["device_assigned", "source_connected"], "the same by her role");
    assert_eq!(actions(&team.bob_role.name), ["hidden", "device_returned"], "Bob's, newest first");
    let all = team.bob.audit(None, 50).unwrap();
    assert!(all.len() >= 3, "without a filter, everyone's: {all:?}");
    let authors: Vec<_> = team.bob.authors().unwrap().into_iter().map(|a| a.label().to_owned()).collect();
    assert!(authors.contains(&"Ada Admin".to_owned()) && authors.contains(&team.bob_role.name), "{authors:?}");

    let (_, holdings) = team.bob.device_history("SN-7").unwrap();
    assert_eq!(
        (holdings[0].assigned_by.as_deref(), holdings[0].returned_by.as_deref()),
        (Some("Ada Admin"), Some(team.bob_role.name.as_str())),
        "the device's history names who handed it over and who took it back"
    );

    let run = team.bob.runs(None, 1).unwrap().remove(0);
    let machine = whoami::hostname().unwrap();
    assert_eq!(run.machine.as_deref(), Some(machine.as_str()), "the run names the machine that ran it");
    assert_eq!(
        (run.run_by.as_deref(), run.run_by_name.as_deref()),
        (Some(team.ada_role.name.as_str()), Some("Ada Admin")),
        "and the role that ran it"
    );
}

#[test]
fn approving_or_discarding_a_held_plan_names_the_admin_who_decided() {
    let mut team = Team::new(406);
    team.ada.set_display_name("Ada Admin", now()).unwrap();
    let filters = FilterInput { legal_entities: vec!["Quillon GmbH".into()], ..FilterInput::default() };
    let filters = team.ada.resolve_filters(SOURCE, &filters).unwrap();
    team.ada.set_filters(SOURCE, &filters, now()).unwrap();
    let mut held = |at| {
        team.sim.set_clock(at);
        let report = team.ada.sync(SOURCE, at, Default::default()).unwrap();
        assert_eq!(report.outcome, Outcome::Held, "putting most of the company out of scope waits for a decision");
        report.run_id.unwrap()
    };
    let first = held(now() + Duration::hours(1));
    team.bob.discard(first, now()).unwrap();
    let second = held(now() + Duration::hours(2));
    team.ada.approve(second, now()).unwrap();
    let decided = |by: &str, action: &str| -> Vec<Option<i64>> {
        team.bob.audit(Some(by), 500).unwrap().into_iter().filter(|e| e.action == action).map(|e| e.run_id).collect()
    };
    assert_eq!(decided(&team.bob_role.name, "plan_discarded"), [Some(first)], "Bob's discard names him and the run");
    assert_eq!(decided("Ada Admin", "plan_approved"), [Some(second)], "Ada's approval names her and the run");
    assert_eq!(decided("Ada Admin", "filters_changed"), [None], "the filters' change that held them names her too");
    assert!(decided("Ada Admin", "plan_discarded").is_empty() && decided(&team.bob_role.name, "plan_approved").is_empty());
}

#[test]
fn of_two_admins_handing_one_device_to_two_people_at_once_one_wins_and_the_other_is_told() {
    let mut team = Team::new(404);
    team.ada.set_display_name("Ada Admin", now()).unwrap();
    let [carol, dan] = <[String; 2]>::try_from(people(&team.ada, 2)).unwrap();

    // Exactly at once: Bob's hand-over is written and not yet committed when Ada's reaches the
    // index of open hand-overs, which makes hers wait for his, then refuses it.
    laptop(&mut team.ada, "SN-1");
    let mut bob = Team::client(&team.bob_role);
    let mut handing = bob.transaction().unwrap();
    handing
        .execute(
            "INSERT INTO device_assignments (device_id, employee_id, assigned_on)
             SELECT d.id, e.id, '2026-11-25' FROM devices d, employees e WHERE d.serial_number = 'SN-1' AND e.work_email = $1",
            &[&dan],
        )
        .unwrap();
    let refused = std::thread::scope(|scope| {
        let ada = &mut team.ada;
        let carol = &carol;
        let assigning = scope.spawn(move || ada.assign_device("SN-1", carol, today(), now()));
        let mut watcher = Team::client(&team.ada_role);
        while !assigning.is_finished() {
            let waiting: i64 = watcher
                .query_one("SELECT count(*) FROM pg_stat_activity WHERE usename = current_user AND wait_event_type = 'Lock'", &[])
                .unwrap()
                .get(0);
            if waiting > 0 {
                break;
            }
        }
        assert!(!assigning.is_finished(), "Ada's hand-over waits for Bob's");
        handing.commit().unwrap();
        assigning.join().unwrap().expect_err("Ada's hand-over of a device just handed to Dan is refused")
    });
    let held: Vec<String> = team.ada.devices(Some(&dan)).unwrap().into_iter().map(|d| d.serial_number).collect();
    assert_eq!(held, ["SN-1"], "Bob's hand-over to Dan stands");
    let dan_name = team.ada.device_history("SN-1").unwrap().0.holder.expect("the device is held");
    match &refused {
        Error::DeviceTaken { device, holder, by, .. } => {
            assert_eq!(device, "laptop X1 (SN-1)", "the refusal names the device");
            assert_eq!(holder, &dan_name, "and to whom it went");
            assert_eq!(by.as_deref(), Some(team.bob_role.name.as_str()), "and who handed it over");
        }
        other => panic!("a typed refusal, not a raw database error: {other:?}"),
    }
    let message = refused.to_string();
    assert!(message.contains(&format!("was handed to {dan_name} by {}", team.bob_role.name)), "{message}");

    // Both through the app, released together: exactly one wins.
    laptop(&mut team.ada, "SN-2");
    let gate = Barrier::new(2);
    let (ada, bob) = (&mut team.ada, &mut team.bob);
    let results = std::thread::scope(|scope| {
        let a = scope.spawn(|| {
            gate.wait();
            ada.assign_device("SN-2", &carol, today(), now())
        });
        let b = scope.spawn(|| {
            gate.wait();
            bob.assign_device("SN-2", &dan, today(), now())
        });
        [a.join().unwrap(), b.join().unwrap()]
    });
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "exactly one hand-over wins: {results:?}");
    let lost = results.into_iter().find_map(Result::err).unwrap();
    assert!(matches!(lost, Error::DeviceTaken { .. }), "the other is told, in a typed error: {lost:?}");
    assert_eq!(team.ada.device_history("SN-2").unwrap().1.len(), 1, "one hand-over was recorded");
}

#[test]
fn on_one_sqlite_file_too_a_stale_edit_is_refused_and_a_held_device_is_not_handed_over_again() {
    let sim = start(405, 30);
    let dir = DataDir::sqlite();
    let mut first = Engine::open(dir.path()).unwrap().with_retry(fast_retry());
    connect(&mut first, SOURCE, &sim);
    first.sync(SOURCE, now(), Default::default()).unwrap();
    let mut second = Engine::open(dir.path()).unwrap();
    let [carol, dan] = <[String; 2]>::try_from(people(&first, 2)).unwrap();

    let seen = job_title(&second, &carol);
    first.edit_field_seen(&carol, Field::JobTitle, seen.as_deref(), Some("Head of Platform"), now()).unwrap();
    match second.edit_field_seen(&carol, Field::JobTitle, seen.as_deref(), Some("Platform Lead"), now()) {
        Err(Error::EditConflict { current, by: None, .. }) => {
            assert_eq!(current.as_deref(), Some("Head of Platform"), "the other window's value is shown")
        }
        other => panic!("a stale edit is refused, naming no one in a one-person directory: {other:?}"),
    }
    assert_eq!(job_title(&first, &carol).as_deref(), Some("Head of Platform"), "nothing was overwritten");
    assert!(second.whoami().unwrap().is_none(), "a local directory has no roles");
    assert!(second.set_display_name("Ada", now()).is_err(), "nor display names");

    laptop(&mut first, "SN-1");
    first.assign_device("SN-1", &carol, today(), now()).unwrap();
    match second.assign_device("SN-1", &dan, today(), now()) {
        Err(Error::DeviceTaken { by: None, on, .. }) => assert_eq!(on, today().to_string()),
        other => panic!("a held device is refused with a typed error: {other:?}"),
    }
    let run = first.runs(None, 1).unwrap().remove(0);
    assert_eq!(run.machine, Some(whoami::hostname().unwrap()), "a local run names its machine too");
    assert_eq!(run.run_by, None, "and no role");
}
