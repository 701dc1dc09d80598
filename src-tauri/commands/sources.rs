//! Settings › Employee Sync: connecting and disconnecting sources, their field modes, optional
//! fields, filters and the filter preview, and what a provider needs beyond the key.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use roster_engine::connector::data_use::{self, DataUse};
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::model::{Field, FieldMode, Filters};
use roster_engine::providers;
use roster_engine::store::sources::Source;
use roster_engine::sync::preview::PreviewRow;
use roster_engine::{Engine, FieldModeRow, FilterView, Status};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;
use ts_rs::TS;

use super::blocking;
use crate::error::{CommandError, CommandResult};
use crate::oauth_form::OAuthForm;
use crate::state::Directory;
use crate::{events, scheduler, tray};

/// What a provider needs beyond the key, for the settings screen's warning.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProviderAdvice {
    pub provider: String,
    pub permissions: Vec<String>,
    pub where_to_enable: String,
}

#[tauri::command]
pub async fn status(directory: State<'_, Directory>) -> CommandResult<Status> {
    Ok(directory.engine.lock()?.status(Utc::now())?)
}

/// Connects a Kombo integration. The key goes from the masked field straight to the engine, which
/// checks it with Kombo and keeps it in the OS keyring; it is never logged nor returned. The
/// source waits for its first sync, which the person launches after setting its filters.
#[tauri::command]
pub async fn add_kombo_source(
    app: AppHandle,
    name: String,
    base_url: String,
    integration_id: String,
    api_key: String,
    disabled_fields: Vec<Field>,
) -> CommandResult<Source> {
    blocking(move || {
        let mut engine = Engine::open(&app.state::<Directory>().data_dir)?;
        let config = KomboConfig {
            base_url: base_url.trim().trim_end_matches('/').to_owned(),
            integration_id: integration_id.trim().to_owned(),
            tool: None,
        };
        let source = engine.add_kombo_source(&name, config, &api_key, Utc::now())?;
        set_up(&app, &mut engine, source, disabled_fields)
    })
    .await
}

/// Kombo Connect, first half: opens the link where the customer connects their HR system in the
/// system browser, and returns it so the window can offer it again.
#[tauri::command]
pub async fn open_kombo_connect(
    app: AppHandle,
    base_url: String,
    api_key: String,
    email: String,
    organization: String,
) -> CommandResult<String> {
    blocking(move || {
        let engine = Engine::open(&app.state::<Directory>().data_dir)?;
        let link =
            engine.kombo_connect_link(base_url.trim().trim_end_matches('/'), &api_key, email.trim(), organization.trim())?;
        app.opener().open_url(&link, None::<&str>).map_err(browser)?;
        Ok(link)
    })
    .await
}

/// Kombo Connect, second half: the activation token the flow ended with becomes the source.
#[tauri::command]
pub async fn add_kombo_source_by_token(
    app: AppHandle,
    name: String,
    base_url: String,
    api_key: String,
    token: String,
    disabled_fields: Vec<Field>,
) -> CommandResult<Source> {
    blocking(move || {
        let mut engine = Engine::open(&app.state::<Directory>().data_dir)?;
        let base_url = base_url.trim().trim_end_matches('/');
        let source = engine.add_kombo_source_by_token(&name, base_url, &api_key, token.trim(), Utc::now())?;
        set_up(&app, &mut engine, source, disabled_fields)
    })
    .await
}

/// Connects a SCIM 2.0 service provider; the bearer token goes to the OS keyring only.
#[tauri::command]
pub async fn add_scim_source(
    app: AppHandle,
    name: String,
    base_url: String,
    token: String,
    disabled_fields: Vec<Field>,
) -> CommandResult<Source> {
    blocking(move || {
        let mut engine = Engine::open(&app.state::<Directory>().data_dir)?;
        let source = engine.add_scim_source(&name, base_url.trim(), &token, Utc::now())?;
        set_up(&app, &mut engine, source, disabled_fields)
    })
    .await
}

/// Imports a CSV file as a source; the engine checks the whole file and names each bad line and column.
#[tauri::command]
pub async fn add_csv_source(app: AppHandle, name: String, path: String, disabled_fields: Vec<Field>) -> CommandResult<Source> {
    blocking(move || {
        let mut engine = Engine::open(&app.state::<Directory>().data_dir)?;
        let source = engine.add_csv_source(&name, Path::new(path.trim()), Utc::now())?;
        set_up(&app, &mut engine, source, disabled_fields)
    })
    .await
}

/// How long Roster waits on the loopback redirect for the person to sign in in their browser.
const OAUTH_SIGN_IN: Duration = Duration::from_secs(5 * 60);

/// Connects an HR API through an OAuth sign-in in the system browser; the command returns once
/// the redirect came back (or the wait ran out). The tokens go to the OS keyring only.
#[tauri::command]
pub async fn add_oauth_source(
    app: AppHandle,
    name: String,
    form: OAuthForm,
    disabled_fields: Vec<Field>,
) -> CommandResult<Source> {
    blocking(move || {
        let mut engine = Engine::open(&app.state::<Directory>().data_dir)?;
        let mut open = |url: &str| app.opener().open_url(url, None::<&str>).map_err(|e| e.to_string());
        let source = engine.add_oauth_source(&name, form.into(), &mut open, OAUTH_SIGN_IN, Utc::now())?;
        set_up(&app, &mut engine, source, disabled_fields)
    })
    .await
}

