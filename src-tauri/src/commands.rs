//! The window's commands: each locks the store, calls the core and answers `{kind, message}`
//! on failure. Reads that take long on a large database are `async`: a plain command runs on
//! the main thread, where WebKitGTK also presents the window's frames, so a 100 ms read after
//! a plan edit held the edit's frame back by as long.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use relman_core::after::{Activity, ActivityState, ElsPolicy, Incident, KpiFilter, Kpis};
use relman_core::approval::{Approval, Decision};
use relman_core::cab::{CabRelease, Meeting, MeetingDecision, Minutes};
use relman_core::calendar::{Freeze, Window};
use relman_core::change::{Change, ChangeDraft, ChangeStatus, Ci};
use relman_core::csv_import::CsvOptions;
use relman_core::inventory::{DateOrder, InventoryFile, InventorySummary};
use relman_core::package::{Component, parse_requirement_spec};
use relman_core::people::TeamRole;
use relman_core::plan::{
    CalendarView, DeploymentModel, ModelTask, PlanDep, RollbackFrom, RollbackPlan, Schedule,
    ScheduleUpdate, Slot,
};
use relman_core::profile::Profile;
use relman_core::rendering::{Rendering, RenderingMode};
use relman_core::rules::AllRules;
use relman_core::store::{
    ActivityView, AfterView, Cost, ImportSummary, PlanRequest, Progress, Review, Workspace,
};
use relman_core::testing::{
    Booking, BookingPurpose, Defect, Environment, EnvironmentView, JudgedRun, RunDraft, TestPolicy,
    TestingView,
};
use relman_core::work::{Work, WorkProgress};
use relman_core::{
    AppStatus, Error, ErrorReport, FieldError, Release, ReleaseDraft, ReleaseFilter,
    Result as CoreResult, Store,
};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

/// The event that carries long work's progress to the window.
pub const PROGRESS: &str = "relman://progress";
/// The event that says long work ended (done, failed or cancelled), for the window's progress
/// dialog of work it did not start itself (File ▸ Import).
pub const WORK_DONE: &str = "relman://work-done";

/// The one open database (Relman has a single writer) and the OS user to fall back on.
pub struct AppState {
    store: Mutex<Option<Store>>,
    /// The open file: File ▸ Open and the recent list change it while the app runs.
    db_path: Mutex<PathBuf>,
    os_user: String,
    open_error: Mutex<Option<ErrorReport>>,
    rendering: Option<Rendering>,
    /// A CSV file picked in File ▸ Import whose statuses the user is asked to map first.
    pending_import: Mutex<Option<PathBuf>>,
    /// A backup picked in File ▸ Restore, and where the current database will be kept, as
    /// the window asks the user to confirm them.
    pending_restore: Mutex<Option<(PathBuf, PathBuf)>>,
    /// The schedule of each release as the window last received it, so that a plan edit
    /// answers with what changed since (a few rows) instead of the whole plan.
    shown: Mutex<HashMap<String, Schedule>>,
    /// Set by the window's Cancel while long work runs; the work stops at its next step.
    stop: AtomicBool,
}

/// A database file, or a team database's `postgres://` address (never as its owner).
fn open_store(path: &std::path::Path) -> CoreResult<Store> {
    off_the_runtime(|| {
        let store = Store::open_any(&path.to_string_lossy())?;
        store.refuse_the_owner()?;
        Ok(store)
    })
}

/// Runs `f` where the synchronous PostgreSQL client may block: on a thread of its own when
/// called from one of tokio's (an async command), which its runtime would panic on, also
/// when it only drops a client.
fn off_the_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|scope| scope.spawn(f).join().expect("the database thread"))
    } else {
        f()
    }
}

