//! A damaged database at start: the app says which file and what to do (a dialog, and its log)
//! instead of the window, and waits for the person to read it rather than vanishing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use roster_engine::store::{Store, DATABASE_FILE};

#[test]
fn a_damaged_database_at_start_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).expect("a directory is created"));
    let file = dir.path().join(DATABASE_FILE);
    // The first page, which SQLite reads before anything else.
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[200..300].fill(0x5a);
    std::fs::write(&file, &bytes).unwrap();

    // A second Roster in the session would hand over to the first and quit.
    let _turn = crate::ONE_APP_AT_A_TIME.blocking_lock();
    let mut app = Command::new(crate::driver::app())
        .env("ROSTER_DATA_DIR", dir.path())
        .env("ROSTER_NO_DEMO", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the app starts");
    let (lines, said) = mpsc::channel();
    let stderr = BufReader::new(app.stderr.take().unwrap());
    std::thread::spawn(move || stderr.lines().map_while(Result::ok).for_each(|line| drop(lines.send(line))));
    let refusal = loop {
        match said.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains("Roster cannot open its directory") => break line,
            Ok(_) => {}
            Err(_) => panic!("the app did not say within a minute why it cannot open the directory"),
        }
    };
    let still_running = app.try_wait().unwrap().is_none();
    app.kill().unwrap();
    app.wait().unwrap();
    assert!(
        refusal.contains(&format!("{} is damaged", file.display()))
            && refusal.contains("restore the data directory from a backup"),
        "the app names the file and what to do: {refusal}"
    );
    assert!(still_running, "the app waits with its message (a dialog) instead of quitting at once");
}
