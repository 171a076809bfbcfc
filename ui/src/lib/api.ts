// The IPC seam: the only module that talks to the Rust side. Everything else imports these
// typed functions; the types come from ../bindings, generated from the Rust structs.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { ServerForm } from "../bindings/ServerForm";
import type { AllRules } from "../bindings/AllRules";
import type { Approval } from "../bindings/Approval";
import type { AppStatus } from "../bindings/AppStatus";
import type { Change } from "../bindings/Change";
import type { ChangeDraft } from "../bindings/ChangeDraft";
import type { ChangeStatus } from "../bindings/ChangeStatus";
import type { Ci } from "../bindings/Ci";
import type { Component } from "../bindings/Component";
import type { CsvOptions } from "../bindings/CsvOptions";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { MappingRequest } from "../bindings/MappingRequest";
import type { WorkProgress } from "../bindings/WorkProgress";
import type { Decision } from "../bindings/Decision";
import type { Profile } from "../bindings/Profile";
import type { Person } from "../bindings/Person";
import type { TeamRole } from "../bindings/TeamRole";
import type { Workspace } from "../bindings/Workspace";
import type { ErrorKind } from "../bindings/ErrorKind";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { Release } from "../bindings/Release";
import type { ReleaseDraft } from "../bindings/ReleaseDraft";
import type { ReleaseFilter } from "../bindings/ReleaseFilter";
import type { Dml } from "../bindings/Dml";
import type { Lang } from "../bindings/Lang";
import type { MemberView } from "../bindings/MemberView";
import type { Notice } from "../bindings/Notice";
import type { NoticeKind } from "../bindings/NoticeKind";
import type { PackageType } from "../bindings/PackageType";
import type { CalendarView } from "../bindings/CalendarView";
import type { DeploymentModel } from "../bindings/DeploymentModel";
import type { Freeze } from "../bindings/Freeze";
import type { ModelTask } from "../bindings/ModelTask";
import type { PlanDep } from "../bindings/PlanDep";
import type { RollbackFrom } from "../bindings/RollbackFrom";
import type { RollbackPlan } from "../bindings/RollbackPlan";
import type { PlanRequest } from "../bindings/PlanRequest";
import type { Progress } from "../bindings/Progress";
import type { RenderingMode } from "../bindings/RenderingMode";
import type { Schedule } from "../bindings/Schedule";
import type { ScheduleUpdate } from "../bindings/ScheduleUpdate";
import type { ScheduledTask } from "../bindings/ScheduledTask";
import type { Slot } from "../bindings/Slot";
import type { Window } from "../bindings/Window";
import type { Booking } from "../bindings/Booking";
import type { BookingPurpose } from "../bindings/BookingPurpose";
import type { DateOrder } from "../bindings/DateOrder";
import type { Defect } from "../bindings/Defect";
import type { Environment } from "../bindings/Environment";
import type { EnvironmentView } from "../bindings/EnvironmentView";
import type { InventoryFile } from "../bindings/InventoryFile";
import type { InventorySummary } from "../bindings/InventorySummary";
import type { JudgedRun } from "../bindings/JudgedRun";
import type { RunDraft } from "../bindings/RunDraft";
import type { TestingView } from "../bindings/TestingView";
import type { TestPolicy } from "../bindings/TestPolicy";
import type { DocumentOptions } from "../bindings/DocumentOptions";
import type { DocumentRequest } from "../bindings/DocumentRequest";
import type { Preview } from "../bindings/Preview";
import type { CabRelease } from "../bindings/CabRelease";
import type { Meeting } from "../bindings/Meeting";
import type { MeetingDecision } from "../bindings/MeetingDecision";
import type { Minutes } from "../bindings/Minutes";
import type { Activity } from "../bindings/Activity";
import type { ActivityState } from "../bindings/ActivityState";
import type { ActivityView } from "../bindings/ActivityView";
import type { AfterView } from "../bindings/AfterView";
import type { Cost } from "../bindings/Cost";
import type { ElsPolicy } from "../bindings/ElsPolicy";
import type { Incident } from "../bindings/Incident";
import type { KpiFilter } from "../bindings/KpiFilter";
import type { Kpis } from "../bindings/Kpis";
import type { Review } from "../bindings/Review";
import type { CalendarRange } from "../bindings/CalendarRange";
import type { RestoreChoice } from "../bindings/RestoreChoice";
import type { Restored } from "../bindings/Restored";
import type { AudienceShown } from "../bindings/AudienceShown";
import type { Message } from "../bindings/Message";
import type { RoomView } from "../bindings/RoomView";
import { say } from "./say";

