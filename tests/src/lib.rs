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
                if !matches!(name.as_str(), "node_modules" | "dist" | "target" | "gen") {
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
    use relman_core::plan::{Strategy, Wave};
    store
        .save_model(&one_step_model("one step"), "anna", now)
        .expect("model");
    let request = relman_core::store::PlanRequest {
        model: "one step".into(),
        strategy: Strategy::BigBang,
        waves: vec![Wave {
            name: "All".into(),
            tz: "UTC".into(),
            window: None,
            targets: vec![],
            observation_minutes: 0,
        }],
    };
    store
        .instantiate_plan(release, &request, "anna", now)
        .expect("plan");
}
