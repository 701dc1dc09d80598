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
