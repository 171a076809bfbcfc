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

/// The demo releases that wait for the CAB's decision.
pub const AWAITING_CAB: &[u32] = &[102, 103];

/// Demo maintenance windows: one per region the rollouts reach.
pub fn windows() -> Vec<crate::calendar::Window> {
    [
        ("Saturday night Berlin", "sat 22:00", 6.0, "Europe/Berlin"),
        (
            "Wednesday night New York",
            "wed 21:00",
            4.0,
            "America/New_York",
        ),
        ("Sunday night Singapore", "sun 22:00", 4.0, "Asia/Singapore"),
    ]
    .into_iter()
    .filter_map(|(name, weekly, hours, tz)| {
        crate::calendar::Window::weekly(name, weekly, hours, tz).ok()
    })
    .collect()
}

/// The year-end freeze around `today` (repeating every year) and the monthly payroll run.
pub fn freezes(today: NaiveDate) -> Vec<crate::calendar::Freeze> {
    let at = |y: i32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .unwrap_or_default()
    };
    let year = today.year() - 1;
    vec![
        crate::calendar::Freeze {
            name: "Year-end freeze".into(),
            from: at(year, 12, 15),
            to: at(year + 1, 1, 6),
            service: None,
            rule: Some("FREQ=YEARLY".into()),
        },
        crate::calendar::Freeze {
            name: "Payroll run".into(),
            from: at(year, 1, 27),
            to: at(year, 1, 29),
            service: Some("payroll-api".into()),
            rule: Some("FREQ=MONTHLY".into()),
        },
    ]
}

pub fn service_hours() -> Vec<crate::calendar::ServiceHours> {
    let hours = |service: &str, days: &str, opens: &str, closes: &str, users| {
        crate::calendar::ServiceHours {
            service: service.into(),
            days: days.into(),
            opens: opens.into(),
            closes: closes.into(),
            tz: "Europe/Berlin".into(),
            users,
        }
    };
    vec![
        hours("customer-portal", "mon-sun", "06:00", "23:00", 12_000),
        hours("payroll-api", "mon-fri", "07:00", "19:00", 450),
    ]
}

/// The standard model every demo plan is made from.
pub fn model() -> crate::plan::DeploymentModel {
    use crate::plan::{BackoutStep, DeploymentModel, Milestone, ModelDep, ModelTask};
    use crate::schedule::DepKind;
    let task = |key: &str, name: &str, minutes, team: &str, downtime, milestone| ModelTask {
        key: key.into(),
        name: name.into(),
        minutes,
        team: Some(team.into()),
        downtime,
        milestone,
        target: None,
        backout: Vec::new(),
        nothing_to_undo: None,
        point_of_no_return: false,
    };
    let undo = |mut task: ModelTask, name: &str, minutes: i64| {
        task.backout.push(BackoutStep {
            name: name.into(),
            minutes,
            team: task.team.clone(),
        });
        task
    };
    let nothing = |mut task: ModelTask, why: &str| {
        task.nothing_to_undo = Some(why.into());
        task
    };
    let dep = |from: &str, to: &str, kind, lag_minutes| ModelDep {
        from: from.into(),
        to: to.into(),
        kind,
        lag_minutes,
    };
    use DepKind::*;
    DeploymentModel {
        name: "Standard application rollout".into(),
        description: "Backup, downtime deployment with smoke test, verification".into(),
        tasks: vec![
            task(
                "go",
                "Go / no-go decision",
                0,
                "Release management",
                false,
                Some(Milestone::GoNoGo),
            ),
            task("notify", "Notify users", 30, "Service desk", false, None),
            nothing(
                task("backup", "Back up databases", 60, "Operations", false, None),
                "a backup changes nothing",
            ),
            undo(
                task("stop", "Stop services", 15, "Operations", true, None),
                "Start services",
                15,
            ),
            undo(
                task(
                    "deploy",
                    "Deploy the package",
                    90,
                    "Development",
                    true,
                    None,
                ),
                "Redeploy the previous version",
                45,
            ),
            nothing(
                task("smoke", "Smoke test", 45, "QA", true, None),
                "a test changes nothing",
            ),
            undo(
                task("start", "Open to users", 15, "Operations", true, None),
                "Close to users",
                10,
            ),
            task(
                "verified",
                "Deployment verified",
                0,
                "Release management",
                false,
                Some(Milestone::Verified),
            ),
        ],
        deps: vec![
            dep("go", "notify", StartToStart, 0),
            dep("go", "backup", FinishToStart, 0),
            dep("backup", "stop", FinishToStart, 0),
            dep("stop", "deploy", FinishToStart, 0),
            dep("deploy", "smoke", FinishToStart, 0),
            dep("smoke", "start", FinishToStart, 0),
            dep("start", "verified", FinishToStart, 30),
            dep("notify", "verified", FinishToFinish, 0),
        ],
    }
}

