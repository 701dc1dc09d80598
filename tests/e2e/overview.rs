//! The Overview in the window: the counts and the timeline of the engine's Overview, and a click
//! on a week's bar of starts, or the keyboard alone, opens Onboardings with exactly the people
//! starting that week.

use std::collections::BTreeSet;

use chrono::{Duration, Local, NaiveDate, Utc};
use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use roster_engine::model::View;
use roster_engine::store::devices::NewDevice;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::Engine;

use crate::checklists::Scene;

/// What the engine says the window must show.
#[derive(Default)]
struct Expected {
    starts: usize,
    overdue: usize,
    recover: usize,
    /// A week after this one with starts: its index and the work emails starting in it.
    week: usize,
    starting: BTreeSet<String>,
}

/// Gives a leaver a laptop (a device to recover), then reads what the window must show from the engine.
fn expectations(engine: &mut Engine) -> Expected {
    let now = Utc::now();
    // A leaver who holds a laptop: a device to recover.
    let leaving = EmployeeQuery { view: View::Offboardings, ..EmployeeQuery::default() };
    let leaver = engine.employees(&leaving, now).unwrap().into_iter().find(|e| e.work_email.is_some()).expect("a leaver");
    let laptop = NewDevice { kind: "laptop".into(), model: "X1".into(), serial_number: "SN-E2E-RECOVER".into() };
    engine.add_device(&laptop, now).unwrap();
    engine
        .assign_device("SN-E2E-RECOVER", &leaver.work_email.unwrap(), NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(), now)
        .unwrap();

    let overview = engine.overview(Local::now().date_naive(), now).unwrap();
    let count = |groups: &[roster_engine::EntityPeople]| groups.iter().map(|g| g.people.len()).sum::<usize>();
    let starts = overview.weeks.iter().map(|w| count(&w.starts)).sum();
    let overdue = overview.overdue_count as usize;
    let recover = overview.devices_to_recover.len();
    let week = (1..overview.weeks.len()).find(|&i| count(&overview.weeks[i].starts) > 0).expect("a later week with starts");
    // Read from the list itself, not from the Overview: the people whose start falls in that week.
    let monday: NaiveDate = overview.weeks[week].monday.parse().unwrap();
    let starters = EmployeeQuery { view: View::Onboardings, limit: 100_000, ..EmployeeQuery::default() };
    let starting: BTreeSet<String> = engine
        .employees(&starters, now)
        .unwrap()
        .into_iter()
        .filter(|e| {
            let start = e.start_date.as_deref().and_then(|d| d.get(..10)?.parse::<NaiveDate>().ok());
            start.is_some_and(|d| d >= monday && d < monday + Duration::days(7))
        })
        .filter_map(|e| e.work_email)
        .collect();
    Expected { starts, overdue, recover, week, starting }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_overview_shows_the_counts_and_a_click_on_a_week_opens_its_starters() {
    let mut expected = Expected::default();
    let scene = Scene::open_with(|engine, _| expected = expectations(engine)).await;
    let window = &scene.window;

    // Overview is the first screen.
    window.wait_text(r#"[data-testid="count-starts"]"#, &expected.starts.to_string()).await;
    window.wait_text(r#"[data-testid="count-overdue"]"#, &expected.overdue.to_string()).await;
    window.wait_text(r#"[data-testid="count-recover"]"#, &expected.recover.to_string()).await;
    assert!(expected.recover >= 1, "the leaver's laptop is to recover");
    window.wait_text(r#"[data-testid="device-to-recover"][data-serial="SN-E2E-RECOVER"]"#, "X1").await;
    let canvas = window.find(r#"canvas[data-testid="timeline"][data-bars]"#).await;
    window.screenshot("overview").await;

    // The bar of that week's starts, where the chart drew it.
    let bars: serde_json::Value = serde_json::from_str(&canvas.attr("data-bars").await.unwrap().unwrap()).unwrap();
    let bar = bars
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["week"] == expected.week && b["leaves"] == false)
        .unwrap_or_else(|| panic!("the chart draws starts in week {}: {bars}", expected.week))
        .clone();
    let size = window
        .client
        .execute(
            "const r = arguments[0].getBoundingClientRect(); return [r.width, r.height];",
            vec![serde_json::to_value(&canvas).unwrap()],
        )
        .await
        .unwrap();
    let (width, height) = (size[0].as_f64().unwrap(), size[1].as_f64().unwrap());
    let (x, y) = (bar["x"].as_f64().unwrap() - width / 2.0, bar["y"].as_f64().unwrap() - height / 2.0);
    let click = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: canvas, duration: None, x: x.round(), y: y.round() })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    window.client.perform_actions(click).await.expect("the bar takes a click");

    window.wait_text(r#"[data-testid="week-focus"]"#, "Starting").await;
    let listed: BTreeSet<String> = window.list("onboardings", "").await.into_iter().collect();
    assert_eq!(listed, expected.starting, "the click lands on Onboardings with exactly that week's starters");
    window.screenshot("overview-week").await;
    window.click("clear-focus").await;
    let everyone = window.list("onboardings", "").await;
    assert!(everyone.len() > listed.len(), "leaving the week shows every onboarding again");
}

/// Presses and releases `key` wherever the focus is, as a keyboard does.
pub(crate) async fn press(window: &crate::window::Window, key: Key) {
    let keys =
        KeyActions::new("keyboard".into()).then(KeyAction::Down { value: key.into() }).then(KeyAction::Up { value: key.into() });
    window.client.perform_actions(keys).await.expect("the window takes the key");
}

/// The `data-testid` and `aria-label` of the element that has the focus.
pub(crate) async fn focused(window: &crate::window::Window) -> (String, String) {
    const FOCUSED: &str =
        "const e = document.activeElement; return [e?.dataset?.testid ?? '', e?.getAttribute('aria-label') ?? ''];";
    let answer = window.client.execute(FOCUSED, vec![]).await.expect("the page says what has the focus");
    (answer[0].as_str().unwrap_or_default().to_owned(), answer[1].as_str().unwrap_or_default().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_week_of_the_timeline_is_reached_and_opened_with_the_keyboard_alone() {
    let mut expected = Expected::default();
    let scene = Scene::open_with(|engine, _| expected = expectations(engine)).await;
    let window = &scene.window;
    window.wait_text(r#"[data-testid="count-starts"]"#, &expected.starts.to_string()).await;
    let target = format!("week-{}-starts", expected.week);
    window.find(&format!(r#"[data-testid="{target}"]"#)).await;

    // From wherever the window put the focus, Tab only, as someone without a mouse would.
    let mut presses = 0;
    let label = loop {
        let (test_id, label) = focused(window).await;
        if test_id == target {
            break label;
        }
        assert!(presses < 100, "{target} was not reached within 100 Tab presses; the focus is on {test_id:?} {label:?}");
        press(window, Key::Tab).await;
        presses += 1;
    };
    let count = expected.starting.len();
    assert!(
        label.starts_with(&format!("{count} {}", if count == 1 { "person starting" } else { "people starting" })),
        "the week's button says what it opens: {label:?}"
    );
    window.screenshot("overview-keyboard").await;
    press(window, Key::Enter).await;

    window.wait_text(r#"[data-testid="week-focus"]"#, "Starting").await;
    let listed: BTreeSet<String> = window.list("onboardings", "").await.into_iter().collect();
    assert_eq!(listed, expected.starting, "Enter on the week's count opens Onboardings with exactly that week's starters");
}
