//! Generates Tauri's context (config, icons, capabilities) from the top-level tauri.conf.json.

fn main() {
    tauri_build::build()
}
