//! After the deployment: early life support begins when the last task is done and the CMDB
//! takes the package's versions; incidents, activities and the review guard closure; the KPIs.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use relman_core::after::{
    Activity, ActivityState, Incident, KpiFilter, ReleaseHistory, applicable, kpis,
};
use relman_core::release::{ReleaseType, Stage};
use relman_core::store::Progress;
use relman_core::{ErrorKind, ErrorReport, Store};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

fn kind(error: relman_core::Error) -> ErrorKind {
    ErrorReport::from(&error).kind
}

fn deploying(store: &mut Store) -> &'static str {
    let key = relman_tests::deploying_release(store, now());
    assert_eq!(store.release(key).unwrap().stage, Stage::Deploying);
    key
}

fn production(store: &Store, ci: &str) -> Option<String> {
    store
        .list_cis()
        .unwrap()
        .into_iter()
        .find(|c| c.name == ci)
        .unwrap()
        .prod_version
}

fn finish(store: &mut Store, key: &str, at: DateTime<Utc>) {
    store
        .record_progress(key, "1.deploy", Progress::Started, at, "ops", at)
        .unwrap();
    store
        .record_progress(
            key,
            "1.deploy",
            Progress::Finished,
            at + Duration::hours(1),
            "ops",
            at + Duration::hours(1),
        )
        .unwrap();
}

#[test]
fn the_last_task_done_begins_early_life_support_and_production_runs_the_package() {
    let mut store = relman_tests::fresh_store();
    let key = deploying(&mut store);
    assert_eq!(production(&store, "payroll-api").as_deref(), Some("2.1"));
    store
        .record_progress(key, "1.deploy", Progress::Started, now(), "ops", now())
        .unwrap();
    assert_eq!(
        store.release(key).unwrap().stage,
        Stage::Deploying,
        "one task still running"
    );
    let done = now() + Duration::hours(1);
    store
        .record_progress(key, "1.deploy", Progress::Finished, done, "ops", done)
        .unwrap();
    assert_eq!(store.release(key).unwrap().stage, Stage::EarlyLifeSupport);
    assert_eq!(production(&store, "payroll-api").as_deref(), Some("2.2"));
    let history = store.history("ci", "payroll-api").unwrap();
    let update = history
        .iter()
        .find(|r| r.action == "update")
        .expect("the CMDB update is audited");
    assert_eq!(
        (update.before.as_deref(), update.after.as_deref()),
        (Some("2.1"), Some("2.2"))
    );
    assert!(
        update.actor.starts_with("REL-1"),
        "done by the release: {}",
        update.actor
    );
    let view = store.after_deployment(key, done).unwrap();
    assert_eq!(view.els_since, Some(done));
    assert_eq!(
        view.els_ends,
        Some(done + Duration::days(7)),
        "a minor release: 7 days"
    );
    let cmdb = view
        .activities
        .iter()
        .find(|a| a.activity == Activity::Cmdb)
        .unwrap();
    assert_eq!(cmdb.state, Some(ActivityState::Done));
    assert!(store.verify_audit().unwrap().problems.is_empty());
}

#[test]
fn a_rollback_leaves_production_as_it_was() {
    let mut store = relman_tests::fresh_store();
    let key = deploying(&mut store);
    store
        .record_progress(key, "1.deploy", Progress::Started, now(), "ops", now())
        .unwrap();
    store
        .abort(
            key,
            "smoke test failed",
            now() + Duration::minutes(20),
            "ops",
            now(),
        )
        .unwrap();
    let stage = store.release(key).unwrap().stage;
    assert!(
        matches!(stage, Stage::RolledBack | Stage::Deploying),
        "{stage}"
    );
    assert_eq!(production(&store, "payroll-api").as_deref(), Some("2.1"));
}

