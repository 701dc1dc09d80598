//! `roster device rule`: rules that suggest equipment, listed as text, JSON and CSV, and the
//! suggestions on `roster show`, from a CSV source.

use serde_json::Value;

use crate::exports::parse;
use crate::harness::Roster;

fn roster() -> Roster {
    let roster = Roster::new();
    let file = roster.data_dir().join("people.csv");
    std::fs::write(
        &file,
        "Employee number,First name,Last name,Work email,Employment type,Legal entity,Start date\n\
         1,Ada,Lovelace,ada@example.com,Full time,Quillon GmbH,2026-12-05\n\
         2,Bob,Builder,bob@example.com,Contract,Quillon Ltd,2026-12-20\n",
    )
    .unwrap();
    roster.ok(&["source", "add", "csv", "--name", "Spreadsheet", "--file", file.to_str().unwrap()]);
    roster.ok(&["sync"]);
    roster
}

fn equipment(roster: &Roster, who: &str) -> Vec<Value> {
    roster.json(&["show", who])["equipment"].as_array().expect("the profile lists suggested equipment").clone()
}

#[test]
fn device_rules_are_added_listed_as_text_json_and_csv_and_removed() {
    let roster = roster();
    assert_eq!(roster.ok(&["device", "rule", "list"]).trim(), "no device rules");
    let said =
        roster.ok(&["device", "rule", "add", "--legal-entity", "Quillon GmbH", "--kind", "keyboard", "--model", "DE layout"]);
    assert!(said.contains("legal entity: Quillon GmbH → keyboard: DE layout"), "{said}");
    let laptop = roster.json(&["device", "rule", "add", "--kind", "laptop", "--model", "MacBook Air 13"]);
    assert_eq!(laptop["condition"], "everyone", "a rule without lists applies to everyone");

    let rules = roster.json(&["device", "rule", "list"]);
    let listed: Vec<(&str, &str, &str)> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["condition"].as_str().unwrap(), r["kind"].as_str().unwrap(), r["model"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [("legal entity: Quillon GmbH", "keyboard", "DE layout"), ("everyone", "laptop", "MacBook Air 13")],
        "every rule, by kind and model"
    );
    let (header, rows) = parse(&roster.ok(&["device", "rule", "list", "--csv"]));
    assert_eq!(header, ["Id", "Condition", "Type", "Model"], "the columns the text shows");
    let want: Vec<Vec<String>> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            vec![r["id"].to_string(), s("condition"), s("kind"), s("model")]
        })
        .collect();
    assert_eq!(rows, want, "the CSV holds the rows of --json");

    let id = laptop["id"].to_string();
    roster.ok(&["device", "rule", "remove", &id]);
    assert_eq!(roster.json(&["device", "rule", "list"]).as_array().unwrap().len(), 1, "the removed rule is gone");
    let again = roster.run(&["device", "rule", "remove", &id]);
    assert!(!again.status.success(), "an unknown rule cannot be removed");
    assert!(String::from_utf8_lossy(&again.stderr).contains(&format!("no device rule {id}")));
    let empty = roster.run(&["device", "rule", "add", "--kind", "laptop", "--model", " "]);
    assert!(!empty.status.success(), "a rule needs a model");
}

#[test]
fn show_lists_a_persons_suggested_equipment_and_whether_the_inventory_has_one_free() {
    let roster = roster();
    roster.ok(&["device", "rule", "add", "--legal-entity", "Quillon GmbH", "--kind", "keyboard", "--model", "DE layout"]);
    roster.ok(&["device", "rule", "add", "--employment-type", "CONTRACT", "--kind", "laptop", "--model", "MacBook Air 13"]);

    let ada = equipment(&roster, "ada@example.com");
    assert_eq!(ada.len(), 1, "Ada, full time in Quillon GmbH, gets the keyboard only: {ada:?}");
    assert_eq!((&ada[0]["kind"], &ada[0]["free"]), (&Value::from("keyboard"), &Value::Null), "none free yet");
    let text = roster.ok(&["show", "ada@example.com"]);
    assert!(text.contains("suggested equipment: keyboard: DE layout (legal entity: Quillon GmbH) — none free"), "{text}");

    roster.ok(&["device", "add", "--kind", "laptop", "--model", "MacBook Air 13", "--serial", "SN-MBA-1"]);
    let bob = equipment(&roster, "bob@example.com");
    assert_eq!(bob.len(), 1, "Bob, a contractor in Quillon Ltd, gets the laptop only: {bob:?}");
    assert_eq!(bob[0]["free"], "SN-MBA-1", "the laptop in stock is named");
    let text = roster.ok(&["show", "bob@example.com"]);
    assert!(text.contains("laptop: MacBook Air 13 (employment type: CONTRACT) — free in inventory: SN-MBA-1"), "{text}");

    roster.ok(&["device", "assign", "SN-MBA-1", "bob@example.com", "--on", "2026-12-01"]);
    let text = roster.ok(&["show", "bob@example.com"]);
    assert!(text.contains("— held: SN-MBA-1"), "once handed over, Bob holds it: {text}");
}

