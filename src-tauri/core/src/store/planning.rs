//! Windows, freezes, business hours, deployment models and release plans.

use std::collections::HashMap;

use super::sql::{Conn, OptionalExtension, Tx, params};
use chrono::{DateTime, NaiveTime, Utc};
use serde::Deserialize;
use ts_rs::TS;

use super::audit::{self, Entry};
use super::domain::{before_content_edit, release_id};
use super::models::{load_model, put_model};
use super::{Store, live_release, not_found};
use crate::calendar::{Freeze, ServiceHours, Window, parse_tz};
use crate::error::{Error, FieldError, Result};
use crate::message::{Message, time};
use crate::people::TeamRole;
use crate::plan::{
    self, Calendar, ConflictKind, ModelTask, Plan, PlanDep, PlanTask, Schedule, Slot, Strategy,
    Wave,
};
use crate::release::Stage;

/// What the planner asks for when a release gets its plan from a model.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct PlanRequest {
    pub model: String,
    pub strategy: Strategy,
    pub waves: Vec<Wave>,
}

/// Which actual time to record for a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    Started,
    Finished,
}

/// Stages whose plans still occupy the calendar.
fn occupies_calendar(stage: Stage) -> bool {
    !matches!(
        stage,
        Stage::Closed | Stage::Cancelled | Stage::RolledBack | Stage::EarlyLifeSupport
    )
}

fn stale(field: &'static str) -> Error {
    Error::Conflict {
        field: Some(field),
        message: "someone else changed the plan since you opened it; reload it and try again"
            .into(),
    }
}

impl Store {
    // ---- windows, freezes, business hours ----

    pub fn list_windows(&self) -> Result<Vec<Window>> {
        load_windows(&self.conn)
    }

