//! The calendar feed (ICS) read back by an independent parser, Python's `icalendar` and
//! `recurring-ical-events` (`tests/ics_check.py`, installed by `make test`): every occurrence
//! of every recurrence is compared with the core's own definition, across both DST changes.

use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};
use relman_core::Store;
use relman_core::calendar::{Freeze, from_minute};
use relman_core::ics::Range;
use relman_core::schedule::Span;
use relman_tests::read_ics;
use serde_json::Value;

/// What the independent parser reads in `file` between the range's days.
fn parse(file: &Path, range: &Range) -> Value {
    read_ics(file, &range.from.to_string(), &range.to.to_string())
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const YEAR_2027: Range = Range {
    from: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
    to: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
};

fn bounds(range: &Range) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        range.from.and_time(NaiveTime::MIN).and_utc(),
        (range.to + chrono::Duration::days(1))
            .and_time(NaiveTime::MIN)
            .and_utc(),
    )
}

fn demo(dir: &Path, now: DateTime<Utc>) -> Store {
    let mut store = Store::open(&dir.join("relman.db")).unwrap();
    store.load_demo_data("rita", now).unwrap();
    store
}

fn occurrences<'a>(parsed: &'a Value, uid_start: &str, summary: &str) -> Vec<&'a Value> {
    parsed["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["uid"].as_str().unwrap().starts_with(uid_start) && o["summary"] == summary)
        .collect()
}

fn starts(spans: &[Span]) -> Vec<DateTime<Utc>> {
    spans.iter().map(|s| from_minute(s.start)).collect()
}

