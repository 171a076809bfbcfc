//! The planning commands: freezes, windows, and a release's schedule, conflicts and slots.

use chrono::{DateTime, Utc};
use relman_core::calendar::{Freeze, Window, parse_datetime};
use relman_core::{Error, Store};
use serde_json::json;

use relman_core::plan::{Strategy, Wave};
use relman_core::store::PlanRequest;

use crate::{FreezeCommand, Output, PlanArgs, WindowCommand};

use crate::local as utc;

pub fn freeze(
    store: &mut Store,
    command: FreezeCommand,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    match command {
        FreezeCommand::Add {
            name,
            from,
            to,
            service,
            tz,
            yearly,
        } => {
            let (from, to) = match (
                parse_datetime("from", &from, tz.as_deref()),
                parse_datetime("to", &to, tz.as_deref()),
            ) {
                (Ok(from), Ok(to)) => (from, to),
                (a, b) => {
                    return Err(Error::Validation(
                        [a.err(), b.err()].into_iter().flatten().collect(),
                    ));
                }
            };
            let freeze = store.create_freeze(
                &Freeze {
                    name,
                    from,
                    to,
                    service,
                    rule: yearly.then(|| "FREQ=YEARLY".to_string()),
                },
                actor,
                now,
            )?;
            let text = format!(
                "Added freeze {} from {} to {}{}\n",
                freeze.name,
                utc(freeze.from),
                utc(freeze.to),
                freeze
                    .service
                    .as_ref()
                    .map(|s| format!(" for {s}"))
                    .unwrap_or_default()
            );
            Ok(Output::new(freeze, text))
        }
        FreezeCommand::List => {
            let freezes = store.list_freezes()?;
            let text = freezes
                .iter()
                .map(|f| {
                    format!(
                        "{:<24} {} to {}  {}{}\n",
                        f.name,
                        utc(f.from),
                        utc(f.to),
                        f.service.as_deref().unwrap_or("all services"),
                        f.rule
                            .as_ref()
                            .map(|r| format!(", repeats {r}"))
                            .unwrap_or_default()
                    )
                })
                .collect::<String>();
            Ok(Output::new(freezes, text))
        }
        FreezeCommand::Delete { name } => {
            let freeze = store.delete_freeze(&name, actor, now)?;
            let text = format!("Removed freeze {}\n", freeze.name);
            Ok(Output::new(freeze, text))
        }
    }
}

pub fn window(
    store: &mut Store,
    command: WindowCommand,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    match command {
        WindowCommand::Add {
            name,
            weekly,
            hours,
            tz,
        } => {
            let window =
                store.create_window(&Window::weekly(&name, &weekly, hours, &tz)?, actor, now)?;
            let text = format!("Added window {}\n", window.describe());
            Ok(Output::new(window, text))
        }
        WindowCommand::List => {
            let windows = store.list_windows()?;
            let text = windows
                .iter()
                .map(|w| format!("{}\n", w.describe()))
                .collect::<String>();
            Ok(Output::new(windows, text))
        }
        WindowCommand::Delete { name } => {
            store.delete_window(&name, actor, now)?;
            Ok(Output::new(
                json!({ "deleted": name }),
                format!("Removed window {name}\n"),
            ))
        }
    }
}

pub fn plan(
    store: &mut Store,
    args: PlanArgs,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let names = if args.waves.is_empty() {
        vec!["All targets".to_string()]
    } else {
        args.waves
    };
    let strategy = args.strategy.unwrap_or(if names.len() > 1 {
        Strategy::Phased
    } else {
        Strategy::BigBang
    });
    let waves = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| Wave {
            name,
            tz: args.tz.clone(),
            window: args.window.clone(),
            targets: args.targets.clone(),
            observation_minutes: if i == 0 {
                0
            } else {
                (args.observe_hours * 60.0).round() as i64
            },
        })
        .collect();
    let request = PlanRequest {
        model: args.model,
        strategy,
        waves,
    };
    store.instantiate_plan(&args.key, &request, actor, now)?;
    schedule(store, &args.key)
}

