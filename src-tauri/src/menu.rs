//! The File menu: import and export through the system's file dialogs. Paths are chosen in
//! those dialogs and never come from the webview.

use std::path::Path;

use relman_core::csv_import::{self, CsvOptions, MappingRequest};
use relman_core::error::ErrorKind;
use relman_core::store::ImportSummary;
use relman_core::transfer;
use relman_core::{Error, ErrorReport};
use tauri::menu::{Menu, MenuEvent, PredefinedMenuItem, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

use crate::commands::{AppState, CommandError};

/// Tells the window that data changed outside it, so it loads again.
pub const DATA_CHANGED: &str = "relman://data-changed";

/// Asks the window to map the statuses of a CSV file before it is imported.
pub const IMPORT_MAPPING: &str = "relman://import-mapping";

/// A File menu item the window carries out, with its own dialog (a date range, a
/// confirmation) and the same command its buttons call: `new`, `open`, `backup`, `restore`,
/// `export-calendar`.
pub const MENU_ACTION: &str = "relman://menu";

/// The menu items handled by the window.
const WINDOW_ACTIONS: &[&str] = &[
    "new",
    "open",
    "connect",
    "backup",
    "restore",
    "export-calendar",
];

/// Another process (a nightly import, the CLI, a second window) may write to the same file.
/// SQLite's `data_version` moves when it commits; the window then reloads what it shows. On a
/// team database the server tells (LISTEN/NOTIFY) instead; see [`listen_to_the_server`].
pub fn watch_other_writers<R: Runtime>(app: AppHandle<R>) {
    let db = app.state::<AppState>().db_path();
    if crate::database::is_server(&db) {
        listen_to_the_server(app, db.to_string_lossy().to_string());
        return;
    }
    std::thread::spawn(move || {
        let state = app.state::<AppState>();
        let mut seen = state.data_version();
        loop {
            std::thread::sleep(std::time::Duration::from_millis(1000));
            let now = state.data_version();
            if now != seen {
                seen = now;
                let _ = app.emit(DATA_CHANGED, ());
            }
        }
    });
}

/// A connection of its own waits for the server's notices and the window reloads on each.
/// When the connection goes, the window reloads at once (its calls then say the connection was
/// lost); once a new one is made it reloads again, since notices sent meanwhile were lost.
fn listen_to_the_server<R: Runtime>(app: AppHandle<R>, url: String) {
    std::thread::spawn(move || {
        let mut first = true;
        loop {
            match relman_core::store::Listener::connect(&url) {
                Ok(mut listener) => {
                    if !first {
                        let _ = app.emit(DATA_CHANGED, ());
                    }
                    while let Ok(heard) = listener.wait(std::time::Duration::from_secs(5)) {
                        if heard {
                            let _ = app.emit(DATA_CHANGED, ());
                        }
                    }
                    let _ = app.emit(DATA_CHANGED, ());
                }
                Err(error) => log::warn!("team database unreachable: {}", error.chain()),
            }
            first = false;
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    });
}

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let file = SubmenuBuilder::new(app, "File")
        .text("new", "New database…")
        .text("open", "Open…")
        .text("connect", "Connect to a team database…")
        .separator()
        .text("backup", "Back up…")
        .text("restore", "Restore…")
        .separator()
        .text("export-calendar", "Export calendar…")
        .text("import", "Import changes, CIs or releases…")
        .text(
            "import-environments",
            "Import environments (RVTools, libvirt, Proxmox)…",
        )
        .text("export", "Export everything…")
        .separator()
        .item(&PredefinedMenuItem::quit(app, Some("Quit"))?)
        .build()?;
    Menu::with_items(app, &[&file])
}

pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let id = event.id().as_ref();
    if WINDOW_ACTIONS.contains(&id) {
        let _ = app.emit(MENU_ACTION, id);
        return;
    }
    match id {
        "import" => {
            let handle = app.clone();
            app.dialog()
                .file()
                .set_title("Import into Relman")
                .add_filter("Relman export or CSV", &["json", "csv"])
                .pick_file(move |picked| {
                    if let Some(path) = picked.and_then(|p| p.into_path().ok()) {
                        // Off the main thread, so the window paints the progress and its
                        // Cancel gets through.
                        std::thread::spawn(move || match import(&handle, &path) {
                            Ok(None) => {}
                            Ok(Some(text)) => report(&handle, Ok(text)),
                            Err(error) => report(&handle, Err(error)),
                        });
                    }
                });
        }
        "import-environments" => {
            let handle = app.clone();
            app.dialog()
                .file()
                .set_title("Import test environments")
                .add_filter(
                    "RVTools CSV, libvirt XML, Proxmox JSON",
                    &["csv", "xml", "json"],
                )
                .pick_files(move |picked| {
                    let paths: Vec<_> = picked
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|p| p.into_path().ok())
                        .collect();
                    if !paths.is_empty() {
                        std::thread::spawn(move || {
                            let outcome = import_environments(&handle, &paths);
                            report(&handle, outcome);
                        });
                    }
                });
        }
        "export" => {
            let handle = app.clone();
            app.dialog()
                .file()
                .set_title("Export from Relman")
                .set_file_name("relman-export.json")
                .add_filter("Relman export", &["json"])
                .save_file(move |picked| {
                    if let Some(path) = picked.and_then(|p| p.into_path().ok()) {
                        let outcome = export(&handle, &path);
                        report(&handle, outcome);
                    }
                });
        }
        _ => {}
    }
}

