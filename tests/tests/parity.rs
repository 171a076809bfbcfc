//! The command line can do what the window can: every Tauri command has its `relman-cli`
//! twin, or one line saying why it is the window's alone. A new Tauri command without an entry
//! here fails, and so does an entry whose CLI command does not exist.

use std::collections::BTreeSet;

use regex::Regex;
use relman_tests::{cli_binary, read, repo_root};

enum Twin {
    /// The words after `relman-cli` that do the same.
    Cli(&'static str),
    /// Why the window alone has it.
    WindowOnly(&'static str),
}

use Twin::{Cli, WindowOnly};

const PARITY: &[(&str, Twin)] = &[
    (
        "app_status",
        WindowOnly("the window's start-up facts; `--version` and `--db` say the same"),
    ),
    ("export_calendar", Cli("calendar export")),
    ("write_notice", Cli("release notice")),
    ("export_plan_mspdi", Cli("release export-plan")),
    ("set_package_type", Cli("release edit")),
    ("add_package_member", Cli("release add-member")),
    ("remove_package_member", Cli("release remove-member")),
    ("set_component_dml", Cli("release edit-component")),
    (
        "preview_notice",
        WindowOnly("the preview shown before the save dialog; `release notice` writes the draft"),
    ),
    (
        "open_audience",
        WindowOnly("the CAB room's projector window; the CLI has no screen to show the room on"),
    ),
    (
        "show_room",
        WindowOnly("what the projector window shows next; `cab agenda` lists the same releases"),
    ),
    (
        "close_audience",
        WindowOnly("closes the projector window the window opened"),
    ),
    ("backup_database", Cli("backup")),
    (
        "choose_restore",
        WindowOnly("asks the system's file dialog; `restore FILE` names the file"),
    ),
    ("restore_database", Cli("restore")),
    (
        "open_database",
        WindowOnly("the window switches files; every CLI call names its file with --db"),
    ),
    (
        "new_database",
        WindowOnly("the window switches files; --db with a new path creates one"),
    ),
    (
        "open_recent",
        WindowOnly("the window's list of recent files"),
    ),
    (
        "connect_team_database",
        WindowOnly("the window's form for an address; every CLI call names it with --db"),
    ),
    ("list_people", Cli("people list")),
    ("grant_role", Cli("people grant")),
    ("revoke_role", Cli("people revoke")),
    ("list_releases", Cli("release list")),
    ("get_release", Cli("release show")),
    ("create_release", Cli("release create")),
    ("update_release", Cli("release edit")),
    ("delete_release", Cli("release delete")),
    ("restore_release", Cli("release restore")),
    ("load_demo_data", Cli("demo")),
    ("release_workspace", Cli("release show")),
    ("add_change_to_release", Cli("release add-change")),
    ("remove_change_from_release", Cli("release remove-change")),
    ("add_component", Cli("release add-component")),
    ("advance_release", Cli("release advance")),
    ("send_back_release", Cli("release send-back")),
    ("cancel_release", Cli("release cancel")),
    ("decide_release", Cli("release approve")),
    ("cab_agenda", Cli("cab agenda")),
    (
        "last_cab_members",
        WindowOnly("fills the start form with the last members; `cab start` names them"),
    ),
    ("start_meeting", Cli("cab start")),
    ("decide_in_meeting", Cli("cab decide")),
    ("end_meeting", Cli("cab end")),
    ("set_fullscreen", WindowOnly("the projector's full screen")),
    ("after_deployment", Cli("release after")),
    ("add_incident", Cli("incident add")),
    ("set_activity", Cli("release activity")),
    ("add_cost", Cli("release cost")),
    ("record_review", Cli("release review")),
    ("kpis", Cli("kpi")),
    ("els_policy", Cli("release els-policy")),
    ("set_els_policy", Cli("release els-policy")),
    ("list_changes", Cli("change list")),
    ("create_change", Cli("change create")),
    ("authorize_change", Cli("change authorize")),
    ("list_cis", Cli("ci list")),
    ("create_ci", Cli("ci create")),
    ("update_ci", Cli("ci edit")),
    ("update_change", Cli("change edit")),
    (
        "get_profile",
        WindowOnly("the window's display name and language; the CLI acts --as NAME"),
    ),
    (
        "set_profile",
        WindowOnly("the window's display name and language; the CLI acts --as NAME"),
    ),
    ("get_schedule", Cli("release schedule")),
    ("calendar_view", Cli("calendar export")),
    ("list_models", Cli("model list")),
    ("list_windows", Cli("window list")),
    ("create_window", Cli("window add")),
    ("delete_window", Cli("window delete")),
    ("list_freezes", Cli("freeze list")),
    ("create_freeze", Cli("freeze add")),
    ("delete_freeze", Cli("freeze delete")),
    ("instantiate_plan", Cli("release plan")),
    ("move_task", Cli("release task move")),
    ("resize_task", Cli("release task resize")),
    ("save_baseline", Cli("release baseline")),
    ("record_progress", Cli("release run")),
    ("find_slots", Cli("release slots")),
    ("pick_slot", Cli("release pick-slot")),
    ("set_rendering", WindowOnly("how the web view draws")),
    ("check_all_rules", Cli("release check")),
    ("remove_component", Cli("release remove-component")),
    ("update_component", Cli("release edit-component")),
    ("delete_change", Cli("change delete")),
    ("restore_change", Cli("change restore")),
    ("delete_ci", Cli("ci delete")),
    ("restore_ci", Cli("ci restore")),
    ("import_pending_csv", Cli("import")),
    (
        "cancel_pending_import",
        WindowOnly("the window asks about unknown statuses; the CLI takes --status-map"),
    ),
    ("create_model", Cli("model create")),
    ("update_model", Cli("model task add")),
    ("delete_model", Cli("model delete")),
    ("get_rollback", Cli("release rollback")),
    ("rollback_from_task", Cli("release rollback")),
    ("add_plan_task", Cli("release task add")),
    ("remove_plan_task", Cli("release task remove")),
    ("run_step", Cli("release run")),
    ("abort_release", Cli("release abort")),
    ("update_plan_task", Cli("release task edit")),
    ("add_plan_dep", Cli("release task dep-add")),
    ("remove_plan_dep", Cli("release task dep-remove")),
    ("list_environments", Cli("env list")),
    ("get_environment", Cli("env show")),
    ("create_environment", Cli("env create")),
    ("record_install", Cli("env install")),
    ("take_snapshot", Cli("env snapshot")),
    ("revert_snapshot", Cli("env revert")),
    ("exempt_snapshot", Cli("env exempt")),
    ("book_environment", Cli("env book")),
    ("cancel_booking", Cli("env unbook")),
    ("list_bookings", Cli("env bookings")),
    ("get_testing", Cli("test list")),
    ("record_run", Cli("test record")),
    ("close_defect", Cli("test defect")),
    ("import_inventory", Cli("env import")),
    (
        "cancel_work",
        WindowOnly("the window's Cancel of long work; the CLI stops with Ctrl+C"),
    ),
    ("update_environment", Cli("env edit")),
    ("get_test_policy", Cli("test policy")),
    ("set_test_policy", Cli("test policy")),
    (
        "document_options",
        WindowOnly(
            "the document dialog's remembered choices; the CLI takes --lang, --paper, --sections",
        ),
    ),
    (
        "preview_document",
        WindowOnly("the pages shown in the window before saving"),
    ),
    ("save_document", Cli("report dossier")),
    ("print_document", WindowOnly("the system's print dialog")),
];

/// The commands the app registers with Tauri.
fn tauri_commands() -> BTreeSet<String> {
    let lib = read(&repo_root().join("src-tauri/src/lib.rs"));
    let start = lib
        .find("generate_handler![")
        .expect("the app registers its commands");
    let list = &lib[start..start + lib[start..].find(']').unwrap()];
    let name = Regex::new(r"(?:commands|database|documents|room)::([a-z_]+)").unwrap();
    name.captures_iter(list).map(|c| c[1].to_string()).collect()
}

#[test]
fn every_tauri_command_has_a_cli_twin_or_a_reason() {
    let registered = tauri_commands();
    assert!(
        registered.len() > 80,
        "the handler list was not read: {registered:?}"
    );
    let listed: BTreeSet<String> = PARITY.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(PARITY.len(), listed.len(), "a command is listed twice");
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "Tauri commands with no CLI twin and no reason in tests/tests/parity.rs: {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(stale.is_empty(), "listed but not registered: {stale:?}");
}

#[test]
fn every_cli_twin_exists() {
    let twins: BTreeSet<&str> = PARITY
        .iter()
        .filter_map(|(_, twin)| match twin {
            Cli(words) => Some(*words),
            WindowOnly(why) => {
                assert!(why.len() > 10, "say why the window alone has it");
                None
            }
        })
        .collect();
    for words in twins {
        let out = std::process::Command::new(cli_binary())
            .args(words.split(' '))
            .arg("--help")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "`relman-cli {words}` does not exist: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The check can fail: a command that does not exist is told apart.
    let out = std::process::Command::new(cli_binary())
        .args(["release", "teleport", "--help"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
