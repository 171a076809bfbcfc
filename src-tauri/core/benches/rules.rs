//! How long the rule checklist takes for 1,000 releases: the pure engine over facts already in
//! memory, and the store's `check_release`, which reads each release's facts from SQLite.

use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use relman_core::approval::Content;
use relman_core::change::{ChangeDraft, ChangeStatus, Ci, CiKind};
use relman_core::package::parse_requirement_spec;
use relman_core::rules::{Facts, evaluate};
use relman_core::{ReleaseDraft, ReleaseType, Store};

const RELEASES: usize = 1_000;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// 1,000 releases, each with two changes (one unauthorized every third release) and a
/// three-component package with requirements, in a 50-CI CMDB.
fn populated() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    for i in 0..50 {
        let version = format!("{}.0", i % 7);
        let ci = Ci::new(format!("ci-{i}"), CiKind::Application, Some(&version));
        store.create_ci(&ci, "bench", now()).unwrap();
    }
    for r in 0..RELEASES {
        let key = format!("REL-{r}");
        let draft = ReleaseDraft {
            key: key.clone(),
            title: format!("Release {r}"),
            release_type: ReleaseType::Minor,
            planned_start: "2026-04-01".into(),
            planned_end: "2026-04-02".into(),
            owner: None,
            risk: None,
            requester: None,
            dev_docs: Some("https://wiki/dev".into()),
            ops_docs: None,
        };
        store.create_release(&draft, "bench", now()).unwrap();
        for c in 0..2 {
            let change_key = format!("CHG{r}X{c}");
            let status = if c == 1 && r % 3 == 0 {
                ChangeStatus::Draft
            } else {
                ChangeStatus::Authorized
            };
            let change = ChangeDraft {
                key: change_key.clone(),
                title: "change".into(),
                status: Some(status),
                cis: vec![format!("ci-{}", (r + c) % 50)],
                ..Default::default()
            };
            store.create_change(&change, "bench", now()).unwrap();
            store
                .add_change_to_release(&key, &change_key, "bench", now())
                .unwrap();
        }
        for k in 0..3 {
            let ci = format!("ci-{}", (r + k) % 50);
            let needs = parse_requirement_spec(&format!("ci-{}>=1", (r + k + 1) % 50)).unwrap();
            store
                .add_component(&key, &ci, Some("9.0"), &[needs], "bench", now())
                .unwrap();
        }
    }
    store
}

fn rules(c: &mut Criterion) {
    let store = populated();
    let keys: Vec<String> = (0..RELEASES).map(|r| format!("REL-{r}")).collect();
    let workspaces: Vec<_> = keys
        .iter()
        .map(|k| store.workspace(k, now()).unwrap())
        .collect();
    let testing = relman_core::testing::TestingFacts::default();
    let after = relman_core::after::AfterFacts::default();
    let package = relman_core::rules::PackageFacts::default();
    c.bench_function("evaluate x1000 (rules only)", |b| {
        b.iter(|| {
            let failing: usize = workspaces
                .iter()
                .map(|w| {
                    let keys: Vec<String> = w.changes.iter().map(|c| c.key.clone()).collect();
                    let content = Content::of(&w.release, &keys, &w.components, None);
                    let facts = Facts {
                        release: &w.release,
                        changes: &w.changes,
                        components: &w.components,
                        analysis: &w.analysis,
                        approvals: &w.approvals,
                        content: &content,
                        legacy_hash: "",
                        plan: None,
                        testing: &testing,
                        after: &after,
                        package: &package,
                        now: now(),
                    };
                    evaluate(&facts).failing().count()
                })
                .sum();
            assert!(failing > 0);
        })
    });
    c.bench_function("check_release x1000 (SQLite + rules)", |b| {
        b.iter(|| {
            let failing: usize = keys
                .iter()
                .map(|k| store.check_release(k, now()).unwrap().failing().count())
                .sum();
            assert!(failing > 0);
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = rules
}
criterion_main!(benches);
