//! Test environments and runs through the store: reverts seen in an inventory, runs that stop
//! counting, snapshot age and its exemption, and CAB approvals bound to the evidence.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use relman_core::approval::{Decision, Role};
use relman_core::error::ErrorKind;
use relman_core::inventory::read_files;
use relman_core::testing::{RunDraft, TestKind, TestResult};
use relman_core::work::Work;
use relman_core::{Stage, Store};
use relman_tests::{ReadyRelease, give_test_evidence, read, repo_root, seed_ready_release};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

fn fixture(name: &str) -> (String, String) {
    let path = repo_root().join("tests/fixtures/inventory").join(name);
    (name.to_string(), read(&path))
}

fn run(release: &str, env: &str, kind: TestKind, from: DateTime<Utc>, hours: i64) -> RunDraft {
    RunDraft {
        release: release.into(),
        env: env.into(),
        kind,
        result: TestResult::Passed,
        from,
        to: from + Duration::hours(hours),
        defects: vec![],
        notes: String::new(),
        evidence: None,
    }
}

fn ready(store: &mut Store) {
    let release = ReadyRelease {
        key: "REL-1",
        title: "Payroll 4.2",
        ci: ("payroll-api", "2.1", "2.2"),
        change: "CHG1",
        planned: ("2026-12-05", "2026-12-12"),
    };
    seed_ready_release(store, &release, now());
}

#[test]
fn a_new_genid_in_the_next_import_is_a_revert_to_the_latest_snapshot() {
    let mut store = relman_tests::fresh_store();
    let files = [
        fixture("test-db-01.xml"),
        fixture("test-db-01-snapshot.xml"),
    ];
    let inventory = read_files(&files, None).unwrap();
    store.import_inventory(&inventory, "rita", now()).unwrap();
    // Installed after the snapshot was taken (27 Nov 08:00).
    store
        .record_install(
            "test-db-01",
            "payroll-db",
            "13",
            now() - Duration::days(1),
            "rita",
            now(),
        )
        .unwrap();
    assert_eq!(
        store
            .environment("test-db-01", None, now())
            .unwrap()
            .versions["payroll-db"],
        "13"
    );

    let (name, xml) = fixture("test-db-01.xml");
    let reverted = xml.replace(
        "43dc0cf8-809b-4adb-9bea-a9abb5f3d90d",
        "0d0d0d0d-1111-2222-3333-444455556666",
    );
    let inventory = read_files(&[(name, reverted)], None).unwrap();
    let summary = store.import_inventory(&inventory, "rita", now()).unwrap();
    assert_eq!(summary.reverts, ["test-db-01 reverted to 'clean-install'"]);
    let env = store.environment("test-db-01", None, now()).unwrap();
    assert!(
        env.versions.is_empty(),
        "the snapshot held nothing: {:?}",
        env.versions
    );
    assert_eq!(env.reverts.len(), 1);

    // The same genid again is no revert.
    let inventory = read_files(&[fixture("test-db-01.xml")], None).unwrap();
    store.import_inventory(&inventory, "rita", now()).unwrap();
    let inventory = read_files(&[fixture("test-db-01.xml")], None).unwrap();
    let summary = store.import_inventory(&inventory, "rita", now()).unwrap();
    assert!(summary.reverts.is_empty());
}

#[test]
fn a_revert_during_a_run_and_an_old_snapshot_keep_it_from_counting() {
    let mut store = relman_tests::fresh_store();
    ready(&mut store);
    give_test_evidence(&mut store, "REL-1", now());
    let env = "test-REL-1";
    let t = now() - Duration::days(10);
    store.take_snapshot(env, "base", "", t, "rita", t).unwrap();
    store
        .revert_snapshot(env, "base", t + Duration::hours(30), "rita", t)
        .unwrap();
    let judged = store
        .record_run(
            &run(
                "REL-1",
                env,
                TestKind::Performance,
                t + Duration::hours(29),
                2,
            ),
            "tom",
            t,
        )
        .unwrap();
    assert!(!judged.counts);
    assert!(
        judged.why_not.iter().any(|w| w
            .to_string()
            .contains("reverted to snapshot 'base' during the run")),
        "{:?}",
        judged.why_not
    );

    // Booked on for a week; 'base' is 72 h old three days later.
    store
        .book_environment(
            env,
            "REL-1",
            t + Duration::days(2),
            t + Duration::days(9),
            relman_core::testing::BookingPurpose::CodeChange,
            "rita",
            t,
        )
        .unwrap();
    let late = store
        .record_run(
            &run(
                "REL-1",
                env,
                TestKind::Performance,
                t + Duration::hours(72),
                1,
            ),
            "tom",
            t,
        )
        .unwrap();
    assert!(
        late.why_not
            .iter()
            .any(|w| w.to_string().contains("snapshot 'base' was 72 h old")),
        "{:?}",
        late.why_not
    );
    let view = store.environment(env, None, now()).unwrap();
    assert!(
        view.warnings
            .iter()
            .any(|w| w.to_string().contains("snapshot 'base' is 240 h old")),
        "{:?}",
        view.warnings
    );

    // An exempted baseline no longer holds runs back, and the exemption is recorded.
    store
        .exempt_snapshot(env, "base", Some("golden image"), "rita", now())
        .unwrap();
    let runs = store.test_runs("REL-1").unwrap();
    assert!(
        runs.iter()
            .find(|r| r.run.id == late.run.id)
            .unwrap()
            .counts
    );
    let history = store.history("environment", env).unwrap();
    assert!(
        history
            .iter()
            .any(|r| r.action == "exempt" && r.after.as_deref() == Some("golden image"))
    );
}

