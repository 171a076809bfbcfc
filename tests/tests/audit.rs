//! The audit history is append-only and tamper-evident: the database refuses UPDATE and
//! DELETE on it, and `verify_audit` finds any record altered or removed behind its back.

use chrono::{Duration, TimeZone, Utc};
use relman_core::approval::{Decision, Role};
use relman_core::change::{ChangeDraft, Ci, CiKind};
use relman_core::{ReleaseDraft, ReleaseType, Store};
use rusqlite::Connection;

fn draft(key: &str, title: &str) -> ReleaseDraft {
    ReleaseDraft {
        key: key.into(),
        title: title.into(),
        release_type: ReleaseType::Minor,
        planned_start: "2026-03-01".into(),
        planned_end: "2026-03-14".into(),
        owner: None,
        risk: None,
        requester: None,
        dev_docs: Some("https://wiki/dev".into()),
        ops_docs: Some("https://wiki/ops".into()),
    }
}

/// A database with a few dozen audit records of every kind.
fn populated(path: &std::path::Path) -> i64 {
    let mut store = Store::open(path).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 2, 1, 9, 0, 0).unwrap();
    let ci = Ci::new("api", CiKind::Application, Some("2.1"));
    store.create_ci(&ci, "anna", t0).unwrap();
    for i in 0..6 {
        let t = t0 + Duration::minutes(i);
        let key = format!("REL-{i}");
        let created = store
            .create_release(&draft(&key, "first"), "anna", t)
            .unwrap();
        store
            .update_release(&key, created.version, &draft(&key, "second"), "ben", t)
            .unwrap();
        let change = ChangeDraft {
            key: format!("CHG{i}"),
            title: "c".into(),
            cis: vec!["api".into()],
            ..Default::default()
        };
        store.create_change(&change, "anna", t).unwrap();
        store
            .authorize_change(&format!("CHG{i}"), "carl", t)
            .unwrap();
        store
            .add_change_to_release(&key, &format!("CHG{i}"), "anna", t)
            .unwrap();
        store
            .add_component(&key, "api", Some("2.2"), &[], "anna", t)
            .unwrap();
    }
    relman_tests::give_media(&mut store, "REL-0", t0);
    relman_tests::give_test_evidence(&mut store, "REL-0", t0);
    for _ in 0..3 {
        store.advance_release("REL-0", "anna", t0).unwrap();
    }
    store
        .decide(
            "REL-0",
            Decision::Approve,
            Role::CabMember,
            "ok",
            "carl",
            t0,
        )
        .unwrap();
    store.delete_release("REL-5", "anna", t0).unwrap();
    store.restore_release("REL-5", "anna", t0).unwrap();
    let report = store.verify_audit().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    report.records
}