/// A newly connected source waits for the first sync the person launches after setting its
/// filters; the optional fields they switched off are off before anything is read.
fn set_up(app: &AppHandle, engine: &mut Engine, source: Source, disabled_fields: Vec<Field>) -> CommandResult<Source> {
    app.state::<Directory>().setting_up.lock()?.insert(source.name.clone());
    let now = Utc::now();
    for field in disabled_fields {
        engine.set_optional_field(&source.name, field, false, now)?;
    }
    events::directory_changed(app);
    // A new source is due at once: the scheduler syncs it once its first sync was launched.
    scheduler::wake(app);
    Ok(engine.source(&source.name)?)
}

fn browser(error: tauri_plugin_opener::Error) -> CommandError {
    CommandError::internal(format!("Roster could not open your browser: {error}"))
}

/// What Roster reads from an HR system and why, shown before any authorisation.
#[tauri::command]
pub fn data_retrieved() -> Vec<DataUse> {
    data_use::data_retrieved()
}

/// How often the source syncs on its own; the next sync moves accordingly.
#[tauri::command]
pub async fn set_sync_interval(
    app: AppHandle,
    directory: State<'_, Directory>,
    source: String,
    minutes: u32,
) -> CommandResult<()> {
    let interval = Duration::from_secs(u64::from(minutes) * 60);
    directory.engine.lock()?.set_sync_interval(&source, interval, Utc::now())?;
    tray::refresh(&app);
    scheduler::wake(&app);
    Ok(())
}

/// Keeps this computer's copy of a source's API key or token, so that it runs the source's
/// scheduled syncs too (on a directory the team shares, each machine holds its own). The key goes
/// from the masked field to the OS keyring; it is never logged nor returned.
#[tauri::command]
pub async fn set_source_secret(
    app: AppHandle,
    directory: State<'_, Directory>,
    name: String,
    secret: String,
) -> CommandResult<()> {
    directory.engine.lock()?.set_source_secret(&name, &secret)?;
    events::directory_changed(&app);
    scheduler::wake(&app);
    Ok(())
}

/// Disconnects a source; with `erase`, the people only it brought leave the directory too.
#[tauri::command]
pub async fn remove_source(app: AppHandle, name: String, erase: bool) -> CommandResult<()> {
    blocking(move || {
        let directory = app.state::<Directory>();
        // A running sync of this source is cancelled (it may be stuck on an HR system that does
        // not answer), then waited for: it ends promptly, changing nothing.
        if let Some(cancel) = directory.running.lock()?.get(&name) {
            cancel.cancel();
        }
        let _sync = directory.sync_turn();
        directory.engine.lock()?.remove_source(&name, erase, Utc::now())?;
        directory.setting_up.lock()?.remove(&name);
        events::directory_changed(&app);
        tray::refresh(&app);
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn field_modes(directory: State<'_, Directory>, source: String) -> CommandResult<Vec<FieldModeRow>> {
    Ok(directory.engine.lock()?.field_modes(&source)?)
}

#[tauri::command]
pub async fn set_field_mode(directory: State<'_, Directory>, source: String, field: Field, mode: FieldMode) -> CommandResult<()> {
    Ok(directory.engine.lock()?.set_field_mode(&source, field, mode, Utc::now())?)
}

/// Switches an optional field (personal email, mobile phone, home address) on or off; off erases it.
#[tauri::command]
pub async fn set_optional_field(
    directory: State<'_, Directory>,
    source: String,
    field: Field,
    enabled: bool,
) -> CommandResult<()> {
    Ok(directory.engine.lock()?.set_optional_field(&source, field, enabled, Utc::now())?)
}

#[tauri::command]
pub async fn filters(directory: State<'_, Directory>, source: String) -> CommandResult<FilterView> {
    Ok(directory.engine.lock()?.filters(&source)?)
}

/// Filters by the source's ids, as the preview gives them.
#[tauri::command]
pub async fn set_filters(directory: State<'_, Directory>, source: String, filters: Filters) -> CommandResult<FilterView> {
    let mut engine = directory.engine.lock()?;
    engine.set_filters(&source, &filters, Utc::now())?;
    Ok(engine.filters(&source)?)
}

/// Reads the source and shows every person included or excluded under `filters` (the saved ones
/// when `None`); nothing is written.
#[tauri::command]
pub async fn preview(app: AppHandle, source: String, filters: Option<Filters>) -> CommandResult<Vec<PreviewRow>> {
    blocking(move || {
        let mut engine = Engine::open(&app.state::<Directory>().data_dir)?;
        Ok(engine.preview(&source, filters, Utc::now())?)
    })
    .await
}

/// The provider's known requirements (Lucca's permissions), when the source's HR system has any.
#[tauri::command]
pub async fn provider_advice(directory: State<'_, Directory>, source: String) -> CommandResult<Option<ProviderAdvice>> {
    let source = directory.engine.lock()?.source(&source)?;
    let tool = source.config.get("tool").and_then(|t| t.as_str());
    Ok(tool.and_then(providers::requirement).map(|r| ProviderAdvice {
        provider: r.display_name.to_owned(),
        permissions: vec![r.future_permission.to_owned(), r.departed_permission.to_owned()],
        where_to_enable: r.where_to_enable.to_owned(),
    }))
}
