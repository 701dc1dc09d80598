//! What the command line writes to a terminal: values from the HR system are shown, never run.

use roster_simulator::{Change, EditableField, EmploymentStatus};

use crate::harness::{simulator, Roster};

#[test]
fn escape_sequences_in_hr_values_are_shown_not_sent_to_the_terminal() {
    let sim = simulator(17, 30);
    let person = sim
        .employees()
        .into_iter()
        .find(|e| e.employment_status == Some(EmploymentStatus::Active) && e.work_email.is_some())
        .expect("the company has an active person with a work email");
    // OSC 52 would put text on the admin's clipboard; CSI 2J would clear the screen; U+009B is the
    // one-byte CSI of the C1 controls.
    let hostile = "Eve\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J\u{9b}31m";
    sim.apply(Change::Edit { employee_id: person.id.clone(), field: EditableField::FirstName, value: Some(hostile.into()) });
    let roster = Roster::new();
    roster.add_kombo("HR", &sim);
    roster.ok(&["sync"]);

    let email = person.work_email.as_deref().unwrap();
    for output in [roster.ok(&["employees", "--search", email]), roster.ok(&["show", email])] {
        assert!(output.contains("Eve"), "the person is listed: {output}");
        assert!(
            !output.contains(['\u{1b}', '\u{7}', '\u{9b}']),
            "no control character of an HR value reaches the terminal: {output:?}"
        );
        assert!(output.contains("\\u{1b}]52;"), "the escape is shown as text, so the admin sees it: {output:?}");
    }
    let json = roster.json(&["show", email]);
    assert!(json.to_string().contains("Eve"), "JSON output still parses, its strings escaped by JSON itself");
}

#[test]
fn a_key_typed_at_a_terminal_is_not_echoed_and_is_kept_in_the_keyring() {
    use std::time::{Duration, Instant};

    use expectrl::{Eof, Expect};

    let sim = simulator(18, 10);
    let roster = Roster::new();
    // The pseudo-terminal starts with echo off; a person's terminal has it on.
    let mut command = std::process::Command::new("sh");
    command
        .args(["-c", r#"stty echo && exec "$0" "$@""#, env!("CARGO_BIN_EXE_roster")])
        .args(["source", "add", "kombo", "--name", "HR", "--base-url", &sim.base_url(), "--integration-id", sim.integration_id()])
        .env("ROSTER_DATA_DIR", roster.data_dir())
        .env("ROSTER_NOW", crate::harness::NOW)
        .env_remove("ROSTER_API_KEY");
    let mut terminal = expectrl::Session::spawn(command).expect("roster runs on a pseudo-terminal");
    terminal.set_expect_timeout(Some(Duration::from_secs(30)));
    let prompt = terminal.expect("Kombo API key").expect("roster asks for the key at the terminal");
    // The prompt is written just before echo is switched off: a key typed earlier would be shown.
    let deadline = Instant::now() + Duration::from_secs(10);
    while terminal.get_process().get_echo().unwrap() {
        assert!(Instant::now() < deadline, "the terminal's echo is switched off while the key is typed");
        std::thread::sleep(Duration::from_millis(10));
    }
    terminal.send_line(sim.api_key()).unwrap();
    let rest = terminal.expect(Eof).expect("roster finishes once the key is typed");
    let screen = [prompt.before(), prompt.as_bytes(), rest.as_bytes()].concat();
    let screen = String::from_utf8_lossy(&screen);
    assert!(screen.contains("connected HR"), "the source is connected: {screen:?}");
    assert!(!screen.contains(sim.api_key()), "the key typed is not shown on the terminal: {screen:?}");

    roster.ok(&["sync"]);
    let someone = sim.employees().into_iter().find_map(|e| e.work_email).expect("the company has a work email");
    assert!(
        roster.ok(&["employees", "--search", &someone]).contains(&someone),
        "a sync read the company with the key kept in the keyring"
    );
}
