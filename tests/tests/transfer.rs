//! The exchange format: round trips, all-or-nothing imports that name every problem by its JSON
//! path (or CSV row), and the published JSON Schema kept in step with the Rust types.

use chrono::{DateTime, TimeZone, Utc};
use relman_core::approval::{Decision, Role};
use relman_core::change::{ChangeDraft, ChangeStatus, Ci, CiKind};
use relman_core::csv_import::CsvOptions;
use relman_core::package::parse_requirement_spec;
use relman_core::transfer::{self, Document};
use relman_core::{Error, ReleaseDraft, ReleaseFilter, ReleaseType, Store};
use relman_tests::{read, repo_root};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// An authorized release: CIs, changes, scope, package with a requirement, CAB approval.
fn populated() -> Store {
    let mut store = relman_tests::fresh_store();
    for (name, version) in [("payroll-api", "2.1"), ("payroll-db", "12.4")] {
        let ci = Ci::new(name, CiKind::Application, Some(version));
        store.create_ci(&ci, "anna", now()).unwrap();
    }
    let change = ChangeDraft {
        key: "CHG0031415".into(),
        title: "Tax tables".into(),
        status: Some(ChangeStatus::Authorized),
        cis: vec!["payroll-api".into(), "payroll-db".into()],
        incident_refs: vec!["INC0012".into()],
        ..Default::default()
    };
    store.create_change(&change, "anna", now()).unwrap();
    let draft = ReleaseDraft {
        key: "REL-2026-014".into(),
        title: "Payroll 4.2".into(),
        release_type: ReleaseType::Minor,
        planned_start: "2026-12-01".into(),
        planned_end: "2026-12-05".into(),
        owner: Some("Anna".into()),
        risk: None,
        requester: Some("rita".into()),
        dev_docs: Some("https://wiki/dev".into()),
        ops_docs: Some("https://wiki/ops".into()),
    };
    store.create_release(&draft, "anna", now()).unwrap();
    store
        .add_change_to_release("REL-2026-014", "CHG0031415", "anna", now())
        .unwrap();
    let needs_db = parse_requirement_spec("payroll-db>=13").unwrap();
    store
        .add_component(
            "REL-2026-014",
            "payroll-api",
            Some("2.2"),
            &[needs_db],
            "anna",
            now(),
        )
        .unwrap();
    store
        .add_component(
            "REL-2026-014",
            "payroll-db",
            Some("13.0"),
            &[],
            "anna",
            now(),
        )
        .unwrap();
    relman_tests::give_media(&mut store, "REL-2026-014", now());
    relman_tests::give_simple_plan(&mut store, "REL-2026-014", now());
    relman_tests::give_test_evidence(&mut store, "REL-2026-014", now());
    for _ in 0..3 {
        store
            .advance_release("REL-2026-014", "anna", now())
            .unwrap();
    }
    store
        .decide(
            "REL-2026-014",
            Decision::Approve,
            Role::CabMember,
            "Go",
            "carl",
            now(),
        )
        .unwrap();
    store
        .advance_release("REL-2026-014", "anna", now())
        .unwrap();
    store
}

