//! After the deployment: early life support (ELS), incidents caused by a release, the
//! accompanying activities, direct costs, the closure review, and the ITIL release KPIs
//! computed from the stage history. Pure: "now" and the history come from the caller.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::message::Message;
use crate::release::{ReleaseType, Stage};

text_enum!(
    /// The accompanying activities of a release (the ITIL seeds' list).
    Activity {
        Cmdb = "cmdb",
        Catalogue = "catalogue",
        Monitoring = "monitoring",
        Contracts = "contracts",
        Docs = "docs",
        TrainingUsers = "training_users",
        TrainingOps = "training_ops",
        Notification = "notification",
    }
);

text_enum!(ActivityState {
    Done = "done",
    NotNeeded = "not_needed",
});

/// Which activities apply to a release of `kind` unless marked not needed: every one for a
/// major release; an emergency fix skips contracts and training.
pub fn applicable(kind: ReleaseType) -> Vec<Activity> {
    Activity::ALL
        .iter()
        .copied()
        .filter(|a| match kind {
            ReleaseType::Major => true,
            ReleaseType::Minor => !matches!(a, Activity::Contracts | Activity::TrainingUsers),
            ReleaseType::Emergency => !matches!(
                a,
                Activity::Contracts | Activity::TrainingUsers | Activity::TrainingOps
            ),
        })
        .collect()
}

/// How long early life support lasts, per release type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ElsPolicy {
    pub days: BTreeMap<ReleaseType, u32>,
}

impl Default for ElsPolicy {
    fn default() -> Self {
        ElsPolicy {
            days: [
                (ReleaseType::Major, 14),
                (ReleaseType::Minor, 7),
                (ReleaseType::Emergency, 3),
            ]
            .into(),
        }
    }
}

impl ElsPolicy {
    pub fn days_for(&self, kind: ReleaseType) -> u32 {
        self.days.get(&kind).copied().unwrap_or(7)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub key: String,
    pub severity: u8,
    #[ts(type = "string")]
    pub opened: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub resolved: Option<DateTime<Utc>>,
    pub ci: Option<String>,
    pub note: String,
}

/// What limits a field: the incident key as ServiceNow / JSM write them.
pub const INCIDENT_KEY_MAX: usize = 40;

impl Incident {
    /// Checks every field at once; each error names the field and what is allowed.
    pub fn validate(&self) -> Result<Incident> {
        let mut errors = Vec::new();
        let key = self.key.trim().to_string();
        if key.is_empty()
            || key.chars().count() > INCIDENT_KEY_MAX
            || key.chars().any(char::is_whitespace)
        {
            errors.push(FieldError::new(
                "key",
                format!(
                    "must be 1 to {INCIDENT_KEY_MAX} characters without spaces, e.g. INC0012345"
                ),
            ));
        }
        if !(1..=4).contains(&self.severity) {
            errors.push(FieldError::said(
                "severity",
                Message::new("incident.severity"),
            ));
        }
        if self.resolved.is_some_and(|r| r < self.opened) {
            errors.push(FieldError::said(
                "resolved",
                Message::new("incident.resolved_early"),
            ));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        Ok(Incident {
            key,
            ci: self
                .ci
                .as_ref()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty()),
            note: self.note.trim().to_string(),
            ..self.clone()
        })
    }