pub fn schedule(store: &Store, key: &str) -> Result<Output, Error> {
    let s = store.schedule(key)?;
    let tasks: Vec<_> = s
        .tasks
        .iter()
        .filter_map(|t| {
            Some(json!({
                "id": t.key,
                "name": t.name,
                "wave": s.waves[t.wave].name,
                "start": t.start?,
                "end": t.end?,
                "slack_minutes": t.slack_minutes?,
                "critical": t.critical,
            }))
        })
        .collect();
    let unplaced: Vec<_> = s
        .unplaced()
        .map(|t| json!({ "id": t.key, "reason": t.unplaced }))
        .collect();
    let mut text = format!(
        "{key}: {} plan, {} wave(s), finishes {}\n",
        s.strategy,
        s.waves.len(),
        s.finish.map(utc).unwrap_or_else(|| "-".into())
    );
    for t in &s.tasks {
        match (t.start, t.end) {
            (Some(start), Some(end)) => text.push_str(&format!(
                "{:<14} {:<28} {} → {}  slack {:>5} min{}\n",
                t.key,
                t.name,
                utc(start),
                end.format("%H:%M"),
                t.slack_minutes.unwrap_or(0),
                if t.critical { "  critical" } else { "" }
            )),
            _ => text.push_str(&format!(
                "{:<14} {:<28} not placed: {}\n",
                t.key,
                t.name,
                t.unplaced.as_ref().map(crate::say).unwrap_or_default()
            )),
        }
    }
    if let Some(abort) = &s.abort {
        text.push_str(&format!(
            "\nRollback\n{}",
            crate::rollback::abort_text(key, abort)
        ));
    }
    Ok(Output::new(
        json!({
            "release": key,
            "tasks": tasks,
            "unplaced": unplaced,
            "abort": s.abort.as_ref().map(crate::rollback::abort_json),
        }),
        text,
    ))
}

pub fn pick_slot(
    store: &mut Store,
    key: &str,
    start: &str,
    tz: Option<&str>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let start = parse_datetime("start", start, tz).map_err(|e| Error::Validation(vec![e]))?;
    let version = store.schedule(key)?.version;
    let s = store.pick_slot(key, start, version, actor, now)?;
    let text = format!(
        "{key} now starts {} and finishes {}\n",
        crate::local(start),
        s.finish.map(crate::local).unwrap_or_else(|| "-".into())
    );
    Ok(Output::new(
        json!({ "release": key, "start": start, "finish": s.finish, "version": s.version }),
        text,
    ))
}

pub fn baseline(
    store: &mut Store,
    key: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let s = store.save_baseline(key, actor, now)?;
    let kept = s
        .tasks
        .iter()
        .filter(|t| t.baseline_start.is_some())
        .count();
    Ok(Output::new(
        json!({ "release": key, "tasks": kept, "version": s.version }),
        format!("Kept the plan of {key} as its baseline ({kept} task(s))\n"),
    ))
}

pub fn conflicts(store: &Store, key: &str) -> Result<Output, Error> {
    let conflicts = store.schedule(key)?.conflicts;
    let text = if conflicts.is_empty() {
        format!("{key} has no conflicts.\n")
    } else {
        conflicts
            .iter()
            .map(|c| format!("{:<15} {}\n", c.kind.as_str(), crate::say(&c.message)))
            .collect()
    };
    Ok(Output::new(conflicts, text))
}

pub fn slots(store: &Store, key: &str, weeks: u32, now: DateTime<Utc>) -> Result<Output, Error> {
    let slots = store.slots(key, now, weeks)?;
    let text = if slots.is_empty() {
        format!("No window in the next {weeks} week(s) fits all of {key} without a conflict.\n")
    } else {
        slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                format!(
                    "{}. {} → {}  {:<28} impact {} user-minutes\n",
                    i + 1,
                    utc(s.start),
                    utc(s.finish),
                    s.window,
                    s.impact_user_minutes
                )
            })
            .collect()
    };
    Ok(Output::new(slots, text))
}