#[test]
fn closure_waits_for_the_period_the_incidents_the_activities_and_the_review() {
    let mut store = relman_tests::fresh_store();
    let key = deploying(&mut store);
    finish(&mut store, key, now());
    let els = now() + Duration::hours(1);

    // Bad incidents are refused, naming each field; nothing is written.
    let bad = Incident {
        key: "INC 1".into(),
        severity: 7,
        opened: els + Duration::hours(2),
        resolved: Some(els),
        ci: None,
        note: String::new(),
    };
    let report = ErrorReport::from(&store.add_incident(key, &bad, "ops", els).unwrap_err());
    let fields: Vec<&str> = report.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["key", "severity", "resolved"]);
    assert!(
        store
            .after_deployment(key, els)
            .unwrap()
            .incidents
            .is_empty()
    );

    let incident = Incident {
        key: "INC0012345".into(),
        severity: 2,
        opened: els + Duration::hours(3),
        resolved: None,
        ci: Some("payroll-api".into()),
        note: "payslips slow".into(),
    };
    store.add_incident(key, &incident, "ops", els).unwrap();
    let failing = |store: &Store, at| -> Vec<String> {
        store
            .workspace(key, at)
            .unwrap()
            .checklist
            .failing()
            .map(|r| r.code.clone())
            .collect()
    };
    let during = els + Duration::days(2);
    assert_eq!(
        failing(&store, during),
        ["ELS-DONE", "CLOSE-ACTIVITIES", "CLOSE-REVIEW"]
    );
    let after = els + Duration::days(8);
    let rule = store.workspace(key, after).unwrap().checklist;
    let els_rule = rule.rules.iter().find(|r| r.code == "ELS-DONE").unwrap();
    assert!(
        !els_rule.ok && els_rule.message.to_string().contains("INC0012345"),
        "{}",
        els_rule.message
    );

    // Resolved: the period is over and nothing severe is open.
    let resolved = Incident {
        resolved: Some(els + Duration::days(1)),
        ..incident
    };
    store.add_incident(key, &resolved, "ops", after).unwrap();
    assert_eq!(
        store.after_deployment(key, after).unwrap().incidents.len(),
        1,
        "replaced, not added"
    );
    assert_eq!(failing(&store, after), ["CLOSE-ACTIVITIES", "CLOSE-REVIEW"]);

    // "Not needed" needs a reason; then every applicable activity is settled.
    assert_eq!(
        kind(
            store
                .set_activity(
                    key,
                    Activity::Monitoring,
                    ActivityState::NotNeeded,
                    " ",
                    "ops",
                    after
                )
                .unwrap_err()
        ),
        ErrorKind::Validation
    );
    for activity in applicable(ReleaseType::Minor) {
        if activity != Activity::Cmdb {
            store
                .set_activity(key, activity, ActivityState::Done, "", "ops", after)
                .unwrap();
        }
    }
    assert_eq!(failing(&store, after), ["CLOSE-REVIEW"]);
    assert_eq!(
        kind(
            store
                .record_review(key, 6, "", "", "owner", after)
                .unwrap_err()
        ),
        ErrorKind::Validation
    );
    store
        .record_review(
            key,
            4,
            "Payslips on time",
            "Rehearse with real volumes",
            "owner",
            after,
        )
        .unwrap();
    assert!(failing(&store, after).is_empty());
    store
        .add_cost(key, "1,250.50", "eur", "weekend overtime", "ops", after)
        .unwrap();
    let refused = store
        .add_cost(key, "12.345", "EURO", "", "ops", after)
        .unwrap_err();
    let fields: Vec<String> = ErrorReport::from(&refused)
        .fields
        .into_iter()
        .map(|f| f.field)
        .collect();
    assert_eq!(fields, ["amount", "currency"]);

    store.advance_release(key, "rita", after).unwrap();
    assert_eq!(store.release(key).unwrap().stage, Stage::Closed);
    // A closed release is read-only.
    assert_eq!(
        kind(
            store
                .add_cost(key, "10", "EUR", "", "ops", after)
                .unwrap_err()
        ),
        ErrorKind::Conflict
    );
    assert_eq!(
        kind(
            store
                .add_incident(key, &resolved, "ops", after)
                .unwrap_err()
        ),
        ErrorKind::Conflict
    );

    let k = store.kpis(&KpiFilter::default()).unwrap();
    assert_eq!(k.releases, 1);
    assert_eq!(k.incidents_per_release, 1.0);
    assert_eq!(k.cost.get("EUR"), Some(&125_050));
    assert_eq!(k.satisfaction, Some(4.0));
    assert_eq!(
        k.as_planned_pct, 100.0,
        "finished inside the window the CAB authorized"
    );
    assert!(store.verify_audit().unwrap().problems.is_empty());
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
}

