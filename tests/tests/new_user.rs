//! What a new user ran into on the first day (issue 8): approvals bound to the plan, real
//! exports from ServiceNow and Jira Service Management, blockers visible in every stage,
//! components and records that can be taken back again.

use chrono::{DateTime, Duration, TimeZone, Utc};
use relman_core::approval::{Decision, Role};
use relman_core::change::{ChangeStatus, Ci, CiKind};
use relman_core::csv_import::{CsvOptions, parse_status_mapping};
use relman_core::package::parse_requirement_spec;
use relman_core::{ErrorKind, Stage, Store};
use relman_tests::{ReadyRelease, give_simple_plan, seed_ready_release};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 14, 2, 0).unwrap()
}

fn ci(name: &str) -> Ci {
    relman_tests::application_ci(name, "2.1")
}

/// A release that passes every rule up to the CAB: an authorized change, its CI in the
/// package, documentation linked, requested by rita.
fn ready_release(store: &mut Store, key: &str) {
    let release = ReadyRelease {
        key,
        title: "Payroll 4.2",
        ci: ("payroll-api", "2.1", "2.2"),
        change: "CHG1",
        planned: ("2026-12-05", "2026-12-12"),
    };
    seed_ready_release(store, &release, now());
    relman_tests::give_test_evidence(store, key, now());
}

fn advance_to(store: &mut Store, key: &str, stage: Stage) {
    while store.release(key).unwrap().stage != stage {
        store
            .advance_release(key, "rita", now())
            .unwrap_or_else(|e| panic!("advance to {stage}: {e}"));
    }
}

fn approve(store: &mut Store, key: &str, at: DateTime<Utc>) {
    store
        .decide(key, Decision::Approve, Role::CabMember, "Go", "bob", at)
        .unwrap();
}

fn auth_valid(store: &Store, key: &str) -> (bool, String) {
    let all = store.check_all_rules(key, now()).unwrap();
    let rule = all
        .rules
        .iter()
        .find(|r| r.result.code == "AUTH-VALID")
        .unwrap();
    (rule.result.ok, rule.result.message.to_string())
}

#[test]
fn an_approval_given_without_a_plan_does_not_cover_the_plan_added_later() {
    let mut store = relman_tests::fresh_store();
    ready_release(&mut store, "REL-1");
    advance_to(&mut store, "REL-1", Stage::AwaitingAuthorization);
    approve(&mut store, "REL-1", now());
    assert!(auth_valid(&store, "REL-1").0);

    give_simple_plan(&mut store, "REL-1", now());
    let (ok, message) = auth_valid(&store, "REL-1");
    assert!(!ok, "the CAB never saw this plan");
    assert!(
        message.contains("bob's approval on Thu 03 Dec 2026 14:02")
            && message.contains("a deployment plan of 1 task was added"),
        "{message}"
    );
    let workspace = store.workspace("REL-1", now()).unwrap();
    assert_eq!(
        workspace.approvals[0]
            .changed_since
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["a deployment plan of 1 task was added"],
        "the Approvals tab shows what changed"
    );
}

#[test]
fn moving_a_task_after_the_decision_names_the_task_and_both_times() {
    let mut store = relman_tests::fresh_store();
    ready_release(&mut store, "REL-1");
    give_simple_plan(&mut store, "REL-1", now());
    relman_tests::rehearse_rollback(&mut store, "REL-1", now());
    advance_to(&mut store, "REL-1", Stage::AwaitingAuthorization);
    approve(&mut store, "REL-1", now());
    assert!(auth_valid(&store, "REL-1").0);

    let schedule = store.schedule("REL-1").unwrap();
    let start = schedule.task("1.deploy").unwrap().start.unwrap();
    let later = start + Duration::minutes(45);
    store
        .move_task(
            "REL-1",
            "1.deploy",
            Some(later),
            schedule.version,
            "rita",
            now(),
        )
        .unwrap();
    let (ok, message) = auth_valid(&store, "REL-1");
    assert!(!ok);
    let fmt = |t: DateTime<Utc>| t.format("%a %d %b %Y %H:%M UTC").to_string();
    assert!(
        message.contains(&format!(
            "task 1.deploy moved from {} to {}",
            fmt(start),
            fmt(later)
        )),
        "{message}"
    );
}

