//! The Tauri shell: opens the store, registers the commands, starts the window. All domain
//! logic lives in `relman-core`; a command only locks the store, calls the core and returns.

mod commands;
mod menu;

use std::path::PathBuf;

use relman_core::paths::{default_db_path, os_user_name};

/// `relman --db FILE` opens another database (the E2E tests give each test its own).
fn db_path_from_args() -> PathBuf {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--db")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(default_db_path)
}

pub fn run() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let state = commands::AppState::open(db_path_from_args(), os_user_name());
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .menu(menu::build)
        .on_menu_event(menu::on_event)
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::list_releases,
            commands::get_release,
            commands::create_release,
            commands::update_release,
            commands::delete_release,
            commands::restore_release,
            commands::load_demo_data,
            commands::release_workspace,
            commands::add_change_to_release,
            commands::remove_change_from_release,
            commands::add_component,
            commands::advance_release,
            commands::send_back_release,
            commands::cancel_release,
            commands::decide_release,
            commands::list_changes,
            commands::create_change,
            commands::authorize_change,
            commands::list_cis,
            commands::create_ci,
            commands::update_ci,
            commands::update_change,
            commands::get_profile,
            commands::set_profile,
        ])
        .run(tauri::generate_context!())
        .expect("the Relman window could not be started");
}
