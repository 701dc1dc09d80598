//! Roster's desktop shell: a thin Tauri layer over the engine. Everything that can be tested
//! without a window lives in `roster_engine`; here are only commands, the demo and the window.

mod commands;
mod demo;
mod error;
mod events;
mod state;
mod sync;

use std::sync::Mutex;

use roster_engine::{paths, Engine};
use tauri::Manager;

use crate::demo::DemoState;
use crate::state::Directory;

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("ROSTER_LOG"))
        .init();
    let result = tauri::Builder::default()
        .setup(|app| {
            let data_dir = paths::data_dir(None);
            let engine = Engine::open(&data_dir)?;
            app.manage(Directory {
                data_dir,
                engine: Mutex::new(engine),
                sync_lock: Mutex::new(()),
                demo: Mutex::new(DemoState::Starting),
            });
            // Off the main thread, so the window shows while the demo's first sync runs.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn_blocking(move || demo::launch(&handle));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_employees,
            commands::status,
            commands::list_runs,
            commands::demo_state,
            commands::sync_now,
        ])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        tracing::error!(%error, "Roster stopped");
        std::process::exit(1);
    }
}
