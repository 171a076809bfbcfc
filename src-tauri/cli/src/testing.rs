//! Test environments (`env ...`) and test runs (`test ...`).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Subcommand;
use relman_core::calendar::parse_datetime;
use relman_core::inventory::DateOrder;
use relman_core::testing::{
    BookingPurpose, CloneKind, EnvState, Environment, EnvironmentView, JudgedRun, Lineage,
    RunDraft, TestKind, TestResult, parse_defect,
};
use relman_core::{Error, FieldError, Store};
use serde_json::{Value, json};

use crate::{Output, local, parse_enum};

#[derive(Subcommand)]
pub enum EnvCommand {
    /// Add a test environment by hand (`env import` reads inventories)
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        host: Option<String>,
        #[arg(long)]
        os: Option<String>,
        #[arg(long)]
        cpus: Option<u32>,
        #[arg(long = "memory-gb")]
        memory_gb: Option<u64>,
        /// How many bookings may share it (1: one at a time)
        #[arg(long, default_value_t = 1)]
        capacity: u32,
        /// test, staging, training, ...
        #[arg(long, default_value = "test")]
        purpose: String,
        #[arg(long)]
        owner: Option<String>,
        /// The production CI it was cloned from
        #[arg(long = "clone-of", value_name = "CI")]
        clone_of: Option<String>,
        /// Converted physical-to-virtual rather than cloned
        #[arg(long, requires = "clone_of")]
        p2v: bool,
        #[arg(long = "cloned-at", value_name = "DATETIME", requires = "clone_of")]
        cloned_at: Option<String>,
        #[arg(long)]
        tz: Option<String>,
    },
    /// Change an environment's state (running, stopped, retired), capacity, purpose or owner
    Edit {
        name: String,
        #[arg(long, value_parser = parse_enum::<EnvState>)]
        state: Option<EnvState>,
        #[arg(long)]
        capacity: Option<u32>,
        #[arg(long)]
        purpose: Option<String>,
        #[arg(long)]
        owner: Option<String>,
    },
    /// List the environments with their drift against production and snapshot warnings
    List,
    /// Versions, drift (against production, or the release's targets), snapshots with age
    Show {
        name: String,
        #[arg(long)]
        release: Option<String>,
    },
    /// Record that a version of a CI was installed on the environment
    Install {
        name: String,
        #[arg(long)]
        ci: String,
        #[arg(long)]
        version: String,
        #[arg(long, value_name = "DATETIME")]
        at: Option<String>,
        #[arg(long)]
        tz: Option<String>,
    },
    /// Record a snapshot (it holds the versions installed at that moment)
    Snapshot {
        env: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, value_name = "DATETIME")]
        at: Option<String>,
        #[arg(long)]
        tz: Option<String>,
    },
    /// Record a revert to a snapshot: the installed versions become the snapshot's
    Revert {
        name: String,
        #[arg(long)]
        snapshot: String,
        #[arg(long, value_name = "DATETIME")]
        at: Option<String>,
        #[arg(long)]
        tz: Option<String>,
    },
    /// Exempt a baseline snapshot from the age limit (or lift the exemption with --lift)
    Exempt {
        name: String,
        #[arg(long)]
        snapshot: String,
        #[arg(long, required_unless_present = "lift")]
        reason: Option<String>,
        #[arg(long)]
        lift: bool,
    },
    /// Book an environment for a release
    Book {
        name: String,
        #[arg(long)]
        release: String,
        #[arg(long, value_name = "DATETIME")]
        from: String,
        #[arg(long, value_name = "DATETIME")]
        to: String,
        #[arg(long, value_parser = parse_enum::<BookingPurpose>, default_value = "code_change")]
        purpose: BookingPurpose,
        #[arg(long)]
        tz: Option<String>,
    },
    /// Cancel a booking
    Unbook { id: i64 },
    /// The bookings of one environment, or of all
    Bookings { name: Option<String> },
    /// Import RVTools CSV (vInfo, vSnapshot), libvirt domain/snapshot XML, Proxmox VE JSON
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// How RVTools dates like 03/04/2026 are read, when the files do not tell
        #[arg(long = "date-order", value_parser = parse_enum::<DateOrder>)]
        date_order: Option<DateOrder>,
    },
}

