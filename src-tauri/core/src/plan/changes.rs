//! What an edit changed in a schedule, for a window that holds the schedule before it. At
//! 10,000 tasks a schedule is 4.8 MB of JSON, and reading and parsing it was most of a drag's
//! round trip; a drag changes a few hundred tasks and shifts the slack of the rest.

use super::*;

/// A schedule as the window should show it next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleUpdate {
    /// The window holds no earlier version of this schedule: all of it.
    Whole(Schedule),
    /// What changed since the version the window holds.
    Changes(ScheduleChanges),
}

/// The difference between two schedules of one release. The small parts come whole; the
/// tasks, only those that changed; the lists, only when they changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ScheduleChanges {
    /// The version these changes apply to.
    #[ts(type = "number")]
    pub base_version: i64,
    #[ts(type = "number")]
    pub version: i64,
    pub strategy: Strategy,
    pub model: Option<String>,
    #[ts(type = "string")]
    pub starts_at: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub finish: Option<DateTime<Utc>>,
    pub waves: Vec<Wave>,
    pub abort: Option<Abort>,
    /// Tasks that are new or changed in more than their slack, whole.
    pub tasks: Vec<ScheduledTask>,
    /// Tasks whose slack or criticality alone changed: a later finish shifts the slack of
    /// every other chain, so this list is long and kept small.
    pub slack: Vec<SlackChange>,
    /// Every task key in order, when tasks came, went or changed places; else the order
    /// stands.
    pub order: Option<Vec<String>>,
    pub deps: Option<Vec<PlanDep>>,
    pub conflicts: Option<Vec<Conflict>>,
    pub windows: Option<Vec<Band>>,
    pub freezes: Option<Vec<Band>>,
}

/// A task's new slack and criticality: `[key, slack minutes, critical]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SlackChange(
    pub String,
    #[ts(type = "number | null")] pub Option<i64>,
    pub bool,
);

impl ScheduleUpdate {
    /// `after` as changes to `before`, when `before` is the same release's schedule at
    /// `base_version`; otherwise whole.
    pub fn since(before: Option<&Schedule>, base_version: i64, after: &Schedule) -> Self {
        match before {
            Some(before) if before.release == after.release && before.version == base_version => {
                ScheduleUpdate::Changes(ScheduleChanges::between(before, after))
            }
            _ => ScheduleUpdate::Whole(after.clone()),
        }
    }
}

impl ScheduleChanges {
    pub fn between(before: &Schedule, after: &Schedule) -> ScheduleChanges {
        let old: HashMap<&str, &ScheduledTask> =
            before.tasks.iter().map(|t| (t.key.as_str(), t)).collect();
        let mut tasks = Vec::new();
        let mut slack = Vec::new();
        for task in &after.tasks {
            match old.get(task.key.as_str()) {
                Some(was) if *was == task => {}
                Some(was) if same_but_slack(was, task) => slack.push(SlackChange(
                    task.key.clone(),
                    task.slack_minutes,
                    task.critical,
                )),
                _ => tasks.push(task.clone()),
            }
        }
        let same_order = before.tasks.len() == after.tasks.len()
            && before
                .tasks
                .iter()
                .zip(&after.tasks)
                .all(|(a, b)| a.key == b.key);
        ScheduleChanges {
            base_version: before.version,
            version: after.version,
            strategy: after.strategy,
            model: after.model.clone(),
            starts_at: after.starts_at,
            finish: after.finish,
            waves: after.waves.clone(),
            abort: after.abort.clone(),
            tasks,
            slack,
            order: (!same_order).then(|| after.tasks.iter().map(|t| t.key.clone()).collect()),
            deps: changed(&before.deps, &after.deps),
            conflicts: changed(&before.conflicts, &after.conflicts),
            windows: changed(&before.windows, &after.windows),
            freezes: changed(&before.freezes, &after.freezes),
        }
    }

