//! The latest go/no-go is found by binary search, which is right only if a later decision
//! never ends its rollback earlier. This checks that on random plans, and that the search
//! finds what a scan of every moment finds.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use relman_core::calendar::Window;
use relman_core::plan::{
    BackoutStep, Calendar, DeploymentModel, ModelDep, ModelTask, Schedule, Strategy as Rollout,
    Wave, instantiate, lay_out, rollback_from, rollback_plan,
};
use relman_core::schedule::DepKind;

/// (minutes, downtime, backout step minutes, predecessors by offset back)
type TaskSpec = (i64, bool, Vec<i64>, Vec<usize>);

fn task_spec() -> impl Strategy<Value = TaskSpec> {
    (
        5i64..60,
        prop::bool::weighted(0.6),
        prop::collection::vec(1i64..40, 0..3),
        prop::collection::vec(1usize..4, 0..3),
    )
}

fn schedule_of(specs: &[TaskSpec]) -> Schedule {
    let tasks: Vec<ModelTask> = specs
        .iter()
        .enumerate()
        .map(|(i, (minutes, downtime, steps, _))| ModelTask {
            key: format!("t{i}"),
            name: format!("Task {i}"),
            minutes: *minutes,
            team: None,
            downtime: *downtime,
            milestone: None,
            target: None,
            backout: steps
                .iter()
                .map(|m| BackoutStep {
                    name: format!("undo {i}"),
                    minutes: *m,
                    team: None,
                })
                .collect(),
            nothing_to_undo: steps.is_empty().then(|| "nothing".to_string()),
            point_of_no_return: false,
        })
        .collect();
    let mut deps = Vec::new();
    for (i, (_, _, _, back)) in specs.iter().enumerate() {
        for b in back {
            if *b <= i {
                let from = format!("t{}", i - b);
                if !deps
                    .iter()
                    .any(|d: &ModelDep| d.from == from && d.to == format!("t{i}"))
                {
                    deps.push(ModelDep {
                        from,
                        to: format!("t{i}"),
                        kind: DepKind::FinishToStart,
                        lag_minutes: 0,
                    });
                }
            }
        }
    }
    let model = DeploymentModel {
        name: "random".into(),
        description: String::new(),
        tasks,
        deps,
    };
    let window = Window::weekly("Night", "sat 20:00", 10.0, "UTC").unwrap();
    let wave = Wave {
        name: "All".into(),
        tz: "UTC".into(),
        window: Some(window.name.clone()),
        targets: vec![],
        observation_minutes: 0,
    };
    let start = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
    let plan = instantiate(
        &model,
        Rollout::BigBang,
        vec![wave],
        start,
        std::slice::from_ref(&window),
    )
    .unwrap();
    let calendar = Calendar {
        windows: vec![window],
        ..Calendar::default()
    };
    lay_out("REL", &plan, &calendar, 1)
}

fn ends_at(s: &Schedule, t: DateTime<Utc>) -> DateTime<Utc> {
    let started = |task: &relman_core::plan::ScheduledTask| task.start.is_some_and(|b| b < t);
    t + Duration::minutes(rollback_from(s, 0, t, started).1)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_later_decision_never_ends_its_rollback_earlier(
        specs in prop::collection::vec(task_spec(), 1..14),
        a in 0i64..3000,
        b in 0i64..3000,
    ) {
        let s = schedule_of(&specs);
        let origin = Utc.with_ymd_and_hms(2026, 12, 5, 18, 0, 0).unwrap();
        let (early, late) = (a.min(b), a.max(b));
        let (t1, t2) = (origin + Duration::minutes(early), origin + Duration::minutes(late));
        prop_assert!(ends_at(&s, t1) <= ends_at(&s, t2));
    }

    #[test]
    fn the_binary_search_finds_what_a_scan_finds(specs in prop::collection::vec(task_spec(), 1..14)) {
        let s = schedule_of(&specs);
        let wave = &rollback_plan(&s).waves[0];
        let Some(end) = wave.window_end else { return Ok(()); };
        let mut moments: Vec<DateTime<Utc>> = s.tasks.iter().filter_map(|t| t.start).min().into_iter().collect();
        moments.extend(s.tasks.iter().filter_map(|t| t.end));
        let scanned = moments.into_iter().filter(|&t| ends_at(&s, t) <= end).max();
        prop_assert_eq!(wave.latest_go_no_go, scanned);
    }
}