#[test]
fn a_plan_edit_after_authorization_sends_the_release_back_to_the_cab_and_deploying_refuses() {
    let mut store = relman_tests::fresh_store();
    ready_release(&mut store, "REL-1");
    give_simple_plan(&mut store, "REL-1", now());
    relman_tests::rehearse_rollback(&mut store, "REL-1", now());
    advance_to(&mut store, "REL-1", Stage::AwaitingAuthorization);
    approve(&mut store, "REL-1", now());
    advance_to(&mut store, "REL-1", Stage::Authorized);

    let schedule = store.schedule("REL-1").unwrap();
    let start = schedule.task("1.deploy").unwrap().start.unwrap();
    store
        .move_task(
            "REL-1",
            "1.deploy",
            Some(start + Duration::minutes(30)),
            schedule.version,
            "rita",
            now(),
        )
        .unwrap();
    assert_eq!(
        store.release("REL-1").unwrap().stage,
        Stage::AwaitingAuthorization
    );
    let history = store.history("release", "REL-1").unwrap();
    assert!(history.iter().any(|r| r.action == "move"
        && r.before.as_deref() == Some("authorized")
        && r.after.as_deref() == Some("awaiting_authorization")));
    assert!(!auth_valid(&store, "REL-1").0);

    // Approved again as it is now, then deploying: the plan is history.
    approve(&mut store, "REL-1", now());
    advance_to(&mut store, "REL-1", Stage::Deploying);
    let schedule = store.schedule("REL-1").unwrap();
    let err = store
        .move_task("REL-1", "1.deploy", None, schedule.version, "rita", now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        err.to_string().contains("can no longer be changed"),
        "{err}"
    );
    assert_eq!(store.schedule("REL-1").unwrap().version, schedule.version);
    // Progress is still recorded while deploying.
    store
        .record_progress(
            "REL-1",
            "1.deploy",
            relman_core::store::Progress::Started,
            now(),
            "rita",
            now(),
        )
        .unwrap();
}

#[test]
fn a_servicenow_change_export_imports_into_an_empty_database_creating_its_cis() {
    // The columns and values of a real change_request list export.
    let csv = "\u{feff}\"number\",\"short_description\",\"type\",\"state\",\"approval\",\"risk\",\"impact\",\"cmdb_ci\",\"assignment_group\",\"start_date\",\"end_date\",\"cab_date\",\"description\"\n\
        \"CHG0030001\",\"Patch payroll API\",\"Normal\",\"Scheduled\",\"Approved\",\"3 - Moderate\",\"2 - Medium\",\"payroll-api\",\"App Support\",\"2026-12-05 22:00:00\",\"2026-12-06 02:00:00\",\"2026-12-01\",\"Tax tables for 2027\"\n\
        \"CHG0030002\",\"Resize payroll DB\",\"Standard\",\"New\",\"Not Yet Requested\",\"4 - Low\",\"3 - Low\",\"payroll-db\",\"DBA\",\"\",\"\",\"\",\"\"\n\
        \"CHG0030003\",\"Portal SSO\",\"Normal\",\"Implement\",\"Approved\",\"2 - High\",\"1 - High\",\"customer-portal\",\"Web\",\"\",\"\",\"\",\"Line one\nline two\"\n\
        \"CHG0030004\",\"Payroll API hotfix\",\"Emergency\",\"Assess\",\"Requested\",\"3 - Moderate\",\"2 - Medium\",\"payroll-api\",\"App Support\",\"\",\"\",\"\",\"\"\n";
    let mut store = relman_tests::fresh_store();
    let summary = store
        .import_csv(csv, &CsvOptions::default(), "importer", now())
        .unwrap();
    assert_eq!(summary.changes, 4);
    assert_eq!(
        summary.created_cis,
        ["customer-portal", "payroll-api", "payroll-db"]
    );
    assert_eq!(
        summary.describe(),
        "Imported 4 changes; created 3 CIs the changes name: customer-portal, payroll-api, payroll-db"
    );
    let cis = store.list_cis().unwrap();
    assert_eq!(cis.len(), 3);
    assert!(cis.iter().all(|c| c.kind == CiKind::Application));
    let history = store.history("ci", "payroll-api").unwrap();
    let imported = history.iter().find(|r| r.action == "import").unwrap();
    assert!(
        imported
            .after
            .as_deref()
            .unwrap()
            .contains("named by CHG0030001, CHG0030004"),
        "{imported:?}"
    );
    assert_eq!(
        store.change("CHG0030001").unwrap().status,
        ChangeStatus::Authorized
    );

    // The strict behaviour on request: nothing is created, the file is refused.
    let mut strict = relman_tests::fresh_store();
    let options = CsvOptions {
        strict_cis: true,
        ..CsvOptions::default()
    };
    assert!(strict.import_csv(csv, &options, "importer", now()).is_err());
    assert!(strict.list_cis().unwrap().is_empty());
    assert!(strict.list_changes(None).unwrap().is_empty());
}