#[test]
fn device_reserve_keeps_a_free_laptop_for_one_starter_and_device_list_shows_for_whom() {
    let roster = roster();
    roster.ok(&["device", "rule", "add", "--kind", "laptop", "--model", "MacBook Air 13"]);
    roster.ok(&["device", "add", "--kind", "laptop", "--model", "MacBook Air 13", "--serial", "SN-MBA-1"]);
    for who in ["ada@example.com", "bob@example.com"] {
        assert_eq!(equipment(&roster, who)[0]["free"], "SN-MBA-1", "before a reservation the laptop is offered to {who}");
    }

    let said = roster.ok(&["device", "reserve", "SN-MBA-1", "ada@example.com"]);
    assert!(said.contains("SN-MBA-1 is reserved for Ada Lovelace"), "{said}");
    let text = roster.ok(&["show", "ada@example.com"]);
    assert!(text.contains("laptop: MacBook Air 13 (everyone) — reserved: SN-MBA-1"), "Ada sees it kept for her: {text}");
    let text = roster.ok(&["show", "bob@example.com"]);
    assert!(text.contains("laptop: MacBook Air 13 (everyone) — none free"), "Bob is no longer offered it: {text}");
    let listed = roster.ok(&["device", "list"]);
    assert!(listed.contains("SN-MBA-1\tin_stock, reserved for Ada Lovelace"), "the list says for whom: {listed}");
    assert_eq!(roster.json(&["device", "list"])[0]["reserved_for"], "Ada Lovelace");
    let (header, rows) = parse(&roster.ok(&["device", "list", "--csv"]));
    let column = header.iter().position(|h| h == "Reserved for").expect("the CSV has a Reserved for column");
    assert_eq!(rows[0][column], "Ada Lovelace", "the CSV names her too");

    let refused = roster.run(&["device", "reserve", "SN-MBA-1", "bob@example.com"]);
    assert!(!refused.status.success(), "a device is reserved for one person at a time");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("reserved for Ada Lovelace; cancel the reservation first"));

    let said = roster.ok(&["device", "unreserve", "SN-MBA-1"]);
    assert!(said.contains("SN-MBA-1 is no longer reserved"), "{said}");
    assert_eq!(equipment(&roster, "bob@example.com")[0]["free"], "SN-MBA-1", "the released laptop is offered again");
    assert_eq!(roster.json(&["device", "list"])[0]["reserved_for"], Value::Null, "and reserved for no one");
    let again = roster.run(&["device", "unreserve", "SN-MBA-1"]);
    assert!(!again.status.success(), "there is no reservation left to cancel");

    roster.ok(&["device", "reserve", "SN-MBA-1", "bob@example.com"]);
    roster.ok(&["device", "assign", "SN-MBA-1", "bob@example.com", "--on", "2026-12-01"]);
    let listed = roster.ok(&["device", "list"]);
    assert!(listed.contains("SN-MBA-1\theld by Bob Builder since 2026-12-01"), "the hand-over ends the reservation: {listed}");
    assert_eq!(roster.json(&["device", "list"])[0]["reserved_for"], Value::Null);
    let history: Vec<String> = roster.json(&["show", "bob@example.com"])["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        history.starts_with(&["device_assigned".to_owned(), "device_reserved".to_owned()]),
        "Bob's history records the reservation, then the hand-over: {history:?}"
    );
}
