//! The database as a file: the calendar feed, backup, restore, opening another file and the
//! list of recent ones. Paths come from the system's file dialogs (or, in the end-to-end
//! tests, from `RELMAN_SAVE_DIR` / `RELMAN_OPEN_FILE`), never from the webview.

use std::path::{Path, PathBuf};

use relman_core::ics::Range;
use relman_core::paths::recent_list_path;
use relman_core::people::{Person, TeamRole};
use relman_core::store::{RestoreChoice, Restored, kept_path};
use relman_core::{Error, report};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::commands::{AppState, CommandError};

/// How many databases File ▸ Open remembers.
const RECENT: usize = 8;

pub fn recent() -> Vec<PathBuf> {
    recent_list_path()
        .and_then(|file| std::fs::read_to_string(file).ok())
        .and_then(|text| serde_json::from_str::<Vec<PathBuf>>(&text).ok())
        .unwrap_or_default()
}

/// Puts `path` first in the recent list (a small file of the user's; losing it loses nothing).
pub fn remember(path: &Path) {
    let Some(file) = recent_list_path() else {
        return;
    };
    let path = if is_server(path) {
        PathBuf::from(relman_core::store::without_password(
            &path.to_string_lossy(),
        ))
    } else {
        std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
    };
    let mut list = recent();
    list.retain(|p| *p != path);
    list.insert(0, path);
    list.truncate(RECENT);
    let text = serde_json::to_string_pretty(&list).unwrap_or_default();
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = report::save(&file, text.as_bytes()) {
        log::warn!("cannot remember the recent databases: {e}");
    }
}

/// Whether the "path" is a team database's address.
pub fn is_server(path: &Path) -> bool {
    path.to_str().is_some_and(relman_core::store::is_server_url)
}

/// "Relman — programme-a.db (/home/anna/releases)", or for a team database
/// "Relman — anna on relman@db.example:5432 (team database)".
pub fn show_in_title<R: Runtime>(app: &AppHandle<R>, state: &AppState) {
    let title = match state.with_store(|s| s.server_name()) {
        Ok(Some(server)) => format!("Relman — {server} (team database)"),
        _ => {
            let path = state.db_path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let dir = path
                .parent()
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            format!("Relman — {name} ({dir})")
        }
    };
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_title(&title);
    }
}

/// Where Save writes without asking: set by the end-to-end tests, which cannot click in the
/// system's file dialog. Everything after the dialog is the same code.
fn save_dir(name: &str) -> Option<PathBuf> {
    std::env::var_os("RELMAN_SAVE_DIR").map(|dir| PathBuf::from(dir).join(name))
}

fn open_file() -> Option<Option<PathBuf>> {
    std::env::var_os("RELMAN_OPEN_FILE").map(|file| Some(PathBuf::from(file)))
}

/// The system's save dialog, offering `name`; `None`: cancelled.
pub fn ask_save<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    name: &str,
    (kind, ext): (&str, &str),
) -> Option<PathBuf> {
    save_dir(name).or_else(|| {
        app.dialog()
            .file()
            .set_title(title)
            .set_file_name(name)
            .add_filter(kind, &[ext])
            .blocking_save_file()
            .and_then(|p| p.into_path().ok())
    })
}

fn ask_open<R: Runtime>(app: &AppHandle<R>, title: &str) -> Option<PathBuf> {
    open_file().unwrap_or_else(|| {
        app.dialog()
            .file()
            .set_title(title)
            .add_filter("Relman database", &["db", "sqlite"])
            .blocking_pick_file()
            .and_then(|p| p.into_path().ok())
    })
}

fn file_name(path: &Path) -> String {
    path.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string()
}

/// File ▸ Export calendar: the feed over `range`, saved where the user says.
#[tauri::command]
pub async fn export_calendar(
    app: AppHandle,
    state: State<'_, AppState>,
    range: Range,
) -> Result<Option<String>, CommandError> {
    range.validate()?;
    let Some(path) = ask_save(
        &app,
        "Export the release calendar",
        "relman-calendar.ics",
        ("iCalendar", "ics"),
    ) else {
        return Ok(None);
    };
    let text = state.with_store(|s| s.calendar_export(&range, crate::now()))?;
    report::save(&path, text.as_bytes())?;
    Ok(Some(path.display().to_string()))
}

/// Overview ▸ Write notice…: the draft saved where the user says, for their mail program.
#[tauri::command]
pub async fn write_notice(
    app: AppHandle,
    state: State<'_, AppState>,
    key: String,
    kind: relman_core::notice::NoticeKind,
    lang: relman_core::message::Lang,
) -> Result<Option<String>, CommandError> {
    let Some(path) = ask_save(
        &app,
        "Save the notice as an e-mail draft",
        &format!("{key}-{kind}.eml"),
        ("E-mail draft", "eml"),
    ) else {
        return Ok(None);
    };
    let notice = state.acting(|s, actor| s.write_notice(&key, kind, lang, actor, crate::now()))?;
    report::save(&path, &notice.eml)?;
    Ok(Some(path.display().to_string()))
}

