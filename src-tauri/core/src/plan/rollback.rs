//! Rollback planning: how a wave comes out again. Rolling back at a moment t undoes every task
//! of the wave that started before t, each by its backout steps, in the reverse of the
//! deployment's dependency order; the scheduler lays the steps out, so independent branches
//! run in parallel and the duration is the longest path. The latest go/no-go is the latest
//! decision moment whose rollback still ends inside the wave's maintenance window.

use super::*;

/// One step of a rollback, laid out in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RollbackStep {
    pub wave: usize,
    /// The key of the task it undoes.
    pub undoes: String,
    pub name: String,
    #[ts(type = "number")]
    pub minutes: i64,
    pub team: Option<String>,
    #[ts(type = "string | null")]
    pub start: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub end: Option<DateTime<Utc>>,
}

/// What a wave's rollback looks like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct WaveRollback {
    pub wave: usize,
    pub name: String,
    pub tz: String,
    /// Whether the wave has downtime: only then must its rollback fit a window.
    pub downtime: bool,
    /// When the maintenance window holding the wave's downtime closes.
    #[ts(type = "string | null")]
    pub window_end: Option<DateTime<Utc>>,
    /// The task after whose start the wave can no longer be rolled back.
    pub point_of_no_return: Option<String>,
    #[ts(type = "string | null")]
    pub point_of_no_return_at: Option<DateTime<Utc>>,
    /// The latest moment to decide: a rollback from then still ends inside the window.
    #[ts(type = "string | null")]
    pub latest_go_no_go: Option<DateTime<Utc>>,
    /// The go/no-go milestone as scheduled.
    pub go_no_go_task: Option<String>,
    #[ts(type = "string | null")]
    pub go_no_go: Option<DateTime<Utc>>,
    /// The moment `steps` roll back from: the latest go/no-go, else the go/no-go milestone,
    /// else the wave's start.
    #[ts(type = "string | null")]
    pub from: Option<DateTime<Utc>>,
    /// How long the rollback from `from` takes.
    #[ts(type = "number")]
    pub rollback_minutes: i64,
    /// How long a rollback decided at the go/no-go milestone takes, and when it ends.
    #[ts(type = "number | null")]
    pub go_no_go_rollback_minutes: Option<i64>,
    #[ts(type = "string | null")]
    pub go_no_go_rollback_end: Option<DateTime<Utc>>,
    /// A rollback decided at the go/no-go milestone ends inside the window (always true for a
    /// wave without downtime).
    pub fits: bool,
    /// Downtime tasks with neither backout steps, nor nothing to undo, nor the point of no return.
    pub uncovered: Vec<String>,
}

/// The rollback plan of a release: per wave, and the steps of each from its `from` moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RollbackPlan {
    pub release: String,
    pub waves: Vec<WaveRollback>,
    pub steps: Vec<RollbackStep>,
}

/// "Roll back from here": the rollback decided when a task finishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RollbackFrom {
    pub task: String,
    #[ts(type = "string | null")]
    pub at: Option<DateTime<Utc>>,
    #[ts(type = "number")]
    pub minutes: i64,
    #[ts(type = "string | null")]
    pub end: Option<DateTime<Utc>>,
    /// Whether it ends inside the window (true for a wave without downtime).
    pub fits: bool,
    /// False when the point of no return has started by then: the wave fixes forward.
    pub possible: bool,
    pub steps: Vec<RollbackStep>,
}

/// The rollback decided when `task` finishes (as planned).
pub fn rollback_after(schedule: &Schedule, task: &str) -> Option<RollbackFrom> {
    let t = schedule.task(task)?;
    let at = t.end?;
    let plan = rollback_plan(schedule);
    let wave = plan.waves.get(t.wave)?;
    let started = |x: &ScheduledTask| began(x).is_some_and(|s| s < at);
    let possible = !schedule
        .tasks
        .iter()
        .any(|x| x.wave == t.wave && x.point_of_no_return && started(x));
    let (steps, minutes) = rollback_from(schedule, t.wave, at, started);
    let end = at + Duration::minutes(minutes);
    Some(RollbackFrom {
        task: task.to_string(),
        at: Some(at),
        minutes,
        end: Some(end),
        fits: wave.window_end.is_none_or(|w| end <= w),
        possible,
        steps,
    })
}

/// When a task started: as recorded, else as planned.
fn began(task: &ScheduledTask) -> Option<DateTime<Utc>> {
    task.actual_start.or(task.start)
}

