//! Shared helpers for Relman's integration and end-to-end tests.

use std::path::{Path, PathBuf};

pub mod app;

/// The repository's top folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
        .to_path_buf()
}

/// Every file below `dir` (relative to the repository) whose name ends with one of `exts`,
/// skipping build output and dependencies.
pub fn source_files(dir: &str, exts: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![repo_root().join(dir)];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                if !matches!(
                    name.as_str(),
                    "node_modules" | "dist" | "target" | "gen" | ".venv"
                ) {
                    pending.push(path);
                }
            } else if exts.iter().any(|ext| name.ends_with(ext)) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The PostgreSQL server the tests may use (`RELMAN_TEST_POSTGRES`, e.g. `postgres://`, the
/// rest from libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD). `make test` starts a throwaway
/// cluster and sets it, with `RELMAN_REQUIRE_POSTGRES`, so the server half is never skipped
/// there without a failure.
pub fn test_server() -> Option<String> {
    let url = std::env::var("RELMAN_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty());
    assert!(
        url.is_some() || std::env::var_os("RELMAN_REQUIRE_POSTGRES").is_none(),
        "RELMAN_REQUIRE_POSTGRES is set but RELMAN_TEST_POSTGRES is not: the PostgreSQL half would be skipped"
    );
    url
}

/// A new, empty store: in memory, or with [`test_server`] a fresh schema of its own on that
/// server. The store-level suites use it, so they run on both engines.
pub fn fresh_store() -> relman_core::Store {
    match test_server() {
        Some(url) => {
            relman_core::store::scratch(&url).expect("a scratch schema on the test server")
        }
        None => relman_core::Store::open_in_memory().expect("a database in memory"),
    }
}

/// A new, empty database on the test server, as the address `--db` takes; without a server,
/// says that the test is skipped.
pub fn server_database() -> Option<String> {
    let Some(url) = test_server() else {
        eprintln!("skipped: RELMAN_TEST_POSTGRES is not set");
        return None;
    };
    // The synchronous PostgreSQL client runs a runtime of its own, which tokio forbids inside
    // an async test: it gets a thread of its own.
    let made = std::thread::spawn(move || relman_core::store::scratch_database(&url))
        .join()
        .expect("the scratch database thread");
    Some(made.expect("a scratch database on the test server"))
}

/// The pg_virtualenv cluster serving `PGPORT`, which `make test-postgres` runs the tests on:
/// the fault tests stop it (fast shutdown) and start it again with `pg_ctlcluster`.
pub struct TestCluster {
    version: String,
    name: String,
}

impl TestCluster {
    pub fn find() -> Option<TestCluster> {
        std::env::var_os("PG_CLUSTER_CONF_ROOT")?;
        let port = std::env::var("PGPORT").ok()?;
        let listed = std::process::Command::new("pg_lsclusters")
            .arg("-h")
            .output()
            .ok()?;
        String::from_utf8_lossy(&listed.stdout)
            .lines()
            .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .find(|f| f.len() > 2 && f[2] == port)
            .map(|f| TestCluster {
                version: f[0].clone(),
                name: f[1].clone(),
            })
    }

    pub fn stop(&self) {
        self.run(&["stop", "-m", "fast"]);
    }

    pub fn start(&self) {
        self.run(&["start"]);
    }

    fn run(&self, action: &[&str]) {
        let status = std::process::Command::new("pg_ctlcluster")
            .args([self.version.as_str(), self.name.as_str()])
            .args(action)
            .status()
            .expect("pg_ctlcluster runs");
        assert!(status.success(), "pg_ctlcluster {action:?} failed");
    }
}

/// The `relman-cli` built beside the test binary (tests run from target/<profile>/deps).
pub fn cli_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    let binary = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps")
        .join("relman-cli");
    assert!(
        binary.exists(),
        "{} is not built; run `cargo test --workspace` (or `make test`)",
        binary.display()
    );
    binary
}

/// The moment the tests act at: never the wall clock, so the suite passes on any day.
///
/// `RELMAN_NOW` when it is set (`make test-dates` runs the suite at each of its dates: a
/// Friday, a Saturday night in Berlin, the 2027 DST nights of Berlin and New York, New Year's
/// Eve, 29 February). Otherwise Tuesday 1 December 2026, 09:00 UTC: an ordinary working
/// morning, a month from any DST change, before the demo's year-end freeze begins.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    match std::env::var("RELMAN_NOW") {
        Ok(text) if !text.is_empty() => chrono::DateTime::parse_from_rfc3339(&text)
            .unwrap_or_else(|e| panic!("RELMAN_NOW={text} is not RFC 3339: {e}"))
            .to_utc(),
        _ => chrono::DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .expect("a fixed moment")
            .to_utc(),
    }
}

