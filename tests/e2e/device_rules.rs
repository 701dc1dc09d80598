//! Device rules in the window: rules added in Settings › Device rules show on a starter's profile
//! and on their "Order equipment" step, with the device free in the inventory or "none free"; a
//! free device reserved on one starter's profile is offered to no other.

use chrono::Utc;
use roster_engine::model::{Filters, View};
use roster_engine::store::device_rules::NewDeviceRule;
use roster_engine::store::devices::NewDevice;
use roster_engine::store::employees::EmployeeQuery;

use crate::checklists::Scene;

#[tokio::test(flavor = "multi_thread")]
async fn rules_added_in_settings_suggest_equipment_on_the_starters_profile_and_order_step() {
    let mut legal_entity = String::new();
    let scene = Scene::open_with(|engine, email| {
        let device = NewDevice { kind: "laptop".into(), model: "MacBook Air 13".into(), serial_number: "SN-E2E-MBA".into() };
        engine.add_device(&device, Utc::now()).expect("the laptop is in stock");
        let profile = engine.profile(email, Utc::now()).expect("the starter has a profile");
        let field = profile.fields.into_iter().find(|f| f.field == roster_engine::model::Field::LegalEntity);
        legal_entity = field.and_then(|f| f.value).expect("the starter has a legal entity");
    })
    .await;
    let (window, email) = (&scene.window, &scene.email);

    window.click("nav-settings").await;
    window.click("settings-device-rules").await;
    window.fill("rule-kind", "laptop").await;
    window.fill("rule-model", "MacBook Air 13").await;
    window.click("add-rule").await;
    window.wait_count(r#"[data-testid="device-rule"]"#, "the first rule", |n| n == 1).await;
    window.fill("rule-kind", "keyboard").await;
    window.fill("rule-model", "DE layout").await;
    window.fill("rule-legal-entities", &legal_entity).await;
    window.click("add-rule").await;
    let keyboard_rule = r#"[data-testid="device-rule"][data-kind="keyboard"]"#;
    window.wait_text(keyboard_rule, &format!("legal entity: {legal_entity}")).await;
    window.screenshot("device-rules-settings").await;

    window.click("nav-employees").await;
    assert_eq!(window.list("onboardings", email).await, vec![email.clone()], "the starter is in Onboardings");
    window.click_css(&format!(r#"tr[data-testid="employee-row"][data-email="{email}"] td[data-field="name"]"#)).await;
    let order = r#"[data-testid="ordering-equipment"]"#;
    let laptop = format!(r#"{order} [data-testid="suggestion"][data-kind="laptop"] [data-testid="suggestion-stock"]"#);
    window.wait_text(&laptop, "free in inventory: SN-E2E-MBA").await;
    let keyboard = format!(r#"{order} [data-testid="suggestion"][data-kind="keyboard"] [data-testid="suggestion-stock"]"#);
    window.wait_text(&keyboard, "none free").await;
    let profile = r#"section[aria-labelledby="devices-title"] [data-testid="suggestion"]"#;
    window.wait_count(profile, "the profile's suggested equipment", |n| n == 2).await;
    window.screenshot("device-rules-profile").await;

    // Removing a rule takes its suggestion away.
    window.click_css(r#"[aria-label="Close the profile"]"#).await;
    window.click("nav-settings").await;
    window.click("settings-device-rules").await;
    window.click_css(&format!(r#"{keyboard_rule} [data-testid="remove-rule"]"#)).await;
    window.wait_count(r#"[data-testid="device-rule"]"#, "the rules left", |n| n == 1).await;
    window.click("nav-employees").await;
    window.list("onboardings", email).await;
    window.click_css(&format!(r#"tr[data-testid="employee-row"][data-email="{email}"] td[data-field="name"]"#)).await;
    window.wait_text(&laptop, "free in inventory: SN-E2E-MBA").await;
    window.wait_count(&format!(r#"{order} [data-testid="suggestion"]"#), "the suggestions left", |n| n == 1).await;
}

/// Opens the profile of the person `email` from Onboardings.
async fn open_starter(window: &crate::window::Window, email: &str) {
    assert_eq!(window.list("onboardings", email).await, vec![email.to_owned()], "{email} is in Onboardings");
    window.click_css(&format!(r#"tr[data-testid="employee-row"][data-email="{email}"] td[data-field="name"]"#)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_laptop_reserved_on_a_starters_profile_is_no_longer_offered_to_another_starter() {
    const SERIAL: &str = "SN-E2E-RES";
    let mut other = String::new();
    let scene = Scene::open_with(|engine, email| {
        let rule = NewDeviceRule { filters: Filters::default(), kind: "laptop".into(), model: "MacBook Air 13".into() };
        engine.add_device_rule(&rule, Utc::now()).expect("everyone is suggested a laptop");
        let device = NewDevice { kind: "laptop".into(), model: "MacBook Air 13".into(), serial_number: SERIAL.into() };
        engine.add_device(&device, Utc::now()).expect("one laptop is in stock");
        let query = EmployeeQuery { view: View::Onboardings, ..EmployeeQuery::default() };
        other = engine
            .employees(&query, Utc::now())
            .unwrap()
            .into_iter()
            .filter_map(|e| e.work_email)
            .find(|e| e != email)
            .expect("the simulated company has a second starter");
    })
    .await;
    let (window, email, name) = (&scene.window, &scene.email, &scene.name);
    let devices = r#"section[aria-labelledby="devices-title"]"#;
    let stock = format!(r#"{devices} [data-testid="suggestion"][data-kind="laptop"] [data-testid="suggestion-stock"]"#);

    open_starter(window, &other).await;
    window.wait_text(&stock, &format!("free in inventory: {SERIAL}")).await;
    window.click_css(r#"[aria-label="Close the profile"]"#).await;

    open_starter(window, email).await;
    window.wait_text(&stock, &format!("free in inventory: {SERIAL}")).await;
    window.screenshot("reservation-offered").await;
    window.click_css(&format!(r#"{devices} [data-testid="reserve-{SERIAL}"]"#)).await;
    window.wait_text(&stock, &format!("reserved: {SERIAL}")).await;
    let order = r#"[data-testid="ordering-equipment"] [data-testid="suggestion-stock"]"#;
    window.wait_text(order, &format!("reserved: {SERIAL}")).await;
    window
        .wait_text(r#"section[aria-labelledby="history-title"]"#, &format!("Device reserved: laptop MacBook Air 13 ({SERIAL})"))
        .await;
    let hand_over = r#"[data-testid="assign-device"] option:checked"#;
    window.wait_text(hand_over, &format!("{SERIAL} · reserved")).await;
    // The click left the panel scrolled to wherever the button was: the picture shows the devices.
    window.client.execute("document.getElementById('devices-title').scrollIntoView()", vec![]).await.unwrap();
    window.screenshot("reservation-profile").await;
    window.click_css(r#"[aria-label="Close the profile"]"#).await;

    open_starter(window, &other).await;
    window.wait_text(&stock, "none free").await;
    assert!(
        window.all(&format!(r#"[data-testid="reserve-{SERIAL}"]"#)).await.is_empty(),
        "the other starter is offered no way to reserve the laptop kept for {name}"
    );
    window.screenshot("reservation-other-starter").await;
    window.click_css(r#"[aria-label="Close the profile"]"#).await;

    window.click("nav-devices").await;
    let row = format!(r#"tr[data-testid="device-row"][data-serial="{SERIAL}"]"#);
    window.wait_text(&format!(r#"{row} td[data-field="holder"]"#), &format!("reserved for {name}")).await;
    window.screenshot("reservation-devices").await;
    window.click(&format!("unreserve-{SERIAL}")).await;
    window.wait_count(&format!(r#"{row} [data-testid="unreserve-{SERIAL}"]"#), "the cancelled reservation", |n| n == 0).await;

    open_starter(window, &other).await;
    window.wait_text(&stock, &format!("free in inventory: {SERIAL}")).await;
}