#[test]
fn the_cab_approval_is_bound_to_the_evidence_it_saw() {
    let mut store = relman_tests::fresh_store();
    ready(&mut store);
    relman_tests::give_simple_plan(&mut store, "REL-1", now());
    give_test_evidence(&mut store, "REL-1", now());
    while store.release("REL-1").unwrap().stage != Stage::AwaitingAuthorization {
        store.advance_release("REL-1", "rita", now()).unwrap();
    }
    store
        .decide(
            "REL-1",
            Decision::Approve,
            Role::CabMember,
            "Go",
            "bob",
            now(),
        )
        .unwrap();
    store.advance_release("REL-1", "rita", now()).unwrap();

    // A failed run after the decision: the CAB did not see it.
    let mut failed = run(
        "REL-1",
        "test-REL-1",
        TestKind::Functional,
        now() - Duration::days(9),
        1,
    );
    failed.result = TestResult::Failed;
    let judged = store.record_run(&failed, "tom", now()).unwrap();
    let all = store.check_all_rules("REL-1", now()).unwrap();
    let rule = |code: &str| {
        all.rules
            .iter()
            .find(|r| r.result.code == code)
            .unwrap()
            .result
            .clone()
    };
    let auth = rule("AUTH-VALID");
    assert!(!auth.ok);
    assert!(
        auth.message.to_string().contains(&format!(
            "test evidence: run #{} functional failed on test-REL-1",
            judged.run.id
        )),
        "{}",
        auth.message
    );
    let err = store.advance_release("REL-1", "rita", now()).unwrap_err();
    assert!(err.to_string().contains("AUTH-VALID"), "{err}");
}

/// The fixture's vSnapshot as an older RVTools, or someone in Excel, leaves it: no UUIDs.
fn without_uuid_columns(csv: &str) -> String {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let keep: Vec<usize> = (0..headers.len())
        .filter(|i| !headers[*i].contains("UUID"))
        .collect();
    let mut writer = csv::Writer::from_writer(vec![]);
    writer
        .write_record(keep.iter().map(|i| &headers[*i]))
        .unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        writer.write_record(keep.iter().map(|i| &row[*i])).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

#[test]
fn a_vsnapshot_without_uuid_columns_is_matched_to_the_vinfo_vms_by_name() {
    let (info_name, info) = fixture("RVTools_tabvInfo.csv");
    let (snap_name, snap) = fixture("RVTools_tabvSnapshot.csv");
    let trimmed = without_uuid_columns(&snap);
    assert!(!trimmed.contains("UUID") && trimmed.contains("baseline"));

    let mut with_uuids = relman_tests::fresh_store();
    let files = [(info_name.clone(), info.clone()), (snap_name.clone(), snap)];
    let expected = with_uuids
        .import_inventory(&read_files(&files, None).unwrap(), "rita", now())
        .unwrap();
    assert!(expected.notes.is_empty());

    let mut store = relman_tests::fresh_store();
    let files = [
        (info_name.clone(), info.clone()),
        (snap_name.clone(), trimmed.clone()),
    ];
    let summary = store
        .import_inventory(&read_files(&files, None).unwrap(), "rita", now())
        .unwrap();
    assert_eq!(summary.snapshots, expected.snapshots);
    assert_eq!(summary.created, expected.created);
    assert!(
        summary.notes[0].contains("matched to their VM by name"),
        "{:?}",
        summary.notes
    );
    assert!(summary.describe().contains("matched to their VM by name"));
    for env in &expected.created {
        let names = |s: &Store| -> Vec<String> {
            s.environment(env, None, now())
                .unwrap()
                .snapshots
                .iter()
                .map(|x| x.snapshot.name.clone())
                .collect()
        };
        assert_eq!(names(&store), names(&with_uuids), "snapshots of {env}");
    }

    // Without the vInfo file the names cannot be matched: refused, naming the row.
    let alone = read_files(&[(snap_name.clone(), trimmed.clone())], None).unwrap_err();
    assert!(
        alone[0].starts_with("RVTools_tabvSnapshot.csv row 2")
            && alone[0].contains("no VM named 'test-web-01'"),
        "{alone:?}"
    );
    // Two VMs of one name (two vCenters): ambiguous, refused, nothing read.
    let mut reader = csv::Reader::from_reader(info.as_bytes());
    let mut writer = csv::Writer::from_writer(vec![]);
    writer.write_record(reader.headers().unwrap()).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        writer.write_record(&row).unwrap();
        if &row[0] == "test-web-01" {
            let other: Vec<String> = row
                .iter()
                .map(|v| {
                    v.replace("vc01.lab", "vc02.lab")
                        .replace("9a8b7c6d", "11111111")
                })
                .collect();
            writer.write_record(&other).unwrap();
        }
    }
    let doubled = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    let twice = read_files(&[(info_name, doubled), (snap_name, trimmed)], None).unwrap_err();
    assert!(
        twice
            .iter()
            .any(|p| p.contains("2 VMs are named 'test-web-01'")),
        "{twice:?}"
    );
}

