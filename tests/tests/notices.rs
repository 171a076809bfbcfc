//! Telling the users: the announcement, completion and rollback notices are e-mail drafts a
//! mail program opens ready to send (read back here by Python's email package and icalendar),
//! addressed to the contacts of the services the release touches, in English or German, with
//! the waves' calendar events under the feed's own UIDs and SEQUENCEs.

use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use relman_core::after::{Activity, ActivityState};
use relman_core::ics::Range;
use relman_core::message::Lang;
use relman_core::notice::{Contact, NoticeKind};
use relman_core::{ErrorKind, ErrorReport, Store};
use serde_json::Value;

const PAYROLL: &str = "REL-2026-101";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap()
}

fn demo() -> Store {
    let mut store = relman_tests::fresh_store();
    store.load_demo_data("demo", now()).unwrap();
    store
}

fn written(store: &mut Store, kind: NoticeKind, lang: Lang, dir: &Path) -> Value {
    let notice = store
        .write_notice(PAYROLL, kind, lang, "anna", now())
        .unwrap();
    let file = dir.join(format!("{kind}-{}.eml", lang.code()));
    std::fs::write(&file, &notice.eml).unwrap();
    relman_tests::read_eml(&file)
}

/// The feed's (UID, SEQUENCE, start) of the payroll release's waves.
fn feed(store: &mut Store) -> Vec<(String, i64, String)> {
    let range = Range {
        from: now().date_naive(),
        to: now().date_naive() + Duration::days(90),
    };
    let text = store.calendar_export(&range, now()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, text).unwrap();
    let mut found: Vec<_> =
        relman_tests::read_ics(&file, "2026-12-01", "2027-03-01")["occurrences"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["uid"].as_str().unwrap().starts_with(PAYROLL))
            .map(|e| {
                (
                    e["uid"].as_str().unwrap().to_string(),
                    e["sequence"].as_i64().unwrap(),
                    e["start"].as_str().unwrap().to_string(),
                )
            })
            .collect();
    found.sort();
    found
}

