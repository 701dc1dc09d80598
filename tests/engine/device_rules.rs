//! Device rules: each person is suggested the equipment of every rule whose filters take them,
//! with a device of that kind and model they hold or, failing that, one free in the inventory.

use chrono::NaiveDate;
use roster_engine::model::Filters;
use roster_engine::model::View;
use roster_engine::store::device_rules::NewDeviceRule;
use roster_engine::store::devices::NewDevice;
use roster_engine::EquipmentSuggestion;
use roster_simulator::EmploymentType;

use crate::harness::{now, World};

/// Hires someone starting on 14 December; returns their email.
fn hire(world: &World, last_name: &str, entity: &str, employment_type: EmploymentType) -> String {
    world.hire(last_name, entity, NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(), employment_type)
}

fn rule(world: &mut World, filters: Filters, kind: &str, model: &str) -> i64 {
    let rule = NewDeviceRule { filters, kind: kind.into(), model: model.into() };
    world.engine.add_device_rule(&rule, now()).expect("the rule is added").id
}

fn device(world: &mut World, kind: &str, model: &str, serial: &str) {
    let device = NewDevice { kind: kind.into(), model: model.into(), serial_number: serial.into() };
    world.engine.add_device(&device, now()).expect("the device is added");
}

fn suggested(world: &World, who: &str) -> Vec<(String, String)> {
    world.engine.equipment(who).unwrap().into_iter().map(|s| (s.kind, s.model)).collect()
}

fn only(world: &World, who: &str) -> EquipmentSuggestion {
    let all = world.engine.equipment(who).unwrap();
    assert_eq!(all.len(), 1, "one suggestion for {who}: {all:?}");
    all.into_iter().next().unwrap()
}

fn set(values: &[&str]) -> std::collections::BTreeSet<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[test]
fn a_person_is_suggested_the_equipment_of_every_rule_whose_filters_take_them() {
    let mut world = World::new(151, 30);
    let berlin = hire(&world, "Berlin", "Quillon GmbH", EmploymentType::FullTime);
    let london = hire(&world, "London", "Quillon Ltd", EmploymentType::Contract);
    world.sync();
    // A team of someone already in post, by its name as HR sends it.
    let member = world.list(View::Active, false).into_iter().find(|e| !e.teams.is_empty()).expect("someone has a team");
    let team = member.teams[0].clone();

    rule(&mut world, Filters::default(), "laptop", "ThinkPad X1");
    rule(&mut world, Filters { legal_entities: set(&["quillon gmbh"]), ..Filters::default() }, "keyboard", "DE layout");
    rule(&mut world, Filters { employment_types: set(&["CONTRACT"]), ..Filters::default() }, "badge", "Visitor");
    rule(&mut world, Filters { teams: set(&[&team]), ..Filters::default() }, "laptop", "MacBook Air 13");
    rule(
        &mut world,
        Filters { legal_entities: set(&["Quillon GmbH"]), employment_types: set(&["CONTRACT"]), ..Filters::default() },
        "phone",
        "Pixel 9",
    );

    let pair = |kind: &str, model: &str| (kind.to_owned(), model.to_owned());
    assert_eq!(
        suggested(&world, &berlin),
        vec![pair("keyboard", "DE layout"), pair("laptop", "ThinkPad X1")],
        "a full-time starter in Quillon GmbH: everyone's laptop and the entity's keyboard (legal entity named in any case), \
         not the contractors' badge, nor the phone of both lists at once"
    );
    assert_eq!(
        suggested(&world, &london),
        vec![pair("badge", "Visitor"), pair("laptop", "ThinkPad X1")],
        "a contractor in Quillon Ltd: the contractors' badge and everyone's laptop"
    );
    let email = member.work_email.clone().unwrap();
    assert!(
        suggested(&world, &email).contains(&pair("laptop", "MacBook Air 13")),
        "a member of team {team} is suggested the team's laptop"
    );
    let keyboard = world.engine.equipment(&berlin).unwrap().into_iter().find(|s| s.kind == "keyboard").unwrap();
    assert_eq!(keyboard.condition, "legal entity: quillon gmbh", "each suggestion says which rule made it");

    let profile = world.engine.profile(&berlin, now()).unwrap();
    assert_eq!(profile.equipment, world.engine.equipment(&berlin).unwrap(), "the profile carries the suggestions");
}

#[test]
fn a_suggestion_names_a_free_device_of_its_kind_and_model_or_the_one_the_person_holds() {
    let mut world = World::new(152, 20);
    let starter = hire(&world, "Paris", "Quillon SAS", EmploymentType::FullTime);
    world.sync();
    let colleague = world.list(View::Active, false)[0].work_email.clone().unwrap();
    let id = rule(&mut world, Filters::default(), "laptop", "MacBook Air 13");

    assert_eq!(only(&world, &starter).free, None, "an empty inventory has nothing free");
    device(&mut world, "laptop", "MacBook Pro 14", "SN-PRO");
    device(&mut world, "phone", "MacBook Air 13", "SN-ODD");
    assert_eq!(only(&world, &starter).free, None, "another model, or another kind, does not fill the suggestion");

    device(&mut world, "Laptop", "macbook air 13", "SN-B");
    device(&mut world, "laptop", "MacBook Air 13", "SN-A");
    world.engine.assign_device("SN-A", &colleague, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), now()).unwrap();
    let suggestion = only(&world, &starter);
    assert_eq!(
        suggestion.free.as_deref(),
        Some("SN-B"),
        "a device held by someone is not free; kind and model match in any case"
    );
    assert_eq!(suggestion.held, None);

    world.engine.assign_device("SN-B", &starter, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), now()).unwrap();
    let suggestion = only(&world, &starter);
    assert_eq!(
        (suggestion.held.as_deref(), suggestion.free.as_deref()),
        (Some("SN-B"), None),
        "once handed the device, the person holds it and needs none from stock"
    );
    assert_eq!(only(&world, &colleague).held.as_deref(), Some("SN-A"), "the colleague holds theirs");

    world.engine.take_back_device("SN-A", NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(), now()).unwrap();
    world.engine.remove_device_rule(id, now()).unwrap();
    assert!(world.engine.equipment(&starter).unwrap().is_empty(), "a removed rule suggests nothing");
    assert!(world.engine.remove_device_rule(id, now()).is_err(), "an unknown rule cannot be removed");
}

#[test]
fn a_rule_needs_a_kind_and_a_model() {
    let mut world = World::new(153, 5);
    let empty = NewDeviceRule { filters: Filters::default(), kind: " ".into(), model: "X1".into() };
    assert!(world.engine.add_device_rule(&empty, now()).is_err(), "a rule without a device kind is refused");
    assert!(world.engine.device_rules().unwrap().is_empty(), "and nothing is stored");
}