/// Demo plans: (release number, strategy, waves, days after today the plan may start).
/// 104 installs monitoring agents on the customer portal in the same window as 102, so the
/// calendar shows a conflict.
pub fn plans() -> Vec<(u32, crate::plan::Strategy, Vec<crate::plan::Wave>, i64)> {
    use crate::plan::{Strategy, Wave};
    let wave = |name: &str, tz: &str, window: &str, targets: &[&str], observation_days: i64| Wave {
        name: name.into(),
        tz: tz.into(),
        window: Some(window.into()),
        targets: targets.iter().map(|t| t.to_string()).collect(),
        observation_minutes: observation_days * 24 * 60,
    };
    vec![
        (
            101,
            Strategy::Phased,
            vec![
                wave(
                    "Pilot: Berlin HQ",
                    "Europe/Berlin",
                    "Saturday night Berlin",
                    &["payroll-api", "Berlin HQ"],
                    0,
                ),
                wave(
                    "Americas",
                    "America/New_York",
                    "Wednesday night New York",
                    &["payroll-api", "New York"],
                    3,
                ),
                wave(
                    "Asia-Pacific",
                    "Asia/Singapore",
                    "Sunday night Singapore",
                    &["payroll-api", "Singapore"],
                    2,
                ),
            ],
            3,
        ),
        (
            102,
            Strategy::BigBang,
            vec![wave(
                "All users",
                "Europe/Berlin",
                "Saturday night Berlin",
                &["customer-portal", "sso-gateway"],
                0,
            )],
            10,
        ),
        (
            104,
            Strategy::BigBang,
            vec![wave(
                "Portal servers",
                "Europe/Berlin",
                "Saturday night Berlin",
                &["monitoring-agent", "customer-portal"],
                0,
            )],
            10,
        ),
    ]
}

