//! A change's planned window: the window change management authorized it for. Imports keep it
//! (and refuse a bad one naming row and column), the CLI sets it, exports carry it, and
//! `SCHED-IN-CHANGE-WINDOW` keeps the release's deployment of the change's CIs inside it.

use chrono::{DateTime, TimeZone, Utc};
use relman_core::change::{ChangeDraft, ChangeWindow};
use relman_core::csv_import::CsvOptions;
use relman_core::plan::{Strategy, Wave};
use relman_core::store::PlanRequest;
use relman_core::{Error, Stage, Store};
use relman_tests::{ReadyRelease, seed_ready_release};
use serde_json::Value;

/// The release below is planned from 5 December 2026; the moment is a few days before.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

const SERVICENOW_HEADER: &str =
    "number,short_description,state,approval,cmdb_ci,start_date,end_date";

#[test]
fn a_servicenow_export_keeps_each_changes_window_and_refuses_a_bad_one() {
    let csv = format!(
        "{SERVICENOW_HEADER}\n\
         CHG0030001,Patch payroll API,Scheduled,Approved,payroll-api,2026-12-05 22:00:00,2026-12-06 02:00:00\n\
         CHG0030002,Resize payroll DB,New,Not Yet Requested,payroll-db,,\n"
    );
    let mut store = relman_tests::fresh_store();
    store
        .import_csv(&csv, &CsvOptions::default(), "importer", now())
        .unwrap();
    assert_eq!(
        store.change("CHG0030001").unwrap().window,
        Some(ChangeWindow {
            start: at("2026-12-05T22:00:00Z"),
            end: at("2026-12-06T02:00:00Z"),
        })
    );
    assert_eq!(store.change("CHG0030002").unwrap().window, None);

    for (row, column, message) in [
        (
            "CHG0030003,Broken,Scheduled,Approved,payroll-api,2026-13-45 25:00:00,2026-12-06 02:00:00",
            "start_date",
            "'2026-13-45 25:00:00' is not a date and time",
        ),
        (
            "CHG0030004,Backwards,Scheduled,Approved,payroll-api,2026-12-06 02:00:00,2026-12-05 22:00:00",
            "end_date",
            "must come after the planned start",
        ),
        (
            "CHG0030005,Half,Scheduled,Approved,payroll-api,2026-12-06 02:00:00,",
            "end_date",
            "a start but no end",
        ),
    ] {
        let mut empty = relman_tests::fresh_store();
        let file = format!("{SERVICENOW_HEADER}\nCHG0030009,Fine,New,,payroll-api,,\n{row}\n");
        let Err(Error::Validation(problems)) =
            empty.import_csv(&file, &CsvOptions::default(), "importer", now())
        else {
            panic!("{row} was imported");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, format!("row 3, column '{column}'"));
        assert!(problems[0].message.contains(message), "{problems:?}");
        assert!(
            empty.list_changes(None).unwrap().is_empty(),
            "nothing of the file is imported"
        );
    }
}

#[test]
fn a_jira_service_management_export_keeps_its_planned_start_and_end() {
    let csv = "Summary,Issue key,Status,Component/s,Planned start,Planned end\n\
        Upgrade portal,ITSM-101,Awaiting implementation,customer-portal,2026-12-12T22:00:00+01:00,2026-12-13T03:00:00+01:00\n\
        Rotate certs,ITSM-102,Awaiting implementation,customer-portal,2026-12-13 03:00,2026-12-12 22:00\n";
    let mut store = relman_tests::fresh_store();
    let Err(Error::Validation(problems)) =
        store.import_csv(csv, &CsvOptions::default(), "importer", now())
    else {
        panic!("the backwards window was imported");
    };
    assert_eq!(problems[0].field, "row 3, column 'Planned end'");
    let fixed = csv.replace(
        "2026-12-13 03:00,2026-12-12 22:00",
        "2026-12-12 21:00,2026-12-13 02:00",
    );
    store
        .import_csv(&fixed, &CsvOptions::default(), "importer", now())
        .unwrap();
    let window = store.change("ITSM-101").unwrap().window.unwrap();
    assert_eq!(
        (window.start, window.end),
        (at("2026-12-12T21:00:00Z"), at("2026-12-13T02:00:00Z"))
    );
}

/// REL-1 deploys payroll-api with one hour-long task from midnight, 5 December 2026, Berlin.
fn release_in_berlin(store: &mut Store) {
    let release = ReadyRelease {
        key: "REL-1",
        title: "Payroll 4.2",
        ci: ("payroll-api", "2.1", "2.2"),
        change: "CHG1",
        planned: ("2026-12-05", "2026-12-12"),
    };
    seed_ready_release(store, &release, now());
    store
        .save_model(&relman_tests::one_step_model("one step"), "anna", now())
        .unwrap();
    let request = PlanRequest {
        model: "one step".into(),
        strategy: Strategy::BigBang,
        waves: vec![Wave {
            name: "All".into(),
            tz: "Europe/Berlin".into(),
            window: None,
            targets: vec!["payroll-api".into()],
            observation_minutes: 0,
        }],
    };
    store
        .instantiate_plan("REL-1", &request, "anna", now())
        .unwrap();
    relman_tests::give_test_evidence(store, "REL-1", now());
}