/// A release's history by hand: its moves, the windows of its authorizations.
fn history(
    key: &str,
    kind: ReleaseType,
    moves: &[(u32, Stage, Stage)],
    windows: &[(u32, u32)],
) -> ReleaseHistory {
    ReleaseHistory {
        key: key.into(),
        kind,
        owner: Some("anna".into()),
        moves: moves.iter().map(|(d, f, t)| (at(*d, 12), *f, *t)).collect(),
        authorized_windows: windows.iter().map(|(a, b)| (date(*a), date(*b))).collect(),
        incidents: 0,
        costs: vec![],
        satisfaction: None,
    }
}

#[test]
fn the_kpis_of_a_hand_made_history_have_the_known_answers() {
    use Stage::*;
    let main = |d: u32| -> Vec<(u32, Stage, Stage)> {
        vec![
            (1, Planning, Build),
            (3, Build, Test),
            (5, Test, AwaitingAuthorization),
            (6, AwaitingAuthorization, Authorized),
            (d, Authorized, Deploying),
            (d, Deploying, EarlyLifeSupport),
        ]
    };
    // A: as planned (deployed on the 10th, window 9th–11th), 2 incidents, 1,000 EUR, score 4.
    let mut a = history("A", ReleaseType::Minor, &main(10), &[(9, 11)]);
    a.incidents = 2;
    a.costs = vec![(100_000, "EUR".into(), Stage::Build)];
    a.satisfaction = Some(4);
    a.moves.push((at(20, 12), EarlyLifeSupport, Closed));
    // B: rescheduled (window moved from 9th–11th to 12th–14th), deployed inside the new one.
    let b = history("B", ReleaseType::Major, &main(13), &[(9, 11), (12, 14)]);
    // C: delayed (deployed on the 16th after a window ending the 14th), sent back once.
    let sent_back = [
        (1, Planning, Build),
        (2, Build, Test),
        (3, Test, Build),
        (4, Build, Test),
        (5, Test, AwaitingAuthorization),
        (6, AwaitingAuthorization, Authorized),
        (16, Authorized, Deploying),
        (16, Deploying, EarlyLifeSupport),
    ];
    let mut c = history("C", ReleaseType::Minor, &sent_back, &[(12, 14)]);
    c.satisfaction = Some(2);
    // D: rolled back on the 10th, in the window: neither as planned nor delayed.
    let mut d = history("D", ReleaseType::Emergency, &main(10), &[(9, 11)]);
    d.moves.pop();
    d.moves.push((at(10, 12), Deploying, RolledBack));
    d.costs = vec![(5_050, "USD".into(), Stage::Deploying)];
    // E: never deployed: not counted.
    let e = history("E", ReleaseType::Minor, &main(10)[..3], &[]);

    let all = [a, b, c, d, e];
    let k = kpis(&all, &KpiFilter::default());
    assert_eq!(k.releases, 4);
    assert_eq!(k.as_planned_pct, 25.0, "only A");
    assert_eq!(k.rescheduled_pct, 25.0, "only B");
    assert_eq!(k.delayed_pct, 25.0, "only C");
    assert_eq!(k.needing_revision_pct, 25.0, "only C");
    assert_eq!(k.incidents_per_release, 0.5);
    assert_eq!(k.incidents_by_type.get(&ReleaseType::Minor), Some(&1.0));
    assert_eq!(k.rollbacks, 1);
    assert_eq!(
        k.closed_without_incident, 0,
        "A was closed but had incidents"
    );
    assert_eq!(k.cost.get("EUR"), Some(&100_000));
    assert_eq!(k.cost.get("USD"), Some(&5_050));
    assert_eq!(k.satisfaction, Some(3.0));
    // Build: A 2 days, B 2, C 1 + 1 (entered twice), D 2 → median 2.
    let build = k.stage_days.iter().find(|s| s.stage == Build).unwrap();
    assert_eq!((build.releases, build.median_days), (5, 2.0));
    // Authorized: A 4 days, B 7, C 10, D 4 → median 5.5, quartiles 4 and 7.75 → 7.8.
    let authorized = k.stage_days.iter().find(|s| s.stage == Authorized).unwrap();
    assert_eq!(
        (
            authorized.median_days,
            authorized.q1_days,
            authorized.q3_days
        ),
        (5.5, 4.0, 7.8)
    );

    // The filters: the period by the finishing day, the type, the owner.
    let march_13_on = KpiFilter {
        from: Some(date(13)),
        ..KpiFilter::default()
    };
    assert_eq!(kpis(&all, &march_13_on).releases, 2, "B and C");
    let minor = KpiFilter {
        kind: Some(ReleaseType::Minor),
        ..KpiFilter::default()
    };
    assert_eq!(kpis(&all, &minor).releases, 2, "A and C");
    let nobody = KpiFilter {
        owner: Some("zoe".into()),
        ..KpiFilter::default()
    };
    assert_eq!(kpis(&all, &nobody).releases, 0);
    assert_eq!(kpis(&[], &KpiFilter::default()).as_planned_pct, 0.0);
    // Month by month (all finished in March) and release by release.
    assert_eq!(k.by_month.len(), 1);
    assert_eq!(
        (k.by_month[0].month.as_str(), k.by_month[0].releases),
        ("2026-03", 4)
    );
    assert_eq!(k.by_month[0].delayed_pct, 25.0);
    let a = k.by_release.iter().find(|r| r.key == "A").unwrap();
    assert_eq!((a.incidents, a.cost.get("EUR")), (2, Some(&100_000)));
}

