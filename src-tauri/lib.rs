//! Roster's desktop shell: a thin Tauri layer over the engine. Everything that can be tested
//! without a window lives in `roster_engine`; here are only commands, the tray, the scheduler,
//! notifications, the demo and the window.

mod commands;
mod demo;
mod error;
mod events;
mod held;
pub mod instance;
mod live;
mod logging;
mod notify;
mod oauth_form;
mod scheduler;
mod startup;
mod state;
mod sync;
mod tray;
mod updates;
mod window;

use roster_engine::{paths, Engine};
use tauri::Manager;
use tauri_plugin_autostart::MacosLauncher;

use crate::error::CommandError;
use crate::state::Directory;

pub fn run() {
    // The start-up trace counts from here, the first thing the process does.
    let started = startup::Started::now();
    logging::init();
    let data_dir = paths::data_dir(None);
    let context = tauri::generate_context!();
    let single_instance = tauri_plugin_single_instance::Builder::new()
        .callback(|app, _args, _cwd| window::show(app))
        .dbus_id(instance::dbus_id(&context.config().identifier, &data_dir))
        .build();
    let result = tauri::Builder::default()
        // First: a second launch on the same data directory hands over to the running Roster,
        // which comes forward.
        .plugin(single_instance)
        .plugin(tauri_plugin_autostart::init(MacosLauncher::LaunchAgent, None))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(updates::PendingUpdate::default())
        .manage(live::Live::default())
        .manage(startup::FirstScreenGate::default())
        .manage(startup::EarlyRead::default())
        .manage(events::Revision::default())
        .setup(move |app| {
            startup::trace(app.handle(), started);
            let engine = match Engine::open(&data_dir) {
                Ok(engine) => engine,
                Err(error) => {
                    window::refuse_to_start(app.handle(), CommandError::from(error).message);
                    return Ok(());
                }
            };
            app.manage(Directory::new(data_dir.clone(), engine));
            tray::build(app.handle())?;
            // After the tray and the state it reads: the listener refreshes both.
            live::follow(app.handle(), &data_dir);
            // Off the main thread, so the window shows while the demo's first sync runs.
            scheduler::spawn(app.handle().clone());
            updates::spawn(app.handle().clone());
            // Last, so that nothing above waits for it: while WebKit starts, the first screen is read.
            startup::EarlyRead::start(app.handle());
            Ok(())
        })
        .on_window_event(window::on_event)
        .invoke_handler(tauri::generate_handler![
            commands::employees::list_employees,
            commands::employees::employee_profile,
            commands::employees::export_person,
            commands::employees::set_hidden,
            commands::employees::edit_field,
            commands::employees::take_hr_value,
            commands::employees::explain,
            commands::exports::export_csv,
            commands::overview::overview,
            commands::overview::first_screen,
            commands::directory::directory_status,
            commands::directory::directory_role,
            commands::directory::connect_directory,
            commands::directory::disconnect_directory,
            commands::checklists::checklist_progress,
            commands::checklists::person_checklist,
            commands::checklists::set_step_done,
            commands::checklists::annotate_step,
            commands::checklists::checklist_templates,
            commands::checklists::add_checklist_template,
            commands::checklists::remove_checklist_template,
            commands::devices::list_devices,
            commands::devices::add_device,
            commands::devices::device_history,
            commands::devices::assign_device,
            commands::devices::take_back_device,
            commands::devices::reserve_device,
            commands::devices::unreserve_device,
            commands::devices::device_rules,
            commands::devices::add_device_rule,
            commands::devices::remove_device_rule,
            commands::sources::status,
            commands::sources::add_kombo_source,
            commands::sources::data_retrieved,
            commands::sources::open_kombo_connect,
            commands::sources::add_kombo_source_by_token,
            commands::sources::add_scim_source,
            commands::sources::add_csv_source,
            commands::sources::add_oauth_source,
            commands::sources::set_sync_interval,
            commands::sources::set_source_secret,
            commands::sources::remove_source,
            commands::sources::field_modes,
            commands::sources::set_field_mode,
            commands::sources::set_optional_field,
            commands::sources::filters,
            commands::sources::set_filters,
            commands::sources::preview,
            commands::sources::provider_advice,
            commands::syncing::sync_now,
            commands::syncing::list_runs,
            commands::syncing::held_plan,
            commands::syncing::approve_run,
            commands::syncing::discard_run,
            commands::audit::whoami,
            commands::audit::set_display_name,
            commands::audit::audit_log,
            commands::audit::change_authors,
            commands::settings::settings,
            commands::settings::save_settings,
            commands::settings::autostart,
            commands::settings::set_autostart,
            commands::settings::demo_state,
            commands::updates::available_update,
            commands::updates::install_update,
        ])
        .run(context);
    if let Err(error) = result {
        tracing::error!(%error, "Roster stopped");
        std::process::exit(1);
    }
}
