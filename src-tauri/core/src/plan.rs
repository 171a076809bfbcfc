//! Deployment models, waves and plans, and what the scheduler makes of them: the scheduled
//! plan, its conflicts with freezes, windows and other releases, and the slot finder.
//! Pure: the store gathers the inputs, "now" is passed in.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::{self, Freeze, HORIZON_DAYS, ServiceHours, Window, from_minute, to_minute};
use crate::error::{Error, FieldError, Result};
use crate::schedule::{self, Dep, DepKind, Minute, Placement, Problem, Span, Unplaced};

text_enum!(
    /// Big bang: every target at once. Phased: waves, each observed before the next.
    Strategy {
        BigBang = "big_bang",
        Phased = "phased",
    }
);

text_enum!(Milestone {
    GoNoGo = "go_no_go",
    Verified = "verified",
});

text_enum!(ConflictKind {
    Overlap = "overlap",
    Freeze = "freeze",
    OutsideWindow = "outside_window",
});

/// One step of a deployment model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelTask {
    /// Unique in the model, e.g. `deploy-app`.
    pub key: String,
    pub name: String,
    /// Duration in minutes; 0 for a milestone.
    #[ts(type = "number")]
    pub minutes: i64,
    #[serde(default)]
    pub team: Option<String>,
    /// Needs downtime: placed only inside the wave's maintenance window.
    #[serde(default)]
    pub downtime: bool,
    #[serde(default)]
    pub milestone: Option<Milestone>,
    /// The CI it works on; none: the wave's targets.
    #[serde(default)]
    pub target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelDep {
    pub from: String,
    pub to: String,
    #[serde(default = "finish_to_start")]
    pub kind: DepKind,
    #[serde(default)]
    #[ts(type = "number")]
    pub lag_minutes: i64,
}

fn finish_to_start() -> DepKind {
    DepKind::FinishToStart
}

/// A reusable template of deployment tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentModel {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub tasks: Vec<ModelTask>,
    #[serde(default)]
    pub deps: Vec<ModelDep>,
}

/// One wave of a rollout: where, in which time zone and window, and how long to watch it
/// before the next wave starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Wave {
    pub name: String,
    #[serde(default = "utc")]
    pub tz: String,
    /// The maintenance window its downtime goes in; none: any window.
    #[serde(default)]
    pub window: Option<String>,
    /// Sites, CIs or user groups; names of CIs count for conflicts and freezes.
    #[serde(default)]
    pub targets: Vec<String>,
    /// Minutes to observe the previous wave before this one starts.
    #[serde(default)]
    #[ts(type = "number")]
    pub observation_minutes: i64,
}

fn utc() -> String {
    "UTC".into()
}

/// A task of a release's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanTask {
    /// Unique in the plan: wave number and model key, e.g. `2.deploy-app`.
    pub key: String,
    /// Index into the plan's waves.
    pub wave: usize,
    pub name: String,
    #[ts(type = "number")]
    pub minutes: i64,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub downtime: bool,
    #[serde(default)]
    pub milestone: Option<Milestone>,
    #[serde(default)]
    pub target: Option<String>,
    /// A start the planner set by dragging.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub pinned: Option<DateTime<Utc>>,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub actual_start: Option<DateTime<Utc>>,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub actual_end: Option<DateTime<Utc>>,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub baseline_start: Option<DateTime<Utc>>,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub baseline_end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDep {
    /// Task keys.
    pub from: String,
    pub to: String,
    #[serde(default = "finish_to_start")]
    pub kind: DepKind,
    #[serde(default)]
    #[ts(type = "number")]
    pub lag_minutes: i64,
}

/// A release's deployment plan as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub strategy: Strategy,
    #[serde(default)]
    pub model: Option<String>,
    /// Nothing starts before this.
    pub starts_at: DateTime<Utc>,
    pub waves: Vec<Wave>,
    pub tasks: Vec<PlanTask>,
    #[serde(default)]
    pub deps: Vec<PlanDep>,
}

/// Everything outside the plan that decides where it can go.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub windows: Vec<Window>,
    pub freezes: Vec<Freeze>,
    pub hours: Vec<ServiceHours>,
    /// CI name → the CIs and services it runs on or depends on.
    pub related: HashMap<String, Vec<String>>,
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}