#[test]
fn the_demo_has_half_a_year_of_finished_releases_to_measure() {
    let mut store = relman_tests::fresh_store();
    store.load_demo_data("anna", now()).unwrap();
    let k = store.kpis(&KpiFilter::default()).unwrap();
    assert_eq!(k.releases, 8);
    assert_eq!(
        (
            k.as_planned_pct,
            k.rescheduled_pct,
            k.delayed_pct,
            k.needing_revision_pct
        ),
        (50.0, 12.5, 25.0, 25.0)
    );
    assert_eq!((k.rollbacks, k.closed_without_incident), (1, 4));
    assert!(k.by_month.len() >= 5, "{:?}", k.by_month);
    assert_eq!(k.cost.get("EUR"), Some(&2_825_000));
    assert!(store.verify_audit().unwrap().problems.is_empty());
    let closed = store
        .list_releases(&relman_core::ReleaseFilter {
            stage: Some(Stage::Closed),
        })
        .unwrap();
    assert_eq!(closed.len(), 7);
}

#[test]
fn the_early_life_support_period_follows_the_policy_per_type() {
    let mut store = relman_tests::fresh_store();
    let mut policy = store.els_policy().unwrap();
    assert_eq!(policy.days_for(ReleaseType::Major), 14);
    policy.days.insert(ReleaseType::Minor, 0);
    assert_eq!(
        kind(store.set_els_policy(&policy).unwrap_err()),
        ErrorKind::Validation
    );
    policy.days.insert(ReleaseType::Minor, 2);
    store.set_els_policy(&policy).unwrap();
    let key = deploying(&mut store);
    finish(&mut store, key, now());
    let view = store.after_deployment(key, now()).unwrap();
    assert_eq!(view.els_days, 2);
    assert_eq!(
        view.els_ends,
        Some(now() + Duration::hours(1) + Duration::days(2))
    );
}

/// A ServiceNow export of the `incident` table, opened relative to the deployment's end.
fn servicenow_incidents(resolved: &str) -> String {
    format!(
        "number,opened_at,short_description,priority,state,cmdb_ci,caused_by,resolved_at\n\
         INC0100001,2026-12-02 08:15:00,Payslips show old tax,2 - High,Resolved,payroll-api,CHG1,{resolved}\n\
         INC0100002,2026-12-03 14:00:00,Slow payroll API,3 - Moderate,New,payroll-api,,\n\
         INC0100003,2026-11-20 10:00:00,Payroll API down before the release,1 - Critical,Closed,payroll-api,,2026-11-20 12:00:00\n\
         INC0100004,2026-12-02 09:00:00,Mail relay,4 - Low,New,mail-relay,CHG0099999,\n"
    )
}

