//! Changes to how the directory is kept (sources connected and disconnected, their field modes,
//! optional fields, filters and schedule, the directory's settings) are in the audit trail beside
//! the changes to people, with what each was and became; on either store.

use std::time::Duration;

use roster_engine::model::{Field, FieldMode};
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