/// The demo test environments, their bookings and test runs, dated relative to `now`: one
/// clone testing the payroll release (a failed run and a closed defect, so the problem-free
/// period still runs), a stale clone with drift, a shared staging VM and a stopped P2V.
pub fn environments(now: chrono::DateTime<chrono::Utc>) -> Vec<crate::transfer::EnvironmentRecord> {
    use crate::testing::{CloneKind, EnvState, Environment, Lineage, Snapshot, VersionChange};
    let ago = |days: i64| now - Duration::days(days);
    let install = |ci: &str, version: &str, at| VersionChange {
        ci: ci.into(),
        version: Some(version.into()),
        at,
        revert_to: None,
    };
    let env =
        |name: &str, purpose: &str, host: &str, capacity, clone: Option<(&str, CloneKind, i64)>| {
            Environment {
                purpose: purpose.into(),
                host: Some(host.into()),
                os: Some("Ubuntu 24.04 LTS".into()),
                cpus: Some(4),
                memory_mb: Some(16 * 1024),
                disk_mb: Some(120 * 1024),
                capacity,
                owner: Some("Test Center".into()),
                lineage: clone.map(|(ci, kind, days)| Lineage {
                    ci: ci.into(),
                    kind,
                    at: ago(days),
                }),
                ..Environment::new(name)
            }
        };
    let payroll = [
        install("payroll-api", "4.1", ago(20)),
        install("payroll-db", "12.4", ago(20)),
    ];
    vec![
        crate::transfer::EnvironmentRecord {
            env: env(
                "test-payroll-01",
                "test",
                "esx-07.lab (Test)",
                1,
                Some(("payroll-api", CloneKind::Clone, 20)),
            ),
            history: [
                payroll.to_vec(),
                vec![
                    install("payroll-db", "12.5", ago(6)),
                    install("payroll-api", "4.2", ago(6)),
                ],
            ]
            .concat(),
            snapshots: vec![
                Snapshot {
                    name: "baseline".into(),
                    at: ago(20),
                    versions: [("payroll-api", "4.1"), ("payroll-db", "12.4")]
                        .into_iter()
                        .map(|(c, v)| (c.to_string(), v.to_string()))
                        .collect(),
                    note: "Right after the clone from production".into(),
                    exempt: Some("golden image of production (Test Center)".into()),
                },
                Snapshot {
                    name: "before-4.2".into(),
                    at: ago(6) - Duration::hours(1),
                    versions: [("payroll-api", "4.1"), ("payroll-db", "12.4")]
                        .into_iter()
                        .map(|(c, v)| (c.to_string(), v.to_string()))
                        .collect(),
                    note: "Before installing the release".into(),
                    exempt: None,
                },
            ],
            reverts: vec![],
        },
        crate::transfer::EnvironmentRecord {
            env: env(
                "test-portal-01",
                "test",
                "esx-08.lab (Test)",
                1,
                Some(("customer-portal", CloneKind::Clone, 120)),
            ),
            history: vec![
                install("customer-portal", "3.8", ago(120)),
                install("sso-gateway", "1.9", ago(120)),
            ],
            snapshots: vec![],
            reverts: vec![],
        },
        crate::transfer::EnvironmentRecord {
            env: env("staging-shared", "staging", "esx-02.lab (Staging)", 3, None),
            history: vec![install("monitoring-agent", "7.0", ago(3))],
            snapshots: vec![],
            reverts: vec![],
        },
        crate::transfer::EnvironmentRecord {
            env: Environment {
                state: EnvState::Stopped,
                ..env(
                    "test-vpn-01",
                    "test",
                    "esx-03.lab (Test)",
                    1,
                    Some(("vpn-gateway", CloneKind::P2v, 30)),
                )
            },
            history: vec![install("vpn-gateway", "7.2", ago(30))],
            snapshots: vec![],
            reverts: vec![],
        },
    ]
}

