//! The deployment scheduler: pure arithmetic on minutes, no storage, no clock.
//!
//! Forward pass: each task starts as early as its dependencies, the plan start, its pin,
//! its maintenance windows (when it needs downtime) and the freezes allow. Backward pass:
//! the latest finish that keeps the plan's finish, so slack and the critical path fall out.
//! Everything is O(tasks + dependencies) plus a binary search per window lookup, so the
//! model math stays far away from the UI and scales to 100,000 tasks.

/// Minutes since 1970-01-01T00:00Z.
pub type Minute = i64;

text_enum!(
    /// How a dependency ties a successor to its predecessor (with a lag in minutes).
    DepKind {
        FinishToStart = "fs",
        StartToStart = "ss",
        FinishToFinish = "ff",
    }
);

/// A half-open span of time `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: Minute,
    pub end: Minute,
}

impl Span {
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn minutes(&self) -> i64 {
        self.end - self.start
    }
}

#[derive(Debug, Clone, Default)]
pub struct Task {
    pub duration: i64,
    /// Downtime tasks go only inside the windows of `windows`.
    pub downtime: bool,
    /// Index into [`Problem::window_sets`].
    pub windows: usize,
    /// A start the planner chose by hand. Honoured as it is (unless a dependency forbids
    /// it); a pin that lands in a freeze or outside a window is reported as a conflict.
    pub pinned: Option<Minute>,
    /// The services and CIs the task touches, for freezes that cover only some services.
    pub scope: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
pub struct Dep {
    pub from: usize,
    pub to: usize,
    pub kind: DepKind,
    pub lag: i64,
}

#[derive(Debug, Clone, Copy)]
pub struct Freeze {
    pub span: Span,
    /// `None`: a global freeze.
    pub service: Option<u32>,
}

impl Freeze {
    pub fn applies_to(&self, scope: &[u32]) -> bool {
        self.service.is_none_or(|s| scope.contains(&s))
    }
}

pub struct Problem<'a> {
    pub tasks: &'a [Task],
    pub deps: &'a [Dep],
    pub start: Minute,
    /// Each set sorted by start and non-overlapping (see [`merge`]).
    pub window_sets: &'a [Vec<Span>],
    pub freezes: &'a [Freeze],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unplaced {
    /// The task is part of a dependency cycle.
    Cycle,
    /// It needs more downtime than the longest window offers.
    WindowTooShort { needed: i64, longest: i64 },
    /// No window in the planning horizon has room for it.
    NoWindow { needed: i64 },
    /// A task it depends on could not be placed.
    Waits { on: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Placed(Span),
    Unplaced(Unplaced),
}

impl Placement {
    pub fn span(&self) -> Option<Span> {
        match self {
            Placement::Placed(span) => Some(*span),
            Placement::Unplaced(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub placements: Vec<Placement>,
    /// Minutes each placed task may slip without moving the plan's finish.
    pub slack: Vec<i64>,
    pub finish: Option<Minute>,
}

impl Outcome {
    pub fn critical(&self, task: usize) -> bool {
        matches!(self.placements[task], Placement::Placed(_)) && self.slack[task] == 0
    }

    pub fn all_placed(&self) -> bool {
        self.placements
            .iter()
            .all(|p| matches!(p, Placement::Placed(_)))
    }
}

/// Sorts spans and joins those that overlap or touch.
pub fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// Tasks in an order where every task comes after its predecessors; the rest are in cycles.
pub fn topological_order(count: usize, deps: &[Dep]) -> (Vec<usize>, Vec<bool>) {
    let mut indegree = vec![0usize; count];
    let mut successors = vec![Vec::new(); count];
    for dep in deps {
        indegree[dep.to] += 1;
        successors[dep.from].push(dep.to);
    }
    let mut order: Vec<usize> = (0..count).filter(|&t| indegree[t] == 0).collect();
    let mut next = 0;
    while next < order.len() {
        let task = order[next];
        next += 1;
        for &succ in &successors[task] {
            indegree[succ] -= 1;
            if indegree[succ] == 0 {
                order.push(succ);
            }
        }
    }
    let mut in_cycle = vec![true; count];
    for &t in &order {
        in_cycle[t] = false;
    }
    (order, in_cycle)
}

pub fn schedule(problem: &Problem) -> Outcome {
    let n = problem.tasks.len();
    let (order, in_cycle) = topological_order(n, problem.deps);
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, dep) in problem.deps.iter().enumerate() {
        incoming[dep.to].push(i);
        outgoing[dep.from].push(i);
    }
    let mut placements: Vec<Placement> = in_cycle
        .iter()
        .map(|&cyclic| {
            Placement::Unplaced(if cyclic {
                Unplaced::Cycle
            } else {
                Unplaced::Waits { on: usize::MAX }
            })
        })
        .collect();

    for &t in &order {
        let task = &problem.tasks[t];
        let mut earliest = problem.start;
        let mut blocked = None;
        for &d in &incoming[t] {
            let dep = problem.deps[d];
            match placements[dep.from] {
                Placement::Placed(p) => {
                    let bound = match dep.kind {
                        DepKind::FinishToStart => p.end + dep.lag,
                        DepKind::StartToStart => p.start + dep.lag,
                        DepKind::FinishToFinish => p.end + dep.lag - task.duration,
                    };
                    earliest = earliest.max(bound);
                }
                Placement::Unplaced(_) => blocked = Some(dep.from),
            }
        }
        placements[t] = match blocked {
            Some(on) => Placement::Unplaced(Unplaced::Waits { on }),
            None => place(problem, task, earliest),
        };
    }

    let finish = placements
        .iter()
        .filter_map(Placement::span)
        .map(|s| s.end)
        .max();
    let mut latest_finish = vec![finish.unwrap_or(0); n];
    let mut slack = vec![0; n];
    for &t in order.iter().rev() {
        let Placement::Placed(span) = placements[t] else {
            continue;
        };
        let task = &problem.tasks[t];
        let mut lf = latest_finish[t];
        for &d in &outgoing[t] {
            let dep = problem.deps[d];
            let Placement::Placed(succ) = placements[dep.to] else {
                continue;
            };
            let succ_lf = latest_finish[dep.to];
            let succ_ls = succ_lf - succ.minutes();
            let bound = match dep.kind {
                DepKind::FinishToStart => succ_ls - dep.lag,
                DepKind::StartToStart => succ_ls - dep.lag + span.minutes(),
                DepKind::FinishToFinish => succ_lf - dep.lag,
            };
            lf = lf.min(bound);
        }
        if task.downtime && task.pinned.is_none() {
            // Slipping is only possible inside the window the task sits in.
            if let Some(window) = window_containing(&problem.window_sets[task.windows], span) {
                lf = lf.min(window.end);
            }
        }
        let lf = lf.max(span.end);
        latest_finish[t] = lf;
        slack[t] = lf - span.end;
    }

    Outcome {
        placements,
        slack,
        finish,
    }
}

fn window_containing(windows: &[Span], span: Span) -> Option<Span> {
    let i = windows.partition_point(|w| w.end < span.end);
    windows.get(i).copied().filter(|w| w.contains(&span))
}

fn place(problem: &Problem, task: &Task, earliest: Minute) -> Placement {
    if let Some(pin) = task.pinned {
        let start = pin.max(earliest);
        return Placement::Placed(Span {
            start,
            end: start + task.duration,
        });
    }
    let windows = &problem.window_sets[task.windows];
    let mut start = earliest;
    loop {
        if task.downtime {
            match first_fit(windows, start, task.duration) {
                Some(s) => start = s,
                None => {
                    let longest = windows.iter().map(Span::minutes).max().unwrap_or(0);
                    return Placement::Unplaced(if longest < task.duration {
                        Unplaced::WindowTooShort {
                            needed: task.duration,
                            longest,
                        }
                    } else {
                        Unplaced::NoWindow {
                            needed: task.duration,
                        }
                    });
                }
            }
        }
        let span = Span {
            start,
            end: start + task.duration,
        };
        // Milestones are decisions, not work: a freeze does not move them.
        let blocking_end = (task.duration > 0)
            .then(|| {
                problem
                    .freezes
                    .iter()
                    .filter(|f| f.span.overlaps(&span) && f.applies_to(&task.scope))
                    .map(|f| f.span.end)
                    .max()
            })
            .flatten();
        match blocking_end {
            Some(end) => start = end,
            None => return Placement::Placed(span),
        }
    }
}

/// The earliest start at or after `from` where `duration` minutes fit in one window.
pub fn first_fit(windows: &[Span], from: Minute, duration: i64) -> Option<Minute> {
    let first = windows.partition_point(|w| w.end <= from);
    windows[first..]
        .iter()
        .map(|w| w.start.max(from))
        .zip(&windows[first..])
        .find(|(start, w)| start + duration <= w.end)
        .map(|(start, _)| start)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 60;

    fn task(duration: i64) -> Task {
        Task {
            duration,
            ..Task::default()
        }
    }

    fn fs(from: usize, to: usize) -> Dep {
        Dep {
            from,
            to,
            kind: DepKind::FinishToStart,
            lag: 0,
        }
    }

    fn run(tasks: &[Task], deps: &[Dep], windows: &[Vec<Span>], freezes: &[Freeze]) -> Outcome {
        schedule(&Problem {
            tasks,
            deps,
            start: 0,
            window_sets: windows,
            freezes,
        })
    }

    fn span(start: i64, end: i64) -> Span {
        Span { start, end }
    }

    #[test]
    fn chains_follow_dependencies_and_lags() {
        let tasks = [task(H), task(2 * H), task(30)];
        let deps = [
            fs(0, 1),
            Dep {
                from: 0,
                to: 2,
                kind: DepKind::StartToStart,
                lag: 15,
            },
        ];
        let out = run(&tasks, &deps, &[vec![]], &[]);
        assert_eq!(out.placements[1], Placement::Placed(span(H, 3 * H)));
        assert_eq!(out.placements[2], Placement::Placed(span(15, 45)));
        assert_eq!(out.finish, Some(3 * H));
        assert!(out.critical(0) && out.critical(1));
        assert_eq!(out.slack[2], 3 * H - 45);
    }

    #[test]
    fn finish_to_finish_aligns_the_ends() {
        let tasks = [task(3 * H), task(H)];
        let deps = [Dep {
            from: 0,
            to: 1,
            kind: DepKind::FinishToFinish,
            lag: 0,
        }];
        let out = run(&tasks, &deps, &[vec![]], &[]);
        assert_eq!(out.placements[1], Placement::Placed(span(2 * H, 3 * H)));
        assert!(out.critical(1));
    }

    #[test]
    fn downtime_waits_for_a_window_that_is_long_enough() {
        let windows = vec![merge(vec![span(10 * H, 11 * H), span(20 * H, 24 * H)])];
        let mut t = task(2 * H);
        t.downtime = true;
        let out = run(&[task(H), t], &[fs(0, 1)], &windows, &[]);
        assert_eq!(out.placements[1], Placement::Placed(span(20 * H, 22 * H)));
        // The first task may slip until the window opens, but the downtime task may slip
        // only to the end of its window.
        assert_eq!(out.slack[0], 19 * H);
        assert_eq!(out.slack[1], 0);
    }

    #[test]
    fn a_task_longer_than_every_window_is_reported_with_the_reason() {
        let windows = vec![vec![span(10 * H, 12 * H)]];
        let mut t = task(3 * H);
        t.downtime = true;
        let out = run(&[t, task(H)], &[fs(0, 1)], &windows, &[]);
        assert_eq!(
            out.placements[0],
            Placement::Unplaced(Unplaced::WindowTooShort {
                needed: 3 * H,
                longest: 2 * H
            })
        );
        assert_eq!(
            out.placements[1],
            Placement::Unplaced(Unplaced::Waits { on: 0 })
        );
    }

    #[test]
    fn freezes_push_work_past_them_but_only_for_their_service() {
        let freezes = [Freeze {
            span: span(0, 5 * H),
            service: Some(7),
        }];
        let mut touched = task(H);
        touched.scope = vec![7];
        let out = run(&[touched, task(H)], &[], &[vec![]], &freezes);
        assert_eq!(out.placements[0], Placement::Placed(span(5 * H, 6 * H)));
        assert_eq!(out.placements[1], Placement::Placed(span(0, H)));
    }

    #[test]
    fn a_freeze_inside_the_only_fitting_window_moves_the_task_to_the_next() {
        let windows = vec![vec![span(0, 4 * H), span(24 * H, 28 * H)]];
        let freezes = [Freeze {
            span: span(H, 2 * H),
            service: None,
        }];
        let mut t = task(3 * H);
        t.downtime = true;
        let out = run(&[t], &[], &windows, &freezes);
        assert_eq!(out.placements[0], Placement::Placed(span(24 * H, 27 * H)));
    }

    #[test]
    fn cycles_are_reported_and_the_rest_is_scheduled() {
        let tasks = [task(H), task(H), task(H)];
        let out = run(&tasks, &[fs(0, 1), fs(1, 0)], &[vec![]], &[]);
        assert_eq!(out.placements[0], Placement::Unplaced(Unplaced::Cycle));
        assert_eq!(out.placements[2], Placement::Placed(span(0, H)));
    }

    #[test]
    fn a_pin_is_kept_unless_a_dependency_forbids_it() {
        let mut pinned = task(H);
        pinned.pinned = Some(5 * H);
        let out = run(&[task(H), pinned.clone()], &[fs(0, 1)], &[vec![]], &[]);
        assert_eq!(out.placements[1], Placement::Placed(span(5 * H, 6 * H)));
        pinned.pinned = Some(0);
        let out = run(&[task(H), pinned], &[fs(0, 1)], &[vec![]], &[]);
        assert_eq!(out.placements[1], Placement::Placed(span(H, 2 * H)));
    }

    #[test]
    fn merge_joins_overlapping_and_touching_spans() {
        assert_eq!(
            merge(vec![span(5, 8), span(0, 2), span(2, 3), span(7, 9)]),
            vec![span(0, 3), span(5, 9)]
        );
    }
}
