//! Deployment planning through the store: plans from models, windows and freezes, conflicts
//! between releases, the slot finder, edits that are refused, baselines, rules, exchange.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc, Weekday};
use chrono_tz::Europe::Berlin;
use relman_core::calendar::Freeze;
use relman_core::plan::{ConflictKind, Schedule, Strategy, Wave};
use relman_core::store::{PlanRequest, Progress};
use relman_core::{Error, Store};

/// The demo data is dated from "now", so these run at whatever moment `make test-dates` gives.
fn now() -> DateTime<Utc> {
    relman_tests::now()
}

fn demo() -> Store {
    let mut store = relman_tests::fresh_store();
    store.load_demo_data("anna", now()).unwrap();
    store
}

/// The demo's releases are numbered in the year of "now".
fn demo_key(n: u32) -> String {
    format!("REL-{}-{n}", now().format("%Y"))
}

/// Whether a freeze that applies to every service covers any of `[from, to)`.
fn frozen(store: &Store, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    store
        .list_freezes()
        .unwrap()
        .iter()
        .any(|f| f.service.is_none() && !f.spans(from, to).is_empty())
}

fn task<'a>(s: &'a Schedule, key: &str) -> &'a relman_core::plan::ScheduledTask {
    s.task(key).unwrap_or_else(|| panic!("no task {key}"))
}

#[test]
fn a_phased_plan_puts_each_wave_in_its_own_local_window() {
    let store = demo();
    let s = store.schedule(&demo_key(101)).unwrap();
    assert_eq!(s.waves.len(), 3);
    assert_eq!(
        s.unplaced().count(),
        0,
        "{:#?}",
        s.unplaced().collect::<Vec<_>>()
    );
    // Wave 1 deploys in the window that opens on Saturday at 22:00 Berlin time.
    let stop = task(&s, "1.stop").start.unwrap();
    let window = s
        .windows
        .iter()
        .find(|w| w.start <= stop && stop < w.end)
        .unwrap();
    assert_eq!(window.name, "Saturday night Berlin");
    let opens = window.start.with_timezone(&Berlin);
    assert_eq!(
        (opens.weekday(), opens.hour()),
        (Weekday::Sat, 22),
        "{opens}"
    );
    // Wave 2 in New York's Wednesday window, after three days of observation.
    let ny = task(&s, "2.stop")
        .start
        .unwrap()
        .with_timezone(&chrono_tz::America::New_York);
    assert_eq!(ny.weekday(), Weekday::Wed);
    assert!(
        task(&s, "2.go").start.unwrap() >= task(&s, "1.verified").end.unwrap() + Duration::days(3)
    );
    // Every downtime task sits inside a window opening; the deployment chain is critical.
    for t in s.tasks.iter().filter(|t| t.downtime) {
        let (start, end) = (t.start.unwrap(), t.end.unwrap());
        assert!(
            s.windows.iter().any(|w| w.start <= start && end <= w.end),
            "{} at {start}",
            t.key
        );
    }
    assert!(task(&s, "3.deploy").critical);
    assert!(!task(&s, "1.notify").critical);
    assert!(task(&s, "1.notify").slack_minutes.unwrap() > 0);
}

#[test]
fn two_releases_on_the_same_service_at_the_same_time_conflict_on_both_sides() {
    let store = demo();
    let portal = store.schedule(&demo_key(102)).unwrap();
    let overlaps: Vec<_> = portal
        .conflicts
        .iter()
        .filter(|c| c.kind == ConflictKind::Overlap)
        .collect();
    assert!(!overlaps.is_empty());
    assert!(overlaps.iter().all(|c| c.with == demo_key(104)));
    assert!(
        overlaps[0].message.to_string().contains(&demo_key(102))
            && overlaps[0].message.to_string().contains(&demo_key(104)),
        "{}",
        overlaps[0].message
    );
    assert!(overlaps[0].message.to_string().contains("customer-portal"));
    let agents = store.schedule(&demo_key(104)).unwrap();
    assert!(
        agents
            .conflicts
            .iter()
            .any(|c| c.kind == ConflictKind::Overlap && c.with == demo_key(102))
    );
    // The payroll plan touches neither.
    assert!(store.schedule(&demo_key(101)).unwrap().conflicts.is_empty());
}

