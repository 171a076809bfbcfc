//! A team database on PostgreSQL, through the command line as an administrator and a nightly
//! script use it: moving a file onto the server and back, backups, the schema version, and
//! many writers at once. Each test gets a database of its own on the throwaway cluster that
//! `make test` starts (`RELMAN_TEST_POSTGRES`); without one they say so and pass, and
//! `make test` sets `RELMAN_REQUIRE_POSTGRES` so that they cannot be skipped there.

use std::path::Path;

use relman_tests::{
    cli_command, cli_json, create_release_args, fails, psql, run_cli, server_database,
};
use serde_json::Value;

fn export(db: &str, out: &Path) -> Value {
    cli_json(db, &["export", "--out", out.to_str().unwrap()]);
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

#[test]
fn a_file_copied_onto_a_server_and_back_keeps_every_record() {
    let Some(server) = server_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("relman.db");
    let file = file.to_str().unwrap();
    cli_json(file, &["demo"]);
    // A little of everything beyond the demo: a deleted release, a CAB meeting.
    cli_json(file, &["release", "delete", "REL-2026-101"]);

    let copied = cli_json(file, &["db", "copy", "--from", file, "--to", &server]);
    assert_eq!(copied["audit_verified"], true);
    let tables = copied["tables"].as_object().unwrap();
    assert!(tables["releases"].as_i64().unwrap() >= 13, "{copied}");
    assert!(tables["audit_log"].as_i64().unwrap() > 100, "{copied}");
    for (table, rows) in tables {
        let on_server: i64 = psql(&server, &format!("SELECT count(*) FROM {table}"))
            .parse()
            .unwrap();
        assert_eq!(Some(on_server), rows.as_i64(), "{table}");
    }

    let verified = cli_json(&server, &["audit", "verify"]);
    assert_eq!(verified["problems"], serde_json::json!([]));
    let original = export(file, &dir.path().join("file.json"));
    assert_eq!(export(&server, &dir.path().join("server.json")), original);

    // Back to a file for the laptop: the same again.
    let back = dir.path().join("laptop.db");
    let back = back.to_str().unwrap();
    cli_json(file, &["db", "copy", "--from", &server, "--to", back]);
    assert_eq!(export(back, &dir.path().join("back.json")), original);

    // The server goes on numbering after the copied records.
    cli_json(&server, &create_release_args("REL-NEW", "After the move"));
    let history = cli_json(&server, &["audit", "verify"]);
    assert_eq!(history["problems"], serde_json::json!([]));
    assert_eq!(
        history["records"].as_i64(),
        Some(verified["records"].as_i64().unwrap() + 1)
    );
}

#[test]
fn a_copy_into_a_database_that_holds_records_is_refused_and_changes_nothing() {
    let Some(server) = server_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("relman.db");
    let file = file.to_str().unwrap();
    cli_json(file, &["demo"]);
    cli_json(&server, &create_release_args("REL-THERE", "Already there"));
    let out = run_cli(
        Path::new(file),
        &["db", "copy", "--from", file, "--to", &server],
    );
    fails(&out, 1, "is not empty (releases has 1 records)");
    let keys = cli_json(&server, &["release", "list"]);
    assert_eq!(keys.as_array().unwrap().len(), 1);
}

#[test]
fn a_copy_that_fails_leaves_the_target_empty() {
    let Some(server) = server_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("relman.db");
    let file_str = file.to_str().unwrap();
    cli_json(file_str, &["demo"]);
    // Someone edited the file's history behind Relman's back: the chain no longer verifies.
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET actor = 'mallory' WHERE seq = 5;",
    )
    .unwrap();
    drop(conn);
    let out = run_cli(
        Path::new(file_str),
        &["db", "copy", "--from", file_str, "--to", &server],
    );
    fails(&out, 1, "record 5 was altered");
    assert_eq!(psql(&server, "SELECT count(*) FROM releases"), "0");
    assert_eq!(psql(&server, "SELECT count(*) FROM audit_log"), "0");
    assert_eq!(psql(&server, "SELECT count FROM audit_head"), "0");
}

