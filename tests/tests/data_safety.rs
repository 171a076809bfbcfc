//! Backups and restores: a backup taken while another process writes restores to a whole
//! database, and a damaged, newer, foreign or tampered file is refused with nothing changed.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use relman_core::{ReleaseFilter, Store};
use rusqlite::Connection;

fn cli(db: &Path, args: &[&str]) -> std::process::Output {
    relman_tests::run_cli(db, args)
}

/// The one JSON document a command that succeeded printed.
fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
        .unwrap()
        .to_utc()
}

fn demo(path: &Path) -> Store {
    let mut store = Store::open(path).unwrap();
    store.load_demo_data("rita", now()).unwrap();
    store
}

fn keys(store: &Store) -> Vec<String> {
    store
        .list_releases(&ReleaseFilter::default())
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect()
}

fn integrity(path: &Path) -> String {
    let conn = Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_backup_taken_while_another_process_writes_is_whole_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relman.db");
    let store = demo(&db);
    // Another process creates releases, one transaction each, while the backups run.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut written = 0;
            while !stop.load(Ordering::Relaxed) || written < 10 {
                let key = format!("BULK-{written:04}");
                let out = cli(
                    &db,
                    &[
                        "release",
                        "create",
                        "--key",
                        &key,
                        "--title",
                        "Written during a backup",
                        "--type",
                        "minor",
                        "--start",
                        "2027-01-04",
                        "--end",
                        "2027-01-08",
                    ],
                );
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                written += 1;
            }
            written
        })
    };
    let mut counts = Vec::new();
    for n in 0..8 {
        let copy = dir.path().join(format!("backup-{n}.db"));
        store.backup_to(&copy).unwrap();
        assert_eq!(integrity(&copy), "ok");
        let backed_up = Store::open(&copy).unwrap();
        let audit = backed_up.verify_audit().unwrap();
        assert!(audit.problems.is_empty(), "{:?}", audit.problems);
        let bulk = keys(&backed_up)
            .iter()
            .filter(|k| k.starts_with("BULK-"))
            .count();
        // Every release in the copy has its audit record, and no record lacks its release.
        let created = audit.records as usize;
        counts.push((bulk, created));
        std::thread::sleep(std::time::Duration::from_millis(40));
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(counts.windows(2).all(|w| w[0].0 <= w[1].0), "{counts:?}");
    assert!(
        counts.last().unwrap().0 > counts[0].0,
        "the writer wrote during the backups: {counts:?}"
    );
    assert!(written >= counts.last().unwrap().0);

    // The last backup restores into another database, which then holds exactly it.
    let other = dir.path().join("other.db");
    let mut target = Store::open(&other).unwrap();
    let kept = dir.path().join("other.before.db");
    let restored = target
        .restore_from(&dir.path().join("backup-7.db"), &kept)
        .unwrap();
    let expected = Store::open(&dir.path().join("backup-7.db")).unwrap();
    assert_eq!(keys(&target), keys(&expected));
    assert_eq!(restored.releases as usize, keys(&expected).len());
    assert!(target.verify_audit().unwrap().problems.is_empty());
    assert!(kept.exists(), "the database as it was is kept");
    assert!(
        Store::open(&kept)
            .unwrap()
            .list_releases(&ReleaseFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_damaged_newer_foreign_or_tampered_file_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relman.db");
    let mut store = demo(&db);
    let good = dir.path().join("good.db");
    store.backup_to(&good).unwrap();
    let before = keys(&store);

    // A page in the middle overwritten.
    let damaged = dir.path().join("damaged.db");
    let mut bytes = std::fs::read(&good).unwrap();
    let middle = bytes.len() / 2 / 4096 * 4096;
    bytes[middle..middle + 4096].fill(0x5a);
    std::fs::write(&damaged, &bytes).unwrap();
    // Written by a Relman with a newer schema.
    let newer = dir.path().join("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    // Not a database at all, and a database that is not Relman's.
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "minutes of the CAB\n".repeat(500)).unwrap();
    let foreign = dir.path().join("foreign.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1); PRAGMA user_version = 3;")
        .unwrap();
    // An audit record altered after the fact.
    let tampered = dir.path().join("tampered.db");
    std::fs::copy(&good, &tampered).unwrap();
    Connection::open(&tampered).unwrap().execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 3;").unwrap();

    let listing = files_in(dir.path());
    for (file, says) in [
        (&damaged, "damaged"),
        (&newer, "newer Relman (schema version 99)"),
        (&text, "not a Relman database"),
        (&foreign, "not a Relman database"),
        (
            &tampered,
            "audit history does not verify: record 3 was altered",
        ),
        (&dir.path().join("missing.db"), "is not a file"),
    ] {
        let error = store
            .restore_from(file, &dir.path().join("kept.db"))
            .unwrap_err();
        let fields = error.fields();
        assert_eq!(fields.len(), 1, "{error}");
        assert_eq!(fields[0].field, "file");
        assert!(
            fields[0].message.contains(says),
            "{}: {}",
            file.display(),
            fields[0].message
        );
        assert_eq!(keys(&store), before, "nothing changed");
        assert_eq!(files_in(dir.path()), listing, "no file left behind");
    }
    assert!(store.verify_audit().unwrap().problems.is_empty());

    // A backup cannot overwrite the open database.
    assert_eq!(store.backup_to(&db).unwrap_err().fields()[0].field, "out");
}

#[test]
fn the_cli_backs_up_restores_and_exports_the_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relman.db");
    drop(demo(&db));
    let backup = dir.path().join("monday.db");
    let out = cli(
        &db,
        &["backup", "--out", backup.to_str().unwrap(), "--json"],
    );
    let json = json_of(&out);
    assert_eq!(
        json["bytes"].as_u64().unwrap(),
        std::fs::metadata(&backup).unwrap().len()
    );

    // A change after the backup, then the restore takes it away again.
    let created = cli(
        &db,
        &[
            "release",
            "create",
            "--key",
            "REL-AFTER",
            "--title",
            "After the backup",
            "--type",
            "minor",
            "--start",
            "2027-01-04",
            "--end",
            "2027-01-08",
        ],
    );
    assert!(created.status.success());
    let out = cli(
        &db,
        &[
            "restore",
            backup.to_str().unwrap(),
            "--json",
            "--now",
            "2026-12-02T10:00:00Z",
        ],
    );
    let json = json_of(&out);
    let kept = dir.path().join("relman.before-restore-20261202-100000.db");
    assert_eq!(json["kept_as"], kept.to_str().unwrap());
    let store = Store::open(&db).unwrap();
    assert!(!keys(&store).contains(&"REL-AFTER".to_string()));
    assert!(keys(&Store::open(&kept).unwrap()).contains(&"REL-AFTER".to_string()));

    // Refused: exit 1, the reason on stderr, the database as it was.
    let newer = dir.path().join("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 42)
        .unwrap();
    let out = cli(&db, &["restore", newer.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("newer Relman"));

    let ics = dir.path().join("relman.ics");
    let out = cli(
        &db,
        &[
            "calendar",
            "export",
            "--out",
            ics.to_str().unwrap(),
            "--from",
            "2026-12-01",
            "--to",
            "2027-03-31",
            "--json",
        ],
    );
    let json = json_of(&out);
    let text = std::fs::read_to_string(&ics).unwrap();
    assert_eq!(
        json["events"].as_u64().unwrap() as usize,
        text.matches("BEGIN:VEVENT").count()
    );
    assert!(json["events"].as_u64().unwrap() > 5);
    let out = cli(
        &db,
        &[
            "calendar",
            "export",
            "--out",
            ics.to_str().unwrap(),
            "--from",
            "2027-03-31",
            "--to",
            "2026-12-01",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("to"));
}

#[test]
fn a_read_only_file_is_opened_read_only_and_refuses_edits_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    drop(demo(&db));
    let mut permissions = std::fs::metadata(&db).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&db, permissions).unwrap();

    let mut store = Store::open(&db).unwrap();
    assert!(store.is_read_only());
    let before = keys(&store);
    assert!(before.len() > 5, "reads work");
    let draft = relman_tests::minor_release("REL-NEW", "On a read-only file");
    let error = store.create_release(&draft, "rita", now()).unwrap_err();
    assert_eq!(error.kind(), relman_core::ErrorKind::Storage);
    let message = error.user_message();
    assert!(
        message.contains("archive.db is open read-only") && message.contains("Nothing was changed"),
        "{message}"
    );
    assert_eq!(keys(&store), before);

    // The calendar still exports (its revisions are not remembered), twice the same.
    let range = relman_core::ics::Range::around(now().date_naive());
    let ics = store.calendar_export(&range, now()).unwrap();
    assert!(ics.contains("BEGIN:VEVENT"));
    assert_eq!(store.calendar_export(&range, now()).unwrap(), ics);

    // The CLI reads, and refuses a write with exit 3 and the same sentence.
    let out = cli(&db, &["release", "list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(
        &db,
        &[
            "release",
            "create",
            "--key",
            "REL-NEW",
            "--title",
            "x",
            "--type",
            "minor",
            "--start",
            "2027-01-04",
            "--end",
            "2027-01-08",
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
    assert_eq!(keys(&Store::open(&db).unwrap()), before);
}

/// Runs the CLI with a limit on the size of the files it writes, as a full disk would: past
/// it a write fails with EFBIG (SIGXFSZ is ignored so the process sees the error).
fn cli_with_file_limit(db: &Path, bytes: u64, args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut command = relman_tests::cli_command(db);
    command.args(args);
    // SAFETY: between fork and exec only async-signal-safe calls (setrlimit, sigaction).
    #[allow(unsafe_code)]
    unsafe {
        command.pre_exec(move || {
            nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_FSIZE, bytes, bytes)
                .map_err(std::io::Error::from)?;
            nix::sys::signal::signal(
                nix::sys::signal::Signal::SIGXFSZ,
                nix::sys::signal::SigHandler::SigIgn,
            )
            .map_err(std::io::Error::from)?;
            Ok(())
        });
    }
    command.output().unwrap()
}

#[test]
fn a_write_on_a_full_disk_fails_cleanly_and_succeeds_when_space_is_freed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relman.db");
    drop(demo(&db));
    // An import of 2,000 releases needs far more than 64 KB of write-ahead log.
    let source = dir.path().join("source.db");
    let mut other = Store::open(&source).unwrap();
    for i in 0..2000 {
        other
            .create_release(
                &relman_tests::minor_release(&format!("BIG-{i:04}"), "A release of a large import"),
                "rita",
                now(),
            )
            .unwrap();
    }
    let export = dir.path().join("big.json");
    std::fs::write(
        &export,
        serde_json::to_string(&other.export(None).unwrap()).unwrap(),
    )
    .unwrap();
    let before = keys(&Store::open(&db).unwrap());

    let out = cli_with_file_limit(&db, 64 * 1024, &["import", export.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("the disk is full") && said.contains("Nothing was changed; free some space"),
        "{said}"
    );
    assert_eq!(keys(&Store::open(&db).unwrap()), before, "nothing changed");
    assert_eq!(integrity(&db), "ok");
    assert!(
        Store::open(&db)
            .unwrap()
            .verify_audit()
            .unwrap()
            .problems
            .is_empty()
    );

    // Space freed (no limit): the same import succeeds.
    let out = cli(&db, &["import", export.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(keys(&Store::open(&db).unwrap()).len(), before.len() + 2000);
}

/// Damaged and random files and flag values given to the real CLI: it refuses (exit 1), says
/// how to call it (2) or reports storage (3), and never panics (101).
#[test]
fn the_cli_never_panics_on_damaged_files_or_odd_flag_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relman.db");
    drop(demo(&db));
    let good = dir.path().join("good.json");
    assert!(
        cli(&db, &["export", "--out", good.to_str().unwrap()])
            .status
            .success()
    );
    let good = std::fs::read(good).unwrap();
    let inventory = std::fs::read(
        relman_tests::repo_root().join("tests/fixtures/inventory/RVTools_tabvInfo.csv"),
    )
    .unwrap();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    for round in 0..24 {
        // A valid file cut, with bytes changed, or random bytes.
        let seed = if round % 2 == 0 { &good } else { &inventory };
        let mut bytes = match round % 3 {
            0 => seed[..next(seed.len())].to_vec(),
            1 => {
                let mut b = seed.clone();
                for _ in 0..8 {
                    let at = next(b.len());
                    b[at] = next(256) as u8;
                }
                b
            }
            _ => (0..next(400)).map(|_| next(256) as u8).collect(),
        };
        bytes.truncate(200_000);
        let (name, command): (&str, &[&str]) = if round % 2 == 0 {
            ("damaged.json", &["import"])
        } else {
            ("RVTools_tabvInfo.csv", &["env", "import"])
        };
        let file = dir.path().join(name);
        std::fs::write(&file, &bytes).unwrap();
        let mut args = command.to_vec();
        args.push(file.to_str().unwrap());
        let out = cli(&db, &args);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0..=3)),
            "{args:?} (round {round}) exited {code:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if code != Some(0) {
            assert!(!out.stderr.is_empty(), "a refusal says why");
        }
    }
    for (flag, value) in [
        ("--start", "2027-02-30"),
        ("--start", "\u{202e}2027-01-01"),
        ("--end", "99999-01-01"),
        ("--start", ""),
        ("--end", "2027-01-01T25:00"),
    ] {
        let (start, end) = match flag {
            "--start" => (value, "2027-01-08"),
            _ => ("2027-01-04", value),
        };
        let out = cli(
            &db,
            &[
                "release", "create", "--key", "REL-ODD", "--title", "Odd", "--type", "minor",
                "--start", start, "--end", end,
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{flag} {value:?} is refused by validation"
        );
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains(&flag[2..]) || said.contains("planned_"),
            "names the field: {said}"
        );
    }
    assert!(
        Store::open(&db)
            .unwrap()
            .verify_audit()
            .unwrap()
            .problems
            .is_empty()
    );
}
