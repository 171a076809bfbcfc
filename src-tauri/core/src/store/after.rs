//! After the deployment: early life support, incidents, accompanying activities, costs, the
//! closure review, production versions on entering ELS, and the KPIs from the history.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
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
use crate::release::{Release, Stage};

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Cost {
    /// In the currency's minor unit (cents).
    #[ts(type = "number")]
    pub amount: i64,
    pub currency: String,
    pub stage: Stage,
    pub note: String,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Review {
    pub satisfaction: u8,
    pub comment: String,
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
}

impl Store {
    pub fn els_policy(&self) -> Result<ElsPolicy> {
        Ok(self
            .setting(ELS_POLICY)?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }

    pub fn set_els_policy(&mut self, policy: &ElsPolicy) -> Result<ElsPolicy> {
        if let Some((kind, days)) = policy.days.iter().find(|(_, d)| **d == 0 || **d > 365) {
            return Err(Error::Validation(vec![FieldError::new(
                "days",
                format!("early life support of a {kind} release must be 1 to 365 days, not {days}"),
            )]));
        }
        let text = serde_json::to_string(policy).expect("policy serializes");
        self.set_setting(ELS_POLICY, &text)?;
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
        let tx = self.write()?;
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
        tx.execute(
            "INSERT INTO incidents (release_id, key, severity, opened_at, resolved_at, ci, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                incident.key,
                incident.severity,
                incident.opened,
                incident.resolved,
                incident.ci,
                incident.note
            ],
        )?;
        let entry = Entry::new("release", key, "incident").field(
            "incident",
            before,
            Some(serde_json::to_string(&incident).unwrap_or_default()),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(incident)
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
        let tx = self.write()?;
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
        let tx = self.write()?;
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
        tx.execute(
            "INSERT INTO release_costs (release_id, amount, currency, stage, note, at, by_whom)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                cost.amount,
                cost.currency,
                cost.stage,
                cost.note,
                cost.at,
                cost.by
            ],
        )?;
        let entry = Entry::new("release", key, "cost").after(format!(
            "{}.{:02} {} ({})",
            amount / 100,
            amount % 100,
            cost.currency,
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
        let tx = self.write()?;
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
        tx.execute(
            "INSERT INTO release_reviews (release_id, satisfaction, comment, lessons, at, by_whom)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, satisfaction, review.comment, review.lessons, now, actor],
        )?;
        let entry = Entry::new("release", key, "review")
            .after(serde_json::to_string(&review).unwrap_or_default());
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(review)
    }

    pub fn after_deployment(&self, key: &str, _now: DateTime<Utc>) -> Result<AfterView> {
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
        })
    }

    /// The KPIs of the releases whose deployment finished in the filter's period.
    pub fn kpis(&self, filter: &KpiFilter) -> Result<Kpis> {
        Ok(crate::after::kpis(&histories(&self.conn)?, filter))
    }
}

/// A release that may still be written after its deployment: live, in one of `stages`.
fn after_release(conn: &Connection, key: &str, stages: &[Stage]) -> Result<Release> {
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
fn record_activity(
    tx: &Transaction,
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
pub(super) fn enter_els(
    tx: &Transaction,
    release: &Release,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
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

fn load_activities(conn: &Connection, id: i64) -> Result<Vec<RecordedActivity>> {
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

fn load_incidents(conn: &Connection, id: i64) -> Result<Vec<Incident>> {
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

fn load_costs(conn: &Connection, id: i64) -> Result<Vec<Cost>> {
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

fn load_review(conn: &Connection, id: i64) -> Result<Option<Review>> {
    Ok(conn
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
        .optional()?)
}

/// When the release last entered early life support, from its stage moves.
fn els_since(conn: &Connection, key: &str) -> Result<Option<DateTime<Utc>>> {
    Ok(conn.query_row(
        "SELECT MAX(at) FROM audit_log
         WHERE entity = 'release' AND entity_key = ?1 AND action = 'move' AND field = 'stage'
           AND after = 'early_life_support'",
        [key],
        |r| r.get(0),
    )?)
}

/// What the closure rules judge of `release`.
pub(super) fn after_facts(conn: &Connection, release: &Release, id: i64) -> Result<AfterFacts> {
    let policy: ElsPolicy = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [ELS_POLICY],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
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
/// of the approvals that authorized it, incidents, costs, the review.
fn histories(conn: &Connection) -> Result<Vec<ReleaseHistory>> {
    let mut releases = conn.prepare(
        "SELECT id, key, release_type, owner FROM releases WHERE deleted_at IS NULL ORDER BY key",
    )?;
    let rows: Vec<(i64, String, crate::release::ReleaseType, Option<String>)> = releases
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut moves = conn.prepare(
        "SELECT at, before, after FROM audit_log
         WHERE entity = 'release' AND entity_key = ?1 AND action = 'move' AND field = 'stage'
         ORDER BY seq",
    )?;
    let mut approvals =
        conn.prepare("SELECT decision, content FROM approvals WHERE release_id = ?1 ORDER BY id")?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, key, kind, owner) in rows {
        let moves: Vec<(DateTime<Utc>, Stage, Stage)> = moves
            .query_map([&key], |r| {
                Ok((
                    r.get::<_, DateTime<Utc>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
            .filter_map(|row| {
                let (at, from, to) = row.ok()?;
                Some((at, from?.parse().ok()?, to?.parse().ok()?))
            })
            .collect();
        let authorized_windows = approvals
            .query_map([id], |r| {
                Ok((r.get::<_, Decision>(0)?, r.get::<_, Option<String>>(1)?))
            })?
            .filter_map(|row| {
                let (decision, content) = row.ok()?;
                (decision == Decision::Approve)
                    .then(|| serde_json::from_str::<Content>(&content?).ok())
                    .flatten()
                    .map(|c| c.window)
            })
            .collect();
        let costs = load_costs(conn, id)?
            .into_iter()
            .map(|c| (c.amount, c.currency, c.stage))
            .collect();
        out.push(ReleaseHistory {
            incidents: load_incidents(conn, id)?.len(),
            satisfaction: load_review(conn, id)?.map(|r| r.satisfaction),
            key,
            kind,
            owner,
            moves,
            authorized_windows,
            costs,
        });
    }
    Ok(out)
}
