//! CAB mode's meeting: who may decide, over which content, and what the minutes say.

use chrono::{DateTime, Duration, TimeZone, Utc};
use relman_core::approval::Decision;
use relman_core::cab::MeetingDecision;
use relman_core::release::Stage;
use relman_core::report::{self, DocumentOptions, Lang, Made};
use relman_core::{ErrorKind, ErrorReport, Store};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

fn awaiting(store: &mut Store, n: usize, planned: (&str, &str)) -> String {
    let key = format!("REL-{n}");
    let ci = format!("app-{n}");
    let change = format!("CHG-{n}");
    let release = relman_tests::ReadyRelease {
        key: &key,
        title: "Payroll for Austria",
        ci: (&ci, "2.1", "2.2"),
        change: &change,
        planned,
    };
    relman_tests::awaiting_authorization(store, &release, now());
    key
}

fn members() -> Vec<String> {
    vec!["Carla".into(), " rita ".into(), "".into(), "Ben".into()]
}

fn decision(meeting: i64, release: &str, decider: &str, hash: &str) -> MeetingDecision {
    MeetingDecision {
        meeting,
        release: release.into(),
        decision: Decision::Approve,
        comment: "Go, with the DBA on call".into(),
        decider: decider.into(),
        content_hash: hash.into(),
    }
}

fn kind(error: relman_core::Error) -> (ErrorKind, String) {
    let report = ErrorReport::from(&error);
    (report.kind, report.message)
}

#[test]
fn the_agenda_lists_what_awaits_the_board_by_window_and_names_the_requester() {
    let mut store = relman_tests::fresh_store();
    let late = awaiting(&mut store, 1, ("2026-12-20", "2026-12-22"));
    let early = awaiting(&mut store, 2, ("2026-12-05", "2026-12-06"));
    let agenda = store.cab_agenda(false, now()).unwrap();
    let keys: Vec<&str> = agenda.iter().map(|c| c.release.key.as_str()).collect();
    assert_eq!(keys.len(), 2);
    let first = &agenda[0];
    assert!(
        first.start <= agenda[1].start,
        "ordered by window: {keys:?}"
    );
    assert!(keys.contains(&late.as_str()) && keys.contains(&early.as_str()));
    for item in &agenda {
        assert_eq!(item.requester, "rita");
        assert!(!item.for_information);
        assert!(!item.waves.is_empty(), "a plan gives a bar per wave");
        assert!(item.blocking.iter().all(|r| !r.code.starts_with("AUTH-")));
        assert!(item.evidence.counted > 0 && item.evidence.rehearsed);
        assert_eq!(item.changes.len(), 1);
    }
}