    pub fn create_window(
        &mut self,
        window: &Window,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Window> {
        window.validate()?;
        let tx = self.write(TeamRole::ReleaseManager)?;
        if exists(&tx, "windows", &window.name)? {
            return Err(duplicate("name", "maintenance window", &window.name));
        }
        put_window(&tx, window)?;
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("window", &window.name, "create").after(window.describe())],
        )?;
        tx.commit()?;
        Ok(window.clone())
    }

    pub fn delete_window(&mut self, name: &str, actor: &str, now: DateTime<Utc>) -> Result<()> {
        let tx = self.write(TeamRole::ReleaseManager)?;
        let window = load_windows(&tx)?
            .into_iter()
            .find(|w| w.name == name)
            .ok_or_else(|| Error::NotFound {
                what: "maintenance window",
                key: name.into(),
            })?;
        let users = plans_using_window(&tx, name)?;
        if !users.is_empty() {
            return Err(Error::Conflict {
                field: Some("name"),
                message: format!(
                    "the waves of {} use '{name}'; change them first",
                    users.join(", ")
                ),
            });
        }
        tx.execute("DELETE FROM windows WHERE name = ?1", [name])?;
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("window", name, "delete").field(
                "window",
                Some(window.describe()),
                None,
            )],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn list_freezes(&self) -> Result<Vec<Freeze>> {
        load_freezes(&self.conn)
    }

    pub fn create_freeze(
        &mut self,
        freeze: &Freeze,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Freeze> {
        freeze.validate()?;
        let tx = self.write(TeamRole::ReleaseManager)?;
        if exists(&tx, "freezes", &freeze.name)? {
            return Err(duplicate("name", "freeze", &freeze.name));
        }
        put_freeze(&tx, freeze)?;
        let text = serde_json::to_string(freeze).unwrap_or_default();
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("freeze", &freeze.name, "create").after(text)],
        )?;
        tx.commit()?;
        Ok(freeze.clone())
    }

    pub fn delete_freeze(&mut self, name: &str, actor: &str, now: DateTime<Utc>) -> Result<Freeze> {
        let tx = self.write(TeamRole::ReleaseManager)?;
        let freeze = load_freezes(&tx)?
            .into_iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Error::NotFound {
                what: "freeze",
                key: name.into(),
            })?;
        tx.execute("DELETE FROM freezes WHERE name = ?1", [name])?;
        let text = serde_json::to_string(&freeze).unwrap_or_default();
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("freeze", name, "delete").field("freeze", Some(text), None)],
        )?;
        tx.commit()?;
        Ok(freeze)
    }

    pub fn list_service_hours(&self) -> Result<Vec<ServiceHours>> {
        load_hours(&self.conn)
    }

    pub fn set_service_hours(
        &mut self,
        hours: &ServiceHours,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        hours.validate()?;
        let tx = self.write(TeamRole::ReleaseManager)?;
        put_hours(&tx, hours)?;
        let text = serde_json::to_string(hours).unwrap_or_default();
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("ci", &hours.service, "business_hours").after(text)],
        )?;
        tx.commit()?;
        Ok(())
    }

    // ---- plans ----

    pub fn plan(&self, key: &str) -> Result<Option<Plan>> {
        let id = release_id(&self.conn, key)?;
        Ok(load_plan(&self.conn, id)?.map(|(plan, _)| plan))
    }

    /// Gives a release a plan from a model; replaces the plan it had.
    pub fn instantiate_plan(
        &mut self,
        key: &str,
        request: &PlanRequest,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        let tx = self.write(TeamRole::Planner)?;
        before_content_edit(&tx, key, actor, now)?;
        let release = live_release(&tx, key)?.ok_or_else(|| not_found(key))?;
        let model = load_model(&tx, &request.model)?.ok_or_else(|| {
            Error::Validation(vec![FieldError::new(
                "model",
                format!("'{}' is not a deployment model", request.model),
            )])
        })?;
        let windows = load_windows(&tx)?;
        let first_tz = request
            .waves
            .first()
            .map(|w| w.tz.as_str())
            .unwrap_or("UTC");
        let tz = parse_tz("waves[0].tz", first_tz).map_err(|e| Error::Validation(vec![e]))?;
        let starts_at = release
            .planned_start
            .and_time(NaiveTime::MIN)
            .and_local_timezone(tz)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let plan = plan::instantiate(
            &model,
            request.strategy,
            request.waves.clone(),
            starts_at,
            &windows,
        )?;
        let id = release_id(&tx, key)?;
        let before = load_plan(&tx, id)?.map(|(p, _)| summary(&p));
        write_plan(&tx, id, &plan)?;
        let entry = Entry::new("release", key, "plan").field("plan", before, Some(summary(&plan)));
        audit::append(&tx, actor, now, vec![entry])?;
        let schedule = schedule_in(&tx, key)?;
        tx.commit()?;
        Ok(schedule)
    }

    /// Stores a plan as it is (import); validated first.
    pub fn set_plan(
        &mut self,
        key: &str,
        plan: &Plan,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        plan.validate()?;
        let tx = self.write(TeamRole::Planner)?;
        let id = release_id(&tx, key)?;
        let before = load_plan(&tx, id)?.map(|(p, _)| summary(&p));
        write_plan(&tx, id, plan)?;
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("release", key, "plan").field("plan", before, Some(summary(plan)))],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The release's scheduled plan, with its conflicts against every other planned release.
    pub fn schedule(&self, key: &str) -> Result<Schedule> {
        schedule_in(&self.conn, key)
    }

    /// The deployment plan as scheduled, as Microsoft Project XML (MSPDI).
    pub fn plan_mspdi(&self, key: &str) -> Result<String> {
        let release = super::live_release(&self.conn, key)?.ok_or_else(|| super::not_found(key))?;
        let schedule = schedule_in(&self.conn, key)?;
        crate::mspdi::write(&release.key, &release.title, &schedule)
    }

    /// Every planned release that still occupies the calendar, scheduled, with conflicts.
    pub fn all_schedules(&self) -> Result<Vec<Schedule>> {
        let calendar = load_calendar(&self.conn)?;
        let mut schedules: Vec<Schedule> = load_all_plans(&self.conn, None)?
            .into_iter()
            .map(|(key, plan, version)| plan::lay_out(&key, &plan, &calendar, version))
            .collect();
        plan::add_overlaps(&mut schedules);
        Ok(schedules)
    }

    pub fn slots(&self, key: &str, now: DateTime<Utc>, weeks: u32) -> Result<Vec<Slot>> {
        if !(1..=52).contains(&weeks) {
            return Err(Error::Validation(vec![FieldError::new(
                "weeks",
                "must be from 1 to 52",
            )]));
        }
        let id = release_id(&self.conn, key)?;
        let (plan, _) = load_plan(&self.conn, id)?.ok_or_else(|| no_plan(key))?;
        let calendar = load_calendar(&self.conn)?;
        let others: Vec<Schedule> = self
            .all_schedules()?
            .into_iter()
            .filter(|s| s.release != key)
            .collect();
        Ok(plan::find_slots(key, &plan, &calendar, &others, now, weeks))
    }

    /// Moves the plan to start at `start` (a slot the planner picked), pins and all.
    pub fn pick_slot(
        &mut self,
        key: &str,
        start: DateTime<Utc>,
        version: i64,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        self.edit_plan(key, version, actor, now, |plan| {
            let before = plan.starts_at;
            *plan = plan::shifted(plan, start);
            Ok((None, format!("start {before}"), format!("start {start}")))
        })
    }

    /// Pins a task to a start (or unpins it with `None`). Refused, changing nothing, when the
    /// task would then start earlier than its dependencies allow, sit in a freeze, or need
    /// downtime outside its window.
    pub fn move_task(
        &mut self,
        key: &str,
        task: &str,
        start: Option<DateTime<Utc>>,
        version: i64,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        let task_key = task.to_string();
        self.edit_plan(key, version, actor, now, |plan| {
            let t = task_mut(plan, &task_key)?;
            let before = t.pinned;
            t.pinned = start;
            let text = |p: Option<DateTime<Utc>>| match p {
                Some(p) => format!("{task_key} pinned at {p}"),
                None => format!("{task_key} not pinned"),
            };
            Ok((Some((task_key.clone(), start)), text(before), text(start)))
        })
    }

    pub fn resize_task(
        &mut self,
        key: &str,
        task: &str,
        minutes: i64,
        version: i64,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        if !(1..=14 * 24 * 60).contains(&minutes) {
            return Err(Error::Validation(vec![FieldError::said(
                "minutes",
                Message::new("field.minutes_two_weeks"),
            )]));
        }
        let task_key = task.to_string();
        self.edit_plan(key, version, actor, now, |plan| {
            let t = task_mut(plan, &task_key)?;
            if t.milestone.is_some() {
                return Err(Error::Validation(vec![FieldError::said(
                    "minutes",
                    Message::new("plan.milestone_minutes"),
                )]));
            }
            let before = t.minutes;
            t.minutes = minutes;
            let pin = t.pinned;
            Ok((
                Some((task_key.clone(), pin)),
                format!("{task_key} {before} min"),
                format!("{task_key} {minutes} min"),
            ))
        })
    }

    /// Adds a task to one wave (`wave`, counted from 0) or to every wave, after the tasks
    /// `after` names by their model key (e.g. `deploy`). Checked by the scheduler like a drag.
    #[allow(clippy::too_many_arguments)]
    pub fn add_plan_task(
        &mut self,
        key: &str,
        task: &ModelTask,
        wave: Option<usize>,
        after: &[String],
        version: i64,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        let task = task.clone();
        let after = after.to_vec();
        self.edit_plan(key, version, actor, now, move |plan| {
            let waves: Vec<usize> = match wave {
                Some(w) if w < plan.waves.len() => vec![w],
                Some(_) => {
                    return Err(Error::Validation(vec![FieldError::new(
                        "wave",
                        format!("the plan has waves 1 to {}", plan.waves.len()),
                    )]));
                }
                None => (0..plan.waves.len()).collect(),
            };
            let mut errors = Vec::new();
            crate::plan::check_task(&task, "", &mut errors);
            for w in &waves {
                let full = format!("{}.{}", w + 1, task.key);
                if plan.tasks.iter().any(|t| t.key == full) {
                    errors.push(FieldError::said(
                        "key",
                        Message::new("plan.task_exists").with("key", &full),
                    ));
                }
                for a in &after {
                    let from = format!("{}.{a}", w + 1);
                    if !plan.tasks.iter().any(|t| t.key == from) {
                        errors.push(FieldError::new(
                            "after",
                            format!("'{a}' is not a task of wave {}", w + 1),
                        ));
                    }
                }
            }
            if !errors.is_empty() {
                return Err(Error::Validation(errors));
            }
            let mut first = None;
            for w in &waves {
                let full = format!("{}.{}", w + 1, task.key);
                first.get_or_insert(full.clone());
                plan.tasks
                    .push(PlanTask::from_model(&task, *w, full.clone()));
                plan.deps.extend(after.iter().map(|a| PlanDep {
                    from: format!("{}.{a}", w + 1),
                    to: full.clone(),
                    kind: crate::schedule::DepKind::FinishToStart,
                    lag_minutes: 0,
                }));
            }
            let first = first.unwrap_or_default();
            let text = format!(
                "added {} ({} min) to {} wave(s)",
                task.key,
                task.minutes,
                waves.len()
            );
            Ok((Some((first, None)), String::new(), text))
        })
    }

    /// Changes what a task is and how it is undone (its key and wave stay).
    pub fn update_plan_task(
        &mut self,
        key: &str,
        task: &str,
        fields: &ModelTask,
        version: i64,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        let task = task.to_string();
        let fields = fields.clone();
        self.edit_plan(key, version, actor, now, move |plan| {
            let mut errors = Vec::new();
            crate::plan::check_task(
                &ModelTask {
                    key: "task".into(),
                    ..fields.clone()
                },
                "",
                &mut errors,
            );
            if !errors.is_empty() {
                return Err(Error::Validation(errors));
            }
            let t = task_mut(plan, &task)?;
            let before = format!("{} '{}' ({} min)", t.key, t.name, t.minutes);
            let mut edited = PlanTask::from_model(&fields, t.wave, t.key.clone());
            edited.pinned = t.pinned;
            edited.actual_start = t.actual_start;
            edited.actual_end = t.actual_end;
            edited.baseline_start = t.baseline_start;
            edited.baseline_end = t.baseline_end;
            let after = format!("{} '{}' ({} min)", edited.key, edited.name, edited.minutes);
            let pin = edited.pinned;
            *t = edited;
            Ok((Some((task.clone(), pin)), before, after))
        })
    }

    /// Adds a dependency between two tasks of the plan; refused when it would close a circle.
    pub fn add_plan_dep(
        &mut self,
        key: &str,
        dep: &PlanDep,
        version: i64,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        let dep = dep.clone();
        self.edit_plan(key, version, actor, now, move |plan| {
            let mut errors = Vec::new();
            for (field, k) in [("from", &dep.from), ("to", &dep.to)] {
                if !plan.tasks.iter().any(|t| &t.key == k) {
                    errors.push(FieldError::said(
                        field,
                        Message::new("plan.no_such_task").with("key", k),
                    ));
                }
            }
            if dep.from == dep.to {
                errors.push(FieldError::said("to", Message::new("dep.self")));
            } else if let Some(path) = waits_through(&plan.deps, &dep.from, &dep.to) {
                errors.push(FieldError::said(
                    "to",
                    Message::new("dep.cycle")
                        .with("from", &dep.from)
                        .with("to", &dep.to)
                        .with("path", path.join(" → ")),
                ));
            }
            if plan
                .deps
                .iter()
                .any(|d| d.from == dep.from && d.to == dep.to)
            {
                errors.push(FieldError::said(
                    "to",
                    Message::new("dep.twice")
                        .with("from", &dep.from)
                        .with("to", &dep.to),
                ));
            }
            if !(-14 * 24 * 60..=14 * 24 * 60).contains(&dep.lag_minutes) {
                errors.push(FieldError::said("lag_minutes", Message::new("dep.lag")));
            }
            if !errors.is_empty() {
                return Err(Error::Validation(errors));
            }
            plan.deps.push(dep.clone());
            let text = format!(
                "{} {} {} (lag {} min)",
                dep.from, dep.kind, dep.to, dep.lag_minutes
            );
            Ok((Some((dep.to.clone(), None)), String::new(), text))
        })
    }

    pub fn remove_plan_dep(
        &mut self,
        key: &str,
        from: &str,
        to: &str,
        version: i64,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        let (from, to) = (from.to_string(), to.to_string());
        self.edit_plan(key, version, actor, now, move |plan| {
            let before = plan.deps.len();
            plan.deps.retain(|d| !(d.from == from && d.to == to));
            if plan.deps.len() == before {
                return Err(Error::NotFound {
                    what: "dependency",
                    key: format!("{from} → {to}"),
                });
            }
            Ok((None, format!("{from} → {to}"), String::new()))
        })
    }

    /// Takes a task out of the plan; what waited for it now waits for what it waited for.
    pub fn remove_plan_task(
        &mut self,
        key: &str,
        task: &str,
        version: i64,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        let task = task.to_string();
        self.edit_plan(key, version, actor, now, move |plan| {
            let index = plan
                .tasks
                .iter()
                .position(|t| t.key == task)
                .ok_or_else(|| task_not_found(&task))?;
            if plan.tasks.len() == 1 {
                return Err(Error::Validation(vec![FieldError::said(
                    "task",
                    Message::new("plan.last_task"),
                )]));
            }
            let removed = plan.tasks.remove(index);
            let before: Vec<String> = plan
                .deps
                .iter()
                .filter(|d| d.to == task)
                .map(|d| d.from.clone())
                .collect();
            let after: Vec<String> = plan
                .deps
                .iter()
                .filter(|d| d.from == task)
                .map(|d| d.to.clone())
                .collect();
            plan.deps.retain(|d| d.from != task && d.to != task);
            for from in &before {
                for to in &after {
                    if !plan.deps.iter().any(|d| &d.from == from && &d.to == to) {
                        plan.deps.push(PlanDep {
                            from: from.clone(),
                            to: to.clone(),
                            kind: crate::schedule::DepKind::FinishToStart,
                            lag_minutes: 0,
                        });
                    }
                }
            }
            Ok((
                None,
                format!(
                    "{} '{}' ({} min)",
                    removed.key, removed.name, removed.minutes
                ),
                String::new(),
            ))
        })
    }

    /// Saves the current schedule as the baseline that later plans and actuals are compared to.
    pub fn save_baseline(
        &mut self,
        key: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        let tx = self.write(TeamRole::Planner)?;
        let id = release_id(&tx, key)?;
        let (mut plan, _) = load_plan(&tx, id)?.ok_or_else(|| no_plan(key))?;
        let schedule = schedule_in(&tx, key)?;
        for (task, scheduled) in plan.tasks.iter_mut().zip(&schedule.tasks) {
            task.baseline_start = scheduled.start;
            task.baseline_end = scheduled.end;
        }
        write_plan(&tx, id, &plan)?;
        tx.execute(
            "UPDATE plans SET baseline_at = ?1 WHERE release_id = ?2",
            params![now, id],
        )?;
        audit::append(
            &tx,
            actor,
            now,
            vec![
                Entry::new("release", key, "baseline")
                    .after(format!("baseline of {} tasks", plan.tasks.len())),
            ],
        )?;
        let schedule = schedule_in(&tx, key)?;
        tx.commit()?;
        Ok(schedule)
    }

    /// Records when a task really started or finished.
    pub fn record_progress(
        &mut self,
        key: &str,
        task: &str,
        progress: Progress,
        at: DateTime<Utc>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Schedule> {
        let tx = self.write(TeamRole::ReleaseManager)?;
        let id = release_id(&tx, key)?;
        let (mut plan, _) = load_plan(&tx, id)?.ok_or_else(|| no_plan(key))?;
        let t = task_mut(&mut plan, task)?;
        super::execution::record(&mut t.actual_start, &mut t.actual_end, task, progress, at)?;
        write_plan(&tx, id, &plan)?;
        let action = match progress {
            Progress::Started => "task_started",
            Progress::Finished => "task_finished",
        };
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("release", key, action).after(format!("{task} at {at}"))],
        )?;
        // The last task of the last wave done: the deployment is over, early life support begins.
        let release = live_release(&tx, key)?.ok_or_else(|| not_found(key))?;
        if release.stage == Stage::Deploying
            && plan.abort.is_none()
            && plan.tasks.iter().all(|t| t.actual_end.is_some())
        {
            super::domain::set_stage(&tx, &release, Stage::EarlyLifeSupport, false, actor, now)?;
        }
        let schedule = schedule_in(&tx, key)?;
        tx.commit()?;
        Ok(schedule)
    }

    /// One plan edit: load, change, check what the scheduler makes of the edited task, write
    /// with one audit record, all in one transaction.
    fn edit_plan(
        &mut self,
        key: &str,
        version: i64,
        actor: &str,
        now: DateTime<Utc>,
        change: impl FnOnce(
            &mut Plan,
        )
            -> Result<(Option<(String, Option<DateTime<Utc>>)>, String, String)>,
    ) -> Result<Schedule> {
        let tx = self.write(TeamRole::Planner)?;
        let id = release_id(&tx, key)?;
        let (mut plan, stored) = load_plan(&tx, id)?.ok_or_else(|| no_plan(key))?;
        if stored != version {
            return Err(stale("version"));
        }
        before_content_edit(&tx, key, actor, now)?;
        let (edited, before, after) = change(&mut plan)?;
        write_plan(&tx, id, &plan)?;
        // The plan is in hand: no need to read it back (at 10,000 tasks, parsing costs).
        let schedule = schedule_of(&tx, key, &plan, stored + 1)?;
        if let Some((task, pin)) = edited {
            refuse_bad_placement(&schedule, &task, pin)?;
        }
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("release", key, "plan_edit").field("plan", Some(before), Some(after))],
        )?;
        tx.commit()?;
        Ok(schedule)
    }
}

