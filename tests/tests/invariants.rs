//! The architecture invariants of `src-tauri/ARCHITECTURE.md`, one test each. They read the
//! repository as it is, so each fails as soon as the rule it guards is broken.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use relman_tests::{read, repo_root, source_files};
use sha2::{Digest, Sha256};

/// Every package reachable from `root` in Cargo.lock.
fn dependency_closure(root: &str) -> BTreeSet<String> {
    let lock: toml::Table = toml::from_str(&read(&repo_root().join("Cargo.lock"))).unwrap();
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in lock["package"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_string();
        let list: Vec<String> = package
            .get("dependencies")
            .and_then(|d| d.as_array())
            .map(|d| {
                d.iter()
                    // Entries read "name" or "name version" when several versions are locked.
                    .map(|e| e.as_str().unwrap().split(' ').next().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        deps.entry(name).or_default().extend(list);
    }
    let mut seen = BTreeSet::new();
    let mut pending = vec![root.to_string()];
    while let Some(name) = pending.pop() {
        if seen.insert(name.clone()) {
            pending.extend(deps.get(&name).cloned().unwrap_or_default());
        }
    }
    seen
}

#[test]
fn core_has_no_tauri_dependency() {
    let closure = dependency_closure("relman-core");
    assert!(
        closure.contains("rusqlite"),
        "Cargo.lock was not read right"
    );
    let tauri: Vec<_> = closure
        .iter()
        .filter(|n| n.starts_with("tauri") || n.starts_with("wry") || n.starts_with("webkit2gtk"))
        .collect();
    assert!(tauri.is_empty(), "relman-core depends on {tauri:?}");
}

#[test]
fn core_never_reads_the_clock() {
    let clock =
        Regex::new(r"\b(Utc|Local)::now\(|SystemTime::now\(|Instant::now\(|chrono::offset::Local")
            .unwrap();
    let files = source_files("src-tauri/core", &[".rs"]);
    assert!(!files.is_empty());
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|path| {
            read(path)
                .lines()
                .enumerate()
                .filter(|(_, line)| clock.is_match(line))
                .map(|(n, line)| format!("{}:{}: {}", path.display(), n + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "the core reads the clock (pass \"now\" in):\n{}",
        offenders.join("\n")
    );
}

/// Lines of the files under `dirs` that match `pattern`, skipping `allowed` (paths relative to
/// the repository).
fn lines_matching(dirs: &[&str], exts: &[&str], pattern: &Regex, allowed: &[&str]) -> Vec<String> {
    dirs.iter()
        .flat_map(|dir| source_files(dir, exts))
        .filter(|path| {
            let relative = path.strip_prefix(repo_root()).unwrap();
            !allowed.iter().any(|a| relative == std::path::Path::new(a))
        })
        .flat_map(|path| {
            read(&path)
                .lines()
                .enumerate()
                .filter(|(_, line)| pattern.is_match(line))
                .map(|(n, line)| format!("{}:{}: {}", path.display(), n + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A test that reads the wall clock passes on one day and fails on another: every test takes
/// its moment from `relman_tests::now()` (or a fixed one of its own). `Instant` is allowed: it
/// measures waits and timeouts, never a date.
#[test]
fn tests_never_read_the_wall_clock() {
    let clock = Regex::new(
        r"\b(Utc|Local)::now\(|SystemTime::now\(|offset::Local::now\(|\b(Timestamp|Zoned)::now\(",
    )
    .unwrap();
    // Where the clock is the thing used: the crash harness seeds its random kill times from
    // it, and the benchmarks time themselves.
    let allowed = [
        "tests/tests/crash.rs",
        "tests/src/bin/bench_ui.rs",
        "tests/src/bin/bench_edit.rs",
    ];
    let offenders = lines_matching(
        &["tests", "src-tauri/core/tests", "src-tauri/core/benches"],
        &[".rs"],
        &clock,
        &allowed,
    );
    assert!(
        offenders.is_empty(),
        "tests read the wall clock (use relman_tests::now()):\n{}",
        offenders.join("\n")
    );
    assert!(
        !lines_matching(&["tests/tests"], &[".rs"], &clock, &[]).is_empty(),
        "the pattern no longer finds the crash harness's seed"
    );
}

/// The window's clock is the app's (`relman --now`): only `ui/src/lib/clock.ts` reads the
/// machine's, and everything else asks it.
#[test]
fn the_window_reads_the_apps_clock() {
    let machine = Regex::new(r"Date\.now\(\)|new Date\(\)").unwrap();
    let offenders = lines_matching(
        &["ui/src"],
        &[".ts", ".svelte"],
        &machine,
        &["ui/src/lib/clock.ts"],
    )
    .into_iter()
    .filter(|line| !line.contains(".test.ts:"))
    .collect::<Vec<_>>();
    assert!(
        offenders.is_empty(),
        "the window reads the machine's clock (use lib/clock.ts):\n{}",
        offenders.join("\n")
    );
    assert!(machine.is_match(&read(&repo_root().join("ui/src/lib/clock.ts"))));
}

#[test]
fn all_sql_lives_in_the_core_store() {
    let sql = Regex::new(
        r#"(?i)"\s*(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)|ALTER\s+TABLE|DROP\s+TABLE|PRAGMA\s)"#,
    )
    .unwrap();
    let store = repo_root().join("src-tauri/core/src/store");
    let mut offenders = Vec::new();
    for path in source_files("src-tauri", &[".rs"]) {
        if path.starts_with(&store) {
            continue;
        }
        for (n, line) in read(&path).lines().enumerate() {
            if sql.is_match(line) {
                offenders.push(format!("{}:{}", path.display(), n + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "SQL outside the core's store: {offenders:?}"
    );
    assert!(
        sql.is_match(&read(&store.join("mod.rs"))),
        "the pattern no longer finds the store's own SQL"
    );

    for manifest in ["src-tauri/Cargo.toml", "src-tauri/cli/Cargo.toml"] {
        let text = read(&repo_root().join(manifest));
        assert!(
            !text.contains("rusqlite"),
            "{manifest} uses rusqlite directly"
        );
    }
}

#[test]
fn one_ui_module_calls_invoke() {
    let seam = repo_root().join("ui/src/lib/api.ts");
    let ipc = Regex::new(r#"@tauri-apps/api|\binvoke\s*[(<]|__TAURI"#).unwrap();
    let files = source_files("ui/src", &[".ts", ".svelte"]);
    assert!(files.contains(&seam));
    let offenders: Vec<_> = files
        .iter()
        .filter(|path| **path != seam && !path.to_string_lossy().contains("/bindings/"))
        .filter(|path| ipc.is_match(&read(path)))
        .collect();
    assert!(
        offenders.is_empty(),
        "only ui/src/lib/api.ts may call invoke: {offenders:?}"
    );
    assert!(ipc.is_match(&read(&seam)));
}

#[test]
fn shipped_migrations_are_never_edited() {
    let dir = repo_root().join("src-tauri/core/migrations");
    let recorded: Vec<(String, String)> =
        read(&repo_root().join("tests/fixtures/migrations.sha256"))
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (sum, name) = l.split_once("  ").expect("'<sha256>  <file>'");
                (name.trim().to_string(), sum.to_string())
            })
            .collect();

    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    on_disk.sort();
    let in_code: Vec<String> = relman_core::store::MIGRATIONS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(
        on_disk, in_code,
        "every migration file is applied, in file-name order"
    );

    for (i, (name, sum)) in recorded.iter().enumerate() {
        assert_eq!(
            in_code.get(i),
            Some(name),
            "recorded migration {name} is missing or moved"
        );
        let actual = format!(
            "{:x}",
            Sha256::digest(std::fs::read(dir.join(name)).unwrap())
        );
        assert_eq!(
            &actual, sum,
            "{name} has shipped and must not be edited; add a new migration"
        );
    }
    assert_eq!(
        recorded.len(),
        in_code.len(),
        "record the checksum of each new migration in tests/fixtures/migrations.sha256"
    );
}

/// The same for PostgreSQL: what each migration runs there (the shared file in PostgreSQL's
/// types, or its own file in `migrations/postgres/`). A change to either, or to the
/// translation, would give a server a schema no other server has.
#[test]
fn shipped_postgres_migrations_are_never_edited() {
    let recorded: BTreeMap<String, String> =
        read(&repo_root().join("tests/fixtures/migrations-postgres.sha256"))
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (sum, name) = l.split_once("  ").expect("'<sha256>  <file>'");
                (name.trim().to_string(), sum.to_string())
            })
            .collect();
    for (name, sql) in relman_core::store::MIGRATIONS {
        let ddl = relman_core::store::postgres_ddl(name, sql);
        let actual = format!("{:x}", Sha256::digest(ddl.as_bytes()));
        assert_eq!(
            recorded.get(*name),
            Some(&actual),
            "{name} on PostgreSQL has shipped and must not change; add a new migration \
             (or record a new one's checksum in tests/fixtures/migrations-postgres.sha256)"
        );
    }
    assert_eq!(recorded.len(), relman_core::store::MIGRATIONS.len());
    for own in std::fs::read_dir(repo_root().join("src-tauri/core/migrations/postgres")).unwrap() {
        let name = own.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            recorded.contains_key(&name),
            "migrations/postgres/{name} replaces no shared migration"
        );
    }
}

/// The store's SQL runs on both engines: numbered `?N` parameters only (SQLite numbers `$N`
/// by first appearance, PostgreSQL by number; PostgreSQL rejects `?`), and `CAST(x AS t)`,
/// since SQLite reads `::t` as part of a parameter's name.
#[test]
fn shared_sql_keeps_one_placeholder_rule() {
    let literal = Regex::new(r#"(?s)"((?:[^"\\]|\\.)*)""#).unwrap();
    let sql = Regex::new(r"(?i)\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\b").unwrap();
    let quoted = Regex::new(r"'[^']*'").unwrap();
    let broken = Regex::new(r"\$\d|::\w|\?(?:[^0-9]|$)|[^:]:[a-z_]+\b").unwrap();
    let store = repo_root().join("src-tauri/core/src/store");
    let mut offenders = Vec::new();
    let mut checked = 0;
    for path in source_files("src-tauri/core/src/store", &[".rs"]) {
        // The seam itself: its test shows the rewrite to `$N`.
        if path.ends_with("sql.rs") {
            continue;
        }
        let text = read(&path);
        for found in literal.captures_iter(&text) {
            let body = &found[1];
            if !sql.is_match(body) {
                continue;
            }
            checked += 1;
            // Text in quotes ('09:00') is a value, not SQL.
            let unquoted = quoted.replace_all(body, "''");
            if let Some(bad) = broken.find(&unquoted) {
                offenders.push(format!(
                    "{}: {:?} in {:?}",
                    path.strip_prefix(&store).unwrap().display(),
                    bad.as_str(),
                    body.chars().take(80).collect::<String>()
                ));
            }
        }
    }
    assert!(
        checked > 100,
        "the pattern no longer finds the store's SQL ({checked})"
    );
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn the_gantt_model_math_stays_out_of_the_dom() {
    let path = relman_tests::repo_root().join("ui/src/lib/gantt.ts");
    let source = relman_tests::read(&path);
    for forbidden in [
        "document.",
        "window.",
        "from \"svelte",
        "HTMLElement",
        "querySelector",
    ] {
        assert!(
            !source.contains(forbidden),
            "ui/src/lib/gantt.ts is the Gantt's pure model math; it must not use {forbidden}"
        );
    }
}

/// The error type knows no domain: it imports only the message and verdict modules, which
/// import nothing of the domain themselves, so no circle runs through `error.rs`.
#[test]
fn the_error_type_does_not_know_the_domain() {
    let core = repo_root().join("src-tauri/core/src");
    for (file, allowed) in [
        ("error.rs", &["crate::message", "crate::verdict"][..]),
        ("message.rs", &[][..]),
        ("verdict.rs", &["crate::message"][..]),
    ] {
        let text = read(&core.join(file));
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (at, _) in code.match_indices("crate::") {
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            assert!(
                allowed.iter().any(|a| path.starts_with(a)),
                "{file} uses {path}; it may only use {allowed:?}"
            );
        }
    }
}

/// Every write names the role it needs: the store begins write transactions only through
/// `Store::write(role)`, which checks the role on a team database. (Copying a whole database
/// is the owner's act, and runs as the owner.)
#[test]
fn every_write_names_the_role_it_needs() {
    let allowed = ["store/sql.rs", "store/mod.rs", "store/copy.rs"];
    let mut offenders = Vec::new();
    for file in source_files("src-tauri/core/src", &["rs"]) {
        let path = file.to_string_lossy().replace('\\', "/");
        if allowed.iter().any(|a| path.ends_with(a)) {
            continue;
        }
        let text = read(&file);
        if text.contains("begin_write(") || text.contains("self.conn.begin_ddl(") {
            offenders.push(path);
        }
    }
    assert!(
        offenders.is_empty(),
        "these begin a write without naming its role (use Store::write(TeamRole::…)): {offenders:?}"
    );
    let store = read(&repo_root().join("src-tauri/core/src/store/mod.rs"));
    assert_eq!(
        store.matches("begin_write(").count(),
        1,
        "store/mod.rs begins writes only in Store::write"
    );
}