#[test]
fn a_conflict_blocks_authorization_with_its_rule() {
    let mut store = demo();
    // The scheduling rules guard authorization, not the earlier moves.
    assert!(
        !store
            .check_release(&demo_key(104), now())
            .unwrap()
            .rules
            .iter()
            .any(|r| r.code.starts_with("SCHED"))
    );
    // A copy of the agents release that waits for the CAB, with the same plan.
    let mut document = store.export(Some(&demo_key(104))).unwrap();
    let record = &mut document.releases[0];
    record.key = "REL-2026-900".into();
    record.stage = "awaiting_authorization".parse().unwrap();
    record.changes.clear();
    record.components.clear();
    store
        .import(&only_releases(document), "anna", now())
        .unwrap();
    let checklist = store.check_release("REL-2026-900", now()).unwrap();
    let rule = |code: &str| checklist.rules.iter().find(|r| r.code == code).unwrap();
    assert!(rule("SCHED-PLANNED").ok);
    assert!(rule("SCHED-IN-WINDOWS").ok);
    assert!(!rule("SCHED-NO-CONFLICT").ok);
    assert!(
        rule("SCHED-NO-CONFLICT")
            .message
            .to_string()
            .contains(&demo_key(102)),
        "{}",
        rule("SCHED-NO-CONFLICT").message
    );
    let err = store
        .advance_release("REL-2026-900", "anna", now())
        .unwrap_err();
    assert!(err.to_string().contains("SCHED-NO-CONFLICT"), "{err}");
}

fn only_releases(mut d: relman_core::transfer::Document) -> relman_core::transfer::Document {
    d.cis.clear();
    d.changes.clear();
    d.windows.clear();
    d.freezes.clear();
    d.service_hours.clear();
    d.models.clear();
    d.environments.clear();
    for r in &mut d.releases {
        r.bookings.clear();
        r.test_runs.clear();
    }
    d
}

#[test]
fn dragging_a_task_moves_its_successors_and_a_drop_into_a_freeze_is_refused() {
    let mut store = demo();
    let first = store.schedule(&demo_key(102)).unwrap();
    let (deploy, smoke) = (task(&first, "1.deploy"), task(&first, "1.smoke"));
    let shifted = store
        .move_task(
            &demo_key(102),
            "1.deploy",
            Some(deploy.start.unwrap() + Duration::minutes(30)),
            first.version,
            "anna",
            now(),
        )
        .unwrap();
    assert_eq!(
        task(&shifted, "1.smoke").start.unwrap(),
        smoke.start.unwrap() + Duration::minutes(30)
    );
    assert!(!task(&shifted, "1.smoke").pinned);

    let before = shifted;
    let backup = task(&before, "1.backup");
    let later = backup.start.unwrap() + Duration::hours(3);
    let moved = store
        .move_task(
            &demo_key(102),
            "1.backup",
            Some(later),
            before.version,
            "anna",
            now(),
        )
        .unwrap();
    assert_eq!(task(&moved, "1.backup").start, Some(later));
    assert!(task(&moved, "1.backup").pinned);

    // Into a freeze: refused, naming the freeze, and nothing changes. The board meets on the
    // first day after a week that no demo freeze covers (the year-end freeze may be near).
    let board = (7..)
        .map(|d| later + Duration::days(d))
        .find(|day| !frozen(&store, *day, *day + Duration::days(1)))
        .unwrap();
    let freeze = Freeze {
        name: "Board meeting".into(),
        from: board,
        to: board + Duration::days(1),
        service: None,
        rule: None,
    };
    store.create_freeze(&freeze, "anna", now()).unwrap();
    let current = store.schedule(&demo_key(102)).unwrap();
    let err = store
        .move_task(
            &demo_key(102),
            "1.backup",
            Some(board + Duration::hours(2)),
            current.version,
            "anna",
            now(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)));
    assert!(err.to_string().contains("Board meeting"), "{err}");
    assert_eq!(store.schedule(&demo_key(102)).unwrap(), current);

    // A downtime task outside its window: refused, naming the window.
    let deploy = task(&current, "1.deploy");
    let err = store
        .move_task(
            &demo_key(102),
            "1.deploy",
            Some(deploy.start.unwrap() + Duration::hours(10)),
            current.version,
            "anna",
            now(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("Saturday night Berlin"), "{err}");

    // Starting before its predecessor ends: refused, naming the predecessor.
    let err = store
        .move_task(
            &demo_key(102),
            "1.deploy",
            Some(task(&current, "1.stop").start.unwrap()),
            current.version,
            "anna",
            now(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("Stop services"), "{err}");

    // A stale version is refused.
    let err = store
        .move_task(
            &demo_key(102),
            "1.backup",
            None,
            before.version,
            "anna",
            now(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }));

    // Undo is a move back to no pin.
    let undone = store
        .move_task(
            &demo_key(102),
            "1.backup",
            None,
            current.version,
            "anna",
            now(),
        )
        .unwrap();
    assert_eq!(task(&undone, "1.backup").start, backup.start);
    let history = store.history("release", &demo_key(102)).unwrap();
    assert_eq!(
        history.iter().filter(|r| r.action == "plan_edit").count(),
        3
    );
}