impl DeploymentModel {
    pub fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(field("name", "is required"));
        }
        if self.tasks.is_empty() {
            errors.push(field("tasks", "a model needs at least one task"));
        }
        let mut keys = BTreeSet::new();
        for (i, task) in self.tasks.iter().enumerate() {
            if task.key.trim().is_empty() || !keys.insert(task.key.as_str()) {
                errors.push(field(
                    &format!("tasks[{i}].key"),
                    format!("'{}' must be present and unique in the model", task.key),
                ));
            }
            if task.name.trim().is_empty() {
                errors.push(field(&format!("tasks[{i}].name"), "is required"));
            }
            if !(0..=14 * 24 * 60).contains(&task.minutes) {
                errors.push(field(
                    &format!("tasks[{i}].minutes"),
                    "must be from 0 to 20160 (two weeks)",
                ));
            }
        }
        for (i, dep) in self.deps.iter().enumerate() {
            for (end, key) in [("from", &dep.from), ("to", &dep.to)] {
                if !keys.contains(key.as_str()) {
                    errors.push(field(
                        &format!("deps[{i}].{end}"),
                        format!("'{key}' is not a task of the model"),
                    ));
                }
            }
        }
        if errors.is_empty() {
            let index: HashMap<&str, usize> = self
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| (t.key.as_str(), i))
                .collect();
            let deps: Vec<Dep> = self
                .deps
                .iter()
                .map(|d| Dep {
                    from: index[d.from.as_str()],
                    to: index[d.to.as_str()],
                    kind: d.kind,
                    lag: 0,
                })
                .collect();
            let (_, in_cycle) = schedule::topological_order(self.tasks.len(), &deps);
            let cyclic: Vec<&str> = self
                .tasks
                .iter()
                .zip(in_cycle)
                .filter(|(_, c)| *c)
                .map(|(t, _)| t.key.as_str())
                .collect();
            if !cyclic.is_empty() {
                errors.push(field(
                    "deps",
                    format!(
                        "these tasks wait for each other in a circle: {}",
                        cyclic.join(", ")
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }
}

/// A release's plan from a model: one copy of the model per wave, each wave waiting for the
/// previous one to finish plus its observation period.
pub fn instantiate(
    model: &DeploymentModel,
    strategy: Strategy,
    waves: Vec<Wave>,
    starts_at: DateTime<Utc>,
    windows: &[Window],
) -> Result<Plan> {
    model.validate()?;
    let mut errors = Vec::new();
    if waves.is_empty() {
        errors.push(field("waves", "name at least one wave"));
    }
    if strategy == Strategy::BigBang && waves.len() > 1 {
        errors.push(field(
            "waves",
            "a big-bang rollout has exactly one wave; choose phased for more",
        ));
    }
    for (i, wave) in waves.iter().enumerate() {
        if wave.name.trim().is_empty() {
            errors.push(field(&format!("waves[{i}].name"), "is required"));
        }
        if let Err(e) = calendar::parse_tz(&format!("waves[{i}].tz"), &wave.tz) {
            errors.push(e);
        }
        if let Some(w) = &wave.window
            && !windows.iter().any(|x| &x.name == w)
        {
            let known: Vec<&str> = windows.iter().map(|w| w.name.as_str()).collect();
            errors.push(field(
                &format!("waves[{i}].window"),
                format!(
                    "'{w}' is not a maintenance window; known: {}",
                    known.join(", ")
                ),
            ));
        }
        if !(0..=60 * 24 * 60).contains(&wave.observation_minutes) {
            errors.push(field(
                &format!("waves[{i}].observation_minutes"),
                "must be from 0 to 86400 (60 days)",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let has_pred: BTreeSet<&str> = model.deps.iter().map(|d| d.to.as_str()).collect();
    let has_succ: BTreeSet<&str> = model.deps.iter().map(|d| d.from.as_str()).collect();
    let mut tasks = Vec::new();
    let mut deps = Vec::new();
    for (w, wave) in waves.iter().enumerate() {
        let key = |k: &str| format!("{}.{k}", w + 1);
        tasks.extend(model.tasks.iter().map(|t| PlanTask {
            key: key(&t.key),
            wave: w,
            name: t.name.clone(),
            minutes: t.minutes,
            team: t.team.clone(),
            downtime: t.downtime,
            milestone: t.milestone,
            target: t.target.clone(),
            pinned: None,
            actual_start: None,
            actual_end: None,
            baseline_start: None,
            baseline_end: None,
        }));
        deps.extend(model.deps.iter().map(|d| PlanDep {
            from: key(&d.from),
            to: key(&d.to),
            kind: d.kind,
            lag_minutes: d.lag_minutes,
        }));
        if w > 0 {
            for sink in model
                .tasks
                .iter()
                .filter(|t| !has_succ.contains(t.key.as_str()))
            {
                for source in model
                    .tasks
                    .iter()
                    .filter(|t| !has_pred.contains(t.key.as_str()))
                {
                    deps.push(PlanDep {
                        from: format!("{w}.{}", sink.key),
                        to: key(&source.key),
                        kind: DepKind::FinishToStart,
                        lag_minutes: wave.observation_minutes,
                    });
                }
            }
        }
    }
    Ok(Plan {
        strategy,
        model: Some(model.name.clone()),
        starts_at,
        waves,
        tasks,
        deps,
    })
}

impl Plan {
    pub fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        let mut keys = BTreeSet::new();
        for (i, t) in self.tasks.iter().enumerate() {
            if t.key.trim().is_empty() || !keys.insert(t.key.as_str()) {
                errors.push(field(
                    &format!("tasks[{i}].key"),
                    format!("'{}' must be present and unique in the plan", t.key),
                ));
            }
            if t.wave >= self.waves.len() {
                errors.push(field(
                    &format!("tasks[{i}].wave"),
                    format!("must be below {}, the number of waves", self.waves.len()),
                ));
            }
            if !(0..=14 * 24 * 60).contains(&t.minutes) {
                errors.push(field(
                    &format!("tasks[{i}].minutes"),
                    "must be from 0 to 20160 (two weeks)",
                ));
            }
        }
        for (i, d) in self.deps.iter().enumerate() {
            for (end, key) in [("from", &d.from), ("to", &d.to)] {
                if !keys.contains(key.as_str()) {
                    errors.push(field(
                        &format!("deps[{i}].{end}"),
                        format!("'{key}' is not a task of the plan"),
                    ));
                }
            }
        }
        for (i, wave) in self.waves.iter().enumerate() {
            if let Err(e) = calendar::parse_tz(&format!("waves[{i}].tz"), &wave.tz) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }

    /// The CIs a task works on: its own target or its wave's targets, plus what they run
    /// on and depend on.
    pub fn touched(&self, task: &PlanTask, calendar: &Calendar) -> Vec<String> {
        let direct: Vec<String> = match &task.target {
            Some(t) => vec![t.clone()],
            None => self.waves[task.wave]
                .targets
                .iter()
                .filter(|t| calendar.related.contains_key(t.as_str()))
                .cloned()
                .collect(),
        };
        let mut all: BTreeSet<String> = direct.iter().cloned().collect();
        for ci in &direct {
            all.extend(calendar.related.get(ci).into_iter().flatten().cloned());
        }
        all.into_iter().collect()
    }
}

/// One task of a scheduled plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ScheduledTask {
    pub key: String,
    pub wave: usize,
    pub name: String,
    pub team: Option<String>,
    #[ts(type = "number")]
    pub minutes: i64,
    pub downtime: bool,
    pub milestone: Option<Milestone>,
    pub target: Option<String>,
    /// What it touches, for conflicts.
    pub cis: Vec<String>,
    pub pinned: bool,
    #[ts(type = "string | null")]
    pub start: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub end: Option<DateTime<Utc>>,
    #[ts(type = "number | null")]
    pub slack_minutes: Option<i64>,
    pub critical: bool,
    /// Why it could not be placed.
    pub unplaced: Option<String>,
    #[ts(type = "string | null")]
    pub baseline_start: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub baseline_end: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub actual_start: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub actual_end: Option<DateTime<Utc>>,
    /// Finish (actual, else planned) minus baseline finish; positive is late.
    #[ts(type = "number | null")]
    pub variance_minutes: Option<i64>,
}

/// A named span of time drawn behind the plan: a window opening or a freeze.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Band {
    pub name: String,
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    #[ts(type = "string")]
    pub end: DateTime<Utc>,
    pub service: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// Names both sides.
    pub message: String,
    /// The other side: a release key, a freeze or a window name.
    pub with: String,
    /// The task of this plan it concerns.
    pub task: String,
}

/// A plan laid out in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Schedule {
    pub release: String,
    pub strategy: Strategy,
    pub model: Option<String>,
    #[ts(type = "string")]
    pub starts_at: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub finish: Option<DateTime<Utc>>,
    pub waves: Vec<Wave>,
    pub tasks: Vec<ScheduledTask>,
    pub deps: Vec<PlanDep>,
    /// Window openings and freezes around the plan, for drawing.
    pub windows: Vec<Band>,
    pub freezes: Vec<Band>,
    pub conflicts: Vec<Conflict>,
    /// Plan revision, for refusing stale edits.
    #[ts(type = "number")]
    pub version: i64,
}

impl Schedule {
    pub fn unplaced(&self) -> impl Iterator<Item = &ScheduledTask> {
        self.tasks.iter().filter(|t| t.unplaced.is_some())
    }

    pub fn task(&self, key: &str) -> Option<&ScheduledTask> {
        self.tasks.iter().find(|t| t.key == key)
    }
}

fn describe_reason(reason: &Unplaced, plan: &Plan, window: Option<&str>) -> String {
    let hours = |m: i64| format!("{:.1} h", m as f64 / 60.0);
    let window = window
        .map(|w| format!("'{w}'"))
        .unwrap_or_else(|| "any maintenance window".into());
    match reason {
        Unplaced::Cycle => "it is part of a dependency cycle".into(),
        Unplaced::WindowTooShort { needed, longest } => {
            format!(
                "it needs {} of downtime but {window} is open at most {}",
                hours(*needed),
                hours(*longest)
            )
        }
        Unplaced::NoWindow { needed } => {
            format!(
                "{window} has no opening of {} in the next {HORIZON_DAYS} days outside freezes",
                hours(*needed)
            )
        }
        Unplaced::Waits { on } => match plan.tasks.get(*on) {
            Some(t) => format!("it waits for '{}', which could not be placed", t.key),
            None => "it waits for a task that could not be placed".into(),
        },
    }
}

/// The scheduler's view of a plan: minute arithmetic and interned CI ids.
struct Prepared {
    tasks: Vec<schedule::Task>,
    deps: Vec<Dep>,
    window_sets: Vec<Vec<Span>>,
    /// Window set of each wave.
    wave_set: Vec<usize>,
    freezes: Vec<schedule::Freeze>,
    freeze_names: Vec<String>,
    touched: Vec<Vec<String>>,
    start: Minute,
}

fn prepare(plan: &Plan, calendar: &Calendar, start: DateTime<Utc>) -> Prepared {
    let from = start - Duration::days(1);
    let to = start + Duration::days(HORIZON_DAYS);
    let any: Vec<Span> = schedule::merge(
        calendar
            .windows
            .iter()
            .flat_map(|w| w.spans(from, to))
            .collect(),
    );
    let mut window_sets = vec![any];
    let mut named: HashMap<&str, usize> = HashMap::new();
    let wave_set = plan
        .waves
        .iter()
        .map(|wave| match &wave.window {
            None => 0,
            Some(name) => *named.entry(name.as_str()).or_insert_with(|| {
                let spans = calendar
                    .windows
                    .iter()
                    .filter(|w| &w.name == name)
                    .flat_map(|w| w.spans(from, to))
                    .collect();
                window_sets.push(schedule::merge(spans));
                window_sets.len() - 1
            }),
        })
        .collect::<Vec<_>>();

    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut intern = |name: &str| -> u32 {
        let next = ids.len() as u32;
        *ids.entry(name.to_string()).or_insert(next)
    };
    let touched: Vec<Vec<String>> = plan
        .tasks
        .iter()
        .map(|t| plan.touched(t, calendar))
        .collect();
    let mut freezes = Vec::new();
    let mut freeze_names = Vec::new();
    for f in &calendar.freezes {
        let service = f.service.as_deref().map(&mut intern);
        for span in f.spans(from, to) {
            freezes.push(schedule::Freeze { span, service });
            freeze_names.push(f.name.clone());
        }
    }
    let index: HashMap<&str, usize> = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.key.as_str(), i))
        .collect();
    let tasks = plan
        .tasks
        .iter()
        .zip(&touched)
        .map(|(t, cis)| {
            let duration = match (t.actual_start, t.actual_end) {
                (Some(s), Some(e)) => (to_minute(e) - to_minute(s)).max(0),
                _ => t.minutes,
            };
            schedule::Task {
                duration,
                downtime: t.downtime,
                windows: wave_set[t.wave],
                pinned: t.actual_start.or(t.pinned).map(to_minute),
                scope: cis.iter().map(|c| intern(c)).collect(),
            }
        })
        .collect();
    let deps = plan
        .deps
        .iter()
        .filter_map(|d| {
            Some(Dep {
                from: *index.get(d.from.as_str())?,
                to: *index.get(d.to.as_str())?,
                kind: d.kind,
                lag: d.lag_minutes,
            })
        })
        .collect();
    Prepared {
        tasks,
        deps,
        window_sets,
        wave_set,
        freezes,
        freeze_names,
        touched,
        start: to_minute(start),
    }
}

/// Schedules a plan (without looking at other releases).
pub fn lay_out(release: &str, plan: &Plan, calendar: &Calendar, version: i64) -> Schedule {
    lay_out_from(release, plan, calendar, version, plan.starts_at)
}

fn lay_out_from(
    release: &str,
    plan: &Plan,
    calendar: &Calendar,
    version: i64,
    start: DateTime<Utc>,
) -> Schedule {
    let prepared = prepare(plan, calendar, start);
    let outcome = schedule::schedule(&Problem {
        tasks: &prepared.tasks,
        deps: &prepared.deps,
        start: prepared.start,
        window_sets: &prepared.window_sets,
        freezes: &prepared.freezes,
    });
    let tasks: Vec<ScheduledTask> = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let span = outcome.placements[i].span();
            let window = plan.waves[t.wave].window.as_deref();
            let end = span.map(|s| from_minute(s.end));
            ScheduledTask {
                key: t.key.clone(),
                wave: t.wave,
                name: t.name.clone(),
                team: t.team.clone(),
                minutes: t.minutes,
                downtime: t.downtime,
                milestone: t.milestone,
                target: t.target.clone(),
                cis: prepared.touched[i].clone(),
                pinned: t.pinned.is_some(),
                start: span.map(|s| from_minute(s.start)),
                end,
                slack_minutes: span.map(|_| outcome.slack[i]),
                critical: outcome.critical(i),
                unplaced: match &outcome.placements[i] {
                    Placement::Unplaced(reason) => Some(describe_reason(reason, plan, window)),
                    Placement::Placed(_) => None,
                },
                baseline_start: t.baseline_start,
                baseline_end: t.baseline_end,
                actual_start: t.actual_start,
                actual_end: t.actual_end,
                variance_minutes: t
                    .baseline_end
                    .zip(t.actual_end.or(end))
                    .map(|(b, e)| (e - b).num_minutes()),
            }
        })
        .collect();
    let first = outcome
        .placements
        .iter()
        .filter_map(Placement::span)
        .map(|s| s.start)
        .min();
    let shown = Span {
        start: first.unwrap_or(prepared.start).min(prepared.start) - 24 * 60,
        end: outcome.finish.unwrap_or(prepared.start) + 24 * 60,
    };
    let (windows, freezes) = bands(calendar, from_minute(shown.start), from_minute(shown.end));
    let mut scheduled = Schedule {
        release: release.to_string(),
        strategy: plan.strategy,
        model: plan.model.clone(),
        starts_at: start,
        finish: outcome.finish.map(from_minute),
        waves: plan.waves.clone(),
        tasks,
        deps: plan.deps.clone(),
        windows,
        freezes,
        conflicts: Vec::new(),
        version,
    };
    scheduled.conflicts = own_conflicts(&scheduled, &prepared);
    scheduled
}

