//! Release documents in the app: the preview, Save through the system dialog, Print. The
//! store is locked only to read the facts; layout and PDF run after, off the main thread.

use relman_core::report::{self, Document, DocumentOptions, DocumentRequest, Made, Preview};
use tauri::{AppHandle, State};

use crate::commands::{AppState, CommandError};

/// Reads what the document shows, remembers the dialog's choices, lays the document out.
fn build(state: &AppState, request: &DocumentRequest) -> Result<(Document, String), CommandError> {
    request.options.check()?;
    let now = crate::now();
    if let Some(id) = request.meeting {
        let (minutes, by) = state.acting(|store, actor| {
            store.set_document_options(&request.options)?;
            Ok((store.minutes(id)?, actor.to_string()))
        })?;
        let zone = iana_time_zone::get_timezone().unwrap_or_else(|_| "UTC".into());
        let made = Made { at: now, by };
        let day = minutes.meeting.started_at.format("%Y-%m-%d");
        return Ok((
            report::minutes(&minutes, &zone, &request.options, &made),
            report::file_name(&format!("cab-minutes-{day}")),
        ));
    }
    let (facts, by) = state.acting(|store, actor| {
        store.set_document_options(&request.options)?;
        let facts = match &request.release {
            Some(key) => vec![store.release_facts(key, now)?],
            None => store.cab_facts(now)?,
        };
        Ok((facts, actor.to_string()))
    })?;
    let made = Made { at: now, by };
    Ok(match &request.release {
        Some(key) => (
            report::dossier(&facts[0], &request.options, &made),
            report::file_name(&format!("{key}-dossier")),
        ),
        None => (
            report::cab_pack(&facts, &request.options, &made),
            report::file_name(&format!("cab-pack-{}", now.format("%Y-%m-%d"))),
        ),
    })
}

#[tauri::command]
pub fn document_options(state: State<'_, AppState>) -> Result<DocumentOptions, CommandError> {
    state.with_store(|s| s.document_options())
}

/// The pages as SVG, drawn from the same layout as the PDF.
#[tauri::command]
pub async fn preview_document(
    state: State<'_, AppState>,
    request: DocumentRequest,
) -> Result<Preview, CommandError> {
    let (document, name) = build(&state, &request)?;
    Ok(report::preview(&document, name))
}

/// Asks where to save, then writes the PDF whole (temp file, then rename). `None`: cancelled.
#[tauri::command]
pub async fn save_document(
    app: AppHandle,
    state: State<'_, AppState>,
    request: DocumentRequest,
) -> Result<Option<String>, CommandError> {
    let (document, name) = build(&state, &request)?;
    let Some(path) = crate::database::ask_save(&app, "Save the PDF", &name, ("PDF", "pdf")) else {
        return Ok(None);
    };
    report::save(&path, &report::pdf::render(&document))?;
    log::info!("saved {} ({} pages)", path.display(), document.pages.len());
    Ok(Some(path.display().to_string()))
}

/// Prints through the desktop: the PDF goes to a private temporary folder and opens in the
/// system's PDF viewer, whose print dialog knows the printers.
#[tauri::command]
pub async fn print_document(
    state: State<'_, AppState>,
    request: DocumentRequest,
) -> Result<String, CommandError> {
    let (document, name) = build(&state, &request)?;
    let dir = std::env::temp_dir().join(format!("relman-print-{}", std::process::id()));
    let fail = |e: std::io::Error| {
        relman_core::Error::Internal(format!("cannot prepare the document for printing: {e}"))
    };
    std::fs::create_dir_all(&dir).map_err(fail)?;
    let path = dir.join(&name);
    report::save(&path, &report::pdf::render(&document))?;
    open_in_viewer(&path).map_err(fail)?;
    Ok(path.display().to_string())
}

fn open_in_viewer(path: &std::path::Path) -> std::io::Result<()> {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if cfg!(target_os = "windows") {
        std::process::Command::new("cmd")
            .args(["/C", "start", ""])
            .arg(path)
            .spawn()?;
    } else {
        std::process::Command::new(program).arg(path).spawn()?;
    }
    Ok(())
}
