//! The device inventory, handing devices to and taking them back from people, and the rules that
//! suggest equipment.

use chrono::{NaiveDate, Utc};
use roster_engine::store::device_rules::{DeviceRule, NewDeviceRule};
use roster_engine::store::devices::{Device, Holding, NewDevice};
use tauri::{AppHandle, State};

use crate::error::CommandResult;
use crate::events;
use crate::state::Directory;

/// Every device, or those `holder` holds.
#[tauri::command]
pub async fn list_devices(directory: State<'_, Directory>, holder: Option<i64>) -> CommandResult<Vec<Device>> {
    Ok(directory.engine.lock()?.devices(holder.map(|id| id.to_string()).as_deref())?)
}

/// Who held a device, newest first; a holder retention erased is a former employee.
#[tauri::command]
pub async fn device_history(directory: State<'_, Directory>, device: i64) -> CommandResult<Vec<Holding>> {
    Ok(directory.engine.lock()?.device_history(&device.to_string())?.1)
}

#[tauri::command]
pub async fn add_device(directory: State<'_, Directory>, device: NewDevice) -> CommandResult<Device> {
    Ok(directory.engine.lock()?.add_device(&device, Utc::now())?)
}

#[tauri::command]
pub async fn assign_device(
    app: AppHandle,
    directory: State<'_, Directory>,
    device: i64,
    employee: i64,
    on: NaiveDate,
) -> CommandResult<Device> {
    let assigned = directory.engine.lock()?.assign_device(&device.to_string(), &employee.to_string(), on, Utc::now())?;
    events::directory_changed(&app);
    Ok(assigned)
}

#[tauri::command]
pub async fn take_back_device(
    app: AppHandle,
    directory: State<'_, Directory>,
    device: i64,
    on: NaiveDate,
) -> CommandResult<Device> {
    let returned = directory.engine.lock()?.take_back_device(&device.to_string(), on, Utc::now())?;
    events::directory_changed(&app);
    Ok(returned)
}

/// Keeps a device (its serial number, as suggestions name it) for a person until it is handed to them.
#[tauri::command]
pub async fn reserve_device(
    app: AppHandle,
    directory: State<'_, Directory>,
    device: String,
    employee: i64,
) -> CommandResult<Device> {
    let reserved = directory.engine.lock()?.reserve_device(&device, &employee.to_string(), Utc::now())?;
    events::directory_changed(&app);
    Ok(reserved)
}

#[tauri::command]
pub async fn unreserve_device(app: AppHandle, directory: State<'_, Directory>, device: String) -> CommandResult<Device> {
    let released = directory.engine.lock()?.unreserve_device(&device, Utc::now())?;
    events::directory_changed(&app);
    Ok(released)
}

#[tauri::command]
pub async fn device_rules(directory: State<'_, Directory>) -> CommandResult<Vec<DeviceRule>> {
    Ok(directory.engine.lock()?.device_rules()?)
}

/// Adds a rule; the profiles' suggested equipment follows.
#[tauri::command]
pub async fn add_device_rule(app: AppHandle, directory: State<'_, Directory>, rule: NewDeviceRule) -> CommandResult<DeviceRule> {
    let added = directory.engine.lock()?.add_device_rule(&rule, Utc::now())?;
    events::directory_changed(&app);
    Ok(added)
}

#[tauri::command]
pub async fn remove_device_rule(app: AppHandle, directory: State<'_, Directory>, id: i64) -> CommandResult<()> {
    directory.engine.lock()?.remove_device_rule(id, Utc::now())?;
    events::directory_changed(&app);
    Ok(())
}