fn set_window(store: &mut Store, window: Option<ChangeWindow>) {
    let change = store.change("CHG1").unwrap();
    let draft = ChangeDraft {
        key: change.key.clone(),
        title: change.title.clone(),
        description: change.description.clone(),
        status: Some(change.status),
        risk: change.risk,
        kind: change.kind,
        cis: change.cis.clone(),
        incident_refs: change.incident_refs.clone(),
        problem_refs: change.problem_refs.clone(),
        cab_decision_date: change.cab_decision_date,
        window,
    };
    store.update_change("CHG1", &draft, "carl", now()).unwrap();
}

fn rule(store: &Store) -> (bool, String, String) {
    let all = store.check_all_rules("REL-1", now()).unwrap();
    let r = all
        .rules
        .iter()
        .find(|r| r.result.code == "SCHED-IN-CHANGE-WINDOW")
        .expect("the rule is listed");
    (
        r.result.ok,
        r.result.message.to_string(),
        r.result
            .remedy
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    )
}

#[test]
fn the_deployment_of_a_changes_cis_falls_inside_its_authorized_window() {
    let mut store = relman_tests::fresh_store();
    release_in_berlin(&mut store);
    assert!(rule(&store).0, "no window: nothing to hold");

    // Authorized for the following weekend: the plan on the 5th is outside it.
    set_window(
        &mut store,
        Some(ChangeWindow {
            start: at("2026-12-11T21:00:00Z"),
            end: at("2026-12-12T03:00:00Z"),
        }),
    );
    let (ok, message, remedy) = rule(&store);
    assert!(!ok);
    assert_eq!(
        message,
        "CHG1 is authorized for Fri 11 Dec 2026 22:00 – Sat 12 Dec 2026 04:00 CET (UTC+01:00), \
         but 'Deploy' (1.deploy) runs Sat 05 Dec 2026 00:00 – 01:00 CET (UTC+01:00)"
    );
    assert!(remedy.contains("new window for CHG1"), "{remedy}");

    // The rule guards authorization: the release stops at awaiting authorization.
    while store.release("REL-1").unwrap().stage != Stage::AwaitingAuthorization {
        store.advance_release("REL-1", "rita", now()).unwrap();
    }
    store
        .decide(
            "REL-1",
            relman_core::approval::Decision::Approve,
            relman_core::approval::Role::CabMember,
            "",
            "bob",
            now(),
        )
        .unwrap();
    let Err(Error::Rules { failing, .. }) = store.advance_release("REL-1", "rita", now()) else {
        panic!("authorized outside the change's window");
    };
    assert!(
        failing.iter().any(|r| r.code == "SCHED-IN-CHANGE-WINDOW"),
        "{failing:?}"
    );

    // Change management widens the window: it holds.
    set_window(
        &mut store,
        Some(ChangeWindow {
            start: at("2026-12-04T22:00:00Z"),
            end: at("2026-12-05T02:00:00Z"),
        }),
    );
    assert!(rule(&store).0, "{}", rule(&store).1);
}

#[test]
fn the_command_line_sets_shows_clears_and_exports_a_changes_window() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relman.db");
    let run = |args: &[&str]| relman_tests::run_cli(&db, args);
    let json = |args: &[&str]| -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = run(&all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    json(&[
        "ci",
        "create",
        "--name",
        "payroll-api",
        "--kind",
        "application",
        "--version",
        "2.1",
    ]);
    let created = json(&[
        "change",
        "create",
        "--key",
        "CHG1",
        "--title",
        "Tax tables",
        "--ci",
        "payroll-api",
        "--window-start",
        "2026-12-12 22:00",
        "--window-end",
        "2026-12-13 04:00",
        "--tz",
        "Europe/Berlin",
    ]);
    assert_eq!(created["window"]["start"], "2026-12-12T21:00:00Z");
    assert_eq!(created["window"]["end"], "2026-12-13T03:00:00Z");
    assert_eq!(json(&["change", "list"])[0]["window"], created["window"]);

    for (args, flag) in [
        (
            vec![
                "change",
                "edit",
                "CHG1",
                "--window-start",
                "2026-12-14T00:00:00Z",
                "--window-end",
                "2026-12-13T00:00:00Z",
            ],
            "--window-end",
        ),
        (
            vec![
                "change",
                "edit",
                "CHG1",
                "--window-start",
                "2026-12-14T00:00:00Z",
            ],
            "--window-end",
        ),
        (
            vec!["change", "edit", "CHG1", "--window-end", "tomorrow"],
            "--window-start",
        ),
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag), "{args:?}: {err}");
    }
    assert_eq!(
        json(&["change", "show", "CHG1"])["window"],
        created["window"]
    );

    let file = dir.path().join("export.json");
    json(&["export", "--out", file.to_str().unwrap()]);
    let copy = dir.path().join("copy.db");
    let out = relman_tests::run_cli(&copy, &["import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copied = relman_tests::run_cli(&copy, &["change", "show", "CHG1", "--json"]);
    let copied: Value = serde_json::from_slice(&copied.stdout).unwrap();
    assert_eq!(copied["window"], created["window"]);

    let cleared = json(&["change", "edit", "CHG1", "--no-window"]);
    assert_eq!(cleared["window"], Value::Null);
}