#[test]
fn a_member_present_decides_over_the_content_on_screen_and_the_minutes_say_so() {
    let mut store = relman_tests::fresh_store();
    let key = awaiting(&mut store, 1, ("2026-12-05", "2026-12-06"));
    let other = awaiting(&mut store, 2, ("2026-12-07", "2026-12-08"));
    let meeting = store.start_meeting(&members(), "anna", now()).unwrap();
    assert_eq!(meeting.members, ["Carla", "rita", "Ben"]);
    let agenda = store.cab_agenda(false, now()).unwrap();
    let hash = |k: &str| {
        agenda
            .iter()
            .find(|c| c.release.key == k)
            .unwrap()
            .content_hash
            .clone()
    };

    // The requester is present but may not decide on her own release.
    let refused = store
        .decide_in_meeting(
            &decision(meeting.id, &key, "rita", &hash(&key)),
            "anna",
            now(),
        )
        .unwrap_err();
    assert_eq!(kind(refused).0, ErrorKind::Rule);
    // Nor may someone who is not in the room.
    let (k, message) = kind(
        store
            .decide_in_meeting(
                &decision(meeting.id, &key, "Zoe", &hash(&key)),
                "anna",
                now(),
            )
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Validation);
    assert!(
        message.contains("decider") || message.contains("Zoe"),
        "{message}"
    );

    // A release edited after it was put on screen is not decided blind.
    store
        .add_component(&other, "app-1", Some("2.2"), &[], "rita", now())
        .unwrap();
    let (k, message) = kind(
        store
            .decide_in_meeting(
                &decision(meeting.id, &other, "Carla", &hash(&other)),
                "anna",
                now(),
            )
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Conflict);
    assert!(
        message.contains("changed since it was put on screen"),
        "{message}"
    );
    assert!(
        store.minutes(meeting.id).unwrap().decisions.is_empty(),
        "nothing recorded"
    );

    let at = now() + Duration::minutes(12);
    let approval = store
        .decide_in_meeting(
            &decision(meeting.id, &key, "Carla", &hash(&key)),
            "anna",
            at,
        )
        .unwrap();
    assert_eq!(approval.approver, "Carla");
    assert_eq!(approval.content_hash, hash(&key));
    let ws = store.workspace(&key, at).unwrap();
    assert_eq!(ws.approvals.last().unwrap().approver, "Carla");
    // The audit names who typed it; the approval names who decided.
    let last = ws.history.last().unwrap();
    assert_eq!(last.actor, "anna");

    let minutes = store
        .end_meeting(meeting.id, "anna", at + Duration::hours(1))
        .unwrap();
    assert_eq!(minutes.decisions.len(), 1);
    assert_eq!(minutes.decisions[0].key, key);
    assert_eq!(minutes.decisions[0].approval.decision, Decision::Approve);
    assert!(minutes.meeting.ended_at.is_some());
    // Ended is ended.
    let (k, _) = kind(
        store
            .decide_in_meeting(&decision(meeting.id, &other, "Ben", "x"), "anna", at)
            .unwrap_err(),
    );
    assert_eq!(k, ErrorKind::Conflict);
    assert!(store.end_meeting(meeting.id, "anna", at).is_err());
    assert!(store.verify_audit().unwrap().problems.is_empty());
    // The next meeting offers the same people.
    assert_eq!(store.last_members().unwrap(), ["Carla", "rita", "Ben"]);

    // The minutes as the pack's decision page, in German.
    let options = DocumentOptions {
        lang: Lang::De,
        ..DocumentOptions::default()
    };
    let made = Made {
        at,
        by: "anna".into(),
    };
    let document = report::minutes(&minutes, "Europe/Berlin", &options, &made);
    assert_eq!(document.pages.len(), 1);
    let words: Vec<String> = document.pages[0]
        .items
        .iter()
        .filter_map(|i| match i {
            relman_core::report::page::Item::Text { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    let all = words.join(" ");
    for expected in [
        "CAB-Protokoll",
        "Carla, rita, Ben",
        "Genehmigt",
        "Go, with the DBA on call",
        "Vorsitz",
    ] {
        assert!(all.contains(expected), "{expected} missing from {all}");
    }
    let pdf = report::pdf::render(&document);
    let path = relman_tests::repo_root().join("target/documents/minutes-de.pdf");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    report::save(&path, &pdf).unwrap();
    let check = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
        .expect("qpdf is installed by `make test`");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn a_meeting_needs_members_and_bad_lists_change_nothing() {
    let mut store = relman_tests::fresh_store();
    for bad in [
        vec![],
        vec!["  ".to_string()],
        vec!["Carla".into(), "carla".into()],
        vec!["x".repeat(101)],
    ] {
        let (k, message) = kind(store.start_meeting(&bad, "anna", now()).unwrap_err());
        assert_eq!(k, ErrorKind::Validation, "{bad:?}");
        assert!(!message.is_empty());
    }
    assert!(
        store.last_members().unwrap().is_empty(),
        "no meeting was opened"
    );
}

#[test]
fn authorized_releases_deploying_this_week_are_shown_for_information() {
    let mut store = relman_tests::fresh_store();
    let key = awaiting(&mut store, 1, ("2026-12-03", "2026-12-04"));
    let meeting = store
        .start_meeting(&["Carla".to_string()], "anna", now())
        .unwrap();
    let hash = store.cab_agenda(false, now()).unwrap()[0]
        .content_hash
        .clone();
    store
        .decide_in_meeting(&decision(meeting.id, &key, "Carla", &hash), "anna", now())
        .unwrap();
    store.advance_release(&key, "rita", now()).unwrap();
    assert_eq!(store.release(&key).unwrap().stage, Stage::Authorized);
    assert!(store.cab_agenda(false, now()).unwrap().is_empty());
    let info = store.cab_agenda(true, now()).unwrap();
    assert_eq!(info.len(), 1);
    assert!(info[0].for_information);
    // A month on, it is no longer "the coming week".
    assert!(
        store
            .cab_agenda(true, now() + Duration::days(30))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn documents_in_german_give_each_rule_in_german_with_its_particulars() {
    use relman_core::report::Section;
    use relman_core::report::page::Item;
    let mut store = relman_tests::fresh_store();
    let release = relman_tests::ReadyRelease {
        key: "REL-7",
        title: "Lohnabrechnung",
        ci: ("app-7", "2.1", "2.2"),
        change: "CHG7",
        planned: ("2026-12-05", "2026-12-06"),
    };
    relman_tests::seed_ready_release(&mut store, &release, now());
    let draft = relman_core::change::ChangeDraft {
        key: "CHG8".into(),
        title: "Noch nicht genehmigt".into(),
        status: Some(relman_core::change::ChangeStatus::Assessed),
        ..Default::default()
    };
    store.create_change(&draft, "rita", now()).unwrap();
    store
        .add_change_to_release("REL-7", "CHG8", "rita", now())
        .unwrap();
    let facts = store.release_facts("REL-7", now()).unwrap();
    let text = |lang| {
        let options = DocumentOptions {
            sections: vec![Section::Rules],
            lang,
            ..DocumentOptions::default()
        };
        let made = Made {
            at: now(),
            by: "anna".into(),
        };
        report::dossier(&facts, &options, &made)
            .pages
            .iter()
            .flat_map(|p| p.items.iter())
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let de = text(Lang::De);
    for expected in [
        "Nicht genehmigt: CHG8 (Bewertet)",
        "Lassen Sie sie vom Change Management",
    ] {
        assert!(de.contains(expected), "{expected} missing: {de}");
    }
    let en = text(Lang::En);
    assert!(
        en.contains("Not authorized: CHG8 (assessed)") && !en.contains("Nicht genehmigt"),
        "{en}"
    );
}
