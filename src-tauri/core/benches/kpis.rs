//! The KPIs over 10,000 releases with their audit history (goal: under 200 ms): the pure
//! computation, and the store reading the history from SQLite and computing.

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use relman_core::Store;
use relman_core::after::{KpiFilter, ReleaseHistory, kpis};
use relman_core::release::{ReleaseType, Stage};

const RELEASES: usize = 10_000;
const MAIN: [Stage; 8] = [
    Stage::Planning,
    Stage::Build,
    Stage::Test,
    Stage::AwaitingAuthorization,
    Stage::Authorized,
    Stage::Deploying,
    Stage::EarlyLifeSupport,
    Stage::Closed,
];

/// A database of `RELEASES` finished releases: each with its seven stage moves in the audit
/// log, an approval with its window, a cost and, for every third, an incident. Written with
/// SQL in one transaction (through the store's API it would take 10,000 fsyncs).
fn database(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("kpis.db");
    drop(Store::open(&path).unwrap());
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    let tx = conn.transaction().unwrap();
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).unwrap();
    for n in 0..RELEASES {
        let key = format!("REL-{n:05}");
        let t0 = start + Duration::hours(n as i64);
        let window = (t0 + Duration::days(20)).date_naive();
        tx.execute(
            "INSERT INTO releases (key, title, release_type, stage, owner, planned_start, planned_end,
                 created_at, created_by, updated_at, updated_by)
             VALUES (?1, 'bench', ?2, 'closed', 'anna', ?3, ?4, ?5, 'anna', ?5, 'anna')",
            rusqlite::params![
                key,
                ["major", "minor", "emergency"][n % 3],
                window.to_string(),
                (window + Duration::days(2)).to_string(),
                t0
            ],
        )
        .unwrap();
        let id = tx.last_insert_rowid();
        for (i, pair) in MAIN.windows(2).enumerate() {
            tx.execute(
                "INSERT INTO audit_log (at, actor, entity, entity_key, action, field, before, after, prev_hash, hash)
                 VALUES (?1, 'anna', 'release', ?2, 'move', 'stage', ?3, ?4, '', '')",
                rusqlite::params![t0 + Duration::days(3 * i as i64 + (n % 5) as i64), key, pair[0].as_str(), pair[1].as_str()],
            )
            .unwrap();
        }
        let content = format!(
            r#"{{"scope":[],"package":[],"window":["{window}","{}"],"plan":null}}"#,
            window + Duration::days(2)
        );
        tx.execute(
            "INSERT INTO approvals (release_id, approver, role, decision, comment, at, content_hash, content)
             VALUES (?1, 'carl', 'cab_member', 'approve', '', ?2, 'x', ?3)",
            rusqlite::params![id, t0, content],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO release_costs (release_id, amount, currency, stage, note, at, by_whom)
             VALUES (?1, ?2, 'EUR', 'deploying', '', ?3, 'anna')",
            rusqlite::params![id, 10_000 + n as i64, t0],
        )
        .unwrap();
        if n % 3 == 0 {
            tx.execute(
                "INSERT INTO incidents (release_id, key, severity, opened_at) VALUES (?1, 'INC1', 3, ?2)",
                rusqlite::params![id, t0],
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
    path
}

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
                moves: MAIN
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
    let store = Store::open(&database(dir.path())).unwrap();
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