/// The chain of dependencies by which `task` already waits for `on`, if it does:
/// `[on, …, task]`.
fn waits_through(deps: &[PlanDep], task: &str, on: &str) -> Option<Vec<String>> {
    let mut came_from: std::collections::HashMap<&str, &str> = Default::default();
    let mut pending = std::collections::VecDeque::from([on]);
    while let Some(at) = pending.pop_front() {
        if at == task {
            let mut path = vec![task.to_string()];
            let mut step = task;
            while let Some(previous) = came_from.get(step) {
                path.push(previous.to_string());
                step = previous;
            }
            path.reverse();
            return Some(path);
        }
        for d in deps.iter().filter(|d| d.from == at) {
            if d.to != on && !came_from.contains_key(d.to.as_str()) {
                came_from.insert(&d.to, at);
                pending.push_back(&d.to);
            }
        }
    }
    None
}

fn refuse_bad_placement(schedule: &Schedule, key: &str, pin: Option<DateTime<Utc>>) -> Result<()> {
    let task = schedule.task(key).ok_or_else(|| task_not_found(key))?;
    let refuse =
        |message: Message| Err(Error::Validation(vec![FieldError::said("start", message)]));
    if let Some(reason) = &task.unplaced {
        return refuse(
            Message::new("placement.unplaced")
                .with("task", &task.name)
                .with("why", reason.clone()),
        );
    }
    if let (Some(pin), Some(start)) = (pin, task.start)
        && start > pin
    {
        let waits: Vec<String> = schedule
            .deps
            .iter()
            .filter(|d| d.to == key)
            .filter_map(|d| schedule.task(&d.from))
            .map(|p| format!("'{}'", p.name))
            .collect();
        let tz = schedule
            .waves
            .get(task.wave)
            .map_or("UTC", |w| w.tz.as_str());
        return refuse(
            Message::new("placement.waits")
                .with("task", &task.name)
                .with("at", time(pin, tz))
                .with("waits", waits)
                .with("earliest", time(start, tz)),
        );
    }
    if let Some(c) = schedule.conflicts.iter().find(|c| {
        c.task == key && matches!(c.kind, ConflictKind::Freeze | ConflictKind::OutsideWindow)
    }) {
        return refuse(c.message.clone());
    }
    Ok(())
}