/// A span in the wave's own zone, as its Gantt and runbook show it.
fn when(span: Span, tz: &str) -> String {
    crate::calendar::local_span(from_minute(span.start), from_minute(span.end), tz)
}

/// Work inside a freeze and downtime outside a window (only pinned or started tasks can end
/// up there: the scheduler itself keeps clear of both).
fn own_conflicts(s: &Schedule, p: &Prepared) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for (i, task) in s.tasks.iter().enumerate() {
        let (Some(start), Some(end)) = (task.start, task.end) else {
            continue;
        };
        let span = Span {
            start: to_minute(start),
            end: to_minute(end),
        };
        let tz = s.waves[task.wave].tz.as_str();
        if span.minutes() > 0 {
            for (f, name) in p.freezes.iter().zip(&p.freeze_names) {
                if f.span.overlaps(&span) && f.applies_to(&p.tasks[i].scope) {
                    conflicts.push(Conflict {
                        kind: ConflictKind::Freeze,
                        message: format!(
                            "'{}' ({}) is scheduled {} inside the freeze '{name}' ({})",
                            task.name,
                            task.key,
                            when(span, tz),
                            when(f.span, tz)
                        ),
                        with: name.clone(),
                        task: task.key.clone(),
                    });
                }
            }
        }
        let windows = &p.window_sets[p.wave_set[task.wave]];
        if task.downtime && !windows.iter().any(|w| w.contains(&span)) {
            let window = s.waves[task.wave]
                .window
                .clone()
                .unwrap_or_else(|| "maintenance windows".into());
            conflicts.push(Conflict {
                kind: ConflictKind::OutsideWindow,
                message: format!(
                    "'{}' ({}) needs downtime but is scheduled {} outside '{window}'",
                    task.name,
                    task.key,
                    when(span, tz)
                ),
                with: window,
                task: task.key.clone(),
            });
        }
    }
    conflicts
}