#[test]
fn every_occurrence_read_back_independently_matches_the_definition_across_dst() {
    let dir = tempfile::tempdir().unwrap();
    let now = at("2027-01-15T09:00:00Z");
    let mut store = demo(dir.path(), now);
    let text = store.calendar_export(&YEAR_2027, now).unwrap();

    // The form: CRLF everywhere, no line longer than 75 octets.
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "a bare LF");
    let longest = text.split("\r\n").map(str::len).max().unwrap();
    assert!(longest <= 75, "a line of {longest} octets");

    let file = dir.path().join("relman.ics");
    std::fs::write(&file, &text).unwrap();
    let parsed = parse(&file, &YEAR_2027);
    assert_eq!(parsed["method"], "PUBLISH");
    // Each zone the windows use has a VTIMEZONE that agrees with the IANA database all year.
    assert_eq!(
        parsed["timezones"],
        serde_json::json!(["America/New_York", "Asia/Singapore", "Europe/Berlin"])
    );
    assert_eq!(parsed["zone_mismatches"], serde_json::json!([]));

    let (from, to) = bounds(&YEAR_2027);
    let windows = relman_core::demo::windows();
    for window in &windows {
        let found = occurrences(
            &parsed,
            "window-",
            &format!("Maintenance window: {}", window.name),
        );
        // Start and end of each: a wall-clock length, "22:00 to 04:00" on a DST night too.
        let got: Vec<(DateTime<Utc>, DateTime<Utc>)> = found
            .iter()
            .map(|o| {
                (
                    at(o["start"].as_str().unwrap()),
                    at(o["end"].as_str().unwrap()),
                )
            })
            .collect();
        let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = window
            .spans(from, to)
            .iter()
            .map(|s| (from_minute(s.start), from_minute(s.end)))
            .collect();
        assert_eq!(got, spans, "{}", window.name);
        assert!(
            got.len() >= 52,
            "{}: {} occurrences",
            window.name,
            got.len()
        );
        assert!(found.iter().all(|o| o["tzid"] == window.tz.as_str()));
    }
    // Saturday 22:00 in Berlin is 21:00 UTC in winter and 20:00 UTC in summer: the instants
    // follow both of 2027's changes (28 March, 31 October).
    let berlin = occurrences(
        &parsed,
        "window-",
        "Maintenance window: Saturday night Berlin",
    );
    let zone: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    for o in &berlin {
        let start = at(o["start"].as_str().unwrap());
        let local = start.with_timezone(&zone);
        assert_eq!(
            (local.weekday(), local.hour(), local.minute()),
            (chrono::Weekday::Sat, 22, 0)
        );
        let summer = start > at("2027-03-28T01:00:00Z") && start < at("2027-10-31T01:00:00Z");
        assert_eq!(start.hour(), if summer { 20 } else { 21 }, "{start}");
    }
    // New York changes on other days (14 March, 7 November).
    let new_york = occurrences(
        &parsed,
        "window-",
        "Maintenance window: Wednesday night New York",
    );
    let march_10 = new_york
        .iter()
        .find(|o| o["start"].as_str().unwrap().starts_with("2027-03-11"))
        .unwrap();
    let march_17 = new_york
        .iter()
        .find(|o| o["start"].as_str().unwrap().starts_with("2027-03-18"))
        .unwrap();
    assert_eq!(
        (
            march_10["start"].as_str().unwrap(),
            march_17["start"].as_str().unwrap()
        ),
        ("2027-03-11T02:00:00Z", "2027-03-18T01:00:00Z")
    );

    // Freezes: the yearly year-end freeze and the monthly payroll run, every occurrence.
    for freeze in relman_core::demo::freezes(now.date_naive()) {
        let found = occurrences(
            &parsed,
            "freeze-",
            &format!("Change freeze: {}", freeze.name),
        );
        let got: Vec<DateTime<Utc>> = found
            .iter()
            .map(|o| at(o["start"].as_str().unwrap()))
            .collect();
        assert_eq!(got, starts(&freeze.spans(from, to)), "{}", freeze.name);
    }
    let payroll = occurrences(&parsed, "freeze-", "Change freeze: Payroll run");
    assert_eq!(payroll.len(), 12);
    let year_end = occurrences(&parsed, "freeze-", "Change freeze: Year-end freeze");
    assert_eq!(
        year_end.len(),
        2,
        "the one running into January and December's"
    );

    // Deployments: one event per wave, from its first task to its last.
    let schedules = store.all_schedules().unwrap();
    let mut waves = 0;
    for schedule in &schedules {
        for wave in 0..schedule.waves.len() {
            let tasks: Vec<_> = schedule.tasks.iter().filter(|t| t.wave == wave).collect();
            let (Some(first), Some(last)) = (
                tasks
                    .iter()
                    .filter_map(|t| t.actual_start.or(t.start))
                    .min(),
                tasks.iter().filter_map(|t| t.actual_end.or(t.end)).max(),
            ) else {
                continue;
            };
            if last <= from || first >= to {
                continue;
            }
            waves += 1;
            let uid = format!("{}-wave-{}@relman", schedule.release, wave + 1);
            let found: Vec<&Value> = parsed["occurrences"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|o| o["uid"] == uid.as_str())
                .collect();
            assert_eq!(found.len(), 1, "{uid}");
            assert_eq!(at(found[0]["start"].as_str().unwrap()), first, "{uid}");
            assert_eq!(at(found[0]["end"].as_str().unwrap()), last, "{uid}");
        }
    }
    assert!(waves >= 5, "the demo deploys in waves: {waves}");
    let freezes = relman_core::demo::freezes(now.date_naive()).len();
    assert_eq!(
        parsed["vevents"].as_u64().unwrap() as usize,
        waves + freezes + windows.len(),
        "one VEVENT per wave, freeze and window"
    );
}

