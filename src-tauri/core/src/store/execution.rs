//! Running a deployment: steps started and done as they happen, and an abort that rolls the
//! started waves back, step by step, until the release is rolled back.

use super::sql::Tx;
use chrono::{DateTime, Utc};

use super::audit::{self, Entry};
use super::domain::{release_id, set_stage};
use super::planning::{load_plan, schedule_in, write_plan};
use super::{Store, live_release, not_found};
use crate::error::{Error, FieldError, Result};
use crate::message::Message;
use crate::people::TeamRole;
use crate::plan::{
    Abort, AbortStep, RollbackFrom, RollbackPlan, rollback_after, rollback_from, rollback_plan,
};
use crate::release::Stage;
use crate::store::Progress;

fn refused(message: String) -> Error {
    Error::Conflict {
        field: None,
        message,
    }
}

fn deploying(tx: &Tx<'_>, key: &str) -> Result<crate::Release> {
    let release = live_release(tx, key)?.ok_or_else(|| not_found(key))?;
    if release.stage != Stage::Deploying {
        return Err(refused(format!(
            "{key} is {}; steps are run while it is deploying",
            release.stage
        )));
    }
    Ok(release)
}

impl Store {
    /// The rollback plan of every wave, from each wave's latest go/no-go.
    pub fn rollback(&self, key: &str) -> Result<RollbackPlan> {
        Ok(rollback_plan(&self.schedule(key)?))
    }

    /// "Roll back from here": the rollback decided when `task` finishes.
    pub fn rollback_from_task(&self, key: &str, task: &str) -> Result<RollbackFrom> {
        rollback_after(&self.schedule(key)?, task).ok_or_else(|| {
            Error::Validation(vec![FieldError::said(
                "task",
                Message::new("run.not_a_task")
                    .with("task", task)
                    .with("release", key),
            )])
        })
    }

    /// Records that a deployment task, or a rollback step of an aborted deployment, started or
    /// finished at `at`. The last rollback step done makes the release rolled back.
    #[allow(clippy::too_many_arguments)]
    pub fn run_step(
        &mut self,
        key: &str,
        step: &str,
        progress: Progress,
        at: DateTime<Utc>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::plan::Schedule> {
        let tx = self.write(TeamRole::ReleaseManager)?;
        let release = deploying(&tx, key)?;
        let id = release_id(&tx, key)?;
        let (mut plan, _) = load_plan(&tx, id)?.ok_or_else(|| not_found(key))?;
        let Some(abort) = plan.abort.as_mut() else {
            drop(tx);
            return self.record_progress(key, step, progress, at, actor, now);
        };
        let s = abort
            .steps
            .iter_mut()
            .find(|s| s.key == step)
            .ok_or_else(|| {
                Error::Validation(vec![FieldError::said(
                    "task",
                    Message::new("run.not_a_rollback_step").with("step", step),
                )])
            })?;
        record(&mut s.actual_start, &mut s.actual_end, step, progress, at)?;
        let all_done = abort.steps.iter().all(|s| s.actual_end.is_some());
        write_plan(&tx, id, &plan)?;
        let action = match progress {
            Progress::Started => "rollback_step_started",
            Progress::Finished => "rollback_step_done",
        };
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("release", key, action).after(format!("{step} at {at}"))],
        )?;
        if all_done {
            set_stage(&tx, &release, Stage::RolledBack, false, actor, now)?;
        }
        let schedule = schedule_in(&tx, key)?;
        tx.commit()?;
        Ok(schedule)
    }

    /// Stops a deployment at `at` and plans its rollback from there: every task that had
    /// started is undone by its backout steps, in reverse order. Refused once a point of no
    /// return has started (the plan fixes forward from there). With nothing to undo the
    /// release is rolled back at once.
    pub fn abort(
        &mut self,
        key: &str,
        reason: &str,
        at: DateTime<Utc>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::plan::Schedule> {
        if reason.trim().is_empty() {
            return Err(Error::Validation(vec![FieldError::said(
                "reason",
                Message::new("run.abort_reason"),
            )]));
        }
        let tx = self.write(TeamRole::ReleaseManager)?;
        let release = deploying(&tx, key)?;
        let id = release_id(&tx, key)?;
        let (mut plan, _) = load_plan(&tx, id)?.ok_or_else(|| not_found(key))?;
        if plan.abort.is_some() {
            return Err(refused(format!("{key} is already being rolled back")));
        }
        let schedule = schedule_in(&tx, key)?;
        let started = |t: &crate::plan::ScheduledTask| t.actual_start.is_some_and(|s| s <= at);
        if let Some(ponr) = schedule
            .tasks
            .iter()
            .find(|t| t.point_of_no_return && started(t))
        {
            return Err(refused(format!(
                "{key} cannot be rolled back: its point of no return '{}' ({}) has started; fix forward",
                ponr.name, ponr.key
            )));
        }
        let mut steps = Vec::new();
        for wave in 0..schedule.waves.len() {
            let (wave_steps, _) = rollback_from(&schedule, wave, at, started);
            let mut count = std::collections::HashMap::<String, usize>::new();
            steps.extend(wave_steps.into_iter().map(|s| {
                let n = count.entry(s.undoes.clone()).or_default();
                *n += 1;
                AbortStep {
                    key: format!("{}~{n}", s.undoes),
                    undoes: s.undoes,
                    wave: s.wave,
                    name: s.name,
                    minutes: s.minutes,
                    team: s.team,
                    planned_start: s.start,
                    planned_end: s.end,
                    actual_start: None,
                    actual_end: None,
                }
            }));
        }
        let count = steps.len();
        plan.abort = Some(Abort {
            at,
            reason: reason.trim().to_string(),
            by: actor.to_string(),
            steps,
        });
        write_plan(&tx, id, &plan)?;
        let entry = Entry::new("release", key, "abort").after(format!(
            "aborted at {at}: {}; {count} rollback step(s)",
            reason.trim()
        ));
        audit::append(&tx, actor, now, vec![entry])?;
        if count == 0 {
            set_stage(&tx, &release, Stage::RolledBack, false, actor, now)?;
        }
        let schedule = schedule_in(&tx, key)?;
        tx.commit()?;
        Ok(schedule)
    }
}

/// Sets a start or finish, refusing a finish before the start or without one.
pub(super) fn record(
    start: &mut Option<DateTime<Utc>>,
    end: &mut Option<DateTime<Utc>>,
    what: &str,
    progress: Progress,
    at: DateTime<Utc>,
) -> Result<()> {
    match progress {
        Progress::Started => *start = Some(at),
        Progress::Finished => {
            let Some(started) = *start else {
                return Err(Error::Validation(vec![FieldError::said(
                    "task",
                    Message::new("run.not_started").with("what", what),
                )]));
            };
            if at < started {
                return Err(Error::Validation(vec![FieldError::said(
                    "at",
                    Message::new("run.finish_before_start"),
                )]));
            }
            *end = Some(at);
        }
    }
    Ok(())
}
