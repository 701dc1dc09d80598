//! The employee lists, one person's profile, hiding, hand edits, taking HR's value once, and "why is this person missing?".

use chrono::Utc;
use roster_engine::model::{EmployeeRow, Field};
use roster_engine::store::employees::EmployeeQuery;
use roster_engine::{Explanation, HrDifference, Profile};
use tauri::{AppHandle, Manager, State};

use crate::error::CommandResult;
use crate::events;
use crate::state::Directory;

/// One page of a list: the window asks for the rows it is about to show, never the whole directory.
#[tauri::command]
pub async fn list_employees(directory: State<'_, Directory>, query: EmployeeQuery) -> CommandResult<Vec<EmployeeRow>> {
    Ok(directory.engine.lock()?.employees(&query, Utc::now())?)
}

#[tauri::command]
pub async fn employee_profile(directory: State<'_, Directory>, id: i64) -> CommandResult<Profile> {
    Ok(directory.engine.lock()?.profile(&id.to_string(), Utc::now())?)
}

/// The profile's "Export data": the person's data as a JSON file in the user's Downloads folder.
#[tauri::command]
pub async fn export_person(app: AppHandle, directory: State<'_, Directory>, id: i64) -> CommandResult<String> {
    let folder = app.path().download_dir()?;
    let path = directory.engine.lock()?.write_person_export(&id.to_string(), &folder, Utc::now())?;
    Ok(path.display().to_string())
}

#[tauri::command]
pub async fn set_hidden(app: AppHandle, directory: State<'_, Directory>, id: i64, hidden: bool) -> CommandResult<()> {
    directory.engine.lock()?.set_hidden(&id.to_string(), hidden, Utc::now())?;
    events::directory_changed(&app);
    Ok(())
}

/// Edits an import-once field from the value `seen` on screen; the engine refuses a field a source
/// keeps in continuous sync, and an edit from a value someone else changed meanwhile.
#[tauri::command]
pub async fn edit_field(
    app: AppHandle,
    directory: State<'_, Directory>,
    id: i64,
    field: Field,
    seen: Option<String>,
    value: Option<String>,
) -> CommandResult<()> {
    directory.engine.lock()?.edit_field_seen(&id.to_string(), field, seen.as_deref(), value.as_deref(), Utc::now())?;
    events::directory_changed(&app);
    Ok(())
}

/// The profile's "Take HR's value once": the field stays import once.
#[tauri::command]
pub async fn take_hr_value(
    app: AppHandle,
    directory: State<'_, Directory>,
    id: i64,
    field: Field,
    source: String,
) -> CommandResult<HrDifference> {
    let taken = directory.engine.lock()?.take_hr_value(&id.to_string(), field, Some(&source), Utc::now())?;
    events::directory_changed(&app);
    Ok(taken)
}

#[tauri::command]
pub async fn explain(directory: State<'_, Directory>, query: String) -> CommandResult<Explanation> {
    Ok(directory.engine.lock()?.explain(&query, Utc::now())?)
}
