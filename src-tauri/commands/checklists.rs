//! Checklists in the window: the progress column of Onboardings and Offboardings, a person's steps
//! on their profile, ticking them, and the templates of Settings › Checklists.

use chrono::Utc;
use roster_engine::model::View;
use roster_engine::store::checklists::{ChecklistProgress, ChecklistStep, PersonChecklist, Template};
use roster_engine::ChecklistChanges;
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

/// Assigns a step to an admin (a name) and sets its comment; empty texts clear them.
#[tauri::command]
pub async fn annotate_step(
    directory: State<'_, Directory>,
    step: i64,
    assignee: Option<String>,
    comment: Option<String>,
) -> CommandResult<ChecklistStep> {
    let mut engine = directory.engine.lock()?;
    engine.assign_step(step, assignee, Utc::now())?;
    Ok(engine.comment_step(step, comment, Utc::now())?)
}

#[tauri::command]
pub async fn checklist_templates(directory: State<'_, Directory>) -> CommandResult<Vec<Template>> {
    Ok(directory.engine.lock()?.checklist_templates()?)
}

/// Adds a template; the people it applies to get its steps at once.
#[tauri::command]
pub async fn add_checklist_template(
    app: AppHandle,
    directory: State<'_, Directory>,
    template: Template,
) -> CommandResult<ChecklistChanges> {
    let changes = directory.engine.lock()?.add_checklist_template(&template, Utc::now())?;
    events::directory_changed(&app);
    Ok(changes)
}

/// Removes a template; its open steps are closed, not deleted.
#[tauri::command]
pub async fn remove_checklist_template(
    app: AppHandle,
    directory: State<'_, Directory>,
    name: String,
) -> CommandResult<ChecklistChanges> {
    let changes = directory.engine.lock()?.remove_checklist_template(&name, Utc::now())?;
    events::directory_changed(&app);
    Ok(changes)
}