/// The rollback of `wave` decided at `t`, over the tasks `started` says have begun, laid out
/// from `t`. Returns the steps and the rollback's length in minutes.
pub fn rollback_from(
    schedule: &Schedule,
    wave: usize,
    t: DateTime<Utc>,
    started: impl Fn(&ScheduledTask) -> bool,
) -> (Vec<RollbackStep>, i64) {
    let undone: Vec<usize> = (0..schedule.tasks.len())
        .filter(|&i| schedule.tasks[i].wave == wave && started(&schedule.tasks[i]))
        .collect();
    let mut nodes: Vec<schedule::Task> = Vec::new();
    // For each node: (task index, step index), or a zero-length stand-in (step None).
    let mut what: Vec<(usize, Option<usize>)> = Vec::new();
    let mut deps: Vec<Dep> = Vec::new();
    let mut ends: HashMap<&str, (usize, usize)> = HashMap::new();
    for &i in &undone {
        let task = &schedule.tasks[i];
        let first = nodes.len();
        if task.backout.is_empty() {
            nodes.push(schedule::Task::default());
            what.push((i, None));
        } else {
            for (s, step) in task.backout.iter().enumerate() {
                if s > 0 {
                    deps.push(Dep {
                        from: nodes.len() - 1,
                        to: nodes.len(),
                        kind: DepKind::FinishToStart,
                        lag: 0,
                    });
                }
                nodes.push(schedule::Task {
                    duration: step.minutes,
                    ..schedule::Task::default()
                });
                what.push((i, Some(s)));
            }
        }
        ends.insert(task.key.as_str(), (first, nodes.len() - 1));
    }
    // A task is undone only after everything that depends on it is undone.
    for dep in &schedule.deps {
        if let (Some(&(from_first, _)), Some(&(_, to_last))) =
            (ends.get(dep.from.as_str()), ends.get(dep.to.as_str()))
        {
            deps.push(Dep {
                from: to_last,
                to: from_first,
                kind: DepKind::FinishToStart,
                lag: 0,
            });
        }
    }
    let start = to_minute(t);
    let outcome = schedule::schedule(&Problem {
        tasks: &nodes,
        deps: &deps,
        start,
        window_sets: &[Vec::new()],
        freezes: &[],
    });
    let mut steps: Vec<RollbackStep> = what
        .iter()
        .zip(&outcome.placements)
        .filter_map(|(&(i, step), placement)| {
            let task = &schedule.tasks[i];
            let step = &task.backout[step?];
            let span = placement.span();
            Some(RollbackStep {
                wave,
                undoes: task.key.clone(),
                name: step.name.clone(),
                minutes: step.minutes,
                team: step.team.clone(),
                start: span.map(|s| from_minute(s.start)),
                end: span.map(|s| from_minute(s.end)),
            })
        })
        .collect();
    steps.sort_by(|a, b| a.start.cmp(&b.start).then(a.undoes.cmp(&b.undoes)));
    let minutes = outcome.finish.map(|f| f - start).unwrap_or(0).max(0);
    (steps, minutes)
}

/// The rollback of every wave of a scheduled plan.
pub fn rollback_plan(schedule: &Schedule) -> RollbackPlan {
    let mut waves = Vec::new();
    let mut steps = Vec::new();
    for (w, wave) in schedule.waves.iter().enumerate() {
        let (rollback, wave_steps) = wave_rollback(schedule, w, wave);
        waves.push(rollback);
        steps.extend(wave_steps);
    }
    RollbackPlan {
        release: schedule.release.clone(),
        waves,
        steps,
    }
}