fn task_mut<'a>(plan: &'a mut Plan, key: &str) -> Result<&'a mut plan::PlanTask> {
    plan.tasks
        .iter_mut()
        .find(|t| t.key == key)
        .ok_or_else(|| task_not_found(key))
}

fn task_not_found(key: &str) -> Error {
    Error::NotFound {
        what: "task",
        key: key.into(),
    }
}

fn no_plan(key: &str) -> Error {
    Error::NotFound {
        what: "deployment plan of release",
        key: key.into(),
    }
}

fn duplicate(field: &'static str, what: &str, name: &str) -> Error {
    Error::Conflict {
        field: Some(field),
        message: format!("a {what} named '{name}' already exists"),
    }
}

fn summary(plan: &Plan) -> String {
    format!(
        "{} plan from {}: {} wave(s), {} task(s), starting {}",
        plan.strategy,
        plan.model.as_deref().unwrap_or("no model"),
        plan.waves.len(),
        plan.tasks.len(),
        plan.starts_at
    )
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| Error::Internal(format!("stored JSON is unreadable: {e}")))
}

fn exists(conn: &Conn, table: &str, name: &str) -> Result<bool> {
    conn.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE name = ?1)"),
        [name],
        |r| r.get(0),
    )
}

fn require_ci(conn: &Conn, field: &'static str, name: &str) -> Result<i64> {
    conn.query_row("SELECT id FROM cis WHERE name = ?1", [name], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            Error::Validation(vec![FieldError::new(
                field,
                format!("'{name}' is not a CI of the CMDB"),
            )])
        })
}