/// Plan ▸ Export for project tools…: Microsoft Project XML, saved where the user says.
#[tauri::command]
pub async fn export_plan_mspdi(
    app: AppHandle,
    state: State<'_, AppState>,
    key: String,
) -> Result<Option<String>, CommandError> {
    let Some(path) = ask_save(
        &app,
        "Export the plan for project tools",
        &format!("{key}-plan.xml"),
        ("Microsoft Project XML", "xml"),
    ) else {
        return Ok(None);
    };
    let xml = state.with_store(|s| s.plan_mspdi(&key))?;
    report::save(&path, xml.as_bytes())?;
    Ok(Some(path.display().to_string()))
}

/// File ▸ Back up: a consistent copy while the app runs.
#[tauri::command]
pub async fn backup_database(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<String>, CommandError> {
    let name = format!(
        "{}-backup-{}.db",
        file_name(&state.db_path()),
        crate::now().format("%Y-%m-%d-%H%M")
    );
    let Some(path) = ask_save(
        &app,
        "Back up the database",
        &name,
        ("Relman database", "db"),
    ) else {
        return Ok(None);
    };
    state.with_store(|s| s.backup_to(&path))?;
    Ok(Some(path.display().to_string()))
}

/// File ▸ Restore, first step: which backup. The window then asks to confirm.
#[tauri::command]
pub async fn choose_restore(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<RestoreChoice>, CommandError> {
    let Some(file) = ask_open(&app, "Restore from a backup") else {
        return Ok(None);
    };
    let kept_as = kept_path(&state.db_path(), crate::now());
    state.set_pending_restore(Some((file.clone(), kept_as.clone())));
    Ok(Some(RestoreChoice {
        file: file.display().to_string(),
        kept_as: kept_as.display().to_string(),
    }))
}

/// File ▸ Restore, confirmed: checks the backup and replaces the database with it; the
/// database as it was is kept beside it. A refused file changes nothing.
#[tauri::command]
pub async fn restore_database(state: State<'_, AppState>) -> Result<Restored, CommandError> {
    let (file, kept_as) = state
        .take_pending_restore()
        .ok_or_else(|| Error::Conflict {
            field: None,
            message: "choose the backup to restore first (File ▸ Restore…)".into(),
        })?;
    let restored = state.with_store(|s| s.restore_from(&file, &kept_as))?;
    state.forget_shown();
    log::info!("restored {} (kept {})", file.display(), kept_as.display());
    Ok(restored)
}

/// File ▸ Open: another database file, e.g. one per programme or customer.
#[tauri::command]
pub async fn open_database(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<String>, CommandError> {
    let Some(path) = ask_open(&app, "Open a Relman database") else {
        return Ok(None);
    };
    switch(&app, &state, path)
}

/// File ▸ New: an empty database in a new file.
#[tauri::command]
pub async fn new_database(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<String>, CommandError> {
    let Some(path) = ask_save(
        &app,
        "Create a Relman database",
        "releases.db",
        ("Relman database", "db"),
    ) else {
        return Ok(None);
    };
    if path.exists() {
        return Err(Error::Validation(vec![relman_core::FieldError::new(
            "file",
            format!(
                "{} exists already; open it with File ▸ Open…",
                path.display()
            ),
        )])
        .into());
    }
    switch(&app, &state, path)
}

/// File ▸ Connect to a team database: the address from the form's fields.
#[tauri::command]
pub async fn connect_team_database(
    app: AppHandle,
    state: State<'_, AppState>,
    form: relman_core::store::ServerForm,
) -> Result<Option<String>, CommandError> {
    let address = form.address()?;
    switch(&app, &state, PathBuf::from(address))
}

/// One of the recent databases, by its place in the list the window shows.
#[tauri::command]
pub async fn open_recent(
    app: AppHandle,
    state: State<'_, AppState>,
    index: usize,
) -> Result<Option<String>, CommandError> {
    let path = recent()
        .get(index)
        .cloned()
        .ok_or_else(|| Error::NotFound {
            what: "recent database",
            key: index.to_string(),
        })?;
    if !is_server(&path) && !path.exists() {
        return Err(Error::Validation(vec![relman_core::FieldError::new(
            "file",
            format!("{} no longer exists", path.display()),
        )])
        .into());
    }
    switch(&app, &state, path)
}

fn switch(
    app: &AppHandle,
    state: &AppState,
    path: PathBuf,
) -> Result<Option<String>, CommandError> {
    state.switch_to(path.clone())?;
    show_in_title(app, state);
    Ok(Some(relman_core::store::without_password(
        &path.to_string_lossy(),
    )))
}

// ---- People and roles (a team database) ----

#[tauri::command]
pub fn list_people(state: State<'_, AppState>) -> Result<Vec<Person>, CommandError> {
    state.with_store(|s| s.people())
}

#[tauri::command]
pub fn grant_role(
    state: State<'_, AppState>,
    login: String,
    role: TeamRole,
) -> Result<Person, CommandError> {
    state.acting(|s, actor| s.grant(login.trim(), role, actor, crate::now()))
}

#[tauri::command]
pub fn revoke_role(
    state: State<'_, AppState>,
    login: String,
    role: TeamRole,
) -> Result<Person, CommandError> {
    state.acting(|s, actor| s.revoke(login.trim(), role, actor, crate::now()))
}