/// Adds to each schedule its overlaps with the others: two releases changing the same CI or
/// service at the same time. A task changes its CIs when it needs downtime or names its own
/// target; preparation such as notifying users does not. One sweep per CI, sorted by start.
pub fn add_overlaps(schedules: &mut [Schedule]) {
    struct Work {
        span: Span,
        release: usize,
        task: usize,
    }
    let mut by_ci: HashMap<&str, Vec<Work>> = HashMap::new();
    for (r, s) in schedules.iter().enumerate() {
        for (t, task) in s.tasks.iter().enumerate() {
            let (Some(start), Some(end)) = (task.start, task.end) else {
                continue;
            };
            let span = Span {
                start: to_minute(start),
                end: to_minute(end),
            };
            if span.minutes() == 0 || !(task.downtime || task.target.is_some()) {
                continue;
            }
            for ci in &task.cis {
                by_ci.entry(ci.as_str()).or_default().push(Work {
                    span,
                    release: r,
                    task: t,
                });
            }
        }
    }
    let mut found: Vec<(usize, Conflict)> = Vec::new();
    let mut cis: Vec<_> = by_ci.into_iter().collect();
    cis.sort_by(|a, b| a.0.cmp(b.0));
    for (ci, mut work) in cis {
        work.sort_by_key(|w| w.span.start);
        let mut active: Vec<&Work> = Vec::new();
        for w in &work {
            active.retain(|a| a.span.end > w.span.start);
            for &a in &active {
                if a.release == w.release {
                    continue;
                }
                for (me, other) in [(a, w), (w, a)] {
                    let (mine, theirs) = (&schedules[me.release], &schedules[other.release]);
                    let (mt, tt) = (&mine.tasks[me.task], &theirs.tasks[other.task]);
                    let overlap = Span {
                        start: me.span.start.max(other.span.start),
                        end: me.span.end.min(other.span.end),
                    };
                    found.push((
                        me.release,
                        Conflict {
                            kind: ConflictKind::Overlap,
                            message: format!(
                                "'{}' ({} {}) and '{}' ({} {}) both work on {ci} {}",
                                mt.name,
                                mine.release,
                                mt.key,
                                tt.name,
                                theirs.release,
                                tt.key,
                                when(overlap, &mine.waves[mt.wave].tz)
                            ),
                            with: theirs.release.clone(),
                            task: mt.key.clone(),
                        },
                    ));
                }
            }
            active.push(w);
        }
    }
    for (release, conflict) in found {
        schedules[release].conflicts.push(conflict);
    }
}