fn problems(error: Error) -> Vec<(String, String)> {
    match error {
        Error::Validation(fields) => fields.into_iter().map(|f| (f.field, f.message)).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn export_then_import_gives_the_same_database() {
    let source = populated();
    let document = source.export(None).unwrap();
    let text = serde_json::to_string_pretty(&document).unwrap();

    let mut target = relman_tests::fresh_store();
    let summary = target
        .import(&transfer::parse(&text).unwrap(), "importer", now())
        .unwrap();
    assert_eq!((summary.cis, summary.changes, summary.releases), (2, 1, 1));
    let mut again = serde_json::to_value(target.export(None).unwrap()).unwrap();
    let mut document = serde_json::to_value(&document).unwrap();
    may_differ(&mut again);
    may_differ(&mut document);
    assert_eq!(again, document);

    // The approval travelled with its content hash, and the content is unchanged: still valid.
    let check = target.check_release("REL-2026-014", now()).unwrap();
    assert_eq!(check.stage, relman_core::Stage::Authorized);
    assert_eq!(check.failing().count(), 0, "{:?}", check.rules);
    assert!(target.verify_audit().unwrap().problems.is_empty());
}

#[test]
fn one_release_exports_with_what_it_refers_to() {
    let mut store = populated();
    let other = ChangeDraft {
        key: "CHG9".into(),
        title: "Unrelated".into(),
        ..Default::default()
    };
    store.create_change(&other, "anna", now()).unwrap();
    let one = store.export(Some("REL-2026-014")).unwrap();
    assert_eq!(one.releases.len(), 1);
    assert_eq!(
        one.changes
            .iter()
            .map(|c| c.key.as_str())
            .collect::<Vec<_>>(),
        ["CHG0031415"]
    );
    assert_eq!(one.cis.len(), 2);
}

#[test]
fn an_import_with_problems_names_each_and_changes_nothing() {
    let mut store = populated();
    let before = store.export(None).unwrap();
    let mut document: Document = serde_json::from_value(serde_json::json!({
        "format": "relman",
        "version": 1,
        "cis": [
            { "name": "portal", "kind": "service", "prod_version": "5.0" },
            { "name": "auth", "kind": "service", "prod_version": "two" }
        ],
        "changes": [
            { "key": "CHG1", "title": "SSO", "status": "authorized", "cis": ["portal", "nowhere"] }
        ],
        "releases": [
            { "key": "REL-2026-020", "title": "Portal SSO", "type": "major",
              "planned_start": "2026-06-10", "planned_end": "2026-06-01" }
        ]
    }))
    .unwrap();
    document.releases.push(before.releases[0].clone());

    let found = problems(store.import(&document, "importer", now()).unwrap_err());
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.cis[1].version",
            "$.changes[0].ci",
            "$.releases[0].planned_end",
            "$.releases[1].key"
        ],
        "{found:?}"
    );
    assert!(found[1].1.contains("nowhere"));
    assert!(found[3].1.contains("REL-2026-014 already exists"));
    assert_eq!(
        store.export(None).unwrap(),
        before,
        "a refused import wrote nothing"
    );
    assert_eq!(
        store
            .list_releases(&ReleaseFilter::default())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn malformed_documents_are_refused_with_their_json_path() {
    let wrong_type = r#"{"format":"relman","version":1,"releases":[{"key":"R-1","title":"t","type":"huge","planned_start":"2026-01-01","planned_end":"2026-01-02"}]}"#;
    let found = problems(transfer::parse(wrong_type).unwrap_err());
    assert_eq!(found[0].0, "$.releases[0].type");
    assert!(found[0].1.contains("major"), "{found:?}");

    let newer = r#"{"format":"relman","version":99}"#;
    assert_eq!(
        problems(transfer::parse(newer).unwrap_err())[0].0,
        "$.version"
    );
    let foreign = r#"{"format":"something-else","version":1}"#;
    assert_eq!(
        problems(transfer::parse(foreign).unwrap_err())[0].0,
        "$.format"
    );
}

#[test]
fn csv_import_is_all_or_nothing_and_names_rows() {
    let mut store = relman_tests::fresh_store();
    let strict = CsvOptions {
        strict_cis: true,
        ..CsvOptions::default()
    };
    let cis = "name,sys_class_name,version\npayroll-api,cmdb_ci_appl,2.1\n";
    store.import_csv(cis, &strict, "importer", now()).unwrap();

    let changes = "number,short_description,state,cmdb_ci\n\
                   CHG1,Tax tables,Scheduled,payroll-api\n\
                   CHG2,Unknown CI,New,mainframe\n\
                   bad key,Bad key,New,\n";
    let found = problems(
        store
            .import_csv(changes, &strict, "importer", now())
            .unwrap_err(),
    );
    let at: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(at, ["row 3, ci", "row 4, key"], "{found:?}");
    assert!(
        store.list_changes(None).unwrap().is_empty(),
        "nothing of the file was kept"
    );

    let fixed = "number,short_description,state,cmdb_ci\nCHG1,Tax tables,Scheduled,payroll-api\n";
    store.import_csv(fixed, &strict, "importer", now()).unwrap();
    assert_eq!(
        store.change("CHG1").unwrap().status,
        ChangeStatus::Authorized
    );
}

#[test]
fn the_published_schema_matches_the_rust_types() {
    let path = repo_root().join("docs/relman-export.schema.json");
    let schema = transfer::schema();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &schema).unwrap();
        return;
    }
    assert!(
        path.exists() && read(&path) == schema,
        "docs/relman-export.schema.json is out of date; run `make bindings` and commit"
    );
    let parsed: serde_json::Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(parsed["title"], "Document");
    assert!(parsed["properties"]["releases"].is_object());
}