#[test]
fn a_jira_service_management_export_imports_with_its_statuses_and_a_remembered_mapping() {
    let csv = "Summary,Issue key,Issue id,Issue Type,Status,Priority,Component/s,Component/s,Custom field (Change risk),Custom field (Change type),Created\n\
        Upgrade portal,ITSM-101,10101,Change,Planning,Medium,customer-portal,,Low,Normal,01/Dec/26 9:12 AM\n\
        Rotate certs,ITSM-102,10102,Change,Peer review / change manager approval,High,auth-gateway,customer-portal,High,Standard,01/Dec/26 9:30 AM\n\
        Patch kernel,ITSM-103,10103,Change,Awaiting implementation,High,linux-fleet,,Medium,Normal,01/Dec/26 10:02 AM\n\
        Add dashboards,ITSM-104,10104,Change,Ready for rollout,Low,monitoring,,Low,Normal,01/Dec/26 11:00 AM\n";
    let mut store = relman_tests::fresh_store();
    let refused = store
        .import_csv(csv, &CsvOptions::default(), "importer", now())
        .unwrap_err();
    let text = refused.to_string();
    assert!(
        text.contains("row 5")
            && text.contains("'Ready for rollout'")
            && text.contains("--status-map"),
        "{text}"
    );
    assert!(store.list_changes(None).unwrap().is_empty());

    let mut options = CsvOptions::default();
    let (from, to) = parse_status_mapping("Ready for rollout=authorized").unwrap();
    options.status_map.insert(from, to);
    let summary = store.import_csv(csv, &options, "importer", now()).unwrap();
    assert_eq!(summary.changes, 4);
    assert_eq!(summary.created_cis.len(), 4);
    assert!(
        store
            .list_cis()
            .unwrap()
            .iter()
            .all(|c| c.kind == CiKind::Component)
    );
    use ChangeStatus::*;
    let statuses: Vec<ChangeStatus> = store
        .list_changes(None)
        .unwrap()
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [Draft, Assessed, Authorized, Authorized]);

    // The next Jira file with that status needs no mapping: it was remembered.
    let next = "Summary,Issue key,Status\nMore dashboards,ITSM-105,Ready for rollout\n";
    store
        .import_csv(next, &CsvOptions::default(), "importer", now())
        .unwrap();
    assert_eq!(store.change("ITSM-105").unwrap().status, Authorized);
}

#[test]
fn every_rule_is_visible_in_planning_a_cycle_among_them() {
    let mut store = relman_tests::fresh_store();
    ready_release(&mut store, "REL-1");
    store.create_ci(&ci("payroll-db"), "anna", now()).unwrap();
    let needs = |spec: &str| vec![parse_requirement_spec(spec).unwrap()];
    store
        .update_component(
            "REL-1",
            "payroll-api",
            Some("2.2"),
            &needs("payroll-db>=2"),
            "rita",
            now(),
        )
        .unwrap();
    store
        .add_component(
            "REL-1",
            "payroll-db",
            Some("2.5"),
            &needs("payroll-api>=2"),
            "rita",
            now(),
        )
        .unwrap();
    let next = store.check_release("REL-1", now()).unwrap();
    assert!(
        next.rules.iter().all(|r| r.code != "PKG-NO-CYCLE"),
        "the next move (to build) does not check the package"
    );
    let all = store.check_all_rules("REL-1", now()).unwrap();
    let cycle = all
        .rules
        .iter()
        .find(|r| r.result.code == "PKG-NO-CYCLE")
        .unwrap();
    assert!(!cycle.result.ok);
    assert!(!cycle.next_move);
    assert_eq!((cycle.from, cycle.until), (Stage::Test, Stage::Deploying));
    assert!(
        cycle
            .result
            .message
            .to_string()
            .contains("payroll-api → payroll-db"),
        "{}",
        cycle.result.message
    );
}

#[test]
fn components_can_be_edited_and_removed_and_records_deleted_unless_referenced() {
    let mut store = relman_tests::fresh_store();
    ready_release(&mut store, "REL-1");
    let edited = store
        .update_component("REL-1", "payroll-api", Some("2.3"), &[], "rita", now())
        .unwrap();
    assert_eq!(edited.to_version.as_deref(), Some("2.3"));
    assert_eq!(edited.from_version.as_deref(), Some("2.1"));

    // Referenced: refused, naming who refers, nothing changed.
    let err = store.delete_ci("payroll-api", "anna", now()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        err.to_string().contains("changes CHG1")
            && err.to_string().contains("the packages of REL-1"),
        "{err}"
    );
    let err = store.delete_change("CHG1", "anna", now()).unwrap_err();
    assert!(err.to_string().contains("in the scope of REL-1"), "{err}");
    assert!(store.change("CHG1").is_ok());

    let removed = store
        .remove_component("REL-1", "payroll-api", "rita", now())
        .unwrap();
    assert_eq!(removed.to_version.as_deref(), Some("2.3"));
    assert!(store.components("REL-1").unwrap().is_empty());
    assert_eq!(
        store
            .remove_component("REL-1", "payroll-api", "rita", now())
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    store
        .remove_change_from_release("REL-1", "CHG1", "rita", now())
        .unwrap();

    // The change still names the CI; once it is gone, the CI can go too. Both come back.
    let change = store.delete_change("CHG1", "anna", now()).unwrap();
    assert_eq!(
        store.change("CHG1").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    store.delete_ci("payroll-api", "anna", now()).unwrap();
    assert!(store.list_cis().unwrap().is_empty());
    store.restore_ci("payroll-api", "anna", now()).unwrap();
    let back = store.restore_change("CHG1", "anna", now()).unwrap();
    assert_eq!(
        (back.title, back.status, back.cis),
        (change.title, change.status, change.cis)
    );
    assert_eq!(
        store
            .restore_change("CHG1", "anna", now())
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound,
        "nothing left to undo"
    );
    assert!(store.verify_audit().unwrap().problems.is_empty());
}