/// The database as the log may name it: never with a password.
fn shown(path: &std::path::Path) -> String {
    relman_core::store::without_password(&path.to_string_lossy())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The settings key of the rendering mode.
pub const RENDERING_SETTING: &str = "rendering";

impl AppState {
    /// Opens the store; a failure is kept and shown by the UI instead of the app.
    pub fn open(db_path: PathBuf, os_user: String) -> AppState {
        let (store, open_error) = match open_store(&db_path) {
            Ok(store) => (Some(store), None),
            Err(error) => {
                log::error!("cannot open {}: {}", shown(&db_path), error.chain());
                (None, Some(ErrorReport::from(&error)))
            }
        };
        log::info!("database: {}", shown(&db_path));
        if store.is_some() {
            crate::database::remember(&db_path);
        }
        AppState {
            store: Mutex::new(store),
            db_path: Mutex::new(db_path),
            os_user,
            open_error: Mutex::new(open_error),
            rendering: None,
            pending_import: Mutex::new(None),
            pending_restore: Mutex::new(None),
            shown: Mutex::new(HashMap::new()),
            stop: AtomicBool::new(false),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        lock(&self.db_path).clone()
    }

    /// Opens `path` in place of the open database. If it cannot be opened (damaged, newer),
    /// the database that was open stays open.
    pub fn switch_to(&self, path: PathBuf) -> Result<(), CommandError> {
        let store = open_store(&path)?;
        let old = lock(&self.store).replace(store);
        off_the_runtime(|| drop(old));
        self.forget_shown();
        *lock(&self.open_error) = None;
        log::info!("database: {}", shown(&path));
        crate::database::remember(&path);
        *lock(&self.db_path) = path;
        Ok(())
    }

    /// Sends `schedule` to the window whole, and remembers it as what the window holds.
    fn show(&self, schedule: Schedule) -> Schedule {
        lock(&self.shown).insert(schedule.release.clone(), schedule.clone());
        schedule
    }

    /// A plan edit made on `base_version`: what changed since the window's copy of it.
    fn plan_edit(
        &self,
        base_version: i64,
        edit: impl FnOnce(&mut Store, &str) -> CoreResult<Schedule> + Send,
    ) -> CommandResult<ScheduleUpdate> {
        let after = self.acting(edit)?;
        let mut shown = lock(&self.shown);
        let update = ScheduleUpdate::since(shown.get(&after.release), base_version, &after);
        shown.insert(after.release.clone(), after);
        Ok(update)
    }

    /// Long work, reporting its progress to the window (`relman://progress`, ten times a
    /// second at most) and stopping, with nothing written, when the window cancels it. Runs
    /// from an async command, so that the main thread stays free for Cancel.
    pub(crate) fn long_work<R: Runtime, T: Send>(
        &self,
        app: &AppHandle<R>,
        f: impl FnOnce(&mut Store, &str, Work<'_>) -> CoreResult<T> + Send,
    ) -> CommandResult<T> {
        self.stop.store(false, Ordering::Relaxed);
        let shown: Mutex<Option<Instant>> = Mutex::new(None);
        let progress = |done: usize, total: usize| {
            let mut shown = lock(&shown);
            if shown.is_none_or(|at| at.elapsed() >= Duration::from_millis(100)) || done == total {
                let _ = app.emit(PROGRESS, WorkProgress { done, total });
                *shown = Some(Instant::now());
            }
        };
        let work = Work::new(&progress, &self.stop);
        let outcome = self.acting(|store, actor| f(store, actor, work));
        let _ = app.emit(WORK_DONE, ());
        outcome
    }

    /// Another database, or this one restored: the window's copies say nothing about it.
    pub fn forget_shown(&self) {
        lock(&self.shown).clear();
    }

    pub fn set_pending_restore(&self, choice: Option<(PathBuf, PathBuf)>) {
        *lock(&self.pending_restore) = choice;
    }

    pub fn take_pending_restore(&self) -> Option<(PathBuf, PathBuf)> {
        lock(&self.pending_restore).take()
    }

    /// The rendering mode the user chose, if the database is open and holds one.
    pub fn rendering_setting(&self) -> Option<RenderingMode> {
        self.with_store(|s| s.setting(RENDERING_SETTING))
            .ok()
            .flatten()
            .and_then(|m| m.parse().ok())
    }

    pub fn set_rendering(&mut self, rendering: Rendering) {
        self.rendering = Some(rendering);
    }

    pub(crate) fn with_store<T: Send>(
        &self,
        f: impl FnOnce(&mut Store) -> CoreResult<T> + Send,
    ) -> Result<T, CommandError> {
        // A panic while the lock was held rolled its transaction back; the store is fine.
        let mut guard = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        let store = guard
            .as_mut()
            .ok_or_else(|| Error::Internal("the database is not open".into()))?;
        if store.connection_lost() {
            // The server restarted or the network dropped: connect again before this call.
            // Until that works, every call says the connection was lost and nothing changed.
            let fresh = open_store(&self.db_path())?;
            off_the_runtime(|| drop(std::mem::replace(store, fresh)));
            log::info!("reconnected to the team database");
        }
        let engine = store.engine();
        let call = || {
            // A bug in one command must not take the window down: the panic is logged (by
            // the hook in `lib.rs`) and answered as an internal error; the next command works.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(store)))
        };
        // SQLite calls straight through; the PostgreSQL client must not block on one of
        // tokio's worker threads (where async commands run).
        let outcome = match engine {
            relman_core::store::Engine::Postgres => off_the_runtime(call),
            relman_core::store::Engine::Sqlite => call(),
        };
        match outcome {
            Ok(result) => Ok(result?),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(Error::Internal(format!("a command panicked: {what}")).into())
            }
        }
    }

    pub fn set_pending_import(&self, path: Option<PathBuf>) {
        *self
            .pending_import
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = path;
    }

    fn take_pending_import(&self) -> Option<PathBuf> {
        self.pending_import
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// The database's change counter, for noticing writes by other processes.
    pub fn data_version(&self) -> Option<i64> {
        self.with_store(|s| s.data_version()).ok()
    }

    /// For the menu's import and export: the store and who is acting, errors as the UI gets them.
    pub fn run<T: Send>(
        &self,
        f: impl FnOnce(&mut Store, &str) -> CoreResult<T> + Send,
    ) -> Result<T, ErrorReport> {
        self.acting(f).map_err(|CommandError(report)| report)
    }

    /// Like `with_store`, passing who is acting (the profile's name, else the OS user).
    pub(crate) fn acting<T: Send>(
        &self,
        f: impl FnOnce(&mut Store, &str) -> CoreResult<T> + Send,
    ) -> Result<T, CommandError> {
        self.with_store(|store| {
            let actor = store.actor(&self.os_user)?;
            f(store, &actor)
        })
    }
}

/// An error as the UI receives it: `{kind, message, says, fields, rules}`. The chain goes to the log.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct CommandError(pub ErrorReport);

impl From<Error> for CommandError {
    fn from(error: Error) -> Self {
        log::warn!("{}", error.chain());
        CommandError(ErrorReport::from(&error))
    }
}

type CommandResult<T> = Result<T, CommandError>;

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> AppStatus {
    // The window's first call: its script runs and asks for data (`make bench-start` times it).
    static FIRST: std::sync::Once = std::sync::Once::new();
    FIRST.call_once(|| log::info!("window ready: the UI asked for its status"));
    let (empty, actor, read_only, server, session) = state
        .with_store(|s| {
            Ok((
                !s.has_releases()?,
                s.actor(&state.os_user)?,
                s.is_read_only(),
                s.server_name()?,
                Some(s.session(&state.os_user)?),
            ))
        })
        .unwrap_or((false, state.os_user.clone(), false, None, None));
    AppStatus {
        version: env!("CARGO_PKG_VERSION").to_string(),
        db_path: shown(&state.db_path()),
        server,
        actor,
        session,
        error: lock(&state.open_error).clone(),
        recent: crate::database::recent()
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        read_only,
        empty,
        rendering: state.rendering.clone(),
        now: crate::now(),
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
    state.acting(|s, actor| s.create_release(&draft, actor, crate::now()))
}

#[tauri::command]
pub fn update_release(
    state: State<'_, AppState>,
    key: String,
    expected_version: i64,
    draft: ReleaseDraft,
) -> CommandResult<Release> {
    state.acting(|s, actor| s.update_release(&key, expected_version, &draft, actor, crate::now()))
}

#[tauri::command]
pub fn delete_release(state: State<'_, AppState>, key: String) -> CommandResult<()> {
    state.acting(|s, actor| s.delete_release(&key, actor, crate::now()))
}

#[tauri::command]
pub fn restore_release(state: State<'_, AppState>, key: String) -> CommandResult<Release> {
    state.acting(|s, actor| s.restore_release(&key, actor, crate::now()))
}

#[tauri::command]
pub fn load_demo_data(state: State<'_, AppState>) -> CommandResult<Vec<Release>> {
    state.acting(|s, actor| s.load_demo_data(actor, crate::now()))
}

#[tauri::command]
pub async fn release_workspace(
    state: State<'_, AppState>,
    key: String,
) -> CommandResult<Workspace> {
    state.with_store(|s| s.workspace(&key, crate::now()))
}

#[tauri::command]
pub fn add_change_to_release(
    state: State<'_, AppState>,
    key: String,
    change: String,
) -> CommandResult<()> {
    state.acting(|s, actor| s.add_change_to_release(&key, &change, actor, crate::now()))
}

#[tauri::command]
pub fn remove_change_from_release(
    state: State<'_, AppState>,
    key: String,
    change: String,
) -> CommandResult<()> {
    state.acting(|s, actor| s.remove_change_from_release(&key, &change, actor, crate::now()))
}

#[tauri::command]
pub fn add_component(
    state: State<'_, AppState>,
    key: String,
    ci: String,
    to_version: Option<String>,
    requires: Vec<String>,
) -> CommandResult<Component> {
    let requires = requirements(&requires)?;
    state.acting(|s, actor| {
        s.add_component(
            &key,
            &ci,
            to_version.as_deref(),
            &requires,
            actor,
            crate::now(),
        )
    })
}

#[tauri::command]
pub fn advance_release(state: State<'_, AppState>, key: String) -> CommandResult<Release> {
    state.acting(|s, actor| s.advance_release(&key, actor, crate::now()))
}

#[tauri::command]
pub fn send_back_release(state: State<'_, AppState>, key: String) -> CommandResult<Release> {
    state.acting(|s, actor| s.send_back_release(&key, actor, crate::now()))
}

#[tauri::command]
pub fn cancel_release(state: State<'_, AppState>, key: String) -> CommandResult<Release> {
    state.acting(|s, actor| s.cancel_release(&key, actor, crate::now()))
}

#[tauri::command]
pub fn decide_release(
    state: State<'_, AppState>,
    key: String,
    decision: Decision,
    comment: String,
) -> CommandResult<Approval> {
    state.with_store(|s| s.decide_as_profile(&key, decision, &comment, crate::now()))
}

// ---- After the deployment ----

#[tauri::command]
pub fn after_deployment(state: State<'_, AppState>, key: String) -> CommandResult<AfterView> {
    state.with_store(|s| s.after_deployment(&key, crate::now()))
}

#[tauri::command]
pub fn add_incident(
    state: State<'_, AppState>,
    key: String,
    incident: Incident,
) -> CommandResult<Incident> {
    state.acting(|s, actor| s.add_incident(&key, &incident, actor, crate::now()))
}

#[tauri::command]
pub fn set_activity(
    state: State<'_, AppState>,
    key: String,
    activity: Activity,
    done: ActivityState,
    note: String,
) -> CommandResult<ActivityView> {
    state.acting(|s, actor| s.set_activity(&key, activity, done, &note, actor, crate::now()))
}

#[tauri::command]
pub fn add_cost(
    state: State<'_, AppState>,
    key: String,
    amount: String,
    currency: String,
    note: String,
) -> CommandResult<Cost> {
    state.acting(|s, actor| s.add_cost(&key, &amount, &currency, &note, actor, crate::now()))
}

#[tauri::command]
pub fn record_review(
    state: State<'_, AppState>,
    key: String,
    satisfaction: u8,
    comment: String,
    lessons: String,
) -> CommandResult<Review> {
    state.acting(|s, actor| {
        s.record_review(&key, satisfaction, &comment, &lessons, actor, crate::now())
    })
}

#[tauri::command]
pub async fn kpis(state: State<'_, AppState>, filter: KpiFilter) -> CommandResult<Kpis> {
    state.with_store(|s| s.kpis(&filter))
}

#[tauri::command]
pub fn els_policy(state: State<'_, AppState>) -> CommandResult<ElsPolicy> {
    state.with_store(|s| s.els_policy())
}

#[tauri::command]
pub fn set_els_policy(state: State<'_, AppState>, policy: ElsPolicy) -> CommandResult<ElsPolicy> {
    state.with_store(|s| s.set_els_policy(&policy))
}

// ---- CAB mode ----

#[tauri::command]
pub fn cab_agenda(state: State<'_, AppState>, information: bool) -> CommandResult<Vec<CabRelease>> {
    state.with_store(|s| s.cab_agenda(information, crate::now()))
}

#[tauri::command]
pub fn last_cab_members(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    state.with_store(|s| s.last_members())
}

#[tauri::command]
pub fn start_meeting(state: State<'_, AppState>, members: Vec<String>) -> CommandResult<Meeting> {
    state.acting(|s, actor| s.start_meeting(&members, actor, crate::now()))
}

#[tauri::command]
pub fn decide_in_meeting(
    state: State<'_, AppState>,
    decision: MeetingDecision,
) -> CommandResult<Approval> {
    state.acting(|s, actor| s.decide_in_meeting(&decision, actor, crate::now()))
}

#[tauri::command]
pub fn end_meeting(state: State<'_, AppState>, id: i64) -> CommandResult<Minutes> {
    state.acting(|s, actor| s.end_meeting(id, actor, crate::now()))
}

/// CAB mode fills the screen without the menu bar; leaving it gives the window back as it was.
#[tauri::command]
pub fn set_fullscreen(window: tauri::Window, on: bool) -> CommandResult<()> {
    let fail = |e: tauri::Error| Error::Internal(format!("cannot change to full screen: {e}"));
    if on {
        window.hide_menu().map_err(fail)?;
    } else {
        window.show_menu().map_err(fail)?;
    }
    window.set_fullscreen(on).map_err(fail)?;
    Ok(())
}

#[tauri::command]
pub async fn list_changes(
    state: State<'_, AppState>,
    status: Option<ChangeStatus>,
) -> CommandResult<Vec<Change>> {
    state.with_store(|s| s.list_changes(status))
}

#[tauri::command]
pub fn create_change(state: State<'_, AppState>, draft: ChangeDraft) -> CommandResult<Change> {
    state.acting(|s, actor| s.create_change(&draft, actor, crate::now()))
}

#[tauri::command]
pub fn authorize_change(state: State<'_, AppState>, key: String) -> CommandResult<Change> {
    state.acting(|s, actor| s.authorize_change(&key, actor, crate::now()))
}

#[tauri::command]
pub async fn list_cis(state: State<'_, AppState>) -> CommandResult<Vec<Ci>> {
    state.with_store(|s| s.list_cis())
}

#[tauri::command]
pub fn create_ci(state: State<'_, AppState>, ci: Ci) -> CommandResult<Ci> {
    state.acting(|s, actor| s.create_ci(&ci, actor, crate::now()))
}

#[tauri::command]
pub fn update_ci(state: State<'_, AppState>, name: String, ci: Ci) -> CommandResult<Ci> {
    state.acting(|s, actor| s.update_ci(&name, &ci, actor, crate::now()))
}

#[tauri::command]
pub fn update_change(
    state: State<'_, AppState>,
    key: String,
    draft: ChangeDraft,
) -> CommandResult<Change> {
    state.acting(|s, actor| s.update_change(&key, &draft, actor, crate::now()))
}

#[tauri::command]
pub fn get_profile(state: State<'_, AppState>) -> CommandResult<Option<Profile>> {
    state.with_store(|s| s.profile())
}

#[tauri::command]
pub fn set_profile(state: State<'_, AppState>, profile: Profile) -> CommandResult<Profile> {
    state.with_store(|s| s.set_profile(&profile))
}

// ---- deployment planning ----

#[tauri::command]
pub async fn get_schedule(state: State<'_, AppState>, key: String) -> CommandResult<Schedule> {
    Ok(state.show(state.with_store(|s| s.schedule(&key))?))
}

#[tauri::command]
pub async fn calendar_view(state: State<'_, AppState>) -> CommandResult<CalendarView> {
    state.with_store(|s| s.calendar_view())
}

#[tauri::command]
pub fn list_models(state: State<'_, AppState>) -> CommandResult<Vec<DeploymentModel>> {
    state.with_store(|s| s.list_models())
}

#[tauri::command]
pub fn list_windows(state: State<'_, AppState>) -> CommandResult<Vec<Window>> {
    state.with_store(|s| s.list_windows())
}

#[tauri::command]
pub fn create_window(state: State<'_, AppState>, window: Window) -> CommandResult<Window> {
    state.acting(|s, actor| s.create_window(&window, actor, crate::now()))
}

#[tauri::command]
pub fn delete_window(state: State<'_, AppState>, name: String) -> CommandResult<()> {
    state.acting(|s, actor| s.delete_window(&name, actor, crate::now()))
}

#[tauri::command]
pub fn list_freezes(state: State<'_, AppState>) -> CommandResult<Vec<Freeze>> {
    state.with_store(|s| s.list_freezes())
}

#[tauri::command]
pub fn create_freeze(state: State<'_, AppState>, freeze: Freeze) -> CommandResult<Freeze> {
    state.acting(|s, actor| s.create_freeze(&freeze, actor, crate::now()))
}

#[tauri::command]
pub fn delete_freeze(state: State<'_, AppState>, name: String) -> CommandResult<Freeze> {
    state.acting(|s, actor| s.delete_freeze(&name, actor, crate::now()))
}

#[tauri::command]
pub fn instantiate_plan(
    state: State<'_, AppState>,
    key: String,
    request: PlanRequest,
) -> CommandResult<Schedule> {
    let schedule =
        state.acting(|s, actor| s.instantiate_plan(&key, &request, actor, crate::now()))?;
    Ok(state.show(schedule))
}

#[tauri::command]
pub fn move_task(
    state: State<'_, AppState>,
    key: String,
    task: String,
    start: Option<DateTime<Utc>>,
    version: i64,
) -> CommandResult<ScheduleUpdate> {
    state.plan_edit(version, |s, actor| {
        s.move_task(&key, &task, start, version, actor, crate::now())
    })
}

#[tauri::command]
pub fn resize_task(
    state: State<'_, AppState>,
    key: String,
    task: String,
    minutes: i64,
    version: i64,
) -> CommandResult<ScheduleUpdate> {
    state.plan_edit(version, |s, actor| {
        s.resize_task(&key, &task, minutes, version, actor, crate::now())
    })
}

#[tauri::command]
pub fn save_baseline(state: State<'_, AppState>, key: String) -> CommandResult<Schedule> {
    Ok(state.show(state.acting(|s, actor| s.save_baseline(&key, actor, crate::now()))?))
}

#[tauri::command]
pub fn record_progress(
    state: State<'_, AppState>,
    key: String,
    task: String,
    progress: Progress,
) -> CommandResult<Schedule> {
    let now = crate::now();
    Ok(state
        .show(state.acting(|s, actor| s.record_progress(&key, &task, progress, now, actor, now))?))
}

#[tauri::command]
pub fn find_slots(state: State<'_, AppState>, key: String, weeks: u32) -> CommandResult<Vec<Slot>> {
    state.with_store(|s| s.slots(&key, crate::now(), weeks))
}

#[tauri::command]
pub fn pick_slot(
    state: State<'_, AppState>,
    key: String,
    start: DateTime<Utc>,
    version: i64,
) -> CommandResult<Schedule> {
    Ok(
        state
            .show(state.acting(|s, actor| s.pick_slot(&key, start, version, actor, crate::now()))?),
    )
}

/// Stores the rendering choice; it takes effect when Relman starts next.
#[tauri::command]
pub fn set_rendering(state: State<'_, AppState>, mode: RenderingMode) -> CommandResult<()> {
    state.with_store(|s| s.set_setting(RENDERING_SETTING, mode.as_str(), TeamRole::Viewer))
}

#[tauri::command]
pub async fn check_all_rules(state: State<'_, AppState>, key: String) -> CommandResult<AllRules> {
    state.with_store(|s| s.check_all_rules(&key, crate::now()))
}

fn requirements(requires: &[String]) -> CommandResult<Vec<relman_core::package::Requirement>> {
    Ok(requires
        .iter()
        .filter(|r| !r.trim().is_empty())
        .map(|r| parse_requirement_spec(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|message| Error::Validation(vec![FieldError::new("requires", message)]))?)
}

#[tauri::command]
pub fn remove_component(
    state: State<'_, AppState>,
    key: String,
    ci: String,
) -> CommandResult<Component> {
    state.acting(|s, actor| s.remove_component(&key, &ci, actor, crate::now()))
}

#[tauri::command]
pub fn update_component(
    state: State<'_, AppState>,
    key: String,
    ci: String,
    to_version: Option<String>,
    requires: Vec<String>,
) -> CommandResult<Component> {
    let requires = requirements(&requires)?;
    state.acting(|s, actor| {
        s.update_component(
            &key,
            &ci,
            to_version.as_deref(),
            &requires,
            actor,
            crate::now(),
        )
    })
}

#[tauri::command]
pub fn delete_change(state: State<'_, AppState>, key: String) -> CommandResult<Change> {
    state.acting(|s, actor| s.delete_change(&key, actor, crate::now()))
}

#[tauri::command]
pub fn restore_change(state: State<'_, AppState>, key: String) -> CommandResult<Change> {
    state.acting(|s, actor| s.restore_change(&key, actor, crate::now()))
}

#[tauri::command]
pub fn delete_ci(state: State<'_, AppState>, name: String) -> CommandResult<Ci> {
    state.acting(|s, actor| s.delete_ci(&name, actor, crate::now()))
}

#[tauri::command]
pub fn restore_ci(state: State<'_, AppState>, name: String) -> CommandResult<Ci> {
    state.acting(|s, actor| s.restore_ci(&name, actor, crate::now()))
}

/// Imports the CSV file the menu put aside, with the statuses the user mapped. The path never
/// comes from the webview: only the mapping does.
#[tauri::command]
pub async fn import_pending_csv(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    options: CsvOptions,
) -> CommandResult<ImportSummary> {
    let path = state.take_pending_import().ok_or_else(|| {
        Error::Internal("no import is waiting; choose File ▸ Import again".into())
    })?;
    crate::menu::import_csv_file(&app, &state, &path, &options).map_err(CommandError)
}

#[tauri::command]
pub fn cancel_pending_import(state: State<'_, AppState>) {
    state.set_pending_import(None);
}

#[tauri::command]
pub fn create_model(
    state: State<'_, AppState>,
    model: DeploymentModel,
) -> CommandResult<DeploymentModel> {
    state.acting(|s, actor| s.create_model(&model, actor, crate::now()))
}

#[tauri::command]
pub fn update_model(
    state: State<'_, AppState>,
    name: String,
    model: DeploymentModel,
) -> CommandResult<DeploymentModel> {
    state.acting(|s, actor| s.update_model(&name, &model, actor, crate::now()))
}

#[tauri::command]
pub fn delete_model(state: State<'_, AppState>, name: String) -> CommandResult<DeploymentModel> {
    state.acting(|s, actor| s.delete_model(&name, actor, crate::now()))
}

#[tauri::command]
pub async fn get_rollback(state: State<'_, AppState>, key: String) -> CommandResult<RollbackPlan> {
    state.with_store(|s| s.rollback(&key))
}

#[tauri::command]
pub async fn rollback_from_task(
    state: State<'_, AppState>,
    key: String,
    task: String,
) -> CommandResult<RollbackFrom> {
    state.with_store(|s| s.rollback_from_task(&key, &task))
}

#[tauri::command]
pub fn add_plan_task(
    state: State<'_, AppState>,
    key: String,
    task: ModelTask,
    wave: Option<usize>,
    after: Vec<String>,
    version: i64,
) -> CommandResult<ScheduleUpdate> {
    state.plan_edit(version, |s, actor| {
        s.add_plan_task(&key, &task, wave, &after, version, actor, crate::now())
    })
}

#[tauri::command]
pub fn remove_plan_task(
    state: State<'_, AppState>,
    key: String,
    task: String,
    version: i64,
) -> CommandResult<ScheduleUpdate> {
    state.plan_edit(version, |s, actor| {
        s.remove_plan_task(&key, &task, version, actor, crate::now())
    })
}

/// A deployment task or rollback step started or done, now (the app's clock).
#[tauri::command]
pub fn run_step(
    state: State<'_, AppState>,
    key: String,
    step: String,
    progress: Progress,
) -> CommandResult<Schedule> {
    let now = crate::now();
    Ok(state.show(state.acting(|s, actor| s.run_step(&key, &step, progress, now, actor, now))?))
}

#[tauri::command]
pub fn abort_release(
    state: State<'_, AppState>,
    key: String,
    reason: String,
) -> CommandResult<Schedule> {
    let now = crate::now();
    Ok(state.show(state.acting(|s, actor| s.abort(&key, &reason, now, actor, now))?))
}

#[tauri::command]
pub fn update_plan_task(
    state: State<'_, AppState>,
    key: String,
    task: String,
    fields: ModelTask,
    version: i64,
) -> CommandResult<ScheduleUpdate> {
    state.plan_edit(version, |s, actor| {
        s.update_plan_task(&key, &task, &fields, version, actor, crate::now())
    })
}

#[tauri::command]
pub fn add_plan_dep(
    state: State<'_, AppState>,
    key: String,
    dep: PlanDep,
    version: i64,
) -> CommandResult<ScheduleUpdate> {
    state.plan_edit(version, |s, actor| {
        s.add_plan_dep(&key, &dep, version, actor, crate::now())
    })
}

#[tauri::command]
pub fn remove_plan_dep(
    state: State<'_, AppState>,
    key: String,
    from: String,
    to: String,
    version: i64,
) -> CommandResult<ScheduleUpdate> {
    state.plan_edit(version, |s, actor| {
        s.remove_plan_dep(&key, &from, &to, version, actor, crate::now())
    })
}

// ---- Test environments and test runs ----

#[tauri::command]
pub async fn list_environments(state: State<'_, AppState>) -> CommandResult<Vec<EnvironmentView>> {
    state.with_store(|s| s.list_environments(crate::now()))
}

#[tauri::command]
pub fn get_environment(
    state: State<'_, AppState>,
    name: String,
    release: Option<String>,
) -> CommandResult<EnvironmentView> {
    state.with_store(|s| s.environment(&name, release.as_deref(), crate::now()))
}

#[tauri::command]
pub fn create_environment(
    state: State<'_, AppState>,
    env: Environment,
) -> CommandResult<Environment> {
    state.acting(|s, actor| s.create_environment(&env, actor, crate::now()))
}

/// Records an install at `at` (default: now).
#[tauri::command]
pub fn record_install(
    state: State<'_, AppState>,
    env: String,
    ci: String,
    version: String,
    at: Option<DateTime<Utc>>,
) -> CommandResult<EnvironmentView> {
    let now = crate::now();
    state.acting(|s, actor| s.record_install(&env, &ci, &version, at.unwrap_or(now), actor, now))
}

#[tauri::command]
pub fn take_snapshot(
    state: State<'_, AppState>,
    env: String,
    snapshot: String,
    note: String,
) -> CommandResult<EnvironmentView> {
    let now = crate::now();
    state.acting(|s, actor| s.take_snapshot(&env, &snapshot, &note, now, actor, now))
}

#[tauri::command]
pub fn revert_snapshot(
    state: State<'_, AppState>,
    env: String,
    snapshot: String,
) -> CommandResult<EnvironmentView> {
    let now = crate::now();
    state.acting(|s, actor| s.revert_snapshot(&env, &snapshot, now, actor, now))
}

#[tauri::command]
pub fn exempt_snapshot(
    state: State<'_, AppState>,
    env: String,
    snapshot: String,
    reason: Option<String>,
) -> CommandResult<EnvironmentView> {
    state.acting(|s, actor| {
        s.exempt_snapshot(&env, &snapshot, reason.as_deref(), actor, crate::now())
    })
}

#[tauri::command]
pub fn book_environment(
    state: State<'_, AppState>,
    env: String,
    release: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    purpose: BookingPurpose,
) -> CommandResult<Booking> {
    state.acting(|s, actor| {
        s.book_environment(&env, &release, from, to, purpose, actor, crate::now())
    })
}

#[tauri::command]
pub fn cancel_booking(state: State<'_, AppState>, id: i64) -> CommandResult<Booking> {
    state.acting(|s, actor| s.cancel_booking(id, actor, crate::now()))
}

#[tauri::command]
pub fn list_bookings(state: State<'_, AppState>) -> CommandResult<Vec<Booking>> {
    state.with_store(|s| s.bookings(None))
}

#[tauri::command]
pub fn get_testing(state: State<'_, AppState>, key: String) -> CommandResult<TestingView> {
    state.with_store(|s| s.testing(&key, crate::now()))
}

#[tauri::command]
pub fn record_run(state: State<'_, AppState>, draft: RunDraft) -> CommandResult<JudgedRun> {
    state.acting(|s, actor| s.record_run(&draft, actor, crate::now()))
}

/// Closes a defect now, or reopens it.
#[tauri::command]
pub fn close_defect(
    state: State<'_, AppState>,
    key: String,
    defect: String,
    reopen: bool,
) -> CommandResult<Defect> {
    let now = crate::now();
    state.acting(|s, actor| s.close_defect(&key, &defect, (!reopen).then_some(now), actor, now))
}

/// Imports inventory files the window read (RVTools CSV, libvirt XML, Proxmox JSON), with
/// progress, and Cancel.
#[tauri::command]
pub async fn import_inventory(
    app: AppHandle,
    state: State<'_, AppState>,
    contents: Vec<InventoryFile>,
    date_order: Option<DateOrder>,
) -> CommandResult<InventorySummary> {
    state.long_work(&app, |s, actor, work| {
        let files: Vec<(String, String)> = contents.into_iter().map(|f| (f.name, f.text)).collect();
        let inventory = relman_core::inventory::read(&files, date_order)?;
        s.import_inventory_with(&inventory, actor, crate::now(), work)
    })
}

/// The window's Cancel: the long work running stops at its next step, writing nothing.
#[tauri::command]
pub fn cancel_work(state: State<'_, AppState>) {
    state.stop.store(true, Ordering::Relaxed);
}

#[tauri::command]
pub fn update_environment(
    state: State<'_, AppState>,
    name: String,
    env: Environment,
) -> CommandResult<EnvironmentView> {
    state.acting(|s, actor| s.update_environment(&name, &env, actor, crate::now()))
}

#[tauri::command]
pub fn get_test_policy(state: State<'_, AppState>) -> CommandResult<TestPolicy> {
    state.with_store(|s| s.test_policy())
}

#[tauri::command]
pub fn set_test_policy(
    state: State<'_, AppState>,
    policy: TestPolicy,
) -> CommandResult<TestPolicy> {
    state.acting(|s, actor| {
        s.set_test_policy(&policy, actor, crate::now())?;
        s.test_policy()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_a_command_is_an_internal_error_and_the_next_command_works() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::open(dir.path().join("relman.db"), "rita".into());
        let error = state
            .with_store(|_| -> CoreResult<()> { panic!("a bug in a command") })
            .unwrap_err();
        assert_eq!(error.0.kind, relman_core::ErrorKind::Internal);
        assert!(
            error
                .0
                .message
                .contains("Something went wrong inside Relman")
        );
        assert!(
            !error.0.message.contains("a bug"),
            "details stay in the log"
        );
        let releases = state
            .with_store(|s| s.list_releases(&ReleaseFilter::default()))
            .unwrap();
        assert!(releases.is_empty());
        state
            .with_store(|s| s.set_setting("probe", "still writable", TeamRole::Viewer))
            .unwrap();
    }
}

#[tauri::command]
pub fn set_package_type(
    state: State<'_, AppState>,
    key: String,
    package_type: relman_core::package::PackageType,
    base: Option<String>,
) -> CommandResult<Release> {
    state.acting(|s, actor| {
        s.set_package_type(&key, package_type, base.as_deref(), actor, crate::now())
    })
}

#[tauri::command]
pub fn add_package_member(
    state: State<'_, AppState>,
    key: String,
    member: String,
) -> CommandResult<Vec<relman_core::store::MemberView>> {
    state.acting(|s, actor| s.add_member(&key, &member, actor, crate::now()))
}

#[tauri::command]
pub fn remove_package_member(
    state: State<'_, AppState>,
    key: String,
    member: String,
) -> CommandResult<Vec<relman_core::store::MemberView>> {
    state.acting(|s, actor| s.remove_member(&key, &member, actor, crate::now()))
}

#[tauri::command]
pub fn set_component_dml(
    state: State<'_, AppState>,
    key: String,
    ci: String,
    dml: Option<relman_core::package::Dml>,
) -> CommandResult<Component> {
    state.acting(|s, actor| s.set_component_dml(&key, &ci, dml.as_ref(), actor, crate::now()))
}

#[tauri::command]
pub fn preview_notice(
    state: State<'_, AppState>,
    key: String,
    kind: relman_core::notice::NoticeKind,
    lang: relman_core::message::Lang,
) -> CommandResult<relman_core::notice::Notice> {
    state.acting(|s, actor| s.preview_notice(&key, kind, lang, actor, crate::now()))
}
