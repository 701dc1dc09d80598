//! Device rules in the window: rules added in Settings › Device rules show on a starter's profile
//! and on their "Order equipment" step, with the device free in the inventory or "none free".

use chrono::Utc;
use roster_engine::store::devices::NewDevice;

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
