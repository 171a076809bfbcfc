//! A plan through the scheduler: the scheduled plan with its own conflicts.

use super::*;

/// Everything outside the plan that decides where it can go.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub windows: Vec<Window>,
    pub freezes: Vec<Freeze>,
    pub hours: Vec<ServiceHours>,
    /// CI name → the CIs and services it runs on or depends on.
    pub related: HashMap<String, Vec<String>>,
}

/// One task of a scheduled plan. Its defaults (none, false, empty) are left out of its JSON:
/// a 100,000-task schedule crosses to the window as half the bytes. The window's IPC seam
/// (`ui/src/lib/api.ts`) puts them back, so the TypeScript type stays whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ScheduledTask {
    pub key: String,
    pub wave: usize,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[ts(type = "number")]
    pub minutes: i64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub downtime: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Milestone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backout: Vec<BackoutStep>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nothing_to_undo: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub point_of_no_return: bool,
    /// What it touches, for conflicts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    #[ts(type = "string | null")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<DateTime<Utc>>,
    #[ts(type = "number | null")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack_minutes: Option<i64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
    /// Why it could not be placed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unplaced: Option<Message>,
    #[ts(type = "string | null")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_start: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_end: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_start: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_end: Option<DateTime<Utc>>,
    /// Finish (actual, else planned) minus baseline finish; positive is late.
    #[ts(type = "number | null")]
    #[serde(skip_serializing_if = "Option::is_none")]
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
    pub message: Message,
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
    /// The rollback in progress, when the deployment was aborted.
    pub abort: Option<Abort>,
}

impl Schedule {
    pub fn unplaced(&self) -> impl Iterator<Item = &ScheduledTask> {
        self.tasks.iter().filter(|t| t.unplaced.is_some())
    }

    pub fn task(&self, key: &str) -> Option<&ScheduledTask> {
        self.tasks.iter().find(|t| t.key == key)
    }
}

fn describe_reason(reason: &Unplaced, plan: &Plan, window: Option<&str>) -> Message {
    let hours = |m: i64| format!("{:.1}", m as f64 / 60.0);
    let window = match window {
        Some(w) => Param::Text(format!("'{w}'")),
        None => word("unplaced.any_window"),
    };
    match reason {
        Unplaced::Cycle => Message::new("unplaced.cycle"),
        Unplaced::WindowTooShort { needed, longest } => Message::new("unplaced.window_too_short")
            .with("needed", hours(*needed))
            .with("window", window)
            .with("longest", hours(*longest)),
        Unplaced::NoWindow { needed } => Message::new("unplaced.no_window")
            .with("window", window)
            .with("needed", hours(*needed))
            .with("days", HORIZON_DAYS),
        Unplaced::Waits { on } => match plan.tasks.get(*on) {
            Some(t) => Message::new("unplaced.waits").with("task", &t.key),
            None => Message::new("unplaced.waits_unknown"),
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

pub(super) fn lay_out_from(
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
                backout: t.backout.clone(),
                nothing_to_undo: t.nothing_to_undo.clone(),
                point_of_no_return: t.point_of_no_return,
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
        abort: plan.abort.clone(),
    };
    scheduled.conflicts = own_conflicts(&scheduled, &prepared);
    scheduled
}

/// A span in the wave's own zone, as its Gantt and runbook show it.
pub(super) fn when(span: Span, tz: &str) -> Param {
    crate::message::span(from_minute(span.start), from_minute(span.end), tz)
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
                        message: Message::new("conflict.freeze")
                            .with("task", &task.name)
                            .with("key", &task.key)
                            .with("when", when(span, tz))
                            .with("freeze", name)
                            .with("frozen", when(f.span, tz)),
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
                message: Message::new("conflict.outside_window")
                    .with("task", &task.name)
                    .with("key", &task.key)
                    .with("when", when(span, tz))
                    .with("window", &window),
                with: window,
                task: task.key.clone(),
            });
        }
    }
    conflicts
}
