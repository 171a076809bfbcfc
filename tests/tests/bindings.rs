//! The TypeScript types in `ui/src/bindings/` are generated from the Rust types that cross the
//! IPC boundary. This test fails when they drift; `make bindings` writes them anew.

use std::collections::BTreeMap;

use relman_tests::{read, repo_root};

#[test]
fn typescript_bindings_match_the_rust_types() {
    let dir = repo_root().join("ui/src/bindings");
    let expected: BTreeMap<String, String> =
        relman_core::bindings::typescript().into_iter().collect();
    let committed: BTreeMap<String, String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| (e.file_name().to_string_lossy().to_string(), read(&e.path())))
                .collect()
        })
        .unwrap_or_default();

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for name in committed.keys().filter(|n| !expected.contains_key(*n)) {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }

    let mut drift = Vec::new();
    for (name, text) in &expected {
        match committed.get(name) {
            None => drift.push(format!("missing: {name}")),
            Some(old) if old != text => drift.push(format!("out of date: {name}")),
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|n| !expected.contains_key(*n)) {
        drift.push(format!("no longer generated: {name}"));
    }
    assert!(
        drift.is_empty(),
        "ui/src/bindings/ differs from the Rust types ({}); run `make bindings` and commit",
        drift.join(", ")
    );
}
