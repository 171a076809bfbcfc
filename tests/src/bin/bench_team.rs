//! `make bench-team`: the same store operations on SQLite and on a local PostgreSQL, in one
//! run, with their ratio (goal: PostgreSQL within 3× of SQLite). A timed run, not a test:
//! each operation's median of a few repetitions, in milliseconds.

use std::time::Instant;

use chrono::{DateTime, Utc};
use relman_core::after::KpiFilter;
use relman_core::inventory::read_files;
use relman_core::{ReleaseDraft, ReleaseFilter, ReleaseType, Store};

const RELEASES: usize = 10_000;
const TASKS: usize = 10_000;
const VMS: usize = 5_000;
const CREATES: usize = 1_000;
const WRITERS: usize = 4;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
        .unwrap()
        .to_utc()
}

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Where each measurement runs: a new database of its own on the engine.
trait Engine {
    /// A new, empty database, and how to open it again (for more writers).
    fn fresh(&self) -> (Store, String);
}

struct Sqlite(tempfile::TempDir);

impl Engine for Sqlite {
    fn fresh(&self) -> (Store, String) {
        let path = self.0.path().join(format!("{}.db", rand_name()));
        let path = path.to_string_lossy().to_string();
        (Store::open_any(&path).unwrap(), path)
    }
}

struct Postgres;

impl Engine for Postgres {
    fn fresh(&self) -> (Store, String) {
        let url = relman_tests::server_database().expect("RELMAN_TEST_POSTGRES names a server");
        (Store::open_any(&url).unwrap(), url)
    }
}

fn rand_name() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("bench-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn measure(engine: &dyn Engine) -> Vec<(&'static str, f64)> {
    let mut results = Vec::new();

    let (mut store, _) = engine.fresh();
    store
        .load_finished_history(RELEASES, "bench", now())
        .unwrap();
    results.push((
        "list 10,000 releases",
        median_ms(5, || {
            let listed = store.list_releases(&ReleaseFilter::default()).unwrap();
            assert_eq!(listed.len(), RELEASES);
        }),
    ));
    results.push((
        "KPIs over 10,000 finished releases",
        median_ms(5, || {
            assert_eq!(
                store.kpis(&KpiFilter::default()).unwrap().releases,
                RELEASES
            );
        }),
    ));

    let (mut store, _) = engine.fresh();
    relman_tests::seed_large_plan(&mut store, "REL-BENCH", TASKS);
    let mut minutes = 0;
    results.push((
        "a plan edit at 10,000 tasks (store)",
        median_ms(7, || {
            minutes += 15;
            let version = store.schedule("REL-BENCH").unwrap().version;
            let start = now() + chrono::Duration::minutes(minutes);
            store
                .move_task("REL-BENCH", "1.t1", Some(start), version, "bench", now())
                .unwrap();
        }),
    ));

    let files = relman_tests::rvtools_export(VMS);
    results.push((
        "import 5,000 VMs",
        median_ms(3, || {
            let (mut store, _) = engine.fresh();
            let inventory = read_files(&files, None).unwrap();
            let summary = store.import_inventory(&inventory, "bench", now()).unwrap();
            assert_eq!(summary.created.len(), VMS);
        }),
    ));

    let (_, db) = engine.fresh();
    results.push((
        "1,000 release creates from 4 writers",
        median_ms(1, || {
            let writers: Vec<_> = (0..WRITERS)
                .map(|w| {
                    let db = db.clone();
                    std::thread::spawn(move || {
                        let mut store = Store::open_any(&db).unwrap();
                        for n in 0..CREATES / WRITERS {
                            let draft = ReleaseDraft {
                                key: format!("REL-{w}-{n:04}"),
                                title: "Concurrent".into(),
                                release_type: ReleaseType::Minor,
                                planned_start: "2026-12-14".into(),
                                planned_end: "2026-12-15".into(),
                                owner: None,
                                risk: None,
                                requester: None,
                                dev_docs: None,
                                ops_docs: None,
                            };
                            store.create_release(&draft, "bench", now()).unwrap();
                        }
                    })
                })
                .collect();
            for writer in writers {
                writer.join().unwrap();
            }
        }),
    ));
    let store = Store::open_any(&db).unwrap();
    assert_eq!(store.verify_audit().unwrap().records, CREATES as i64);
    results
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = measure(&Sqlite(dir));
    let postgres = measure(&Postgres);
    println!("| operation | SQLite ms | PostgreSQL ms | ratio |");
    println!("|---|---:|---:|---:|");
    for ((what, a), (_, b)) in sqlite.iter().zip(&postgres) {
        println!("| {what} | {a:.1} | {b:.1} | {:.2}× |", b / a);
    }
}