/// An import stopped midway, or at its last step before the commit, writes nothing: no CI,
/// change or release, and no audit record. Not stopped, it reports every record to the end.
#[test]
fn an_import_stopped_while_it_runs_writes_nothing() {
    use relman_core::error::ErrorKind;
    use relman_core::transfer::{ChangeRecord, CiRecord};
    use relman_core::work::Work;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let store = populated();
    let mut document = store.export(None).unwrap();
    let mut empty = relman_tests::fresh_store();
    document.cis.extend((0..40).map(|i| CiRecord {
        name: format!("app-{i:02}"),
        kind: CiKind::Application,
        owner: None,
        prod_version: None,
        runs_on: vec![],
        depends_on: vec![],
        contacts: Vec::new(),
    }));
    document.changes.extend((0..40).map(|i| ChangeRecord {
        key: format!("CHG9{i:03}"),
        title: format!("Change {i}"),
        description: String::new(),
        status: ChangeStatus::Draft,
        risk: None,
        kind: None,
        cis: vec![format!("app-{i:02}")],
        incident_refs: vec![],
        problem_refs: vec![],
        cab_decision_date: None,
        window: None,
    }));
    let total = document.cis.len() + document.changes.len() + document.releases.len();
    let csv: String = std::iter::once("number,short_description,state,cmdb_ci\n".to_string())
        .chain((0..50).map(|i| format!("CHG7{i:03},Change {i},New,svc-{i:02}\n")))
        .collect();
    let audit = empty.verify_audit().unwrap().records;
    for stop_at in [total / 2, total] {
        let stop = AtomicBool::new(false);
        let progress = |done: usize, of: usize| {
            assert_eq!(of, total);
            if done == stop_at {
                stop.store(true, Ordering::Relaxed);
            }
        };
        let error = empty
            .import_with_work(&document, "rita", now(), Work::new(&progress, &stop))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Cancelled, "{error}");
        assert!(empty.list_cis().unwrap().is_empty());
        assert!(empty.list_changes(None).unwrap().is_empty());
        assert!(
            empty
                .list_releases(&ReleaseFilter::default())
                .unwrap()
                .is_empty()
        );
        assert_eq!(empty.verify_audit().unwrap().records, audit);

        // A CSV file of changes naming CIs the CMDB lacks: neither the changes nor the CIs.
        let stop = AtomicBool::new(false);
        let progress = |done: usize, of: usize| {
            let at = if stop_at == total { of } else { of / 2 };
            if done == at {
                stop.store(true, Ordering::Relaxed);
            }
        };
        let error = empty
            .import_csv_with(
                &csv,
                &CsvOptions::default(),
                "rita",
                now(),
                Work::new(&progress, &stop),
            )
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Cancelled, "{error}");
        assert!(empty.list_cis().unwrap().is_empty());
        assert!(empty.list_changes(None).unwrap().is_empty());
        assert_eq!(empty.verify_audit().unwrap().records, audit);
    }

    let never = AtomicBool::new(false);
    let last = AtomicUsize::new(0);
    let progress = |done: usize, _| last.store(done, Ordering::Relaxed);
    let summary = empty
        .import_with_work(&document, "rita", now(), Work::new(&progress, &never))
        .unwrap();
    assert_eq!(last.load(Ordering::Relaxed), total);
    assert_eq!(summary.changes as usize, document.changes.len());
    assert_eq!(
        empty.list_changes(None).unwrap().len(),
        document.changes.len()
    );
}

