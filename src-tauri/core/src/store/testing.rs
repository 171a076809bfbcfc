//! Test runs and their defects, judged as evidence for the CAB.

use std::collections::BTreeMap;

use super::sql::{Conn, Tx, params};
use chrono::{DateTime, Utc};

use super::audit::{self, Entry};
use super::domain::{production_versions, release_id};
use super::environments::{
    drift_of, env_id, env_not_found, load_bookings, load_changes, load_env, load_policy,
    load_reverts, load_snapshots, release_targets,
};
use super::planning::{parse_json, schedule_for_rules};
use super::{Store, live_release, not_found};
use crate::error::{Error, FieldError, Result};
use crate::people::TeamRole;
use crate::testing::{
    BookedEnvironment, Defect, JudgedRun, RunContext, RunDraft, TestRun, TestingFacts, TestingView,
    expected_versions, problem_free, rollback_fingerprint, versions_at, why_not_counted,
};
use crate::transfer::RunRecord;

impl Store {
    /// Records a test run. The versions installed on its environment when it started are kept
    /// with it; a rollback rehearsal also keeps the rollback plan it rehearsed.
    pub fn record_run(
        &mut self,
        draft: &RunDraft,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<JudgedRun> {
        draft.validate()?;
        let tx = self.write(TeamRole::Tester)?;
        live_release(&tx, &draft.release)?.ok_or_else(|| not_found(&draft.release))?;
        let rel = release_id(&tx, &draft.release)?;
        let env = env_id(&tx, &draft.env)?.ok_or_else(|| env_not_found(&draft.env))?;
        let rollback = match draft.kind {
            crate::testing::TestKind::RollbackRehearsal => {
                schedule_for_rules(&tx, &draft.release)?.map(|s| rollback_fingerprint(&s))
            }
            _ => None,
        };
        let record = RunRecord {
            env: draft.env.clone(),
            kind: draft.kind,
            result: draft.result,
            from: draft.from,
            to: draft.to,
            defects: draft
                .defects
                .iter()
                .map(|d| Defect {
                    id: d.id.trim().to_string(),
                    severity: d.severity,
                    opened_at: draft.to,
                    closed_at: None,
                })
                .collect(),
            notes: draft.notes.clone(),
            evidence: draft.evidence.clone(),
            versions: versions_at(&load_changes(&tx, env)?, draft.from),
            rollback,
            by: actor.to_string(),
        };
        let id = insert_run(&tx, rel, &record)?;
        let text = format!(
            "run #{id}: {} {} on {} ({} – {})",
            draft.kind, draft.result, draft.env, draft.from, draft.to
        );
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("release", &draft.release, "test run").after(text)],
        )?;
        tx.commit()?;
        judged_runs(&self.conn, rel)?
            .into_iter()
            .find(|r| r.run.id == id)
            .ok_or_else(|| Error::Internal("the run just recorded is gone".into()))
    }

    /// Closes (or, with `at` = `None`, reopens) a defect found in one of the release's runs.
    pub fn close_defect(
        &mut self,
        release: &str,
        defect: &str,
        at: Option<DateTime<Utc>>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Defect> {
        let tx = self.write(TeamRole::Tester)?;
        let rel = release_id(&tx, release)?;
        let (run, mut found) = find_defect(&tx, rel, defect)?.ok_or_else(|| Error::NotFound {
            what: "defect",
            key: format!("{defect} of {release}"),
        })?;
        if let Some(at) = at
            && at < found.opened_at
        {
            return Err(Error::Validation(vec![FieldError::new(
                "at",
                format!(
                    "{defect} was found at {}; it cannot close before",
                    found.opened_at
                ),
            )]));
        }
        tx.execute(
            "UPDATE defects SET closed_at = ?1 WHERE run_id = ?2 AND key = ?3",
            params![at, run, defect],
        )?;
        let entry = Entry::new(
            "release",
            release,
            if at.is_some() {
                "close defect"
            } else {
                "reopen defect"
            },
        )
        .field(
            "defect",
            found.closed_at.map(|c| format!("{defect} closed {c}")),
            at.map(|c| format!("{defect} closed {c}")),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        found.closed_at = at;
        Ok(found)
    }

    /// The runs of a release, each with whether it counts and why not.
    pub fn test_runs(&self, release: &str) -> Result<Vec<JudgedRun>> {
        judged_runs(&self.conn, release_id(&self.conn, release)?)
    }

    /// The Testing tab: bookings, drift of the booked environments, runs, the problem-free
    /// period at `now`, and the four testing rules.
    pub fn testing(&self, release: &str, now: DateTime<Utc>) -> Result<TestingView> {
        let r = live_release(&self.conn, release)?.ok_or_else(|| not_found(release))?;
        let rel = release_id(&self.conn, release)?;
        let facts = testing_facts(&self.conn, release, rel)?;
        let mut envs: Vec<String> = facts.bookings.iter().map(|b| b.env.clone()).collect();
        envs.sort();
        envs.dedup();
        let production = production_versions(&self.conn)?;
        let environments = envs
            .into_iter()
            .map(|name| {
                let id = env_id(&self.conn, &name)?.ok_or_else(|| env_not_found(&name))?;
                let installed = versions_at(&load_changes(&self.conn, id)?, now);
                Ok(BookedEnvironment {
                    drift: drift_of(&self.conn, &installed, Some(rel), &production)?,
                    env: name,
                })
            })
            .collect::<Result<_>>()?;
        let rules = self
            .check_all_rules(release, now)?
            .rules
            .into_iter()
            .map(|g| g.result)
            .filter(|r| r.code.starts_with("TEST-"))
            .collect();
        Ok(TestingView {
            release: release.to_string(),
            required: facts
                .policy
                .required
                .get(&r.release_type)
                .cloned()
                .unwrap_or_default(),
            problem_free: problem_free(&facts, r.release_type, now),
            bookings: facts.bookings,
            environments,
            runs: facts.runs,
            rules,
        })
    }
}

fn find_defect(tx: &Tx<'_>, release: i64, key: &str) -> Result<Option<(i64, Defect)>> {
    let mut stmt = tx.prepare(
        "SELECT d.run_id, d.key, d.severity, d.opened_at, d.closed_at
         FROM defects d JOIN test_runs t ON t.id = d.run_id
         WHERE t.release_id = ?1 AND d.key = ?2",
    )?;
    let mut rows = stmt.query_map(params![release, key], |r| {
        Ok((
            r.get(0)?,
            Defect {
                id: r.get(1)?,
                severity: r.get(2)?,
                opened_at: r.get(3)?,
                closed_at: r.get(4)?,
            },
        ))
    })?;
    Ok(rows.next().transpose()?)
}

const RUN_COLUMNS: &str = "SELECT t.id, r.key, e.name, t.kind, t.result, t.from_at, t.to_at, t.notes,
        t.evidence, t.versions, t.rollback, t.recorded_by, t.env_id, t.release_id
     FROM test_runs t JOIN releases r ON r.id = t.release_id JOIN environments e ON e.id = t.env_id";

/// Runs with their environment and release ids.
fn load_runs(conn: &Conn, filter: &str, id: i64) -> Result<Vec<(TestRun, i64, i64)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{RUN_COLUMNS} WHERE {filter} = ?1 ORDER BY t.from_at, t.id"
    ))?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get::<String>(7)?,
            r.get::<Option<String>>(8)?,
            r.get::<String>(9)?,
            r.get::<Option<String>>(10)?,
            r.get::<String>(11)?,
            r.get::<i64>(12)?,
            r.get::<i64>(13)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (
            id,
            release,
            env,
            kind,
            result,
            from,
            to,
            notes,
            evidence,
            versions,
            rollback,
            by,
            env_id,
            rel,
        ) = row?;
        out.push((
            TestRun {
                id,
                release,
                env,
                kind,
                result,
                from,
                to,
                defects: load_defects(conn, id)?,
                notes,
                evidence,
                versions: parse_json(&versions)?,
                rollback,
                by,
            },
            env_id,
            rel,
        ));
    }
    Ok(out)
}

