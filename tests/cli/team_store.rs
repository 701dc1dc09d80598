//! `roster directory connect|status|disconnect`: a data directory pointed at a PostgreSQL
//! database of a real server the tests start, its password only in the OS keyring.

use roster_test_postgres::Cluster;

use crate::harness::Roster;

#[test]
fn a_server_that_cannot_be_reached_is_said_so_at_start() {
    // A server of this test's own, to stop: the shared one serves the other tests.
    let server = Cluster::new();
    let database = server.database();
    let roster = Roster::new();
    let connected = roster.run_with_stdin(&["directory", "connect", &database.url], &format!("{}\n", database.password));
    assert!(connected.status.success(), "{}", String::from_utf8_lossy(&connected.stderr));
    server.stop();

    let out = roster.run(&["status"]);
    assert!(!out.status.success(), "nothing to show without the database");
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("cannot be reached") && message.contains(&database.url), "{message}");
    assert!(!message.contains("panicked"), "{message}");
}
