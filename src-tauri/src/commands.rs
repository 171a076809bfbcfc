use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use chrono::Utc;
use relman_core::{
    AppStatus, Error, ErrorReport, Release, ReleaseDraft, ReleaseFilter, Result as CoreResult,
    Store,
};
use serde::Serialize;
use tauri::State;

/// The one open database (Relman has a single writer) and who is acting.
pub struct AppState {
    store: Mutex<Option<Store>>,
    db_path: PathBuf,
    actor: String,
    open_error: Option<ErrorReport>,
}

impl AppState {
    /// Opens the store; a failure is kept and shown by the UI instead of the app.
    pub fn open(db_path: PathBuf, actor: String) -> AppState {
        let (store, open_error) = match Store::open(&db_path) {
            Ok(store) => (Some(store), None),
            Err(error) => {
                log::error!("cannot open {}: {}", db_path.display(), error.chain());
                (None, Some(ErrorReport::from(&error)))
            }
        };
        log::info!("database: {}", db_path.display());
        AppState {
            store: Mutex::new(store),
            db_path,
            actor,
            open_error,
        }
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> CoreResult<T>,
    ) -> Result<T, CommandError> {
        // A panic while the lock was held rolled its transaction back; the store is fine.
        let mut guard = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        let store = guard
            .as_mut()
            .ok_or_else(|| Error::Internal("the database is not open".into()))?;
        Ok(f(store)?)
    }
}

/// An error as the UI receives it: `{kind, message, fields}`. The full chain goes to the log.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct CommandError(ErrorReport);

impl From<Error> for CommandError {
    fn from(error: Error) -> Self {
        log::warn!("{}", error.chain());
        CommandError(ErrorReport::from(&error))
    }
}

type CommandResult<T> = Result<T, CommandError>;

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    let empty = state
        .with_store(|s| s.has_releases())
        .map(|has| !has)
        .unwrap_or(false);
    AppStatus {
        version: env!("CARGO_PKG_VERSION").to_string(),
        db_path: state.db_path.display().to_string(),
        actor: state.actor.clone(),
        error: state.open_error.clone(),
        empty,
    }
}

#[tauri::command]
pub fn list_releases(
    state: State<'_, AppState>,
    filter: ReleaseFilter,
) -> CommandResult<Vec<Release>> {
    state.with_store(|s| s.list_releases(&filter))
}

#[tauri::command]
pub fn get_release(state: State<'_, AppState>, key: String) -> CommandResult<Release> {
    state.with_store(|s| s.release(&key))
}

#[tauri::command]
pub fn create_release(state: State<'_, AppState>, draft: ReleaseDraft) -> CommandResult<Release> {
    state.with_store(|s| s.create_release(&draft, &state.actor, Utc::now()))
}

#[tauri::command]
pub fn update_release(
    state: State<'_, AppState>,
    key: String,
    expected_version: i64,
    draft: ReleaseDraft,
) -> CommandResult<Release> {
    state.with_store(|s| s.update_release(&key, expected_version, &draft, &state.actor, Utc::now()))
}

#[tauri::command]
pub fn delete_release(state: State<'_, AppState>, key: String) -> CommandResult<()> {
    state.with_store(|s| s.delete_release(&key, &state.actor, Utc::now()))
}

#[tauri::command]
pub fn restore_release(state: State<'_, AppState>, key: String) -> CommandResult<Release> {
    state.with_store(|s| s.restore_release(&key, &state.actor, Utc::now()))
}

#[tauri::command]
pub fn load_demo_data(state: State<'_, AppState>) -> CommandResult<Vec<Release>> {
    state.with_store(|s| s.load_demo_data(&state.actor, Utc::now()))
}
