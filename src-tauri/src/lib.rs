//! The Tauri shell: opens the store, registers the commands, starts the window. All domain
//! logic lives in `relman-core`; a command only locks the store, calls the core and returns.

mod commands;
mod database;
mod documents;
mod menu;
mod room;

use std::path::PathBuf;

use relman_core::paths::{default_db_path, os_user_name};
use relman_core::rendering::{Machine, Rendering, RenderingMode, decide};
use tauri::Manager;

/// `relman --db FILE` opens another database (the E2E tests give each test its own);
/// `relman --db postgres://user@host/relman` (or `RELMAN_DB`, as for `relman-cli`) a team's.
fn db_path_from_args() -> PathBuf {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--db")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .or_else(|| std::env::var("RELMAN_DB").ok().filter(|v| !v.is_empty()))
        .map(PathBuf::from)
        .unwrap_or_else(default_db_path)
}

/// `relman --now 2026-12-07T09:00:00Z` (or `RELMAN_NOW`, as for `relman-cli`) starts the app's
/// clock at that moment (it runs on from there): for rehearsing what the checklist will say on
/// a later day, and for the tests, which never run on the wall clock. The core never reads the
/// clock; this is the app's only clock, and the window takes its time from it too.
static CLOCK_OFFSET: std::sync::OnceLock<chrono::TimeDelta> = std::sync::OnceLock::new();

fn set_clock_from_args() {
    let args: Vec<String> = std::env::args().collect();
    let start = args
        .iter()
        .position(|a| a == "--now")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .or_else(|| std::env::var("RELMAN_NOW").ok().filter(|v| !v.is_empty()))
        .and_then(|text| chrono::DateTime::parse_from_rfc3339(&text).ok());
    if let Some(start) = start {
        log::info!("clock starts at {start}");
        let _ = CLOCK_OFFSET.set(start.to_utc() - chrono::Utc::now());
    }
}

pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + CLOCK_OFFSET.get().copied().unwrap_or_default()
}

/// Decides the rendering mode before the web view exists, and applies it.
fn choose_rendering(state: &commands::AppState) -> Rendering {
    let env = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty() && v != "0")
    };
    let mode = env("RELMAN_RENDERING")
        .and_then(|m| m.parse().ok())
        .or_else(|| state.rendering_setting())
        .unwrap_or(RenderingMode::Auto);
    let render_node = std::fs::read_dir("/dev/dri")
        .map(|dir| {
            dir.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false);
    let machine = Machine {
        render_node,
        software_gl_forced: env("LIBGL_ALWAYS_SOFTWARE").is_some(),
        compositing_disabled: env("WEBKIT_DISABLE_COMPOSITING_MODE").is_some(),
    };
    let rendering = decide(mode, &machine);
    log::info!(
        "rendering: fast = {} ({})",
        rendering.fast,
        rendering.reason
    );
    if rendering.fast && !machine.compositing_disabled {
        // SAFETY: called at start-up before Tauri, GTK or any other thread exists, so nothing
        // can read the environment concurrently.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        }
    }
    rendering
}

pub fn run() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        log::error!("panic: {info}");
        default_hook(info);
    }));
    set_clock_from_args();
    let mut state = commands::AppState::open(db_path_from_args(), os_user_name());
    state.set_rendering(choose_rendering(&state));
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .manage(room::Room::default())
        .setup(|app| {
            let state = app.state::<commands::AppState>();
            database::show_in_title(app.handle(), &state);
            menu::watch_other_writers(app.handle().clone());
            Ok(())
        })
        .menu(menu::build)
        .on_menu_event(menu::on_event)
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            room::open_audience,
            room::show_room,
            room::close_audience,
            database::export_calendar,
            database::write_notice,
            database::export_plan_mspdi,
            commands::set_package_type,
            commands::add_package_member,
            commands::remove_package_member,
            commands::set_component_dml,
            commands::preview_notice,
            database::backup_database,
            database::choose_restore,
            database::restore_database,
            database::open_database,
            database::new_database,
            database::open_recent,
            database::connect_team_database,
            database::list_people,
            database::grant_role,
            database::revoke_role,
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
            commands::cab_agenda,
            commands::last_cab_members,
            commands::start_meeting,
            commands::decide_in_meeting,
            commands::end_meeting,
            commands::set_fullscreen,
            commands::after_deployment,
            commands::add_incident,
            commands::set_activity,
            commands::add_cost,
            commands::record_review,
            commands::kpis,
            commands::els_policy,
            commands::set_els_policy,
            commands::list_changes,
            commands::create_change,
            commands::authorize_change,
            commands::list_cis,
            commands::create_ci,
            commands::update_ci,
            commands::update_change,
            commands::get_profile,
            commands::set_profile,
            commands::get_schedule,
            commands::calendar_view,
            commands::list_models,
            commands::list_windows,
            commands::create_window,
            commands::delete_window,
            commands::list_freezes,
            commands::create_freeze,
            commands::delete_freeze,
            commands::instantiate_plan,
            commands::move_task,
            commands::resize_task,
            commands::save_baseline,
            commands::record_progress,
            commands::find_slots,
            commands::pick_slot,
            commands::set_rendering,
            commands::check_all_rules,
            commands::remove_component,
            commands::update_component,
            commands::delete_change,
            commands::restore_change,
            commands::delete_ci,
            commands::restore_ci,
            commands::import_pending_csv,
            commands::cancel_pending_import,
            commands::create_model,
            commands::update_model,
            commands::delete_model,
            commands::get_rollback,
            commands::rollback_from_task,
            commands::add_plan_task,
            commands::remove_plan_task,
            commands::run_step,
            commands::abort_release,
            commands::update_plan_task,
            commands::add_plan_dep,
            commands::remove_plan_dep,
            commands::list_environments,
            commands::get_environment,
            commands::create_environment,
            commands::record_install,
            commands::take_snapshot,
            commands::revert_snapshot,
            commands::exempt_snapshot,
            commands::book_environment,
            commands::cancel_booking,
            commands::list_bookings,
            commands::get_testing,
            commands::record_run,
            commands::close_defect,
            commands::import_inventory,
            commands::cancel_work,
            commands::update_environment,
            commands::get_test_policy,
            commands::set_test_policy,
            documents::document_options,
            documents::preview_document,
            documents::save_document,
            documents::print_document,
        ])
        .run(tauri::generate_context!())
        .expect("the Relman window could not be started");
}
