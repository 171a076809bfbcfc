//! Databases written by every shipped schema version (`tests/fixtures/schemas/vN.db`, each
//! made by the Relman of that version with its demo data) open in this Relman: migrated to the
//! current schema, every record still there, the audit chain intact. A migration killed
//! half-way leaves the database wholly at the old version or wholly at the new one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use relman_core::Store;
use relman_core::store::MIGRATIONS;
use relman_tests::repo_root;
use rusqlite::Connection;

fn fixture(version: usize) -> PathBuf {
    let path = repo_root().join(format!("tests/fixtures/schemas/v{version}.db"));
    assert!(
        path.exists(),
        "{} is missing: every migration adds the fixture of its schema (tests/fixtures/schemas/make.sh)",
        path.display()
    );
    path
}

/// Rows per table, for every table of the database.
fn counts(db: &Path) -> BTreeMap<String, i64> {
    let conn = Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

fn user_version(db: &Path) -> usize {
    Connection::open(db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

fn copy(from: &Path, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
    }
    std::fs::copy(from, &to).unwrap();
    to
}

#[test]
fn every_shipped_schema_version_opens_migrated_with_every_record() {
    let dir = tempfile::tempdir().unwrap();
    for version in 1..=MIGRATIONS.len() {
        let db = copy(&fixture(version), dir.path(), &format!("v{version}.db"));
        assert_eq!(
            user_version(&db),
            version,
            "v{version}.db is at schema {version}"
        );
        let before = counts(&db);
        let empty: Vec<&String> = before
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(t, _)| t)
            .collect();
        assert!(
            empty.is_empty(),
            "v{version}: the fixture has data in every table, not in {empty:?}"
        );
        let keys_before: Vec<String> = Connection::open(&db)
            .unwrap()
            .prepare("SELECT key FROM releases ORDER BY key")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();

        let store = Store::open(&db).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        let audit = store.verify_audit().unwrap();
        assert!(
            audit.problems.is_empty(),
            "v{version}: {:?}",
            audit.problems
        );
        let mut keys: Vec<String> = store
            .list_releases(&Default::default())
            .unwrap()
            .into_iter()
            .map(|r| r.key)
            .collect();
        keys.sort();
        assert_eq!(keys, keys_before, "v{version}: every release is there");
        drop(store);
        let after = counts(&db);
        // A backup from this version restores too: it is checked, migrated and accepted.
        let mut target = Store::open(&dir.path().join(format!("target-{version}.db"))).unwrap();
        let restored = target
            .restore_from(
                &fixture(version),
                &dir.path().join(format!("kept-{version}.db")),
            )
            .unwrap();
        assert_eq!(
            (restored.schema_version, restored.releases as usize),
            (version, keys_before.len())
        );
        for (table, n) in &before {
            assert!(
                after.get(table).is_some_and(|m| m >= n),
                "v{version}: {table} had {n}, has {:?}",
                after.get(table)
            );
        }
    }
}

#[test]
fn a_migration_killed_half_way_leaves_the_old_schema_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let oldest = fixture(1);
    let old_tables = counts(&oldest);
    let run = |db: &Path| {
        relman_tests::cli_command(db)
            .args(["release", "list"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let timed = copy(&oldest, dir.path(), "timed.db");
    let started = Instant::now();
    assert!(run(&timed).wait().unwrap().success());
    let full = started.elapsed().as_micros() as u64;
    assert_eq!(user_version(&timed), MIGRATIONS.len());

    let (mut old, mut new) = (0, 0);
    for i in 0..30u64 {
        let db = copy(&oldest, dir.path(), "killed.db");
        let mut child = run(&db);
        // Spread the kills over the run: the migration is a short part of it.
        std::thread::sleep(Duration::from_micros(full * i / 30));
        let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
        let _ = child.wait();
        let version = user_version(&db);
        if version == 1 {
            old += 1;
            let tables: Vec<String> = counts(&db).into_keys().collect();
            let expected: Vec<String> = old_tables.keys().cloned().collect();
            assert_eq!(
                tables, expected,
                "kill {i}: at the old version with the old tables only"
            );
        } else {
            new += 1;
            assert_eq!(version, MIGRATIONS.len(), "kill {i}: wholly migrated");
        }
        let store = Store::open(&db).unwrap();
        assert!(
            store.verify_audit().unwrap().problems.is_empty(),
            "kill {i}"
        );
    }
    println!("migration kills: {old} left the old schema, {new} the new one");
    assert!(
        old > 0 && new > 0,
        "kills before and after the commit: {old} / {new}"
    );
}
