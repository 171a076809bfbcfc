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

/// The demo CMDB: (name, kind, production version).
pub fn cis() -> Vec<crate::change::Ci> {
    use crate::change::{Ci, CiKind::*};
    [
        ("payroll-api", Application, "4.1"),
        ("payroll-db", Component, "12.4"),
        ("customer-portal", Service, "3.8"),
        ("sso-gateway", Application, "1.9"),
        ("vpn-gateway", Server, "7.2"),
        ("monitoring-agent", Component, "6.4"),
    ]
    .into_iter()
    .map(|(name, kind, version)| Ci {
        name: name.into(),
        kind,
        owner: None,
        prod_version: Some(version.into()),
        runs_on: Vec::new(),
        depends_on: Vec::new(),
    })
    .collect()
}

/// The demo changes. One is only assessed, so the first release shows a rule at work.
pub fn changes() -> Vec<crate::change::ChangeDraft> {
    use crate::change::{ChangeDraft, ChangeKind, ChangeStatus::*};
    let change =
        |key: &str, title: &str, status, kind, cis: &[&str], incident: Option<&str>| ChangeDraft {
            key: key.into(),
            title: title.into(),
            status: Some(status),
            kind: Some(kind),
            cis: cis.iter().map(|c| c.to_string()).collect(),
            incident_refs: incident.map(|i| vec![i.to_string()]).unwrap_or_default(),
            ..Default::default()
        };
    vec![
        change(
            "CHG0031415",
            "New tax tables for next year",
            Authorized,
            ChangeKind::Maintenance,
            &["payroll-api"],
            None,
        ),
        change(
            "CHG0031416",
            "Index for slow payslip queries",
            Assessed,
            ChangeKind::Repair,
            &["payroll-db"],
            Some("INC0088123"),
        ),
        change(
            "CHG0031502",
            "Single sign-on for the customer portal",
            Authorized,
            ChangeKind::Improvement,
            &["customer-portal", "sso-gateway"],
            None,
        ),
        change(
            "CHG0031533",
            "Renew VPN gateway certificates",
            Authorized,
            ChangeKind::Maintenance,
            &["vpn-gateway"],
            Some("INC0090410"),
        ),
        change(
            "CHG0031540",
            "Monitoring agents to version 7",
            Authorized,
            ChangeKind::Improvement,
            &["monitoring-agent"],
            None,
        ),
    ]
}

/// Scope and package of the demo releases: (release number, changes, components as
/// (CI, target version, requirements)).
pub type DemoPackage = (
    u32,
    &'static [&'static str],
    &'static [(&'static str, &'static str, &'static [&'static str])],
);

pub const PACKAGES: &[DemoPackage] = &[
    (
        101,
        &["CHG0031415", "CHG0031416"],
        &[
            ("payroll-api", "4.2", &["payroll-db>=12.4"]),
            ("payroll-db", "12.5", &[]),
        ],
    ),
    (
        102,
        &["CHG0031502"],
        &[
            ("customer-portal", "4.0", &["sso-gateway>=2.0"]),
            ("sso-gateway", "2.0", &[]),
        ],
    ),
    (103, &["CHG0031533"], &[("vpn-gateway", "7.3", &[])]),
    (104, &["CHG0031540"], &[("monitoring-agent", "7.0", &[])]),
];