/// What may differ between an export and the export of its import: who moved a release from
/// stage to stage. The moves keep their times, but the audit records the login that writes
/// them (a server refuses any other), so an import writes them as the importer and keeps the
/// original names in an "import" record of the release's history. Everything else is equal:
/// the format has no timestamp of its own.
fn may_differ(export: &mut serde_json::Value) {
    for release in export["releases"].as_array_mut().unwrap() {
        if let Some(moves) = release["stage_moves"].as_array_mut() {
            for m in moves {
                m["by"] = serde_json::Value::Null;
            }
        }
    }
}

#[test]
fn the_demo_travels_whole_export_import_export_gives_the_same_file() {
    use relman_core::cab::MeetingDecision;
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap();
    let mut source = relman_tests::fresh_store();
    source.load_demo_data("demo", at).unwrap();
    // What the demo does not hold by itself: a CAB meeting with a decision taken in it, a
    // policy of this team, and a calendar feed exported once.
    let meeting = source
        .start_meeting(&["carl".into(), "dora".into()], "chair", at)
        .unwrap();
    let key = "REL-2026-102";
    let hash = source
        .cab_agenda(false, at)
        .unwrap()
        .into_iter()
        .find(|c| c.release.key == key)
        .expect("the demo's release awaits the CAB")
        .content_hash;
    source
        .decide_in_meeting(
            &MeetingDecision {
                meeting: meeting.id,
                release: key.into(),
                decision: Decision::Defer,
                comment: "rollback not rehearsed".into(),
                decider: "dora".into(),
                content_hash: hash,
            },
            "chair",
            at,
        )
        .unwrap();
    source.end_meeting(meeting.id, "chair", at).unwrap();
    let mut policy = source.els_policy().unwrap();
    policy.days.insert(ReleaseType::Minor, 10);
    source.set_els_policy(&policy).unwrap();
    let range = relman_core::ics::Range {
        from: at.date_naive() - chrono::Duration::days(200),
        to: at.date_naive() + chrono::Duration::days(200),
    };
    source.calendar_export(&range, at).unwrap();

    let first = serde_json::to_value(source.export(None).unwrap()).unwrap();
    let count = |path: &str| -> usize {
        first["releases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| match &r[path] {
                serde_json::Value::Array(items) => items.len(),
                serde_json::Value::Null => 0,
                _ => 1,
            })
            .sum()
    };
    for kind in [
        "stage_moves",
        "incidents",
        "activities",
        "costs",
        "review",
        "approvals",
        "test_runs",
        "bookings",
    ] {
        assert!(count(kind) > 0, "the demo's export holds {kind}");
    }
    for kind in [
        "meetings",
        "calendar_feed",
        "environments",
        "models",
        "windows",
    ] {
        assert!(
            first[kind].as_array().is_some_and(|a| !a.is_empty()),
            "the export holds {kind}"
        );
    }
    assert!(first["settings"]["els_policy"].is_string());

    let text = serde_json::to_string(&first).unwrap();
    let mut target = relman_tests::fresh_store();
    target
        .import(&transfer::parse(&text).unwrap(), "importer", at)
        .expect("the export imports into an empty database");
    let mut second = serde_json::to_value(target.export(None).unwrap()).unwrap();
    let mut first = first;
    may_differ(&mut first);
    may_differ(&mut second);
    if first != second {
        let (a, b) = (first.to_string(), second.to_string());
        let at = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
        panic!(
            "the second export differs from the first at character {at}:\n{}\n---\n{}",
            &a[at.saturating_sub(200)..(at + 200).min(a.len())],
            &b[at.saturating_sub(200)..(at + 200).min(b.len())]
        );
    }
    // What the history says travels too: the KPIs are the same.
    assert_eq!(
        serde_json::to_value(target.kpis(&Default::default()).unwrap()).unwrap(),
        serde_json::to_value(source.kpis(&Default::default()).unwrap()).unwrap()
    );
    assert!(target.verify_audit().unwrap().problems.is_empty());
}