#[test]
fn resizing_a_task_pushes_its_successors() {
    let mut store = demo();
    let before = store.schedule(&demo_key(102)).unwrap();
    let smoke_before = task(&before, "1.smoke").start.unwrap();
    let resized = store
        .resize_task(
            &demo_key(102),
            "1.deploy",
            120,
            before.version,
            "anna",
            now(),
        )
        .unwrap();
    assert_eq!(
        task(&resized, "1.smoke").start.unwrap(),
        smoke_before + Duration::minutes(30)
    );
    // Longer than the window: refused with the reason.
    let err = store
        .resize_task(
            &demo_key(102),
            "1.deploy",
            8 * 60,
            resized.version,
            "anna",
            now(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("downtime"), "{err}");
}

#[test]
fn the_slot_finder_offers_conflict_free_windows_least_impact_first_and_picking_one_moves_the_plan()
{
    let mut store = demo();
    let slots = store.slots(&demo_key(104), now(), 6).unwrap();
    assert!(!slots.is_empty());
    let portal = store.schedule(&demo_key(102)).unwrap();
    let portal_deploy = task(&portal, "1.deploy");
    for slot in &slots {
        assert!(slot.start >= now());
        assert!(
            slot.finish <= portal_deploy.start.unwrap() || slot.start >= portal_deploy.end.unwrap(),
            "a slot overlapping the portal release was offered: {slot:?}"
        );
    }
    assert!(
        slots
            .windows(2)
            .all(|w| w[0].impact_user_minutes <= w[1].impact_user_minutes)
    );
    let version = store.schedule(&demo_key(104)).unwrap().version;
    let picked = store
        .pick_slot(&demo_key(104), slots[0].start, version, "anna", now())
        .unwrap();
    assert!(picked.conflicts.is_empty(), "{:#?}", picked.conflicts);
    assert_eq!(picked.starts_at, slots[0].start);
    assert!(store.schedule(&demo_key(102)).unwrap().conflicts.is_empty());
}

#[test]
fn baseline_and_actuals_give_the_variance() {
    let mut store = demo();
    store.save_baseline(&demo_key(102), "anna", now()).unwrap();
    let s = store.schedule(&demo_key(102)).unwrap();
    let stop = task(&s, "1.stop");
    assert_eq!(stop.variance_minutes, Some(0));
    let started = stop.start.unwrap() + Duration::minutes(10);
    store
        .record_progress(
            &demo_key(102),
            "1.stop",
            Progress::Started,
            started,
            "anna",
            now(),
        )
        .unwrap();
    let s = store
        .record_progress(
            &demo_key(102),
            "1.stop",
            Progress::Finished,
            started + Duration::minutes(25),
            "anna",
            now(),
        )
        .unwrap();
    assert_eq!(task(&s, "1.stop").variance_minutes, Some(20));
    // The rest of the plan follows the actual finish.
    assert_eq!(
        task(&s, "1.deploy").start,
        Some(started + Duration::minutes(25))
    );
    assert_eq!(task(&s, "1.deploy").variance_minutes, Some(20));
    let err = store
        .record_progress(
            &demo_key(102),
            "1.deploy",
            Progress::Finished,
            now(),
            "anna",
            now(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("has not started"));
}

#[test]
fn a_plan_from_a_model_checks_its_waves_and_names_each_bad_field() {
    let mut store = demo();
    let request = PlanRequest {
        model: "Standard application rollout".into(),
        strategy: Strategy::BigBang,
        waves: vec![
            Wave {
                name: "A".into(),
                tz: "Mars/Olympus".into(),
                window: Some("Never".into()),
                targets: vec![],
                observation_minutes: 0,
            },
            Wave {
                name: "B".into(),
                tz: "UTC".into(),
                window: None,
                targets: vec![],
                observation_minutes: 0,
            },
        ],
    };
    let before = store.schedule(&demo_key(102)).unwrap();
    let Err(Error::Validation(fields)) =
        store.instantiate_plan(&demo_key(102), &request, "anna", now())
    else {
        panic!("expected a validation error");
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, vec!["waves[0].tz"]);
    let request = PlanRequest {
        waves: vec![request.waves[1].clone(), request.waves[1].clone()],
        ..request
    };
    let Err(Error::Validation(fields)) =
        store.instantiate_plan(&demo_key(102), &request, "anna", now())
    else {
        panic!("expected a validation error");
    };
    assert_eq!(fields[0].field, "waves");
    assert!(fields[0].message.contains("big-bang"));
    assert_eq!(store.schedule(&demo_key(102)).unwrap(), before);

    let phased = PlanRequest {
        model: "Standard application rollout".into(),
        strategy: Strategy::Phased,
        waves: vec![
            Wave {
                name: "Pilot".into(),
                tz: "Europe/Berlin".into(),
                window: Some("Saturday night Berlin".into()),
                targets: vec!["customer-portal".into()],
                observation_minutes: 0,
            },
            Wave {
                name: "Rest".into(),
                tz: "Europe/Berlin".into(),
                window: Some("Saturday night Berlin".into()),
                targets: vec!["customer-portal".into()],
                observation_minutes: 24 * 60,
            },
        ],
    };
    let s = store
        .instantiate_plan(&demo_key(102), &phased, "anna", now())
        .unwrap();
    assert_eq!(s.tasks.len(), 16);
    // The second wave waits for the next Saturday window after a day of observation that no
    // freeze covers: a week later, or more when the year-end freeze is in the way.
    let (first, second) = (task(&s, "1.stop"), task(&s, "2.stop"));
    let local = |t: DateTime<Utc>| t.with_timezone(&Berlin).naive_local();
    let (a, b) = (local(first.start.unwrap()), local(second.start.unwrap()));
    let opens = chrono::NaiveTime::from_hms_opt(22, 0, 0).unwrap();
    assert_eq!((b.weekday(), b.time()), (Weekday::Sat, opens), "{b}");
    // The first wave may begin after its window opened (a release planned from a Sunday
    // starts at midnight, inside Saturday night's window).
    let first_saturday = if a.time() >= opens {
        a.date()
    } else {
        a.date() - Duration::days(1)
    };
    assert_eq!(first_saturday.weekday(), Weekday::Sat, "{a}");
    let days = (b.date() - first_saturday).num_days();
    assert!(days >= 7 && days % 7 == 0, "{a} → {b}");
    let length = second.end.unwrap() - second.start.unwrap();
    for skipped in 1..days / 7 {
        let at = first.start.unwrap() + Duration::days(7 * skipped);
        assert!(
            frozen(&store, at, at + length),
            "the window of {} was free: {a} → {b}",
            local(at)
        );
    }
}

#[test]
fn plans_windows_and_freezes_travel_through_export_and_import() {
    let store = demo();
    let document = store.export(None).unwrap();
    assert_eq!(document.windows.len(), 3);
    assert_eq!(document.models.len(), 1);
    assert!(
        document
            .releases
            .iter()
            .filter(|r| r.plan.is_some())
            .count()
            == 3
    );
    let mut copy = relman_tests::fresh_store();
    copy.import(&document, "anna", now()).unwrap();
    assert_eq!(copy.export(None).unwrap().windows, document.windows);
    let (a, b) = (
        store.schedule(&demo_key(101)).unwrap(),
        copy.schedule(&demo_key(101)).unwrap(),
    );
    assert_eq!(a.tasks, b.tasks);
    // A bad plan is refused with its path, and nothing of the document is added.
    let mut bad = document.clone();
    let planned = bad.releases.iter().position(|r| r.plan.is_some()).unwrap();
    bad.releases[planned].plan.as_mut().unwrap().tasks[0].wave = 9;
    let mut empty = relman_tests::fresh_store();
    let Err(Error::Validation(fields)) = empty.import(&bad, "anna", now()) else {
        panic!("expected a validation error");
    };
    let path = format!("$.releases[{planned}].plan");
    assert!(
        fields.iter().any(|f| f.field.starts_with(&path)),
        "{fields:?}"
    );
    assert!(empty.list_windows().unwrap().is_empty());
}

#[test]
fn a_window_used_by_a_wave_cannot_be_deleted() {
    let mut store = demo();
    let err = store
        .delete_window("Saturday night Berlin", "anna", now())
        .unwrap_err();
    assert!(err.to_string().contains(&demo_key(102)), "{err}");
    assert_eq!(store.list_windows().unwrap().len(), 3);
}

#[test]
fn a_plan_is_customized_task_by_task_and_a_circle_is_refused() {
    use relman_core::plan::{BackoutStep, ModelTask, PlanDep};
    use relman_core::schedule::DepKind;
    let mut store = demo();
    let s = store.schedule(&demo_key(101)).unwrap();
    let tasks = s.tasks.len();
    let extra = ModelTask {
        key: "verify-db".into(),
        name: "Verify the database".into(),
        minutes: 20,
        team: Some("DBA".into()),
        downtime: true,
        milestone: None,
        target: None,
        backout: vec![],
        nothing_to_undo: Some("a check changes nothing".into()),
        point_of_no_return: false,
    };
    // Only in the pilot wave, after the deployment.
    let s = store
        .add_plan_task(
            &demo_key(101),
            &extra,
            Some(0),
            &["deploy".into()],
            s.version,
            "anna",
            now(),
        )
        .unwrap();
    assert_eq!(s.tasks.len(), tasks + 1);
    let added = task(&s, "1.verify-db");
    assert!(added.start.unwrap() >= task(&s, "1.deploy").end.unwrap());
    assert!(s.task("2.verify-db").is_none());

    // Its undo changes, and the rollback knows.
    let mut edited = extra.clone();
    edited.nothing_to_undo = None;
    edited.backout = vec![BackoutStep {
        name: "Restore the verification snapshot".into(),
        minutes: 25,
        team: None,
    }];
    let s = store
        .update_plan_task(
            &demo_key(101),
            "1.verify-db",
            &edited,
            s.version,
            "anna",
            now(),
        )
        .unwrap();
    assert_eq!(task(&s, "1.verify-db").backout.len(), 1);

    // A dependency that closes a circle is refused and changes nothing.
    let circle = PlanDep {
        from: "1.verify-db".into(),
        to: "1.stop".into(),
        kind: DepKind::FinishToStart,
        lag_minutes: 0,
    };
    let err = store
        .add_plan_dep(&demo_key(101), &circle, s.version, "anna", now())
        .unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
    assert_eq!(store.schedule(&demo_key(101)).unwrap().version, s.version);

    // Removing the task: what waited for it waits for what it waited for.
    let s = store
        .remove_plan_task(&demo_key(101), "1.verify-db", s.version, "anna", now())
        .unwrap();
    assert_eq!(s.tasks.len(), tasks);
    let err = store
        .remove_plan_dep(
            &demo_key(101),
            "1.verify-db",
            "1.stop",
            s.version,
            "anna",
            now(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }));
}
