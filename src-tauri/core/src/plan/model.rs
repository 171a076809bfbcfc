//! Deployment models: reusable templates of tasks and dependencies.

use super::*;

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
    /// How to undo it, step by step, when the wave is rolled back.
    #[serde(default)]
    pub backout: Vec<BackoutStep>,
    /// Why it needs no undoing (a smoke test, a notification).
    #[serde(default)]
    pub nothing_to_undo: Option<String>,
    /// Once it starts the wave cannot be rolled back (an irreversible data migration): the
    /// plan fixes forward from there.
    #[serde(default)]
    pub point_of_no_return: bool,
}

/// One step of undoing a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackoutStep {
    pub name: String,
    #[ts(type = "number")]
    pub minutes: i64,
    #[serde(default)]
    pub team: Option<String>,
}

/// Checks one task on its own; `at` prefixes each field ("tasks[3]." or "" for a lone task).
pub fn check_task(task: &ModelTask, at: &str, errors: &mut Vec<FieldError>) {
    let key_ok = !task.key.trim().is_empty()
        && task
            .key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if !key_ok {
        errors.push(field(
            &format!("{at}key"),
            format!(
                "'{}' is not a task key; use letters, digits, - and _ (e.g. deploy-app)",
                task.key
            ),
        ));
    }
    if task.name.trim().is_empty() {
        errors.push(field(&format!("{at}name"), "is required"));
    }
    if !(0..=14 * 24 * 60).contains(&task.minutes) {
        errors.push(field(
            &format!("{at}minutes"),
            "must be from 0 to 20160 (two weeks)",
        ));
    }
    if task.milestone.is_some() && task.minutes != 0 {
        errors.push(field(
            &format!("{at}minutes"),
            "a milestone takes 0 minutes",
        ));
    }
    check_undo(
        at.trim_end_matches('.'),
        &task.backout,
        &task.nothing_to_undo,
        task.point_of_no_return,
        errors,
    );
}

/// Checks a task's undo fields; `at` is the task's path ("tasks[3]").
pub(super) fn check_undo(
    at: &str,
    backout: &[BackoutStep],
    nothing_to_undo: &Option<String>,
    point_of_no_return: bool,
    errors: &mut Vec<FieldError>,
) {
    let path = |name: &str| {
        if at.is_empty() {
            name.to_string()
        } else {
            format!("{at}.{name}")
        }
    };
    for (j, step) in backout.iter().enumerate() {
        if step.name.trim().is_empty() {
            errors.push(field(&path(&format!("backout[{j}].name")), "is required"));
        }
        if !(1..=14 * 24 * 60).contains(&step.minutes) {
            errors.push(field(
                &path(&format!("backout[{j}].minutes")),
                "must be from 1 to 20160 (two weeks)",
            ));
        }
    }
    let ways = usize::from(!backout.is_empty())
        + usize::from(nothing_to_undo.is_some())
        + usize::from(point_of_no_return);
    if ways > 1 {
        errors.push(field(
            &format!("{at}.backout"),
            "a task has backout steps, or nothing to undo, or is the point of no return: choose one",
        ));
    }
    if nothing_to_undo
        .as_deref()
        .is_some_and(|r| r.trim().is_empty())
    {
        errors.push(field(
            &format!("{at}.nothing_to_undo"),
            "say why there is nothing to undo",
        ));
    }
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

pub(super) fn finish_to_start() -> DepKind {
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

impl DeploymentModel {
    pub fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(field("name", "is required"));
        }
        let mut keys = BTreeSet::new();
        for (i, task) in self.tasks.iter().enumerate() {
            if !keys.insert(task.key.as_str()) {
                errors.push(field(
                    &format!("tasks[{i}].key"),
                    format!("'{}' must be unique in the model", task.key),
                ));
            }
            check_task(task, &format!("tasks[{i}]."), &mut errors);
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
