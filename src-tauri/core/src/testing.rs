//! Test environments and test runs: the VMs a release is tested on (their lineage from
//! production, installed versions, snapshots, bookings) and the runs that may count as evidence
//! for the CAB. Pure: the store gathers the facts, these functions judge them, "now" is passed in.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::calendar::local_time;
use crate::error::{FieldError, Result};
use crate::message::{Message, Param, time, word};
use crate::plan::Schedule;
use crate::release::ReleaseType;

text_enum!(EnvState {
    Running = "running",
    Stopped = "stopped",
    Retired = "retired",
});

text_enum!(CloneKind {
    Clone = "clone",
    P2v = "p2v",
});

text_enum!(BookingPurpose {
    CodeChange = "code_change",
    ConfigChange = "config_change",
    Regression = "regression",
});

text_enum!(TestKind {
    Functional = "functional",
    Integration = "integration",
    Performance = "performance",
    Acceptance = "acceptance",
    RollbackRehearsal = "rollback_rehearsal",
    Installation = "installation",
});

text_enum!(TestResult {
    Passed = "passed",
    Failed = "failed",
    Blocked = "blocked",
});

text_enum!(Severity {
    Critical = "critical",
    High = "high",
    Medium = "medium",
    Low = "low",
});

/// Installed versions: CI name to version.
pub type Versions = BTreeMap<String, String>;

/// Where an environment came from: the production CI it was cloned (or P2V-converted) from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Lineage {
    pub ci: String,
    pub kind: CloneKind,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
}

/// An environment's identity in the inventory it was imported from, so a second import updates
/// it instead of adding a duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Source {
    /// `rvtools`, `libvirt` or `proxmox`.
    pub kind: String,
    /// VM UUID + vCenter UUID, libvirt UUID, or Proxmox cluster/vmid.
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Environment {
    pub name: String,
    /// test, staging, training, ...
    pub purpose: String,
    pub host: Option<String>,
    pub os: Option<String>,
    pub cpus: Option<u32>,
    #[ts(type = "number | null")]
    pub memory_mb: Option<u64>,
    #[ts(type = "number | null")]
    pub disk_mb: Option<u64>,
    pub state: EnvState,
    pub owner: Option<String>,
    /// How many bookings may overlap; 1 means exclusive.
    pub capacity: u32,
    pub lineage: Option<Lineage>,
    pub source: Option<Source>,
}

impl Environment {
    pub fn new(name: &str) -> Environment {
        Environment {
            name: name.to_string(),
            purpose: "test".into(),
            host: None,
            os: None,
            cpus: None,
            memory_mb: None,
            disk_mb: None,
            state: EnvState::Running,
            owner: None,
            capacity: 1,
            lineage: None,
            source: None,
        }
    }

    pub fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(FieldError::said("name", Message::new("env.name_needed")));
        }
        if self.name.len() > 120 {
            errors.push(FieldError::said("name", crate::release::too_long(120)));
        }
        if self.capacity == 0 {
            errors.push(FieldError::said("capacity", Message::new("env.capacity")));
        }
        if self.purpose.trim().is_empty() {
            errors.push(FieldError::said("purpose", Message::new("env.purpose")));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(crate::Error::Validation(errors))
        }
    }
}

/// A change of installed version: an install, or one CI set back by a snapshot revert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct VersionChange {
    pub ci: String,
    /// `None`: the CI was removed (a revert to a snapshot that did not hold it).
    pub version: Option<String>,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// The snapshot reverted to; `None` for an install.
    pub revert_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Snapshot {
    pub name: String,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub versions: Versions,
    pub note: String,
    /// Why this snapshot may grow old (a baseline), and who said so; `None`: the age limit applies.
    pub exempt: Option<String>,
}

