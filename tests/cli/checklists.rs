//! `roster checklist`: the steps of onboardings and offboardings listed, ticked and un-ticked,
//! following a moved start date, and their templates, from a CSV source read at every sync.

use serde_json::Value;

use crate::exports::parse;
use crate::harness::Roster;

const HEADER: &str = "Employee number,First name,Last name,Work email,Employment type,Legal entity,Start date,End date\n";

/// A spreadsheet source with a starter on `ada_start`, a contractor starting later, a leaver and
/// someone long in post.
fn roster_with(ada_start: &str) -> Roster {
    let roster = Roster::new();
    write_people(&roster, &format!("{ada_start},"));
    let file = roster.data_dir().join("people.csv");
    roster.ok(&["source", "add", "csv", "--name", "Spreadsheet", "--file", file.to_str().unwrap()]);
    roster.ok(&["sync"]);
    roster
}

/// Writes the spreadsheet with Ada's "start,end" dates.
fn write_people(roster: &Roster, ada_dates: &str) {
    let csv = format!(
        "{HEADER}\
         1,Ada,Lovelace,ada@example.com,Full time,Quillon GmbH,{ada_dates}\n\
         2,Bob,Builder,bob@example.com,Contract,Quillon GmbH,2026-12-20,\n\
         3,Grace,Hopper,grace@example.com,Full time,Quillon Ltd,2019-03-01,2026-12-01\n\
         4,Alan,Turing,alan@example.com,Full time,Quillon Ltd,2018-01-01,\n"
    );
    std::fs::write(roster.data_dir().join("people.csv"), csv).unwrap();
}

fn steps(roster: &Roster, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["checklist", "list"];
    all.extend_from_slice(args);
    roster.json(&all).as_array().expect("a JSON list of steps").clone()
}

fn of<'a>(steps: &'a [Value], person: &str) -> Vec<&'a Value> {
    steps.iter().filter(|s| s["person"] == person).collect()
}

fn step<'a>(steps: &'a [Value], person: &str, title: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["person"] == person && s["title"] == title)
        .unwrap_or_else(|| panic!("{person}: {title} in {steps:?}"))
}

#[test]
fn checklist_list_shows_every_onboarding_and_offboarding_step_with_its_due_date() {
    let roster = roster_with("2026-12-05");
    let all = steps(&roster, &[]);
    assert_eq!(of(&all, "Ada Lovelace").len(), 5, "a starter gets the onboarding template's five steps");
    assert_eq!(of(&all, "Grace Hopper").len(), 3, "a leaver gets the offboarding template's three steps");
    assert!(of(&all, "Alan Turing").is_empty(), "someone neither starting nor leaving has no checklist");
    assert_eq!(step(&all, "Ada Lovelace", "Order equipment")["due_date"], "2026-11-21", "14 days before the start");
    assert_eq!(step(&all, "Grace Hopper", "Wipe devices")["due_date"], "2026-12-04", "3 days after the end");
    assert_eq!(step(&all, "Ada Lovelace", "Order equipment")["overdue"], true, "due on the 21st, open on the 25th: overdue");

    let due = steps(&roster, &["--view", "onboardings", "--due-before", "2026-11-29"]);
    let titles: Vec<(&str, &str)> = due.iter().map(|s| (s["person"].as_str().unwrap(), s["title"].as_str().unwrap())).collect();
    assert_eq!(
        titles,
        vec![("Ada Lovelace", "Order equipment"), ("Ada Lovelace", "Ship to home address")],
        "only open onboarding steps due before the date, soonest first"
    );
    let offboarding = steps(&roster, &["--view", "offboardings"]);
    assert!(offboarding.iter().all(|s| s["view"] == "offboardings") && offboarding.len() == 3, "{offboarding:?}");

    let text = roster.ok(&["checklist", "list", "--view", "onboardings"]);
    assert!(
        text.lines().any(|l| l.contains("Ada Lovelace") && l.contains("Order equipment") && l.contains("OVERDUE")),
        "the text list marks overdue steps:\n{text}"
    );
}