    pub fn open_at(&self, now: DateTime<Utc>) -> bool {
        self.opened <= now && self.resolved.is_none_or(|r| r > now)
    }
}

/// An amount of money as typed ("1200", "1,200.50", "99.9") in the minor unit (cents).
pub fn parse_amount(text: &str) -> std::result::Result<i64, FieldError> {
    let bad = || FieldError::said("amount", Message::new("cost.not_amount").with("text", text));
    let clean: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    let (whole, cents) = match clean.split_once('.') {
        Some((w, c)) if (1..=2).contains(&c.len()) && c.chars().all(|d| d.is_ascii_digit()) => {
            (w, format!("{c:0<2}"))
        }
        Some(_) => return Err(bad()),
        None => (clean.as_str(), "00".to_string()),
    };
    if whole.is_empty() || !whole.chars().all(|d| d.is_ascii_digit()) || whole.len() > 12 {
        return Err(bad());
    }
    Ok(whole.parse::<i64>().map_err(|_| bad())? * 100 + cents.parse::<i64>().map_err(|_| bad())?)
}

/// An amount in cents as plain text with its currency: "1250.50 EUR".
pub fn amount_text(cents: i64, currency: &str) -> String {
    format!("{}.{:02} {currency}", cents / 100, cents % 100)
}

/// A currency code as ISO 4217 writes it: three capital letters.
pub fn parse_currency(text: &str) -> std::result::Result<String, FieldError> {
    let code = text.trim().to_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(FieldError::said(
            "currency",
            Message::new("cost.not_currency").with("text", text),
        ))
    }
}

/// The facts the closure rules judge.
#[derive(Debug, Clone, Default)]
pub struct AfterFacts {
    /// When the release entered early life support.
    pub els_since: Option<DateTime<Utc>>,
    pub els_days: u32,
    pub incidents: Vec<Incident>,
    /// Each applicable activity with its state, `None` while not recorded.
    pub activities: Vec<(Activity, Option<ActivityState>)>,
    pub reviewed: bool,
}

impl AfterFacts {
    pub fn els_ends(&self) -> Option<DateTime<Utc>> {
        self.els_since
            .map(|s| s + Duration::days(i64::from(self.els_days)))
    }
}

/// One release's history as the KPIs read it.
#[derive(Debug, Clone)]
pub struct ReleaseHistory {
    pub key: String,
    pub kind: ReleaseType,
    pub owner: Option<String>,
    /// Every stage move, oldest first: when, from, to.
    pub moves: Vec<(DateTime<Utc>, Stage, Stage)>,
    /// The planned window of each approval that authorized the release, oldest first.
    pub authorized_windows: Vec<(NaiveDate, NaiveDate)>,
    pub incidents: usize,
    /// Amount in cents and currency, with the stage it was entered in.
    pub costs: Vec<(i64, String, Stage)>,
    pub satisfaction: Option<u8>,
}

impl ReleaseHistory {
    /// When the deployment finished: the move into early life support (or rolled back).
    pub fn finished(&self) -> Option<DateTime<Utc>> {
        self.moves
            .iter()
            .find(|(_, _, to)| matches!(to, Stage::EarlyLifeSupport | Stage::RolledBack))
            .map(|(at, _, _)| *at)
    }

    pub fn rolled_back(&self) -> bool {
        self.moves.iter().any(|(_, _, to)| *to == Stage::RolledBack)
    }

    pub fn closed(&self) -> bool {
        self.moves.iter().any(|(_, _, to)| *to == Stage::Closed)
    }

    pub fn needed_revision(&self) -> bool {
        self.moves.iter().any(|(_, from, to)| {
            *to == Stage::Build && matches!(from, Stage::Test | Stage::AwaitingAuthorization)
        })
    }

    /// Each stage with the days spent in it, from its moves (a stage entered twice counts twice).
    pub fn stage_days(&self) -> Vec<(Stage, f64)> {
        self.moves
            .windows(2)
            .map(|w| {
                (
                    w[0].2,
                    (w[1].0 - w[0].0).num_minutes() as f64 / (24.0 * 60.0),
                )
            })
            .collect()
    }
}

/// Which releases the KPIs count: those whose deployment finished in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
pub struct KpiFilter {
    #[ts(type = "string | null")]
    pub from: Option<NaiveDate>,
    #[ts(type = "string | null")]
    pub to: Option<NaiveDate>,
    #[serde(rename = "type")]
    pub kind: Option<ReleaseType>,
    pub owner: Option<String>,
}

/// A stage's duration over the releases counted: the median and the spread (quartiles).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StageTime {
    pub stage: Stage,
    pub releases: usize,
    pub median_days: f64,
    pub q1_days: f64,
    pub q3_days: f64,
}