/// A copy of the database with the append-only triggers dropped, as an attacker would.
fn tampered_copy(
    original: &std::path::Path,
    dir: &std::path::Path,
    name: &str,
) -> (std::path::PathBuf, Connection) {
    let path = dir.join(name);
    std::fs::copy(original, &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    (path, conn)
}

#[test]
fn the_database_refuses_to_change_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relman.db");
    populated(&path);
    let conn = Connection::open(&path).unwrap();
    let update = conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = conn.execute("DELETE FROM audit_log WHERE seq = 2", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[test]
fn every_altered_or_removed_record_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("relman.db");
    let records = populated(&original);
    assert!(records > 40, "only {records} records");

    let columns = [
        "actor",
        "at",
        "entity",
        "entity_key",
        "action",
        "field",
        "before",
        "after",
    ];
    // Every record, each with one of its columns altered in turn.
    for seq in 1..=records {
        let column = columns[(seq as usize * 7) % columns.len()];
        let (path, conn) = tampered_copy(&original, dir.path(), "altered.db");
        let value = if column == "at" {
            "'2020-01-01T00:00:00+00:00'"
        } else {
            "'tampered'"
        };
        conn.execute(
            &format!("UPDATE audit_log SET {column} = {value} WHERE seq = ?1"),
            [seq],
        )
        .unwrap();
        drop(conn);
        let report = Store::open(&path).unwrap().verify_audit().unwrap();
        assert!(
            !report.problems.is_empty(),
            "altering {column} of record {seq} went unnoticed"
        );
    }
    // Removals: the first, one in the middle, and the newest.
    for seq in [1, records / 2, records] {
        let (path, conn) = tampered_copy(&original, dir.path(), "removed.db");
        conn.execute("DELETE FROM audit_log WHERE seq = ?1", [seq])
            .unwrap();
        drop(conn);
        let report = Store::open(&path).unwrap().verify_audit().unwrap();
        assert!(
            !report.problems.is_empty(),
            "removing record {seq} went unnoticed"
        );
    }
}

#[test]
fn history_reads_each_step_of_a_release() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relman.db");
    populated(&path);
    let store = Store::open(&path).unwrap();
    let steps: Vec<(String, String, Option<String>)> = store
        .history("release", "REL-0")
        .unwrap()
        .into_iter()
        .map(|r| (r.actor, r.action, r.field))
        .collect();
    let expected = [
        ("anna", "create", None),
        ("ben", "update", Some("title")),
        ("anna", "add_change", Some("scope")),
        ("anna", "add_component", Some("package")),
        ("rita", "update", Some("package_type")),
        ("rita", "edit_component", Some("dml")),
        ("rita", "book", None),
        ("tom", "test run", None),
        ("tom", "test run", None),
        ("tom", "test run", None),
        ("anna", "move", Some("stage")),
        ("anna", "move", Some("stage")),
        ("anna", "move", Some("stage")),
        ("carl", "decide", Some("approval")),
    ];
    let expected: Vec<(String, String, Option<String>)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.map(str::to_string)))
        .collect();
    assert_eq!(steps, expected);
}

#[test]
fn history_follows_a_rename_and_a_reused_key_starts_afresh() {
    let mut store = relman_tests::fresh_store();
    let t = Utc.with_ymd_and_hms(2026, 2, 1, 9, 0, 0).unwrap();
    let first = store
        .create_release(&draft("REL-1", "first"), "anna", t)
        .unwrap();
    store
        .update_release("REL-1", first.version, &draft("REL-2", "first"), "ben", t)
        .unwrap();
    let actions = |store: &Store, key: &str| -> Vec<String> {
        store
            .history("release", key)
            .unwrap()
            .into_iter()
            .map(|r| format!("{} {}", r.action, r.field.unwrap_or_default()))
            .collect()
    };
    assert_eq!(actions(&store, "REL-2"), ["create ", "update key"]);

    // A new release under the old key has only its own history.
    store
        .create_release(&draft("REL-1", "second"), "carl", t)
        .unwrap();
    assert_eq!(actions(&store, "REL-1"), ["create "]);
    assert_eq!(actions(&store, "REL-2"), ["create ", "update key"]);

    // And so does one that reuses a deleted release's key.
    store.delete_release("REL-1", "carl", t).unwrap();
    store
        .create_release(&draft("REL-1", "third"), "dora", t)
        .unwrap();
    assert_eq!(actions(&store, "REL-1"), ["create "]);
    assert_eq!(store.history("release", "REL-1").unwrap()[0].actor, "dora");
}

#[test]
fn an_import_records_its_releases_and_approvals() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relman.db");
    populated(&path);
    let document = Store::open(&path).unwrap().export(Some("REL-0")).unwrap();
    let mut target = relman_tests::fresh_store();
    target
        .import(&document, "importer", relman_tests::now())
        .unwrap();
    let history = target.history("release", "REL-0").unwrap();
    let actions: Vec<&str> = history.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "add_change",
            "add_component",
            "edit_component",
            "move",
            "move",
            "move",
            "import",
            "decide",
            "update"
        ]
    );
    assert!(history.iter().all(|r| r.actor == "importer"));
    assert!(target.verify_audit().unwrap().problems.is_empty());
}
