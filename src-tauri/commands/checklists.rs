//! Checklists in the window: the progress column of Onboardings and Offboardings, a person's steps
//! on their profile, and ticking them.

use chrono::Utc;
use roster_engine::model::View;
use roster_engine::store::checklists::{ChecklistProgress, ChecklistStep, PersonChecklist};
use tauri::{AppHandle, State};

use crate::error::CommandResult;
use crate::events;
use crate::state::Directory;

#[tauri::command]
pub async fn checklist_progress(directory: State<'_, Directory>, view: View) -> CommandResult<Vec<ChecklistProgress>> {
    Ok(directory.engine.lock()?.checklist_progress(view, Utc::now())?)
}

#[tauri::command]
pub async fn person_checklist(directory: State<'_, Directory>, id: i64) -> CommandResult<PersonChecklist> {
    Ok(directory.engine.lock()?.person_checklist(id, Utc::now())?)
}

/// Ticks or un-ticks a step; the lists' progress column follows.
#[tauri::command]
pub async fn set_step_done(
    app: AppHandle,
    directory: State<'_, Directory>,
    step: i64,
    done: bool,
) -> CommandResult<ChecklistStep> {
    let step = directory.engine.lock()?.set_step_done(step, done, Utc::now())?;
    events::directory_changed(&app);
    Ok(step)
}