    /// The schedule these changes make of `before`: what the window does, in Rust, so that
    /// a test can hold the two to each other.
    pub fn apply(&self, before: &Schedule) -> Schedule {
        let mut by_key: HashMap<&str, ScheduledTask> = before
            .tasks
            .iter()
            .map(|t| (t.key.as_str(), t.clone()))
            .collect();
        for task in &self.tasks {
            by_key.insert(task.key.as_str(), task.clone());
        }
        for SlackChange(key, minutes, critical) in &self.slack {
            if let Some(task) = by_key.get_mut(key.as_str()) {
                task.slack_minutes = *minutes;
                task.critical = *critical;
            }
        }
        let order: Vec<&str> = match &self.order {
            Some(keys) => keys.iter().map(String::as_str).collect(),
            None => before.tasks.iter().map(|t| t.key.as_str()).collect(),
        };
        Schedule {
            release: before.release.clone(),
            strategy: self.strategy,
            model: self.model.clone(),
            starts_at: self.starts_at,
            finish: self.finish,
            waves: self.waves.clone(),
            tasks: order.iter().filter_map(|k| by_key.remove(k)).collect(),
            deps: self.deps.clone().unwrap_or_else(|| before.deps.clone()),
            windows: self
                .windows
                .clone()
                .unwrap_or_else(|| before.windows.clone()),
            freezes: self
                .freezes
                .clone()
                .unwrap_or_else(|| before.freezes.clone()),
            conflicts: self
                .conflicts
                .clone()
                .unwrap_or_else(|| before.conflicts.clone()),
            version: self.version,
            abort: self.abort.clone(),
        }
    }
}

fn changed<T: PartialEq + Clone>(before: &[T], after: &[T]) -> Option<Vec<T>> {
    (before != after).then(|| after.to_vec())
}

