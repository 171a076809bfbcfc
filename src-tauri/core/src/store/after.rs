//! After the deployment: early life support, incidents, accompanying activities, costs, the
//! closure review, production versions on entering ELS, and the KPIs from the history.

use super::sql::{Conn, OptionalExtension, Tx, params};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::audit::{self, Entry};
use super::domain::{load_components, release_id};
use super::{Store, live_release, not_found};
use crate::after::{
    Activity, ActivityState, AfterFacts, ElsPolicy, Incident, KpiFilter, Kpis, ReleaseHistory,
    applicable, parse_amount, parse_currency,
};
use crate::approval::{Content, Decision};
use crate::error::{Error, FieldError, Result};
use crate::people::TeamRole;
use crate::release::{Release, Stage};
use crate::transfer::{ActivityRecord, ReleaseRecord};

const ELS_POLICY: &str = "els_policy";

/// One accompanying activity of a release as the After deployment tab shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ActivityView {
    pub activity: Activity,
    /// Applies to the release's type by default; a not-applicable one may still be recorded.
    pub applicable: bool,
    pub state: Option<ActivityState>,
    pub note: String,
    #[ts(type = "string | null")]
    pub at: Option<DateTime<Utc>>,
    pub by: Option<String>,
}

/// A direct cost of a release (also as the exchange format carries it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// In the currency's minor unit (cents).
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub stage: Stage,
    #[serde(default)]
    pub note: String,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub by: String,
}

/// The closure review (also as the exchange format carries it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub satisfaction: u8,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub lessons: String,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub by: String,
}

/// Everything after the deployment of one release.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AfterView {
    pub release: String,
    pub stage: Stage,
    #[ts(type = "string | null")]
    pub els_since: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub els_ends: Option<DateTime<Utc>>,
    pub els_days: u32,
    pub incidents: Vec<Incident>,
    pub activities: Vec<ActivityView>,
    pub costs: Vec<Cost>,
    pub review: Option<Review>,
    /// The moment this was read: what the countdown counts from (the app's clock, which
    /// `--now` may set, not the window's).
    #[ts(type = "string")]
    pub now: DateTime<Utc>,
}

impl Store {
    pub fn els_policy(&self) -> Result<ElsPolicy> {
        els_policy_of(&self.conn)
    }

    pub fn set_els_policy(&mut self, policy: &ElsPolicy) -> Result<ElsPolicy> {
        if let Some((kind, days)) = policy.days.iter().find(|(_, d)| **d == 0 || **d > 365) {
            return Err(Error::Validation(vec![FieldError::new(
                "days",
                format!("early life support of a {kind} release must be 1 to 365 days, not {days}"),
            )]));
        }
        let text = serde_json::to_string(policy).expect("policy serializes");
        self.set_setting(ELS_POLICY, &text, TeamRole::Admin)?;
        Ok(policy.clone())
    }