#[derive(Subcommand)]
pub enum TestCommand {
    /// Record a test run of a release on an environment
    Record {
        key: String,
        #[arg(long)]
        env: String,
        #[arg(long, value_parser = parse_enum::<TestKind>)]
        kind: TestKind,
        #[arg(long, value_parser = parse_enum::<TestResult>)]
        result: TestResult,
        #[arg(long, value_name = "DATETIME")]
        from: String,
        #[arg(long, value_name = "DATETIME")]
        to: String,
        /// A defect found: ID:SEVERITY with severity critical|high|medium|low (repeatable)
        #[arg(long = "defect", value_name = "ID:SEVERITY")]
        defects: Vec<String>,
        #[arg(long, default_value = "")]
        notes: String,
        /// A link to the evidence (report, pipeline run)
        #[arg(long)]
        evidence: Option<String>,
        #[arg(long)]
        tz: Option<String>,
    },
    /// Close a defect (or reopen it with --reopen)
    Defect {
        key: String,
        id: String,
        #[arg(long, required_unless_present = "reopen")]
        close: bool,
        #[arg(long, conflicts_with = "close")]
        reopen: bool,
        #[arg(long, value_name = "DATETIME")]
        at: Option<String>,
        #[arg(long)]
        tz: Option<String>,
    },
    /// The runs of a release, each with whether it counts as evidence and why not
    List { key: String },
    /// Show the testing policy, or change it with the flags given
    Policy {
        /// The kinds of test a release type needs, e.g. "minor=functional,installation"
        #[arg(long = "require", value_name = "TYPE=KIND,...")]
        require: Vec<String>,
        /// Problem-free days of a release type, e.g. "major=7"
        #[arg(long = "problem-free", value_name = "TYPE=DAYS")]
        problem_free: Vec<String>,
        #[arg(long = "snapshot-age-hours")]
        snapshot_age_hours: Option<u32>,
        #[arg(long = "clone-age-days")]
        clone_age_days: Option<u32>,
    },
}

pub(crate) fn when(field: &str, text: &str, tz: Option<&str>) -> Result<DateTime<Utc>, Error> {
    parse_datetime(field, text, tz).map_err(|e| Error::Validation(vec![e]))
}