#[test]
fn a_backup_of_a_team_database_is_a_file_that_opens_anywhere() {
    let Some(server) = server_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    cli_json(&server, &["demo"]);
    let backup = dir.path().join("team-backup.db");
    let out = run_cli(
        Path::new(&server),
        &["backup", "--out", backup.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let backup = backup.to_str().unwrap();
    assert_eq!(
        cli_json(backup, &["audit", "verify"]),
        cli_json(&server, &["audit", "verify"])
    );
    assert_eq!(
        cli_json(backup, &["release", "list"]),
        cli_json(&server, &["release", "list"])
    );
    // A restore replaces a file; a team database is restored by its administrator.
    let out = run_cli(Path::new(&server), &["restore", backup]);
    fails(&out, 1, "restored by its administrator");
}

#[test]
fn the_server_schema_is_updated_only_by_who_may_and_a_newer_one_is_refused() {
    let Some(server) = server_database() else {
        return;
    };
    let info = cli_json(&server, &["db", "info"]);
    assert_eq!(info["engine"], "postgresql");
    assert_eq!(info["schema_version"], 0);
    let supported = info["supported_version"].as_i64().unwrap();
    let migrated = cli_json(&server, &["db", "migrate"]);
    assert_eq!(migrated["to"].as_i64(), Some(supported));
    assert_eq!(
        cli_json(&server, &["db", "info"])["schema_version"].as_i64(),
        Some(supported)
    );

    // The schema as the Relman before package types left it (version 11 added them).
    psql(
        &server,
        &format!(
            "DROP TABLE release_members, component_media, release_unit_cis, release_units,
                 ci_contacts;
             ALTER TABLE releases DROP COLUMN package_type, DROP COLUMN base_id;
             UPDATE relman_schema SET version = {}",
            supported - 1
        ),
    );
    // A login that may not change the schema is told to ask, and nothing is migrated.
    let reader = format!("reader_{}", std::process::id());
    psql(
        &server,
        &format!(
            "DROP ROLE IF EXISTS {reader}; CREATE ROLE {reader} LOGIN PASSWORD 'r';
             GRANT USAGE ON SCHEMA public TO {reader}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}"
        ),
    );
    let (_, host_and_db) = server.split_once('@').expect("postgres://user@host/db");
    let as_reader = format!("postgres://{reader}:r@{host_and_db}");
    let out = run_cli(Path::new(&as_reader), &["release", "list"]);
    fails(
        &out,
        3,
        "Ask the database's administrator to run `relman-cli db migrate`",
    );
    assert_eq!(
        psql(&server, "SELECT version FROM relman_schema"),
        (supported - 1).to_string()
    );
    // Its owner migrates it, in one step.
    let migrated = cli_json(&server, &["db", "migrate"]);
    assert_eq!(migrated["from"].as_i64(), Some(supported - 1));
    assert_eq!(migrated["to"].as_i64(), Some(supported));
    cli_json(&server, &["change", "list"]);
    cli_json(&server, &["people", "list"]);
    cli_json(&server, &["ci", "unit", "list"]);

    // A database written by a newer Relman is refused, untouched.
    psql(&server, "UPDATE relman_schema SET version = 99");
    let out = run_cli(Path::new(&server), &["release", "list"]);
    fails(&out, 3, "newer Relman");
    assert_eq!(psql(&server, "SELECT version FROM relman_schema"), "99");
    psql(
        &server,
        &format!("DROP OWNED BY {reader}; DROP ROLE {reader}"),
    );
}

/// `sslmode=require` in the address: the session is encrypted (the test cluster offers TLS), and
/// the server itself says so.
#[test]
fn an_address_that_requires_tls_gets_an_encrypted_session() {
    let Some(server) = server_database() else {
        return;
    };
    let secured = cli_json(&format!("{server}?sslmode=require"), &["db", "info"]);
    assert_eq!(secured["tls"], true);
    let plain = cli_json(&format!("{server}?sslmode=disable"), &["db", "info"]);
    assert_eq!(plain["tls"], false);
}

/// 4 processes × 25 writes at the same moment: every write reported done is there, in one
/// unbroken audit chain.
#[test]
fn four_writers_at_once_keep_every_write_and_one_chain() {
    let Some(server) = server_database() else {
        return;
    };
    cli_json(&server, &["db", "migrate"]);
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let server = server.clone();
            std::thread::spawn(move || {
                let mut done = Vec::new();
                for n in 0..25 {
                    let key = format!("REL-W{writer}-{n:02}");
                    let out = cli_command(Path::new(&server))
                        .args(create_release_args(&key, "Concurrent"))
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{key}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    done.push(key);
                }
                done
            })
        })
        .collect();
    let mut done: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    done.sort();
    let mut stored: Vec<String> = cli_json(&server, &["release", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_string())
        .collect();
    stored.sort();
    assert_eq!(stored, done);
    let audit = cli_json(&server, &["audit", "verify"]);
    assert_eq!(audit["problems"], serde_json::json!([]));
    assert_eq!(audit["records"], 100);
}
