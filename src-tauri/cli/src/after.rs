//! After the deployment: `incident add`, `release activity`, `release cost`, `release review`,
//! `release els-policy`, `kpi`.

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use relman_core::after::{Activity, ActivityState, Incident, KpiFilter, amount_text};
use relman_core::{Error, ReleaseType, Store};
use serde_json::{Map, Value, json};

use crate::testing::when;
use crate::{Output, parse_enum};

#[derive(Subcommand)]
pub enum IncidentCommand {
    /// Record an incident caused by a release (the same key again replaces it)
    Add {
        /// The release that caused it
        release: String,
        /// The incident's key in the service desk, e.g. INC0012345
        #[arg(long = "key")]
        incident: String,
        #[arg(long)]
        severity: u8,
        #[arg(long, value_name = "DATETIME")]
        opened: String,
        #[arg(long, value_name = "DATETIME")]
        resolved: Option<String>,
        #[arg(long)]
        ci: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        /// The zone of times given without an offset, e.g. Europe/Berlin
        #[arg(long)]
        tz: Option<String>,
    },
}

#[derive(Args)]
pub struct KpiArgs {
    /// Releases whose deployment finished on or after this day
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// … and on or before this day
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    #[arg(long = "type", value_parser = parse_enum::<ReleaseType>)]
    kind: Option<ReleaseType>,
    #[arg(long)]
    owner: Option<String>,
}

pub(crate) fn day(field: &str, text: Option<&str>) -> Result<Option<NaiveDate>, Error> {
    text.map(|t| {
        NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
            Error::Validation(vec![relman_core::FieldError::new(
                field,
                format!("'{t}' is not a date like 2026-12-31"),
            )])
        })
    })
    .transpose()
}

pub fn incident(
    store: &mut Store,
    command: IncidentCommand,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let IncidentCommand::Add {
        release,
        incident,
        severity,
        opened,
        resolved,
        ci,
        note,
        tz,
    } = command;
    let draft = Incident {
        key: incident,
        severity,
        opened: when("opened", &opened, tz.as_deref())?,
        resolved: resolved
            .as_deref()
            .map(|r| when("resolved", r, tz.as_deref()))
            .transpose()?,
        ci,
        note,
    };
    let saved = store.add_incident(&release, &draft, actor, now)?;
    let text = format!(
        "Recorded {} (severity {}) against {release}{}\n",
        saved.key,
        saved.severity,
        if saved.resolved.is_some() {
            ", resolved"
        } else {
            ""
        }
    );
    Ok(Output::new(saved, text))
}

pub fn activity(
    store: &mut Store,
    key: &str,
    activity: Activity,
    state: ActivityState,
    note: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let view = store.set_activity(key, activity, state, note, actor, now)?;
    let text = format!("{key}: {activity} {state}\n");
    Ok(Output::new(view, text))
}

pub fn cost(
    store: &mut Store,
    key: &str,
    amount: &str,
    currency: &str,
    note: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let cost = store.add_cost(key, amount, currency, note, actor, now)?;
    let text = format!(
        "{key}: {} ({})\n",
        amount_text(cost.amount, &cost.currency),
        cost.stage
    );
    Ok(Output::new(cost, text))
}

/// `release els-policy`: days of early life support per release type.
#[derive(Args)]
pub struct ElsPolicyArgs {
    /// Days for a major release (1–365)
    #[arg(long)]
    major: Option<u32>,
    /// Days for a minor release (1–365)
    #[arg(long)]
    minor: Option<u32>,
    /// Days for an emergency release (1–365)
    #[arg(long)]
    emergency: Option<u32>,
}

/// Shows the policy, or changes the types given and shows the result.
pub fn els_policy(store: &mut Store, args: ElsPolicyArgs) -> Result<Output, Error> {
    let mut policy = store.els_policy()?;
    let given = [
        (ReleaseType::Major, args.major),
        (ReleaseType::Minor, args.minor),
        (ReleaseType::Emergency, args.emergency),
    ];
    if given.iter().any(|(_, days)| days.is_some()) {
        for (kind, days) in given {
            if let Some(days) = days {
                policy.days.insert(kind, days);
            }
        }
        policy = store.set_els_policy(&policy)?;
    }
    let text: String = policy
        .days
        .iter()
        .map(|(kind, days)| format!("{kind:<10} {days} day(s) of early life support\n"))
        .collect();
    let json: Map<String, Value> = policy
        .days
        .iter()
        .map(|(kind, days)| (kind.to_string(), json!(days)))
        .collect();
    Ok(Output::new(Value::Object(json), text))
}