/** A refusal or failure from the core, with the fields at fault. */
export class ApiError extends Error {
  readonly report: ErrorReport;

  constructor(report: ErrorReport) {
    super(say(report.says));
    this.name = "ApiError";
    // Each field's message in the reader's language, where the core sent it as a message.
    this.report = { ...report, fields: report.fields.map((f) => (f.says ? { ...f, message: say(f.says) } : f)) };
  }

  /** field name → message, for showing each next to its input. */
  fieldMessages(): Record<string, string> {
    return Object.fromEntries(this.report.fields.map((f) => [f.field, f.message]));
  }
}

/** What to tell the user about a failed call: the core's message, or a generic sentence. */
export function errorMessage(error: unknown, generic: string): string {
  return error instanceof ApiError ? error.message : generic;
}

// Every kind the core sends: a record over ErrorKind, so a new kind fails to compile until it
// is listed here (an unknown kind would show as "[object Object]").
const KIND_NAMES: Record<ErrorKind, true> = {
  validation: true,
  not_found: true,
  conflict: true,
  rule: true,
  forbidden: true,
  cancelled: true,
  storage: true,
  internal: true,
};
const KINDS = new Set(Object.keys(KIND_NAMES));

/** Whatever `invoke` rejected with, as an ErrorReport. */
export function toErrorReport(error: unknown): ErrorReport {
  if (typeof error === "object" && error !== null) {
    const { kind, message, says, fields, rules } = error as Record<string, unknown>;
    if (typeof kind === "string" && KINDS.has(kind) && typeof message === "string") {
      return {
        kind: kind as ErrorReport["kind"],
        message,
        says: isMessage(says) ? says : asWritten(message),
        fields: Array.isArray(fields) ? (fields as ErrorReport["fields"]) : [],
        rules: Array.isArray(rules) ? (rules as ErrorReport["rules"]) : [],
      };
    }
  }
  const said = typeof error === "object" && error !== null ? (error as Record<string, unknown>).message : undefined;
  const message = typeof said === "string" ? said : String(error);
  return { kind: "internal", message, says: asWritten(message), fields: [], rules: [] };
}

/** A sentence that did not come with a key (from outside the core), shown as it is. */
export function asWritten(text: string): Message {
  return { key: "error.as_written", params: { text: { text } } };
}

function isMessage(value: unknown): value is Message {
  return typeof value === "object" && value !== null && typeof (value as Message).key === "string" && typeof (value as Message).params === "object";
}

declare global {
  interface Window {
    /** Set by `make bench-edit`: every call with when it started and ended, to say where an
     * edit's time goes. */
    __relmanCalls?: { command: string; start: number; end: number }[];
  }
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const start = performance.now();
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw new ApiError(toErrorReport(error));
  } finally {
    window.__relmanCalls?.push({ command, start, end: performance.now() });
  }
}

/** Calls `callback` whenever data changed outside the window: an import from the File menu,
 * or another process (the CLI, a nightly script) writing to the same database. */
export function onDataChanged(callback: () => void): Promise<() => void> {
  return listen("relman://data-changed", callback);
}

/** Calls `callback` when File ▸ Import picked a CSV file whose statuses must be mapped first. */
export function onImportMapping(callback: (request: MappingRequest) => void): Promise<() => void> {
  return listen<MappingRequest>("relman://import-mapping", (event) => callback(event.payload));
}

/** Calls `callback` with long work's progress (an import), ten times a second at most. */
export function onProgress(callback: (progress: WorkProgress) => void): Promise<() => void> {
  return listen<WorkProgress>("relman://progress", (event) => callback(event.payload));
}

/** Calls `callback` when long work ended: done, refused or cancelled. */
export function onWorkDone(callback: () => void): Promise<() => void> {
  return listen("relman://work-done", callback);
}

/** The File menu items the window carries out (see `menu.rs`). */
export type MenuAction = "new" | "open" | "connect" | "backup" | "restore" | "export-calendar";

/** Calls `callback` when one of those File menu items is chosen. */
export function onMenuAction(callback: (action: MenuAction) => void): Promise<() => void> {
  return listen<MenuAction>("relman://menu", (event) => callback(event.payload));
}

/** A scheduled task's fields that cross IPC only when they differ from these (see
 * `plan/layout.rs`: a 100,000-task schedule is half the bytes). */
