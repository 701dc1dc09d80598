//! "Export CSV" on the lists: the person picks a file in the OS's save dialog, and the engine's
//! CSV writer fills it (0600: it holds personal data). The dialog is opened from here, never from
//! the page, so the window cannot name a path to write to.

use std::path::PathBuf;

use chrono::Utc;
use roster_engine::export;
use roster_engine::store::checklists::ChecklistQuery;
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::sync::preview::PreviewRow;
use serde::Deserialize;
use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use super::blocking;
use super::syncing::RUN_HISTORY;
use crate::error::CommandResult;
use crate::state::Directory;

/// The list to export, as the window shows it.
#[derive(Debug, Deserialize, TS)]
#[serde(tag = "list", rename_all = "snake_case")]
#[ts(export)]
pub enum ExportList {
    /// The view with its search and toggles; every page, not only those loaded.
    Employees {
        query: EmployeeQuery,
    },
    Devices,
    DeviceRules,
    /// Checklist steps: a person's (the profile), or those of a view.
    Checklist {
        query: ChecklistQuery,
    },
    /// The rows the preview shows: reading the HR system again could answer otherwise.
    Preview {
        rows: Vec<PreviewRow>,
    },
    /// The sync history as the window lists it.
    Runs,
}

impl ExportList {
    fn file_name(&self) -> String {
        let list = match self {
            ExportList::Employees { query } => query.view.as_str(),
            ExportList::Devices => "devices",
            ExportList::DeviceRules => "device-rules",
            ExportList::Checklist { .. } => "checklist",
            ExportList::Preview { .. } => "preview",
            ExportList::Runs => "sync-history",
        };
        format!("roster-{list}-{}.csv", Utc::now().format("%Y-%m-%d"))
    }
}

/// Asks where to save `list` and writes it there; `None` when the person cancelled the dialog.
#[tauri::command]
pub async fn export_csv(app: AppHandle, list: ExportList) -> CommandResult<Option<String>> {
    blocking(move || {
        let Some(path) = chosen_path(&app, &list.file_name()) else { return Ok(None) };
        let directory = app.state::<Directory>();
        let engine = directory.engine.lock()?;
        match list {
            ExportList::Employees { query } => {
                let every_page = EmployeeQuery { offset: 0, limit: u32::MAX, ..query };
                export::write_file(&engine.employees(&every_page, Utc::now())?, &path)?
            }
            ExportList::Devices => export::write_file(&engine.devices(None)?, &path)?,
            ExportList::DeviceRules => export::write_file(&engine.device_rules()?, &path)?,
            ExportList::Checklist { query } => export::write_file(&engine.checklist(&query, Utc::now())?, &path)?,
            ExportList::Preview { rows } => export::write_file(&rows, &path)?,
            ExportList::Runs => export::write_file(&engine.runs(None, RUN_HISTORY)?, &path)?,
        }
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// The path from the OS's save dialog (waited for on this blocking thread).
///
/// Test seam: WebDriver cannot drive a native dialog, so in debug builds `ROSTER_E2E_SAVE_PATH`,
/// set by the end-to-end tests, stands for the path the person would choose. Release builds never
/// read it.
fn chosen_path(app: &AppHandle, file_name: &str) -> Option<PathBuf> {
    #[cfg(debug_assertions)]
    if let Some(path) = std::env::var_os("ROSTER_E2E_SAVE_PATH") {
        return Some(path.into());
    }
    let chosen = app.dialog().file().set_file_name(file_name).add_filter("CSV", &["csv"]).blocking_save_file()?;
    chosen.into_path().ok()
}