/// Stopping an import of a whole vCenter while it runs writes nothing: no environment and no
/// audit record, whether it stops midway or at the last VM.
#[test]
fn an_import_stopped_while_it_runs_writes_nothing() {
    let mut store = relman_tests::fresh_store();
    let inventory = read_files(&relman_tests::rvtools_export(300), None).unwrap();
    let audit = store.verify_audit().unwrap().records;
    for stop_after in [150, 299] {
        let stop = AtomicBool::new(false);
        let progress = |done: usize, total: usize| {
            assert_eq!(total, 300);
            if done == stop_after {
                stop.store(true, Ordering::Relaxed);
            }
        };
        let error = store
            .import_inventory_with(&inventory, "rita", now(), Work::new(&progress, &stop))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Cancelled, "{error}");
        assert!(store.list_environments(now()).unwrap().is_empty());
        assert_eq!(store.verify_audit().unwrap().records, audit);
    }
    // Not stopped: every VM, reported to the end.
    let never = AtomicBool::new(false);
    let last = AtomicUsize::new(0);
    let progress = |done: usize, _| last.store(done, Ordering::Relaxed);
    let summary = store
        .import_inventory_with(&inventory, "rita", now(), Work::new(&progress, &never))
        .unwrap();
    assert_eq!(summary.created.len(), 300);
    assert_eq!(last.load(Ordering::Relaxed), 300);
    assert_eq!(store.list_environments(now()).unwrap().len(), 300);
}

/// The inventory list, read a table at a time, shows each environment as its own view does:
/// versions, snapshots, reverts, bookings and runs on the right one.
#[test]
fn the_list_shows_each_environment_as_its_view_does() {
    let mut store = relman_tests::fresh_store();
    ready(&mut store);
    give_test_evidence(&mut store, "REL-1", now());
    let files = [
        fixture("RVTools_tabvInfo.csv"),
        fixture("RVTools_tabvSnapshot.csv"),
        fixture("test-db-01.xml"),
        fixture("test-db-01-snapshot.xml"),
    ];
    store
        .import_inventory(&read_files(&files, None).unwrap(), "rita", now())
        .unwrap();
    let t = now() - Duration::days(10);
    store
        .take_snapshot("test-REL-1", "base", "", t, "rita", t)
        .unwrap();
    store
        .revert_snapshot("test-REL-1", "base", t + Duration::hours(30), "rita", t)
        .unwrap();
    store
        .book_environment(
            "test-db-01",
            "REL-1",
            t + Duration::days(2),
            t + Duration::days(9),
            relman_core::testing::BookingPurpose::CodeChange,
            "rita",
            t,
        )
        .unwrap();
    let listed = store.list_environments(now()).unwrap();
    assert!(listed.len() >= 4, "{}", listed.len());
    assert!(listed.iter().any(|e| !e.runs.is_empty()));
    assert!(listed.iter().any(|e| !e.reverts.is_empty()));
    assert!(listed.iter().any(|e| !e.bookings.is_empty()));
    assert!(listed.iter().any(|e| !e.snapshots.is_empty()));
    for view in &listed {
        let one = store.environment(&view.env.name, None, now()).unwrap();
        assert_eq!(*view, one, "{}", view.env.name);
    }
}
