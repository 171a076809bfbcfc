//! Editing changes and CIs: validation per field, key clashes, CI relations, audit records.

use chrono::{DateTime, TimeZone, Utc};
use relman_core::change::{ChangeDraft, ChangeStatus, Ci, CiKind};
use relman_core::{Error, Store};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn store() -> Store {
    let mut store = relman_tests::fresh_store();
    for name in ["payroll-api", "payroll-db", "srv-01"] {
        store
            .create_ci(
                &Ci::new(name, CiKind::Application, Some("1.0")),
                "anna",
                now(),
            )
            .unwrap();
    }
    let change = ChangeDraft {
        key: "CHG1".into(),
        title: "Tax tables".into(),
        cis: vec!["payroll-api".into()],
        ..Default::default()
    };
    store.create_change(&change, "anna", now()).unwrap();
    store
}

#[test]
fn a_change_is_edited_field_by_field_with_its_history() {
    let mut store = store();
    let edit = ChangeDraft {
        key: "CHG1".into(),
        title: "Tax tables 2027".into(),
        status: Some(ChangeStatus::Assessed),
        cis: vec!["payroll-api".into(), "payroll-db".into()],
        ..Default::default()
    };
    let saved = store.update_change("CHG1", &edit, "ben", now()).unwrap();
    assert_eq!(saved.title, "Tax tables 2027");
    assert_eq!(saved.cis, ["payroll-api", "payroll-db"]);
    let fields: Vec<String> = store
        .history("change", "CHG1")
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "update")
        .filter_map(|r| r.field)
        .collect();
    assert_eq!(fields, ["title", "status", "cis"]);
}

#[test]
fn a_change_edit_with_unknown_ci_or_taken_key_changes_nothing() {
    let mut store = store();
    store
        .create_change(
            &ChangeDraft {
                key: "CHG2".into(),
                title: "Other".into(),
                ..Default::default()
            },
            "anna",
            now(),
        )
        .unwrap();
    let unknown = ChangeDraft {
        key: "CHG1".into(),
        title: "x".into(),
        cis: vec!["mainframe".into()],
        ..Default::default()
    };
    let Err(Error::Validation(fields)) = store.update_change("CHG1", &unknown, "ben", now()) else {
        panic!()
    };
    assert!(fields[0].message.contains("mainframe"));
    let taken = ChangeDraft {
        key: "CHG2".into(),
        title: "x".into(),
        ..Default::default()
    };
    assert_eq!(
        store
            .update_change("CHG1", &taken, "ben", now())
            .unwrap_err()
            .fields()[0]
            .field,
        "key"
    );
    assert_eq!(store.change("CHG1").unwrap().title, "Tax tables");
}

#[test]
fn cis_relate_to_other_cis_and_keep_their_name() {
    let mut store = store();
    let mut api = Ci::new("payroll-api", CiKind::Application, Some("4.2"));
    api.runs_on = vec!["srv-01".into()];
    api.depends_on = vec!["payroll-db".into()];
    let saved = store.update_ci("payroll-api", &api, "anna", now()).unwrap();
    assert_eq!(
        (saved.runs_on.as_slice(), saved.depends_on.as_slice()),
        (&["srv-01".to_string()][..], &["payroll-db".to_string()][..])
    );
    assert_eq!(
        store.list_cis().unwrap()[0].prod_version.as_deref(),
        Some("4.2")
    );

    api.depends_on = vec!["nowhere".into()];
    let Err(Error::Validation(fields)) = store.update_ci("payroll-api", &api, "anna", now()) else {
        panic!()
    };
    assert_eq!(fields[0].field, "depends_on");
    let renamed = Ci::new("payroll-service", CiKind::Application, None);
    assert_eq!(
        store
            .update_ci("payroll-api", &renamed, "anna", now())
            .unwrap_err()
            .fields()[0]
            .field,
        "name"
    );
    let mut own = Ci::new("srv-01", CiKind::Server, None);
    own.runs_on = vec!["srv-01".into()];
    assert!(
        store
            .update_ci("srv-01", &own, "anna", now())
            .unwrap_err()
            .to_string()
            .contains("itself")
    );
    assert_eq!(
        store.list_cis().unwrap()[0].depends_on,
        ["payroll-db"],
        "refused edits changed nothing"
    );
}

#[test]
fn relations_travel_in_exports_even_to_a_ci_later_in_the_file() {
    let mut source = relman_tests::fresh_store();
    source
        .create_ci(&Ci::new("srv-01", CiKind::Server, None), "anna", now())
        .unwrap();
    let mut app = Ci::new("app", CiKind::Application, Some("1"));
    app.runs_on = vec!["srv-01".into()];
    source.create_ci(&app, "anna", now()).unwrap();
    let document = source.export(None).unwrap();
    assert_eq!(
        document.cis[0].name, "app",
        "exported by name: app comes before srv-01"
    );

    let mut target = relman_tests::fresh_store();
    target.import(&document, "importer", now()).unwrap();
    assert_eq!(target.list_cis().unwrap()[0].runs_on, ["srv-01"]);
}

/// The lists read a table at a time (50,000 changes, 20,000 CIs): each listed change is the
/// change as it is read on its own, each CI carries its own relations and no other's.
#[test]
fn the_lists_show_each_change_and_ci_as_they_are_read_alone() {
    let mut store = store();
    let mut api = Ci::new("payroll-api", CiKind::Application, Some("1.0"));
    api.runs_on = vec!["srv-01".into()];
    api.depends_on = vec!["payroll-db".into()];
    store.update_ci("payroll-api", &api, "anna", now()).unwrap();
    let mut db = Ci::new("payroll-db", CiKind::Application, Some("1.0"));
    db.runs_on = vec!["srv-01".into()];
    store.update_ci("payroll-db", &db, "anna", now()).unwrap();
    for (key, cis, status) in [
        ("CHG2", vec!["srv-01", "payroll-db"], ChangeStatus::Assessed),
        ("CHG3", vec![], ChangeStatus::Assessed),
    ] {
        let draft = ChangeDraft {
            key: key.into(),
            title: format!("{key} title"),
            status: Some(status),
            cis: cis.into_iter().map(String::from).collect(),
            ..Default::default()
        };
        store.create_change(&draft, "anna", now()).unwrap();
    }

    let listed = store.list_changes(None).unwrap();
    let keys: Vec<&str> = listed.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["CHG1", "CHG2", "CHG3"]);
    for change in &listed {
        assert_eq!(change, &store.change(&change.key).unwrap());
    }
    assert_eq!(listed[1].cis, ["payroll-db", "srv-01"]);
    assert!(listed[2].cis.is_empty());
    let assessed: Vec<String> = store
        .list_changes(Some(ChangeStatus::Assessed))
        .unwrap()
        .into_iter()
        .map(|c| c.key)
        .collect();
    assert_eq!(assessed, ["CHG2", "CHG3"]);

    let cis = store.list_cis().unwrap();
    let names: Vec<&str> = cis.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["payroll-api", "payroll-db", "srv-01"]);
    assert_eq!(cis[0].runs_on, ["srv-01"]);
    assert_eq!(cis[0].depends_on, ["payroll-db"]);
    assert_eq!(cis[1].runs_on, ["srv-01"]);
    assert!(cis[1].depends_on.is_empty());
    assert!(cis[2].runs_on.is_empty() && cis[2].depends_on.is_empty());
}
