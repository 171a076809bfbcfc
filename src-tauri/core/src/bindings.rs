//! The TypeScript declarations of every type that crosses the IPC boundary. They are
//! committed in `ui/src/bindings/`; a test in `tests/` fails when the two drift apart.

use ts_rs::{Config, TS};

use crate::AppStatus;
use crate::after::{
    Activity, ActivityState, ElsPolicy, Incident, KpiFilter, Kpis, MonthShares, ReleaseFigures,
    StageTime,
};
use crate::approval::{Approval, Decision, Role};
use crate::cab::{
    AudienceShown, CabRelease, Evidence, Meeting, MeetingDecision, Minute, Minutes, RoomScreen,
    RoomView, WaveBar,
};
use crate::calendar::{Freeze, ServiceHours, Window};
use crate::change::{Change, ChangeDraft, ChangeKind, ChangeStatus, ChangeWindow, Ci, CiKind};
use crate::csv_import::{CsvOptions, MappingRequest};
use crate::error::{ErrorKind, ErrorReport, FieldError};
use crate::ics::Range;
use crate::inventory::{DateOrder, InventoryFile, InventorySummary};
use crate::message::{Lang, Message, Moment, Param};
use crate::notice::{Contact, Notice, NoticeKind};
use crate::package::{Component, Dml, PackageAnalysis, PackageType, Requirement, Unsatisfied};
use crate::people::{Person, Session, TeamRole};
use crate::plan::{
    Abort, AbortStep, BackoutStep, Band, CalendarRow, CalendarView, Conflict, ConflictKind,
    DeploymentModel, Milestone, ModelDep, ModelTask, PlanDep, RollbackFrom, RollbackPlan,
    RollbackStep, Schedule, ScheduleChanges, ScheduleUpdate, ScheduledTask, SlackChange, Slot,
    Strategy, Wave, WaveRollback,
};
use crate::profile::Profile;
use crate::release::{Release, ReleaseDraft, ReleaseType, Risk, Stage};
use crate::rendering::{Rendering, RenderingMode};
use crate::report::{DocumentOptions, DocumentRequest, Paper, Preview, Section};
use crate::rules::{AllRules, Area, Checklist, GuardedRule, RuleResult};
use crate::schedule::DepKind;
use crate::store::{
    ActivityView, AfterView, AuditRecord, AuditReport, Cost, ImportSummary, MemberView,
    PackageView, PlanRequest, Progress, ReleaseFilter, ReleaseUnit, RestoreChoice, Restored,
    Review, ServerForm, Workspace,
};
use crate::testing::{
    BookedEnvironment, Booking, BookingPurpose, CloneKind, Defect, DefectDraft, Drift, EnvState,
    Environment, EnvironmentView, JudgedRun, Lineage, ProblemFree, Revert, RunDraft, Severity,
    Snapshot, SnapshotView, Source, TestKind, TestPolicy, TestResult, TestRun, TestingView,
    VersionChange,
};
use crate::work::WorkProgress;

