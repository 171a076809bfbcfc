//! The security baseline of the app, read from its configuration and sources: a strict CSP,
//! capabilities that grant exactly the commands the window uses, no shell / fs / http plugins,
//! and no command that takes a file path from the webview.

use std::collections::BTreeSet;

use regex::Regex;
use relman_tests::{read, repo_root, source_files};
use serde_json::Value;

fn json(path: &str) -> Value {
    serde_json::from_str(&read(&repo_root().join(path))).unwrap()
}

/// The commands registered in build.rs (each gets an `allow-…` permission).
fn registered_commands() -> BTreeSet<String> {
    let build = read(&repo_root().join("src-tauri/build.rs"));
    let list = build
        .split("COMMANDS: &[&str] = &[")
        .nth(1)
        .unwrap()
        .split("];")
        .next()
        .unwrap();
    Regex::new(r#""(\w+)""#)
        .unwrap()
        .captures_iter(list)
        .map(|c| c[1].to_string())
        .collect()
}

#[test]
fn csp_is_strict() {
    let config = json("src-tauri/tauri.conf.json");
    let security = &config["app"]["security"];
    let csp = security["csp"]
        .as_object()
        .expect("a CSP is set, as directives");
    let directive = |name: &str| {
        csp.get(name)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };

    assert_eq!(directive("default-src"), "'self'");
    assert!(
        !directive("script-src").contains("unsafe-inline"),
        "inline scripts allowed"
    );
    for (name, value) in csp {
        let value = value.as_str().unwrap();
        assert!(!value.contains("unsafe-eval"), "{name} allows eval");
        assert!(
            !value
                .split_whitespace()
                .any(|s| s == "*" || s.ends_with(":*")),
            "{name} has a wildcard"
        );
        for source in value.split_whitespace() {
            let remote = source.starts_with("http:")
                || source.starts_with("https:")
                || source.starts_with("ws");
            assert!(
                !remote || source == "http://ipc.localhost",
                "{name} allows remote origin {source}"
            );
        }
    }
    assert!(
        security
            .get("dangerousDisableAssetCspModification")
            .is_none()
    );
    assert_eq!(config["app"]["withGlobalTauri"], Value::Bool(false));
}

#[test]
fn capabilities_grant_exactly_the_commands_the_window_uses() {
    let commands = registered_commands();
    assert!(commands.contains("create_release"));
    let granted: BTreeSet<String> = source_files("src-tauri/capabilities", &[".json"])
        .iter()
        .flat_map(|path| {
            let capability: Value = serde_json::from_str(&read(path)).unwrap();
            capability["permissions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    p.as_str()
                        .expect("plain permission names, no scopes")
                        .to_string()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut expected: BTreeSet<String> = commands
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    // The window listens for the one event Rust sends it (data changed by a menu import).
    expected.insert("core:event:allow-listen".into());
    expected.insert("core:event:allow-unlisten".into());
    assert_eq!(
        granted, expected,
        "capabilities must grant Relman's own commands and nothing else"
    );

    // The commands the UI invokes are the ones granted (and all of them are used).
    let api = read(&repo_root().join("ui/src/lib/api.ts"));
    let invoked: BTreeSet<String> = Regex::new(r#"call<[^>]*>\("(\w+)""#)
        .unwrap()
        .captures_iter(&api)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(
        invoked, commands,
        "ui/src/lib/api.ts and build.rs disagree on the commands"
    );

    let handler = read(&repo_root().join("src-tauri/src/lib.rs"));
    for command in &commands {
        assert!(
            ["commands", "documents", "database", "room"]
                .iter()
                .any(|module| handler.contains(&format!("{module}::{command},"))),
            "{command} is not registered in lib.rs"
        );
    }
}

/// The CAB room's audience window (on the projector) is in no capability, so it can call no
/// command and listen to no event: what it shows comes only from the shell. Its page imports
/// nothing that calls Rust.
#[test]
fn the_audience_window_can_call_nothing() {
    for path in source_files("src-tauri/capabilities", &[".json"]) {
        let capability: Value = serde_json::from_str(&read(&path)).unwrap();
        let windows = capability["windows"].as_array().unwrap();
        assert_eq!(windows, &[Value::from("main")], "{}", path.display());
    }
    let room = read(&repo_root().join("src-tauri/src/room.rs"));
    assert!(room.contains(r#"pub const AUDIENCE: &str = "audience";"#));
    let imports = Regex::new(r#"from "(\.[^"]+)""#).unwrap();
    let mut seen = Vec::new();
    let mut files = vec![repo_root().join("ui/src/audience.ts")];
    while let Some(file) = files.pop() {
        if seen.contains(&file) {
            continue;
        }
        let text = read(&file);
        assert!(
            !text.contains("@tauri-apps/api")
                && !text.contains("/lib/api")
                && !text.contains("./api\""),
            "{} (imported by the audience window) reaches the IPC seam",
            file.display()
        );
        for import in imports.captures_iter(&text) {
            let next = file.parent().unwrap().join(&import[1]);
            for candidate in [
                next.clone(),
                next.with_extension("ts"),
                next.with_extension("svelte.ts"),
            ] {
                if candidate.is_file() {
                    files.push(candidate);
                }
            }
        }
        seen.push(file);
    }
    assert!(
        seen.len() > 5,
        "the audience's imports were not followed: {seen:?}"
    );
}

#[test]
fn no_shell_fs_or_http_plugins() {
    let manifest = read(&repo_root().join("src-tauri/Cargo.toml"));
    let package = read(&repo_root().join("ui/package.json"));
    for plugin in ["plugin-shell", "plugin-fs", "plugin-http", "plugin-opener"] {
        assert!(
            !manifest.contains(plugin),
            "src-tauri depends on tauri-{plugin}"
        );
        assert!(
            !package.contains(plugin),
            "ui depends on @tauri-apps/{plugin}"
        );
    }
}

#[test]
fn no_command_takes_a_file_path_from_the_webview() {
    let command = Regex::new(r"#\[tauri::command\]\s*pub (?:async )?fn \w+\(([^)]*)\)").unwrap();
    let sources: String = ["commands.rs", "documents.rs", "database.rs", "room.rs"]
        .iter()
        .map(|file| read(&repo_root().join("src-tauri/src").join(file)))
        .collect();
    let mut seen = 0;
    // A parameter named like a path (path, file, dir as a word of its name) or typed as one.
    let pathlike = Regex::new(r"^(?:\w+_)?(?:path|file|filename|dir|directory)(?:_\w+)?$").unwrap();
    for signature in command.captures_iter(&sources) {
        seen += 1;
        for param in signature[1].split(',').filter(|p| p.contains(':')) {
            let (name, ty) = param.split_once(':').unwrap();
            let name = name.trim().to_lowercase();
            assert!(
                !pathlike.is_match(&name) && !ty.contains("Path"),
                "a command takes a path from the UI ({}); choose files with the dialog in Rust",
                param.trim()
            );
        }
    }
    assert_eq!(
        seen,
        registered_commands().len(),
        "every command was checked"
    );
}

/// Text from the data is shown through Svelte's escaping text interpolation only: no
/// `{@html}` and no HTML strings written into the DOM, so a release title cannot become markup.
#[test]
fn the_window_never_renders_markup_from_strings() {
    let mut found = Vec::new();
    for path in source_files("ui/src", &[".svelte", ".ts"]) {
        let name = path.display().to_string();
        if name.ends_with(".test.ts") {
            continue;
        }
        for (n, line) in read(&path).lines().enumerate() {
            if ["{@html", "innerHTML", "outerHTML", "insertAdjacentHTML"]
                .iter()
                .any(|bad| line.contains(bad))
            {
                found.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "markup from strings: {found:#?}");
}