fn events(read: &Value) -> Vec<(String, i64, String)> {
    read["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["uid"].as_str().unwrap().to_string(),
                e["sequence"].as_i64().unwrap(),
                e["start"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_announcement_is_a_draft_to_the_services_people_with_the_feeds_events() {
    let mut store = demo();
    let dir = tempfile::tempdir().unwrap();
    let read = written(&mut store, NoticeKind::Announcement, Lang::En, dir.path());
    assert_eq!(read["unsent"], "1", "opens as a draft, ready to send");
    assert_eq!(
        read["to"],
        serde_json::json!(["payroll@example.com", "hr-desk@example.com"])
    );
    assert_eq!(read["date"], "Fri, 04 Dec 2026 09:00:00 +0000");
    assert_eq!(read["calendar_method"], "PUBLISH");
    let calendar = read["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == "text/calendar")
        .unwrap();
    assert_eq!(calendar["params"]["method"], "PUBLISH");
    let text = read["text"].as_str().unwrap();
    assert!(text.contains("payroll-api 4.1 → 4.2"), "{text}");
    // Downtime per wave in the wave's own zone, and what users do about it.
    assert!(
        text.contains("downtime: Sat 12 Dec 2026 22:00 – Sun 13 Dec 2026 00:45 CET (UTC+01:00)"),
        "{text}"
    );
    assert!(
        text.contains("downtime: Wed 06 Jan 2027 21:00 – 23:45 EST (UTC-05:00)"),
        "{text}"
    );
    assert!(
        text.contains("save your work and sign out of payroll-api"),
        "{text}"
    );

    // The calendar part is the feed's: the same UIDs, SEQUENCEs and times.
    let sent = events(&read);
    assert_eq!(sent.len(), 3, "one event per wave");
    assert_eq!(feed(&mut store), sent);

    // Writing it marked the notification done, by whom and when.
    let after = store.after_deployment(PAYROLL, now()).unwrap();
    let notification = after
        .activities
        .iter()
        .find(|a| a.activity == Activity::Notification)
        .unwrap();
    assert_eq!(notification.state, Some(ActivityState::Done));
    assert_eq!(notification.by.as_deref(), Some("anna"));
    assert_eq!(notification.at, Some(now()));

    // The plan moves: the next announcement's events carry the next SEQUENCE, as the feed does.
    let schedule = store.schedule(PAYROLL).unwrap();
    let first = schedule.tasks[0].clone();
    store
        .move_task(
            PAYROLL,
            &first.key,
            Some(first.start.unwrap() + Duration::hours(1)),
            schedule.version,
            "anna",
            now(),
        )
        .unwrap();
    let again = written(&mut store, NoticeKind::Announcement, Lang::En, dir.path());
    let moved = events(&again);
    assert_eq!(moved[0].1, 1, "wave 1 moved: SEQUENCE 1");
    assert_eq!(moved[1].1, 0, "wave 2 did not move");
    assert_eq!(feed(&mut store), moved);
}

#[test]
fn the_notices_speak_german_when_asked() {
    let mut store = demo();
    let dir = tempfile::tempdir().unwrap();
    let read = written(&mut store, NoticeKind::Announcement, Lang::De, dir.path());
    assert_eq!(read["language"], "de");
    assert_eq!(
        read["subject"],
        "Geplante Änderung: Payroll 4.2: tax tables for next year (REL-2026-101)"
    );
    let text = read["text"].as_str().unwrap();
    assert!(
        text.contains("Ausfallzeit: Sa 12.12.2026 22:00 – So 13.12.2026 00:45 CET (UTC+01:00)"),
        "{text}"
    );
    assert!(text.contains("Was Sie tun müssen:"), "{text}");
    for english in ["downtime", "What you need", "save your work"] {
        assert!(!text.contains(english), "{english} in: {text}");
    }
}

#[test]
fn a_notice_the_release_cannot_tell_is_refused_saying_why() {
    let mut store = demo();
    let refused = |store: &mut Store, kind| {
        let error = store
            .write_notice(PAYROLL, kind, Lang::En, "anna", now())
            .unwrap_err();
        let report = ErrorReport::from(&error);
        assert_eq!(report.kind, ErrorKind::Validation);
        report.fields[0].message.clone()
    };
    assert_eq!(
        refused(&mut store, NoticeKind::Completion),
        "REL-2026-101 is Planning; the completion notice is written once it is deployed"
    );
    assert!(refused(&mut store, NoticeKind::Rollback).contains("was not stopped"));
    for ci in ["payroll-api", "payroll-db"] {
        store.set_ci_contacts(ci, &[], "anna", now()).unwrap();
    }
    let message = refused(&mut store, NoticeKind::Announcement);
    assert!(
        message.contains("no contacts for payroll-api, payroll-db"),
        "{message}"
    );
    // Nothing was recorded by the refusals.
    let after = store.after_deployment(PAYROLL, now()).unwrap();
    assert!(
        after
            .activities
            .iter()
            .all(|a| a.activity != Activity::Notification || a.state.is_none())
    );
    // A contact that is not an address is refused, naming the field.
    let bad = Contact {
        name: "Payroll".into(),
        email: "payroll".into(),
    };
    let error = store
        .set_ci_contacts("payroll-api", &[bad], "anna", now())
        .unwrap_err();
    assert_eq!(ErrorReport::from(&error).fields[0].field, "contact");
}

/// REL-1 deploying payroll-api 2.1 → 2.2, with someone to tell.
fn deploying() -> Store {
    let mut store = relman_tests::fresh_store();
    relman_tests::deploying_release(&mut store, now());
    let desk = Contact::parse("Payroll desk <payroll@example.com>").unwrap();
    store
        .set_ci_contacts("payroll-api", &[desk], "anna", now())
        .unwrap();
    store
}

fn text_of(store: &mut Store, kind: NoticeKind) -> Value {
    let notice = store
        .write_notice("REL-1", kind, Lang::En, "anna", now())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notice.eml");
    std::fs::write(&file, &notice.eml).unwrap();
    relman_tests::read_eml(&file)
}

#[test]
fn the_completion_names_the_new_versions_and_the_rollback_what_happened() {
    use relman_core::store::Progress;
    let mut done = deploying();
    let at = now() + Duration::hours(1);
    done.record_progress("REL-1", "1.deploy", Progress::Started, now(), "ops", now())
        .unwrap();
    done.record_progress("REL-1", "1.deploy", Progress::Finished, at, "ops", at)
        .unwrap();
    let read = text_of(&mut done, NoticeKind::Completion);
    assert_eq!(read["subject"], "Done: Payroll (REL-1)");
    let text = read["text"].as_str().unwrap();
    assert!(text.contains("is deployed and running"), "{text}");
    assert!(text.contains("payroll-api 2.2"), "{text}");
    assert_eq!(
        read["events"],
        serde_json::json!([]),
        "nothing left to put in a calendar"
    );

    let mut stopped = deploying();
    stopped
        .record_progress("REL-1", "1.deploy", Progress::Started, now(), "ops", now())
        .unwrap();
    stopped
        .abort(
            "REL-1",
            "payslips wrong",
            now() + Duration::minutes(10),
            "rita",
            now(),
        )
        .unwrap();
    let read = text_of(&mut stopped, NoticeKind::Rollback);
    assert_eq!(read["subject"], "Rolled back: Payroll (REL-1)");
    let text = read["text"].as_str().unwrap();
    assert!(text.contains("was stopped at"), "{text}");
    assert!(text.contains("payslips wrong"), "{text}");
    // Nothing had to be undone: it is rolled back, production as before.
    assert!(
        text.contains("Production runs the versions it ran before:\n  - payroll-api 2.1"),
        "{text}"
    );
}