fn wave_rollback(schedule: &Schedule, w: usize, wave: &Wave) -> (WaveRollback, Vec<RollbackStep>) {
    let tasks: Vec<&ScheduledTask> = schedule.tasks.iter().filter(|t| t.wave == w).collect();
    let downtime: Vec<&&ScheduledTask> = tasks.iter().filter(|t| t.downtime).collect();
    let uncovered = downtime
        .iter()
        .filter(|t| t.milestone.is_none())
        .filter(|t| t.backout.is_empty() && t.nothing_to_undo.is_none() && !t.point_of_no_return)
        .map(|t| t.key.clone())
        .collect();
    let ponr = tasks
        .iter()
        .filter(|t| t.point_of_no_return)
        .filter_map(|t| Some((began(t)?, t.key.clone())))
        .min();
    let go = tasks
        .iter()
        .filter(|t| t.milestone == Some(Milestone::GoNoGo))
        .filter_map(|t| Some((t.start?, t.key.clone())))
        .min();
    let window_end = downtime
        .iter()
        .filter_map(|t| t.start)
        .min()
        .and_then(|first| {
            schedule
                .windows
                .iter()
                .filter(|b| wave.window.as_ref().is_none_or(|name| &b.name == name))
                .find(|b| b.start <= first && first < b.end)
                .map(|b| b.end)
        });
    let planned = |t: DateTime<Utc>| move |task: &ScheduledTask| began(task).is_some_and(|s| s < t);
    let length = |t: DateTime<Utc>| rollback_from(schedule, w, t, planned(t)).1;
    let wave_start = tasks.iter().filter_map(|t| t.start).min();
    let latest = window_end.and_then(|end| {
        let mut moments: Vec<DateTime<Utc>> = wave_start.into_iter().collect();
        moments.extend(
            tasks
                .iter()
                .filter_map(|t| t.end)
                .filter(|e| ponr.as_ref().is_none_or(|(p, _)| e <= p)),
        );
        moments.sort();
        moments.dedup();
        // A later moment never ends its rollback earlier (more has started, and undoing more
        // never takes less time), so the moments that fit are a prefix: binary search.
        let fitting = moments.partition_point(|&t| t + Duration::minutes(length(t)) <= end);
        fitting.checked_sub(1).map(|i| moments[i])
    });
    let at_go = go.as_ref().map(|(t, _)| {
        let minutes = length(*t);
        (minutes, *t + Duration::minutes(minutes))
    });
    let fits = downtime.is_empty() || matches!((&go, latest), (Some((g, _)), Some(l)) if *g <= l);
    let from = latest.or(go.as_ref().map(|(t, _)| *t)).or(wave_start);
    let (steps, rollback_minutes) = match from {
        Some(t) => rollback_from(schedule, w, t, planned(t)),
        None => (Vec::new(), 0),
    };
    (
        WaveRollback {
            wave: w,
            name: wave.name.clone(),
            tz: wave.tz.clone(),
            downtime: !downtime.is_empty(),
            window_end,
            point_of_no_return: ponr.as_ref().map(|(_, k)| k.clone()),
            point_of_no_return_at: ponr.map(|(t, _)| t),
            latest_go_no_go: latest,
            go_no_go_task: go.as_ref().map(|(_, k)| k.clone()),
            go_no_go: go.map(|(t, _)| t),
            from,
            rollback_minutes,
            go_no_go_rollback_minutes: at_go.map(|(m, _)| m),
            go_no_go_rollback_end: at_go.map(|(_, e)| e),
            fits,
            uncovered,
        },
        steps,
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Europe::Berlin;

    use super::*;

    fn berlin(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Berlin
            .with_ymd_and_hms(2026, 12, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn step(name: &str, minutes: i64) -> Vec<BackoutStep> {
        vec![BackoutStep {
            name: name.into(),
            minutes,
            team: None,
        }]
    }

    /// The worked case of the rollback issue: window Sat 22:00–02:00 Berlin, seven tasks in
    /// sequence from 22:00, the go/no-go milestone where `go_after` says.
    fn worked_case(go_after: &str) -> Schedule {
        let nothing = |why: &str| Some(why.to_string());
        let mut model = DeploymentModel {
            name: "worked".into(),
            description: String::new(),
            tasks: vec![],
            deps: vec![],
        };
        let mut add = |key: &str, minutes: i64, backout: Vec<BackoutStep>, none: Option<String>| {
            model.tasks.push(ModelTask {
                key: key.into(),
                name: key.into(),
                minutes,
                team: None,
                downtime: minutes > 0,
                milestone: (minutes == 0).then_some(Milestone::GoNoGo),
                target: None,
                backout,
                nothing_to_undo: none,
                point_of_no_return: false,
            });
        };
        add("backup", 30, vec![], nothing("a backup changes nothing"));
        add("stop", 10, step("start services", 10), None);
        add("migrate", 60, step("restore database", 45), None);
        add("deploy", 45, step("redeploy previous", 30), None);
        if go_after == "deploy" {
            add("go", 0, vec![], None);
        }
        add("smoke", 30, vec![], nothing("a test changes nothing"));
        if go_after == "smoke" {
            add("go", 0, vec![], None);
        }
        add("open", 10, step("close to users", 5), None);
        let keys: Vec<String> = model.tasks.iter().map(|t| t.key.clone()).collect();
        model.deps = keys
            .windows(2)
            .map(|pair| ModelDep {
                from: pair[0].clone(),
                to: pair[1].clone(),
                kind: DepKind::FinishToStart,
                lag_minutes: 0,
            })
            .collect();
        let window = Window {
            name: "Saturday night".into(),
            rule: "FREQ=WEEKLY;BYDAY=SA".into(),
            at: "22:00".into(),
            minutes: 240,
            tz: "Europe/Berlin".into(),
        };
        let wave = Wave {
            name: "All".into(),
            tz: "Europe/Berlin".into(),
            window: Some(window.name.clone()),
            targets: vec![],
            observation_minutes: 0,
        };
        let plan = instantiate(
            &model,
            Strategy::BigBang,
            vec![wave],
            berlin(5, 20, 0),
            std::slice::from_ref(&window),
        )
        .unwrap();
        let calendar = Calendar {
            windows: vec![window],
            ..Calendar::default()
        };
        lay_out("REL-1", &plan, &calendar, 1)
    }

    fn rollback_length(s: &Schedule, t: DateTime<Utc>) -> i64 {
        rollback_from(s, 0, t, |task| began(task).is_some_and(|b| b < t)).1
    }

    #[test]
    fn the_worked_case() {
        let s = worked_case("smoke");
        assert_eq!(s.task("1.backup").unwrap().start, Some(berlin(5, 22, 0)));
        assert_eq!(s.task("1.deploy").unwrap().end, Some(berlin(6, 0, 25)));
        // After "deploy" (00:25): 30 + 45 + 10 = 85 min, ends 01:50: fits.
        assert_eq!(rollback_length(&s, berlin(6, 0, 25)), 85);
        // After "smoke test" (00:55): still 85, ends 02:20: too late.
        assert_eq!(rollback_length(&s, berlin(6, 0, 55)), 85);
        // After "open to users" (01:05): 90, ends 02:35: too late.
        assert_eq!(rollback_length(&s, berlin(6, 1, 5)), 90);

        let plan = rollback_plan(&s);
        let wave = &plan.waves[0];
        assert_eq!(wave.window_end, Some(berlin(6, 2, 0)));
        assert_eq!(wave.latest_go_no_go, Some(berlin(6, 0, 25)));
        assert_eq!(wave.go_no_go, Some(berlin(6, 0, 55)));
        assert!(!wave.fits, "a go/no-go after the smoke test is too late");
        assert_eq!(wave.rollback_minutes, 85);
        assert_eq!(wave.go_no_go_rollback_end, Some(berlin(6, 2, 20)));
        // The steps, from the latest go/no-go, undo in reverse order.
        let names: Vec<&str> = plan.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["redeploy previous", "restore database", "start services"]
        );
        assert_eq!(plan.steps[2].end, Some(berlin(6, 1, 50)));

        let good = rollback_plan(&worked_case("deploy"));
        assert!(good.waves[0].fits, "a go/no-go right after deploy passes");
        assert_eq!(good.waves[0].latest_go_no_go, Some(berlin(6, 0, 25)));
        assert!(good.waves[0].uncovered.is_empty());
    }

    #[test]
    fn a_task_starting_exactly_at_t_has_not_started_and_a_running_one_has() {
        let s = worked_case("deploy");
        // 23:40 is when "deploy" starts: only stop and migrate are undone.
        assert_eq!(rollback_length(&s, berlin(5, 23, 40)), 55);
        // 23:41: deploy is running, so it is undone too.
        assert_eq!(rollback_length(&s, berlin(5, 23, 41)), 85);
    }

    #[test]
    fn independent_branches_roll_back_in_parallel() {
        let mut s = worked_case("deploy");
        // Make "migrate" and "deploy" both depend on "stop" only, so they ran side by side.
        s.deps
            .retain(|d| !(d.from == "1.migrate" && d.to == "1.deploy"));
        s.deps.push(PlanDep {
            from: "1.stop".into(),
            to: "1.deploy".into(),
            kind: DepKind::FinishToStart,
            lag_minutes: 0,
        });
        let t = berlin(6, 3, 0);
        // restore (45) and redeploy (30) in parallel, then start services (10).
        assert_eq!(rollback_length(&s, t), 55);
    }

    #[test]
    fn a_point_of_no_return_ends_the_candidate_moments() {
        let mut s = worked_case("deploy");
        let migrate = s.tasks.iter_mut().find(|t| t.key == "1.migrate").unwrap();
        migrate.backout.clear();
        migrate.point_of_no_return = true;
        let plan = rollback_plan(&s);
        let wave = &plan.waves[0];
        assert_eq!(wave.point_of_no_return.as_deref(), Some("1.migrate"));
        // Latest decision before the migration starts at 22:40.
        assert_eq!(wave.latest_go_no_go, Some(berlin(5, 22, 40)));
        assert!(
            !wave.fits,
            "the go/no-go at 00:25 is after the point of no return"
        );
    }
}
