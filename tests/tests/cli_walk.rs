//! A release from a ServiceNow change export to Closed on the command line alone, as an
//! operator without the window would take it. The story has its own dates (the first Saturday
//! of December 2026 in Berlin), so every command is given its moment with `--now`.

use std::cell::RefCell;
use std::path::Path;

use relman_tests::run_cli;
use serde_json::Value;

struct Walk<'a> {
    db: &'a Path,
    /// Every command with what it answered, to compare the two engines.
    transcript: RefCell<Vec<(String, Value)>>,
}

impl Walk<'_> {
    /// Runs `args` at `now`; it must succeed. Returns its JSON.
    fn at(&self, now: &str, args: &[&str]) -> Value {
        let mut all = vec!["--now", now];
        all.extend(args);
        all.push("--json");
        let out = run_cli(self.db, &all);
        assert!(
            out.status.success(),
            "{args:?} at {now}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let answer: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
        self.transcript
            .borrow_mut()
            .push((format!("{now} {args:?}"), answer.clone()));
        answer
    }

    fn stage(&self, now: &str) -> String {
        self.at(now, &["release", "show", "REL-1"])["stage"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The rules that fail for the next move, by code.
    fn failing(&self, now: &str) -> Vec<String> {
        self.at(now, &["release", "check", "REL-1"])["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ok"] == false)
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect()
    }

    fn advance(&self, now: &str, to: &str) {
        assert_eq!(self.failing(now), Vec::<String>::new(), "before {to}");
        self.at(now, &["release", "advance", "REL-1"]);
        assert_eq!(self.stage(now), to);
    }
}

const MONDAY: &str = "2026-11-23T09:00:00Z";
const TUESDAY: &str = "2026-12-01T09:00:00Z";

#[test]
fn a_release_goes_from_a_change_export_to_closed_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    walk_to_closed(&dir.path().join("relman.db"), dir.path());
}