const TASK_DEFAULTS = {
  team: null,
  downtime: false,
  milestone: null,
  target: null,
  nothing_to_undo: null,
  point_of_no_return: false,
  pinned: false,
  start: null,
  end: null,
  slack_minutes: null,
  critical: false,
  unplaced: null,
  baseline_start: null,
  baseline_end: null,
  actual_start: null,
  actual_end: null,
  variance_minutes: null,
} satisfies Omit<ScheduledTask, "key" | "wave" | "name" | "minutes" | "backout" | "cis">;

/** Puts back the fields a task left out, so the window sees whole `ScheduledTask`s. */
function wholeTasks(tasks: ScheduledTask[]) {
  tasks.forEach((task, i) => {
    tasks[i] = { ...TASK_DEFAULTS, ...task, backout: task.backout ?? [], cis: task.cis ?? [] };
  });
}

export function wholeSchedule(schedule: Schedule): Schedule {
  wholeTasks(schedule.tasks);
  return schedule;
}

export function wholeUpdate(update: ScheduleUpdate): ScheduleUpdate {
  wholeTasks("whole" in update ? update.whole.tasks : update.changes.tasks);
  return update;
}

export const api = {
  appStatus: () => call<AppStatus>("app_status"),
  exportCalendar: (range: CalendarRange) => call<string | null>("export_calendar", { range }),
  backupDatabase: () => call<string | null>("backup_database"),
  chooseRestore: () => call<RestoreChoice | null>("choose_restore"),
  restoreDatabase: () => call<Restored>("restore_database"),
  openDatabase: () => call<string | null>("open_database"),
  newDatabase: () => call<string | null>("new_database"),
  openRecent: (index: number) => call<string | null>("open_recent", { index }),
  connectTeamDatabase: (form: ServerForm) => call<string | null>("connect_team_database", { form }),
  listReleases: (filter: ReleaseFilter) => call<Release[]>("list_releases", { filter }),
  getRelease: (key: string) => call<Release>("get_release", { key }),
  createRelease: (draft: ReleaseDraft) => call<Release>("create_release", { draft }),
  updateRelease: (key: string, expectedVersion: number, draft: ReleaseDraft) =>
    call<Release>("update_release", { key, expectedVersion, draft }),
  deleteRelease: (key: string) => call<null>("delete_release", { key }),
  restoreRelease: (key: string) => call<Release>("restore_release", { key }),
  loadDemoData: () => call<Release[]>("load_demo_data"),
  releaseWorkspace: (key: string) => call<Workspace>("release_workspace", { key }),
  addChangeToRelease: (key: string, change: string) => call<null>("add_change_to_release", { key, change }),
  removeChangeFromRelease: (key: string, change: string) =>
    call<null>("remove_change_from_release", { key, change }),
  addComponent: (key: string, ci: string, toVersion: string | null, requires: string[]) =>
    call<Component>("add_component", { key, ci, toVersion, requires }),
  setPackageType: (key: string, packageType: PackageType, base: string | null) =>
    call<Release>("set_package_type", { key, packageType, base }),
  addPackageMember: (key: string, member: string) => call<MemberView[]>("add_package_member", { key, member }),
  removePackageMember: (key: string, member: string) => call<MemberView[]>("remove_package_member", { key, member }),
  setComponentDml: (key: string, ci: string, dml: Dml | null) => call<Component>("set_component_dml", { key, ci, dml }),
  previewNotice: (key: string, kind: NoticeKind, lang: Lang) => call<Notice>("preview_notice", { key, kind, lang }),
  /** The path written, or null when the user cancelled the save dialog. */
  writeNotice: (key: string, kind: NoticeKind, lang: Lang) => call<string | null>("write_notice", { key, kind, lang }),
  /** The path written, or null when the user cancelled the save dialog. */
  exportPlanMspdi: (key: string) => call<string | null>("export_plan_mspdi", { key }),
  advanceRelease: (key: string) => call<Release>("advance_release", { key }),
  sendBackRelease: (key: string) => call<Release>("send_back_release", { key }),
  cancelRelease: (key: string) => call<Release>("cancel_release", { key }),
  decideRelease: (key: string, decision: Decision, comment: string) =>
    call<Approval>("decide_release", { key, decision, comment }),
  cabAgenda: (information: boolean) => call<CabRelease[]>("cab_agenda", { information }),
  lastCabMembers: () => call<string[]>("last_cab_members"),
  startMeeting: (members: string[]) => call<Meeting>("start_meeting", { members }),
  decideInMeeting: (decision: MeetingDecision) => call<Approval>("decide_in_meeting", { decision }),
  endMeeting: (id: number) => call<Minutes>("end_meeting", { id }),
  setFullscreen: (on: boolean) => call<null>("set_fullscreen", { on }),
  openAudience: () => call<AudienceShown>("open_audience"),
  showRoom: (view: RoomView) => call<null>("show_room", { view }),
  closeAudience: () => call<null>("close_audience"),
  afterDeployment: (key: string) => call<AfterView>("after_deployment", { key }),
  addIncident: (key: string, incident: Incident) => call<Incident>("add_incident", { key, incident }),
  setActivity: (key: string, activity: Activity, done: ActivityState, note: string) =>
    call<ActivityView>("set_activity", { key, activity, done, note }),
  addCost: (key: string, amount: string, currency: string, note: string) =>
    call<Cost>("add_cost", { key, amount, currency, note }),
  recordReview: (key: string, satisfaction: number, comment: string, lessons: string) =>
    call<Review>("record_review", { key, satisfaction, comment, lessons }),
  kpis: (filter: KpiFilter) => call<Kpis>("kpis", { filter }),
  elsPolicy: () => call<ElsPolicy>("els_policy"),
  setElsPolicy: (policy: ElsPolicy) => call<ElsPolicy>("set_els_policy", { policy }),
  listChanges: (status: ChangeStatus | null) => call<Change[]>("list_changes", { status }),
  createChange: (draft: ChangeDraft) => call<Change>("create_change", { draft }),
  authorizeChange: (key: string) => call<Change>("authorize_change", { key }),
  listCis: () => call<Ci[]>("list_cis"),
  createCi: (ci: Ci) => call<Ci>("create_ci", { ci }),
  updateCi: (name: string, ci: Ci) => call<Ci>("update_ci", { name, ci }),
  updateChange: (key: string, draft: ChangeDraft) => call<Change>("update_change", { key, draft }),
  getProfile: () => call<Profile | null>("get_profile"),
  listPeople: () => call<Person[]>("list_people"),
  grantRole: (login: string, role: TeamRole) => call<Person>("grant_role", { login, role }),
  revokeRole: (login: string, role: TeamRole) => call<Person>("revoke_role", { login, role }),
  setProfile: (profile: Profile) => call<Profile>("set_profile", { profile }),
  getSchedule: (key: string) => call<Schedule>("get_schedule", { key }).then(wholeSchedule),
  calendarView: () => call<CalendarView>("calendar_view"),
  listModels: () => call<DeploymentModel[]>("list_models"),
  listWindows: () => call<Window[]>("list_windows"),
  createWindow: (window: Window) => call<Window>("create_window", { window }),
  deleteWindow: (name: string) => call<null>("delete_window", { name }),
  listFreezes: () => call<Freeze[]>("list_freezes"),
  createFreeze: (freeze: Freeze) => call<Freeze>("create_freeze", { freeze }),
  deleteFreeze: (name: string) => call<Freeze>("delete_freeze", { name }),
  instantiatePlan: (key: string, request: PlanRequest) => call<Schedule>("instantiate_plan", { key, request }).then(wholeSchedule),
  /** Pins a task to `start` (ISO), or unpins it with null. */
  moveTask: (key: string, task: string, start: string | null, version: number) =>
    call<ScheduleUpdate>("move_task", { key, task, start, version }).then(wholeUpdate),
  resizeTask: (key: string, task: string, minutes: number, version: number) =>
    call<ScheduleUpdate>("resize_task", { key, task, minutes, version }).then(wholeUpdate),
  saveBaseline: (key: string) => call<Schedule>("save_baseline", { key }).then(wholeSchedule),
  recordProgress: (key: string, task: string, progress: Progress) =>
    call<Schedule>("record_progress", { key, task, progress }).then(wholeSchedule),
  findSlots: (key: string, weeks: number) => call<Slot[]>("find_slots", { key, weeks }),
  pickSlot: (key: string, start: string, version: number) => call<Schedule>("pick_slot", { key, start, version }).then(wholeSchedule),
  setRendering: (mode: RenderingMode) => call<null>("set_rendering", { mode }),
  checkAllRules: (key: string) => call<AllRules>("check_all_rules", { key }),
  removeComponent: (key: string, ci: string) => call<Component>("remove_component", { key, ci }),
  updateComponent: (key: string, ci: string, toVersion: string | null, requires: string[]) =>
    call<Component>("update_component", { key, ci, toVersion, requires }),
  deleteChange: (key: string) => call<Change>("delete_change", { key }),
  restoreChange: (key: string) => call<Change>("restore_change", { key }),
  deleteCi: (name: string) => call<Ci>("delete_ci", { name }),
  restoreCi: (name: string) => call<Ci>("restore_ci", { name }),
  importPendingCsv: (options: CsvOptions) => call<ImportSummary>("import_pending_csv", { options }),
  cancelPendingImport: () => call<null>("cancel_pending_import"),
  createModel: (model: DeploymentModel) => call<DeploymentModel>("create_model", { model }),
  updateModel: (name: string, model: DeploymentModel) => call<DeploymentModel>("update_model", { name, model }),
  deleteModel: (name: string) => call<DeploymentModel>("delete_model", { name }),
  getRollback: (key: string) => call<RollbackPlan>("get_rollback", { key }),
  rollbackFromTask: (key: string, task: string) => call<RollbackFrom>("rollback_from_task", { key, task }),
  /** Adds a task to one wave (0-based) or, with null, to every wave. */
  addPlanTask: (key: string, task: ModelTask, wave: number | null, after: string[], version: number) =>
    call<ScheduleUpdate>("add_plan_task", { key, task, wave, after, version }).then(wholeUpdate),
  removePlanTask: (key: string, task: string, version: number) =>
    call<ScheduleUpdate>("remove_plan_task", { key, task, version }).then(wholeUpdate),
  updatePlanTask: (key: string, task: string, fields: ModelTask, version: number) =>
    call<ScheduleUpdate>("update_plan_task", { key, task, fields, version }).then(wholeUpdate),
  addPlanDep: (key: string, dep: PlanDep, version: number) => call<ScheduleUpdate>("add_plan_dep", { key, dep, version }).then(wholeUpdate),
  removePlanDep: (key: string, from: string, to: string, version: number) =>
    call<ScheduleUpdate>("remove_plan_dep", { key, from, to, version }).then(wholeUpdate),
  runStep: (key: string, step: string, progress: Progress) => call<Schedule>("run_step", { key, step, progress }).then(wholeSchedule),
  abortRelease: (key: string, reason: string) => call<Schedule>("abort_release", { key, reason }).then(wholeSchedule),
  listEnvironments: () => call<EnvironmentView[]>("list_environments"),
  /** Drift against `release`'s targets, or production's versions with null. */
  getEnvironment: (name: string, release: string | null) => call<EnvironmentView>("get_environment", { name, release }),
  createEnvironment: (env: Environment) => call<Environment>("create_environment", { env }),
  /** Records an install at `at` (ISO), or now with null. */
  recordInstall: (env: string, ci: string, version: string, at: string | null) =>
    call<EnvironmentView>("record_install", { env, ci, version, at }),
  takeSnapshot: (env: string, snapshot: string, note: string) => call<EnvironmentView>("take_snapshot", { env, snapshot, note }),
  revertSnapshot: (env: string, snapshot: string) => call<EnvironmentView>("revert_snapshot", { env, snapshot }),
  /** Exempts a baseline snapshot from the age limit; null lifts the exemption. */
  exemptSnapshot: (env: string, snapshot: string, reason: string | null) =>
    call<EnvironmentView>("exempt_snapshot", { env, snapshot, reason }),
  bookEnvironment: (env: string, release: string, from: string, to: string, purpose: BookingPurpose) =>
    call<Booking>("book_environment", { env, release, from, to, purpose }),
  cancelBooking: (id: number) => call<Booking>("cancel_booking", { id }),
  listBookings: () => call<Booking[]>("list_bookings"),
  getTesting: (key: string) => call<TestingView>("get_testing", { key }),
  recordRun: (draft: RunDraft) => call<JudgedRun>("record_run", { draft }),
  closeDefect: (key: string, defect: string, reopen: boolean) => call<Defect>("close_defect", { key, defect, reopen }),
  /** Saves an environment edited by hand; `name` is the one it had. */
  updateEnvironment: (name: string, env: Environment) => call<EnvironmentView>("update_environment", { name, env }),
  getTestPolicy: () => call<TestPolicy>("get_test_policy"),
  setTestPolicy: (policy: TestPolicy) => call<TestPolicy>("set_test_policy", { policy }),
  documentOptions: () => call<DocumentOptions>("document_options"),
  previewDocument: (request: DocumentRequest) => call<Preview>("preview_document", { request }),
  /** The path written, or null when the user cancelled the save dialog. */
  saveDocument: (request: DocumentRequest) => call<string | null>("save_document", { request }),
  printDocument: (request: DocumentRequest) => call<string>("print_document", { request }),
  importInventory: (contents: InventoryFile[], dateOrder: DateOrder | null) =>
    call<InventorySummary>("import_inventory", { contents, dateOrder }),
  cancelWork: () => call<void>("cancel_work"),
};