/// A place in time where the whole deployment fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Slot {
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    #[ts(type = "string")]
    pub finish: DateTime<Utc>,
    /// The window opening it starts in.
    pub window: String,
    /// Downtime minutes inside the business hours of the services touched, times their users.
    #[ts(type = "number")]
    pub impact_user_minutes: i64,
    /// Downtime minutes inside business hours.
    #[ts(type = "number")]
    pub business_minutes: i64,
}

/// Moves the plan to start at `start`, pins and all.
pub fn shifted(plan: &Plan, start: DateTime<Utc>) -> Plan {
    let delta = start - plan.starts_at;
    let mut moved = plan.clone();
    moved.starts_at = start;
    for t in &mut moved.tasks {
        t.pinned = t.pinned.map(|p| p + delta);
    }
    moved
}

/// Candidate starts in the coming `weeks`: each opening of the first wave's window where the
/// whole plan fits without an unplaced task or a conflict, least user impact first.
pub fn find_slots(
    release: &str,
    plan: &Plan,
    calendar: &Calendar,
    others: &[Schedule],
    now: DateTime<Utc>,
    weeks: u32,
) -> Vec<Slot> {
    let Some(first_wave) = plan.waves.first() else {
        return Vec::new();
    };
    let until = now + Duration::weeks(weeks.into());
    let openings: Vec<(String, Span)> = calendar
        .windows
        .iter()
        .filter(|w| {
            first_wave
                .window
                .as_ref()
                .is_none_or(|name| name == &w.name)
        })
        .flat_map(|w| w.spans(now, until).into_iter().map(|s| (w.name.clone(), s)))
        .filter(|(_, s)| s.start >= to_minute(now))
        .collect();
    let first_downtime = plan.tasks.iter().position(|t| t.downtime && t.wave == 0);
    let mut slots: Vec<Slot> = openings
        .into_iter()
        .filter_map(|(name, opening)| {
            let start = from_minute(opening.start);
            let moved = shifted(plan, start);
            let mut all = others.to_vec();
            all.push(lay_out_from(release, &moved, calendar, 0, start));
            add_overlaps(&mut all);
            let candidate = all.pop()?;
            if candidate.unplaced().next().is_some() || !candidate.conflicts.is_empty() {
                return None;
            }
            // A start that slides into a later opening is that opening's candidate.
            if let Some(i) = first_downtime {
                let s = to_minute(candidate.tasks[i].start?);
                if s >= opening.end {
                    return None;
                }
            }
            let (mut impact, mut business) = (0, 0);
            for task in candidate.tasks.iter().filter(|t| t.downtime) {
                let span = Span {
                    start: to_minute(task.start?),
                    end: to_minute(task.end?),
                };
                for hours in calendar
                    .hours
                    .iter()
                    .filter(|h| task.cis.contains(&h.service))
                {
                    let minutes = hours.minutes_within(span);
                    business += minutes;
                    impact += minutes * hours.users;
                }
            }
            Some(Slot {
                start,
                finish: candidate.finish?,
                window: name,
                impact_user_minutes: impact,
                business_minutes: business,
            })
        })
        .collect();
    slots.sort_by_key(|s| (s.impact_user_minutes, s.start));
    slots
}

