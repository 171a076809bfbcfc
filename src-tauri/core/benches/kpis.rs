//! The KPIs over 10,000 releases with their audit history (goal: under 200 ms): the pure
//! computation, and the store reading the history from SQLite and computing. The store's
//! releases are the demo's finished ones told over and over (each some 10 audited moves, an
//! approval, activities, a cost, a review).

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use relman_core::Store;
use relman_core::after::{KpiFilter, ReleaseHistory, kpis};
use relman_core::lifecycle::MAIN_LINE;
use relman_core::release::{ReleaseType, Stage};

const RELEASES: usize = 10_000;

fn histories() -> Vec<ReleaseHistory> {
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).unwrap();
    (0..RELEASES)
        .map(|n| {
            let t0 = start + Duration::hours(n as i64);
            let window = (t0 + Duration::days(20)).date_naive();
            ReleaseHistory {
                key: format!("REL-{n:05}"),
                kind: [
                    ReleaseType::Major,
                    ReleaseType::Minor,
                    ReleaseType::Emergency,
                ][n % 3],
                owner: Some("anna".into()),
                moves: MAIN_LINE
                    .windows(2)
                    .enumerate()
                    .map(|(i, p)| (t0 + Duration::days(3 * i as i64), p[0], p[1]))
                    .collect(),
                authorized_windows: vec![(window, window + Duration::days(2))],
                incidents: n % 3,
                costs: vec![(10_000, "EUR".into(), Stage::Deploying)],
                satisfaction: Some((n % 5 + 1) as u8),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let all = histories();
    c.bench_function("kpis x10000 (computation)", |b| {
        b.iter(|| assert_eq!(kpis(&all, &KpiFilter::default()).releases, RELEASES))
    });
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("kpis.db")).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    store.load_finished_history(RELEASES, "bench", now).unwrap();
    c.bench_function("kpis x10000 (SQLite history + computation)", |b| {
        b.iter(|| {
            assert_eq!(
                store.kpis(&KpiFilter::default()).unwrap().releases,
                RELEASES
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