/// `release after`: early life support, incidents, activities, costs and the review.
pub fn after(store: &Store, key: &str, now: DateTime<Utc>) -> Result<Output, Error> {
    let view = store.after_deployment(key, now)?;
    let mut text = format!("{key} ({})\n", view.stage);
    match (view.els_since, view.els_ends) {
        (Some(since), Some(ends)) => {
            let left = (ends - now).num_hours();
            text.push_str(&format!(
                "Early life support {} → {} ({} days){}\n",
                crate::local(since),
                crate::local(ends),
                view.els_days,
                if left > 0 {
                    format!(", {} d {} h left", left / 24, left % 24)
                } else {
                    ", over".to_string()
                }
            ));
        }
        _ => text.push_str("Early life support has not begun (the deployment is not done)\n"),
    }
    text.push_str(&format!("Incidents ({})\n", view.incidents.len()));
    for i in &view.incidents {
        text.push_str(&format!(
            "  {:<14} severity {}  opened {}  {}\n",
            i.key,
            i.severity,
            crate::local(i.opened),
            i.resolved
                .map(|r| format!("resolved {}", crate::local(r)))
                .unwrap_or_else(|| "open".into())
        ));
    }
    text.push_str("Activities\n");
    for a in view
        .activities
        .iter()
        .filter(|a| a.applicable || a.state.is_some())
    {
        text.push_str(&format!(
            "  {:<16} {}{}\n",
            a.activity.to_string(),
            a.state
                .map(|s| s.to_string())
                .unwrap_or_else(|| "open".into()),
            if a.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", a.note)
            }
        ));
    }
    for c in &view.costs {
        text.push_str(&format!(
            "Cost {} in {}{}\n",
            amount_text(c.amount, &c.currency),
            c.stage,
            if c.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", c.note)
            }
        ));
    }
    match &view.review {
        Some(r) => text.push_str(&format!(
            "Review: satisfaction {} of 5 by {}{}\n",
            r.satisfaction,
            r.by,
            if r.lessons.is_empty() {
                String::new()
            } else {
                format!("; lessons: {}", r.lessons)
            }
        )),
        None => text.push_str(&format!(
            "No closure review yet: relman-cli release review {key} --satisfaction 1-5\n"
        )),
    }
    Ok(Output::new(view, text))
}

/// `release review`: the closure review that `CLOSE-REVIEW` asks for.
pub fn review(
    store: &mut Store,
    key: &str,
    satisfaction: u8,
    comment: &str,
    lessons: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    let review = store.record_review(key, satisfaction, comment, lessons, actor, now)?;
    let text = format!(
        "{key}: closure review recorded (satisfaction {} of 5)\n",
        review.satisfaction
    );
    Ok(Output::new(review, text))
}

pub fn kpi(store: &Store, args: KpiArgs) -> Result<Output, Error> {
    let filter = KpiFilter {
        from: day("from", args.from.as_deref())?,
        to: day("to", args.to.as_deref())?,
        kind: args.kind,
        owner: args.owner,
    };
    let k = store.kpis(&filter)?;
    let stage_days: Map<String, Value> = k
        .stage_days
        .iter()
        .map(|s| (s.stage.to_string(), json!(s.median_days)))
        .collect();
    let cost: Map<String, Value> = k
        .cost
        .iter()
        .map(|(c, cents)| (c.clone(), json!(*cents as f64 / 100.0)))
        .collect();
    let value = json!({
        "releases": k.releases,
        "as_planned_pct": k.as_planned_pct,
        "rescheduled_pct": k.rescheduled_pct,
        "delayed_pct": k.delayed_pct,
        "needing_revision_pct": k.needing_revision_pct,
        "incidents_per_release": k.incidents_per_release,
        "stage_days": stage_days,
        "cost": cost,
        "rollbacks": k.rollbacks,
        "closed_without_incident": k.closed_without_incident,
        "satisfaction": k.satisfaction,
    });
    let mut text = format!(
        "{} releases finished\n  as planned      {:>5.1} %\n  rescheduled     {:>5.1} %\n  delayed         {:>5.1} %\n  needing revision {:>4.1} %\n  incidents per release {:.1}\n  rollbacks {}\n",
        k.releases,
        k.as_planned_pct,
        k.rescheduled_pct,
        k.delayed_pct,
        k.needing_revision_pct,
        k.incidents_per_release,
        k.rollbacks
    );
    for s in &k.stage_days {
        text.push_str(&format!(
            "  {:<24} median {:.1} d (quartiles {:.1}–{:.1})\n",
            s.stage.to_string(),
            s.median_days,
            s.q1_days,
            s.q3_days
        ));
    }
    for (currency, cents) in &k.cost {
        text.push_str(&format!("  cost {}\n", amount_text(*cents, currency)));
    }
    Ok(Output::new(value, text))
}
