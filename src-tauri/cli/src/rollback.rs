//! Models you can author, a release's own tasks, the rollback plan, and running a deployment.

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use relman_core::calendar::parse_datetime;
use relman_core::plan::{
    Abort, AbortStep, BackoutStep, DeploymentModel, Milestone, ModelTask, PlanDep, PlanTask,
    Schedule,
};
use relman_core::schedule::DepKind;
use relman_core::store::Progress;
use relman_core::{Error, FieldError, Store};
use serde_json::{Value, json};

use crate::{Output, local, parse_enum};

#[derive(Subcommand)]
pub enum ModelCommand {
    /// List the deployment models
    List,
    /// Show a model's tasks, dependencies and how each task is undone
    Show { name: String },
    /// Create an empty model (add its tasks with `model task add`)
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Delete a model; plans made from it keep their own copy
    Delete { name: String },
    /// A model's tasks
    #[command(subcommand)]
    Task(ModelTaskCommand),
}

#[derive(Subcommand)]
pub enum ModelTaskCommand {
    /// Add a task to a model
    Add {
        model: String,
        #[command(flatten)]
        task: TaskArgs,
    },
}

/// The flags of a task, shared by `model task add` and `release task add`.
#[derive(Args)]
pub struct TaskArgs {
    #[arg(long)]
    pub key: String,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub minutes: i64,
    /// A task it follows (finish to start; repeatable)
    #[arg(long)]
    pub after: Vec<String>,
    /// It needs downtime: placed only inside the maintenance window
    #[arg(long)]
    pub downtime: bool,
    #[arg(long, value_parser = parse_enum::<Milestone>)]
    pub milestone: Option<Milestone>,
    /// The CI it works on [default: the wave's targets]
    #[arg(long)]
    pub target: Option<String>,
    #[arg(long)]
    pub team: Option<String>,
    /// A step that undoes it, "STEP NAME=MINUTES" (repeatable, in order)
    #[arg(long, value_name = "STEP NAME=MINUTES")]
    pub backout: Vec<String>,
    /// It needs no undoing, and why (a smoke test, a notification)
    #[arg(long, value_name = "REASON")]
    pub nothing_to_undo: Option<String>,
    /// After it starts, the wave cannot be rolled back
    #[arg(long)]
    pub point_of_no_return: bool,
}

