//! The system-tray icon: its look says the state (up to date, syncing, failed, waiting for
//! approval), its tooltip the last and next sync, its menu opens Roster, syncs, pauses and quits.

use chrono::{DateTime, Local, TimeZone, Utc};
use roster_engine::store::runs::RunState;
use roster_engine::SourceStatus;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Wry};

use crate::error::CommandResult;
use crate::state::Directory;
use crate::sync::{self, Which};
use crate::window;

const TRAY_ID: &str = "roster";

/// The menu item whose check mark follows the "paused" setting, which the window can change too.
struct PauseItem(CheckMenuItem<Wry>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    UpToDate,
    Syncing,
    Failed,
    Waiting,
}

impl Look {
    fn icon(self) -> tauri::Result<Image<'static>> {
        Image::from_bytes(match self {
            Look::UpToDate => include_bytes!("../icons/tray-up-to-date.png"),
            Look::Syncing => include_bytes!("../icons/tray-syncing.png"),
            Look::Failed => include_bytes!("../icons/tray-error.png"),
            Look::Waiting => include_bytes!("../icons/tray-waiting.png"),
        })
    }

    fn describe(self) -> &'static str {
        match self {
            Look::UpToDate => "up to date",
            Look::Syncing => "syncing…",
            Look::Failed => "a sync failed",
            Look::Waiting => "a sync waits for your approval",
        }
    }
}

pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let paused = app
        .state::<Directory>()
        .engine
        .lock()
        .ok()
        .and_then(|engine| engine.settings().ok())
        .is_some_and(|settings| settings.paused);
    let pause = CheckMenuItem::with_id(app, "pause", "Pause syncing", true, paused, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &MenuItem::with_id(app, "open", "Open Roster", true, None::<&str>)?,
            &MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?,
            &pause,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?,
        ],
    )?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Look::UpToDate.icon()?)
        .tooltip("Roster")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(on_menu)
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
                window::show(tray.app_handle());
            }
        })
        .build(app)?;
    app.manage(PauseItem(pause));
    refresh(app);
    Ok(())
}

fn on_menu(app: &AppHandle, event: MenuEvent) {
    match event.id().as_ref() {
        "open" => window::show(app),
        "sync" => {
            let app = app.clone();
            tauri::async_runtime::spawn_blocking(move || sync::run(&app, Which::All, Utc::now()));
        }
        "pause" => {
            if let Err(error) = toggle_pause(app) {
                tracing::warn!(%error, "could not pause or resume syncing");
            }
            refresh(app);
            crate::events::directory_changed(app);
            crate::scheduler::wake(app);
        }
        "quit" => app.exit(0),
        _ => {}
    }
}

fn toggle_pause(app: &AppHandle) -> CommandResult<()> {
    let directory = app.state::<Directory>();
    let mut engine = directory.engine.lock()?;
    let mut settings = engine.settings()?;
    settings.paused = !settings.paused;
    Ok(engine.save_settings(&settings, Utc::now())?)
}

/// Redraws the icon, tooltip and pause mark from the directory's state.
pub fn refresh(app: &AppHandle) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let directory = app.state::<Directory>();
    let read = directory.engine.lock().ok().and_then(|engine| {
        // The sources alone: the views' counts are not the tray's, and cost a read of every person.
        let sources = engine.source_statuses().ok()?;
        let paused = engine.settings().ok()?.paused;
        Some((sources, paused))
    });
    let Some((sources, paused)) = read else {
        return;
    };
    let look = if directory.is_syncing() { Look::Syncing } else { look_of(&sources) };
    let icon = look.icon().map(|icon| tray.set_icon(Some(icon)));
    let tooltip = tray.set_tooltip(Some(tooltip(look, &sources, paused, &Local)));
    let mark = app.state::<PauseItem>().0.set_checked(paused);
    for result in [icon.and_then(|r| r), tooltip, mark] {
        if let Err(error) = result {
            tracing::warn!(%error, "could not update the tray icon");
        }
    }
}

fn look_of(sources: &[SourceStatus]) -> Look {
    let outcomes = || sources.iter().filter_map(|s| s.last_run.as_ref()).map(|r| r.outcome);
    if outcomes().any(|o| o == RunState::Held) {
        Look::Waiting
    } else if outcomes().any(|o| o == RunState::Failed) {
        Look::Failed
    } else {
        Look::UpToDate
    }
}