/// [`now`] as `relman --now` and `relman-cli --now` take it.
pub fn now_text() -> String {
    now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Asserts that a CLI run exited with `code` and said `words` on stderr.
pub fn fails(out: &std::process::Output, code: i32, words: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(words), "{words:?} not in: {stderr}");
}

/// `relman-cli --db DB ARGS… --json`, which must succeed: its JSON document.
pub fn cli_json(db: &str, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = run_cli(Path::new(db), &all);
    assert!(
        out.status.success(),
        "{args:?} on {db}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// `release create` of a minor release in mid-December, for tests that need any release.
pub fn create_release_args<'a>(key: &'a str, title: &'a str) -> [&'a str; 12] {
    [
        "release",
        "create",
        "--key",
        key,
        "--title",
        title,
        "--type",
        "minor",
        "--start",
        "2026-12-14",
        "--end",
        "2026-12-15",
    ]
}

/// Runs `relman-cli --db DB ARGS…` as the user `ci-user` and waits for it. The CLI acts at
/// the tests' [`now`] unless `args` give their own `--now`.
pub fn run_cli(db: &Path, args: &[&str]) -> std::process::Output {
    cli_command(db)
        .args(args)
        .output()
        .expect("relman-cli runs")
}

/// `relman-cli --db DB`, as the user `ci-user`, acting at the tests' [`now`] (a `--now` among
/// the arguments added later wins): every test runs the CLI through this.
pub fn cli_command(db: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(cli_binary());
    command
        .arg("--db")
        .arg(db)
        .env("USER", "ci-user")
        .env("RELMAN_NOW", now_text())
        // The CLI speaks the locale's language: the tests read English unless they ask.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8");
    command
}

/// A minor release in early 2027, owned by nobody in particular.
pub fn minor_release(key: &str, title: &str) -> relman_core::ReleaseDraft {
    relman_core::ReleaseDraft {
        key: key.into(),
        title: title.into(),
        release_type: relman_core::ReleaseType::Minor,
        planned_start: "2027-01-04".into(),
        planned_end: "2027-01-08".into(),
        owner: None,
        risk: None,
        requester: None,
        dev_docs: None,
        ops_docs: None,
    }
}

/// What the independent reader `tests/{script}` (Python, from the packages of
/// tests/requirements.txt) prints as JSON about `args`.
fn read_with(script: &str, args: &[&str]) -> serde_json::Value {
    let python = repo_root().join("tests/.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: `make test` installs tests/requirements.txt there",
        python.display()
    );
    let out = std::process::Command::new(python)
        .arg(repo_root().join("tests").join(script))
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{script} prints JSON: {e}"))
}

fn path_text(file: &Path) -> &str {
    file.to_str().expect("a UTF-8 path")
}

/// What an independent iCalendar parser (Python's, `tests/ics_check.py`) reads in `file`
/// between the days `from` and `to`.
pub fn read_ics(file: &Path, from: &str, to: &str) -> serde_json::Value {
    read_with("ics_check.py", &[path_text(file), from, to])
}

/// What an independent MSPDI reader (MPXJ on Java, through `tests/mspdi_check.py`) reads in
/// `file`; `make test` installs default-jre-headless for it.
pub fn read_mspdi(file: &Path) -> serde_json::Value {
    read_with("mspdi_check.py", &[path_text(file)])
}

/// What independent readers (Python's email package and icalendar, through
/// `tests/eml_check.py`) read in the notice `file`.
pub fn read_eml(file: &Path) -> serde_json::Value {
    read_with("eml_check.py", &[path_text(file)])
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A deployment model of one hour-long task without downtime: it needs no window.
pub fn one_step_model(name: &str) -> relman_core::plan::DeploymentModel {
    relman_core::plan::DeploymentModel {
        name: name.into(),
        description: String::new(),
        tasks: vec![relman_core::plan::ModelTask {
            key: "deploy".into(),
            name: "Deploy".into(),
            minutes: 60,
            team: None,
            downtime: false,
            milestone: None,
            target: None,
            backout: vec![],
            nothing_to_undo: None,
            point_of_no_return: false,
        }],
        deps: vec![],
    }
}

/// Gives `release` a one-task plan that schedules cleanly (no window needed), so the
/// scheduling rules let it be authorized.
pub fn give_simple_plan(
    store: &mut relman_core::Store,
    release: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    store
        .save_model(&one_step_model("one step"), "anna", now)
        .expect("model");
    let request = one_wave_request("one step");
    store
        .instantiate_plan(release, &request, "anna", now)
        .expect("plan");
}

/// One big-bang wave in UTC with no window: a plan from `model` that needs no calendar.
pub fn one_wave_request(model: &str) -> relman_core::store::PlanRequest {
    use relman_core::plan::{Strategy, Wave};
    relman_core::store::PlanRequest {
        model: model.into(),
        strategy: Strategy::BigBang,
        waves: vec![Wave {
            name: "All".into(),
            tz: "UTC".into(),
            window: None,
            targets: vec![],
            observation_minutes: 0,
        }],
    }
}

/// An application CI running `version` in production.
pub fn application_ci(name: &str, version: &str) -> relman_core::change::Ci {
    relman_core::change::Ci {
        name: name.into(),
        kind: relman_core::change::CiKind::Application,
        owner: None,
        prod_version: Some(version.into()),
        runs_on: vec![],
        depends_on: vec![],
    }
}

/// What a release needs to pass every rule up to the CAB.
pub struct ReadyRelease<'a> {
    pub key: &'a str,
    pub title: &'a str,
    /// The CI the change touches, its production version and the version it goes to.
    pub ci: (&'a str, &'a str, &'a str),
    pub change: &'a str,
    pub planned: (&'a str, &'a str),
}

/// Seeds `release`: an authorized change on its CI in scope, that CI in the package,
/// documentation linked, requested by rita.
pub fn seed_ready_release(
    store: &mut relman_core::Store,
    release: &ReadyRelease,
    now: chrono::DateTime<chrono::Utc>,
) {
    use relman_core::change::{ChangeDraft, ChangeStatus};
    let (ci, from, to) = release.ci;
    store
        .create_ci(&application_ci(ci, from), "rita", now)
        .expect("CI");
    let change = ChangeDraft {
        key: release.change.into(),
        title: format!("Change for {}", release.title),
        status: Some(ChangeStatus::Authorized),
        cis: vec![ci.into()],
        ..ChangeDraft::default()
    };
    store.create_change(&change, "rita", now).expect("change");
    let draft = relman_core::ReleaseDraft {
        key: release.key.into(),
        title: release.title.into(),
        release_type: relman_core::ReleaseType::Minor,
        planned_start: release.planned.0.into(),
        planned_end: release.planned.1.into(),
        owner: None,
        risk: None,
        requester: Some("rita".into()),
        dev_docs: Some("https://wiki/dev".into()),
        ops_docs: Some("https://wiki/ops".into()),
    };
    store.create_release(&draft, "rita", now).expect("release");
    store
        .add_change_to_release(release.key, release.change, "rita", now)
        .expect("scope");
    store
        .add_component(release.key, ci, Some(to), &[], "rita", now)
        .expect("package");
    give_media(store, release.key, now);
}

/// Makes `release` a full release whose every component cites its definitive media, so the
/// package-type and DML rules hold.
pub fn give_media(
    store: &mut relman_core::Store,
    release: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    store
        .set_package_type(
            release,
            relman_core::package::PackageType::Full,
            None,
            "rita",
            now,
        )
        .expect("package type");
    for c in store.components(release).expect("package") {
        let version = c.to_version.clone().unwrap_or_default();
        let dml = relman_core::demo::media(&c.ci, &version);
        store
            .set_component_dml(release, &c.ci, Some(&dml), "rita", now)
            .expect("DML");
    }
}

/// Gives `release` test evidence that satisfies every testing rule at `now`: its own
/// environment with the package's target versions installed, booked for the release, and a
/// passing run of each required kind plus a rollback rehearsal (of the plan it has now), ten
/// days before `now`.
pub fn give_test_evidence(
    store: &mut relman_core::Store,
    release: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    use chrono::Duration;
    use relman_core::testing::{BookingPurpose, Environment, RunDraft, TestKind, TestResult};
    let t = now - Duration::days(10);
    let env = format!("test-{release}");
    store
        .create_environment(&Environment::new(&env), "rita", t)
        .expect("environment");
    for c in store.components(release).expect("package") {
        if let Some(version) = &c.to_version {
            store
                .record_install(&env, &c.ci, version, t, "rita", t)
                .expect("install");
        }
    }
    store
        .book_environment(
            &env,
            release,
            t,
            t + Duration::days(2),
            BookingPurpose::CodeChange,
            "rita",
            t,
        )
        .expect("booking");
    let release_type = store.release(release).expect("release").release_type;
    let policy = store.test_policy().expect("policy");
    let mut kinds = policy.required[&release_type].clone();
    kinds.push(TestKind::RollbackRehearsal);
    for kind in kinds {
        let run = RunDraft {
            release: release.into(),
            env: env.clone(),
            kind,
            result: TestResult::Passed,
            from: t + Duration::hours(1),
            to: t + Duration::hours(2),
            defects: vec![],
            notes: String::new(),
            evidence: None,
        };
        let judged = store.record_run(&run, "tom", t).expect("run");
        assert!(judged.counts, "{kind} does not count: {:?}", judged.why_not);
    }
}

/// Records a passing rollback rehearsal of the plan as it is now, inside the booking
/// `give_test_evidence` made (its second day).
pub fn rehearse_rollback(
    store: &mut relman_core::Store,
    release: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    use chrono::Duration;
    use relman_core::testing::{RunDraft, TestKind, TestResult};
    let t = now - Duration::days(9);
    let run = RunDraft {
        release: release.into(),
        env: format!("test-{release}"),
        kind: TestKind::RollbackRehearsal,
        result: TestResult::Passed,
        from: t,
        to: t + Duration::hours(1),
        defects: vec![],
        notes: String::new(),
        evidence: None,
    };
    let judged = store.record_run(&run, "tom", t).expect("rehearsal");
    assert!(
        judged.counts,
        "the rehearsal does not count: {:?}",
        judged.why_not
    );
}

/// A release that passes every rule up to the CAB and waits for its decision: scope, package,
/// a one-task plan, test evidence, moved through build and test.
pub fn awaiting_authorization(
    store: &mut relman_core::Store,
    release: &ReadyRelease,
    now: chrono::DateTime<chrono::Utc>,
) {
    seed_ready_release(store, release, now);
    give_simple_plan(store, release.key, now);
    give_test_evidence(store, release.key, now);
    for _ in 0..3 {
        store
            .advance_release(release.key, "rita", now)
            .expect("advance");
    }
}

/// REL-1 authorized by carl and deploying: payroll-api 2.1 → 2.2, one one-hour task
/// "1.deploy", planned for the day of `now`.
pub fn deploying_release(
    store: &mut relman_core::Store,
    now: chrono::DateTime<chrono::Utc>,
) -> &'static str {
    use relman_core::approval::{Decision, Role};
    let (start, end) = (
        now.format("%Y-%m-%d").to_string(),
        (now + chrono::Duration::days(2))
            .format("%Y-%m-%d")
            .to_string(),
    );
    let release = ReadyRelease {
        key: "REL-1",
        title: "Payroll",
        ci: ("payroll-api", "2.1", "2.2"),
        change: "CHG1",
        planned: (&start, &end),
    };
    awaiting_authorization(store, &release, now);
    store
        .decide("REL-1", Decision::Approve, Role::CabMember, "", "carl", now)
        .expect("approve");
    for _ in 0..2 {
        store
            .advance_release("REL-1", "rita", now)
            .expect("advance");
    }
    "REL-1"
}

/// An RVTools vInfo export of `vms` test VMs (`test-00000`…), as `(file name, contents)`.
pub fn rvtools_export(vms: usize) -> Vec<(String, String)> {
    let mut info = String::from(
        "VM,Powerstate,Template,CPUs,Memory,Provisioned MiB,Cluster,Host,OS according to the VMware Tools,VM UUID,VI SDK UUID,Annotation\n",
    );
    for i in 0..vms {
        info.push_str(&format!(
            "test-{i:05},poweredOn,False,4,8192,61440,Test,esx-{:02}.lab,Ubuntu 24.04,uuid-{i},vc-1,\"clone of prod-{i}\"\n",
            i % 40
        ));
    }
    vec![("RVTools_tabvInfo.csv".into(), info)]
}

/// A release whose plan has `tasks` tasks in chains of 100 (so it is many rows but about a day
/// long), for the benchmarks of plan edits.
pub fn seed_large_plan(store: &mut relman_core::Store, key: &str, tasks: usize) {
    use relman_core::plan::{DeploymentModel, ModelDep, ModelTask};
    const CHAIN: usize = 100;
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-01T08:00:00Z")
        .unwrap()
        .to_utc();
    let model = DeploymentModel {
        name: format!("{tasks} tasks for {key}"),
        description: String::new(),
        tasks: (0..tasks)
            .map(|i| ModelTask {
                key: format!("t{i}"),
                name: format!("Task {i}"),
                minutes: 15,
                team: None,
                downtime: false,
                milestone: None,
                target: None,
                backout: vec![],
                nothing_to_undo: Some("a benchmark".into()),
                point_of_no_return: false,
            })
            .collect(),
        deps: (1..tasks)
            .filter(|i| i % CHAIN != 0)
            .map(|i| ModelDep {
                from: format!("t{}", i - 1),
                to: format!("t{i}"),
                kind: relman_core::schedule::DepKind::FinishToStart,
                lag_minutes: 0,
            })
            .collect(),
    };
    store.save_model(&model, "bench", now).unwrap();
    let draft = relman_core::ReleaseDraft {
        key: key.into(),
        title: "Edit round trip".into(),
        release_type: relman_core::ReleaseType::Major,
        planned_start: "2026-12-01".into(),
        planned_end: "2026-12-31".into(),
        owner: None,
        risk: None,
        requester: None,
        dev_docs: None,
        ops_docs: None,
    };
    store.create_release(&draft, "bench", now).unwrap();
    store
        .instantiate_plan(key, &one_wave_request(&model.name), "bench", now)
        .unwrap();
}

/// The people of the roles tests, each a login on the test cluster with the password
/// [`TEAM_PASSWORD`]: anna (planner and CAB member, who requests releases), carl (CAB member),
/// tom (tester), vera (viewer), rita (release manager), chris (CAB chair), ada (administrator).
/// Logins are the cluster's, not a database's, so they are made once and shared.
pub const TEAM: &[(&str, &[&str])] = &[
    ("anna", &["planner", "cab_member"]),
    ("carl", &["cab_member"]),
    ("tom", &["tester"]),
    ("vera", &["viewer"]),
    ("rita", &["release_manager"]),
    ("chris", &["cab_chair"]),
    ("ada", &["admin"]),
];
pub const TEAM_PASSWORD: &str = "relman-test";

/// A new team database, migrated by its owner (the cluster's superuser), whose address
/// [`as_login`] turns into any login's; the [`TEAM`] logins exist and hold their roles.
pub fn team_database() -> Option<String> {
    let server = server_database()?;
    let owner = server.clone();
    std::thread::spawn(move || relman_core::Store::connect(&owner).map(drop))
        .join()
        .expect("the migration thread")
        .expect("the owner migrates the team database");
    static LOGINS: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    let mut made = LOGINS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !*made {
        let mut sql = String::new();
        for (login, roles) in TEAM {
            sql.push_str(&format!(
                "DO $$ BEGIN CREATE ROLE {login} LOGIN PASSWORD '{TEAM_PASSWORD}';
                 EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n"
            ));
            for role in *roles {
                sql.push_str(&format!("GRANT relman_{role} TO {login};\n"));
            }
        }
        psql(&server, &sql);
        *made = true;
    }
    Some(server)
}

/// The address of the same database for `login` (with the team's password).
pub fn as_login(server: &str, login: &str) -> String {
    let (_, host_and_db) = server.split_once('@').expect("postgres://user@host/db");
    format!("postgres://{login}:{TEAM_PASSWORD}@{host_and_db}")
}

/// SQL straight to the server, as someone would type it in psql; the error text when the
/// server refuses it.
pub fn try_psql(db: &str, sql: &str) -> Result<String, String> {
    let out = std::process::Command::new("psql")
        .args([db, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        .output()
        .expect("psql runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

pub fn psql(db: &str, sql: &str) -> String {
    try_psql(db, sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The sentences Relman writes in English, as pieces that hold no value: the core's message
/// catalogue split at its placeholders and the documents' own words, with `window` the
/// window's catalogue too. A piece the German of the same entry also contains (a command, a
/// term German keeps) is not English. For tests that a German reader meets no English.
pub fn english_sentences(window: bool) -> Vec<String> {
    use relman_core::message::{Lang, catalogue};
    let (en, de) = (catalogue(Lang::En), catalogue(Lang::De));
    let mut pieces: Vec<String> = Vec::new();
    let mut keep = |text: &str, german: &str| {
        for piece in text.split(['{', '}']).step_by(2) {
            let piece = piece.trim_matches(|c: char| !c.is_alphanumeric());
            let words = piece
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphabetic))
                .count();
            if words >= 3 && !german.contains(piece) {
                pieces.push(piece.to_string());
            }
        }
    };
    for (key, text) in en {
        keep(text, &de[key]);
    }
    for (_, english, german) in relman_core::report::words::WORDS {
        keep(&english.replace("{}", "{x}"), german);
    }
    if window {
        let entries = |lang: &str| -> std::collections::HashMap<String, String> {
            let text = read(&repo_root().join(format!("ui/src/lib/messages/{lang}.ts")));
            regex::Regex::new(r#"(?m)^\s*"([^"]+)":\s*"((?:[^"\\]|\\.)*)",?$"#)
                .unwrap()
                .captures_iter(&text)
                .map(|c| (c[1].to_string(), c[2].replace("\\\"", "\"")))
                .collect()
        };
        let (en, de) = (entries("en"), entries("de"));
        assert!(en.len() > 500, "the window's catalogue was not read");
        for (key, text) in &en {
            keep(text, de.get(key).map(String::as_str).unwrap_or_default());
        }
    }
    pieces.sort();
    pieces.dedup();
    pieces
}
