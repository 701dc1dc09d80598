//! `roster directory init-team|grant|revoke` and the role and team in `roster directory status`,
//! on a real PostgreSQL server the tests start (whatever `ROSTER_TEST_STORE` says).

use roster_test_postgres::cluster;

use crate::harness::Roster;

/// A Roster with its own data directory, connected to the database at `url` as its login.
fn connected(url: &str, password: &str) -> Roster {
    let roster = Roster::sqlite();
    let out = roster.run_with_stdin(&["directory", "connect", url], &format!("{password}\n"));
    assert!(out.status.success(), "{url} connects: {}", String::from_utf8_lossy(&out.stderr));
    roster
}

fn stderr(roster: &Roster, args: &[&str]) -> String {
    let out = roster.run(args);
    assert!(!out.status.success(), "roster {args:?} is refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn status_gives_the_role_and_the_team_and_a_viewers_writes_are_refused_with_the_action() {
    let database = cluster().database();
    database.allow_creating_roles();
    let dbname = database.config().get_dbname().unwrap().to_owned();
    let owner = connected(&database.url, &database.password);
    let sim = crate::harness::simulator(43, 30);
    owner.add_kombo("Acme HR", &sim);
    owner.ok(&["sync"]);
    let status = owner.json(&["directory", "status"]);
    assert_eq!((&status["role"], &status["team"]), (&"owner".into(), &serde_json::Value::Null), "the owner, no team yet");

    let set_up = owner.ok(&["directory", "init-team"]);
    assert!(set_up.contains(&format!("{dbname}_viewer, {dbname}_admin, {dbname}_owner are set up")), "{set_up}");
    let again = owner.ok(&["directory", "init-team"]);
    assert!(again.contains("already set up: nothing changed"), "a second run says it changed nothing: {again}");

    let vic = database.login("vic");
    let granted = owner.ok(&["directory", "grant", &vic.name, "--role", "viewer"]);
    assert_eq!(granted.trim(), format!("{} now has the role viewer", vic.name));
    let viewer = connected(&vic.url, &vic.password);
    let status = viewer.json(&["directory", "status"]);
    assert_eq!(status["role"], "viewer", "{status}");
    assert_eq!(
        status["team"],
        serde_json::json!({
            "database": dbname,
            "owner": dbname,
            "members": [{"login": dbname, "role": "owner"}, {"login": vic.name, "role": "viewer"}],
        }),
        "the team: the database, its owner and every member with their role"
    );
    let plain = viewer.ok(&["directory", "status"]);
    assert!(
        plain.contains("role: viewer") && plain.contains(&format!("team of {dbname}: {dbname} (owner), {} (viewer)", vic.name)),
        "{plain}"
    );

    let someone = viewer.json(&["employees", "--view", "all"])[0]["work_email"].as_str().unwrap().to_owned();
    let refused = stderr(&viewer, &["hide", &someone]);
    assert!(refused.contains("your role viewer cannot hide people; ask an admin"), "{refused}");
    let refused = stderr(&viewer, &["device", "add", "--kind", "laptop", "--model", "X1", "--serial", "SN-V1"]);
    assert!(refused.contains("your role viewer cannot add devices; ask an admin"), "{refused}");
    assert_eq!(owner.json(&["device", "list"]), serde_json::json!([]), "the refused device was not added");
    let shown = viewer.json(&["settings"]);
    assert_eq!(shown["paused"], false, "a viewer reads the settings: {shown}");
    let refused = stderr(&viewer, &["settings", "--paused", "on"]);
    assert!(refused.contains("your role viewer cannot change settings"), "but does not change them: {refused}");

    let revoked = owner.ok(&["directory", "revoke", &vic.name]);
    assert!(revoked.contains("no longer has the role viewer"), "{revoked}");
    let refused = stderr(&viewer, &["directory", "status"]);
    assert!(refused.contains(&format!("the login {} has no Roster role", vic.name)), "{refused}");

    let local = Roster::sqlite().json(&["directory", "status"]);
    assert_eq!((&local["role"], &local["team"]), (&serde_json::Value::Null, &serde_json::Value::Null), "SQLite has no team");
}

#[test]
fn connecting_as_a_login_without_a_roster_role_is_refused_with_what_to_ask() {
    let database = cluster().database();
    database.allow_creating_roles();
    let owner = connected(&database.url, &database.password);
    owner.ok(&["directory", "init-team"]);
    let stranger = database.login("stranger");
    let roster = Roster::sqlite();
    let out = roster.run_with_stdin(&["directory", "connect", &stranger.url], &format!("{}\n", stranger.password));
    assert!(!out.status.success(), "a login without a role is refused");
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains(&format!("ask its owner to run `roster directory grant {} --role viewer`", stranger.name)),
        "{message}"
    );
    assert_eq!(roster.json(&["directory", "status"])["store"], "sqlite", "the data directory stays on its own file");
}