/// The same walk on a team database answers exactly as on a file: every command's JSON,
/// every time stamp, every id.
#[test]
fn the_walk_answers_the_same_on_a_team_database() {
    let Some(server) = relman_tests::server_database() else {
        eprintln!("skipped: no RELMAN_TEST_POSTGRES");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let on_file = walk_to_closed(&dir.path().join("relman.db"), dir.path());
    let on_server = walk_to_closed(Path::new(&server), dir.path());
    assert_eq!(on_file.len(), on_server.len());
    // On the server the login acts, on a file the OS user (`ci-user` here): the same person.
    let login = relman_tests::cli_json(&server, &["db", "info"])["login"]
        .as_str()
        .unwrap()
        .to_string();
    let on_server: Vec<(String, Value)> = on_server
        .into_iter()
        .map(|(command, mut answer)| {
            rename(&mut answer, &login, "ci-user");
            (command, answer)
        })
        .collect();
    for ((command, file), (_, server)) in on_file.iter().zip(&on_server) {
        assert_eq!(file, server, "{command}");
    }
}

/// The name `from`, wherever a string in `value` says it, becomes `to`.
fn rename(value: &mut Value, from: &str, to: &str) {
    let word = regex::Regex::new(&format!(r"\b{}\b", regex::escape(from))).unwrap();
    rename_with(value, &word, to);
}

fn rename_with(value: &mut Value, word: &regex::Regex, to: &str) {
    match value {
        Value::String(text) => *text = word.replace_all(text, to).into_owned(),
        Value::Array(items) => items.iter_mut().for_each(|v| rename_with(v, word, to)),
        Value::Object(fields) => fields.values_mut().for_each(|v| rename_with(v, word, to)),
        _ => {}
    }
}

fn walk_to_closed(db: &Path, dir: &Path) -> Vec<(String, Value)> {
    let walk = Walk {
        db,
        transcript: RefCell::default(),
    };

    // The service desk's export: one approved change with its authorized window.
    let csv = dir.join("change_request.csv");
    std::fs::write(
        &csv,
        "number,short_description,state,approval,risk,cmdb_ci,start_date,end_date\n\
         CHG0030001,Tax tables 2027,Scheduled,Approved,3 - Moderate,payroll-api,2026-12-05 20:00:00,2026-12-06 04:00:00\n",
    )
    .unwrap();
    let imported = walk.at(MONDAY, &["import", csv.to_str().unwrap()]);
    assert_eq!(imported["created_cis"][0], "payroll-api");
    // The import made the CI without a version: the CMDB is told what production runs.
    walk.at(
        MONDAY,
        &[
            "ci",
            "edit",
            "payroll-api",
            "--version",
            "2.1",
            "--owner",
            "Payroll team",
        ],
    );

    for args in [
        &[
            "release",
            "create",
            "--key",
            "REL-1",
            "--title",
            "Payroll 4.2",
            "--type",
            "minor",
            "--start",
            "2026-12-05",
            "--end",
            "2026-12-12",
            "--owner",
            "anna",
            "--package-type",
            "full",
        ][..],
        &["release", "add-change", "REL-1", "CHG0030001"],
        &[
            "release",
            "add-component",
            "REL-1",
            "--ci",
            "payroll-api",
            "--to",
            "2.2",
            "--dml",
            "https://dml.example/payroll-api/2.2.tar.gz",
            "--sha256",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ],
        &[
            "release",
            "edit",
            "REL-1",
            "--dev-docs",
            "https://wiki.example/payroll/dev",
            "--ops-docs",
            "https://wiki.example/payroll/ops",
        ],
        &["model", "create", "--name", "Rollout"],
        &[
            "model",
            "task",
            "add",
            "Rollout",
            "--key",
            "deploy",
            "--name",
            "Deploy",
            "--minutes",
            "60",
            "--downtime",
            "--backout",
            "Redeploy 2.1=30",
        ],
        &[
            "model",
            "task",
            "add",
            "Rollout",
            "--key",
            "go",
            "--name",
            "Go / no-go",
            "--minutes",
            "0",
            "--milestone",
            "go_no_go",
            "--after",
            "deploy",
        ],
        &[
            "model",
            "task",
            "add",
            "Rollout",
            "--key",
            "verify",
            "--name",
            "Verify",
            "--minutes",
            "30",
            "--after",
            "go",
            "--nothing-to-undo",
            "a check changes nothing",
        ],
        &[
            "window",
            "add",
            "--name",
            "Saturday night",
            "--weekly",
            "sat 22:00",
            "--hours",
            "6",
            "--tz",
            "Europe/Berlin",
        ],
        &[
            "release",
            "plan",
            "REL-1",
            "--model",
            "Rollout",
            "--window",
            "Saturday night",
            "--tz",
            "Europe/Berlin",
            "--target",
            "payroll-api",
        ],
    ] {
        walk.at(MONDAY, args);
    }
    walk.advance(MONDAY, "build");
    walk.advance(MONDAY, "test");

    // Tested on a clone that runs the new version, the rollback rehearsed.
    for args in [
        &["env", "create", "--name", "test-01", "--host", "esx-01"][..],
        &[
            "env",
            "book",
            "test-01",
            "--release",
            "REL-1",
            "--from",
            "2026-11-23T08:00:00Z",
            "--to",
            "2026-11-27T18:00:00Z",
        ],
        &[
            "env",
            "install",
            "test-01",
            "--ci",
            "payroll-api",
            "--version",
            "2.2",
            "--at",
            "2026-11-23T09:00:00Z",
        ],
    ] {
        walk.at(MONDAY, args);
    }
    for kind in ["installation", "functional", "rollback_rehearsal"] {
        let run = walk.at(
            MONDAY,
            &[
                "test",
                "record",
                "REL-1",
                "--env",
                "test-01",
                "--kind",
                kind,
                "--result",
                "passed",
                "--from",
                "2026-11-23T10:00:00Z",
                "--to",
                "2026-11-23T12:00:00Z",
            ],
        );
        assert_eq!(run["counts"], true, "{run}");
    }
    walk.advance(TUESDAY, "awaiting_authorization");

    // The CAB meets: the chair drives it from a terminal and keeps the minutes.
    let agenda = walk.at(TUESDAY, &["cab", "agenda"]);
    assert_eq!(agenda[0]["key"], "REL-1");
    walk.at(
        TUESDAY,
        &["cab", "start", "--member", "Carla", "--member", "Dieter"],
    );
    let minutes = dir.join("minutes.pdf");
    walk.at(
        TUESDAY,
        &[
            "cab",
            "decide",
            "REL-1",
            "--member",
            "Carla",
            "--decision",
            "approve",
            "--comment",
            "Go",
        ],
    );
    let ended = walk.at(
        TUESDAY,
        &["cab", "end", "--minutes", minutes.to_str().unwrap()],
    );
    assert_eq!(ended["decisions"].as_array().unwrap().len(), 1);
    assert!(std::fs::read(&minutes).unwrap().starts_with(b"%PDF"));
    walk.advance(TUESDAY, "authorized");

    // Saturday night: deployed inside the change's window, task by task.
    let saturday = "2026-12-05T21:00:00Z";
    walk.advance(saturday, "deploying");
    for (what, task, at) in [
        ("start", "1.deploy", "2026-12-05T21:00:00Z"),
        ("done", "1.deploy", "2026-12-05T21:55:00Z"),
        ("start", "1.go", "2026-12-05T21:55:00Z"),
        ("done", "1.go", "2026-12-05T21:55:00Z"),
        ("start", "1.verify", "2026-12-05T21:56:00Z"),
        ("done", "1.verify", "2026-12-05T22:20:00Z"),
    ] {
        walk.at(
            saturday,
            &["release", "run", "REL-1", what, task, "--at", at],
        );
    }
    assert_eq!(walk.stage(saturday), "early_life_support");
    let after = walk.at(saturday, &["release", "after", "REL-1"]);
    assert_eq!(after["els_days"], 7);
    let cmdb = walk.at(saturday, &["ci", "list"]);
    assert_eq!(
        cmdb[0]["prod_version"], "2.2",
        "production runs the new version"
    );

    // A week on: early life support is over; the activities and the review close it.
    let later = "2026-12-14T09:00:00Z";
    let open: Vec<String> = walk.at(later, &["release", "after", "REL-1"])["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["applicable"] == true && a["state"].is_null())
        .map(|a| a["activity"].as_str().unwrap().to_string())
        .collect();
    assert!(!open.is_empty());
    for activity in &open {
        let (state, note) = if activity == "catalogue" {
            ("not_needed", "no new service")
        } else {
            ("done", "")
        };
        walk.at(
            later,
            &[
                "release", "activity", "REL-1", activity, state, "--note", note,
            ],
        );
    }
    assert_eq!(walk.failing(later), ["CLOSE-REVIEW"]);
    walk.at(
        later,
        &[
            "release",
            "review",
            "REL-1",
            "--satisfaction",
            "4",
            "--comment",
            "Quiet week",
            "--lessons",
            "Book the clone earlier",
        ],
    );
    walk.advance(later, "closed");
    let history = walk.at(later, &["release", "history", "REL-1"]);
    assert!(history.to_string().contains("closed"), "{history}");
    walk.transcript.into_inner()
}
