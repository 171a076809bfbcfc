//! CAB mode: the meeting (who is present), the agenda of releases the board decides on, what
//! one release's screen shows, and the minutes of the decisions taken.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::approval::Approval;
use crate::change::Change;
use crate::error::{Error, FieldError, Result};
use crate::message::Message;
use crate::plan::{Band, Conflict, WaveRollback};
use crate::release::{OWNER_MAX, Release, Stage};
use crate::report::ReleaseFacts;
use crate::rules::{Area, RuleResult};
use crate::testing::{TestKind, TestResult};

/// At most this many members: a board, not a town hall.
pub const MEMBERS_MAX: usize = 30;

/// How far ahead authorized releases are shown "for information".
pub const INFORMATION_DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Meeting {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "string")]
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    #[ts(type = "string | null")]
    pub ended_at: Option<DateTime<Utc>>,
    /// The CAB members present, in the order given.
    pub members: Vec<String>,
}

/// The members as typed: trimmed, blank lines dropped, duplicates refused by name.
pub fn check_members(members: &[String]) -> Result<Vec<String>> {
    let mut clean: Vec<String> = Vec::new();
    for name in members.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
        if name.chars().count() > OWNER_MAX {
            return Err(Error::Validation(vec![FieldError::said(
                "members",
                Message::new("cab.member_too_long")
                    .with("name", name)
                    .with("max", OWNER_MAX),
            )]));
        }
        if clean.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            return Err(Error::Validation(vec![FieldError::said(
                "members",
                Message::new("cab.member_twice").with("name", name),
            )]));
        }
        clean.push(name.to_string());
    }
    if clean.is_empty() {
        return Err(Error::Validation(vec![FieldError::said(
            "members",
            Message::new("cab.no_members"),
        )]));
    }
    if clean.len() > MEMBERS_MAX {
        return Err(Error::Validation(vec![FieldError::said(
            "members",
            Message::new("cab.too_many_members").with("max", MEMBERS_MAX),
        )]));
    }
    Ok(clean)
}

/// One wave's deployment as a bar on the strip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct WaveBar {
    pub name: String,
    pub tz: String,
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    #[ts(type = "string")]
    pub end: DateTime<Utc>,
}

/// The test evidence in the few facts a board asks about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Evidence {
    pub runs: usize,
    pub counted: usize,
    pub rehearsed: bool,
    pub problem_free_days: u32,
    pub problem_free_elapsed: bool,
    #[ts(type = "string | null")]
    pub problem_free_ends: Option<DateTime<Utc>>,
    pub open_defects: Vec<String>,
}

/// Everything one release's screen shows in the meeting.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CabRelease {
    pub release: Release,
    /// Who asked for it: never offered as the one deciding.
    pub requester: String,
    /// Authorized already and deploying in the coming week: shown, not decided.
    pub for_information: bool,
    pub changes: Vec<Change>,
    #[ts(type = "string | null")]
    pub start: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub end: Option<DateTime<Utc>>,
    /// The zone the plan's first wave is read in.
    pub zone: String,
    pub waves: Vec<WaveBar>,
    pub windows: Vec<Band>,
    pub freezes: Vec<Band>,
    pub conflicts: Vec<Conflict>,
    pub rollback: Vec<WaveRollback>,
    pub evidence: Evidence,
    /// The failing rules other than the decision itself, which is what the meeting is for.
    pub blocking: Vec<RuleResult>,
    pub approvals: Vec<Approval>,
    /// The content a decision taken now would cover; the decision names it back.
    pub content_hash: String,
}

/// The failing rules of `facts` other than the CAB's own (`AUTH-*`).
pub fn blocking(facts: &ReleaseFacts) -> Vec<RuleResult> {
    facts
        .checklist
        .failing()
        .filter(|r| r.area != Area::Approvals)
        .cloned()
        .collect()
}