#[test]
fn an_unchanged_export_is_byte_for_byte_the_same_and_a_moved_plan_raises_its_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let now = at("2027-01-15T09:00:00Z");
    let mut store = demo(dir.path(), now);
    let range = Range::around(now.date_naive());
    let first = store.calendar_export(&range, now).unwrap();
    let later = now + chrono::Duration::hours(5);
    assert_eq!(store.calendar_export(&range, later).unwrap(), first);
    assert!(!first.contains("SEQUENCE:1"));

    // Move one release's plan by a week, cancel another: only their events change.
    let schedules = store.all_schedules().unwrap();
    let moved = schedules.iter().find(|s| s.finish.is_some()).unwrap();
    store
        .pick_slot(
            &moved.release,
            moved.starts_at + chrono::Duration::days(7),
            moved.version,
            "rita",
            later,
        )
        .unwrap();
    let cancelled = schedules
        .iter()
        .map(|s| s.release.clone())
        .filter(|key| first.contains(&format!("UID:{key}-wave-1@relman")))
        .find(|key| *key != moved.release && store.cancel_release(key, "rita", later).is_ok())
        .expect("a release that can be cancelled");
    let second = store.calendar_export(&range, later).unwrap();
    let (file_1, file_2) = (dir.path().join("first.ics"), dir.path().join("second.ics"));
    std::fs::write(&file_1, &first).unwrap();
    std::fs::write(&file_2, &second).unwrap();
    let (before, after) = (parse(&file_1, &range), parse(&file_2, &range));
    let when = |parsed: &Value, uid: &str| -> Vec<(String, String, String)> {
        parsed["occurrences"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["uid"] == uid)
            .map(|o| {
                (
                    o["start"].to_string(),
                    o["end"].to_string(),
                    o["status"].to_string(),
                )
            })
            .collect()
    };
    let mut changed = Vec::new();
    for o in after["occurrences"].as_array().unwrap() {
        let uid = o["uid"].as_str().unwrap();
        let moved_or_cancelled = when(&before, uid) != when(&after, uid);
        assert_eq!(
            o["sequence"],
            if moved_or_cancelled { 1 } else { 0 },
            "{uid}"
        );
        if moved_or_cancelled {
            changed.push(uid.to_string());
        }
        if uid.starts_with(&format!("{cancelled}-wave-")) {
            assert_eq!(o["status"], "CANCELLED");
        }
    }
    changed.sort();
    changed.dedup();
    assert!(
        changed
            .iter()
            .any(|u| u.starts_with(&format!("{}-wave-", moved.release))),
        "{changed:?}"
    );
    assert!(
        changed
            .iter()
            .any(|u| u.starts_with(&format!("{cancelled}-wave-"))),
        "{changed:?}"
    );
    assert!(
        changed
            .iter()
            .all(|u| u.starts_with(&format!("{}-wave-", moved.release))
                || u.starts_with(&format!("{cancelled}-wave-"))),
        "{changed:?}"
    );
    // Only the changed events carry the new DTSTAMP.
    let stamp = later.format("DTSTAMP:%Y%m%dT%H%M%SZ").to_string();
    assert_eq!(second.matches(&stamp).count(), changed.len(), "{changed:?}");
    // And the next export of the changed data is stable again.
    assert_eq!(
        store
            .calendar_export(&range, later + chrono::Duration::days(1))
            .unwrap(),
        second
    );
}

#[test]
fn text_is_escaped_and_a_bad_range_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let now = at("2027-01-15T09:00:00Z");
    let mut store = Store::open(&dir.path().join("relman.db")).unwrap();
    let name = "Year-end, EU; finance\\ops – Jahresabschluss mit einem sehr langen Namen, der gefaltet wird";
    store
        .create_freeze(
            &Freeze {
                name: name.into(),
                from: at("2027-12-20T00:00:00Z"),
                to: at("2028-01-04T00:00:00Z"),
                service: None,
                rule: None,
            },
            "rita",
            now,
        )
        .unwrap();
    let text = store.calendar_export(&YEAR_2027, now).unwrap();
    assert!(text.contains("Year-end\\, EU\\; finance\\\\ops"), "{text}");
    let file = dir.path().join("escaped.ics");
    std::fs::write(&file, &text).unwrap();
    let parsed = parse(&file, &YEAR_2027);
    let found = occurrences(&parsed, "freeze-", &format!("Change freeze: {name}"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["start"], "2027-12-20T00:00:00Z");

    let backwards = Range {
        from: day(2027, 5, 1),
        to: day(2027, 4, 1),
    };
    let error = store.calendar_export(&backwards, now).unwrap_err();
    assert_eq!(error.fields()[0].field, "to");
    let too_long = Range {
        from: day(2027, 1, 1),
        to: day(2033, 1, 1),
    };
    assert_eq!(
        store.calendar_export(&too_long, now).unwrap_err().fields()[0].field,
        "to"
    );
    // A zone without summer time has one STANDARD part and no DAYLIGHT.
    let kolkata = relman_core::ics::vtimezone("Asia/Kolkata", 2027, 2027);
    assert!(kolkata.contains("TZOFFSETTO:+0530") && !kolkata.contains("DAYLIGHT"));
}