fn load_defects(conn: &Conn, run: i64) -> Result<Vec<Defect>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, severity, opened_at, closed_at FROM defects WHERE run_id = ?1 ORDER BY key",
    )?;
    let rows = stmt.query_map([run], |r| {
        Ok(Defect {
            id: r.get(0)?,
            severity: r.get(1)?,
            opened_at: r.get(2)?,
            closed_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Judges runs: each against its environment's bookings, history, snapshots and clone, and
/// its release's targets.
fn judge(conn: &Conn, runs: Vec<(TestRun, i64, i64)>) -> Result<Vec<JudgedRun>> {
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let policy = load_policy(conn)?;
    let production = production_versions(conn)?;
    let mut targets = BTreeMap::new();
    let mut envs = BTreeMap::new();
    let mut out = Vec::with_capacity(runs.len());
    for (run, env, rel) in runs {
        if let std::collections::btree_map::Entry::Vacant(e) = targets.entry(rel) {
            e.insert(release_targets(conn, rel)?);
        }
        if let std::collections::btree_map::Entry::Vacant(e) = envs.entry(env) {
            e.insert((
                load_bookings(conn, Some(env), None)?,
                load_changes(conn, env)?,
                load_reverts(conn, env)?,
                load_snapshots(conn, env)?,
                load_env(conn, env)?.lineage,
            ));
        }
        let (bookings, changes, reverts, snapshots, lineage) = &envs[&env];
        let expected = expected_versions(&run.versions, &targets[&rel], &production);
        let why_not = why_not_counted(
            &run,
            &RunContext {
                bookings,
                changes,
                reverts,
                snapshots,
                lineage: lineage.as_ref(),
                expected: &expected,
                policy: &policy,
            },
        );
        out.push(JudgedRun {
            counts: why_not.is_empty(),
            why_not,
            run,
        });
    }
    Ok(out)
}

fn judged_runs(conn: &Conn, release: i64) -> Result<Vec<JudgedRun>> {
    judge(conn, load_runs(conn, "t.release_id", release)?)
}

pub(super) fn runs_on_env(conn: &Conn, env: i64) -> Result<Vec<JudgedRun>> {
    judge(conn, load_runs(conn, "t.env_id", env)?)
}

/// What the testing rules look at for a release.
pub(super) fn testing_facts(conn: &Conn, key: &str, release: i64) -> Result<TestingFacts> {
    Ok(TestingFacts {
        runs: judged_runs(conn, release)?,
        bookings: load_bookings(conn, None, Some(release))?,
        policy: load_policy(conn)?,
        rollback: schedule_for_rules(conn, key)?.map(|s| rollback_fingerprint(&s)),
    })
}

/// The release's runs, for the exchange format.
pub(super) fn export_runs(conn: &Conn, release: i64) -> Result<Vec<RunRecord>> {
    Ok(load_runs(conn, "t.release_id", release)?
        .into_iter()
        .map(|(r, _, _)| RunRecord {
            env: r.env,
            kind: r.kind,
            result: r.result,
            from: r.from,
            to: r.to,
            defects: r.defects,
            notes: r.notes,
            evidence: r.evidence,
            versions: r.versions,
            rollback: r.rollback,
            by: r.by,
        })
        .collect())
}

pub(super) fn import_run(tx: &Tx<'_>, release: i64, record: &RunRecord) -> Result<()> {
    insert_run(tx, release, record).map(|_| ())
}

/// Writes a run and its defects; refused when it ends before it starts or names a defect the
/// release already has.
fn insert_run(tx: &Tx<'_>, release: i64, record: &RunRecord) -> Result<i64> {
    let env = env_id(tx, &record.env)?.ok_or_else(|| env_not_found(&record.env))?;
    if record.to < record.from {
        return Err(Error::Validation(vec![FieldError::new(
            "to",
            "the run cannot end before it starts",
        )]));
    }
    for d in &record.defects {
        if find_defect(tx, release, &d.id)?.is_some() {
            return Err(Error::Conflict {
                field: Some("defects"),
                message: format!("defect {} is already recorded for this release", d.id),
            });
        }
    }
    tx.execute(
        "INSERT INTO test_runs (release_id, env_id, kind, result, from_at, to_at, notes, evidence,
             versions, rollback, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            release,
            env,
            record.kind,
            record.result,
            record.from,
            record.to,
            record.notes,
            record.evidence,
            serde_json::to_string(&record.versions).map_err(|e| Error::Internal(e.to_string()))?,
            record.rollback,
            record.by
        ],
    )?;
    let id = tx.last_insert_rowid("test_runs")?;
    for d in &record.defects {
        tx.execute(
            "INSERT INTO defects (run_id, key, severity, opened_at, closed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, d.id, d.severity, d.opened_at, d.closed_at],
        )?;
    }
    Ok(id)
}

/// The demo's environments, bookings and runs; a rehearsal rehearses the demo plan as it is.
pub(super) fn load_demo_testing(tx: &Tx<'_>, now: DateTime<Utc>) -> Result<()> {
    for env in crate::demo::environments(now) {
        match super::environments::import_environment(tx, &env) {
            Ok(()) | Err(Error::Conflict { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    let year = now.format("%Y");
    for (number, bookings, runs) in crate::demo::testing(now) {
        let key = format!("REL-{year}-{number:03}");
        let rel = release_id(tx, &key)?;
        for b in &bookings {
            super::environments::import_booking(tx, &key, b)?;
        }
        let fingerprint = schedule_for_rules(tx, &key)?.map(|s| rollback_fingerprint(&s));
        for mut run in runs {
            if run.kind == crate::testing::TestKind::RollbackRehearsal {
                run.rollback = fingerprint.clone();
            }
            import_run(tx, rel, &run)?;
        }
    }
    Ok(())
}