fn same_but_slack(a: &ScheduledTask, b: &ScheduledTask) -> bool {
    let ScheduledTask {
        key,
        wave,
        name,
        team,
        minutes,
        downtime,
        milestone,
        target,
        backout,
        nothing_to_undo,
        point_of_no_return,
        cis,
        pinned,
        start,
        end,
        slack_minutes: _,
        critical: _,
        unplaced,
        baseline_start,
        baseline_end,
        actual_start,
        actual_end,
        variance_minutes,
    } = a;
    // Destructured, so that a field added to ScheduledTask must be placed here.
    *key == b.key
        && *wave == b.wave
        && *name == b.name
        && *team == b.team
        && *minutes == b.minutes
        && *downtime == b.downtime
        && *milestone == b.milestone
        && *target == b.target
        && *backout == b.backout
        && *nothing_to_undo == b.nothing_to_undo
        && *point_of_no_return == b.point_of_no_return
        && *cis == b.cis
        && *pinned == b.pinned
        && *start == b.start
        && *end == b.end
        && *unplaced == b.unplaced
        && *baseline_start == b.baseline_start
        && *baseline_end == b.baseline_end
        && *actual_start == b.actual_start
        && *actual_end == b.actual_end
        && *variance_minutes == b.variance_minutes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 12, 5, hour, 0, 0).unwrap()
    }

    /// Three chains of four 30-minute tasks in one wave, all starting at 08:00.
    fn plan() -> Plan {
        let model = DeploymentModel {
            name: "chains".into(),
            description: String::new(),
            tasks: (0..12)
                .map(|i| ModelTask {
                    key: format!("t{i}"),
                    name: format!("Task {i}"),
                    minutes: 30,
                    team: None,
                    downtime: false,
                    milestone: None,
                    target: None,
                    backout: vec![],
                    nothing_to_undo: Some("a test".into()),
                    point_of_no_return: false,
                })
                .collect(),
            deps: (1..12)
                .filter(|i| i % 4 != 0)
                .map(|i| ModelDep {
                    from: format!("t{}", i - 1),
                    to: format!("t{i}"),
                    kind: DepKind::FinishToStart,
                    lag_minutes: 0,
                })
                .collect(),
        };
        let wave = Wave {
            name: "all".into(),
            tz: "UTC".into(),
            window: None,
            targets: vec![],
            observation_minutes: 0,
        };
        instantiate(&model, Strategy::BigBang, vec![wave], at(8), &[]).unwrap()
    }

    fn lay(plan: &Plan, calendar: &Calendar, version: i64) -> Schedule {
        lay_out("REL-1", plan, calendar, version)
    }

    fn task<'a>(plan: &'a mut Plan, key: &str) -> &'a mut PlanTask {
        plan.tasks.iter_mut().find(|t| t.key == key).unwrap()
    }

    /// The changes, applied to the schedule before, give the schedule after.
    fn round_trip(before: &Schedule, after: &Schedule) -> ScheduleChanges {
        let changes = ScheduleChanges::between(before, after);
        assert_eq!(changes.apply(before), *after);
        changes
    }

    #[test]
    fn a_move_sends_its_chain_whole_and_the_other_chains_slack_only() {
        let calendar = Calendar::default();
        let mut plan = plan();
        let before = lay(&plan, &calendar, 1);
        task(&mut plan, "1.t0").pinned = Some(at(9));
        let after = lay(&plan, &calendar, 2);
        let changes = round_trip(&before, &after);
        let moved: Vec<&str> = changes.tasks.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(moved, ["1.t0", "1.t1", "1.t2", "1.t3"]);
        // The finish moved an hour later: the other eight tasks gained an hour of slack.
        assert_eq!(changes.slack.len(), 8);
        assert!(changes.slack.iter().all(|s| s.1 == Some(60) && !s.2));
        assert_eq!((changes.base_version, changes.version), (1, 2));
        assert_eq!(changes.order, None);
        assert_eq!(changes.deps, None);
        assert_eq!(changes.conflicts, None);
    }

    #[test]
    fn nothing_changed_sends_no_task() {
        let calendar = Calendar::default();
        let schedule = lay(&plan(), &calendar, 3);
        let changes = round_trip(&schedule, &schedule);
        assert!(changes.tasks.is_empty() && changes.slack.is_empty());
    }

    #[test]
    fn added_and_removed_tasks_and_dependencies_send_the_order_and_the_links() {
        let calendar = Calendar::default();
        let mut plan = plan();
        let before = lay(&plan, &calendar, 1);
        plan.tasks.retain(|t| t.key != "1.t5");
        plan.deps.retain(|d| d.from != "1.t5" && d.to != "1.t5");
        let mut extra = plan.tasks[0].clone();
        extra.key = "1.extra".into();
        plan.tasks.insert(2, extra);
        plan.deps.push(PlanDep {
            from: "1.t3".into(),
            to: "1.extra".into(),
            kind: DepKind::FinishToStart,
            lag_minutes: 15,
        });
        let after = lay(&plan, &calendar, 2);
        let changes = round_trip(&before, &after);
        let order = changes.order.as_ref().expect("the order changed");
        assert_eq!(order.len(), 12);
        assert_eq!(order[2], "1.extra");
        assert!(!order.contains(&"1.t5".to_string()));
        assert!(changes.deps.is_some());
        assert!(changes.tasks.iter().any(|t| t.key == "1.extra"));
    }

    #[test]
    fn a_freeze_that_appeared_sends_its_band_and_the_tasks_it_pushed() {
        let mut plan = plan();
        let before = lay(&plan, &Calendar::default(), 1);
        let calendar = Calendar {
            freezes: vec![Freeze {
                name: "Year end".into(),
                from: at(6),
                to: at(20),
                service: None,
                rule: None,
            }],
            ..Calendar::default()
        };
        task(&mut plan, "1.t4").minutes = 45;
        let after = lay(&plan, &calendar, 2);
        let changes = round_trip(&before, &after);
        assert!(changes.freezes.as_ref().is_some_and(|f| f.len() == 1));
        assert_eq!(
            changes.tasks.len(),
            12,
            "every task waits for the freeze's end"
        );
    }

    #[test]
    fn an_update_is_whole_unless_the_window_holds_the_base_version() {
        let calendar = Calendar::default();
        let mut plan = plan();
        let before = lay(&plan, &calendar, 1);
        task(&mut plan, "1.t8").minutes = 60;
        let after = lay(&plan, &calendar, 2);
        assert!(matches!(
            ScheduleUpdate::since(Some(&before), 1, &after),
            ScheduleUpdate::Changes(_)
        ));
        assert!(matches!(
            ScheduleUpdate::since(Some(&before), 0, &after),
            ScheduleUpdate::Whole(_)
        ));
        assert!(matches!(
            ScheduleUpdate::since(None, 1, &after),
            ScheduleUpdate::Whole(_)
        ));
        let mut other = before.clone();
        other.release = "REL-2".into();
        assert!(matches!(
            ScheduleUpdate::since(Some(&other), 1, &after),
            ScheduleUpdate::Whole(_)
        ));
    }
}