impl Snapshot {
    pub fn age_hours(&self, now: DateTime<Utc>) -> i64 {
        (now - self.at).num_hours()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Booking {
    #[ts(type = "number")]
    pub id: i64,
    pub env: String,
    pub release: String,
    #[ts(type = "string")]
    pub from: DateTime<Utc>,
    #[ts(type = "string")]
    pub to: DateTime<Utc>,
    pub purpose: BookingPurpose,
    pub by: String,
}

impl Booking {
    /// Half-open intervals: a booking ending at 12:00 and one starting at 12:00 do not overlap.
    pub fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.from < to && from < self.to
    }

    pub fn covers(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.from <= from && to <= self.to
    }

    /// Code and config changes need the environment alone.
    pub fn exclusive(&self) -> bool {
        self.purpose != BookingPurpose::Regression
    }

    pub fn describe(&self) -> String {
        format!(
            "booking #{} of {} for {} ({} – {})",
            self.id,
            self.env,
            self.release,
            local_time(self.from, "UTC"),
            local_time(self.to, "UTC")
        )
    }
}

/// Whether a new booking fits beside those already made on the environment: refused when it
/// would be shared with an exclusive one, or exceed the capacity at any moment.
pub fn booking_conflict(
    existing: &[Booking],
    capacity: u32,
    new: &Booking,
) -> std::result::Result<(), String> {
    let overlapping: Vec<&Booking> = existing
        .iter()
        .filter(|b| b.id != new.id && b.overlaps(new.from, new.to))
        .collect();
    if let Some(first) = overlapping.first()
        && (new.exclusive() || overlapping.iter().any(|b| b.exclusive()))
    {
        let why = if new.exclusive() {
            format!("a {} needs the environment alone", new.purpose)
        } else {
            "that booking needs the environment alone".to_string()
        };
        return Err(format!("{} overlaps {}; {why}", new.env, first.describe()));
    }
    // The most bookings at once: count at each start inside the new interval.
    let mut starts: Vec<DateTime<Utc>> = overlapping.iter().map(|b| b.from.max(new.from)).collect();
    starts.push(new.from);
    for at in starts {
        let at_once = 1 + overlapping
            .iter()
            .filter(|b| b.from <= at && at < b.to)
            .count();
        if at_once > capacity as usize {
            let others: Vec<String> = overlapping
                .iter()
                .filter(|b| b.from <= at && at < b.to)
                .map(|b| b.describe())
                .collect();
            return Err(format!(
                "{} takes {capacity} booking(s) at a time; at {} it already has {}",
                new.env,
                local_time(at, "UTC"),
                others.join(", ")
            ));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Defect {
    pub id: String,
    pub severity: Severity,
    #[ts(type = "string")]
    pub opened_at: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TestRun {
    #[ts(type = "number")]
    pub id: i64,
    pub release: String,
    pub env: String,
    pub kind: TestKind,
    pub result: TestResult,
    #[ts(type = "string")]
    pub from: DateTime<Utc>,
    #[ts(type = "string")]
    pub to: DateTime<Utc>,
    pub defects: Vec<Defect>,
    pub notes: String,
    pub evidence: Option<String>,
    /// What was installed on the environment when the run started; never changes.
    pub versions: Versions,
    /// For a rollback rehearsal: the rollback plan it rehearsed (see [`rollback_fingerprint`]).
    pub rollback: Option<String>,
    pub by: String,
}

/// What a run needs beside itself to decide whether it counts.
pub struct RunContext<'a> {
    pub bookings: &'a [Booking],
    /// Installs and reverts on the run's environment.
    pub changes: &'a [VersionChange],
    pub reverts: &'a [Revert],
    pub snapshots: &'a [Snapshot],
    pub lineage: Option<&'a Lineage>,
    /// What each CI should be at for this release.
    pub expected: &'a Versions,
    pub policy: &'a TestPolicy,
}

/// Why a run does not count as evidence; empty when it counts.
pub fn why_not_counted(run: &TestRun, cx: &RunContext) -> Vec<Message> {
    let mut why = Vec::new();
    if !cx
        .bookings
        .iter()
        .any(|b| b.env == run.env && b.release == run.release && b.covers(run.from, run.to))
    {
        why.push(
            Message::new("run.not_booked")
                .with("env", &run.env)
                .with("release", &run.release),
        );
    }
    for d in drift(&run.versions, cx.expected) {
        why.push(Message::new("run.drift").with("drift", d.says()));
    }
    if let Some(lineage) = cx.lineage
        && let Some(stale) = stale_clone(lineage, run.from, cx.policy)
    {
        why.push(Message::new("run.when_started").with("what", stale));
    }
    for c in cx
        .changes
        .iter()
        .filter(|c| c.revert_to.is_none() && run.from < c.at && c.at < run.to)
    {
        why.push(match &c.version {
            Some(version) => Message::new("run.installed_during")
                .with("ci", &c.ci)
                .with("version", version)
                .with("at", time(c.at, "UTC")),
            None => Message::new("run.removed_during")
                .with("ci", &c.ci)
                .with("at", time(c.at, "UTC")),
        });
    }
    for r in cx
        .reverts
        .iter()
        .filter(|r| run.from < r.at && r.at < run.to)
    {
        why.push(
            Message::new("run.reverted_during")
                .with("snapshot", &r.snapshot)
                .with("at", time(r.at, "UTC")),
        );
    }
    for s in cx
        .snapshots
        .iter()
        .filter(|s| s.at <= run.from && s.exempt.is_none())
    {
        let age = s.age_hours(run.from);
        if age >= i64::from(cx.policy.snapshot_age_hours) {
            why.push(
                Message::new("run.old_snapshot")
                    .with("snapshot", &s.name)
                    .with("hours", age)
                    .with("limit", cx.policy.snapshot_age_hours),
            );
        }
    }
    why
}

/// A CI whose installed version is not what it should be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Drift {
    pub ci: String,
    pub installed: Option<String>,
    pub expected: Option<String>,
}

impl Drift {
    pub fn says(&self) -> Message {
        let version = |v: &Option<String>, none: &str| match v {
            Some(v) => Param::Text(v.clone()),
            None => word(none),
        };
        Message::new("drift.differs")
            .with("ci", &self.ci)
            .with("installed", version(&self.installed, "drift.not_installed"))
            .with("expected", version(&self.expected, "drift.absent"))
    }

    pub fn describe(&self) -> String {
        format!(
            "{} is {} but should be {}",
            self.ci,
            self.installed.as_deref().unwrap_or("not installed"),
            self.expected.as_deref().unwrap_or("absent")
        )
    }
}

/// Every CI installed or expected whose version differs. A CI the environment has that nothing
/// expects (not in the CMDB) is not drift.
pub fn drift(installed: &Versions, expected: &Versions) -> Vec<Drift> {
    let mut out = Vec::new();
    for (ci, want) in expected {
        let have = installed.get(ci);
        if have != Some(want) {
            out.push(Drift {
                ci: ci.clone(),
                installed: have.cloned(),
                expected: Some(want.clone()),
            });
        }
    }
    out
}

/// What each CI should be at on an environment tested for a release: the release's target for
/// the CIs in its package, production's version for the rest of what is installed.
pub fn expected_versions(
    installed: &Versions,
    targets: &Versions,
    production: &BTreeMap<String, Option<String>>,
) -> Versions {
    let mut out: Versions = installed
        .keys()
        .filter_map(|ci| {
            production
                .get(ci)
                .cloned()
                .flatten()
                .map(|v| (ci.clone(), v))
        })
        .collect();
    out.extend(targets.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

/// "its clone of X is 120 days old (limit 90)" when the clone is older than the policy allows.
pub fn stale_clone(lineage: &Lineage, at: DateTime<Utc>, policy: &TestPolicy) -> Option<Message> {
    let days = (at - lineage.at).num_days();
    (days >= i64::from(policy.clone_age_days)).then(|| {
        Message::new("env.stale_clone")
            .with("ci", &lineage.ci)
            .with("days", days)
            .with("limit", policy.clone_age_days)
    })
}

/// The versions installed at `at`, from the changes before it (oldest first).
pub fn versions_at(changes: &[VersionChange], at: DateTime<Utc>) -> Versions {
    let mut out = Versions::new();
    for c in changes.iter().filter(|c| c.at <= at) {
        match &c.version {
            Some(v) => out.insert(c.ci.clone(), v.clone()),
            None => out.remove(&c.ci),
        };
    }
    out
}

/// The rollback plan as a rehearsal sees it: which task is undone by which steps. Times are left
/// out, so moving the plan does not make a rehearsal stale; changing how a task is undone does.
pub fn rollback_fingerprint(schedule: &Schedule) -> String {
    let mut hasher = Sha256::new();
    for task in &schedule.tasks {
        hasher.update(task.key.as_bytes());
        for step in &task.backout {
            hasher.update(format!("|{}={}", step.name, step.minutes).as_bytes());
        }
        hasher.update(format!(
            "|{:?}|{}\n",
            task.nothing_to_undo, task.point_of_no_return
        ));
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The site's testing policy: which kinds of test each release type needs, how long it must be
/// problem-free, and the age limits of snapshots and clones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TestPolicy {
    pub required: BTreeMap<ReleaseType, Vec<TestKind>>,
    pub problem_free_days: BTreeMap<ReleaseType, u32>,
    pub snapshot_age_hours: u32,
    pub snapshot_chain: u32,
    pub clone_age_days: u32,
}

impl Default for TestPolicy {
    fn default() -> Self {
        use TestKind::*;
        TestPolicy {
            required: BTreeMap::from([
                (
                    ReleaseType::Major,
                    vec![Functional, Integration, Acceptance, Installation],
                ),
                (ReleaseType::Minor, vec![Functional, Installation]),
                (ReleaseType::Emergency, vec![Installation]),
            ]),
            problem_free_days: BTreeMap::from([
                (ReleaseType::Major, 7),
                (ReleaseType::Minor, 3),
                (ReleaseType::Emergency, 0),
            ]),
            // VMware advises 24-72 h and no more than 32 in a chain (2-3 for performance).
            snapshot_age_hours: 72,
            snapshot_chain: 3,
            clone_age_days: 90,
        }
    }
}

/// A run with the verdict on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct JudgedRun {
    #[serde(flatten)]
    pub run: TestRun,
    pub counts: bool,
    pub why_not: Vec<Message>,
}

/// Everything the testing rules look at for one release.
#[derive(Debug, Clone, Default)]
pub struct TestingFacts {
    pub runs: Vec<JudgedRun>,
    pub bookings: Vec<Booking>,
    pub policy: TestPolicy,
    /// The release's rollback plan now; `None` without a plan.
    pub rollback: Option<String>,
}

/// The problem-free period: when it started, when it ends, and what (if anything) keeps it from
/// ending.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProblemFree {
    pub days: u32,
    #[ts(type = "string | null")]
    pub since: Option<DateTime<Utc>>,
    /// What started the period: "run #3 failed" or "defect BUG-1 closed" or "testing began".
    pub since_what: Option<Message>,
    #[ts(type = "string | null")]
    pub ends: Option<DateTime<Utc>>,
    pub open_defects: Vec<String>,
    /// 0 to 1, for the progress bar.
    pub progress: f64,
    pub elapsed: bool,
}

pub fn problem_free(
    facts: &TestingFacts,
    release_type: ReleaseType,
    now: DateTime<Utc>,
) -> ProblemFree {
    let days = facts
        .policy
        .problem_free_days
        .get(&release_type)
        .copied()
        .unwrap_or(0);
    let mut since: Option<(DateTime<Utc>, Message)> = facts
        .runs
        .iter()
        .map(|r| (r.run.from, Message::new("problem_free.testing_began")))
        .min_by_key(|(at, _)| *at);
    let mut later = |at: DateTime<Utc>, what: Message| {
        if since.as_ref().is_none_or(|(s, _)| at >= *s) {
            since = Some((at, what));
        }
    };
    for r in &facts.runs {
        if r.run.result == TestResult::Failed {
            later(
                r.run.to,
                Message::new("problem_free.run_failed")
                    .with("id", r.run.id)
                    .with("kind", word(format!("test_kind.{}", r.run.kind))),
            );
        }
        for d in &r.run.defects {
            if let Some(closed) = d.closed_at {
                later(
                    closed,
                    Message::new("problem_free.defect_closed").with("id", &d.id),
                );
            }
        }
    }
    let open_defects: Vec<String> = facts
        .runs
        .iter()
        .flat_map(|r| r.run.defects.iter())
        .filter(|d| d.closed_at.is_none())
        .map(|d| format!("{} ({})", d.id, d.severity))
        .collect();
    let period = Duration::days(i64::from(days));
    let ends = since.as_ref().map(|(at, _)| *at + period);
    let progress = match &since {
        Some(_) if open_defects.is_empty() && days == 0 => 1.0,
        Some((at, _)) if open_defects.is_empty() => {
            ((now - *at).num_seconds() as f64 / period.num_seconds() as f64).clamp(0.0, 1.0)
        }
        _ => 0.0,
    };
    ProblemFree {
        days,
        since: since.as_ref().map(|(at, _)| *at),
        since_what: since.map(|(_, what)| what),
        ends,
        elapsed: open_defects.is_empty() && ends.is_some_and(|e| now >= e),
        open_defects,
        progress,
    }
}

/// How a kind of test reads in a sentence.
pub fn kind_name(kind: TestKind) -> &'static str {
    match kind {
        TestKind::Functional => "functional",
        TestKind::Integration => "integration",
        TestKind::Performance => "performance",
        TestKind::Acceptance => "user acceptance",
        TestKind::RollbackRehearsal => "rollback rehearsal",
        TestKind::Installation => "installation verification",
    }
}

/// A snapshot as the user sees it: with its age and whether it is too old.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SnapshotView {
    #[serde(flatten)]
    pub snapshot: Snapshot,
    #[ts(type = "number")]
    pub age_hours: i64,
    pub too_old: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Revert {
    pub snapshot: String,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
}

/// One environment with everything known about it, as of "now".
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EnvironmentView {
    #[serde(flatten)]
    pub env: Environment,
    /// Installed now.
    pub versions: Versions,
    /// Against production, or against a release's targets when one was asked for.
    pub drift: Vec<Drift>,
    /// The release drift was measured against; `None`: production.
    pub drift_for: Option<String>,
    pub snapshots: Vec<SnapshotView>,
    pub history: Vec<VersionChange>,
    pub reverts: Vec<Revert>,
    pub bookings: Vec<Booking>,
    pub runs: Vec<JudgedRun>,
    /// Old snapshots, a long chain, a stale clone.
    pub warnings: Vec<Message>,
}

impl EnvironmentView {
    pub fn has_old_snapshot(&self) -> bool {
        self.snapshots.iter().any(|s| s.too_old)
    }
}

/// Warnings about an environment's snapshots and clone at `now`.
pub fn warnings(
    env: &Environment,
    snapshots: &[SnapshotView],
    policy: &TestPolicy,
    now: DateTime<Utc>,
) -> Vec<Message> {
    let mut out: Vec<Message> = snapshots
        .iter()
        .filter(|s| s.too_old)
        .map(|s| {
            Message::new("env.snapshot_old")
                .with("snapshot", &s.snapshot.name)
                .with("hours", s.age_hours)
                .with("limit", policy.snapshot_age_hours)
        })
        .collect();
    if snapshots.len() > policy.snapshot_chain as usize {
        out.push(
            Message::new("env.long_chain")
                .with("count", snapshots.len())
                .with("limit", policy.snapshot_chain),
        );
    }
    if let Some(stale) = env
        .lineage
        .as_ref()
        .and_then(|l| stale_clone(l, now, policy))
    {
        out.push(stale);
    }
    out
}

pub fn snapshot_view(snapshot: Snapshot, policy: &TestPolicy, now: DateTime<Utc>) -> SnapshotView {
    let age_hours = snapshot.age_hours(now);
    SnapshotView {
        too_old: snapshot.exempt.is_none() && age_hours >= i64::from(policy.snapshot_age_hours),
        age_hours,
        snapshot,
    }
}

/// An environment booked for a release, and its drift against the release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BookedEnvironment {
    pub env: String,
    pub drift: Vec<Drift>,
}

/// The release workspace's Testing tab.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TestingView {
    pub release: String,
    pub bookings: Vec<Booking>,
    pub environments: Vec<BookedEnvironment>,
    pub runs: Vec<JudgedRun>,
    pub required: Vec<TestKind>,
    pub problem_free: ProblemFree,
    pub rules: Vec<crate::rules::RuleResult>,
}

/// A test run as typed or given on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunDraft {
    pub release: String,
    pub env: String,
    pub kind: TestKind,
    pub result: TestResult,
    #[ts(type = "string")]
    pub from: DateTime<Utc>,
    #[ts(type = "string")]
    pub to: DateTime<Utc>,
    pub defects: Vec<DefectDraft>,
    pub notes: String,
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DefectDraft {
    pub id: String,
    pub severity: Severity,
}

impl RunDraft {
    pub fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        if self.to < self.from {
            errors.push(FieldError::said(
                "to",
                Message::new("run.ends_before_start"),
            ));
        }
        for d in &self.defects {
            if d.id.trim().is_empty() {
                errors.push(FieldError::said("defects", Message::new("run.defect_id")));
            }
        }
        let mut ids: Vec<&str> = self.defects.iter().map(|d| d.id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            errors.push(FieldError::said(
                "defects",
                Message::new("run.defect_twice"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(crate::Error::Validation(errors))
        }
    }
}

/// `ID:SEVERITY`, as the command line takes a defect.
pub fn parse_defect(text: &str) -> std::result::Result<DefectDraft, String> {
    let (id, severity) = text
        .split_once(':')
        .ok_or_else(|| format!("'{text}' is not ID:SEVERITY, e.g. BUG-12:high"))?;
    Ok(DefectDraft {
        id: id.trim().to_string(),
        severity: severity.trim().parse()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() + Duration::hours(i64::from(h))
    }

    fn booking(id: i64, from: u32, to: u32, purpose: BookingPurpose) -> Booking {
        Booking {
            id,
            env: "test-01".into(),
            release: format!("REL-{id}"),
            from: at(from),
            to: at(to),
            purpose,
            by: "rita".into(),
        }
    }

    #[test]
    fn touching_bookings_do_not_overlap() {
        let a = booking(1, 8, 12, BookingPurpose::CodeChange);
        let b = booking(0, 12, 16, BookingPurpose::CodeChange);
        assert!(booking_conflict(std::slice::from_ref(&a), 1, &b).is_ok());
        let c = booking(0, 11, 16, BookingPurpose::CodeChange);
        let err = booking_conflict(&[a], 1, &c).unwrap_err();
        assert!(err.contains("booking #1") && err.contains("REL-1"), "{err}");
    }

    #[test]
    fn shared_environments_take_regression_bookings_up_to_capacity() {
        let existing = vec![
            booking(1, 8, 12, BookingPurpose::Regression),
            booking(2, 10, 14, BookingPurpose::Regression),
        ];
        let third = booking(0, 11, 13, BookingPurpose::Regression);
        assert!(booking_conflict(&existing, 3, &third).is_ok());
        let err = booking_conflict(&existing, 2, &third).unwrap_err();
        assert!(err.contains("takes 2 booking(s)"), "{err}");
        // Later than both starts, only one is still on at 12:00.
        let late = booking(0, 12, 13, BookingPurpose::Regression);
        assert!(booking_conflict(&existing, 2, &late).is_ok());
        // A code change needs it alone, whatever the capacity.
        let code = booking(0, 13, 15, BookingPurpose::CodeChange);
        let err = booking_conflict(&existing, 5, &code).unwrap_err();
        assert!(err.contains("needs the environment alone"), "{err}");
    }

    #[test]
    fn drift_compares_with_targets_and_production() {
        let installed = Versions::from([
            ("api".into(), "2.1".into()),
            ("db".into(), "14".into()),
            ("tool".into(), "1".into()),
        ]);
        let targets = Versions::from([("api".into(), "2.2".into())]);
        let production = BTreeMap::from([
            ("api".into(), Some("2.1".into())),
            ("db".into(), Some("15".into())),
        ]);
        let expected = expected_versions(&installed, &targets, &production);
        let d = drift(&installed, &expected);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].describe(), "api is 2.1 but should be 2.2");
        assert_eq!(d[1].describe(), "db is 14 but should be 15");
    }

    #[test]
    fn versions_follow_installs_and_reverts() {
        let changes = vec![
            VersionChange {
                ci: "api".into(),
                version: Some("2.1".into()),
                at: at(1),
                revert_to: None,
            },
            VersionChange {
                ci: "api".into(),
                version: Some("2.2".into()),
                at: at(5),
                revert_to: None,
            },
            VersionChange {
                ci: "api".into(),
                version: None,
                at: at(9),
                revert_to: Some("empty".into()),
            },
        ];
        assert_eq!(versions_at(&changes, at(3))["api"], "2.1");
        assert_eq!(versions_at(&changes, at(5))["api"], "2.2");
        assert!(versions_at(&changes, at(10)).is_empty());
    }

    fn run(from: u32, to: u32, result: TestResult) -> TestRun {
        TestRun {
            id: 1,
            release: "REL-1".into(),
            env: "test-01".into(),
            kind: TestKind::Functional,
            result,
            from: at(from),
            to: at(to),
            defects: vec![],
            notes: String::new(),
            evidence: None,
            versions: Versions::from([("api".into(), "2.2".into())]),
            rollback: None,
            by: "tom".into(),
        }
    }

    #[test]
    fn a_run_counts_only_booked_without_drift_or_change_or_old_snapshot() {
        let policy = TestPolicy::default();
        let expected = Versions::from([("api".into(), "2.2".into())]);
        let mut b = booking(1, 0, 48, BookingPurpose::CodeChange);
        b.release = "REL-1".into();
        let snap = Snapshot {
            name: "base".into(),
            at: at(0),
            versions: Versions::new(),
            note: String::new(),
            exempt: None,
        };
        let cx = RunContext {
            bookings: std::slice::from_ref(&b),
            changes: &[],
            reverts: &[],
            snapshots: std::slice::from_ref(&snap),
            lineage: None,
            expected: &expected,
            policy: &policy,
        };
        assert!(why_not_counted(&run(10, 12, TestResult::Passed), &cx).is_empty());
        // Outside the booking.
        let said = |why: Vec<Message>| why.iter().map(Message::to_string).collect::<Vec<_>>();
        let why = said(why_not_counted(&run(40, 50, TestResult::Passed), &cx));
        assert_eq!(
            why,
            vec!["no booking of test-01 for REL-1 covers it".to_string()]
        );
        // Snapshot age uses >=: at exactly 72 h it is too old.
        let mut long = b.clone();
        long.to = at(200);
        let cx2 = RunContext {
            bookings: std::slice::from_ref(&long),
            ..cx
        };
        let why = said(why_not_counted(&run(72, 80, TestResult::Passed), &cx2));
        assert!(why[0].contains("72 h old"), "{why:?}");
        assert!(why_not_counted(&run(71, 80, TestResult::Passed), &cx2).is_empty());
        // An install during the run.
        let change = VersionChange {
            ci: "api".into(),
            version: Some("2.3".into()),
            at: at(11),
            revert_to: None,
        };
        let cx3 = RunContext {
            changes: std::slice::from_ref(&change),
            ..cx2
        };
        let why = said(why_not_counted(&run(10, 12, TestResult::Passed), &cx3));
        assert!(
            why[0].contains("api 2.3 was installed during the run"),
            "{why:?}"
        );
        // Drift at the start.
        let mut drifted = run(10, 12, TestResult::Passed);
        drifted.versions.insert("api".into(), "2.1".into());
        let why = said(why_not_counted(&drifted, &cx2));
        assert_eq!(
            why,
            vec!["drift when it started: api is 2.1 but should be 2.2".to_string()]
        );
    }

    #[test]
    fn the_problem_free_period_runs_from_the_last_failure_or_closed_defect() {
        let mut facts = TestingFacts::default();
        let judged = |r: TestRun| JudgedRun {
            run: r,
            counts: true,
            why_not: vec![],
        };
        facts.runs.push(judged(run(0, 2, TestResult::Passed)));
        let mut failed = run(24, 26, TestResult::Failed);
        failed.id = 2;
        facts.runs.push(judged(failed));
        let pf = problem_free(&facts, ReleaseType::Minor, at(26 + 71));
        assert_eq!(pf.ends, Some(at(26 + 72)));
        assert!(!pf.elapsed);
        assert_eq!(
            pf.since_what.unwrap().to_string(),
            "run #2 (functional) failed"
        );
        assert!(problem_free(&facts, ReleaseType::Minor, at(26 + 72)).elapsed);
        // An open defect holds it back; closing it restarts the period.
        let mut with_defect = run(30, 31, TestResult::Passed);
        with_defect.id = 3;
        with_defect.defects.push(Defect {
            id: "BUG-1".into(),
            severity: Severity::High,
            opened_at: at(31),
            closed_at: None,
        });
        facts.runs.push(judged(with_defect));
        let pf = problem_free(&facts, ReleaseType::Minor, at(500));
        assert!(!pf.elapsed);
        assert_eq!(pf.open_defects, vec!["BUG-1 (high)".to_string()]);
        facts.runs[2].run.defects[0].closed_at = Some(at(40));
        let pf = problem_free(&facts, ReleaseType::Minor, at(100));
        assert_eq!(pf.ends, Some(at(40 + 72)));
        assert_eq!(
            pf.since_what.unwrap().to_string(),
            "defect BUG-1 was closed"
        );
        // Emergency: no period, but a run is needed.
        assert!(problem_free(&facts, ReleaseType::Emergency, at(41)).elapsed);
        assert!(!problem_free(&TestingFacts::default(), ReleaseType::Emergency, at(41)).elapsed);
    }
}