fn read(path: &Path) -> Result<String, ErrorReport> {
    std::fs::read_to_string(path).map_err(|e| {
        let error = Error::Internal(format!("cannot read {}: {e}", path.display()));
        ErrorReport {
            message: error.to_string(),
            ..ErrorReport::from(&error)
        }
    })
}

/// Imports the file, or (`Ok(None)`) hands a CSV whose statuses Relman cannot place to the
/// window, which asks the user to map them and then calls `import_pending_csv`.
fn import<R: Runtime>(app: &AppHandle<R>, path: &Path) -> Result<Option<String>, ErrorReport> {
    let text = read(path)?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let state = app.state::<AppState>();
    if is_csv {
        let (source, statuses) = state.run(|store, _| {
            let (shape, _) = csv_import::unknown_statuses(&text, &Default::default())?;
            let remembered = store.status_map(shape.source())?;
            let (_, unknown) = csv_import::unknown_statuses(&text, &remembered)?;
            Ok((shape.source(), unknown))
        })?;
        if !statuses.is_empty() {
            state.set_pending_import(Some(path.to_path_buf()));
            let request = MappingRequest {
                file: path.display().to_string(),
                source: source.to_string(),
                statuses,
            };
            let _ = app.emit(IMPORT_MAPPING, request);
            return Ok(None);
        }
        let summary = import_csv_file(app, &state, path, &CsvOptions::default())?;
        return Ok(Some(imported(&summary, path)));
    }
    let document = transfer::parse(&text).map_err(|e| ErrorReport::from(&e))?;
    let summary = state
        .long_work(app, |store, actor, work| {
            store.import_with_work(&document, actor, crate::now(), work)
        })
        .map_err(|CommandError(report)| report)?;
    let _ = app.emit(DATA_CHANGED, ());
    Ok(Some(imported(&summary, path)))
}

/// Reads the inventory files and imports them, all or nothing.
fn import_environments<R: Runtime>(
    app: &AppHandle<R>,
    paths: &[std::path::PathBuf],
) -> Result<String, ErrorReport> {
    let mut files = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        files.push((name, read(path)?));
    }
    let state = app.state::<AppState>();
    let inventory =
        relman_core::inventory::read(&files, None).map_err(|e| ErrorReport::from(&e))?;
    let summary = state
        .long_work(app, |store, actor, work| {
            store.import_inventory_with(&inventory, actor, crate::now(), work)
        })
        .map_err(|CommandError(report)| report)?;
    let _ = app.emit(DATA_CHANGED, ());
    Ok(format!("{}.", summary.describe()))
}

fn imported(summary: &ImportSummary, path: &Path) -> String {
    format!("{}.\n\nFile: {}", summary.describe(), path.display())
}

/// Imports a CSV file with `options` and tells the window.
pub fn import_csv_file<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    path: &Path,
    options: &CsvOptions,
) -> Result<ImportSummary, ErrorReport> {
    let text = read(path)?;
    let summary = state
        .long_work(app, |store, actor, work| {
            store.import_csv_with(&text, options, actor, crate::now(), work)
        })
        .map_err(|CommandError(report)| report)?;
    let _ = app.emit(DATA_CHANGED, ());
    Ok(summary)
}

fn export<R: Runtime>(app: &AppHandle<R>, path: &Path) -> Result<String, ErrorReport> {
    let document = app.state::<AppState>().run(|store, _| store.export(None))?;
    let text = serde_json::to_string_pretty(&document).expect("a document serializes") + "\n";
    std::fs::write(path, text).map_err(|e| {
        let error = Error::Internal(format!("cannot write {}: {e}", path.display()));
        ErrorReport {
            message: error.to_string(),
            ..ErrorReport::from(&error)
        }
    })?;
    Ok(format!(
        "Exported {} releases, {} changes and {} CIs to {}.",
        document.releases.len(),
        document.changes.len(),
        document.cis.len(),
        path.display()
    ))
}

/// Shows how it went; a refused import lists every problem with where it is.
fn report<R: Runtime>(app: &AppHandle<R>, outcome: Result<String, ErrorReport>) {
    let (text, kind) = match outcome {
        Ok(text) => (text, MessageDialogKind::Info),
        Err(report) if report.kind == ErrorKind::Cancelled => (
            "Import cancelled: nothing was changed.".to_string(),
            MessageDialogKind::Info,
        ),
        Err(report) if report.fields.is_empty() => (report.message, MessageDialogKind::Error),
        Err(report) => {
            let lines: Vec<String> = report
                .fields
                .iter()
                .take(30)
                .map(|f| format!("• {}: {}", f.field, f.message))
                .collect();
            let more = report.fields.len().saturating_sub(30);
            let tail = if more > 0 {
                format!("\n… and {more} more")
            } else {
                String::new()
            };
            (
                format!(
                    "Nothing was imported. Please correct:\n{}{tail}",
                    lines.join("\n")
                ),
                MessageDialogKind::Error,
            )
        }
    };
    app.dialog()
        .message(text)
        .kind(kind)
        .title("Relman")
        .show(|_| {});
}
