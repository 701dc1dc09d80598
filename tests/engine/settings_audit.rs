//! Changes to how the directory is kept (sources connected and disconnected, their field modes,
//! optional fields, filters and schedule, the directory's settings, checklist templates and device
//! rules) are in the audit trail beside the changes to people, with what each was and became; on
//! either store.

use std::time::Duration;

use roster_engine::model::{Field, FieldMode, Filters, View};
use roster_engine::store::checklists::{Template, TemplateStep};
use roster_engine::store::device_rules::NewDeviceRule;
use roster_engine::store::settings::Settings;
use roster_engine::FilterInput;

use crate::harness::{connect, now, World, SOURCE};

/// The audit's entries that name no person, oldest first: action, field, old and new value, source.
type Logged = (String, Option<String>, Option<String>, Option<String>, Option<String>);

fn configuration_log(world: &World) -> Vec<Logged> {
    let mut entries: Vec<Logged> = world
        .engine
        .audit(None, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.employee_id.is_none())
        .map(|e| (e.action, e.field, e.old_value, e.new_value, e.source))
        .collect();
    entries.reverse();
    entries
}

fn entry(action: &str, field: Option<&str>, old: Option<&str>, new: Option<&str>, source: Option<&str>) -> Logged {
    let owned = |s: Option<&str>| s.map(str::to_owned);
    (action.to_owned(), owned(field), owned(old), owned(new), owned(source))
}

#[test]
fn changes_to_sources_and_settings_are_logged_with_what_they_were_and_became() {
    let mut world = World::new(81, 30);
    world.sync();
    let before = configuration_log(&world);
    assert_eq!(
        before,
        [
            entry("setting_changed", Some("retention_days"), Some("365"), Some("0"), None),
            entry("source_connected", None, None, Some(SOURCE), None),
        ],
        "the harness's own setting and source are logged; a sync logs no configuration"
    );

    let engine = &mut world.engine;
    engine.set_field_mode(SOURCE, Field::JobTitle, FieldMode::Continuous, now()).unwrap();
    engine.set_optional_field(SOURCE, Field::MobilePhone, false, now()).unwrap();
    let input = FilterInput {
        legal_entities: vec!["Quillon GmbH".into()],
        employment_types: vec!["full_time".into()],
        ..FilterInput::default()
    };
    engine.set_filters_by_name(SOURCE, &input, now()).unwrap();
    engine.set_sync_interval(SOURCE, Duration::from_secs(15 * 60), now()).unwrap();
    let settings = Settings { retention_days: 30, paused: true, ..engine.settings().unwrap() };
    engine.save_settings(&settings, now()).unwrap();
    // The same again: nothing changed, nothing is logged.
    engine.set_field_mode(SOURCE, Field::JobTitle, FieldMode::Continuous, now()).unwrap();
    engine.set_filters_by_name(SOURCE, &input, now()).unwrap();
    engine.save_settings(&settings, now()).unwrap();
    connect(engine, "Second HR", &world.sim);
    engine.remove_source("Second HR", true, now()).unwrap();

    let hr = Some(SOURCE);
    assert_eq!(
        configuration_log(&world)[before.len()..],
        [
            entry("field_mode_changed", Some("job_title"), Some("import_once"), Some("continuous"), hr),
            entry("optional_field_switched_off", Some("mobile_phone"), None, None, hr),
            entry(
                "filters_changed",
                None,
                Some("everyone"),
                Some("legal entities: Quillon GmbH; employment types: FULL_TIME"),
                hr
            ),
            entry("sync_interval_changed", None, Some("every 60 min"), Some("every 15 min"), hr),
            entry("setting_changed", Some("paused"), Some("false"), Some("true"), None),
            entry("setting_changed", Some("retention_days"), Some("0"), Some("30"), None),
            entry("source_connected", None, None, Some("Second HR"), None),
            entry("source_disconnected_and_erased", None, Some("Second HR"), None, None),
        ]
    );
}

#[test]
fn checklist_templates_and_device_rules_added_or_removed_are_logged_in_words() {
    let mut world = World::new(82, 20);
    world.sync();
    let before = configuration_log(&world).len();

    let engine = &mut world.engine;
    let template = Template {
        name: "Sales kit".into(),
        view: View::Onboardings,
        filters: Filters { teams: ["Sales".to_owned()].into(), ..Filters::default() },
        steps: vec![
            TemplateStep { title: "Order a headset".into(), offset_days: -7 },
            TemplateStep { title: "CRM account".into(), offset_days: 0 },
        ],
    };
    engine.add_checklist_template(&template, now()).unwrap();
    let rule = NewDeviceRule { filters: Filters::default(), kind: "laptop".into(), model: "ThinkPad X1".into() };
    let rule = engine.add_device_rule(&rule, now()).unwrap();
    engine.remove_device_rule(rule.id, now()).unwrap();
    engine.remove_checklist_template("Sales kit", now()).unwrap();
    assert!(engine.remove_checklist_template("Sales kit", now()).is_err(), "a template removed twice is refused");
    assert!(engine.remove_device_rule(rule.id, now()).is_err(), "a rule removed twice is refused");

    let template_words = "onboardings of team: Sales: Order a headset (day -7); CRM account (day 0)";
    let rule_words = "laptop ThinkPad X1 for everyone";
    assert_eq!(
        configuration_log(&world)[before..],
        [
            entry("checklist_template_added", Some("Sales kit"), None, Some(template_words), None),
            entry("device_rule_added", Some("laptop"), None, Some(rule_words), None),
            entry("device_rule_removed", Some("laptop"), Some(rule_words), None, None),
            entry("checklist_template_removed", Some("Sales kit"), Some(template_words), None, None),
        ],
        "each change is logged once, with the template or rule in words; a refused removal logs nothing"
    );
}

#[test]
fn filters_set_by_name_before_a_sources_first_sync_are_logged_by_those_names() {
    let mut world = World::new(83, 20);
    world.sync();
    let before = configuration_log(&world).len();
    let engine = &mut world.engine;
    // A second source of the same company, never synced: the directory knows none of its units by
    // this source, so their names come from the read that resolves them.
    connect(engine, "Second HR", &world.sim);
    let input = FilterInput { legal_entities: vec!["quillon gmbh".into()], ..FilterInput::default() };
    let view = engine.set_filters_by_name("Second HR", &input, now()).unwrap();
    assert_eq!(view.legal_entities[0].name, "Quillon GmbH");
    assert_ne!(view.legal_entities[0].id, "Quillon GmbH", "the filter keeps HR's id");

    assert_eq!(
        configuration_log(&world)[before..],
        [
            entry("source_connected", None, None, Some("Second HR"), None),
            entry("filters_changed", None, Some("everyone"), Some("legal entities: Quillon GmbH"), Some("Second HR")),
        ]
    );
}