#[test]
fn checklist_done_and_undo_tick_a_step_and_a_moved_start_moves_the_open_ones() {
    let roster = roster_with("2026-12-05");
    let said = roster.ok(&["checklist", "done", "ada@example.com", "order equipment"]);
    assert!(said.contains("done: Order equipment for Ada Lovelace"), "{said}");
    let all = steps(&roster, &[]);
    assert!(step(&all, "Ada Lovelace", "Order equipment")["done_at"].is_string(), "the step is ticked");
    assert_eq!(step(&all, "Ada Lovelace", "Order equipment")["overdue"], false, "a done step is never overdue");
    let due = steps(&roster, &["--due-before", "2026-11-29"]);
    assert!(due.iter().all(|s| s["title"] != "Order equipment"), "a done step is no longer among the steps due: {due:?}");

    roster.ok(&["checklist", "assign", "Ada Lovelace", "Create accounts", "Sam"]);
    roster.ok(&["checklist", "comment", "Ada Lovelace", "Create accounts", "needs a GitHub seat"]);
    let all = steps(&roster, &[]);
    let accounts = step(&all, "Ada Lovelace", "Create accounts");
    assert_eq!((&accounts["assignee"], &accounts["comment"]), (&Value::from("Sam"), &Value::from("needs a GitHub seat")));

    // HR moves the start by a week.
    write_people(&roster, "2026-12-12,");
    roster.ok(&["sync"]);
    let all = steps(&roster, &[]);
    assert_eq!(step(&all, "Ada Lovelace", "Welcome on day one")["due_date"], "2026-12-12", "open steps move with the start");
    assert_eq!(step(&all, "Ada Lovelace", "Order equipment")["due_date"], "2026-11-21", "the done step keeps its date");
    let profile = roster.json(&["show", "ada@example.com"]);
    let moved = profile["history"].as_array().unwrap().iter().find(|h| h["action"] == "checklist moved with the start");
    let moved = moved.unwrap_or_else(|| panic!("the history says the checklist moved: {}", profile["history"]));
    assert_eq!((&moved["old_value"], &moved["new_value"]), (&Value::from("2026-12-05"), &Value::from("2026-12-12")));

    let said = roster.ok(&["checklist", "undo", "ada@example.com", "Order equipment"]);
    assert!(said.contains("open again: Order equipment for Ada Lovelace, due 2026-11-28"), "due by the new start: {said}");
    let missing = roster.run(&["checklist", "done", "ada@example.com", "Paint the office"]);
    assert!(!missing.status.success(), "an unknown step is refused");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no open checklist step \"Paint the office\""));

    // The start is cancelled: HR ends Ada's contract before it began.
    write_people(&roster, ",2026-11-20");
    roster.ok(&["settings", "--mass-change-percent", "100"]);
    roster.ok(&["sync"]);
    let onboarding = steps(&roster, &["--view", "onboardings"]);
    assert!(of(&onboarding, "Ada Lovelace").is_empty(), "a cancelled start leaves no open onboarding step: {onboarding:?}");
    let offboarding = steps(&roster, &["--view", "offboardings"]);
    assert_eq!(
        of(&offboarding, "Ada Lovelace").len(),
        3,
        "an end date makes her an offboarding like anyone leaving: what was set up for her is taken back"
    );
}

#[test]
fn checklist_templates_are_listed_added_narrowed_and_removed() {
    let roster = roster_with("2026-12-05");
    let templates = roster.json(&["checklist", "template", "list"]);
    let names: Vec<&str> = templates.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Onboarding", "Offboarding"], "the two default templates");
    let text = roster.ok(&["checklist", "template", "list"]);
    assert!(text.contains("-7 days from the start: Ship to home address"), "{text}");

    let said = roster.ok(&[
        "checklist",
        "template",
        "add",
        "Contractors",
        "--view",
        "onboardings",
        "--employment-type",
        "CONTRACT",
        "--step",
        "Sign the NDA: part 2:-5",
    ]);
    assert!(said.contains("1 step(s) created"), "only the contractor gets the step: {said}");
    let all = steps(&roster, &[]);
    assert_eq!(step(&all, "Bob Builder", "Sign the NDA: part 2")["due_date"], "2026-12-15", "a title may hold a colon");
    assert_eq!(of(&all, "Ada Lovelace").len(), 5, "a full-time starter is not narrowed in");

    let bad = roster.run(&["checklist", "template", "add", "Broken", "--view", "onboardings", "--step", "No offset"]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("lacks its offset"), "a step needs an offset");

    let said = roster.ok(&["checklist", "template", "remove", "Contractors"]);
    assert!(said.contains("1 open step(s) closed"), "{said}");
    assert_eq!(of(&steps(&roster, &[]), "Bob Builder").len(), 5, "the removed template's step left Bob's checklist");
}

