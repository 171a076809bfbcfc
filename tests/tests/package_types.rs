//! Release package types (full, delta, package), release units and the Definitive Media
//! Library: each type's rule explains and remedies, members move with their package, and a
//! target version off the numbering is advice, not a block. On both engines.

use chrono::{DateTime, TimeZone, Utc};
use relman_core::message::Lang;
use relman_core::package::{Dml, PackageType};
use relman_core::store::ReleaseUnit;
use relman_core::{ErrorKind, ErrorReport, Stage, Store};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap()
}

fn demo() -> Store {
    let mut store = relman_tests::fresh_store();
    store.load_demo_data("demo", now()).unwrap();
    store
}

/// The rule `code` of `key` as it holds now: (ok, message, remedy) in English.
fn rule(store: &Store, key: &str, code: &str) -> (bool, String, String) {
    let all = store.check_all_rules(key, now()).unwrap();
    let r = all
        .rules
        .into_iter()
        .find(|r| r.result.code == code)
        .unwrap_or_else(|| panic!("{code} is a rule"));
    (
        r.result.ok,
        r.result.message.render(Lang::En),
        r.result
            .remedy
            .map(|m| m.render(Lang::En))
            .unwrap_or_default(),
    )
}

fn kind(error: relman_core::Error) -> (ErrorKind, String) {
    let report = ErrorReport::from(&error);
    (report.kind, report.message)
}

#[test]
fn a_delta_names_a_base_in_production_and_starts_where_it_left_off() {
    let mut store = demo();
    let payroll = "REL-2026-101";
    let release = store.release(payroll).unwrap();
    assert_eq!(release.package_type, PackageType::Delta, "minor: delta");
    assert_eq!(release.base.as_deref(), Some("REL-2026-086"));
    let (ok, message, _) = rule(&store, payroll, "PKG-DELTA-BASE");
    assert!(ok, "{message}");
    assert!(message.contains("REL-2026-086"), "{message}");

    // A base that has not reached production does not do.
    store
        .set_package_type(
            payroll,
            PackageType::Delta,
            Some("REL-2026-105"),
            "anna",
            now(),
        )
        .unwrap();
    let (ok, message, remedy) = rule(&store, payroll, "PKG-DELTA-BASE");
    assert!(!ok);
    assert_eq!(
        message,
        "The base REL-2026-105 has not reached production (stage: Planning)"
    );
    assert!(remedy.contains("make the release full"), "{remedy}");

    // Nor does none; and a component that starts elsewhere is named with what was expected.
    store
        .set_package_type(payroll, PackageType::Delta, None, "anna", now())
        .unwrap();
    assert_eq!(
        rule(&store, payroll, "PKG-DELTA-BASE").1,
        "A delta release names no base release"
    );
    store
        .set_package_type(
            payroll,
            PackageType::Delta,
            Some("REL-2026-086"),
            "anna",
            now(),
        )
        .unwrap();
    let mut api = store
        .list_cis()
        .unwrap()
        .into_iter()
        .find(|c| c.name == "payroll-api")
        .unwrap();
    api.prod_version = Some("4.1.5".into());
    store.update_ci("payroll-api", &api, "anna", now()).unwrap();
    let (ok, message, _) = rule(&store, payroll, "PKG-DELTA-BASE");
    assert!(!ok);
    assert!(message.contains("payroll-api 4.1 ≠ 4.1.5"), "{message}");

    // A base is refused where it makes no sense, naming the field; nothing changes.
    for (package_type, base, words) in [
        (
            PackageType::Full,
            Some("REL-2026-086"),
            "only a delta release names a base",
        ),
        (PackageType::Delta, Some(payroll), "cannot be its own base"),
        (PackageType::Delta, Some("REL-9"), "REL-9 is not a release"),
    ] {
        let refused = store
            .set_package_type(payroll, package_type, base, "anna", now())
            .unwrap_err();
        let (k, message) = kind(refused);
        assert_eq!(k, ErrorKind::Validation);
        assert!(
            message.contains("base") && message.contains(words),
            "{message}"
        );
    }
    assert_eq!(
        store.release(payroll).unwrap().base.as_deref(),
        Some("REL-2026-086")
    );
}

