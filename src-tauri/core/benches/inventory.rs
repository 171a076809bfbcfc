//! Importing an RVTools export of 5,000 VMs with a snapshot each: reading the CSV, and the
//! whole import (read + all-or-nothing write into a fresh database), and listing them all.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use relman_core::Store;
use relman_core::inventory::read_files;

const VMS: usize = 5_000;

fn files() -> Vec<(String, String)> {
    let mut info = String::from(
        "VM,Powerstate,Template,CPUs,Memory,Provisioned MiB,Cluster,Host,OS according to the VMware Tools,VM UUID,VI SDK UUID,Annotation\n",
    );
    let mut snaps = String::from("VM,Name,Description,Date / time,VM UUID,VI SDK UUID\n");
    for i in 0..VMS {
        info.push_str(&format!(
            "test-{i:05},poweredOn,False,4,8192,61440,Test,esx-{:02}.lab,Ubuntu 24.04,uuid-{i},vc-1,\"clone of prod-{i}\"\n",
            i % 40
        ));
        snaps.push_str(&format!(
            "test-{i:05},baseline,,2026/11/{:02} 10:00:00,uuid-{i},vc-1\n",
            1 + i % 28
        ));
    }
    vec![
        ("RVTools_tabvInfo.csv".into(), info),
        ("RVTools_tabvSnapshot.csv".into(), snaps),
    ]
}

fn bench(c: &mut Criterion) {
    let files = files();
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let mut group = c.benchmark_group("inventory");
    group.sample_size(10);
    group.bench_function("read 5,000 VMs + 5,000 snapshots (RVTools CSV)", |b| {
        b.iter(|| read_files(&files, None).unwrap())
    });
    group.bench_function("import 5,000 VMs + 5,000 snapshots into SQLite", |b| {
        b.iter(|| {
            let mut store = Store::open_in_memory().unwrap();
            let inventory = read_files(&files, None).unwrap();
            let summary = store.import_inventory(&inventory, "bench", now).unwrap();
            assert_eq!(summary.created.len(), VMS);
        })
    });
    let mut store = Store::open_in_memory().unwrap();
    let inventory = read_files(&files, None).unwrap();
    store.import_inventory(&inventory, "bench", now).unwrap();
    group.bench_function("list 5,000 environments (the Environments page)", |b| {
        b.iter(|| assert_eq!(store.list_environments(now).unwrap().len(), VMS))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