impl CabRelease {
    pub fn of(facts: &ReleaseFacts) -> CabRelease {
        let r = &facts.release;
        let tasks = facts
            .schedule
            .as_ref()
            .map(|s| s.tasks.as_slice())
            .unwrap_or_default();
        let waves = facts
            .schedule
            .as_ref()
            .map(|s| {
                s.waves
                    .iter()
                    .enumerate()
                    .filter_map(|(i, w)| {
                        let mine = tasks.iter().filter(|t| t.wave == i);
                        let start = mine.clone().filter_map(|t| t.start).min()?;
                        let end = mine.filter_map(|t| t.end).max()?;
                        Some(WaveBar {
                            name: w.name.clone(),
                            tz: w.tz.clone(),
                            start,
                            end,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let tv = &facts.testing;
        let evidence = Evidence {
            runs: tv.runs.len(),
            counted: tv.runs.iter().filter(|j| j.counts).count(),
            rehearsed: tv.runs.iter().any(|j| {
                j.counts
                    && j.run.kind == TestKind::RollbackRehearsal
                    && j.run.result == TestResult::Passed
            }),
            problem_free_days: tv.problem_free.days,
            problem_free_elapsed: tv.problem_free.elapsed,
            problem_free_ends: tv.problem_free.ends,
            open_defects: tv.problem_free.open_defects.clone(),
        };
        CabRelease {
            requester: r.requester.clone().unwrap_or_else(|| r.created_by.clone()),
            for_information: r.stage != Stage::AwaitingAuthorization,
            changes: facts.changes.clone(),
            start: tasks.iter().filter_map(|t| t.start).min(),
            end: tasks.iter().filter_map(|t| t.end).max(),
            zone: crate::report::home_zone(facts),
            waves,
            windows: facts
                .schedule
                .as_ref()
                .map(|s| s.windows.clone())
                .unwrap_or_default(),
            freezes: facts
                .schedule
                .as_ref()
                .map(|s| s.freezes.clone())
                .unwrap_or_default(),
            conflicts: facts
                .schedule
                .as_ref()
                .map(|s| s.conflicts.clone())
                .unwrap_or_default(),
            rollback: facts
                .rollback
                .as_ref()
                .map(|p| p.waves.clone())
                .unwrap_or_default(),
            evidence,
            blocking: blocking(facts),
            approvals: facts.approvals.clone(),
            content_hash: facts.content_hash.clone(),
            release: r.clone(),
        }
    }
}

/// Whether an authorized release deploys soon enough after `now` to be shown for information.
pub fn deploys_soon(facts: &ReleaseFacts, now: DateTime<Utc>) -> bool {
    let start = facts
        .schedule
        .as_ref()
        .and_then(|s| s.tasks.iter().filter_map(|t| t.start).min());
    start.is_some_and(|s| s >= now && s <= now + Duration::days(INFORMATION_DAYS))
}

/// One decision taken in the meeting, for the minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Minute {
    pub key: String,
    pub title: String,
    pub approval: Approval,
}

/// What the meeting decided, in the order decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Minutes {
    pub meeting: Meeting,
    pub decisions: Vec<Minute>,
}

/// What the room asks to record: the release as it was on screen, the member deciding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, TS)]
pub struct MeetingDecision {
    #[ts(type = "number")]
    pub meeting: i64,
    pub release: String,
    pub decision: crate::approval::Decision,
    pub comment: String,
    pub decider: String,
    /// The content hash shown on screen: a release edited since is not decided blind.
    pub content_hash: String,
}

text_enum!(
    /// Which of the room's screens is shown.
    RoomScreen {
        Agenda = "agenda",
        Release = "release",
        Minutes = "minutes",
    }
);

/// What the CAB room sees on the projector. The presenter's window sends it at every step;
/// the shell keeps the last one and shows it in the audience window, whole, whenever that
/// window (re)opens. The agenda and minutes are passed through as the presenter holds them
/// (frozen when the meeting started), not read again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RoomView {
    pub screen: RoomScreen,
    pub index: u32,
    pub members: Vec<String>,
    #[ts(type = "Array<import(\"./CabRelease\").CabRelease>")]
    pub agenda: serde_json::Value,
    #[ts(type = "import(\"./Minutes\").Minutes | null")]
    pub minutes: serde_json::Value,
    pub lang: crate::message::Lang,
}

/// Where the audience window went: on which monitor, or why it did not open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AudienceShown {
    pub shown: bool,
    /// The monitor's name, when the system gives one.
    pub monitor: Option<String>,
}
