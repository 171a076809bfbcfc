//! The File menu: import and export through the system's file dialogs. Paths are chosen in
//! those dialogs and never come from the webview.

use std::path::Path;

use chrono::Utc;
use relman_core::transfer;
use relman_core::{Error, ErrorReport};
use tauri::menu::{Menu, MenuEvent, PredefinedMenuItem, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

use crate::commands::AppState;

/// Tells the window that data changed outside it, so it loads again.
pub const DATA_CHANGED: &str = "relman://data-changed";

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let file = SubmenuBuilder::new(app, "File")
        .text("import", "Import changes, CIs or releases…")
        .text("export", "Export everything…")
        .separator()
        .item(&PredefinedMenuItem::quit(app, Some("Quit"))?)
        .build()?;
    Menu::with_items(app, &[&file])
}

pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match event.id().as_ref() {
        "import" => {
            let handle = app.clone();
            app.dialog()
                .file()
                .set_title("Import into Relman")
                .add_filter("Relman export or CSV", &["json", "csv"])
                .pick_file(move |picked| {
                    if let Some(path) = picked.and_then(|p| p.into_path().ok()) {
                        let outcome = import(&handle, &path);
                        report(&handle, outcome);
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

fn import<R: Runtime>(app: &AppHandle<R>, path: &Path) -> Result<String, ErrorReport> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let error = Error::Internal(format!("cannot read {}: {e}", path.display()));
        ErrorReport {
            message: error.to_string(),
            ..ErrorReport::from(&error)
        }
    })?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let summary = app.state::<AppState>().run(|store, actor| {
        if is_csv {
            store.import_csv(&text, actor, Utc::now())
        } else {
            store.import(&transfer::parse(&text)?, actor, Utc::now())
        }
    })?;
    let _ = app.emit(DATA_CHANGED, ());
    Ok(format!(
        "Imported {} releases, {} changes and {} CIs from {}.",
        summary.releases,
        summary.changes,
        summary.cis,
        path.display()
    ))
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