#[test]
fn a_full_release_covers_its_release_unit() {
    let mut store = demo();
    let portal = "REL-2026-102";
    assert_eq!(
        store.release(portal).unwrap().package_type,
        PackageType::Full
    );
    let (ok, message, _) = rule(&store, portal, "PKG-FULL-UNIT");
    assert!(ok, "{message}");
    assert_eq!(
        message,
        "The package covers its release units: Customer portal"
    );
    // The unit grows by a CI the package leaves out.
    store.delete_unit("Customer portal", "anna", now()).unwrap();
    let unit = ReleaseUnit {
        name: "Customer portal".into(),
        cis: vec![
            "customer-portal".into(),
            "sso-gateway".into(),
            "monitoring-agent".into(),
        ],
    };
    store.create_unit(&unit, "anna", now()).unwrap();
    let (ok, message, remedy) = rule(&store, portal, "PKG-FULL-UNIT");
    assert!(!ok);
    assert_eq!(
        message,
        "A full release leaves out CIs of its release unit: monitoring-agent (Customer portal)"
    );
    assert!(
        remedy.starts_with("Add every CI of the release unit"),
        "{remedy}"
    );
    // A unit of CIs the CMDB lacks is refused, naming them.
    let bad = ReleaseUnit {
        name: "Ghosts".into(),
        cis: vec!["nowhere".into()],
    };
    let (k, message) = kind(store.create_unit(&bad, "anna", now()).unwrap_err());
    assert_eq!(k, ErrorKind::Validation);
    assert!(message.contains("nowhere is not in the CMDB"), "{message}");
    assert!(store.units().unwrap().iter().all(|u| u.name != "Ghosts"));
}

#[test]
fn build_to_test_needs_every_component_from_the_dml() {
    let mut store = demo();
    let agents = "REL-2026-104";
    let (ok, message, remedy) = rule(&store, agents, "BUILD-FROM-DML");
    assert!(!ok);
    assert_eq!(
        message,
        "No definitive media (DML) cited for monitoring-agent"
    );
    assert!(remedy.contains("SHA-256"), "{remedy}");
    let all = store.check_all_rules(agents, now()).unwrap();
    let guard = all
        .rules
        .iter()
        .find(|r| r.result.code == "BUILD-FROM-DML")
        .unwrap();
    assert_eq!((guard.from, guard.until), (Stage::Test, Stage::Deploying));

    let bad = Dml {
        location: "https://dml.example.com/agent-7.0.tgz".into(),
        sha256: "not a checksum".into(),
    };
    let (k, message) = kind(
        store
            .set_component_dml(agents, "monitoring-agent", Some(&bad), "anna", now())
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation);
    assert!(message.contains("sha256"), "{message}");
    assert!(
        rule(&store, agents, "BUILD-FROM-DML")
            .1
            .contains("No definitive media")
    );

    let media = relman_core::demo::media("monitoring-agent", "7.0");
    let component = store
        .set_component_dml(agents, "monitoring-agent", Some(&media), "anna", now())
        .unwrap();
    assert_eq!(component.dml.as_ref(), Some(&media));
    assert!(rule(&store, agents, "BUILD-FROM-DML").0);
    // The DML survives an edit of the component's version.
    store
        .update_component(agents, "monitoring-agent", Some("6.5"), &[], "anna", now())
        .unwrap();
    assert_eq!(
        store.components(agents).unwrap()[0].dml.as_ref(),
        Some(&media)
    );
}

#[test]
fn a_version_off_the_numbering_is_a_warning_with_the_expected_number() {
    let mut store = demo();
    let agents = "REL-2026-104";
    let view = store.package_view(agents).unwrap();
    let warnings: Vec<String> = view.numbering.iter().map(|m| m.render(Lang::En)).collect();
    assert_eq!(
        warnings,
        ["monitoring-agent goes from 6.4 to 7.0; a minor release is expected to go to 6.5"]
    );
    assert!(
        store
            .check_all_rules(agents, now())
            .unwrap()
            .rules
            .iter()
            .all(|r| !r.result.message.render(Lang::En).contains("expected to go")),
        "advice, not a rule"
    );
    store
        .update_component(agents, "monitoring-agent", Some("6.5"), &[], "anna", now())
        .unwrap();
    assert!(store.package_view(agents).unwrap().numbering.is_empty());
}