#[test]
fn checklist_list_exports_its_rows_as_csv_with_the_current_filters() {
    let roster = roster_with("2026-12-05");
    roster.ok(&["checklist", "done", "ada@example.com", "Ship to home address"]);
    roster.ok(&["checklist", "assign", "ada@example.com", "Create accounts", "Sam"]);
    roster.ok(&["checklist", "comment", "ada@example.com", "Create accounts", "=HYPERLINK(\"http://evil\")"]);

    let (header, rows) = parse(&roster.ok(&["checklist", "list", "--view", "onboardings", "--csv"]));
    assert_eq!(
        header,
        ["Due date", "Person", "List", "Step", "State", "Assigned to", "Comment"],
        "the columns the text list shows"
    );
    let json = steps(&roster, &["--view", "onboardings"]);
    let want: Vec<(String, String, String)> = json
        .iter()
        .map(|s| {
            (s["due_date"].as_str().unwrap().into(), s["person"].as_str().unwrap().into(), s["title"].as_str().unwrap().into())
        })
        .collect();
    let got: Vec<(String, String, String)> = rows.iter().map(|r| (r[0].clone(), r[1].clone(), r[3].clone())).collect();
    assert_eq!(got, want, "the CSV holds the rows of --json, in order, for the view asked for");
    assert!(rows.iter().all(|r| r[2] == "onboardings"), "the view filter applies: {rows:?}");
    let row = |title: &str| rows.iter().find(|r| r[1] == "Ada Lovelace" && r[3] == title).expect("Ada's step is exported");
    assert_eq!(row("Ship to home address")[4], "done", "a ticked step says so");
    assert_eq!(row("Order equipment")[4], "overdue", "an open step due before today is overdue");
    assert_eq!(row("Welcome on day one")[4], "open");
    assert_eq!(row("Create accounts")[5], "Sam", "the assignee is exported");
    assert_eq!(row("Create accounts")[6], "'=HYPERLINK(\"http://evil\")", "a formula in a comment is neutralised");

    let (_, due) = parse(&roster.ok(&["checklist", "list", "--due-before", "2026-11-29", "--csv"]));
    let titles: Vec<&str> = due.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(titles, ["Order equipment"], "--due-before narrows the export like the list");

    let refused = roster.run(&["--json", "checklist", "list", "--csv"]);
    assert!(!refused.status.success(), "--csv and --json cannot be asked for together");
}

#[test]
fn overview_counts_the_weeks_starts_and_leaves_and_lists_the_steps_due() {
    let roster = roster_with("2026-12-05");
    let overview = roster.json(&["overview"]);
    let weeks = overview["weeks"].as_array().expect("the weeks of the timeline");
    assert_eq!(weeks.len(), 8, "eight weeks");
    let people = |week: &Value, kind: &str| -> usize {
        week[kind].as_array().unwrap().iter().map(|g| g["people"].as_array().unwrap().len()).sum()
    };
    let starts: usize = weeks.iter().map(|w| people(w, "starts")).sum();
    let leaves: usize = weeks.iter().map(|w| people(w, "leaves")).sum();
    assert_eq!((starts, leaves), (2, 1), "Ada and Bob start, Grace leaves within eight weeks");
    let overdue: Vec<&str> = overview["overdue"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(overdue, ["Order equipment"], "Ada's order was due on the 21st");
    let text = roster.ok(&["overview"]);
    assert!(text.contains("1 checklist step(s) overdue") && text.contains("Spreadsheet: last sync"), "{text}");
}