fn at_or_now(
    at: Option<&str>,
    tz: Option<&str>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Error> {
    at.map_or(Ok(now), |t| when("at", t, tz))
}

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

pub fn env(
    store: &mut Store,
    command: EnvCommand,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    match command {
        EnvCommand::Create {
            name,
            host,
            os,
            cpus,
            memory_gb,
            capacity,
            purpose,
            owner,
            clone_of,
            p2v,
            cloned_at,
            tz,
        } => {
            let lineage = match clone_of {
                Some(ci) => Some(Lineage {
                    ci,
                    kind: if p2v {
                        CloneKind::P2v
                    } else {
                        CloneKind::Clone
                    },
                    at: at_or_now(cloned_at.as_deref(), tz.as_deref(), now)?,
                }),
                None => None,
            };
            let env = Environment {
                host,
                os,
                cpus,
                memory_mb: memory_gb.map(|g| g * 1024),
                capacity,
                purpose,
                owner,
                lineage,
                ..Environment::new(&name)
            };
            let env = store.create_environment(&env, actor, now)?;
            let text = format!(
                "Created environment {} ({}, capacity {})\n",
                env.name, env.purpose, env.capacity
            );
            Ok(Output::new(env, text))
        }
        EnvCommand::Edit {
            name,
            state,
            capacity,
            purpose,
            owner,
        } => {
            let view = store.environment(&name, None, now)?;
            let mut env = view.env;
            if let Some(state) = state {
                env.state = state;
            }
            if let Some(capacity) = capacity {
                env.capacity = capacity;
            }
            if let Some(purpose) = purpose {
                env.purpose = purpose;
            }
            if let Some(owner) = owner {
                env.owner = Some(owner).filter(|o| !o.is_empty());
            }
            let view = store.update_environment(&name, &env, actor, now)?;
            let text = format!(
                "Saved {} ({}, {}, capacity {})\n",
                view.env.name, view.env.state, view.env.purpose, view.env.capacity
            );
            Ok(Output::new(env_json(&view), text))
        }
        EnvCommand::List => {
            let envs = store.list_environments(now)?;
            let mut text = String::new();
            for e in &envs {
                text.push_str(&format!(
                    "{:<20} {:<9} {:<8} {} snapshot(s){}{}\n",
                    e.env.name,
                    e.env.state,
                    e.env.purpose,
                    e.snapshots.len(),
                    if e.drift.is_empty() {
                        String::new()
                    } else {
                        format!(", {} drifted", e.drift.len())
                    },
                    if e.warnings.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " — {}",
                            e.warnings
                                .iter()
                                .map(crate::say)
                                .collect::<Vec<_>>()
                                .join("; ")
                        )
                    },
                ));
            }
            if envs.is_empty() {
                text.push_str("No environments yet: `env create` or `env import`\n");
            }
            Ok(Output::new(
                envs.iter().map(env_json).collect::<Vec<_>>(),
                text,
            ))
        }
        EnvCommand::Show { name, release } => {
            let view = store.environment(&name, release.as_deref(), now)?;
            let text = describe_env(&view);
            Ok(Output::new(env_json(&view), text))
        }
        EnvCommand::Install {
            name,
            ci,
            version,
            at,
            tz,
        } => {
            let at = at_or_now(at.as_deref(), tz.as_deref(), now)?;
            let view = store.record_install(&name, &ci, &version, at, actor, now)?;
            let text = format!("{name}: {ci} {version} installed at {}\n", local(at));
            Ok(Output::new(env_json(&view), text))
        }
        EnvCommand::Snapshot {
            env,
            name,
            note,
            at,
            tz,
        } => {
            let at = at_or_now(at.as_deref(), tz.as_deref(), now)?;
            let view = store.take_snapshot(&env, &name, &note, at, actor, now)?;
            let text = format!("{env}: snapshot '{name}' at {}\n", local(at));
            Ok(Output::new(env_json(&view), text))
        }
        EnvCommand::Revert {
            name,
            snapshot,
            at,
            tz,
        } => {
            let at = at_or_now(at.as_deref(), tz.as_deref(), now)?;
            let view = store.revert_snapshot(&name, &snapshot, at, actor, now)?;
            let text = format!(
                "{name}: reverted to '{snapshot}' at {}\n{}",
                local(at),
                describe_env(&view)
            );
            Ok(Output::new(env_json(&view), text))
        }
        EnvCommand::Exempt {
            name,
            snapshot,
            reason,
            lift,
        } => {
            let reason = if lift { None } else { reason };
            let view = store.exempt_snapshot(&name, &snapshot, reason.as_deref(), actor, now)?;
            let text = match reason {
                Some(r) => {
                    format!("{name}: snapshot '{snapshot}' is exempt from the age limit ({r})\n")
                }
                None => format!("{name}: snapshot '{snapshot}' follows the age limit again\n"),
            };
            Ok(Output::new(env_json(&view), text))
        }
        EnvCommand::Book {
            name,
            release,
            from,
            to,
            purpose,
            tz,
        } => {
            let from = when("from", &from, tz.as_deref())?;
            let to = when("to", &to, tz.as_deref())?;
            let booking = store.book_environment(&name, &release, from, to, purpose, actor, now)?;
            let text = format!(
                "Booked {name} for {release}: {} – {} ({}), booking #{}\n",
                local(from),
                local(to),
                purpose,
                booking.id
            );
            Ok(Output::new(booking, text))
        }
        EnvCommand::Unbook { id } => {
            let booking = store.cancel_booking(id, actor, now)?;
            let text = format!("Cancelled {}\n", booking.describe());
            Ok(Output::new(booking, text))
        }
        EnvCommand::Bookings { name } => {
            let bookings = store.bookings(name.as_deref())?;
            let text: String = bookings
                .iter()
                .map(|b| {
                    format!(
                        "#{:<4} {:<16} {:<14} {} – {} {}\n",
                        b.id,
                        b.env,
                        b.release,
                        local(b.from),
                        local(b.to),
                        b.purpose
                    )
                })
                .collect();
            Ok(Output::new(
                &bookings,
                if text.is_empty() {
                    "No bookings\n".into()
                } else {
                    text
                },
            ))
        }
        EnvCommand::Import { files, date_order } => {
            let mut texts = Vec::new();
            for path in &files {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Error::Validation(vec![FieldError::new(
                        "file",
                        format!("{}: {e}", path.display()),
                    )])
                })?;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                texts.push((name, text));
            }
            let inventory = relman_core::inventory::read(&texts, date_order)?;
            let progress = crate::progress::Progress::on_terminal("Importing VMs and snapshots");
            let report = |done, total| progress.report(done, total);
            let work = relman_core::work::Work::new(&report, &crate::NEVER);
            let summary = store.import_inventory_with(&inventory, actor, now, work)?;
            drop(progress);
            let text = format!("Imported: {}\n", summary.describe());
            Ok(Output::new(summary, text))
        }
    }
}

