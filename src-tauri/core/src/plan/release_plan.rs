//! A release's plan: waves, tasks and dependencies, made from a model and validated.

use super::*;

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

// What is absent or false is left out when a task is written: a plan of 10,000 tasks is
// stored whole at every edit, and the defaults were 60% of it.
/// A task of a release's plan. A field left out takes its default: none, false or empty.
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub downtime: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Milestone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// How to undo it, step by step, when the wave is rolled back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backout: Vec<BackoutStep>,
    /// Why it needs no undoing (a smoke test, a notification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nothing_to_undo: Option<String>,
    /// Once it starts the wave cannot be rolled back (an irreversible data migration): the
    /// plan fixes forward from there.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub point_of_no_return: bool,
    /// A start the planner set by dragging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "string | null")]
    pub pinned: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "string | null")]
    pub actual_start: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "string | null")]
    pub actual_end: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "string | null")]
    pub baseline_start: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    /// Set when the deployment was aborted: the rollback being carried out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort: Option<Abort>,
}

/// A deployment stopped and being rolled back: when, why, by whom, and its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Abort {
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub reason: String,
    pub by: String,
    pub steps: Vec<AbortStep>,
}

/// One rollback step of an aborted deployment, planned from the abort and done by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AbortStep {
    /// `<task>~<n>`, e.g. `1.deploy~1`: the n-th backout step of that task.
    pub key: String,
    pub undoes: String,
    pub wave: usize,
    pub name: String,
    #[ts(type = "number")]
    pub minutes: i64,
    #[serde(default)]
    pub team: Option<String>,
    #[ts(type = "string | null")]
    pub planned_start: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub planned_end: Option<DateTime<Utc>>,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub actual_start: Option<DateTime<Utc>>,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub actual_end: Option<DateTime<Utc>>,
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
    if model.tasks.is_empty() {
        errors.push(field(
            "model",
            format!(
                "'{}' has no tasks yet; add them in the model first",
                model.name
            ),
        ));
    }
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
        tasks.extend(
            model
                .tasks
                .iter()
                .map(|t| PlanTask::from_model(t, w, key(&t.key))),
        );
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
        abort: None,
    })
}

impl PlanTask {
    /// The plan's copy of a model task in wave `wave`, under the plan key `key`.
    pub fn from_model(t: &ModelTask, wave: usize, key: String) -> PlanTask {
        PlanTask {
            key,
            wave,
            name: t.name.clone(),
            minutes: t.minutes,
            team: t.team.clone(),
            downtime: t.downtime,
            milestone: t.milestone,
            target: t.target.clone(),
            backout: t.backout.clone(),
            nothing_to_undo: t.nothing_to_undo.clone(),
            point_of_no_return: t.point_of_no_return,
            pinned: None,
            actual_start: None,
            actual_end: None,
            baseline_start: None,
            baseline_end: None,
        }
    }
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
            check_undo(
                &format!("tasks[{i}]"),
                &t.backout,
                &t.nothing_to_undo,
                t.point_of_no_return,
                &mut errors,
            );
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
