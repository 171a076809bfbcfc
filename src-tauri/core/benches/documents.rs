//! The release documents: the dossier of a 1,000-task and a 10,000-task plan, and the CAB pack
//! of 20 releases, each laid out and written as PDF (what Save does). Prints the file sizes.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use relman_core::Store;
use relman_core::plan::{Strategy, Wave};
use relman_core::release::Stage;
use relman_core::report::{self, DocumentOptions, Made, ReleaseFacts};
use relman_core::store::PlanRequest;

fn facts(per_wave: usize) -> ReleaseFacts {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    store.load_demo_data("anna", now).unwrap();
    let key = store.list_releases(&Default::default()).unwrap()[0]
        .key
        .clone();
    store
        .save_model(
            &relman_core::demo::large_model("large", per_wave),
            "anna",
            now,
        )
        .unwrap();
    let waves = (0..4)
        .map(|i| Wave {
            name: format!("Site {i}"),
            tz: "Europe/Berlin".into(),
            window: None,
            targets: vec![],
            observation_minutes: 2 * 24 * 60,
        })
        .collect();
    let request = PlanRequest {
        model: "large".into(),
        strategy: Strategy::Phased,
        waves,
    };
    store.instantiate_plan(&key, &request, "anna", now).unwrap();
    store.release_facts(&key, now).unwrap()
}

fn bench(c: &mut Criterion) {
    let made = Made {
        at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
        by: "anna".into(),
    };
    let options = DocumentOptions::default();
    let make = |f: &ReleaseFacts| report::pdf::render(&report::dossier(f, &options, &made));
    let thousand = facts(250);
    let ten_thousand = facts(2_500);
    let mut cab: Vec<ReleaseFacts> = (0..20)
        .map(|i| {
            let mut f = thousand.clone();
            f.release.key = format!("REL-{i:03}");
            f.release.stage = Stage::AwaitingAuthorization;
            f
        })
        .collect();
    cab.iter_mut()
        .for_each(|f| f.schedule.as_mut().unwrap().tasks.truncate(40));
    let pack = |fs: &[ReleaseFacts]| report::pdf::render(&report::cab_pack(fs, &options, &made));
    eprintln!(
        "sizes: 1,000-task dossier {} KB ({} pages), 10,000-task dossier {} KB ({} pages), CAB pack of 20 {} KB",
        make(&thousand).len() / 1024,
        report::dossier(&thousand, &options, &made).pages.len(),
        make(&ten_thousand).len() / 1024,
        report::dossier(&ten_thousand, &options, &made).pages.len(),
        pack(&cab).len() / 1024
    );
    let mut group = c.benchmark_group("documents");
    group.sample_size(10);
    group.bench_function("dossier, 1,000 tasks (layout + PDF)", |b| {
        b.iter(|| make(&thousand))
    });
    group.bench_function("dossier, 10,000 tasks (layout + PDF)", |b| {
        b.iter(|| make(&ten_thousand))
    });
    group.bench_function("CAB pack, 20 releases (layout + PDF)", |b| {
        b.iter(|| pack(&cab))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