/// The shares of one month (by the day the deployment finished).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MonthShares {
    /// `YYYY-MM`.
    pub month: String,
    pub releases: usize,
    pub as_planned_pct: f64,
    pub rescheduled_pct: f64,
    pub delayed_pct: f64,
    pub needing_revision_pct: f64,
}

/// One release's own figures, for the per-release charts.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReleaseFigures {
    pub key: String,
    pub kind: ReleaseType,
    pub incidents: usize,
    /// Total direct cost per currency, in cents.
    #[ts(type = "Record<string, number>")]
    pub cost: BTreeMap<String, i64>,
}

/// The KPIs over a period; every percentage is of `releases`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Kpis {
    /// Releases whose deployment finished in the period.
    pub releases: usize,
    /// Deployed inside the window the CAB first authorized.
    pub as_planned_pct: f64,
    /// The authorized window moved: a later authorization had another window.
    pub rescheduled_pct: f64,
    /// Finished after the end of the last authorized window.
    pub delayed_pct: f64,
    /// Sent back to build at least once.
    pub needing_revision_pct: f64,
    pub incidents_per_release: f64,
    pub incidents_by_type: BTreeMap<ReleaseType, f64>,
    pub rollbacks: usize,
    /// Closed without any incident recorded.
    pub closed_without_incident: usize,
    pub stage_days: Vec<StageTime>,
    /// Total direct cost per currency, in cents.
    #[ts(type = "Record<string, number>")]
    pub cost: BTreeMap<String, i64>,
    /// Average satisfaction (1–5) of the releases reviewed at closure.
    pub satisfaction: Option<f64>,
    pub reviewed: usize,
    /// The four shares month by month, oldest first.
    pub by_month: Vec<MonthShares>,
    pub by_release: Vec<ReleaseFigures>,
}

/// The four shares of `counted`.
fn shares(counted: &[&ReleaseHistory]) -> (f64, f64, f64, f64) {
    let n = counted.len();
    let inside = |h: &ReleaseHistory, w: (NaiveDate, NaiveDate)| {
        h.finished().is_some_and(|t| {
            let d = t.date_naive();
            d >= w.0 && d <= w.1
        })
    };
    let as_planned = counted
        .iter()
        .filter(|h| !h.rolled_back() && h.authorized_windows.first().is_some_and(|w| inside(h, *w)))
        .count();
    let rescheduled = counted
        .iter()
        .filter(|h| h.authorized_windows.windows(2).any(|w| w[0] != w[1]))
        .count();
    let delayed = counted
        .iter()
        .filter(|h| match (h.authorized_windows.last(), h.finished()) {
            (Some(w), Some(done)) => done.date_naive() > w.1,
            _ => false,
        })
        .count();
    let revised = counted.iter().filter(|h| h.needed_revision()).count();
    (
        pct(as_planned, n),
        pct(rescheduled, n),
        pct(delayed, n),
        pct(revised, n),
    )
}

fn pct(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        (n as f64 * 1000.0 / of as f64).round() / 10.0
    }
}

/// The value at fraction `q` of sorted `values`, interpolated.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    let v = sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64);
    (v * 10.0).round() / 10.0
}