fn env_json(view: &EnvironmentView) -> Value {
    let mut value = serde_json::to_value(view).expect("an environment serializes");
    value["versions"] = json!(
        view.versions
            .iter()
            .map(|(ci, version)| json!({"ci": ci, "version": version}))
            .collect::<Vec<_>>()
    );
    value["snapshots"] = json!(
        view.snapshots
            .iter()
            .map(|s| json!({
                "name": s.snapshot.name,
                "at": iso(s.snapshot.at),
                "age_hours": s.age_hours,
                "too_old": s.too_old,
                "exempt": s.snapshot.exempt,
                "versions": s.snapshot.versions,
            }))
            .collect::<Vec<_>>()
    );
    value
}

fn describe_env(view: &EnvironmentView) -> String {
    let e = &view.env;
    let mut text = format!(
        "{} — {} ({}), capacity {}\n",
        e.name, e.purpose, e.state, e.capacity
    );
    let facts: Vec<String> = [
        e.host.as_ref().map(|h| format!("host {h}")),
        e.os.clone(),
        e.cpus.map(|c| format!("{c} vCPU")),
        e.memory_mb.map(|m| format!("{} GiB", m / 1024)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !facts.is_empty() {
        text.push_str(&format!("  {}\n", facts.join(", ")));
    }
    if let Some(l) = &e.lineage {
        text.push_str(&format!("  {} of {} at {}\n", l.kind, l.ci, local(l.at)));
    }
    text.push_str("Installed:\n");
    for (ci, v) in &view.versions {
        text.push_str(&format!("  {ci} {v}\n"));
    }
    let against = view.drift_for.as_deref().unwrap_or("production");
    if view.drift.is_empty() {
        text.push_str(&format!("No drift against {against}\n"));
    } else {
        text.push_str(&format!("Drift against {against}:\n"));
        for d in &view.drift {
            text.push_str(&format!("  {}\n", d.describe()));
        }
    }
    if !view.snapshots.is_empty() {
        text.push_str("Snapshots:\n");
        for s in &view.snapshots {
            text.push_str(&format!(
                "  {:<20} {} ({} h old{}){}\n",
                s.snapshot.name,
                local(s.snapshot.at),
                s.age_hours,
                if s.too_old { ", too old" } else { "" },
                s.snapshot
                    .exempt
                    .as_ref()
                    .map(|r| format!(" exempt: {r}"))
                    .unwrap_or_default()
            ));
        }
    }
    for w in &view.warnings {
        text.push_str(&format!("Warning: {}\n", crate::say(w)));
    }
    text
}

pub fn test(
    store: &mut Store,
    command: TestCommand,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    match command {
        TestCommand::Record {
            key,
            env,
            kind,
            result,
            from,
            to,
            defects,
            notes,
            evidence,
            tz,
        } => {
            let defects = defects
                .iter()
                .map(|d| parse_defect(d))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Error::Validation(vec![FieldError::new("defect", e)]))?;
            let draft = RunDraft {
                release: key,
                env,
                kind,
                result,
                from: when("from", &from, tz.as_deref())?,
                to: when("to", &to, tz.as_deref())?,
                defects,
                notes,
                evidence,
            };
            let run = store.record_run(&draft, actor, now)?;
            let text = format!("Recorded {}\n", describe_run(&run));
            Ok(Output::new(run_json(&run), text))
        }
        TestCommand::Defect {
            key,
            id,
            close: _,
            reopen,
            at,
            tz,
        } => {
            let at = if reopen {
                None
            } else {
                Some(at_or_now(at.as_deref(), tz.as_deref(), now)?)
            };
            let defect = store.close_defect(&key, &id, at, actor, now)?;
            let text = match defect.closed_at {
                Some(c) => format!("{key}: defect {id} closed at {}\n", local(c)),
                None => format!("{key}: defect {id} is open again\n"),
            };
            Ok(Output::new(defect, text))
        }
        TestCommand::Policy {
            require,
            problem_free,
            snapshot_age_hours,
            clone_age_days,
        } => {
            let mut policy = store.test_policy()?;
            let changed = !require.is_empty()
                || !problem_free.is_empty()
                || snapshot_age_hours.is_some()
                || clone_age_days.is_some();
            let bad = |field: &str, m: String| Error::Validation(vec![FieldError::new(field, m)]);
            for r in &require {
                let (kind, kinds) = r
                    .split_once('=')
                    .ok_or_else(|| bad("require", format!("'{r}' is not TYPE=KIND,KIND")))?;
                let release_type = kind.trim().parse().map_err(|m| bad("require", m))?;
                let kinds = kinds
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(|k| k.parse::<TestKind>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|m| bad("require", m))?;
                policy.required.insert(release_type, kinds);
            }
            for p in &problem_free {
                let (kind, days) = p
                    .split_once('=')
                    .ok_or_else(|| bad("problem-free", format!("'{p}' is not TYPE=DAYS")))?;
                let release_type = kind.trim().parse().map_err(|m| bad("problem-free", m))?;
                let days = days.trim().parse().map_err(|_| {
                    bad("problem-free", format!("'{days}' is not a number of days"))
                })?;
                policy.problem_free_days.insert(release_type, days);
            }
            if let Some(h) = snapshot_age_hours {
                policy.snapshot_age_hours = h;
            }
            if let Some(d) = clone_age_days {
                policy.clone_age_days = d;
            }
            if changed {
                store.set_test_policy(&policy, actor, now)?;
            }
            let mut text = String::new();
            for (release_type, kinds) in &policy.required {
                let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                text.push_str(&format!(
                    "{release_type:<10} needs {} + rollback_rehearsal; problem-free {} day(s)\n",
                    if kinds.is_empty() {
                        "-".to_string()
                    } else {
                        kinds.join(", ")
                    },
                    policy
                        .problem_free_days
                        .get(release_type)
                        .copied()
                        .unwrap_or(0)
                ));
            }
            text.push_str(&format!(
                "snapshots too old at {} h (warning beyond {} in a chain); clones at {} days\n",
                policy.snapshot_age_hours, policy.snapshot_chain, policy.clone_age_days
            ));
            Ok(Output::new(policy, text))
        }
        TestCommand::List { key } => {
            let runs = store.test_runs(&key)?;
            let text: String = if runs.is_empty() {
                format!("No test runs recorded for {key}\n")
            } else {
                runs.iter()
                    .map(|r| format!("{}\n", describe_run(r)))
                    .collect()
            };
            Ok(Output::new(
                runs.iter().map(run_json).collect::<Vec<_>>(),
                text,
            ))
        }
    }
}

fn run_json(r: &JudgedRun) -> Value {
    json!({
        "id": r.run.id,
        "env": r.run.env,
        "kind": r.run.kind,
        "result": r.run.result,
        "from": iso(r.run.from),
        "to": iso(r.run.to),
        "counts": r.counts,
        "why_not": if r.counts { Value::Null } else { json!(why_not(r)) },
        "defects": r.run.defects,
        "versions": r.run.versions,
    })
}

fn describe_run(r: &JudgedRun) -> String {
    let mut text = format!(
        "#{} {} {} on {} ({} – {})",
        r.run.id,
        r.run.kind,
        r.run.result,
        r.run.env,
        local(r.run.from),
        local(r.run.to)
    );
    for d in &r.run.defects {
        text.push_str(&format!(
            "\n    defect {} ({}){}",
            d.id,
            d.severity,
            d.closed_at
                .map(|c| format!(" closed {}", local(c)))
                .unwrap_or_else(|| " open".into())
        ));
    }
    if r.counts {
        text.push_str("\n    counts as evidence");
    } else {
        text.push_str(&format!("\n    does not count: {}", why_not(r)));
    }
    text
}

fn why_not(r: &JudgedRun) -> String {
    crate::say(
        &relman_core::message::Message::new("list")
            .with("items", relman_core::message::lines(r.why_not.clone())),
    )
}