#[test]
fn a_service_desk_export_of_incidents_is_read_as_incidents_and_linked_to_their_releases() {
    let mut store = relman_tests::fresh_store();
    let key = deploying(&mut store);
    finish(&mut store, key, now());
    let options = relman_core::csv_import::CsvOptions::default();
    let summary = store
        .import_csv(&servicenow_incidents(""), &options, "sam", now())
        .expect("an incident export is imported");
    assert_eq!(summary.incidents, 2, "{}", summary.describe());
    assert_eq!(summary.changes, 0, "no incident becomes a change");
    assert!(
        !store
            .list_changes(None)
            .unwrap()
            .iter()
            .any(|c| c.key.starts_with("INC")),
        "incidents are not read as changes"
    );
    assert_eq!(summary.unlinked_incidents.len(), 2, "{summary:?}");
    assert!(
        summary.unlinked_incidents[0].starts_with("INC0100003")
            && summary.unlinked_incidents[0].contains("early life support"),
        "{summary:?}"
    );
    assert!(
        summary.unlinked_incidents[1].contains("CHG0099999"),
        "{summary:?}"
    );
    assert!(summary.describe().contains("INC0100004"));

    let after = store
        .after_deployment(key, now() + Duration::days(4))
        .unwrap();
    let keys: Vec<&str> = after.incidents.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["INC0100001", "INC0100002"]);
    assert_eq!(after.incidents[0].severity, 2);
    assert_eq!(after.incidents[0].ci.as_deref(), Some("payroll-api"));
    assert_eq!(after.incidents[0].resolved, None);

    // The desk resolves one and exports again: updated, not duplicated.
    let again = store
        .import_csv(
            &servicenow_incidents("2026-12-02 11:45:00"),
            &options,
            "sam",
            now(),
        )
        .expect("a second import updates");
    assert_eq!(again.incidents, 2);
    let after = store
        .after_deployment(key, now() + Duration::days(4))
        .unwrap();
    assert_eq!(after.incidents.len(), 2, "no duplicate");
    assert_eq!(
        after.incidents[0].resolved,
        Some(Utc.with_ymd_and_hms(2026, 12, 2, 11, 45, 0).unwrap())
    );
    let kpis = store.kpis(&KpiFilter::default()).unwrap();
    assert!(kpis.incidents_per_release > 0.0, "the KPIs count them");
}

#[test]
fn a_jira_service_management_incident_export_links_by_its_cause() {
    let mut store = relman_tests::fresh_store();
    let key = deploying(&mut store);
    finish(&mut store, key, now());
    let jsm = "Summary,Issue key,Issue id,Issue Type,Status,Priority,Created,Resolved,Inward issue link (Causes)\n\
               Payslips blank,ITSM-41,10041,Incident,Open,Highest,02/Dec/26 10:30 AM,,CHG1\n";
    let summary = store
        .import_csv(jsm, &Default::default(), "sam", now())
        .unwrap();
    assert_eq!(summary.incidents, 1, "{}", summary.describe());
    let after = store
        .after_deployment(key, now() + Duration::days(4))
        .unwrap();
    assert_eq!(after.incidents[0].key, "ITSM-41");
    assert_eq!(after.incidents[0].severity, 1);
    assert_eq!(
        after.incidents[0].opened,
        Utc.with_ymd_and_hms(2026, 12, 2, 10, 30, 0).unwrap()
    );
}

#[test]
fn a_file_relman_cannot_place_is_refused_saying_what_it_looks_like() {
    let mut store = relman_tests::fresh_store();
    let message = |error: relman_core::Error| error.to_string();
    // Incident numbers in a file without the incident columns.
    let changes_shape = "number,short_description,state\nINC0100001,Mail down,New\n";
    let refused = store
        .import_csv(changes_shape, &Default::default(), "sam", now())
        .unwrap_err();
    let text = message(refused);
    assert!(text.contains("looks like an incident"), "{text}");
    let unknown = "sys_id,user_name,email\n1,sam,sam@example.com\n";
    let text = message(
        store
            .import_csv(unknown, &Default::default(), "sam", now())
            .unwrap_err(),
    );
    assert!(text.contains("(sys_id, user_name, email)"), "{text}");
    assert!(
        store.list_changes(None).unwrap().is_empty(),
        "nothing written"
    );
}