/// The KPIs of the releases in `histories` that `filter` selects.
pub fn kpis(histories: &[ReleaseHistory], filter: &KpiFilter) -> Kpis {
    let counted: Vec<&ReleaseHistory> = histories
        .iter()
        .filter(|h| {
            let Some(done) = h.finished().map(|t| t.date_naive()) else {
                return false;
            };
            filter.from.is_none_or(|f| done >= f)
                && filter.to.is_none_or(|t| done <= t)
                && filter.kind.is_none_or(|k| h.kind == k)
                && filter
                    .owner
                    .as_ref()
                    .is_none_or(|o| h.owner.as_ref() == Some(o))
        })
        .collect();
    let n = counted.len();
    let (as_planned_pct, rescheduled_pct, delayed_pct, needing_revision_pct) = shares(&counted);
    let mut months: BTreeMap<String, Vec<&ReleaseHistory>> = BTreeMap::new();
    for h in &counted {
        if let Some(done) = h.finished() {
            months
                .entry(done.format("%Y-%m").to_string())
                .or_default()
                .push(h);
        }
    }
    let by_month = months
        .into_iter()
        .map(|(month, of)| {
            let (a, r, d, v) = shares(&of);
            MonthShares {
                month,
                releases: of.len(),
                as_planned_pct: a,
                rescheduled_pct: r,
                delayed_pct: d,
                needing_revision_pct: v,
            }
        })
        .collect();
    let by_release = counted
        .iter()
        .map(|h| {
            let mut cost = BTreeMap::new();
            for (amount, currency, _) in &h.costs {
                *cost.entry(currency.clone()).or_insert(0) += amount;
            }
            ReleaseFigures {
                key: h.key.clone(),
                kind: h.kind,
                incidents: h.incidents,
                cost,
            }
        })
        .collect();
    let mut by_stage: BTreeMap<Stage, Vec<f64>> = BTreeMap::new();
    for h in &counted {
        for (stage, days) in h.stage_days() {
            by_stage.entry(stage).or_default().push(days);
        }
    }
    let stage_days = by_stage
        .into_iter()
        .map(|(stage, mut days)| {
            days.sort_by(f64::total_cmp);
            StageTime {
                stage,
                releases: days.len(),
                median_days: quantile(&days, 0.5),
                q1_days: quantile(&days, 0.25),
                q3_days: quantile(&days, 0.75),
            }
        })
        .collect();
    let mut cost = BTreeMap::new();
    for h in &counted {
        for (amount, currency, _) in &h.costs {
            *cost.entry(currency.clone()).or_insert(0) += amount;
        }
    }
    let mut incidents_by_type = BTreeMap::new();
    for kind in ReleaseType::ALL {
        let of: Vec<_> = counted.iter().filter(|h| h.kind == *kind).collect();
        if !of.is_empty() {
            let total: usize = of.iter().map(|h| h.incidents).sum();
            incidents_by_type.insert(
                *kind,
                (total as f64 * 10.0 / of.len() as f64).round() / 10.0,
            );
        }
    }
    let scores: Vec<f64> = counted
        .iter()
        .filter_map(|h| h.satisfaction)
        .map(f64::from)
        .collect();
    let total_incidents: usize = counted.iter().map(|h| h.incidents).sum();
    Kpis {
        releases: n,
        as_planned_pct,
        rescheduled_pct,
        delayed_pct,
        needing_revision_pct,
        incidents_per_release: if n == 0 {
            0.0
        } else {
            (total_incidents as f64 * 10.0 / n as f64).round() / 10.0
        },
        incidents_by_type,
        rollbacks: counted.iter().filter(|h| h.rolled_back()).count(),
        closed_without_incident: counted
            .iter()
            .filter(|h| h.closed() && h.incidents == 0)
            .count(),
        stage_days,
        cost,
        satisfaction: (!scores.is_empty())
            .then(|| (scores.iter().sum::<f64>() * 10.0 / scores.len() as f64).round() / 10.0),
        reviewed: scores.len(),
        by_month,
        by_release,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_in_cents_and_refused_with_the_field() {
        assert_eq!(parse_amount("1200"), Ok(120_000));
        assert_eq!(parse_amount("1,200.5"), Ok(120_050));
        assert_eq!(parse_amount("0.07"), Ok(7));
        for bad in ["", "12.345", "-5", "1e3", "abc", "1.2.3"] {
            assert_eq!(parse_amount(bad).unwrap_err().field, "amount", "{bad}");
        }
        assert_eq!(parse_currency("eur"), Ok("EUR".into()));
        assert!(parse_currency("EURO").is_err());
    }

    #[test]
    fn quartiles_interpolate() {
        let days = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&days, 0.5), 2.5);
        assert_eq!(quantile(&days, 0.25), 1.8);
        assert_eq!(quantile(&[5.0], 0.75), 5.0);
    }
}