/// One release on the release calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CalendarRow {
    pub key: String,
    pub title: String,
    pub stage: crate::release::Stage,
    /// From the scheduled plan, else the release's planned dates.
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    #[ts(type = "string")]
    pub end: DateTime<Utc>,
    /// True when the dates come from a scheduled plan.
    pub scheduled: bool,
    pub conflicts: Vec<Conflict>,
}

/// Every release on one timeline, with the windows and freezes around them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CalendarView {
    pub rows: Vec<CalendarRow>,
    pub windows: Vec<Band>,
    pub freezes: Vec<Band>,
}

/// Window openings and freezes between `from` and `to`, as bands.
pub fn bands(
    calendar: &Calendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (Vec<Band>, Vec<Band>) {
    let band = |name: &str, span: Span, service: Option<String>| Band {
        name: name.to_string(),
        start: from_minute(span.start),
        end: from_minute(span.end),
        service,
    };
    let windows = calendar
        .windows
        .iter()
        .flat_map(|w| {
            w.spans(from, to)
                .into_iter()
                .map(|s| band(&w.name, s, None))
        })
        .collect();
    let freezes = calendar
        .freezes
        .iter()
        .flat_map(|f| {
            f.spans(from, to)
                .into_iter()
                .map(|s| band(&f.name, s, f.service.clone()))
        })
        .collect();
    (windows, freezes)
}