/// Two releases of one CI each and a package release of both, in planning.
fn bundle(store: &mut Store) {
    for (key, ci, from, to) in [("REL-A", "api", "2.1", "2.2"), ("REL-B", "db", "12", "13")] {
        store
            .create_ci(&relman_tests::application_ci(ci, from), "rita", now())
            .unwrap();
        store
            .create_release(&relman_tests::minor_release(key, key), "rita", now())
            .unwrap();
        store
            .add_component(key, ci, Some(to), &[], "rita", now())
            .unwrap();
    }
    store
        .create_release_packaged(
            &relman_tests::minor_release("REL-P", "Both together"),
            Some(PackageType::Package),
            None,
            "rita",
            now(),
        )
        .unwrap();
    for (ci, to) in [("api", "2.2"), ("db", "13")] {
        store
            .add_component("REL-P", ci, Some(to), &[], "rita", now())
            .unwrap();
    }
}

#[test]
fn a_package_holds_two_members_tested_together_and_they_move_with_it() {
    let mut store = relman_tests::fresh_store();
    bundle(&mut store);
    // Only a package holds members.
    let (k, message) = kind(
        store
            .add_member("REL-A", "REL-B", "rita", now())
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation);
    assert!(message.contains("make it a package"), "{message}");

    store.add_member("REL-P", "REL-A", "rita", now()).unwrap();
    let (ok, message, _) = rule(&store, "REL-P", "PKG-BUNDLE");
    assert!(!ok);
    assert_eq!(
        message,
        "A package holds 1 member release; it needs at least two"
    );
    let members = store.add_member("REL-P", "REL-B", "rita", now()).unwrap();
    assert_eq!(
        members.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(),
        ["REL-A", "REL-B"]
    );
    let (k, message) = kind(
        store
            .add_member("REL-P", "REL-A", "rita", now())
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation);
    assert!(message.contains("already a member of REL-P"), "{message}");

    let (ok, message, _) = rule(&store, "REL-P", "PKG-BUNDLE");
    assert!(!ok);
    assert_eq!(
        message,
        "No passed test run of the package had these installed: REL-A api 2.2, REL-B db 13"
    );
    relman_tests::give_test_evidence(&mut store, "REL-P", now());
    let (ok, message, _) = rule(&store, "REL-P", "PKG-BUNDLE");
    assert!(ok, "{message}");
    assert_eq!(
        message,
        "The package's tests cover every member: REL-A, REL-B"
    );

    // A member goes to test, but not beyond it on its own.
    let member = store.check_all_rules("REL-A", now()).unwrap();
    let bundle = member
        .rules
        .iter()
        .find(|r| r.result.code == "PKG-BUNDLE")
        .unwrap();
    assert!(bundle.result.ok, "planning → build is the member's own");
    let view = store.package_view("REL-A").unwrap();
    assert_eq!(view.member_of.as_deref(), Some("REL-P"));

    // The package type cannot go while it holds members; taking one out is undone by adding.
    let (k, message) = kind(
        store
            .set_package_type("REL-P", PackageType::Full, None, "rita", now())
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation);
    assert!(message.contains("holds member releases"), "{message}");
    let left = store
        .remove_member("REL-P", "REL-B", "rita", now())
        .unwrap();
    assert_eq!(left.len(), 1);
    assert!(store.package_view("REL-B").unwrap().member_of.is_none());
}

#[test]
fn package_types_units_members_and_media_travel_in_the_export() {
    let mut store = relman_tests::fresh_store();
    bundle(&mut store);
    store.add_member("REL-P", "REL-A", "rita", now()).unwrap();
    store.add_member("REL-P", "REL-B", "rita", now()).unwrap();
    let media = relman_core::demo::media("api", "2.2");
    store
        .set_component_dml("REL-A", "api", Some(&media), "rita", now())
        .unwrap();
    let unit = ReleaseUnit {
        name: "Shop".into(),
        cis: vec!["api".into(), "db".into()],
    };
    store.create_unit(&unit, "rita", now()).unwrap();
    let document = store.export(None).unwrap();
    let mut target = relman_tests::fresh_store();
    target.import(&document, "importer", now()).unwrap();
    assert_eq!(target.units().unwrap(), [unit]);
    let p = target.package_view("REL-P").unwrap();
    assert_eq!(p.package_type, PackageType::Package);
    assert_eq!(p.members.len(), 2);
    assert_eq!(
        target.components("REL-A").unwrap()[0].dml.as_ref(),
        Some(&media)
    );
}