/// `(file name, contents)` for each exported type.
pub fn typescript() -> Vec<(String, String)> {
    let cfg = Config::new();
    let mut files = Vec::new();
    macro_rules! export {
        ($($t:ty),+) => {$(
            files.push((
                format!("{}.ts", <$t as TS>::ident(&cfg)),
                <$t as TS>::export_to_string(&cfg).expect("ts-rs export"),
            ));
        )+};
    }
    export!(
        AppStatus,
        ErrorKind,
        ErrorReport,
        FieldError,
        Release,
        ReleaseDraft,
        ReleaseFilter,
        ReleaseType,
        Risk,
        Stage,
        Approval,
        Decision,
        Role,
        TeamRole,
        Person,
        Session,
        Change,
        ChangeDraft,
        ChangeWindow,
        ChangeKind,
        ChangeStatus,
        Ci,
        CiKind,
        Component,
        Contact,
        Notice,
        NoticeKind,
        Dml,
        PackageType,
        PackageView,
        MemberView,
        ReleaseUnit,
        PackageAnalysis,
        Requirement,
        Unsatisfied,
        Area,
        Checklist,
        RuleResult,
        AuditRecord,
        AuditReport,
        Profile,
        Workspace,
        Window,
        Freeze,
        ServiceHours,
        DeploymentModel,
        ModelTask,
        ModelDep,
        Milestone,
        Wave,
        Strategy,
        DepKind,
        PlanDep,
        WorkProgress,
        Schedule,
        ScheduleChanges,
        ScheduleUpdate,
        ScheduledTask,
        SlackChange,
        Band,
        Conflict,
        ConflictKind,
        Slot,
        CalendarRow,
        CalendarView,
        PlanRequest,
        Progress,
        Rendering,
        RenderingMode,
        AllRules,
        GuardedRule,
        CsvOptions,
        MappingRequest,
        ImportSummary,
        BackoutStep,
        Abort,
        AbortStep,
        RollbackPlan,
        RollbackFrom,
        RollbackStep,
        DateOrder,
        InventoryFile,
        InventorySummary,
        BookedEnvironment,
        Booking,
        BookingPurpose,
        CloneKind,
        Defect,
        DefectDraft,
        Drift,
        EnvState,
        Environment,
        EnvironmentView,
        JudgedRun,
        Lineage,
        ProblemFree,
        Revert,
        RunDraft,
        Severity,
        Snapshot,
        SnapshotView,
        Source,
        TestKind,
        TestPolicy,
        TestResult,
        TestRun,
        TestingView,
        VersionChange,
        WaveRollback,
        DocumentOptions,
        DocumentRequest,
        Lang,
        Paper,
        Preview,
        Section,
        CabRelease,
        Evidence,
        Meeting,
        MeetingDecision,
        Minute,
        Minutes,
        WaveBar,
        Activity,
        ActivityState,
        ActivityView,
        AfterView,
        Cost,
        ElsPolicy,
        Incident,
        KpiFilter,
        Kpis,
        Review,
        StageTime,
        MonthShares,
        ReleaseFigures,
        Range,
        RestoreChoice,
        Restored,
        ServerForm,
        Message,
        Param,
        Moment,
        RoomScreen,
        RoomView,
        AudienceShown
    );
    files.push(("coreMessages.ts".into(), core_messages()));
    files.push(("zoneNames.ts".into(), zone_names()));
    files.sort();
    files
}

/// The core's catalogues and rendered samples, for the window's renderer (`lib/say.ts`): one
/// set of words for the window and the documents.
fn core_messages() -> String {
    use crate::message::{CATALOGUE_FILES, samples};
    let mut out = String::from(
        "// Generated from src-tauri/core/messages/*.json by `make bindings`. Do not edit.\n\n",
    );
    for (lang, text) in CATALOGUE_FILES {
        out.push_str(&format!(
            "export const {}: Record<string, string> = {};\n\n",
            lang.code(),
            text.trim_end()
        ));
    }
    let samples: Vec<serde_json::Value> = samples()
        .into_iter()
        .map(|(message, [en, de])| serde_json::json!({ "message": message, "en": en, "de": de }))
        .collect();
    out.push_str(&format!(
        "/** What Rust renders for each sample, in each language. */\nexport const samples = {};\n",
        serde_json::to_string_pretty(&samples).expect("samples serialize")
    ));
    out
}

/// The tz database's abbreviation of each zone at each offset, for the window's zone labels.
fn zone_names() -> String {
    format!(
        "// Generated from the tz database (chrono-tz) by `make bindings`. Do not edit.\n\n\
         /** Zone → UTC offset (\"+01:00\") → the tz database's abbreviation (\"CET\"). */\n\
         export const zoneNames: Record<string, Record<string, string>> = {};\n",
        serde_json::to_string(&crate::message::zone_abbreviations()).expect("names serialize")
    )
}
