use tauri_build::{AppManifest, Attributes};

/// Every command the window may call. Each gets an `allow-…` permission that
/// `capabilities/main.json` grants explicitly, so an unlisted command cannot be invoked.
const COMMANDS: &[&str] = &[
    "app_status",
    "list_releases",
    "get_release",
    "create_release",
    "update_release",
    "delete_release",
    "restore_release",
    "load_demo_data",
    "release_workspace",
    "add_change_to_release",
    "remove_change_from_release",
    "add_component",
    "advance_release",
    "send_back_release",
    "cancel_release",
    "decide_release",
    "list_changes",
    "create_change",
    "authorize_change",
    "list_cis",
    "create_ci",
    "update_ci",
    "update_change",
    "get_profile",
    "set_profile",
    "get_schedule",
    "calendar_view",
    "list_models",
    "list_windows",
    "create_window",
    "delete_window",
    "list_freezes",
    "create_freeze",
    "delete_freeze",
    "instantiate_plan",
    "move_task",
    "resize_task",
    "save_baseline",
    "record_progress",
    "find_slots",
    "pick_slot",
    "set_rendering",
];

fn main() {
    tauri_build::try_build(Attributes::new().app_manifest(AppManifest::new().commands(COMMANDS)))
        .expect("tauri build step");
}