/// The demo bookings and runs, by release number.
pub fn testing(
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(
    u32,
    Vec<crate::transfer::BookingRecord>,
    Vec<crate::transfer::RunRecord>,
)> {
    use crate::testing::{BookingPurpose, Defect, Severity, TestKind, TestResult};
    use crate::transfer::{BookingRecord, RunRecord};
    let at = |days: i64, hours: i64| now - Duration::days(days) + Duration::hours(hours);
    let booking = |env: &str, from, to, purpose| BookingRecord {
        env: env.into(),
        from,
        to,
        purpose,
        by: "Anna Berg".into(),
    };
    let run = |kind, result, day: i64, defects: Vec<Defect>| RunRecord {
        env: "test-payroll-01".into(),
        kind,
        result,
        from: at(day, 1),
        to: at(day, 3),
        defects,
        notes: String::new(),
        evidence: Some("https://ci.example.org/payroll/4.2".into()),
        versions: [("payroll-api", "4.2"), ("payroll-db", "12.5")]
            .into_iter()
            .map(|(c, v)| (c.to_string(), v.to_string()))
            .collect(),
        rollback: None,
        by: "Tom Lind".into(),
    };
    vec![
        (
            101,
            vec![booking(
                "test-payroll-01",
                at(5, 0),
                at(-3, 0),
                BookingPurpose::CodeChange,
            )],
            vec![
                run(TestKind::Installation, TestResult::Passed, 4, vec![]),
                run(TestKind::Functional, TestResult::Passed, 4, vec![]),
                run(
                    TestKind::Integration,
                    TestResult::Failed,
                    2,
                    vec![Defect {
                        id: "PAY-311".into(),
                        severity: Severity::High,
                        opened_at: at(2, 3),
                        closed_at: Some(at(1, 0)),
                    }],
                ),
                run(TestKind::RollbackRehearsal, TestResult::Passed, 4, vec![]),
            ],
        ),
        (
            102,
            vec![
                booking(
                    "test-portal-01",
                    at(-2, 0),
                    at(-9, 0),
                    BookingPurpose::CodeChange,
                ),
                booking(
                    "staging-shared",
                    at(-10, 0),
                    at(-14, 0),
                    BookingPurpose::Regression,
                ),
            ],
            vec![],
        ),
        (
            104,
            vec![booking(
                "staging-shared",
                at(-12, 0),
                at(-16, 0),
                BookingPurpose::Regression,
            )],
            vec![],
        ),
    ]
}

/// A long deployment model for benchmarks and the documents' tests: `tasks` tasks in four
/// parallel chains (steps of 10 to 40 minutes, each with its undo), German names included so
/// umlauts go through every path.
pub fn large_model(name: &str, tasks: usize) -> crate::plan::DeploymentModel {
    use crate::plan::{BackoutStep, ModelDep, ModelTask};
    let words = [
        "Datenbank prüfen",
        "Dienst stoppen",
        "Paket einspielen",
        "Konfiguration ändern",
        "Smoke test",
        "Cache leeren",
    ];
    let list: Vec<ModelTask> = (0..tasks)
        .map(|i| ModelTask {
            key: format!("s{i:05}"),
            name: format!("{} {i}", words[i % words.len()]),
            minutes: 10 + (i as i64 * 7) % 31,
            team: Some(["DBA", "Ops", "App", "Network"][i % 4].into()),
            downtime: false,
            milestone: None,
            target: None,
            backout: vec![BackoutStep {
                name: format!("Rückgängig {i}"),
                minutes: 5 + (i as i64 % 10),
                team: None,
            }],
            nothing_to_undo: None,
            point_of_no_return: false,
        })
        .collect();
    let deps = (4..tasks)
        .map(|i| ModelDep {
            from: format!("s{:05}", i - 4),
            to: format!("s{i:05}"),
            kind: crate::schedule::DepKind::FinishToStart,
            lag_minutes: 0,
        })
        .collect();
    crate::plan::DeploymentModel {
        name: name.into(),
        description: "generated".into(),
        tasks: list,
        deps,
    }
}

/// How a finished demo release went, for the Measures page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    AsPlanned,
    Rescheduled,
    Delayed,
    RolledBack,
}

/// A demo release finished in the past months: its story, for the KPIs.
#[derive(Debug, Clone)]
pub struct Finished {
    pub number: u32,
    pub title: &'static str,
    pub kind: ReleaseType,
    pub owner: &'static str,
    /// How long ago it started, in days.
    pub days_ago: i64,
    pub outcome: Outcome,
    pub sent_back: bool,
    /// Incident key and severity.
    pub incidents: &'static [(&'static str, u8)],
    /// Direct cost in cents, EUR.
    pub cost: i64,
    pub satisfaction: u8,
}

