//! Settings › Employee Sync: connecting and disconnecting sources, their field modes, optional
//! fields, filters and the filter preview, and what a provider needs beyond the key.

use chrono::Utc;
use roster_engine::connector::kombo::KomboConfig;
use roster_engine::model::{Field, FieldMode};
use roster_engine::providers;
use roster_engine::store::sources::Source;
use roster_engine::sync::plan::Filters;
use roster_engine::sync::preview::PreviewRow;
use roster_engine::{Engine, FieldModeRow, FilterView, Status};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use super::blocking;
use crate::error::CommandResult;
use crate::state::Directory;
use crate::{events, tray};

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
        let directory = app.state::<Directory>();
        let mut engine = Engine::open(&directory.data_dir)?;
        let config = KomboConfig {
            base_url: base_url.trim().trim_end_matches('/').to_owned(),
            integration_id: integration_id.trim().to_owned(),
            tool: None,
        };
        let now = Utc::now();
        let source = engine.add_kombo_source(&name, config, &api_key, now)?;
        directory.setting_up.lock()?.insert(source.name.clone());
        for field in disabled_fields {
            engine.set_optional_field(&source.name, field, false, now)?;
        }
        events::directory_changed(&app);
        Ok(engine.source(&source.name)?)
    })
    .await
}

/// Disconnects a source; with `erase`, the people only it brought leave the directory too.
#[tauri::command]
pub async fn remove_source(app: AppHandle, name: String, erase: bool) -> CommandResult<()> {
    blocking(move || {
        let directory = app.state::<Directory>();
        // Waits for a running sync of this source to end rather than pulling it from under it.
        let _sync = directory.sync_lock.lock()?;
        directory.engine.lock()?.remove_source(&name, erase)?;
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
    Ok(directory.engine.lock()?.set_field_mode(&source, field, mode)?)
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
    engine.set_filters(&source, &filters)?;
    Ok(engine.filters(&source)?)
}

/// Reads the source and shows every person included or excluded under `filters` (the saved ones
/// when `None`); nothing is written.
#[tauri::command]
pub async fn preview(app: AppHandle, source: String, filters: Option<Filters>) -> CommandResult<Vec<PreviewRow>> {
    blocking(move || {
        let mut engine = Engine::open(&app.state::<Directory>().data_dir)?;
        Ok(engine.preview(&source, filters)?)
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
        permissions: r.permissions.iter().map(|p| (*p).to_owned()).collect(),
        where_to_enable: r.where_to_enable.to_owned(),
    }))
}
