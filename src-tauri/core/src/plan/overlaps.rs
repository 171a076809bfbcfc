//! Releases that change the same CI at the same time.

use super::*;

/// Adds to each schedule its overlaps with the others: two releases changing the same CI or
/// service at the same time. A task changes its CIs when it needs downtime or names its own
/// target; preparation such as notifying users does not. One sweep per CI, sorted by start.
pub fn add_overlaps(schedules: &mut [Schedule]) {
    struct Work {
        span: Span,
        release: usize,
        task: usize,
    }
    let mut by_ci: HashMap<&str, Vec<Work>> = HashMap::new();
    for (r, s) in schedules.iter().enumerate() {
        for (t, task) in s.tasks.iter().enumerate() {
            let (Some(start), Some(end)) = (task.start, task.end) else {
                continue;
            };
            let span = Span {
                start: to_minute(start),
                end: to_minute(end),
            };
            if span.minutes() == 0 || !(task.downtime || task.target.is_some()) {
                continue;
            }
            for ci in &task.cis {
                by_ci.entry(ci.as_str()).or_default().push(Work {
                    span,
                    release: r,
                    task: t,
                });
            }
        }
    }
    let mut found: Vec<(usize, Conflict)> = Vec::new();
    let mut cis: Vec<_> = by_ci.into_iter().collect();
    cis.sort_by(|a, b| a.0.cmp(b.0));
    for (ci, mut work) in cis {
        work.sort_by_key(|w| w.span.start);
        let mut active: Vec<&Work> = Vec::new();
        for w in &work {
            active.retain(|a| a.span.end > w.span.start);
            for &a in &active {
                if a.release == w.release {
                    continue;
                }
                for (me, other) in [(a, w), (w, a)] {
                    let (mine, theirs) = (&schedules[me.release], &schedules[other.release]);
                    let (mt, tt) = (&mine.tasks[me.task], &theirs.tasks[other.task]);
                    let overlap = Span {
                        start: me.span.start.max(other.span.start),
                        end: me.span.end.min(other.span.end),
                    };
                    found.push((
                        me.release,
                        Conflict {
                            kind: ConflictKind::Overlap,
                            message: Message::new("conflict.overlap")
                                .with("task", &mt.name)
                                .with("release", &mine.release)
                                .with("key", &mt.key)
                                .with("other_task", &tt.name)
                                .with("other_release", &theirs.release)
                                .with("other_key", &tt.key)
                                .with("ci", ci.to_string())
                                .with("when", when(overlap, &mine.waves[mt.wave].tz)),
                            with: theirs.release.clone(),
                            task: mt.key.clone(),
                        },
                    ));
                }
            }
            active.push(w);
        }
    }
    for (release, conflict) in found {
        schedules[release].conflicts.push(conflict);
    }
}
