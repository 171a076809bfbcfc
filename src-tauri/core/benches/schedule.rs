//! The scheduler with critical path, and conflict detection, at 1,000 / 10,000 / 100,000
//! tasks with random dependencies, weekly windows for a tenth of the tasks, and freezes.
//! Goal (issue 4): 100,000 tasks scheduled with critical path under 100 ms.

use chrono::{TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use relman_core::calendar::Window;
use relman_core::plan::{
    BackoutStep, Calendar, Plan, PlanDep, PlanTask, Strategy, Wave, add_overlaps, lay_out,
    rollback_plan,
};
use relman_core::schedule::{Dep, DepKind, Freeze, Problem, Span, Task, merge, schedule};

/// A small deterministic generator (xorshift), so every run measures the same plan.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn problem_parts(n: usize) -> (Vec<Task>, Vec<Dep>, Vec<Vec<Span>>, Vec<Freeze>) {
    let mut rng = Random(0x9E37_79B9_7F4A_7C15);
    let week = 7 * 24 * 60;
    let windows = merge(
        (0..2_000)
            .map(|w| Span {
                start: w * week + 5 * 24 * 60,
                end: w * week + 5 * 24 * 60 + 360,
            })
            .collect(),
    );
    let freezes = (0..20)
        .map(|f| Freeze {
            span: Span {
                start: f * 13 * week,
                end: f * 13 * week + 3 * 24 * 60,
            },
            service: (f % 2 == 0).then_some(f as u32),
        })
        .collect();
    let tasks = (0..n)
        .map(|_| Task {
            duration: 15 + rng.below(120) as i64,
            downtime: rng.below(10) == 0,
            windows: 0,
            pinned: None,
            scope: vec![rng.below(40) as u32],
        })
        .collect();
    let mut deps = Vec::new();
    for to in 1..n {
        for _ in 0..1 + rng.below(2) {
            let from = to - 1 - rng.below(to.min(50) as u64) as usize;
            let kind = [
                DepKind::FinishToStart,
                DepKind::StartToStart,
                DepKind::FinishToFinish,
            ][rng.below(3) as usize];
            deps.push(Dep {
                from,
                to,
                kind,
                lag: rng.below(30) as i64,
            });
        }
    }
    (tasks, deps, vec![windows], freezes)
}

fn bench_scheduler(c: &mut Criterion) {
    let mut group = c.benchmark_group("schedule with critical path");
    group.sample_size(20);
    for n in [1_000, 10_000, 100_000] {
        let (tasks, deps, windows, freezes) = problem_parts(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                schedule(&Problem {
                    tasks: &tasks,
                    deps: &deps,
                    start: 0,
                    window_sets: &windows,
                    freezes: &freezes,
                })
            })
        });
    }
    group.finish();
}

/// Two releases with n/2 tasks each over 40 shared CIs, laid out and checked for overlaps.
fn plan_of(n: usize, seed: u64) -> Plan {
    let mut rng = Random(seed);
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
    let tasks: Vec<PlanTask> = (0..n)
        .map(|i| PlanTask {
            key: format!("t{i}"),
            wave: 0,
            name: format!("Task {i}"),
            minutes: 15 + rng.below(120) as i64,
            team: None,
            downtime: rng.below(10) == 0,
            milestone: None,
            target: Some(format!("ci-{}", rng.below(40))),
            backout: (0..rng.below(3))
                .map(|s| BackoutStep {
                    name: format!("Undo {i}.{s}"),
                    minutes: 5 + rng.below(40) as i64,
                    team: None,
                })
                .collect(),
            nothing_to_undo: None,
            point_of_no_return: false,
            pinned: None,
            actual_start: None,
            actual_end: None,
            baseline_start: None,
            baseline_end: None,
        })
        .collect();
    let deps = (1..n)
        .map(|to| PlanDep {
            from: format!("t{}", to - 1 - rng.below(to.min(50) as u64) as usize),
            to: format!("t{to}"),
            kind: DepKind::FinishToStart,
            lag_minutes: 0,
        })
        .collect();
    let wave = Wave {
        name: "All".into(),
        tz: "UTC".into(),
        window: None,
        targets: vec![],
        observation_minutes: 0,
    };
    Plan {
        strategy: Strategy::BigBang,
        model: None,
        starts_at: start,
        waves: vec![wave],
        tasks,
        deps,
        abort: None,
    }
}

fn bench_conflicts(c: &mut Criterion) {
    let mut calendar = Calendar {
        windows: vec![Window::weekly("Sat", "sat 22:00", 6.0, "Europe/Berlin").unwrap()],
        ..Calendar::default()
    };
    for i in 0..40 {
        calendar.related.insert(format!("ci-{i}"), vec![]);
    }
    let mut group = c.benchmark_group("lay out two releases and find overlaps");
    group.sample_size(10);
    for n in [1_000, 10_000, 100_000] {
        let (a, b) = (plan_of(n / 2, 7), plan_of(n / 2, 11));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |bench, _| {
            bench.iter(|| {
                let mut all = vec![
                    lay_out("A", &a, &calendar, 1),
                    lay_out("B", &b, &calendar, 1),
                ];
                add_overlaps(&mut all);
                all
            })
        });
    }
    group.finish();
}

/// The rollback plan of every wave and its latest go/no-go (goal at 10,000 tasks: < 20 ms).
fn bench_rollback(c: &mut Criterion) {
    let calendar = Calendar {
        windows: vec![Window::weekly("Sat", "sat 22:00", 6.0, "Europe/Berlin").unwrap()],
        ..Calendar::default()
    };
    let mut group = c.benchmark_group("rollback plan and latest go/no-go");
    group.sample_size(20);
    for n in [1_000, 10_000] {
        let schedule = lay_out("A", &plan_of(n, 5), &calendar, 1);
        assert!(rollback_plan(&schedule).waves[0].window_end.is_some());
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |bench, _| {
            bench.iter(|| rollback_plan(&schedule))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_scheduler, bench_conflicts, bench_rollback);
criterion_main!(benches);