pub(super) fn load_windows(conn: &Conn) -> Result<Vec<Window>> {
    let mut stmt = conn.prepare("SELECT name, rule, at, minutes, tz FROM windows ORDER BY name")?;
    let rows = stmt.query_map((), |r| {
        Ok(Window {
            name: r.get(0)?,
            rule: r.get(1)?,
            at: r.get(2)?,
            minutes: r.get(3)?,
            tz: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn load_freezes(conn: &Conn) -> Result<Vec<Freeze>> {
    let mut stmt = conn.prepare(
        "SELECT name, from_at, to_at, service, rule FROM freezes ORDER BY from_at, name",
    )?;
    let rows = stmt.query_map((), |r| {
        Ok(Freeze {
            name: r.get(0)?,
            from: r.get(1)?,
            to: r.get(2)?,
            service: r.get(3)?,
            rule: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn load_hours(conn: &Conn) -> Result<Vec<ServiceHours>> {
    let mut stmt = conn.prepare(
        "SELECT c.name, h.days, h.opens, h.closes, h.tz, h.users
         FROM service_hours h JOIN cis c ON c.id = h.ci_id ORDER BY c.name",
    )?;
    let rows = stmt.query_map((), |r| {
        Ok(ServiceHours {
            service: r.get(0)?,
            days: r.get(1)?,
            opens: r.get(2)?,
            closes: r.get(3)?,
            tz: r.get(4)?,
            users: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn put_hours(tx: &Tx<'_>, hours: &ServiceHours) -> Result<()> {
    let ci = require_ci(tx, "service", &hours.service)?;
    tx.execute(
        "INSERT INTO service_hours (ci_id, days, opens, closes, tz, users) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (ci_id) DO UPDATE SET days = ?2, opens = ?3, closes = ?4, tz = ?5, users = ?6",
        params![ci, hours.days, hours.opens, hours.closes, hours.tz, hours.users],
    )?;
    Ok(())
}

pub(super) fn put_window(tx: &Tx<'_>, w: &Window) -> Result<()> {
    w.validate()?;
    tx.execute(
        "INSERT INTO windows (name, rule, at, minutes, tz) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (name) DO UPDATE SET rule = ?2, at = ?3, minutes = ?4, tz = ?5",
        params![w.name, w.rule, w.at, w.minutes, w.tz],
    )?;
    Ok(())
}

pub(super) fn put_freeze(tx: &Tx<'_>, f: &Freeze) -> Result<()> {
    f.validate()?;
    if let Some(service) = &f.service {
        require_ci(tx, "service", service)?;
    }
    tx.execute(
        "INSERT INTO freezes (name, from_at, to_at, service, rule) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (name) DO UPDATE SET from_at = ?2, to_at = ?3, service = ?4, rule = ?5",
        params![f.name, f.from, f.to, f.service, f.rule],
    )?;
    Ok(())
}

pub(super) fn load_plan(conn: &Conn, release_id: i64) -> Result<Option<(Plan, i64)>> {
    conn.query_row(
        "SELECT body, version FROM plans WHERE release_id = ?1",
        [release_id],
        |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
    )
    .optional()?
    .map(|(body, version)| Ok((parse_json(&body)?, version)))
    .transpose()
}

pub(super) fn write_plan(tx: &Tx<'_>, release_id: i64, plan: &Plan) -> Result<()> {
    plan.validate()?;
    let body = serde_json::to_string(plan).map_err(|e| Error::Internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO plans (release_id, body) VALUES (?1, ?2)
         ON CONFLICT (release_id) DO UPDATE SET body = ?2, version = plans.version + 1",
        params![release_id, body],
    )?;
    Ok(())
}

fn plans_using_window(conn: &Conn, name: &str) -> Result<Vec<String>> {
    Ok(load_all_plans(conn, None)?
        .into_iter()
        .filter(|(_, plan, _)| plan.waves.iter().any(|w| w.window.as_deref() == Some(name)))
        .map(|(key, _, _)| key)
        .collect())
}

/// Plans of live releases that still occupy the calendar, ordered by release key.
/// The releases whose plans name `ci` as a wave's or a task's target.
pub(super) fn plans_targeting(conn: &Conn, ci: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT r.key, p.body FROM plans p JOIN releases r ON r.id = p.release_id ORDER BY r.key",
    )?;
    let rows = stmt.query_map((), |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)))?;
    let mut found = Vec::new();
    for row in rows {
        let (key, body) = row?;
        let plan: Plan = parse_json(&body)?;
        let named = plan.waves.iter().any(|w| w.targets.iter().any(|t| t == ci))
            || plan.tasks.iter().any(|t| t.target.as_deref() == Some(ci));
        if named {
            found.push(key);
        }
    }
    Ok(found)
}

/// Every live plan that still occupies the calendar, but the one of `except`.
/// Every release's plan laid out, finished and cancelled ones too (the calendar feed keeps
/// them, as history and as cancellations), without the overlaps between them.
pub(super) fn every_schedule(conn: &Conn) -> Result<Vec<Schedule>> {
    let calendar = load_calendar(conn)?;
    Ok(plans_in_stages(conn, None, |_| true)?
        .into_iter()
        .map(|(key, plan, version)| plan::lay_out(&key, &plan, &calendar, version))
        .collect())
}

fn load_all_plans(conn: &Conn, except: Option<&str>) -> Result<Vec<(String, Plan, i64)>> {
    plans_in_stages(conn, except, occupies_calendar)
}

fn plans_in_stages(
    conn: &Conn,
    except: Option<&str>,
    wanted: impl Fn(Stage) -> bool,
) -> Result<Vec<(String, Plan, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT r.key, r.stage, p.body, p.version FROM plans p JOIN releases r ON r.id = p.release_id
         WHERE r.deleted_at IS NULL AND (CAST(?1 AS TEXT) IS NULL OR r.key <> ?1) ORDER BY r.key",
    )?;
    let rows = stmt.query_map([except], |r| {
        Ok((
            r.get::<String>(0)?,
            r.get::<Stage>(1)?,
            r.get::<String>(2)?,
            r.get::<i64>(3)?,
        ))
    })?;
    let mut plans = Vec::new();
    for row in rows {
        let (key, stage, body, version) = row?;
        if wanted(stage) {
            plans.push((key, parse_json(&body)?, version));
        }
    }
    Ok(plans)
}

pub(super) fn load_calendar(conn: &Conn) -> Result<Calendar> {
    let mut related: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT name FROM cis")?;
    for name in stmt.query_map((), |r| r.get::<String>(0))? {
        related.insert(name?, Vec::new());
    }
    let mut stmt = conn.prepare(
        "SELECT a.name, b.name FROM ci_relations r JOIN cis a ON a.id = r.from_ci JOIN cis b ON b.id = r.to_ci",
    )?;
    for pair in stmt.query_map((), |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)))? {
        let (from, to) = pair?;
        related.entry(from).or_default().push(to);
    }
    Ok(Calendar {
        windows: load_windows(conn)?,
        freezes: load_freezes(conn)?,
        hours: load_hours(conn)?,
        related,
    })
}

pub(super) fn schedule_in(conn: &Conn, key: &str) -> Result<Schedule> {
    let id = release_id(conn, key)?;
    let (plan, version) = load_plan(conn, id)?.ok_or_else(|| no_plan(key))?;
    schedule_of(conn, key, &plan, version)
}

/// Lays out `plan` (the release's, already in hand) with its overlaps against the others.
pub(super) fn schedule_of(conn: &Conn, key: &str, plan: &Plan, version: i64) -> Result<Schedule> {
    let calendar = load_calendar(conn)?;
    let mut all: Vec<Schedule> = load_all_plans(conn, Some(key))?
        .into_iter()
        .map(|(k, p, v)| plan::lay_out(&k, &p, &calendar, v))
        .collect();
    all.push(plan::lay_out(key, plan, &calendar, version));
    plan::add_overlaps(&mut all);
    all.pop().ok_or_else(|| no_plan(key))
}

/// The schedule of a release for its rules: `None` when it has no plan.
pub(super) fn schedule_for_rules(conn: &Conn, key: &str) -> Result<Option<Schedule>> {
    let id = release_id(conn, key)?;
    if load_plan(conn, id)?.is_none() {
        return Ok(None);
    }
    schedule_in(conn, key).map(Some)
}

/// Settings that live in the database (read before the window opens, so no audit).
impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
    }

    pub fn set_setting(&mut self, key: &str, value: &str, role: TeamRole) -> Result<()> {
        let tx = self.write(role)?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            params![key, value],
        )?;
        tx.commit()?;
        Ok(())
    }
}

pub(super) fn load_demo_planning(tx: &Tx<'_>, actor: &str, now: DateTime<Utc>) -> Result<()> {
    use crate::demo;
    let windows = demo::windows();
    for w in &windows {
        put_window(tx, w)?;
    }
    for f in demo::freezes(now.date_naive()) {
        put_freeze(tx, &f)?;
    }
    for h in demo::service_hours() {
        put_hours(tx, &h)?;
    }
    let model = demo::model();
    put_model(tx, &model, actor, now)?;
    let year = now.date_naive().format("%Y");
    for (number, strategy, waves, days) in demo::plans() {
        let key = format!("REL-{year}-{number:03}");
        // Noon UTC is outside every demo window: a plan starting at midnight began inside
        // Saturday night's Berlin window whenever that day was a Sunday, so the demo looked
        // different (and its first wave was squeezed) when loaded on a Thursday.
        let start = (now.date_naive() + chrono::Duration::days(days))
            .and_time(NaiveTime::from_hms_opt(12, 0, 0).expect("noon"))
            .and_utc();
        let plan = plan::instantiate(&model, strategy, waves, start, &windows)?;
        write_plan(tx, release_id(tx, &key)?, &plan)?;
    }
    Ok(())
}

impl Store {
    /// The release calendar: every live release, scheduled where it has a plan.
    pub fn calendar_view(&self) -> Result<plan::CalendarView> {
        let schedules = self.all_schedules()?;
        let releases = self.list_releases(&crate::ReleaseFilter::default())?;
        // Finished releases (closed, rolled back, cancelled) are history: Measures and the
        // release list show them; the calendar is for what is planned and running.
        let rows: Vec<plan::CalendarRow> = releases
            .into_iter()
            .filter(|r| !r.stage.is_final())
            .map(|r| {
                let scheduled = schedules.iter().find(|s| s.release == r.key);
                let first = scheduled.and_then(|s| s.tasks.iter().filter_map(|t| t.start).min());
                let (start, end, is_scheduled) = match (first, scheduled.and_then(|s| s.finish)) {
                    (Some(start), Some(end)) => (start, end, true),
                    _ => (
                        r.planned_start.and_time(NaiveTime::MIN).and_utc(),
                        (r.planned_end + chrono::Duration::days(1))
                            .and_time(NaiveTime::MIN)
                            .and_utc(),
                        false,
                    ),
                };
                plan::CalendarRow {
                    key: r.key,
                    title: r.title,
                    stage: r.stage,
                    start,
                    end,
                    scheduled: is_scheduled,
                    conflicts: scheduled.map(|s| s.conflicts.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let from =
            rows.iter().map(|r| r.start).min().unwrap_or_default() - chrono::Duration::days(7);
        let to = rows.iter().map(|r| r.end).max().unwrap_or_default() + chrono::Duration::days(7);
        let (windows, freezes) = plan::bands(&load_calendar(&self.conn)?, from, to);
        Ok(plan::CalendarView {
            rows,
            windows,
            freezes,
        })
    }
}