/// Eight releases finished over the last half year.
pub fn finished() -> Vec<Finished> {
    let f = |number,
             title,
             kind,
             owner,
             days_ago,
             outcome,
             sent_back,
             incidents,
             cost,
             satisfaction| Finished {
        number,
        title,
        kind,
        owner,
        days_ago,
        outcome,
        sent_back,
        incidents,
        cost,
        satisfaction,
    };
    use Outcome::*;
    use ReleaseType::*;
    vec![
        f(
            81,
            "Payroll 4.1: summer tax change",
            Minor,
            "Anna Berg",
            180,
            AsPlanned,
            false,
            &[],
            180_000,
            5,
        ),
        f(
            82,
            "Customer portal: new login page",
            Major,
            "Jonas Weber",
            160,
            Delayed,
            true,
            &[("INC0011201", 2), ("INC0011207", 4)],
            1_250_000,
            3,
        ),
        f(
            83,
            "ERP hotfix for invoice numbering",
            Emergency,
            "Priya Nair",
            140,
            AsPlanned,
            false,
            &[("INC0011350", 3)],
            40_000,
            4,
        ),
        f(
            84,
            "Monitoring agents to version 6.4",
            Minor,
            "Priya Nair",
            120,
            Rescheduled,
            false,
            &[],
            95_000,
            4,
        ),
        f(
            85,
            "VPN client roll-out",
            Major,
            "Jonas Weber",
            100,
            RolledBack,
            false,
            &[("INC0011590", 1)],
            310_000,
            2,
        ),
        f(
            86,
            "Payroll 4.1.1: rounding fix",
            Minor,
            "Anna Berg",
            80,
            AsPlanned,
            true,
            &[],
            60_000,
            4,
        ),
        f(
            87,
            "HR portal: absence requests",
            Major,
            "Anna Berg",
            60,
            Delayed,
            false,
            &[("INC0011802", 3), ("INC0011809", 3)],
            820_000,
            3,
        ),
        f(
            88,
            "Database server patches",
            Minor,
            "Priya Nair",
            45,
            AsPlanned,
            false,
            &[],
            70_000,
            5,
        ),
    ]
}

/// The demo's package types: (release number, type, number of its base release). Payroll 4.2
/// and the monitoring agents are deltas from the last releases that changed the same CIs.
pub const PACKAGE_TYPES: &[(u32, crate::package::PackageType, Option<u32>)] = &[
    (101, crate::package::PackageType::Delta, Some(86)),
    (102, crate::package::PackageType::Full, None),
    (103, crate::package::PackageType::Full, None),
    (104, crate::package::PackageType::Delta, Some(84)),
];

/// The releases whose components cite their definitive media: all but 104, so the demo shows
/// BUILD-FROM-DML at work.
pub const WITH_MEDIA: &[u32] = &[101, 102, 103];

/// Where the demo's DML keeps a CI's version, with a checksum of its own.
pub fn media(ci: &str, version: &str) -> crate::package::Dml {
    use sha2::{Digest, Sha256};
    let location = format!("https://dml.example.com/{ci}/{ci}-{version}.tar.gz");
    let sha256 = Sha256::digest(location.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    crate::package::Dml { location, sha256 }
}

/// The demo's release units.
pub fn units() -> Vec<crate::store::ReleaseUnit> {
    [
        ("Payroll", &["payroll-api", "payroll-db"][..]),
        ("Customer portal", &["customer-portal", "sso-gateway"][..]),
    ]
    .into_iter()
    .map(|(name, cis)| crate::store::ReleaseUnit {
        name: name.into(),
        cis: cis.iter().map(|c| c.to_string()).collect(),
    })
    .collect()
}

/// The people to tell about each demo CI: (CI, contacts as "Name <address>").
pub const CONTACTS: &[(&str, &[&str])] = &[
    (
        "payroll-api",
        &[
            "Payroll team <payroll@example.com>",
            "HR service desk <hr-desk@example.com>",
        ],
    ),
    ("payroll-db", &["Payroll team <payroll@example.com>"]),
    (
        "customer-portal",
        &["Portal users <portal-users@example.com>"],
    ),
    ("sso-gateway", &["Identity team <identity@example.com>"]),
    ("vpn-gateway", &["Remote workers <remote@example.com>"]),
    ("monitoring-agent", &["Operations <ops@example.com>"]),
];