/// `--backout "STEP NAME=MINUTES"`, each step done by `team`.
fn backout_steps(specs: &[String], team: &Option<String>) -> Result<Vec<BackoutStep>, Error> {
    specs
        .iter()
        .map(|spec| {
            let (name, minutes) = spec.rsplit_once('=').ok_or_else(|| {
                format!("'{spec}' is not a step; write it as \"STEP NAME=MINUTES\"")
            })?;
            let minutes = minutes
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("'{minutes}' in '{spec}' is not a number of minutes"))?;
            Ok(BackoutStep {
                name: name.trim().to_string(),
                minutes,
                team: team.clone(),
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(|message| Error::Validation(vec![FieldError::new("backout", message)]))
}

impl TaskEditArgs {
    /// The task as it is in the plan, with the flags given applied.
    fn apply(&self, current: &PlanTask) -> Result<ModelTask, Error> {
        let team = self.team.clone().or_else(|| current.team.clone());
        let (backout, nothing_to_undo) = if !self.backout.is_empty() {
            (backout_steps(&self.backout, &team)?, None)
        } else if self.nothing_to_undo.is_some() {
            (vec![], self.nothing_to_undo.clone())
        } else {
            (current.backout.clone(), current.nothing_to_undo.clone())
        };
        Ok(ModelTask {
            key: current.key.clone(),
            name: self.name.clone().unwrap_or_else(|| current.name.clone()),
            minutes: self.minutes.unwrap_or(current.minutes),
            team,
            downtime: self.downtime.unwrap_or(current.downtime),
            milestone: self.milestone.or(current.milestone),
            target: self.target.clone().or_else(|| current.target.clone()),
            backout,
            nothing_to_undo,
            point_of_no_return: self
                .point_of_no_return
                .unwrap_or(current.point_of_no_return),
        })
    }
}

impl TaskArgs {
    fn task(&self) -> Result<ModelTask, Error> {
        let backout = backout_steps(&self.backout, &self.team)?;
        Ok(ModelTask {
            key: self.key.clone(),
            name: self.name.clone(),
            minutes: self.minutes,
            team: self.team.clone(),
            downtime: self.downtime,
            milestone: self.milestone,
            target: self.target.clone(),
            backout,
            nothing_to_undo: self.nothing_to_undo.clone(),
            point_of_no_return: self.point_of_no_return,
        })
    }
}

#[derive(Subcommand)]
pub enum ReleaseTaskCommand {
    /// Add a task to the release's plan, in one wave or in every wave
    Add {
        #[arg(value_name = "K")]
        release: String,
        /// The wave, by name or number [default: every wave]
        #[arg(long)]
        wave: Option<String>,
        #[command(flatten)]
        task: TaskArgs,
    },
    /// Take a task out of the plan (what waited for it waits for its predecessors)
    Remove { key: String, task: String },
    /// Pin a task's start (its successors follow), or unpin it with --unpin
    Move {
        key: String,
        task: String,
        /// The new start: ISO 8601 with offset, or local to --tz
        #[arg(long, value_name = "DATETIME", required_unless_present = "unpin")]
        to: Option<String>,
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// Let the scheduler place it again as early as it can
        #[arg(long, conflicts_with = "to")]
        unpin: bool,
    },
    /// Change a task's duration
    Resize {
        key: String,
        task: String,
        #[arg(long)]
        minutes: i64,
    },
    /// Change what a task is and how it is undone (only the flags given; key and wave stay)
    Edit(TaskEditArgs),
    /// Make one task wait for another
    DepAdd {
        key: String,
        /// The task waited for
        from: String,
        /// The task that waits
        to: String,
        /// fs (finish to start), ss (start to start) or ff (finish to finish)
        #[arg(long, default_value = "fs", value_parser = parse_enum::<DepKind>)]
        kind: DepKind,
        /// Minutes between them (negative: overlap)
        #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
        lag: i64,
    },
    /// Take a dependency out of the plan
    DepRemove {
        key: String,
        from: String,
        to: String,
    },
}

#[derive(Args)]
pub struct TaskEditArgs {
    pub key: String,
    pub task: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub minutes: Option<i64>,
    #[arg(long)]
    pub team: Option<String>,
    /// true or false
    #[arg(long)]
    pub downtime: Option<bool>,
    #[arg(long, value_parser = parse_enum::<Milestone>)]
    pub milestone: Option<Milestone>,
    /// The CI it works on
    #[arg(long)]
    pub target: Option<String>,
    /// A step that undoes it, "STEP NAME=MINUTES" (repeatable; replaces the steps)
    #[arg(long, value_name = "STEP NAME=MINUTES")]
    pub backout: Vec<String>,
    /// It needs no undoing, and why (replaces the steps)
    #[arg(long, value_name = "REASON", conflicts_with = "backout")]
    pub nothing_to_undo: Option<String>,
    /// true or false: after it starts, the wave cannot be rolled back
    #[arg(long)]
    pub point_of_no_return: Option<bool>,
}

fn undo_text(t: &ModelTask) -> String {
    if t.point_of_no_return {
        "POINT OF NO RETURN".into()
    } else if let Some(why) = &t.nothing_to_undo {
        format!("nothing to undo ({why})")
    } else if t.backout.is_empty() {
        "-".into()
    } else {
        t.backout
            .iter()
            .map(|s| format!("{} {} min", s.name, s.minutes))
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

fn describe_model(m: &DeploymentModel) -> String {
    let mut out = format!("{} — {} task(s)\n", m.name, m.tasks.len());
    if !m.description.is_empty() {
        out.push_str(&format!("{}\n", m.description));
    }
    for t in &m.tasks {
        let after: Vec<&str> = m
            .deps
            .iter()
            .filter(|d| d.to == t.key)
            .map(|d| d.from.as_str())
            .collect();
        out.push_str(&format!(
            "  {:<14} {:<28} {:>4} min{}{}  after: {}\n      undo: {}\n",
            t.key,
            t.name,
            t.minutes,
            if t.downtime { "  downtime" } else { "" },
            t.milestone.map(|m| format!("  {m}")).unwrap_or_default(),
            if after.is_empty() {
                "-".to_string()
            } else {
                after.join(", ")
            },
            undo_text(t)
        ));
    }
    out
}

pub fn model(
    store: &mut Store,
    command: ModelCommand,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    match command {
        ModelCommand::List => {
            let models = store.list_models()?;
            let text = if models.is_empty() {
                "No deployment models.\n".to_string()
            } else {
                models
                    .iter()
                    .map(|m| format!("{:<36} {} task(s)\n", m.name, m.tasks.len()))
                    .collect()
            };
            Ok(Output::new(models, text))
        }
        ModelCommand::Show { name } => {
            let model = store.model(&name)?;
            let text = describe_model(&model);
            Ok(Output::new(model, text))
        }
        ModelCommand::Create { name, description } => {
            let model = store.create_model(
                &DeploymentModel {
                    name: name.trim().to_string(),
                    description,
                    tasks: vec![],
                    deps: vec![],
                },
                actor,
                now,
            )?;
            let text = format!("Created model {}\n", model.name);
            Ok(Output::new(model, text))
        }
        ModelCommand::Delete { name } => {
            let model = store.delete_model(&name, actor, now)?;
            let text = format!(
                "Deleted model {}; plans made from it keep their copy\n",
                model.name
            );
            Ok(Output::new(model, text))
        }
        ModelCommand::Task(ModelTaskCommand::Add { model, task }) => {
            let model = store.add_model_task(&model, &task.task()?, &task.after, actor, now)?;
            let text = format!("Added {} to {}\n", task.key, model.name);
            Ok(Output::new(model, text))
        }
    }
}

pub fn release_task(
    store: &mut Store,
    command: ReleaseTaskCommand,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let (key, schedule, text) = match command {
        ReleaseTaskCommand::Add {
            release: key,
            wave,
            task,
        } => {
            let current = store.schedule(&key)?;
            let wave = wave
                .map(|w| {
                    current
                        .waves
                        .iter()
                        .position(|x| x.name == w)
                        .or_else(|| w.parse::<usize>().ok().and_then(|n| n.checked_sub(1)))
                        .ok_or_else(|| {
                            let names: Vec<&str> =
                                current.waves.iter().map(|w| w.name.as_str()).collect();
                            Error::Validation(vec![FieldError::new(
                                "wave",
                                format!("'{w}' is not a wave; the waves are {}", names.join(", ")),
                            )])
                        })
                })
                .transpose()?;
            let schedule = store.add_plan_task(
                &key,
                &task.task()?,
                wave,
                &task.after,
                current.version,
                actor,
                now,
            )?;
            let text = format!("Added {} to the plan of {key}\n", task.key);
            (key, schedule, text)
        }
        ReleaseTaskCommand::Remove { key, task } => {
            let version = store.schedule(&key)?.version;
            let schedule = store.remove_plan_task(&key, &task, version, actor, now)?;
            let text = format!("Removed {task} from the plan of {key}\n");
            (key, schedule, text)
        }
        ReleaseTaskCommand::Move {
            key,
            task,
            to,
            tz,
            unpin: _,
        } => {
            let start = to
                .map(|text| parse_datetime("to", &text, tz.as_deref()))
                .transpose()
                .map_err(|e| Error::Validation(vec![e]))?;
            let version = store.schedule(&key)?.version;
            let schedule = store
                .move_task(&key, &task, start, version, actor, now)
                .map_err(|e| as_flag(e, "to"))?;
            let text = match schedule.task(&task).and_then(|t| t.start) {
                Some(at) => format!("{task} of {key} now starts {}\n", local(at)),
                None => format!("{task} of {key} cannot be placed\n"),
            };
            (key, schedule, text)
        }
        ReleaseTaskCommand::Resize { key, task, minutes } => {
            let version = store.schedule(&key)?.version;
            let schedule = store
                .resize_task(&key, &task, minutes, version, actor, now)
                .map_err(|e| as_flag(e, "minutes"))?;
            let text = format!("{task} of {key} now takes {minutes} min\n");
            (key, schedule, text)
        }
        ReleaseTaskCommand::Edit(args) => {
            let plan = store.plan(&args.key)?.ok_or_else(|| no_plan(&args.key))?;
            let current = plan
                .tasks
                .iter()
                .find(|t| t.key == args.task)
                .ok_or_else(|| not_a_task(&args.task, &args.key))?;
            let fields = args.apply(current)?;
            let version = store.schedule(&args.key)?.version;
            let schedule = store
                .update_plan_task(&args.key, &args.task, &fields, version, actor, now)
                .map_err(|e| as_flag(e, "minutes"))?;
            let text = format!("Changed {} of {}\n", args.task, args.key);
            (args.key, schedule, text)
        }
        ReleaseTaskCommand::DepAdd {
            key,
            from,
            to,
            kind,
            lag,
        } => {
            let version = store.schedule(&key)?.version;
            let dep = PlanDep {
                from: from.clone(),
                to: to.clone(),
                kind,
                lag_minutes: lag,
            };
            let schedule = store
                .add_plan_dep(&key, &dep, version, actor, now)
                .map_err(|e| as_flag(e, "to"))?;
            let text = format!("{to} now waits for {from} ({kind}, lag {lag} min) in {key}\n");
            (key, schedule, text)
        }
        ReleaseTaskCommand::DepRemove { key, from, to } => {
            let version = store.schedule(&key)?.version;
            let schedule = store.remove_plan_dep(&key, &from, &to, version, actor, now)?;
            let text = format!("{to} no longer waits for {from} in {key}\n");
            (key, schedule, text)
        }
    };
    Ok(Output::new(
        json!({ "release": key, "tasks": schedule.tasks.len(), "version": schedule.version }),
        text,
    ))
}

fn iso(t: Option<DateTime<Utc>>) -> Value {
    t.map(|t| json!(t.to_rfc3339())).unwrap_or(Value::Null)
}

fn shown(t: Option<DateTime<Utc>>) -> String {
    t.map(local).unwrap_or_else(|| "-".into())
}

/// Where a rollback step stands: the operator's next step is the first not done.
fn step_state(step: &AbortStep) -> &'static str {
    match (step.actual_start, step.actual_end) {
        (_, Some(_)) => "done",
        (Some(_), None) => "started",
        (None, None) => "not_started",
    }
}

/// "Aborted Sat 19 Dec 2026 22:20 CET by anna (migration failed): 1 of 2 rollback steps done"
pub fn abort_summary(abort: &Abort) -> String {
    let done = abort
        .steps
        .iter()
        .filter(|s| s.actual_end.is_some())
        .count();
    format!(
        "Aborted {} by {} ({}): {done} of {} rollback step{} done",
        local(abort.at),
        abort.by,
        abort.reason,
        abort.steps.len(),
        if abort.steps.len() == 1 { "" } else { "s" }
    )
}

/// The abort with each rollback step's state and times, for `--json`.
pub fn abort_json(abort: &Abort) -> Value {
    json!({
        "at": abort.at,
        "by": abort.by,
        "reason": abort.reason,
        "done": abort.steps.iter().filter(|s| s.actual_end.is_some()).count(),
        "next": abort.steps.iter().find(|s| s.actual_end.is_none()).map(|s| s.key.clone()),
        "steps": abort.steps.iter().map(|s| json!({
            "key": s.key,
            "undoes": s.undoes,
            "name": s.name,
            "minutes": s.minutes,
            "team": s.team,
            "state": step_state(s),
            "planned_start": s.planned_start,
            "planned_end": s.planned_end,
            "actual_start": s.actual_start,
            "actual_end": s.actual_end,
        })).collect::<Vec<_>>(),
    })
}

/// The summary line, then one line per rollback step with its state, planned and actual times,
/// then the command for the next one.
pub fn abort_text(key: &str, abort: &Abort) -> String {
    let mut text = abort_summary(abort) + "\n";
    for s in &abort.steps {
        let actual = match (s.actual_start, s.actual_end) {
            (_, Some(end)) => format!("done {}", local(end)),
            (Some(start), None) => format!("started {}", local(start)),
            (None, None) => "not started".to_string(),
        };
        text.push_str(&format!(
            "  {:<16} {:<28} {:>4} min  planned {}  {actual}\n",
            s.key,
            s.name,
            s.minutes,
            shown(s.planned_start),
        ));
    }
    if let Some(next) = abort.steps.iter().find(|s| s.actual_end.is_none()) {
        let verb = if next.actual_start.is_some() {
            "done"
        } else {
            "start"
        };
        text.push_str(&format!(
            "Next: relman-cli release run {key} {verb} {}\n",
            next.key
        ));
    }
    text
}

/// "Roll back from here": the rollback if the wave stopped when `task` finishes as planned.
pub fn rollback_from(store: &Store, key: &str, task: &str) -> Result<Output, Error> {
    let from = store.rollback_from_task(key, task)?;
    let mut text = if !from.possible {
        format!("After {task} the wave is past its point of no return: it fixes forward\n")
    } else {
        format!(
            "Rolling back after {task} ({}) takes {} min, ends {}: {}\n",
            shown(from.at),
            from.minutes,
            shown(from.end),
            if from.fits {
                "inside the window"
            } else {
                "AFTER THE WINDOW CLOSES"
            }
        )
    };
    for s in &from.steps {
        text.push_str(&format!(
            "  {} {:<32} {:>4} min  undoes {}\n",
            shown(s.start),
            s.name,
            s.minutes,
            s.undoes
        ));
    }
    Ok(Output::new(from, text))
}

pub fn rollback(store: &Store, key: &str) -> Result<Output, Error> {
    let schedule = store.schedule(key)?;
    let plan = relman_core::plan::rollback_plan(&schedule);
    let abort = schedule.abort;
    let wave_name = |w: usize| {
        plan.waves
            .get(w)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let json = json!({
        "release": key,
        "waves": plan.waves.iter().map(|w| json!({
            "wave": w.name,
            "window_end": iso(w.window_end),
            "point_of_no_return": w.point_of_no_return,
            "latest_go_no_go": iso(w.latest_go_no_go),
            "go_no_go": iso(w.go_no_go),
            "rollback_minutes": w.rollback_minutes,
            "fits": w.fits,
        })).collect::<Vec<_>>(),
        "steps": plan.steps.iter().map(|s| json!({
            "wave": wave_name(s.wave),
            "undoes": s.undoes,
            "name": s.name,
            "minutes": s.minutes,
            "start": iso(s.start),
            "end": iso(s.end),
        })).collect::<Vec<_>>(),
        "abort": abort.as_ref().map(abort_json),
    });
    // After an abort the operator needs the steps being run, not the plan from the go/no-go.
    if let Some(abort) = &abort {
        return Ok(Output::new(json, abort_text(key, abort)));
    }
    let mut text = String::new();
    for w in &plan.waves {
        text.push_str(&format!(
            "Wave {}: {}\n",
            w.name,
            if !w.downtime {
                "no downtime".to_string()
            } else if w.fits {
                "the rollback fits the window".to_string()
            } else {
                "THE ROLLBACK DOES NOT FIT".to_string()
            }
        ));
        text.push_str(&format!("  window closes      {}\n", shown(w.window_end)));
        text.push_str(&format!(
            "  latest go/no-go    {}\n",
            shown(w.latest_go_no_go)
        ));
        text.push_str(&format!(
            "  go/no-go planned   {}{}\n",
            shown(w.go_no_go),
            w.go_no_go_rollback_end
                .map(|e| format!(" (a rollback from it ends {})", local(e)))
                .unwrap_or_default()
        ));
        text.push_str(&format!(
            "  point of no return {}\n",
            w.point_of_no_return.as_deref().unwrap_or("-")
        ));
        text.push_str(&format!(
            "  rollback from      {}: {} min\n",
            shown(w.from),
            w.rollback_minutes
        ));
        for s in plan.steps.iter().filter(|s| s.wave == w.wave) {
            text.push_str(&format!(
                "    {} – {}  {:<32} {:>4} min  undoes {}\n",
                shown(s.start),
                s.end
                    .map(|e| e.format("%H:%M").to_string())
                    .unwrap_or_default(),
                s.name,
                s.minutes,
                s.undoes
            ));
        }
    }
    Ok(Output::new(json, text))
}

/// `--at` with its `--tz`: when something happened (default: now).
pub struct At {
    pub at: Option<String>,
    pub tz: Option<String>,
}

impl At {
    fn resolve(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, Error> {
        match &self.at {
            None => Ok(now),
            Some(text) => parse_datetime("at", text, self.tz.as_deref())
                .map_err(|e| Error::Validation(vec![e])),
        }
    }
}

/// The core names where an edited task would land `start` (the window's drag); on the command
/// line that is the flag of the command given.
fn as_flag(error: Error, flag: &'static str) -> Error {
    match error {
        Error::Validation(mut fields) => {
            for f in fields.iter_mut().filter(|f| f.field == "start") {
                f.field = flag.to_string();
            }
            Error::Validation(fields)
        }
        other => other,
    }
}

fn no_plan(key: &str) -> Error {
    Error::Validation(vec![FieldError::new(
        "key",
        format!("{key} has no deployment plan; give it one with `release plan`"),
    )])
}

fn not_a_task(task: &str, key: &str) -> Error {
    Error::Validation(vec![FieldError::new(
        "task",
        format!("'{task}' is not a task of the plan of {key} (see `release schedule {key}`)"),
    )])
}

pub fn run(
    store: &mut Store,
    key: &str,
    step: &str,
    progress: Progress,
    when: At,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let at = when.resolve(now)?;
    let schedule = store.run_step(key, step, progress, at, actor, now)?;
    let verb = match progress {
        Progress::Started => "Started",
        Progress::Finished => "Done:",
    };
    let mut text = format!("{verb} {step} at {}\n", local(at));
    if let Some(release) = rolled_back(store, key)? {
        text.push_str(&release);
    }
    Ok(Output::new(run_json(key, &schedule), text))
}

fn rolled_back(store: &Store, key: &str) -> Result<Option<String>, Error> {
    let release = store.release(key)?;
    Ok((release.stage == relman_core::Stage::RolledBack)
        .then(|| format!("Every rollback step is done: {key} is rolled back\n")))
}

fn run_json(key: &str, schedule: &Schedule) -> Value {
    json!({
        "release": key,
        "tasks": schedule.tasks.iter().map(|t| json!({
            "id": t.key,
            "start": iso(t.start),
            "end": iso(t.end),
            "actual_start": iso(t.actual_start),
            "actual_end": iso(t.actual_end),
        })).collect::<Vec<_>>(),
        "abort": schedule.abort,
    })
}

pub fn abort(
    store: &mut Store,
    key: &str,
    reason: &str,
    when: At,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let at = when.resolve(now)?;
    let schedule = store.abort(key, reason, at, actor, now)?;
    let steps = schedule
        .abort
        .as_ref()
        .map(|a| a.steps.as_slice())
        .unwrap_or_default();
    let mut text = format!(
        "Aborted {key} at {}: {} rollback step(s)\n",
        local(at),
        steps.len()
    );
    for s in steps {
        text.push_str(&format!(
            "  {:<16} {:<32} {:>4} min  planned {}\n",
            s.key,
            s.name,
            s.minutes,
            shown(s.planned_start)
        ));
    }
    if let Some(done) = rolled_back(store, key)? {
        text.push_str(&done);
    } else {
        text.push_str(&format!(
            "Record each with: relman-cli release run {key} start|done STEP\n\
             See them again with: relman-cli release rollback {key}\n"
        ));
    }
    Ok(Output::new(run_json(key, &schedule), text))
}
