//! The command-line contract of shared/design/cli.md, exercised on the real `relman-cli`
//! binary: commands, flags, exit codes (0 ok, 1 refused, 2 usage, 3 storage) and JSON shapes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

struct Cli {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Cli {
    fn new() -> Cli {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("relman.db");
        Cli { _dir: dir, db }
    }

    fn run(&self, args: &[&str]) -> Output {
        run_on(&self.db, args)
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert_eq!(code(&out), 0, "{args:?} failed: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
    }

    fn create(&self, key: &str) -> Output {
        self.run(&[
            "release",
            "create",
            "--key",
            key,
            "--title",
            "Payroll 4.2",
            "--type",
            "minor",
            "--start",
            "2026-03-01",
            "--end",
            "2026-03-14",
        ])
    }

    fn keys(&self) -> Vec<String> {
        self.json(&["release", "list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["key"].as_str().unwrap().to_string())
            .collect()
    }
}

fn run_on(db: &Path, args: &[&str]) -> Output {
    relman_tests::run_cli(db, args)
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn create_list_show_delete_restore() {
    let cli = Cli::new();
    let created = cli.json(&[
        "release",
        "create",
        "--key",
        "REL-2026-014",
        "--title",
        "Payroll 4.2",
        "--type",
        "major",
        "--start",
        "2026-03-01",
        "--end",
        "2026-03-14",
        "--owner",
        "Anna Berg",
        "--risk",
        "high",
        "--as",
        "anna",
    ]);
    assert_eq!(created["key"], "REL-2026-014");
    assert_eq!(created["type"], "major");
    assert_eq!(created["stage"], "planning");
    assert_eq!(created["risk"], "high");
    assert_eq!(created["created_by"], "anna");

    let list = cli.json(&["release", "list"]);
    let first = &list.as_array().unwrap()[0];
    for field in ["key", "title", "stage"] {
        assert!(
            first.get(field).is_some(),
            "release list --json lacks {field}"
        );
    }
    assert_eq!(first["title"], "Payroll 4.2");

    let shown = cli.run(&["release", "show", "REL-2026-014"]);
    assert_eq!(code(&shown), 0);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("Payroll 4.2") && text.contains("2026-03-01 to 2026-03-14"),
        "{text}"
    );

    assert_eq!(
        cli.json(&["release", "delete", "REL-2026-014"])["deleted"],
        "REL-2026-014"
    );
    assert_eq!(code(&cli.run(&["release", "show", "REL-2026-014"])), 1);
    assert!(cli.keys().is_empty());

    cli.json(&["release", "restore", "REL-2026-014"]);
    assert_eq!(cli.keys(), ["REL-2026-014"]);
}

#[test]
fn actor_defaults_to_the_os_user() {
    let cli = Cli::new();
    cli.create("REL-1");
    assert_eq!(
        cli.json(&["release", "show", "REL-1"])["created_by"],
        "ci-user"
    );
}

#[test]
fn list_filters_by_stage() {
    let cli = Cli::new();
    cli.create("REL-1");
    assert_eq!(
        cli.json(&["release", "list", "--stage", "planning"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        cli.json(&["release", "list", "--stage", "test"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        code(&cli.run(&["release", "list", "--stage", "nowhere"])),
        2
    );
}

#[test]
fn validation_is_refused_with_exit_1_naming_the_flag_and_writes_nothing() {
    let cli = Cli::new();
    let out = cli.run(&[
        "release",
        "create",
        "--key",
        "REL-1",
        "--title",
        " ",
        "--type",
        "minor",
        "--start",
        "2026-03-14",
        "--end",
        "2026-03-01",
    ]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("--title: must not be empty"), "{err}");
    assert!(
        err.contains("--end: must not be before the planned start (2026-03-14)"),
        "{err}"
    );
    assert!(cli.keys().is_empty());
}

#[test]
fn validation_errors_in_json() {
    let cli = Cli::new();
    let out = cli.run(&[
        "release",
        "create",
        "--key",
        "rel 1",
        "--title",
        "T",
        "--type",
        "minor",
        "--start",
        "14.03.2026",
        "--end",
        "2026-03-20",
        "--json",
    ]);
    assert_eq!(code(&out), 1);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["error"]["kind"], "validation");
    let fields: Vec<&str> = doc["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["--key", "--start"]);
}

#[test]
fn duplicate_key_is_refused() {
    let cli = Cli::new();
    assert_eq!(code(&cli.create("REL-1")), 0);
    let out = cli.create("REL-1");
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("--key: REL-1 already exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(cli.keys(), ["REL-1"]);
}

#[test]
fn unknown_release_is_exit_1() {
    let cli = Cli::new();
    let out = cli.run(&["release", "delete", "REL-404"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("release REL-404 does not exist"));
}

#[test]
fn usage_errors_are_exit_2() {
    let cli = Cli::new();
    assert_eq!(code(&cli.run(&["release", "create", "--key", "REL-1"])), 2);
    assert_eq!(code(&cli.run(&["release", "frobnicate"])), 2);
    let bad_type = cli.run(&[
        "release",
        "create",
        "--key",
        "REL-1",
        "--title",
        "T",
        "--type",
        "huge",
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-02",
    ]);
    assert_eq!(code(&bad_type), 2);
    assert!(stderr(&bad_type).contains("major, minor, emergency"));
}

#[test]
fn storage_failures_are_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_db = dir.path().join("notes.txt");
    std::fs::write(
        &not_a_db,
        "these are not the tables you are looking for ".repeat(100),
    )
    .unwrap();
    let out = run_on(&not_a_db, &["release", "list"]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("could not be read or written"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&not_a_db).unwrap().len(),
        "these are not the tables you are looking for ".len() * 100,
        "the file was changed"
    );
}

#[test]
fn a_newer_database_is_refused_with_exit_3() {
    let cli = Cli::new();
    cli.create("REL-1");
    // Simulate a database written by a future Relman with one more migration.
    let newer = relman_core::store::MIGRATIONS.len() as i64 + 1;
    rusqlite::Connection::open(&cli.db)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let out = cli.run(&["release", "list"]);
    assert_eq!(code(&out), 3);
    assert!(stderr(&out).contains("newer Relman"), "{}", stderr(&out));
}

/// A release in planning with one authorized and one draft change, both on CMDB CIs.
fn domain(cli: &Cli) {
    for (name, version) in [("payroll-api", "2.1"), ("payroll-db", "12.4")] {
        let out = cli.run(&[
            "ci",
            "create",
            "--name",
            name,
            "--kind",
            "application",
            "--version",
            version,
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let out = cli.run(&[
        "change",
        "create",
        "--key",
        "CHG0031415",
        "--title",
        "Tax tables",
        "--status",
        "authorized",
        "--ci",
        "payroll-api",
        "--kind",
        "improvement",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = cli.run(&[
        "change",
        "create",
        "--key",
        "CHG0031416",
        "--title",
        "Payslip index",
        "--ci",
        "payroll-db",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = cli.run(&[
        "--as",
        "rita",
        "release",
        "create",
        "--key",
        "REL-1",
        "--title",
        "Payroll 4.2",
        "--type",
        "minor",
        "--start",
        "2026-12-01",
        "--end",
        "2026-12-05",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for change in ["CHG0031415", "CHG0031416"] {
        assert_eq!(
            code(&cli.run(&["release", "add-change", "REL-1", change])),
            0
        );
    }
}

#[test]
fn change_list_json_has_the_contract_shape() {
    let cli = Cli::new();
    domain(&cli);
    let list = cli.json(&["change", "list", "--status", "authorized"]);
    assert_eq!(
        list,
        serde_json::json!([{
            "key": "CHG0031415", "title": "Tax tables", "status": "authorized",
            "description": "", "cis": ["payroll-api"]
        }])
    );
    assert_eq!(cli.json(&["change", "list"]).as_array().unwrap().len(), 2);
    let cis = cli.json(&["ci", "list"]);
    assert_eq!(cis[0]["name"], "payroll-api");
    assert_eq!(cis[0]["prod_version"], "2.1");
}

#[test]
fn check_explains_and_advance_refuses_with_exit_1() {
    let cli = Cli::new();
    domain(&cli);
    let check = cli.json(&["release", "check", "REL-1"]);
    assert_eq!(
        (
            check["release"].as_str(),
            check["stage"].as_str(),
            check["next"].as_str()
        ),
        (Some("REL-1"), Some("planning"), Some("build"))
    );
    let failing: Vec<&Value> = check["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ok"] == false)
        .collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0]["code"], "SCOPE-AUTHORIZED");
    assert!(
        failing[0]["message"]
            .as_str()
            .unwrap()
            .contains("CHG0031416")
    );
    assert!(!failing[0]["remedy"].as_str().unwrap().is_empty());

    let out = cli.run(&["release", "advance", "REL-1"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("SCOPE-AUTHORIZED"),
        "{}",
        stderr(&out)
    );
    assert_eq!(cli.json(&["release", "show", "REL-1"])["stage"], "planning");

    assert_eq!(code(&cli.run(&["change", "authorize", "CHG0031416"])), 0);
    assert_eq!(cli.json(&["release", "advance", "REL-1"])["stage"], "build");
}

/// The core's messages in German with `--lang de` or a German locale; the JSON keeps its
/// shape (strings where the contract has strings), and English stays the default.
#[test]
fn the_cli_speaks_german_when_asked() {
    let cli = Cli::new();
    domain(&cli);
    let failing = |check: &Value| {
        check["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ok"] == false)
            .unwrap()
            .clone()
    };
    let english = failing(&cli.json(&["release", "check", "REL-1"]));
    assert!(
        english["message"]
            .as_str()
            .unwrap()
            .starts_with("Not authorized: CHG0031416 ("),
        "{english}"
    );
    let german = failing(&cli.json(&["release", "check", "REL-1", "--lang", "de"]));
    assert_eq!(
        german["message"].as_str().unwrap(),
        "Nicht genehmigt: CHG0031416 (Entwurf)"
    );
    assert!(
        german["remedy"]
            .as_str()
            .unwrap()
            .starts_with("Lassen Sie sie vom Change Management"),
        "{german}"
    );

    let out = relman_tests::cli_command(&cli.db)
        .env("LANG", "de_DE.UTF-8")
        .args(["release", "advance", "REL-1"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let said = stderr(&out);
    assert!(
        said.contains("REL-1 kann nicht nach „Build“ wechseln")
            && said.contains("SCOPE-AUTHORIZED: Nicht genehmigt: CHG0031416"),
        "{said}"
    );
    assert!(!said.contains("Not authorized"), "{said}");
    // A refused field in German, the field named as the flag.
    let out = cli.run(&[
        "release",
        "create",
        "--key",
        "rel 9",
        "--title",
        " ",
        "--type",
        "minor",
        "--start",
        "2026-03-01",
        "--end",
        "2026-02-01",
        "--lang",
        "de",
    ]);
    assert_eq!(code(&out), 1);
    let said = stderr(&out);
    assert!(
        said.contains("--title: darf nicht leer sein")
            && said.contains("--end: darf nicht vor dem geplanten Beginn liegen (2026-03-01)")
            && said.contains("z. B. REL-2026-014"),
        "{said}"
    );
    // --lang wins over the locale.
    let out = relman_tests::cli_command(&cli.db)
        .env("LANG", "de_DE.UTF-8")
        .args(["release", "check", "REL-1", "--lang", "en"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Not authorized"));
}

/// Tests `key` on its own environment with `installed` on it, early in January: booked,
/// functional, installation and a rollback rehearsal passed, long enough ago for any
/// problem-free period.
fn tested_on_the_cli(cli: &Cli, key: &str, installed: &[(&str, &str)]) {
    let env = format!("lab-{key}");
    let ok = |args: &[&str]| {
        let out = cli.run(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    };
    ok(&["env", "create", "--name", &env, "--capacity", "2"]);
    for (ci, version) in installed {
        ok(&[
            "env",
            "install",
            &env,
            "--ci",
            ci,
            "--version",
            version,
            "--at",
            "2026-01-05T08:00:00Z",
        ]);
    }
    ok(&[
        "env",
        "book",
        &env,
        "--release",
        key,
        "--from",
        "2026-01-05T09:00:00Z",
        "--to",
        "2026-01-06T09:00:00Z",
    ]);
    for kind in ["functional", "installation", "rollback_rehearsal"] {
        ok(&[
            "test",
            "record",
            key,
            "--env",
            &env,
            "--kind",
            kind,
            "--result",
            "passed",
            "--from",
            "2026-01-05T10:00:00Z",
            "--to",
            "2026-01-05T11:00:00Z",
        ]);
    }
}

#[test]
fn the_requester_cannot_approve_and_a_cab_member_can() {
    let cli = Cli::new();
    domain(&cli);
    cli.run(&["change", "authorize", "CHG0031416"]);
    for (ci, to) in [("payroll-api", "2.2"), ("payroll-db", "13")] {
        let location = format!("smb://dml/{ci}-{to}.zip");
        let out = cli.run(&[
            "release",
            "add-component",
            "REL-1",
            "--ci",
            ci,
            "--to",
            to,
            "--requires",
            "payroll-db>=13",
            "--dml",
            &location,
            "--sha256",
            &"ab".repeat(32),
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    cli.run(&[
        "release",
        "edit",
        "REL-1",
        "--dev-docs",
        "https://wiki/dev",
        "--ops-docs",
        "https://wiki/ops",
        "--package-type",
        "full",
    ]);
    tested_on_the_cli(
        &cli,
        "REL-1",
        &[("payroll-api", "2.2"), ("payroll-db", "13")],
    );
    for _ in 0..3 {
        let out = cli.run(&["release", "advance", "REL-1"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let out = cli.run(&[
        "--as",
        "rita",
        "release",
        "approve",
        "REL-1",
        "--decision",
        "approve",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("AUTH-SEGREGATION"),
        "{}",
        stderr(&out)
    );

    let approval = cli.json(&[
        "--as",
        "carl",
        "release",
        "approve",
        "REL-1",
        "--decision",
        "approve",
        "--comment",
        "Go",
    ]);
    assert_eq!(
        (approval["approver"].as_str(), approval["role"].as_str()),
        (Some("carl"), Some("cab_member"))
    );
    // Approved, but not scheduled: the scheduling rule refuses the move.
    let out = cli.run(&["release", "advance", "REL-1"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("SCHED-PLANNED"), "{}", stderr(&out));
    let models = cli.db.with_file_name("models.json");
    std::fs::write(
        &models,
        r#"{"format":"relman","version":2,"models":[{"name":"one step","tasks":[{"key":"deploy","name":"Deploy","minutes":60}]}]}"#,
    )
    .unwrap();
    assert_eq!(code(&cli.run(&["import", models.to_str().unwrap()])), 0);
    let plan = cli.json(&["release", "plan", "REL-1", "--model", "one step"]);
    assert_eq!(plan["tasks"][0]["id"], "1.deploy");
    assert_eq!(plan["tasks"][0]["critical"], true);
    // carl approved the release without a plan: his approval does not cover the plan.
    let out = cli.run(&["release", "advance", "REL-1"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("AUTH-VALID: Changed after carl's approval")
            && stderr(&out).contains("a deployment plan of 1 task was added"),
        "{}",
        stderr(&out)
    );
    // Nor was its rollback rehearsed: the rehearsal before it had no plan to rehearse.
    assert!(
        stderr(&out).contains("TEST-ROLLBACK-REHEARSED: No passing rollback rehearsal counts: the rollback plan changed after run #3 on lab-REL-1"),
        "{}",
        stderr(&out)
    );
    let rehearsal = cli.json(&[
        "test",
        "record",
        "REL-1",
        "--env",
        "lab-REL-1",
        "--kind",
        "rollback_rehearsal",
        "--result",
        "passed",
        "--from",
        "2026-01-05T12:00:00Z",
        "--to",
        "2026-01-05T13:00:00Z",
    ]);
    assert_eq!(rehearsal["counts"], true, "{rehearsal}");
    cli.run(&[
        "--as",
        "carl",
        "release",
        "approve",
        "REL-1",
        "--decision",
        "approve",
    ]);
    assert_eq!(
        cli.json(&["release", "advance", "REL-1"])["stage"],
        "authorized"
    );

    // Authorized is past the point where a release is sent back, but it can still be cancelled.
    let out = cli.run(&["release", "send-back", "REL-1"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("cannot be sent back"),
        "{}",
        stderr(&out)
    );
    let out = cli.run(&["release", "cancel", "REL-1"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        cli.json(&["release", "show", "REL-1"])["stage"],
        "cancelled"
    );
}

#[test]
fn a_package_with_a_cycle_names_the_whole_cycle() {
    let cli = Cli::new();
    domain(&cli);
    cli.run(&["change", "authorize", "CHG0031416"]);
    cli.run(&[
        "release",
        "add-component",
        "REL-1",
        "--ci",
        "payroll-api",
        "--to",
        "2.2",
        "--requires",
        "payroll-db>=13",
    ]);
    cli.run(&[
        "release",
        "add-component",
        "REL-1",
        "--ci",
        "payroll-db",
        "--to",
        "13",
        "--requires",
        "payroll-api>=2.2",
    ]);
    cli.run(&["release", "advance", "REL-1"]);
    let check = cli.json(&["release", "check", "REL-1"]);
    let cycle = check["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "PKG-NO-CYCLE")
        .unwrap();
    assert_eq!(cycle["ok"], false);
    assert!(
        cycle["message"]
            .as_str()
            .unwrap()
            .contains("payroll-api → payroll-db → payroll-api"),
        "{cycle}"
    );
}

#[test]
fn bad_requirement_and_unknown_ci_are_refused() {
    let cli = Cli::new();
    domain(&cli);
    let out = cli.run(&[
        "release",
        "add-component",
        "REL-1",
        "--ci",
        "payroll-api",
        "--to",
        "2.2",
        "--requires",
        "payroll-db",
    ]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("--requires"), "{}", stderr(&out));
    let out = cli.run(&[
        "release",
        "add-component",
        "REL-1",
        "--ci",
        "nowhere",
        "--to",
        "1",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("nowhere is not in the CMDB"),
        "{}",
        stderr(&out)
    );
    assert!(cli.json(&["release", "check", "REL-1"])["rules"].is_array());
}

#[test]
fn audit_verify_finds_tampering_with_exit_1() {
    let cli = Cli::new();
    domain(&cli);
    let report = cli.json(&["audit", "verify"]);
    assert!(report["records"].as_i64().unwrap() >= 6);
    assert_eq!(report["problems"], serde_json::json!([]));

    let conn = rusqlite::Connection::open(&cli.db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 3;",
    )
    .unwrap();
    drop(conn);
    let out = cli.run(&["audit", "verify"]);
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("record 3 was altered"));
}

#[test]
fn export_and_import_through_files() {
    let cli = Cli::new();
    domain(&cli);
    let out = cli._dir.path().join("export.json");
    let summary = cli.json(&["export", "--out", out.to_str().unwrap()]);
    assert_eq!(
        (
            summary["releases"].as_i64(),
            summary["changes"].as_i64(),
            summary["cis"].as_i64()
        ),
        (Some(1), Some(2), Some(2))
    );
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        (document["format"].as_str(), document["version"].as_i64()),
        (Some("relman"), Some(6))
    );

    let other = Cli::new();
    let imported = other.json(&["import", out.to_str().unwrap()]);
    assert_eq!(imported["releases"], 1);
    assert_eq!(other.keys(), ["REL-1"]);

    // Importing the same again clashes on every key: exit 1, each named, nothing added.
    let again = other.run(&["import", out.to_str().unwrap()]);
    assert_eq!(code(&again), 1);
    assert!(
        stderr(&again).contains("$.releases[0].key: REL-1 already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(other.json(&["change", "list"]).as_array().unwrap().len(), 2);
}

#[test]
fn csv_import_names_the_row_and_column() {
    let cli = Cli::new();
    let file = cli._dir.path().join("changes.csv");
    std::fs::write(
        &file,
        "Issue key,Summary,Status\nCHG-1,Portal SSO,Approved\nCHG-2,Broken,Sleeping\n",
    )
    .unwrap();
    let out = cli.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("row 3, column 'Status'"),
        "{}",
        stderr(&out)
    );
    assert!(cli.json(&["change", "list"]).as_array().unwrap().is_empty());

    std::fs::write(
        &file,
        "Issue key,Summary,Status\nCHG-1,Portal SSO,Approved\n",
    )
    .unwrap();
    assert_eq!(cli.json(&["import", file.to_str().unwrap()])["changes"], 1);
    assert_eq!(
        cli.json(&["change", "show", "CHG-1"])["status"],
        "authorized"
    );
}

#[test]
fn schema_prints_the_published_schema() {
    let cli = Cli::new();
    let out = cli.run(&["schema"]);
    assert_eq!(code(&out), 0);
    let published =
        std::fs::read_to_string(relman_tests::repo_root().join("docs/relman-export.schema.json"))
            .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), published);
    assert!(!cli.db.exists(), "printing the schema opens no database");
}

#[test]
fn planning_commands_follow_the_contract() {
    let cli = Cli::new();
    cli.json(&[
        "ci",
        "create",
        "--name",
        "api",
        "--kind",
        "application",
        "--version",
        "1.0",
    ]);
    // A Wednesday at least two days ahead: the first task then waits for Saturday night's
    // window, so it has slack whatever day the suite runs on (it had none when the release
    // began on a Sunday, inside the window).
    use chrono::Datelike;
    let today = relman_tests::now().date_naive();
    let mut ahead = (2 - today.weekday().num_days_from_monday() as i64).rem_euclid(7);
    if ahead < 2 {
        ahead += 7;
    }
    let start = (today + chrono::Duration::days(ahead)).to_string();
    for key in ["REL-1", "REL-2"] {
        cli.json(&[
            "release", "create", "--key", key, "--title", "API", "--type", "minor", "--start",
            &start, "--end", &start,
        ]);
    }

    let window = cli.json(&[
        "window",
        "add",
        "--name",
        "Sat",
        "--weekly",
        "sat 22:00",
        "--hours",
        "6",
        "--tz",
        "Europe/Berlin",
    ]);
    assert_eq!(
        (window["rule"].as_str(), window["minutes"].as_i64()),
        (Some("FREQ=WEEKLY;BYDAY=SA"), Some(360))
    );
    let out = cli.run(&[
        "window",
        "add",
        "--name",
        "X",
        "--weekly",
        "sat 22:00",
        "--hours",
        "6",
        "--tz",
        "Berlin",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("--tz") && stderr(&out).contains("Europe/Berlin"),
        "{}",
        stderr(&out)
    );

    let out = cli.run(&[
        "freeze",
        "add",
        "--name",
        "Year end",
        "--from",
        "2026-12-20 00:00",
        "--to",
        "2027-01-04",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("--from") && stderr(&out).contains("offset"),
        "{}",
        stderr(&out)
    );
    let freeze = cli.json(&[
        "freeze",
        "add",
        "--name",
        "Year end",
        "--from",
        "2026-12-20 00:00",
        "--to",
        "2027-01-04",
        "--tz",
        "Europe/Berlin",
        "--yearly",
    ]);
    assert_eq!(freeze["from"], "2026-12-19T23:00:00Z");
    assert_eq!(freeze["rule"], "FREQ=YEARLY");

    let models = cli.db.with_file_name("models.json");
    std::fs::write(
        &models,
        r#"{"format":"relman","version":2,"models":[{"name":"m","tasks":[
            {"key":"prep","name":"Prepare","minutes":30},
            {"key":"deploy","name":"Deploy","minutes":120,"downtime":true}],
            "deps":[{"from":"prep","to":"deploy"}]}]}"#,
    )
    .unwrap();
    cli.json(&["import", models.to_str().unwrap()]);
    let args = |key| {
        vec![
            "release",
            "plan",
            key,
            "--model",
            "m",
            "--window",
            "Sat",
            "--tz",
            "Europe/Berlin",
            "--target",
            "api",
        ]
    };
    cli.json(&args("REL-1"));
    let schedule = cli.json(&["release", "schedule", "REL-1"]);
    assert_eq!(schedule["release"], "REL-1");
    assert_eq!(schedule["unplaced"], json!([]));
    let tasks = schedule["tasks"].as_array().unwrap();
    let keys: Vec<&str> = tasks[1]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for field in ["id", "name", "start", "end", "slack_minutes", "critical"] {
        assert!(keys.contains(&field), "{field} missing from {keys:?}");
    }
    assert_eq!(tasks[1]["id"], "1.deploy");
    assert_eq!(tasks[1]["critical"], true);
    assert!(
        tasks[0]["slack_minutes"].as_i64().unwrap() > 0,
        "preparing may slip until the window opens"
    );
    assert_eq!(cli.json(&["release", "conflicts", "REL-1"]), json!([]));

    // The same plan for another release on the same CI: both sides see the conflict.
    cli.json(&args("REL-2"));
    let conflicts = cli.json(&["release", "conflicts", "REL-2"]);
    assert_eq!(conflicts[0]["kind"], "overlap");
    assert_eq!(conflicts[0]["with"], "REL-1");
    assert!(conflicts[0]["message"].as_str().unwrap().contains("api"));
    assert_eq!(
        cli.json(&["release", "conflicts", "REL-1"])[0]["with"],
        "REL-2"
    );

    // Slots avoid the other release, and count the users they disturb.
    cli.json(&[
        "ci", "hours", "api", "--days", "mon-sun", "--opens", "00:00", "--closes", "23:59", "--tz",
        "UTC", "--users", "50",
    ]);
    let bad = [
        "ci", "hours", "api", "--days", "someday", "--opens", "8", "--closes", "18:00", "--tz",
        "UTC", "--users", "5",
    ];
    let out = cli.run(&bad);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("--days") && stderr(&out).contains("--opens"),
        "{}",
        stderr(&out)
    );
    // Six weeks: the yearly freeze above and REL-1 may take three Saturdays in a row.
    let slots = cli.json(&["release", "slots", "REL-2", "--weeks", "6"]);
    let first = slots
        .as_array()
        .unwrap()
        .first()
        .expect("a slot in six weeks");
    assert_eq!(first["window"], "Sat");
    assert_eq!(
        first["impact_user_minutes"],
        120 * 50,
        "two hours of downtime, 50 users"
    );
    assert_ne!(first["start"], tasks[1]["start"]);
    let out = cli.run(&["release", "slots", "REL-2", "--weeks", "0"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("--weeks"), "{}", stderr(&out));
}

#[test]
fn concurrent_writers_wait_for_each_other_and_every_write_lands() {
    let cli = Cli::new();
    // Four CSV imports of 300 changes each (naming CIs the CMDB lacks) and ten release
    // creations, all started at once on one new database file.
    let mut children = Vec::new();
    for file in 0..4 {
        let mut csv = String::from("number,short_description,state,cmdb_ci\n");
        for row in 0..300 {
            csv.push_str(&format!(
                "CHG{file}{row:04},Change {row} of file {file},Scheduled,app-{file}-{}\n",
                row % 7
            ));
        }
        let path = cli.db.with_file_name(format!("changes-{file}.csv"));
        std::fs::write(&path, csv).unwrap();
        children.push(
            relman_tests::cli_command(&cli.db)
                .arg("import")
                .arg(&path)
                .output_spawned(),
        );
    }
    for n in 0..10 {
        let key = format!("REL-{n}");
        children.push(
            relman_tests::cli_command(&cli.db)
                .args(["release", "create", "--key", &key, "--title", "Concurrent"])
                .args([
                    "--type",
                    "minor",
                    "--start",
                    "2026-03-01",
                    "--end",
                    "2026-03-02",
                ])
                .output_spawned(),
        );
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out), 0, "a writer failed: {}", stderr(&out));
    }
    assert_eq!(cli.keys().len(), 10);
    let changes = cli.json(&["change", "list"]);
    assert_eq!(changes.as_array().unwrap().len(), 1200);
    let cis = cli.json(&["ci", "list"]);
    assert_eq!(cis.as_array().unwrap().len(), 28);
    assert_eq!(code(&cli.run(&["audit", "verify"])), 0);
}

trait Spawned {
    fn output_spawned(&mut self) -> std::process::Child;
}

impl Spawned for Command {
    fn output_spawned(&mut self) -> std::process::Child {
        self.env("USER", "ci-user")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }
}

#[test]
fn check_all_shows_a_cycle_while_the_release_is_still_in_planning() {
    let cli = Cli::new();
    domain(&cli);
    for (ci, to, needs) in [
        ("payroll-api", "2.2", "payroll-db>=13"),
        ("payroll-db", "13", "payroll-api>=2"),
    ] {
        let out = cli.run(&[
            "release",
            "add-component",
            "REL-1",
            "--ci",
            ci,
            "--to",
            to,
            "--requires",
            needs,
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let next = cli.json(&["release", "check", "REL-1"]);
    assert!(
        next["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["code"] != "PKG-NO-CYCLE")
    );
    let all = cli.json(&["release", "check", "REL-1", "--all"]);
    let cycle = all["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "PKG-NO-CYCLE")
        .unwrap()
        .clone();
    assert_eq!(
        (
            &cycle["ok"],
            &cycle["from"],
            &cycle["until"],
            &cycle["next_move"]
        ),
        (
            &json!(false),
            &json!("test"),
            &json!("deploying"),
            &json!(false)
        )
    );
    let text = String::from_utf8(cli.run(&["release", "check", "REL-1", "--all"]).stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.contains("FAIL") && l.contains("PKG-NO-CYCLE") && l.contains("into test")),
        "{text}"
    );
}

#[test]
fn release_show_tells_scope_package_and_plan_in_local_time_and_ends_its_lines() {
    let cli = Cli::new();
    domain(&cli);
    cli.run(&[
        "release",
        "add-component",
        "REL-1",
        "--ci",
        "payroll-api",
        "--to",
        "2.2",
    ]);
    let out = relman_tests::cli_command(&cli.db)
        .args(["release", "show", "REL-1"])
        .env("TZ", "Europe/Berlin")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Scope (2 change(s))"), "{text}");
    assert!(text.contains("CHG0031415"), "{text}");
    assert!(
        text.contains("payroll-api") && text.contains("→ 2.2"),
        "{text}"
    );
    assert!(text.contains("(no deployment plan)"), "{text}");
    assert!(text.contains("(no CAB decision)"), "{text}");
    let created = text.lines().find(|l| l.starts_with("Created")).unwrap();
    assert!(
        regex::Regex::new(r"\w{3} \d{2} \w{3} \d{4} \d{2}:\d{2} CES?T by")
            .unwrap()
            .is_match(created),
        "{created}"
    );
    assert!(text.ends_with('\n'));
    for args in [
        &["change", "list"][..],
        &["change", "list", "--status", "rejected"],
        &["ci", "list"],
        &["release", "list"],
    ] {
        let out = cli.run(args);
        assert!(out.stdout.ends_with(b"\n"), "{args:?} ends its last line");
    }
}

#[test]
fn components_and_records_can_be_taken_back_on_the_command_line() {
    let cli = Cli::new();
    domain(&cli);
    let add = cli.run(&[
        "release",
        "add-component",
        "REL-1",
        "--ci",
        "payroll-api",
        "--to",
        "2.2",
    ]);
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let out = cli.run(&["ci", "delete", "payroll-api"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("the packages of REL-1"),
        "{}",
        stderr(&out)
    );

    let edited = cli.json(&[
        "release",
        "edit-component",
        "REL-1",
        "--ci",
        "payroll-api",
        "--to",
        "2.3",
    ]);
    assert_eq!(edited["to_version"], "2.3");
    let out = cli.run(&[
        "release",
        "remove-component",
        "REL-1",
        "--ci",
        "payroll-api",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("--ci payroll-api --to 2.3"),
        "says how to undo"
    );
    let out = cli.run(&[
        "release",
        "remove-component",
        "REL-1",
        "--ci",
        "payroll-api",
    ]);
    assert_eq!(code(&out), 1);

    // A change's CIs can be edited; a change in a scope cannot be deleted.
    let change = cli.json(&["change", "edit", "CHG0031415", "--ci", "payroll-db"]);
    assert_eq!(change["cis"], json!(["payroll-db"]));
    let out = cli.run(&["change", "delete", "CHG0031415"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("in the scope of REL-1"),
        "{}",
        stderr(&out)
    );
    cli.run(&["release", "remove-change", "REL-1", "CHG0031415"]);
    assert_eq!(code(&cli.run(&["change", "delete", "CHG0031415"])), 0);
    assert_eq!(code(&cli.run(&["change", "show", "CHG0031415"])), 1);
    assert_eq!(code(&cli.run(&["change", "restore", "CHG0031415"])), 0);
    assert_eq!(
        cli.json(&["change", "show", "CHG0031415"])["cis"],
        json!(["payroll-db"])
    );
}

/// The worked case of the rollback issue, authored on the command line: a model with backout
/// steps, a plan from it, the rollback plan that does not fit and then does, and a deployment
/// run, aborted and rolled back step by step.
#[test]
fn rollback_authored_planned_run_and_aborted_on_the_command_line() {
    let cli = Cli::new();
    let ok = |args: &[&str]| {
        let out = cli.run(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    ok(&["model", "create", "--name", "Worked case"]);
    let task = |key: &str, minutes: &str, after: Option<&str>, extra: &[&str]| {
        let mut args = vec![
            "model",
            "task",
            "add",
            "Worked case",
            "--key",
            key,
            "--name",
            key,
            "--minutes",
            minutes,
            "--downtime",
        ];
        if let Some(after) = after {
            args.extend(["--after", after]);
        }
        args.extend(extra);
        ok(&args);
    };
    task(
        "backup",
        "30",
        None,
        &["--nothing-to-undo", "a backup changes nothing"],
    );
    task(
        "stop",
        "10",
        Some("backup"),
        &["--backout", "start services=10"],
    );
    task(
        "migrate",
        "60",
        Some("stop"),
        &["--backout", "restore database=45"],
    );
    task(
        "deploy",
        "45",
        Some("migrate"),
        &["--backout", "redeploy previous=30"],
    );
    task(
        "smoke",
        "30",
        Some("deploy"),
        &["--nothing-to-undo", "a test changes nothing"],
    );
    ok(&[
        "model",
        "task",
        "add",
        "Worked case",
        "--key",
        "go",
        "--name",
        "Go / no-go",
        "--minutes",
        "0",
        "--milestone",
        "go_no_go",
        "--after",
        "smoke",
    ]);
    task("open", "10", Some("go"), &["--backout", "close to users=5"]);
    // A bad step is refused, naming the flag.
    let out = cli.run(&[
        "model",
        "task",
        "add",
        "Worked case",
        "--key",
        "x",
        "--name",
        "x",
        "--minutes",
        "5",
        "--backout",
        "no minutes",
    ]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("--backout"), "{}", stderr(&out));
    let shown = ok(&["model", "show", "Worked case"]);
    assert!(shown.contains("restore database 45 min"), "{shown}");

    ok(&[
        "window",
        "add",
        "--name",
        "Saturday night",
        "--weekly",
        "sat 22:00",
        "--hours",
        "4",
        "--tz",
        "Europe/Berlin",
    ]);
    // Planned from Thursday, so the plan waits for Saturday's window.
    ok(&[
        "release",
        "create",
        "--key",
        "REL-1",
        "--title",
        "Worked case",
        "--type",
        "minor",
        "--start",
        "2026-02-26",
        "--end",
        "2026-03-01",
    ]);
    ok(&[
        "release",
        "plan",
        "REL-1",
        "--model",
        "Worked case",
        "--window",
        "Saturday night",
        "--tz",
        "Europe/Berlin",
    ]);
    let rollback = cli.json(&["release", "rollback", "REL-1"]);
    let wave = &rollback["waves"][0];
    assert_eq!(wave["fits"], false, "{rollback:#}");
    assert_eq!(wave["rollback_minutes"], 85);
    assert!(
        wave["latest_go_no_go"]
            .as_str()
            .unwrap()
            .ends_with("T23:25:00+00:00")
    );
    assert!(
        wave["window_end"]
            .as_str()
            .unwrap()
            .ends_with("T01:00:00+00:00")
    );
    let undoes: Vec<&str> = rollback["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["undoes"].as_str().unwrap())
        .collect();
    assert_eq!(undoes, ["1.deploy", "1.migrate", "1.stop"]);
    let check = cli.json(&["release", "check", "REL-1", "--all"]);
    let fits = check["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "ROLLBACK-FITS-WINDOW")
        .unwrap()
        .clone();
    assert_eq!(fits["ok"], false);
    assert!(
        fits["message"].as_str().unwrap().contains("85 min"),
        "{fits}"
    );

    // The go/no-go right after deploy: smoke test moves behind it in this release only.
    ok(&["release", "task", "remove", "REL-1", "1.go"]);
    ok(&[
        "release",
        "task",
        "add",
        "REL-1",
        "--key",
        "go2",
        "--name",
        "Go / no-go",
        "--minutes",
        "0",
        "--milestone",
        "go_no_go",
        "--after",
        "deploy",
    ]);
    let rollback = cli.json(&["release", "rollback", "REL-1"]);
    assert_eq!(rollback["waves"][0]["fits"], true, "{rollback:#}");
    assert_eq!(
        rollback["waves"][0]["go_no_go"],
        rollback["waves"][0]["latest_go_no_go"]
    );

    // Run it: start two steps, abort, do the rollback steps, rolled back.
    let schedule = cli.json(&["release", "schedule", "REL-1"]);
    let start_of = |id: &str| {
        schedule["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap()["start"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let out = cli.run(&["release", "run", "REL-1", "start", "1.backup"]);
    assert_eq!(code(&out), 1, "only while deploying");
    let db = rusqlite::Connection::open(&cli.db).unwrap();
    db.execute(
        "UPDATE releases SET stage = 'deploying' WHERE key = 'REL-1'",
        [],
    )
    .unwrap();
    for (what, task, at) in [
        ("start", "1.backup", start_of("1.backup")),
        ("done", "1.backup", start_of("1.stop")),
        ("start", "1.stop", start_of("1.stop")),
    ] {
        ok(&["release", "run", "REL-1", what, task, "--at", &at]);
    }
    let aborted = cli.json(&[
        "release",
        "abort",
        "REL-1",
        "--reason",
        "database will not stop",
        "--at",
        &start_of("1.migrate"),
    ]);
    let steps = aborted["abort"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "only the stop is undone: {aborted:#}");
    assert_eq!(steps[0]["key"], "1.stop~1");
    assert_eq!(steps[0]["name"], "start services");

    // The terminal scrolled: the rollback, the schedule and the release still say what to run.
    let again = cli.json(&["release", "rollback", "REL-1"]);
    let abort = &again["abort"];
    assert_eq!(abort["by"], "ci-user");
    assert_eq!(abort["reason"], "database will not stop");
    assert_eq!(abort["at"], aborted["abort"]["at"]);
    assert_eq!(abort["next"], "1.stop~1");
    assert_eq!(abort["steps"][0]["state"], "not_started");
    assert_eq!(
        abort["steps"][0]["planned_start"],
        aborted["abort"]["steps"][0]["planned_start"]
    );
    let text = ok(&["release", "rollback", "REL-1"]);
    assert!(
        text.contains("by ci-user (database will not stop): 0 of 1 rollback step done")
            && text.contains("Next: relman-cli release run REL-1 start 1.stop~1")
            && !text.contains("latest go/no-go"),
        "{text}"
    );
    let schedule = cli.json(&["release", "schedule", "REL-1"]);
    assert_eq!(schedule["abort"]["steps"][0]["key"], "1.stop~1");
    assert!(ok(&["release", "schedule", "REL-1"]).contains("1.stop~1"));

    // The steps are recorded at times of their own, after the abort (not the suite's "now").
    let abort_at =
        chrono::DateTime::parse_from_rfc3339(aborted["abort"]["at"].as_str().unwrap()).unwrap();
    let after = |minutes| (abort_at + chrono::Duration::minutes(minutes)).to_rfc3339();
    ok(&[
        "release",
        "run",
        "REL-1",
        "start",
        "1.stop~1",
        "--at",
        &after(2),
    ]);
    let again = cli.json(&["release", "rollback", "REL-1"]);
    assert_eq!(again["abort"]["steps"][0]["state"], "started");
    assert_eq!(again["abort"]["next"], "1.stop~1");
    let shown = ok(&["release", "show", "REL-1"]);
    assert!(
        shown.contains("by ci-user (database will not stop): 0 of 1 rollback step done"),
        "{shown}"
    );
    let done = ok(&[
        "release",
        "run",
        "REL-1",
        "done",
        "1.stop~1",
        "--at",
        &after(12),
    ]);
    assert!(done.contains("rolled back"), "{done}");
    assert_eq!(
        cli.json(&["release", "show", "REL-1"])["stage"],
        "rolled_back"
    );
    let history = ok(&["release", "history", "REL-1"]);
    for action in [
        "abort",
        "rollback_step_done",
        "move stage: deploying → rolled_back",
    ] {
        assert!(history.contains(action), "{action} in {history}");
    }
}

fn inventory(file: &str) -> String {
    relman_tests::repo_root()
        .join("tests/fixtures/inventory")
        .join(file)
        .to_string_lossy()
        .to_string()
}

#[test]
fn rvtools_libvirt_and_proxmox_inventories_import_and_a_second_import_updates() {
    let cli = Cli::new();
    let files = [
        inventory("RVTools_tabvInfo.csv"),
        inventory("RVTools_tabvSnapshot.csv"),
        inventory("test-db-01.xml"),
        inventory("test-db-01-snapshot.xml"),
        inventory("proxmox-vm-201.json"),
    ];
    let mut args = vec!["env", "import"];
    args.extend(files.iter().map(String::as_str));
    let summary = cli.json(&args);
    assert_eq!(
        summary["created"],
        json!(["test-web-01", "test-db-02", "test-db-01", "test-mq-01"]),
        "the template is left out"
    );
    assert_eq!(summary["snapshots"], 4, "{summary}");

    let list = cli.json(&["env", "list"]);
    let env = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {list}"))
            .clone()
    };
    let web = env("test-web-01");
    assert_eq!(
        (
            web["cpus"].as_i64(),
            web["memory_mb"].as_i64(),
            web["disk_mb"].as_i64()
        ),
        (Some(4), Some(8192), Some(61440))
    );
    assert_eq!(web["state"], "running");
    assert_eq!(web["host"], "esx-01.lab (Test)");
    assert_eq!(
        web["source"]["id"],
        "4210a1b2-0000-1111-2222-333344445555@9a8b7c6d-aaaa-bbbb-cccc-ddddeeeeffff"
    );
    let names: Vec<&str> = web["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["baseline", "before-2.4"]);
    assert_eq!(env("test-db-02")["state"], "stopped");
    let db = env("test-db-01");
    assert_eq!(
        (db["cpus"].as_i64(), db["memory_mb"].as_i64()),
        (Some(4), Some(16384))
    );
    assert_eq!(
        db["state"], "running",
        "dumpxml of a running domain carries its id"
    );
    assert_eq!(db["snapshots"][0]["name"], "clean-install");
    assert_eq!(db["snapshots"][0]["at"], "2026-11-27T08:00:00+00:00");
    let mq = env("test-mq-01");
    assert_eq!(
        (mq["cpus"].as_i64(), mq["host"].as_str()),
        (Some(4), Some("pve1"))
    );
    let mq_snapshots: Vec<&str> = mq["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        mq_snapshots,
        ["pre-upgrade"],
        "the 'current' pseudo-snapshot is skipped"
    );

    // Matching is by the inventory's identity: the second import updates, adds nothing.
    let again = cli.json(&args);
    assert_eq!(again["created"], json!([]));
    assert_eq!(again["updated"].as_array().unwrap().len(), 4);
    assert_eq!(cli.json(&["env", "list"]).as_array().unwrap().len(), 4);
}

#[test]
fn a_german_rvtools_export_reads_semicolons_mb_and_day_first_dates() {
    let cli = Cli::new();
    let summary = cli.json(&["env", "import", &inventory("RVTools_tabvInfo_de.csv")]);
    assert_eq!(summary["created"], json!(["test-app-03"]));
    let env = cli.json(&["env", "show", "test-app-03"]);
    assert_eq!(
        (env["disk_mb"].as_i64(), env["memory_mb"].as_i64()),
        (Some(20480), Some(4096))
    );
    assert_eq!(env["os"], "Windows Server 2022");
}

#[test]
fn a_bad_inventory_names_each_problem_by_file_and_row_and_imports_nothing() {
    let cli = Cli::new();
    let dir = cli.db.parent().unwrap();
    let info = dir.join("RVTools_tabvInfo.csv");
    std::fs::write(
        &info,
        "VM,CPUs,Memory,VM UUID,VI SDK UUID\nok-01,2,2048,u-1,vc-1\nbroken,two,2048,,vc-1\n",
    )
    .unwrap();
    let snap = dir.join("RVTools_tabvSnapshot.csv");
    std::fs::write(
        &snap,
        "VM,Name,Description,Date / time,VM UUID,VI SDK UUID\nghost,s1,,03/04/2026 10:00,u-9,vc-1\n",
    )
    .unwrap();
    let out = cli.run(&[
        "env",
        "import",
        info.to_str().unwrap(),
        snap.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("RVTools_tabvInfo.csv row 3: VM 'broken' has no VM UUID"),
        "{err}"
    );
    assert!(
        err.contains("RVTools_tabvSnapshot.csv: its dates could be day-first or month-first"),
        "{err}"
    );
    assert_eq!(cli.json(&["env", "list"]), json!([]), "all or nothing");

    // Told the date order, the snapshot's VM is still unknown: named, nothing imported.
    std::fs::write(
        &info,
        "VM,CPUs,Memory,VM UUID,VI SDK UUID\nok-01,2,2048,u-1,vc-1\n",
    )
    .unwrap();
    let out = cli.run(&[
        "env",
        "import",
        info.to_str().unwrap(),
        snap.to_str().unwrap(),
        "--date-order",
        "dmy",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("VM 'ghost' (u-9@vc-1) is neither in this import nor in Relman"),
        "{}",
        stderr(&out)
    );
    assert_eq!(cli.json(&["env", "list"]), json!([]));
}

#[test]
fn bookings_refuse_an_overlap_naming_the_other_and_touching_ones_fit() {
    let cli = Cli::new();
    domain(&cli);
    cli.json(&["env", "create", "--name", "lab-1"]);
    let book = |from: &str, to: &str, purpose: &str| {
        cli.run(&[
            "env",
            "book",
            "lab-1",
            "--release",
            "REL-1",
            "--from",
            from,
            "--to",
            to,
            "--purpose",
            purpose,
        ])
    };
    assert_eq!(
        code(&book(
            "2026-12-01T08:00:00Z",
            "2026-12-01T12:00:00Z",
            "code_change"
        )),
        0
    );
    let out = book("2026-12-01T11:00:00Z", "2026-12-01T15:00:00Z", "regression");
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("overlaps booking #1 of lab-1 for REL-1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        code(&book(
            "2026-12-01T12:00:00Z",
            "2026-12-01T15:00:00Z",
            "code_change"
        )),
        0
    );
    let bookings = cli.json(&["env", "bookings", "lab-1"]);
    assert_eq!(bookings.as_array().unwrap().len(), 2);
}

#[test]
fn a_run_on_a_drifted_environment_does_not_count_and_the_problem_free_period_gives_its_end() {
    let cli = Cli::new();
    domain(&cli);
    cli.run(&[
        "release",
        "add-component",
        "REL-1",
        "--ci",
        "payroll-api",
        "--to",
        "2.2",
    ]);
    cli.json(&[
        "env",
        "create",
        "--name",
        "lab-1",
        "--clone-of",
        "payroll-api",
        "--cloned-at",
        "2026-11-20T08:00:00Z",
    ]);
    cli.json(&[
        "env",
        "install",
        "lab-1",
        "--ci",
        "payroll-api",
        "--version",
        "2.1",
        "--at",
        "2026-11-30T08:00:00Z",
    ]);
    cli.json(&[
        "env",
        "book",
        "lab-1",
        "--release",
        "REL-1",
        "--from",
        "2026-11-30T09:00:00Z",
        "--to",
        "2026-12-04T09:00:00Z",
    ]);
    let show = cli.json(&["env", "show", "lab-1", "--release", "REL-1"]);
    assert_eq!(
        show["drift"],
        json!([{"ci": "payroll-api", "installed": "2.1", "expected": "2.2"}])
    );
    assert_eq!(
        show["versions"],
        json!([{"ci": "payroll-api", "version": "2.1"}])
    );

    let run = cli.json(&[
        "test",
        "record",
        "REL-1",
        "--env",
        "lab-1",
        "--kind",
        "functional",
        "--result",
        "failed",
        "--from",
        "2026-11-30T10:00:00Z",
        "--to",
        "2026-11-30T11:00:00Z",
        "--defect",
        "BUG-1:high",
    ]);
    assert_eq!(run["counts"], false);
    assert_eq!(
        run["why_not"],
        "drift when it started: payroll-api is 2.1 but should be 2.2"
    );

    cli.json(&[
        "env",
        "install",
        "lab-1",
        "--ci",
        "payroll-api",
        "--version",
        "2.2",
        "--at",
        "2026-11-30T12:00:00Z",
    ]);
    let run = cli.json(&[
        "test",
        "record",
        "REL-1",
        "--env",
        "lab-1",
        "--kind",
        "functional",
        "--result",
        "passed",
        "--from",
        "2026-11-30T13:00:00Z",
        "--to",
        "2026-11-30T14:00:00Z",
    ]);
    assert_eq!(run["counts"], true, "{run}");
    let list = cli.json(&["test", "list", "REL-1"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(
        list[0]["versions"]["payroll-api"], "2.1",
        "a run keeps the versions it started on"
    );

    let rule = |now: &str| {
        let all = cli.json(&["--now", now, "release", "check", "REL-1", "--all"]);
        all["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "TEST-PROBLEM-FREE")
            .unwrap()
            .clone()
    };
    let open = rule("2026-12-01T09:00:00Z");
    assert_eq!(open["ok"], false);
    assert!(
        open["message"]
            .as_str()
            .unwrap()
            .contains("Open defects: BUG-1 (high)"),
        "{open}"
    );
    cli.json(&[
        "test",
        "defect",
        "REL-1",
        "BUG-1",
        "--close",
        "--at",
        "2026-12-01T09:00:00Z",
    ]);
    let waiting = rule("2026-12-02T09:00:00Z");
    assert_eq!(waiting["ok"], false);
    assert!(
        waiting["message"].as_str().unwrap().contains("The 3-day problem-free period ends Fri 04 Dec 2026 09:00 UTC (3 days after defect BUG-1 was closed)"),
        "{waiting}"
    );
    assert_eq!(
        rule("2026-12-04T09:00:00Z")["ok"],
        true,
        "age checks use >="
    );
}

#[test]
fn the_testing_policy_and_an_environments_capacity_are_edited_on_the_command_line() {
    let cli = Cli::new();
    domain(&cli);
    let policy = cli.json(&[
        "test",
        "policy",
        "--require",
        "minor=functional",
        "--problem-free",
        "minor=1",
    ]);
    assert_eq!(policy["required"]["minor"], json!(["functional"]));
    assert_eq!(policy["problem_free_days"]["minor"], 1);
    let out = cli.run(&["test", "policy", "--require", "minor=smoke"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("'smoke' is not one of functional, integration"),
        "{}",
        stderr(&out)
    );

    cli.json(&["env", "create", "--name", "lab-1", "--capacity", "2"]);
    for from in ["2026-12-01T08:00:00Z", "2026-12-01T09:00:00Z"] {
        cli.json(&[
            "env",
            "book",
            "lab-1",
            "--release",
            "REL-1",
            "--from",
            from,
            "--to",
            "2026-12-01T12:00:00Z",
            "--purpose",
            "regression",
        ]);
    }
    let out = cli.run(&["env", "edit", "lab-1", "--capacity", "1"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("capacity 1 is too small"),
        "{}",
        stderr(&out)
    );
    let retired = cli.json(&["env", "edit", "lab-1", "--state", "retired"]);
    assert_eq!(retired["state"], "retired");
    let out = cli.run(&[
        "env",
        "book",
        "lab-1",
        "--release",
        "REL-1",
        "--from",
        "2026-12-02T08:00:00Z",
        "--to",
        "2026-12-02T09:00:00Z",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("lab-1 is retired"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn report_writes_the_dossier_and_the_cab_pack_and_refuses_bad_choices() {
    let cli = Cli::new();
    assert_eq!(code(&cli.create("REL-1")), 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dossier.pdf");
    let out_s = out.to_str().unwrap();
    let json = cli.json(&[
        "report",
        "dossier",
        "REL-1",
        "--out",
        out_s,
        "--lang",
        "de",
        "--paper",
        "letter",
        "--sections",
        "cover,rules",
    ]);
    assert_eq!(json["sections"], serde_json::json!(["Deckblatt", "Regeln"]));
    assert_eq!(json["pages"], 2);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-") && bytes.len() as u64 == json["bytes"].as_u64().unwrap());
    assert!(
        !dir.path().join("dossier.pdf.part").exists(),
        "no temporary file is left behind"
    );

    let pack = dir.path().join("cab.pdf");
    let json = cli.json(&["report", "cab-pack", "--out", pack.to_str().unwrap()]);
    assert_eq!(
        json["pages"], 1,
        "only the agenda: nothing awaits authorization"
    );

    let bad = cli.run(&["report", "dossier", "REL-1", "--out", out_s, "--lang", "fr"]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("'fr' is not one of en, de"),
        "{}",
        stderr(&bad)
    );
    let missing = cli.run(&[
        "report",
        "dossier",
        "REL-404",
        "--out",
        dir.path().join("x.pdf").to_str().unwrap(),
    ]);
    assert_eq!(code(&missing), 1);
    assert!(
        !dir.path().join("x.pdf").exists(),
        "nothing is written for a refused document"
    );
}

#[test]
fn incidents_activities_costs_and_kpis_on_the_command_line() {
    let cli = Cli::new();
    let now = relman_tests::now();
    {
        let mut store = relman_core::Store::open(&cli.db).unwrap();
        let key = relman_tests::deploying_release(&mut store, now);
        for progress in [
            relman_core::store::Progress::Started,
            relman_core::store::Progress::Finished,
        ] {
            store
                .record_progress(key, "1.deploy", progress, now, "ops", now)
                .unwrap();
        }
    }
    let incident = cli.json(&[
        "incident",
        "add",
        "REL-1",
        "--key",
        "INC0012345",
        "--severity",
        "2",
        "--opened",
        "2026-12-01T10:00:00Z",
        "--ci",
        "payroll-api",
    ]);
    assert_eq!(
        (incident["key"].as_str(), incident["severity"].as_u64()),
        (Some("INC0012345"), Some(2))
    );
    let bad = cli.run(&[
        "incident",
        "add",
        "REL-1",
        "--key",
        "INC1",
        "--severity",
        "9",
        "--opened",
        "2026-12-01 10:00",
        "--tz",
        "Europe/Berlin",
    ]);
    assert_eq!(code(&bad), 1);
    assert!(stderr(&bad).contains("severity"), "{}", stderr(&bad));

    let activity = cli.json(&[
        "release",
        "activity",
        "REL-1",
        "training_ops",
        "done",
        "--note",
        "runbook walked through",
    ]);
    assert_eq!(activity["state"], "done");
    let why = cli.run(&["release", "activity", "REL-1", "monitoring", "not_needed"]);
    assert_eq!(code(&why), 1, "not needed says why");
    assert!(stderr(&why).contains("note"), "{}", stderr(&why));
    let wrong = cli.run(&["release", "activity", "REL-1", "catering", "done"]);
    assert_eq!(code(&wrong), 2);
    assert!(
        stderr(&wrong).contains("'catering' is not one of cmdb"),
        "{}",
        stderr(&wrong)
    );

    let cost = cli.json(&[
        "release",
        "cost",
        "REL-1",
        "--amount",
        "1,250.50",
        "--currency",
        "EUR",
        "--note",
        "overtime",
    ]);
    assert_eq!(
        (cost["amount"].as_i64(), cost["stage"].as_str()),
        (Some(125_050), Some("early_life_support"))
    );
    let refused = cli.run(&[
        "release",
        "cost",
        "REL-1",
        "--amount",
        "lots",
        "--currency",
        "EUR",
    ]);
    assert_eq!(code(&refused), 1);

    let kpi = cli.json(&["kpi"]);
    for field in [
        "releases",
        "as_planned_pct",
        "rescheduled_pct",
        "delayed_pct",
        "needing_revision_pct",
        "incidents_per_release",
        "stage_days",
        "cost",
    ] {
        assert!(kpi.get(field).is_some(), "kpi --json lacks {field}: {kpi}");
    }
    assert_eq!(kpi["releases"], 1);
    assert_eq!(kpi["incidents_per_release"], 1.0);
    assert_eq!(kpi["cost"]["EUR"], 1250.5);
    assert!(kpi["stage_days"]["build"].is_number(), "{kpi}");
    let later = cli.json(&["kpi", "--from", "2099-01-01"]);
    assert_eq!(later["releases"], 0);
    assert_eq!(code(&cli.run(&["kpi", "--from", "tomorrow"])), 1);
}

/// The plan edits the window makes, from a terminal: move (and unpin), resize, edit a task, add
/// and remove a dependency (a circle refused), keep a baseline, pick a slot, "roll back from
/// here"; the ELS policy and a CI's production version too.
#[test]
fn plan_edits_baseline_slot_els_policy_and_ci_edit_on_the_command_line() {
    let cli = Cli::new();
    let ok = |args: &[&str]| {
        let out = cli.run(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    };
    let refused = |args: &[&str], words: &[&str]| {
        let out = cli.run(args);
        assert_eq!(code(&out), 1, "{args:?} was not refused");
        let err = stderr(&out);
        for w in words {
            assert!(err.contains(w), "{args:?}: {err}");
        }
    };
    ok(&["ci", "create", "--name", "api", "--kind", "application"]);
    let ci = cli.json(&["ci", "edit", "api", "--version", "1.0", "--owner", "Ops"]);
    assert_eq!(
        (ci["prod_version"].as_str(), ci["owner"].as_str()),
        (Some("1.0"), Some("Ops"))
    );
    refused(&["ci", "edit", "nowhere", "--version", "2"], &["nowhere"]);

    ok(&[
        "release",
        "create",
        "--key",
        "REL-1",
        "--title",
        "API",
        "--type",
        "minor",
        "--start",
        "2027-01-11",
        "--end",
        "2027-01-29",
    ]);
    ok(&["model", "create", "--name", "m"]);
    ok(&[
        "model",
        "task",
        "add",
        "m",
        "--key",
        "prep",
        "--name",
        "Prepare",
        "--minutes",
        "30",
        "--nothing-to-undo",
        "nothing changes",
    ]);
    ok(&[
        "model",
        "task",
        "add",
        "m",
        "--key",
        "deploy",
        "--name",
        "Deploy",
        "--minutes",
        "60",
        "--downtime",
        "--after",
        "prep",
        "--backout",
        "Redeploy=20",
    ]);
    ok(&[
        "window",
        "add",
        "--name",
        "Sat",
        "--weekly",
        "sat 22:00",
        "--hours",
        "6",
        "--tz",
        "UTC",
    ]);
    ok(&[
        "release", "plan", "REL-1", "--model", "m", "--window", "Sat", "--target", "api",
    ]);
    let task = |id: &str| -> Value {
        cli.json(&["release", "schedule", "REL-1"])["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    // Saturday 16 January 2027, 22:00 UTC: the first window after the planned start.
    assert_eq!(task("1.deploy")["start"], "2027-01-16T22:00:00Z");

    // Move the preparation to Friday; unpin it again.
    ok(&[
        "release",
        "task",
        "move",
        "REL-1",
        "1.prep",
        "--to",
        "2027-01-15T09:00:00Z",
    ]);
    assert_eq!(task("1.prep")["start"], "2027-01-15T09:00:00Z");
    ok(&["release", "task", "move", "REL-1", "1.prep", "--unpin"]);
    assert_eq!(task("1.prep")["start"], "2027-01-11T00:00:00Z");
    // The downtime task outside its window: refused, naming the window.
    refused(
        &[
            "release",
            "task",
            "move",
            "REL-1",
            "1.deploy",
            "--to",
            "2027-01-13T12:00:00Z",
        ],
        &["Sat"],
    );
    refused(
        &[
            "release", "task", "move", "REL-1", "1.deploy", "--to", "someday",
        ],
        &["--to"],
    );

    ok(&[
        "release",
        "task",
        "resize",
        "REL-1",
        "1.deploy",
        "--minutes",
        "90",
    ]);
    assert_eq!(task("1.deploy")["end"], "2027-01-16T23:30:00Z");
    refused(
        &[
            "release",
            "task",
            "resize",
            "REL-1",
            "1.deploy",
            "--minutes",
            "0",
        ],
        &["--minutes"],
    );
    ok(&[
        "release",
        "task",
        "edit",
        "REL-1",
        "1.prep",
        "--name",
        "Prepare the hosts",
        "--minutes",
        "45",
    ]);
    assert_eq!(task("1.prep")["name"], "Prepare the hosts");
    assert_eq!(cli.json(&["release", "show", "REL-1"])["key"], "REL-1");
    refused(
        &[
            "release",
            "task",
            "edit",
            "REL-1",
            "9.none",
            "--minutes",
            "5",
        ],
        &["9.none"],
    );

    // A dependency back from deploy to prep closes a circle: refused.
    refused(
        &["release", "task", "dep-add", "REL-1", "1.deploy", "1.prep"],
        &["cycle", "1.prep → 1.deploy"],
    );
    ok(&[
        "release",
        "task",
        "dep-remove",
        "REL-1",
        "1.prep",
        "1.deploy",
    ]);
    refused(
        &[
            "release",
            "task",
            "dep-remove",
            "REL-1",
            "1.prep",
            "1.deploy",
        ],
        &["1.prep"],
    );
    ok(&[
        "release", "task", "dep-add", "REL-1", "1.prep", "1.deploy", "--kind", "fs", "--lag", "-15",
    ]);

    let baseline = cli.json(&["release", "baseline", "REL-1"]);
    assert_eq!(baseline["tasks"], 2);
    let picked = cli.json(&[
        "release",
        "pick-slot",
        "REL-1",
        "--start",
        "2027-01-23T22:00:00Z",
    ]);
    assert_eq!(picked["start"], "2027-01-23T22:00:00Z");
    assert!(task("1.deploy")["start"].as_str().unwrap() >= "2027-01-23T22:00:00Z");

    let from = cli.json(&["release", "rollback", "REL-1", "--from", "1.deploy"]);
    assert_eq!(from["possible"], true);
    assert_eq!(from["steps"][0]["name"], "Redeploy");
    refused(
        &["release", "rollback", "REL-1", "--from", "1.nothing"],
        &["1.nothing"],
    );

    let policy = cli.json(&["release", "els-policy", "--minor", "10"]);
    assert_eq!(
        (policy["minor"].as_i64(), policy["major"].as_i64()),
        (Some(10), Some(14))
    );
    assert_eq!(cli.json(&["release", "els-policy"])["minor"], 10);
    refused(&["release", "els-policy", "--major", "0"], &["1 to 365"]);
    assert_eq!(
        cli.json(&["release", "els-policy"])["major"],
        14,
        "a refusal changes nothing"
    );
}

#[test]
fn an_incident_export_is_read_as_incidents_twice_without_becoming_changes() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("incident.csv");
    std::fs::write(
        &file,
        "number,opened_at,short_description,priority,cmdb_ci,caused_by,resolved_at\n\
         INC0100001,2026-12-02 08:15:00,Payslips show old tax,2 - High,payroll-api,CHG0099999,\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    for _ in 0..2 {
        let summary = cli.json(&["import", path]);
        assert_eq!(summary["incidents"], 0);
        assert_eq!(summary["changes"], 0);
        let unlinked = summary["unlinked_incidents"][0].as_str().unwrap();
        assert!(
            unlinked.starts_with("INC0100001") && unlinked.contains("CHG0099999"),
            "{summary}"
        );
    }
    let human = cli.run(&["import", path]);
    assert_eq!(code(&human), 0, "{}", stderr(&human));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("1 incident links to no release"), "{text}");
    assert_eq!(cli.json(&["change", "list"]), json!([]));
}

#[test]
fn the_plan_goes_to_a_project_tool_and_package_types_show() {
    let cli = Cli::new();
    cli.json(&["--now", "2026-12-04T09:00:00Z", "demo"]);
    let out = cli._dir.path().join("plan.xml");
    let path = out.to_str().unwrap();
    let written = cli.json(&[
        "release",
        "export-plan",
        "REL-2026-101",
        "--format",
        "mspdi",
        "--out",
        path,
    ]);
    assert_eq!(written["format"], "mspdi");
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(xml.contains("<Project xmlns=\"http://schemas.microsoft.com/project\">"));
    let usage = cli.run(&[
        "release",
        "export-plan",
        "REL-2026-101",
        "--format",
        "pdf",
        "--out",
        path,
    ]);
    assert_eq!(code(&usage), 2, "only mspdi: {}", stderr(&usage));

    let shown = cli.json(&["release", "show", "REL-2026-101"]);
    assert_eq!(shown["package_type"], "delta");
    assert_eq!(shown["base"], "REL-2026-086");
    assert!(
        shown["components"][0]["dml"]["sha256"]
            .as_str()
            .is_some_and(|s| s.len() == 64),
        "{shown}"
    );
    let human = cli.run(&["release", "show", "REL-2026-104"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("delta from base REL-2026-084"), "{text}");
    assert!(text.contains("DML: none cited"), "{text}");
    assert!(text.contains("expected to go to 6.5"), "{text}");

    // A unit, a package and its members; a bad checksum adds nothing.
    let unit = cli.json(&[
        "ci",
        "unit",
        "create",
        "VPN",
        "--ci",
        "vpn-gateway",
        "--ci",
        "monitoring-agent",
    ]);
    assert_eq!(unit["cis"], json!(["monitoring-agent", "vpn-gateway"]));
    let mut create = relman_tests::create_release_args("REL-P", "Both").to_vec();
    create.extend(["--package-type", "package"]);
    cli.json(&create);
    for member in ["REL-2026-101", "REL-2026-104"] {
        cli.json(&["release", "add-member", "REL-P", member]);
    }
    let shown = cli.json(&["release", "show", "REL-P"]);
    assert_eq!(shown["members"].as_array().unwrap().len(), 2);
    let refused = cli.run(&[
        "release",
        "add-component",
        "REL-P",
        "--ci",
        "vpn-gateway",
        "--to",
        "7.3",
        "--dml",
        "smb://dml/vpn",
        "--sha256",
        "123",
    ]);
    assert_eq!(code(&refused), 1, "{}", stderr(&refused));
    assert!(stderr(&refused).contains("sha256"), "{}", stderr(&refused));
    assert_eq!(
        cli.json(&["release", "show", "REL-P"])["components"],
        json!([])
    );
}
