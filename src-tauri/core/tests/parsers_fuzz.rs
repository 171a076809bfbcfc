//! Property-based fuzzing of every parser that reads what users and other tools hand Relman:
//! the JSON exchange format, the CSV imports, the VM inventories, requirement specs, dates and
//! times, time zones, recurrence rules and amounts. Inputs are random text and valid files
//! with random damage (bytes changed, cut, inserted). Nothing may panic; a refusal names where
//! (a field, a file, a row); and a refused import writes nothing.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use relman_core::calendar::{Freeze, Window};
use relman_core::csv_import::CsvOptions;
use relman_core::{Error, ReleaseFilter, Store};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/inventory"
);

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

/// A valid file with random damage: characters replaced, a cut, text inserted.
fn damaged(seed: String) -> impl Strategy<Value = String> {
    let len = seed.chars().count().max(1);
    (
        prop::collection::vec((0..len, any::<char>()), 0..6),
        prop::option::of(0..len),
        prop::option::of((0..len, "\\PC{0,12}|[,;\"\n\r\t<>&{}\\[\\]:]{1,6}")),
    )
        .prop_map(move |(replacements, cut, insert)| {
            let mut chars: Vec<char> = seed.chars().collect();
            for (at, c) in replacements {
                if at < chars.len() {
                    chars[at] = c;
                }
            }
            if let Some((at, text)) = insert {
                let at = at.min(chars.len());
                chars.splice(at..at, text.chars());
            }
            if let Some(cut) = cut {
                chars.truncate(cut);
            }
            chars.into_iter().collect()
        })
}

/// A refusal says where: every field error names its field and what is wrong.
fn names_where(error: &Error) -> bool {
    match error {
        Error::Validation(fields) => {
            !fields.is_empty()
                && fields
                    .iter()
                    .all(|f| !f.field.is_empty() && !f.message.is_empty())
        }
        Error::Conflict { message, .. } => !message.is_empty(),
        Error::NotFound { key, .. } => !key.is_empty(),
        _ => false,
    }
}

fn export_seed() -> String {
    let mut store = Store::open_in_memory().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    store.load_demo_data("seed", now).unwrap();
    serde_json::to_string_pretty(&store.export(None).unwrap()).unwrap()
}

const CHANGES_CSV: &str = "number,short_description,state,cmdb_ci,type,risk\n\
CHG0030001,Upgrade payroll database,Scheduled,payroll-db,Normal,Moderate\n\
CHG0030002,\"Patch, reboot\",Implement,web-01,Standard,Low\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_exchange_format_never_panics_and_names_where(text in prop_oneof![
        "\\PC{0,200}",
        damaged(export_seed()),
    ]) {
        if let Err(error) = relman_core::transfer::parse(&text) {
            prop_assert!(names_where(&error), "{error:?}");
        }
    }

    #[test]
    fn a_damaged_export_imports_whole_or_writes_nothing(text in damaged(export_seed())) {
        let mut store = Store::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let outcome = relman_core::transfer::parse(&text)
            .and_then(|document| store.import(&document, "fuzz", now));
        let stored = store.list_releases(&ReleaseFilter::default()).unwrap().len();
        match outcome {
            Ok(summary) => prop_assert!(stored > 0 || summary.describe().contains('0')),
            Err(error) => {
                prop_assert!(names_where(&error), "{error:?}");
                prop_assert_eq!(stored, 0, "a refused import wrote releases");
                prop_assert!(store.list_cis().unwrap().is_empty());
                prop_assert_eq!(store.verify_audit().unwrap().records, 0);
            }
        }
    }

    #[test]
    fn change_csv_never_panics_and_a_refusal_writes_nothing(text in prop_oneof![
        "\\PC{0,200}",
        damaged(CHANGES_CSV.to_string()),
    ]) {
        let mut store = Store::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        if let Err(error) = store.import_csv(&text, &CsvOptions::default(), "fuzz", now) {
            prop_assert!(names_where(&error), "{error:?}");
            prop_assert!(store.list_changes(None).unwrap().is_empty());
            prop_assert!(store.list_cis().unwrap().is_empty());
        }
    }

    #[test]
    fn vm_inventories_never_panic_and_name_the_file(
        (name, text) in prop_oneof![
            damaged(fixture("RVTools_tabvInfo.csv")).prop_map(|t| ("RVTools_tabvInfo.csv".to_string(), t)),
            damaged(fixture("RVTools_tabvSnapshot.csv")).prop_map(|t| ("RVTools_tabvSnapshot.csv".to_string(), t)),
            damaged(fixture("test-db-01.xml")).prop_map(|t| ("test-db-01.xml".to_string(), t)),
            damaged(fixture("test-db-01-snapshot.xml")).prop_map(|t| ("test-db-01-snapshot.xml".to_string(), t)),
            damaged(fixture("proxmox-vm-201.json")).prop_map(|t| ("proxmox-vm-201.json".to_string(), t)),
            "\\PC{0,100}".prop_map(|t| ("random.csv".to_string(), t)),
        ]
    ) {
        match relman_core::inventory::read(&[(name.clone(), text)], None) {
            Ok(_) => {}
            Err(Error::Validation(problems)) => {
                prop_assert!(!problems.is_empty());
                prop_assert!(problems.iter().all(|p| p.field == "file" && !p.message.is_empty()));
            }
            Err(other) => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn small_parsers_never_panic(text in "\\PC{0,40}", tz in "\\PC{0,20}|Europe/Berlin|UTC") {
        let _ = relman_core::package::parse_requirement_spec(&text);
        let _ = relman_core::package::parse_version(&text);
        let _ = relman_core::csv_import::date(&text);
        let _ = relman_core::inventory::parse_date(&text, None);
        let _ = relman_core::after::parse_amount(&text);
        let _ = relman_core::after::parse_currency(&text);
        if let Err(e) = relman_core::calendar::parse_datetime("at", &text, Some(&tz)) {
            prop_assert_eq!(e.field.as_str(), "at");
        }
        if let Err(e) = relman_core::calendar::parse_tz("tz", &tz) {
            prop_assert_eq!(e.field.as_str(), "tz");
        }
    }

    #[test]
    fn recurrence_rules_never_panic_and_a_bad_one_names_the_rule(
        rule in prop_oneof![
            "\\PC{0,40}",
            "FREQ=(WEEKLY|MONTHLY|YEARLY|DAILY|SECONDLY);(BYDAY=(MO|SA|-1SU|5FR|XX)|INTERVAL=(0|1|2|-3|99999)|COUNT=(0|1|5)|BYSETPOS=(-1|0|400)|BYMONTH=(2|13|0))",
        ],
        at in "([0-2][0-9]:[0-5][0-9])|\\PC{0,6}",
        tz in "Europe/Berlin|America/New_York|Asia/Kolkata|\\PC{0,10}",
        minutes in -10i64..20_000,
    ) {
        let window = Window { name: "Fuzz".into(), rule: rule.clone(), at, minutes, tz };
        match window.validate() {
            Ok(()) => {
                let from = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
                let _ = window.spans(from, from + chrono::Duration::days(60));
            }
            Err(error) => prop_assert!(names_where(&error), "{error:?}"),
        }
        let freeze = Freeze {
            name: "Fuzz".into(),
            from: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
            to: Utc.with_ymd_and_hms(2027, 1, 2, 0, 0, 0).unwrap(),
            service: None,
            rule: Some(rule),
        };
        if freeze.validate().is_ok() {
            let from = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
            let _ = freeze.spans(from, from + chrono::Duration::days(400));
        }
    }
}
