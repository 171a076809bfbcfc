//! The demo data set offered on first start, dated relative to "today" so it always looks
//! current. Every release it creates is stored with `demo = true` and labelled in the UI.

use chrono::{Datelike, Duration, NaiveDate};

use crate::release::{ReleaseDraft, ReleaseType, Risk};

pub fn releases(today: NaiveDate) -> Vec<ReleaseDraft> {
    let year = today.year();
    let day = |offset: i64| {
        (today + Duration::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    let release = |n: u32, title: &str, kind, start, end, owner: &str, risk| ReleaseDraft {
        key: format!("REL-{year}-{n:03}"),
        title: title.to_string(),
        release_type: kind,
        planned_start: day(start),
        planned_end: day(end),
        owner: Some(owner.to_string()),
        risk: Some(risk),
        requester: None,
        dev_docs: None,
        ops_docs: None,
    };
    vec![
        release(
            101,
            "Payroll 4.2: tax tables for next year",
            ReleaseType::Minor,
            3,
            17,
            "Anna Berg",
            Risk::Medium,
        ),
        release(
            102,
            "Customer portal: single sign-on",
            ReleaseType::Major,
            10,
            45,
            "Jonas Weber",
            Risk::High,
        ),
        release(
            103,
            "VPN gateway certificate renewal",
            ReleaseType::Emergency,
            1,
            2,
            "Priya Nair",
            Risk::High,
        ),
        release(
            104,
            "Monitoring agents to version 7",
            ReleaseType::Minor,
            21,
            28,
            "Priya Nair",
            Risk::Low,
        ),
        release(
            105,
            "ERP quarterly maintenance",
            ReleaseType::Major,
            35,
            42,
            "Anna Berg",
            Risk::Medium,
        ),
    ]
}
