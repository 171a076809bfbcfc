//! The team database's server goes away in the middle of work: stopped (fast shutdown) during
//! a stream of CLI writes, then started again. Every write reported done must be there and the
//! audit chain must verify; a write that failed says so in words. This test stops the server
//! everyone shares, so `make test-postgres` runs it on its own, after the other suites, on the
//! pg_virtualenv cluster (which `pg_ctlcluster` controls).

use std::path::Path;
use std::sync::mpsc;

use relman_tests::{cli_command, cli_json, create_release_args, server_database};

enum Written {
    Done(String),
    Failed(String),
}

#[test]
fn a_server_stopped_in_a_stream_of_writes_loses_none_that_were_reported_done() {
    let (Some(server), Some(own)) = (server_database(), relman_tests::TestCluster::find()) else {
        assert!(
            std::env::var_os("RELMAN_REQUIRE_POSTGRES").is_none(),
            "the fault test needs the pg_virtualenv cluster of `make test-postgres`"
        );
        eprintln!("skipped: no pg_virtualenv cluster to stop");
        return;
    };
    cli_json(&server, &["db", "migrate"]);

    let (tell, told) = mpsc::channel();
    let (go_on, keep_going) = mpsc::channel::<bool>();
    let writer = std::thread::spawn({
        let server = server.clone();
        move || {
            for n in 0.. {
                let key = format!("REL-F-{n:03}");
                let out = cli_command(Path::new(&server))
                    .args(create_release_args(&key, "Streamed"))
                    .output()
                    .unwrap();
                let written = if out.status.success() {
                    Written::Done(key)
                } else {
                    assert_eq!(
                        out.status.code(),
                        Some(3),
                        "a lost server is a storage failure"
                    );
                    Written::Failed(String::from_utf8_lossy(&out.stderr).to_string())
                };
                tell.send(written).unwrap();
                if !keep_going.recv().unwrap() {
                    break;
                }
            }
        }
    });

    let mut done = Vec::new();
    let mut failures = Vec::new();
    let mut phase = 0; // 0: before the stop, 1: stopped, 2: started again
    loop {
        match told.recv().unwrap() {
            Written::Done(key) => done.push(key),
            Written::Failed(why) => failures.push(why),
        }
        if phase == 0 && done.len() == 10 {
            own.stop();
            phase = 1;
        } else if phase == 1 && failures.len() == 3 {
            own.start();
            phase = 2;
        } else if phase == 2 && done.len() >= 20 {
            go_on.send(false).unwrap();
            break;
        }
        go_on.send(true).unwrap();
    }
    writer.join().unwrap();

    assert_eq!(
        failures.len(),
        3,
        "the writes failed while the server was down"
    );
    assert!(done.len() >= 20, "writes go on after the restart: {done:?}");
    for why in &failures {
        assert!(
            why.contains("connection") && why.contains("Nothing was changed"),
            "a failed write says why, in words: {why}"
        );
    }
    let mut stored: Vec<String> = cli_json(&server, &["release", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_string())
        .collect();
    stored.sort();
    for key in &done {
        assert!(
            stored.contains(key),
            "{key} was reported done but is missing"
        );
    }
    let audit = cli_json(&server, &["audit", "verify"]);
    assert_eq!(audit["problems"], serde_json::json!([]));
    assert_eq!(audit["records"].as_u64(), Some(stored.len() as u64));
}