    /// Records an incident caused by the release; the same key again replaces it (to add when
    /// it was resolved). A closed release is read-only.
    pub fn add_incident(
        &mut self,
        key: &str,
        incident: &Incident,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Incident> {
        let incident = incident.validate()?;
        let tx = self.write(TeamRole::ReleaseManager)?;
        let release = after_release(
            &tx,
            key,
            &[Stage::Deploying, Stage::EarlyLifeSupport, Stage::RolledBack],
        )?;
        let id = release_id(&tx, &release.key)?;
        let before = load_incidents(&tx, id)?
            .into_iter()
            .find(|i| i.key == incident.key)
            .map(|i| serde_json::to_string(&i).unwrap_or_default());
        tx.execute(
            "DELETE FROM incidents WHERE release_id = ?1 AND key = ?2",
            params![id, incident.key],
        )?;
        insert_incident(&tx, id, &incident)?;
        let entry = Entry::new("release", key, "incident").field(
            "incident",
            before,
            Some(serde_json::to_string(&incident).unwrap_or_default()),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(incident)
    }

    /// Imports an incident export of the service desk, all-or-nothing. Each incident goes to
    /// the release whose scope holds the change it names as its cause, else to the release
    /// whose package changed its CI and whose early life support covers its opening. An
    /// incident imported before is updated wherever it was; those that link to no release are
    /// listed with the reason, not stored.
    pub fn import_incidents(
        &mut self,
        text: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::store::ImportSummary> {
        let rows = crate::csv_import::parse_incidents(text)?;
        let tx = self.write(TeamRole::ReleaseManager)?;
        let policy = els_policy_of(&tx)?;
        let mut imported = 0;
        let mut unlinked = Vec::new();
        for row in &rows {
            let incident = &row.incident;
            let release = match cause_of(&tx, row, &policy)? {
                Ok(release) => release,
                Err(why) => {
                    unlinked.push(format!("{} ({why})", incident.key));
                    continue;
                }
            };
            let id = release_id(&tx, &release.key)?;
            let before: Option<String> = tx
                .query_row(
                    "SELECT r.key FROM incidents i JOIN releases r ON r.id = i.release_id
                     WHERE i.key = ?1",
                    [&incident.key],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute("DELETE FROM incidents WHERE key = ?1", [&incident.key])?;
            insert_incident(&tx, id, incident)?;
            let entry = Entry::new("release", &release.key, "incident").field(
                "incident",
                before.map(|key| format!("imported before, under {key}")),
                Some(serde_json::to_string(incident).unwrap_or_default()),
            );
            audit::append(&tx, actor, now, vec![entry])?;
            imported += 1;
        }
        tx.commit()?;
        Ok(crate::store::ImportSummary {
            incidents: imported,
            unlinked_incidents: unlinked,
            ..Default::default()
        })
    }

    /// Marks an accompanying activity done or not needed (a reason is then required).
    pub fn set_activity(
        &mut self,
        key: &str,
        activity: Activity,
        state: ActivityState,
        note: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<ActivityView> {
        let note = note.trim();
        if state == ActivityState::NotNeeded && note.is_empty() {
            return Err(Error::Validation(vec![FieldError::new(
                "note",
                "say why the activity is not needed",
            )]));
        }
        let tx = self.write(TeamRole::ReleaseManager)?;
        let release = after_release(&tx, key, &[Stage::Deploying, Stage::EarlyLifeSupport])?;
        let id = release_id(&tx, &release.key)?;
        record_activity(&tx, id, key, activity, state, note, actor, now)?;
        tx.commit()?;
        Ok(self
            .after_deployment(key, now)?
            .activities
            .into_iter()
            .find(|a| a.activity == activity)
            .expect("every activity is listed"))
    }

    /// Records a direct cost, in the stage the release is in.
    pub fn add_cost(
        &mut self,
        key: &str,
        amount: &str,
        currency: &str,
        note: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Cost> {
        let mut errors = Vec::new();
        let amount = parse_amount(amount).map_err(|e| errors.push(e)).ok();
        let currency = parse_currency(currency).map_err(|e| errors.push(e)).ok();
        let (Some(amount), Some(currency)) = (amount, currency) else {
            return Err(Error::Validation(errors));
        };
        let tx = self.write(TeamRole::ReleaseManager)?;
        let release = live_release(&tx, key)?.ok_or_else(|| not_found(key))?;
        refuse_closed(&release)?;
        let id = release_id(&tx, key)?;
        let cost = Cost {
            amount,
            currency,
            stage: release.stage,
            note: note.trim().to_string(),
            at: now,
            by: actor.to_string(),
        };
        insert_cost(&tx, id, &cost)?;
        let entry = Entry::new("release", key, "cost").after(format!(
            "{} ({})",
            crate::after::amount_text(amount, &cost.currency),
            cost.stage
        ));
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(cost)
    }

    /// The closure review: the service owner's satisfaction (1–5), a comment, lessons learned.
    pub fn record_review(
        &mut self,
        key: &str,
        satisfaction: u8,
        comment: &str,
        lessons: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Review> {
        if !(1..=5).contains(&satisfaction) {
            return Err(Error::Validation(vec![FieldError::new(
                "satisfaction",
                "must be 1 (very unhappy) to 5 (very happy)",
            )]));
        }
        let tx = self.write(TeamRole::ReleaseManager)?;
        let release = after_release(&tx, key, &[Stage::EarlyLifeSupport])?;
        let id = release_id(&tx, &release.key)?;
        let review = Review {
            satisfaction,
            comment: comment.trim().to_string(),
            lessons: lessons.trim().to_string(),
            at: now,
            by: actor.to_string(),
        };
        tx.execute("DELETE FROM release_reviews WHERE release_id = ?1", [id])?;
        insert_review(&tx, id, &review)?;
        let entry = Entry::new("release", key, "review")
            .after(serde_json::to_string(&review).unwrap_or_default());
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(review)
    }

    pub fn after_deployment(&self, key: &str, now: DateTime<Utc>) -> Result<AfterView> {
        let release = live_release(&self.conn, key)?.ok_or_else(|| not_found(key))?;
        let id = release_id(&self.conn, key)?;
        let facts = after_facts(&self.conn, &release, id)?;
        let recorded = load_activities(&self.conn, id)?;
        let defaults = applicable(release.release_type);
        let activities = Activity::ALL
            .iter()
            .map(|a| {
                let row = recorded.iter().find(|r| r.activity == *a);
                ActivityView {
                    activity: *a,
                    applicable: defaults.contains(a),
                    state: row.and_then(|r| r.state),
                    note: row.map(|r| r.note.clone()).unwrap_or_default(),
                    at: row.and_then(|r| r.at),
                    by: row.and_then(|r| r.by.clone()),
                }
            })
            .collect();
        Ok(AfterView {
            release: key.to_string(),
            stage: release.stage,
            els_since: facts.els_since,
            els_ends: facts.els_ends(),
            els_days: facts.els_days,
            incidents: facts.incidents,
            activities,
            costs: load_costs(&self.conn, id)?,
            review: load_review(&self.conn, id)?,
            now,
        })
    }

    /// The KPIs of the releases whose deployment finished in the filter's period.
    pub fn kpis(&self, filter: &KpiFilter) -> Result<Kpis> {
        Ok(crate::after::kpis(&histories(&self.conn)?, filter))
    }
}

/// A release that may still be written after its deployment: live, in one of `stages`.
fn after_release(conn: &Conn, key: &str, stages: &[Stage]) -> Result<Release> {
    let release = live_release(conn, key)?.ok_or_else(|| not_found(key))?;
    refuse_closed(&release)?;
    if !stages.contains(&release.stage) {
        let allowed: Vec<String> = stages.iter().map(|s| s.to_string()).collect();
        return Err(Error::Conflict {
            field: None,
            message: format!(
                "{key} is in {}; this is recorded while it is {}",
                release.stage,
                allowed.join(" or ")
            ),
        });
    }
    Ok(release)
}

fn refuse_closed(release: &Release) -> Result<()> {
    if release.stage == Stage::Closed {
        return Err(Error::Conflict {
            field: None,
            message: format!("{} is closed and read-only", release.key),
        });
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) fn record_activity(
    tx: &Tx,
    id: i64,
    key: &str,
    activity: Activity,
    state: ActivityState,
    note: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let before: Option<String> = tx
        .query_row(
            "SELECT state FROM release_activities WHERE release_id = ?1 AND activity = ?2",
            params![id, activity],
            |r| r.get(0),
        )
        .optional()?;
    tx.execute(
        "DELETE FROM release_activities WHERE release_id = ?1 AND activity = ?2",
        params![id, activity],
    )?;
    tx.execute(
        "INSERT INTO release_activities (release_id, activity, state, note, at, by_whom)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, activity, state, note, now, actor],
    )?;
    let after = if note.is_empty() {
        state.to_string()
    } else {
        format!("{state}: {note}")
    };
    let entry =
        Entry::new("release", key, "activity").field(activity.as_str(), before, Some(after));
    audit::append(tx, actor, now, vec![entry])
}

/// Entering early life support: production runs the package now. Each component's CI takes
/// its target version, audited, and the CMDB activity is done by the release itself.
pub(super) fn enter_els(tx: &Tx, release: &Release, actor: &str, now: DateTime<Utc>) -> Result<()> {
    let id = release_id(tx, &release.key)?;
    let mut entries = Vec::new();
    for c in load_components(tx, id)? {
        let Some(to) = c.to_version else { continue };
        let before: Option<Option<String>> = tx
            .query_row(
                "SELECT prod_version FROM cis WHERE name = ?1",
                [&c.ci],
                |r| r.get(0),
            )
            .optional()?;
        let Some(before) = before else { continue };
        if before.as_deref() == Some(to.as_str()) {
            continue;
        }
        tx.execute(
            "UPDATE cis SET prod_version = ?1 WHERE name = ?2",
            params![to, c.ci],
        )?;
        entries.push(Entry::new("ci", &c.ci, "update").field(
            "prod_version",
            before,
            Some(to.clone()),
        ));
    }
    if !entries.is_empty() {
        audit::append(tx, &format!("{} ({actor})", release.key), now, entries)?;
    }
    record_activity(
        tx,
        id,
        &release.key,
        Activity::Cmdb,
        ActivityState::Done,
        "production versions updated on entering early life support",
        actor,
        now,
    )
}

struct RecordedActivity {
    activity: Activity,
    state: Option<ActivityState>,
    note: String,
    at: Option<DateTime<Utc>>,
    by: Option<String>,
}

fn load_activities(conn: &Conn, id: i64) -> Result<Vec<RecordedActivity>> {
    let mut stmt = conn.prepare(
        "SELECT activity, state, note, at, by_whom FROM release_activities WHERE release_id = ?1",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(RecordedActivity {
            activity: r.get(0)?,
            state: r.get(1)?,
            note: r.get(2)?,
            at: r.get(3)?,
            by: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn load_incidents(conn: &Conn, id: i64) -> Result<Vec<Incident>> {
    let mut stmt = conn.prepare(
        "SELECT key, severity, opened_at, resolved_at, ci, note FROM incidents
         WHERE release_id = ?1 ORDER BY opened_at, key",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(Incident {
            key: r.get(0)?,
            severity: r.get(1)?,
            opened: r.get(2)?,
            resolved: r.get(3)?,
            ci: r.get(4)?,
            note: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn load_costs(conn: &Conn, id: i64) -> Result<Vec<Cost>> {
    let mut stmt = conn.prepare(
        "SELECT amount, currency, stage, note, at, by_whom FROM release_costs
         WHERE release_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(Cost {
            amount: r.get(0)?,
            currency: r.get(1)?,
            stage: r.get(2)?,
            note: r.get(3)?,
            at: r.get(4)?,
            by: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn load_review(conn: &Conn, id: i64) -> Result<Option<Review>> {
    conn
        .query_row(
            "SELECT satisfaction, comment, lessons, at, by_whom FROM release_reviews WHERE release_id = ?1",
            [id],
            |r| {
                Ok(Review {
                    satisfaction: r.get(0)?,
                    comment: r.get(1)?,
                    lessons: r.get(2)?,
                    at: r.get(3)?,
                    by: r.get(4)?,
                })
            },
        )
        .optional()
}

/// The release an imported incident belongs to, or why there is none.
fn cause_of(
    tx: &Tx,
    row: &crate::csv_import::IncidentRow,
    policy: &ElsPolicy,
) -> Result<std::result::Result<Release, String>> {
    let opened = row.incident.opened;
    let release = if let Some(change) = &row.caused_by {
        let key: Option<String> = tx
            .query_row(
                "SELECT r.key FROM releases r
                 JOIN release_changes rc ON rc.release_id = r.id
                 JOIN changes c ON c.id = rc.change_id
                 WHERE c.key = ?1 AND r.deleted_at IS NULL
                 ORDER BY r.key LIMIT 1",
                [change],
                |r| r.get(0),
            )
            .optional()?;
        match key {
            Some(key) => live_release(tx, &key)?.ok_or_else(|| not_found(&key))?,
            None => return Ok(Err(format!("caused by {change}, which no release holds"))),
        }
    } else if let Some(ci) = &row.incident.ci {
        let mut stmt = tx.prepare(
            "SELECT DISTINCT r.key FROM releases r
             JOIN components k ON k.release_id = r.id
             JOIN cis c ON c.id = k.ci_id
             WHERE c.name = ?1 AND r.deleted_at IS NULL ORDER BY r.key",
        )?;
        let keys: Vec<String> = stmt
            .query_map([ci], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut covering = None;
        for key in keys {
            let Some(release) = live_release(tx, &key)? else {
                continue;
            };
            let Some(since) = els_since(tx, &key)? else {
                continue;
            };
            let ends =
                since + chrono::Duration::days(i64::from(policy.days_for(release.release_type)));
            let later = covering.as_ref().is_none_or(|(s, _)| since > *s);
            if since <= opened && opened < ends && later {
                covering = Some((since, release));
            }
        }
        match covering {
            Some((_, release)) => release,
            None => {
                return Ok(Err(format!(
                    "no cause named, and no release that changed {ci} was in early life support \
                     when it was opened"
                )));
            }
        }
    } else {
        return Ok(Err("names neither a causing change nor a CI".into()));
    };
    let recording = [Stage::Deploying, Stage::EarlyLifeSupport, Stage::RolledBack];
    if !recording.contains(&release.stage) {
        return Ok(Err(format!(
            "{} is {}; incidents are recorded while a release is deploying, in early life support \
             or rolled back",
            release.key, release.stage
        )));
    }
    Ok(Ok(release))
}

/// When the release last entered early life support, from its stage moves.
fn els_since(conn: &Conn, key: &str) -> Result<Option<DateTime<Utc>>> {
    conn.query_row(
        "SELECT MAX(at) FROM audit_log
         WHERE entity = 'release' AND entity_key = ?1 AND action = 'move' AND field = 'stage'
           AND after = 'early_life_support'",
        [key],
        |r| r.get(0),
    )
}

/// The ELS periods as set in Settings, else the defaults.
fn els_policy_of(conn: &Conn) -> Result<ElsPolicy> {
    Ok(conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [ELS_POLICY],
            |r| r.get::<String>(0),
        )
        .optional()?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

/// What the closure rules judge of `release`.
pub(super) fn after_facts(conn: &Conn, release: &Release, id: i64) -> Result<AfterFacts> {
    let policy = els_policy_of(conn)?;
    let recorded = load_activities(conn, id)?;
    let activities = applicable(release.release_type)
        .into_iter()
        .map(|a| {
            (
                a,
                recorded
                    .iter()
                    .find(|r| r.activity == a)
                    .and_then(|r| r.state),
            )
        })
        .collect();
    Ok(AfterFacts {
        els_since: els_since(conn, &release.key)?,
        els_days: policy.days_for(release.release_type),
        incidents: load_incidents(conn, id)?,
        activities,
        reviewed: load_review(conn, id)?.is_some(),
    })
}

/// Every release's history as the KPIs read it: stage moves from the audit log, the windows
/// of the approvals that authorized it, incidents, costs, the review. One query per kind of
/// record, grouped here, so 10,000 releases cost six queries, not sixty thousand.
fn histories(conn: &Conn) -> Result<Vec<ReleaseHistory>> {
    use std::collections::HashMap;
    let mut moves: HashMap<String, Vec<(DateTime<Utc>, Stage, Stage)>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT entity_key, at, before, after FROM audit_log
         WHERE entity = 'release' AND action = 'move' AND field = 'stage' ORDER BY seq",
    )?;
    let rows = stmt.query_map((), |r| {
        Ok((
            r.get::<String>(0)?,
            r.get::<DateTime<Utc>>(1)?,
            r.get::<Option<String>>(2)?,
            r.get::<Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (key, at, from, to) = row?;
        if let (Some(Ok(from)), Some(Ok(to))) = (from.map(|f| f.parse()), to.map(|t| t.parse())) {
            moves.entry(key).or_default().push((at, from, to));
        }
    }
    let mut windows: HashMap<i64, Vec<(chrono::NaiveDate, chrono::NaiveDate)>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT release_id, content FROM approvals WHERE decision = 'approve' ORDER BY id",
    )?;
    for row in stmt.query_map((), |r| Ok((r.get::<i64>(0)?, r.get::<Option<String>>(1)?)))? {
        let (id, content) = row?;
        if let Some(c) = content.and_then(|c| serde_json::from_str::<Content>(&c).ok()) {
            windows.entry(id).or_default().push(c.window);
        }
    }
    let mut incidents: HashMap<i64, usize> = HashMap::new();
    let mut stmt =
        conn.prepare("SELECT release_id, COUNT(*) FROM incidents GROUP BY release_id")?;
    for row in stmt.query_map((), |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?)))? {
        let (id, n) = row?;
        incidents.insert(id, usize::try_from(n).unwrap_or_default());
    }
    let mut costs: HashMap<i64, Vec<(i64, String, Stage)>> = HashMap::new();
    let mut stmt =
        conn.prepare("SELECT release_id, amount, currency, stage FROM release_costs ORDER BY id")?;
    for row in stmt.query_map((), |r| {
        Ok((r.get::<i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })? {
        let (id, amount, currency, stage) = row?;
        costs.entry(id).or_default().push((amount, currency, stage));
    }
    let mut scores: HashMap<i64, u8> = HashMap::new();
    let mut stmt = conn.prepare("SELECT release_id, satisfaction FROM release_reviews")?;
    for row in stmt.query_map((), |r| Ok((r.get::<i64>(0)?, r.get::<u8>(1)?)))? {
        let (id, score) = row?;
        scores.insert(id, score);
    }
    let mut stmt = conn.prepare(
        "SELECT id, key, release_type, owner FROM releases WHERE deleted_at IS NULL ORDER BY key",
    )?;
    let rows = stmt.query_map((), |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<String>(1)?,
            r.get::<crate::release::ReleaseType>(2)?,
            r.get::<Option<String>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, key, kind, owner) = row?;
        out.push(ReleaseHistory {
            moves: moves.remove(&key).unwrap_or_default(),
            authorized_windows: windows.remove(&id).unwrap_or_default(),
            incidents: incidents.get(&id).copied().unwrap_or_default(),
            costs: costs.remove(&id).unwrap_or_default(),
            satisfaction: scores.get(&id).copied(),
            key,
            kind,
            owner,
        });
    }
    Ok(out)
}

/// The demo's finished releases, told through the same moves, decisions and records a real
/// release leaves, dated in the past so the Measures page has months to show.
pub(super) fn load_demo_history(tx: &Tx, actor: &str, now: DateTime<Utc>) -> Result<Vec<Release>> {
    let year = now.format("%Y");
    crate::demo::finished()
        .iter()
        .map(|d| tell_finished(tx, d, format!("REL-{year}-{:03}", d.number), actor, now))
        .collect()
}

impl Store {
    /// `count` finished releases with their whole history (the demo's stories over and over,
    /// keys `LOAD-00000`…), in one transaction: for the KPI benchmark and load tests.
    #[doc(hidden)]
    pub fn load_finished_history(
        &mut self,
        count: usize,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let stories = crate::demo::finished();
        let tx = self.write(TeamRole::Admin)?;
        for n in 0..count {
            let at = now - chrono::Duration::hours(n as i64);
            tell_finished(
                &tx,
                &stories[n % stories.len()],
                format!("LOAD-{n:05}"),
                actor,
                at,
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// One finished release `d` under `key`, its story ending before `now`.
fn tell_finished(
    tx: &Tx,
    d: &crate::demo::Finished,
    key: String,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Release> {
    use crate::demo::Outcome;
    let start = now - chrono::Duration::days(d.days_ago);
    let day = |n: i64| start + chrono::Duration::days(n);
    let date = |n: i64| day(n).format("%Y-%m-%d").to_string();
    let draft = crate::release::ReleaseDraft {
        key,
        title: d.title.into(),
        release_type: d.kind,
        planned_start: date(20),
        planned_end: date(22),
        owner: Some(d.owner.into()),
        risk: Some(crate::release::Risk::Medium),
        requester: None,
        dev_docs: None,
        ops_docs: None,
    };
    let mut release = super::insert_release(tx, &draft.validate()?, true, actor, day(0))?;
    audit::append(tx, actor, day(0), vec![super::created(&release)])?;
    let key = release.key.clone();
    let go = |to: Stage, at: DateTime<Utc>, release: &mut Release| -> Result<()> {
        *release = super::domain::set_stage(tx, release, to, false, actor, at)?;
        Ok(())
    };
    go(Stage::Build, day(1), &mut release)?;
    go(Stage::Test, day(5), &mut release)?;
    if d.sent_back {
        release = super::domain::set_stage(tx, &release, Stage::Build, true, actor, day(7))?;
        go(Stage::Test, day(9), &mut release)?;
    }
    go(Stage::AwaitingAuthorization, day(12), &mut release)?;
    let approve = |at: DateTime<Utc>| {
        super::domain::record_decision(
            tx,
            &super::domain::Decider {
                key: &key,
                decision: Decision::Approve,
                role: crate::approval::Role::CabMember,
                comment: "",
                approver: "Carla Schmidt",
            },
            None,
            actor,
            at,
        )
    };
    approve(day(14))?;
    go(Stage::Authorized, day(14), &mut release)?;
    let mut deploy_day = 21;
    if d.outcome == Outcome::Rescheduled {
        // The window moved a week: back to the CAB, authorized again for the new dates.
        go(Stage::AwaitingAuthorization, day(17), &mut release)?;
        tx.execute(
            "UPDATE releases SET planned_start = ?1, planned_end = ?2 WHERE key = ?3",
            params![date(27), date(29), key],
        )?;
        approve(day(18))?;
        go(Stage::Authorized, day(18), &mut release)?;
        deploy_day = 28;
    }
    if d.outcome == Outcome::Delayed {
        deploy_day = 25;
    }
    go(Stage::Deploying, day(deploy_day), &mut release)?;
    let id = release_id(tx, &key)?;
    if d.outcome == Outcome::RolledBack {
        go(
            Stage::RolledBack,
            day(deploy_day) + chrono::Duration::hours(3),
            &mut release,
        )?;
    } else {
        go(
            Stage::EarlyLifeSupport,
            day(deploy_day) + chrono::Duration::hours(3),
            &mut release,
        )?;
    }
    for (n, (incident, severity)) in d.incidents.iter().enumerate() {
        let opened = day(deploy_day + 1 + n as i64);
        tx.execute(
            "INSERT INTO incidents (release_id, key, severity, opened_at, resolved_at, note)
             VALUES (?1, ?2, ?3, ?4, ?5, '')",
            params![
                id,
                incident,
                severity,
                opened,
                opened + chrono::Duration::hours(6)
            ],
        )?;
    }
    tx.execute(
        "INSERT INTO release_costs (release_id, amount, currency, stage, note, at, by_whom)
         VALUES (?1, ?2, 'EUR', 'deploying', 'demo', ?3, ?4)",
        params![id, d.cost, day(deploy_day), actor],
    )?;
    if d.outcome != Outcome::RolledBack {
        let closing = day(deploy_day + 15);
        for activity in applicable(d.kind) {
            record_activity(
                tx,
                id,
                &key,
                activity,
                ActivityState::Done,
                "",
                actor,
                closing,
            )?;
        }
        tx.execute(
            "INSERT INTO release_reviews (release_id, satisfaction, comment, lessons, at, by_whom)
             VALUES (?1, ?2, '', '', ?3, ?4)",
            params![id, d.satisfaction, closing, actor],
        )?;
        go(Stage::Closed, closing, &mut release)?;
    }
    Ok(release)
}

fn insert_cost(tx: &Tx, release_id: i64, cost: &Cost) -> Result<()> {
    tx.execute(
        "INSERT INTO release_costs (release_id, amount, currency, stage, note, at, by_whom)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            release_id,
            cost.amount,
            cost.currency,
            cost.stage,
            cost.note,
            cost.at,
            cost.by
        ],
    )?;
    Ok(())
}

fn insert_review(tx: &Tx, release_id: i64, review: &Review) -> Result<()> {
    tx.execute(
        "INSERT INTO release_reviews (release_id, satisfaction, comment, lessons, at, by_whom)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            release_id,
            review.satisfaction,
            review.comment,
            review.lessons,
            review.at,
            review.by
        ],
    )?;
    Ok(())
}

fn insert_incident(tx: &Tx, release_id: i64, incident: &Incident) -> Result<()> {
    tx.execute(
        "INSERT INTO incidents (release_id, key, severity, opened_at, resolved_at, ci, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            release_id,
            incident.key,
            incident.severity,
            incident.opened,
            incident.resolved,
            incident.ci,
            incident.note
        ],
    )?;
    Ok(())
}

/// A release's records after its deployment, for the exchange format.
pub(super) fn export_after(conn: &Conn, id: i64, record: &mut ReleaseRecord) -> Result<()> {
    record.incidents = load_incidents(conn, id)?;
    let mut activities: Vec<ActivityRecord> = load_activities(conn, id)?
        .into_iter()
        .filter_map(|a| {
            Some(ActivityRecord {
                activity: a.activity,
                state: a.state?,
                note: a.note,
                at: a.at?,
                by: a.by?,
            })
        })
        .collect();
    activities.sort_by_key(|a| a.activity);
    record.activities = activities;
    record.costs = load_costs(conn, id)?;
    record.review = load_review(conn, id)?;
    Ok(())
}

/// Stores what an imported release recorded after its deployment, as recorded (who, when).
pub(super) fn import_after(tx: &Tx, id: i64, record: &ReleaseRecord) -> Result<()> {
    let mut problems = Vec::new();
    for (i, incident) in record.incidents.iter().enumerate() {
        match incident.validate() {
            Ok(incident) => insert_incident(tx, id, &incident)?,
            Err(Error::Validation(fields)) => problems.extend(
                fields
                    .into_iter()
                    .map(|f| FieldError::new(&format!("incidents[{i}].{}", f.field), f.message)),
            ),
            Err(other) => return Err(other),
        }
    }
    for a in &record.activities {
        tx.execute(
            "INSERT INTO release_activities (release_id, activity, state, note, at, by_whom)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, a.activity, a.state, a.note, a.at, a.by],
        )?;
    }
    for (i, c) in record.costs.iter().enumerate() {
        if let Err(e) = parse_currency(&c.currency) {
            problems.push(FieldError::new(&format!("costs[{i}].currency"), e.message));
            continue;
        }
        insert_cost(tx, id, c)?;
    }
    if let Some(r) = &record.review {
        if (1..=5).contains(&r.satisfaction) {
            insert_review(tx, id, r)?;
        } else {
            problems.push(FieldError::new(
                "review.satisfaction",
                format!("{} is not a satisfaction; use 1 to 5", r.satisfaction),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(problems))
    }
}