/// Times are shown in `zone` (the machine's, in the app).
fn tooltip<Z: TimeZone>(look: Look, sources: &[SourceStatus], paused: bool, zone: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    let instant = |t: Option<&str>| t.and_then(|t| t.parse::<DateTime<Utc>>().ok());
    let last = sources.iter().filter_map(|s| s.last_run.as_ref()).filter_map(|r| instant(r.finished_at.as_deref())).max();
    let next = sources.iter().filter_map(|s| s.source.next_sync()).min();
    let when = |t: DateTime<Utc>| t.with_timezone(zone).format("%-d %b %H:%M").to_string();
    let mut lines = vec![format!("Roster: {}", look.describe())];
    lines.push(match last {
        Some(t) => format!("Last sync: {}", when(t)),
        None => "Not synced yet".to_owned(),
    });
    lines.push(match (paused, next) {
        (true, _) => "Syncing is paused".to_owned(),
        (false, Some(t)) => format!("Next sync: {}", when(t)),
        (false, None) => "No source connected".to_owned(),
    });
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use roster_engine::store::runs::SyncRun;
    use roster_engine::store::sources::{Source, SourceKind};
    use roster_engine::SourceStatus;

    use super::*;

    fn source(name: &str, outcome: Option<RunState>, next: &str) -> SourceStatus {
        SourceStatus {
            source: Source {
                id: 1,
                name: name.into(),
                kind: SourceKind::Kombo,
                config: serde_json::json!({}),
                created_at: "2026-11-25T08:00:00Z".into(),
                first_synced_at: None,
                sync_interval_secs: 3600,
                next_sync_at: Some(next.into()),
                last_full_sync_at: None,
                failure_count: 0,
                last_error: None,
                disabled_fields: Vec::new(),
                updated_after: None,
                demo: false,
            },
            last_run: outcome.map(|outcome| SyncRun {
                id: 1,
                source: name.into(),
                kind: "full".into(),
                started_at: "2026-11-25T09:00:00Z".into(),
                finished_at: Some("2026-11-25T09:00:05Z".into()),
                outcome,
                created: 0,
                updated: 0,
                unchanged: 0,
                excluded: 0,
                departing: 0,
                missing: 0,
                error: None,
                warnings: Vec::new(),
                machine: None,
                run_by: None,
                run_by_name: None,
            }),
            warnings: Vec::new(),
            syncs_here: true,
        }
    }

    #[test]
    fn the_tray_shows_the_most_urgent_state_of_all_sources() {
        let ok = source("A", Some(RunState::Succeeded), "2026-11-25T10:00:00Z");
        let failed = source("B", Some(RunState::Failed), "2026-11-25T09:02:00Z");
        let held = source("C", Some(RunState::Held), "2026-11-25T10:00:00Z");
        assert_eq!(look_of(std::slice::from_ref(&ok)), Look::UpToDate);
        assert_eq!(look_of(&[ok.clone(), failed.clone()]), Look::Failed, "one failed source shows as failed");
        assert_eq!(look_of(&[failed, held, ok]), Look::Waiting, "a plan waiting for approval comes first");
    }

    #[test]
    fn the_tooltip_gives_the_last_and_next_sync_or_says_syncing_is_paused() {
        let both = [source("A", Some(RunState::Succeeded), "2026-11-25T10:00:00Z"), source("B", None, "2026-11-25T09:30:00Z")];
        let paris = chrono::FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            tooltip(Look::UpToDate, &both, false, &paris),
            "Roster: up to date\nLast sync: 25 Nov 10:00\nNext sync: 25 Nov 10:30",
            "the last sync is the latest finished run, the next the soonest of all sources, in the machine's time zone"
        );
        assert_eq!(
            tooltip(Look::UpToDate, &both, true, &paris),
            "Roster: up to date\nLast sync: 25 Nov 10:00\nSyncing is paused",
            "while paused, no next sync is promised"
        );
        assert_eq!(
            tooltip(Look::UpToDate, &[], false, &Utc),
            "Roster: up to date\nNot synced yet\nNo source connected",
            "with no source there is nothing to sync"
        );
    }
}
