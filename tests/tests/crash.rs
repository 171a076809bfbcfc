//! Crash safety: `relman-cli` killed with SIGKILL at random moments, during a 10,000-release
//! import and during a stream of mixed writes. After every kill the database must pass
//! SQLite's integrity and foreign key checks, its audit chain must verify, an import must be
//! all or nothing, and every write the CLI reported done before the kill must be there.
//!
//! About 100 kills in `make test`; `make stress` runs 1,000 (`RELMAN_CRASH_KILLS`) and
//! prints the counts. `RELMAN_CRASH_SEED` repeats a run.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use relman_core::{ReleaseDraft, ReleaseFilter, ReleaseType, Store};
use rusqlite::Connection;

fn spawn(db: &Path, args: &[&str]) -> Child {
    relman_tests::cli_command(db)
        .args(args)
        .env("USER", "crash-test")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A small deterministic generator: the seed is printed, so a failing run can be repeated.
struct Random(u64);

impl Random {
    fn new() -> Random {
        let seed = std::env::var("RELMAN_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| Utc::now().timestamp_micros() as u64 | 1);
        eprintln!("crash harness seed: {seed} (RELMAN_CRASH_SEED={seed} repeats it)");
        Random(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn kills() -> usize {
    std::env::var("RELMAN_CRASH_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100)
}

/// Lets the child run for `after`, then kills it if it is still running. True: it finished
/// on its own and reported success (exit 0) before the kill.
fn kill_after(mut child: Child, after: Duration) -> (bool, bool) {
    let deadline = Instant::now() + after;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.success(), false);
        }
        if Instant::now() >= deadline {
            let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
            let status = child.wait().unwrap();
            // It may have exited between the check and the signal.
            return (status.success(), true);
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// What a damaged database would show; empty when it is whole.
fn damage(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut found = Vec::new();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    if integrity != "ok" {
        found.push(format!("integrity: {integrity}"));
    }
    let broken: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    if broken > 0 {
        found.push(format!("{broken} broken foreign keys"));
    }
    drop(conn);
    let audit = Store::open(db).unwrap().verify_audit().unwrap();
    found.extend(audit.problems);
    found
}

fn releases(db: &Path) -> usize {
    Store::open(db)
        .unwrap()
        .list_releases(&ReleaseFilter::default())
        .unwrap()
        .len()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
        .unwrap()
        .to_utc()
}

/// An export document of `n` releases, made in memory.
fn export_of(n: usize) -> String {
    let mut store = relman_tests::fresh_store();
    for i in 0..n {
        let draft = ReleaseDraft {
            key: format!("IMP-{i:05}"),
            title: format!("Imported release {i}"),
            release_type: ReleaseType::Minor,
            planned_start: "2027-02-01".into(),
            planned_end: "2027-02-05".into(),
            owner: Some("Anna Berg".into()),
            risk: None,
            requester: None,
            dev_docs: None,
            ops_docs: None,
        };
        store.create_release(&draft, "generator", now()).unwrap();
    }
    serde_json::to_string(&store.export(None).unwrap()).unwrap()
}

#[test]
fn killed_at_random_moments_the_database_stays_whole_and_keeps_every_reported_write() {
    let total = kills();
    let mut random = Random::new();
    let dir = tempfile::tempdir().unwrap();

    // (a) A 10,000-release import, killed somewhere between its start and its end.
    let import = dir.path().join("import.json");
    std::fs::write(&import, export_of(10_000)).unwrap();
    let base = dir.path().join("base.db");
    {
        let mut store = Store::open(&base).unwrap();
        store.load_demo_data("rita", now()).unwrap();
    }
    let before = releases(&base);
    let timed = dir.path().join("timed.db");
    std::fs::copy(&base, &timed).unwrap();
    let started = Instant::now();
    let (ok, _) = kill_after(
        spawn(&timed, &["import", import.to_str().unwrap()]),
        Duration::from_secs(600),
    );
    let full = started.elapsed();
    assert!(ok, "the import runs to its end when left alone");
    assert_eq!(releases(&timed), before + 10_000);

    // An import kill costs seconds, a write kill milliseconds: a fifth of the kills go to imports.
    let import_kills = total / 5;
    let (mut import_whole, mut import_none, mut import_done) = (0, 0, 0);
    let mut damaged = Vec::new();
    for kill_number in 0..import_kills {
        let db = dir.path().join("import-target.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        std::fs::copy(&base, &db).unwrap();
        let at = Duration::from_micros(random.below(full.as_micros() as u64 * 11 / 10));
        let (reported, _) = kill_after(spawn(&db, &["import", import.to_str().unwrap()]), at);
        let problems = damage(&db);
        if !problems.is_empty() {
            damaged.push(format!("import kill {kill_number} at {at:?}: {problems:?}"));
        }
        match releases(&db) - before {
            0 => {
                assert!(!reported, "an import reported done is there");
                import_none += 1;
            }
            10_000 => {
                import_whole += 1;
                if reported {
                    import_done += 1;
                }
            }
            partial => {
                panic!("import kill {kill_number} at {at:?} left {partial} of 10,000 releases")
            }
        }
    }

    // (b) A stream of mixed writes, each killed at a random moment of its short life.
    let db = dir.path().join("mixed.db");
    std::fs::copy(&base, &db).unwrap();
    let mut expected: Vec<Expect> = Vec::new();
    let (mut mixed_killed, mut mixed_done) = (0, 0);
    let mixed_kills = total - import_kills;
    // Kill within a command's usual life, so most kills land while it works.
    let started = Instant::now();
    let (ok, _) = kill_after(
        spawn(
            &db,
            &[
                "ci",
                "create",
                "--name",
                "timing",
                "--kind",
                "component",
                "--version",
                "1",
            ],
        ),
        Duration::from_secs(60),
    );
    assert!(ok);
    let usual = started.elapsed().as_micros() as u64;
    let mut step = 0;
    while mixed_killed < mixed_kills {
        let write = Write::nth(step);
        let args = write.args(step);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let at = Duration::from_micros(random.below(usual * 12 / 10));
        let (reported, killed) = kill_after(spawn(&db, &args), at);
        if reported {
            mixed_done += 1;
            expected.push(write.expect(step));
        }
        if killed && !reported {
            mixed_killed += 1;
            let problems = damage(&db);
            if !problems.is_empty() {
                damaged.push(format!(
                    "mixed kill during {args:?} at {at:?}: {problems:?}"
                ));
            }
        }
        step += 1;
    }
    let store = Store::open(&db).unwrap();
    for expect in &expected {
        expect.check(&store);
    }

    println!(
        "crash harness: {} kills; import: {import_none} left nothing, {import_whole} complete ({import_done} of them reported done); \
         mixed writes: {mixed_killed} killed, {mixed_done} reported done and all present; damaged: {}",
        import_kills + mixed_killed,
        damaged.len()
    );
    assert!(damaged.is_empty(), "{damaged:#?}");
}

/// One kind of write in the mixed stream.
enum Write {
    CreateRelease,
    EditTitle,
    CreateCi,
    CreateChange,
    AddChange,
    AddFreeze,
}

/// What a write reported done leaves behind.
enum Expect {
    Release(String),
    Title(String, String),
    Ci(String),
    Change(String),
    InScope(String, String),
    Freeze(String),
}

impl Write {
    fn nth(step: usize) -> Write {
        match step % 6 {
            0 => Write::CreateRelease,
            1 => Write::EditTitle,
            2 => Write::CreateCi,
            3 => Write::CreateChange,
            4 => Write::AddChange,
            _ => Write::AddFreeze,
        }
    }

    /// The release the previous create (maybe killed) named: edits may find it missing,
    /// which the CLI refuses and the stream goes on.
    fn release_of(step: usize) -> String {
        format!("MIX-{:05}", step / 6)
    }

    fn args(&self, step: usize) -> Vec<String> {
        let release = Write::release_of(step);
        let change = format!("CHG-MIX-{:05}", step / 6);
        let strings = |a: &[&str]| a.iter().map(|s| s.to_string()).collect();
        match self {
            Write::CreateRelease => strings(&[
                "release",
                "create",
                "--key",
                &release,
                "--title",
                "Mixed stream",
                "--type",
                "minor",
                "--start",
                "2027-03-01",
                "--end",
                "2027-03-05",
            ]),
            Write::EditTitle => strings(&[
                "release",
                "edit",
                &release,
                "--title",
                &format!("Edited in step {step}"),
            ]),
            Write::CreateCi => strings(&[
                "ci",
                "create",
                "--name",
                &format!("mix-ci-{step}"),
                "--kind",
                "component",
                "--version",
                "1.0",
            ]),
            Write::CreateChange => strings(&[
                "change",
                "create",
                "--key",
                &change,
                "--title",
                "Mixed change",
                "--status",
                "authorized",
            ]),
            Write::AddChange => strings(&["release", "add-change", &release, &change]),
            Write::AddFreeze => strings(&[
                "freeze",
                "add",
                "--name",
                &format!("Mixed freeze {step}"),
                "--from",
                "2027-04-01T00:00:00Z",
                "--to",
                "2027-04-02T00:00:00Z",
            ]),
        }
    }

    fn expect(&self, step: usize) -> Expect {
        let release = Write::release_of(step);
        match self {
            Write::CreateRelease => Expect::Release(release),
            Write::EditTitle => Expect::Title(release, format!("Edited in step {step}")),
            Write::CreateCi => Expect::Ci(format!("mix-ci-{step}")),
            Write::CreateChange => Expect::Change(format!("CHG-MIX-{:05}", step / 6)),
            Write::AddChange => Expect::InScope(release, format!("CHG-MIX-{:05}", step / 6)),
            Write::AddFreeze => Expect::Freeze(format!("Mixed freeze {step}")),
        }
    }
}

impl Expect {
    fn check(&self, store: &Store) {
        match self {
            Expect::Release(key) => {
                assert!(store.release(key).is_ok(), "{key} was reported created")
            }
            Expect::Title(key, title) => assert_eq!(&store.release(key).unwrap().title, title),
            Expect::Ci(name) => assert!(
                store.list_cis().unwrap().iter().any(|c| &c.name == name),
                "{name}"
            ),
            Expect::Change(key) => assert!(store.change(key).is_ok(), "{key}"),
            Expect::InScope(release, change) => {
                let workspace = store.workspace(release, now()).unwrap();
                assert!(
                    workspace.changes.iter().any(|c| &c.key == change),
                    "{change} in {release}"
                );
            }
            Expect::Freeze(name) => assert!(
                store
                    .list_freezes()
                    .unwrap()
                    .iter()
                    .any(|f| &f.name == name),
                "{name}"
            ),
        }
    }
}
