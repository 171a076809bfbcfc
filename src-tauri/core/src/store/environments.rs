//! Test environments: the inventory, installs, snapshots and reverts, bookings.

use std::collections::{BTreeMap, HashMap};

use super::sql::{Conn, OptionalExtension, Tx, params};
use chrono::{DateTime, Utc};

use super::audit::{self, Entry};
use super::domain::{production_versions, release_id};
use super::planning::parse_json;
use super::{Store, live_release, not_found};
use crate::error::{Error, FieldError, Result};
use crate::inventory::{Inventory, InventorySummary};
use crate::message::{Message, time};
use crate::people::TeamRole;
use crate::testing::{
    Booking, BookingPurpose, Drift, EnvState, Environment, EnvironmentView, JudgedRun, Lineage,
    Revert, Snapshot, Source, TestPolicy, VersionChange, Versions, booking_conflict, drift,
    expected_versions, snapshot_view, versions_at, warnings,
};
use crate::transfer::{BookingRecord, EnvironmentRecord};
use crate::work::Work;

pub(super) fn env_not_found(name: &str) -> Error {
    Error::NotFound {
        what: "environment",
        key: name.to_string(),
    }
}

fn refused(field: &'static str, message: String) -> Error {
    Error::Conflict {
        field: Some(field),
        message,
    }
}

const POLICY_KEY: &str = "test_policy";

impl Store {
    pub fn test_policy(&self) -> Result<TestPolicy> {
        load_policy(&self.conn)
    }

    pub fn set_test_policy(
        &mut self,
        policy: &TestPolicy,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if policy.snapshot_age_hours == 0 || policy.clone_age_days == 0 {
            return Err(Error::Validation(vec![FieldError::said(
                "policy",
                Message::new("env.age_limits"),
            )]));
        }
        let tx = self.write(TeamRole::Admin)?;
        let before = load_policy(&tx)?;
        let text = serde_json::to_string(policy).map_err(|e| Error::Internal(e.to_string()))?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            params![POLICY_KEY, text],
        )?;
        let entry = Entry::new("setting", POLICY_KEY, "update").field(
            "test_policy",
            serde_json::to_string(&before).ok(),
            Some(text),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(())
    }

    pub fn create_environment(
        &mut self,
        env: &Environment,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Environment> {
        env.validate()?;
        let tx = self.write(TeamRole::Tester)?;
        if env_id(&tx, &env.name)?.is_some() {
            return Err(refused(
                "name",
                format!(
                    "an environment named {} exists; choose another name",
                    env.name
                ),
            ));
        }
        insert_env(&tx, env)?;
        let entry = Entry::new("environment", &env.name, "create")
            .after(serde_json::to_string(env).unwrap_or_default());
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(env.clone())
    }

    /// Every environment's view, read a table at a time: per environment, a whole vCenter
    /// (50,000 VMs) took 400,000 statements, and on a server as many round trips.
    pub fn list_environments(&self, now: DateTime<Utc>) -> Result<Vec<EnvironmentView>> {
        let conn = &self.conn;
        let policy = load_policy(conn)?;
        let production = production_versions(conn)?;
        let mut changes = changes_of(conn, None)?;
        let mut snapshots = snapshots_of(conn, None)?;
        let mut reverts = reverts_of(conn, None)?;
        let mut bookings: HashMap<String, Vec<Booking>> = HashMap::new();
        for booking in load_bookings(conn, None, None)? {
            bookings
                .entry(booking.env.clone())
                .or_default()
                .push(booking);
        }
        let tested = envs_with_runs(conn)?;
        load_envs(conn)?
            .into_iter()
            .map(|(id, env)| {
                let parts = EnvParts {
                    history: changes.remove(&id).unwrap_or_default(),
                    snapshots: snapshots.remove(&id).unwrap_or_default(),
                    reverts: reverts.remove(&id).unwrap_or_default(),
                    bookings: bookings.remove(&env.name).unwrap_or_default(),
                    runs: if tested.contains(&id) {
                        super::testing::runs_on_env(conn, id)?
                    } else {
                        vec![]
                    },
                    env,
                };
                assemble(conn, parts, None, now, &policy, &production)
            })
            .collect()
    }

    /// One environment; drift against `release`'s targets when given, production's otherwise.
    pub fn environment(
        &self,
        name: &str,
        release: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<EnvironmentView> {
        view(&self.conn, name, release, now)
    }

    /// Records that `version` of `ci` was installed on the environment at `at`.
    #[allow(clippy::too_many_arguments)]
    pub fn record_install(
        &mut self,
        env: &str,
        ci: &str,
        version: &str,
        at: DateTime<Utc>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<EnvironmentView> {
        let mut errors = Vec::new();
        if ci.trim().is_empty() {
            errors.push(FieldError::said("ci", Message::new("env.install_ci")));
        }
        if version.trim().is_empty() {
            errors.push(FieldError::said(
                "version",
                Message::new("env.install_version"),
            ));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let tx = self.write(TeamRole::Tester)?;
        let id = env_id(&tx, env)?.ok_or_else(|| env_not_found(env))?;
        let before = versions_at(&load_changes(&tx, id)?, at).get(ci).cloned();
        tx.execute(
            "INSERT INTO env_versions (env_id, ci, version, at) VALUES (?1, ?2, ?3, ?4)",
            params![id, ci.trim(), version.trim(), at],
        )?;
        let entry = Entry::new("environment", env, "install").field(
            "version",
            before.map(|v| format!("{ci} {v}")),
            Some(format!("{ci} {version} at {at}")),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        view(&self.conn, env, None, now)
    }

    /// Takes a snapshot: it remembers the versions installed at `at`.
    #[allow(clippy::too_many_arguments)]
    pub fn take_snapshot(
        &mut self,
        env: &str,
        name: &str,
        note: &str,
        at: DateTime<Utc>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<EnvironmentView> {
        if name.trim().is_empty() {
            return Err(Error::Validation(vec![FieldError::said(
                "snapshot",
                Message::new("env.snapshot_name"),
            )]));
        }
        let tx = self.write(TeamRole::Tester)?;
        let id = env_id(&tx, env)?.ok_or_else(|| env_not_found(env))?;
        if load_snapshots(&tx, id)?
            .iter()
            .any(|s| s.name == name.trim())
        {
            return Err(refused(
                "snapshot",
                format!("{env} already has a snapshot named '{name}'"),
            ));
        }
        let versions = versions_at(&load_changes(&tx, id)?, at);
        put_snapshot(
            &tx,
            id,
            &Snapshot {
                name: name.trim().to_string(),
                at,
                versions,
                note: note.to_string(),
                exempt: None,
            },
        )?;
        let entry = Entry::new("environment", env, "snapshot").after(format!("{name} at {at}"));
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        view(&self.conn, env, None, now)
    }

    /// Reverts the environment to a snapshot: what is installed becomes what it holds.
    pub fn revert_snapshot(
        &mut self,
        env: &str,
        snapshot: &str,
        at: DateTime<Utc>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<EnvironmentView> {
        let tx = self.write(TeamRole::Tester)?;
        let id = env_id(&tx, env)?.ok_or_else(|| env_not_found(env))?;
        revert(&tx, id, env, snapshot, at)?;
        let entry = Entry::new("environment", env, "revert").after(format!("{snapshot} at {at}"));
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        view(&self.conn, env, None, now)
    }

    /// Exempts a baseline snapshot from the age limit, with the reason; `None` lifts it.
    pub fn exempt_snapshot(
        &mut self,
        env: &str,
        snapshot: &str,
        reason: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<EnvironmentView> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let tx = self.write(TeamRole::Tester)?;
        let id = env_id(&tx, env)?.ok_or_else(|| env_not_found(env))?;
        let changed = tx.execute(
            "UPDATE snapshots SET exempt = ?1 WHERE env_id = ?2 AND name = ?3",
            params![reason.map(|r| format!("{r} ({actor})")), id, snapshot],
        )?;
        if changed == 0 {
            return Err(snapshot_not_found(env, snapshot));
        }
        let entry = Entry::new("environment", env, "exempt").field(
            "snapshot",
            Some(snapshot.to_string()),
            reason.map(str::to_string),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        view(&self.conn, env, None, now)
    }

    /// Books an environment for a release. Refused, naming the other booking, when it would
    /// exceed the environment's capacity or share it with a code or config change.
    /// Freezes do not apply: they protect production, not test environments.
    #[allow(clippy::too_many_arguments)]
    pub fn book_environment(
        &mut self,
        env: &str,
        release: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        purpose: BookingPurpose,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking> {
        let tx = self.write(TeamRole::Tester)?;
        let env_row = env_id(&tx, env)?.ok_or_else(|| env_not_found(env))?;
        live_release(&tx, release)?.ok_or_else(|| not_found(release))?;
        let state: EnvState = tx.query_row(
            "SELECT state FROM environments WHERE id = ?1",
            [env_row],
            |r| r.get(0),
        )?;
        if state == EnvState::Retired {
            return Err(refused(
                "env",
                format!("{env} is retired; book another environment"),
            ));
        }
        let mut booking = Booking {
            id: 0,
            env: env.to_string(),
            release: release.to_string(),
            from,
            to,
            purpose,
            by: actor.to_string(),
        };
        booking.id = insert_booking(&tx, &booking)?;
        let entry = Entry::new("environment", env, "book").after(booking.describe());
        let on_release = Entry::new("release", release, "book").after(booking.describe());
        audit::append(&tx, actor, now, vec![entry, on_release])?;
        tx.commit()?;
        Ok(booking)
    }

    /// Cancels a booking (its undo): it no longer blocks others nor covers runs.
    pub fn cancel_booking(&mut self, id: i64, actor: &str, now: DateTime<Utc>) -> Result<Booking> {
        let tx = self.write(TeamRole::Tester)?;
        let booking = load_bookings(&tx, None, None)?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or_else(|| Error::NotFound {
                what: "booking",
                key: format!("#{id}"),
            })?;
        tx.execute("UPDATE bookings SET cancelled = 1 WHERE id = ?1", [id])?;
        let entry =
            Entry::new("environment", &booking.env, "cancel booking").after(booking.describe());
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(booking)
    }

    /// Every booking not cancelled, of one environment or all.
    pub fn bookings(&self, env: Option<&str>) -> Result<Vec<Booking>> {
        let id = match env {
            Some(name) => Some(env_id(&self.conn, name)?.ok_or_else(|| env_not_found(name))?),
            None => None,
        };
        load_bookings(&self.conn, id, None)
    }
}

pub(super) fn load_policy(conn: &Conn) -> Result<TestPolicy> {
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [POLICY_KEY],
            |r| r.get(0),
        )
        .optional()?;
    match text {
        Some(t) => parse_json(&t),
        None => Ok(TestPolicy::default()),
    }
}

pub(super) fn env_id(conn: &Conn, name: &str) -> Result<Option<i64>> {
    conn.query_row("SELECT id FROM environments WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()
}

fn snapshot_not_found(env: &str, snapshot: &str) -> Error {
    Error::NotFound {
        what: "snapshot",
        key: format!("'{snapshot}' of {env}"),
    }
}

/// One statement, one round trip to a server: an import of a whole vCenter makes thousands.
pub(super) fn insert_env(tx: &Tx<'_>, env: &Environment) -> Result<i64> {
    tx.query_row(
        "INSERT INTO environments (name, purpose, host, os, cpus, memory_mb, disk_mb, state,
             owner, capacity, clone_of, clone_kind, cloned_at, source_kind, source_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         RETURNING id",
        params![
            env.name.trim(),
            env.purpose,
            env.host,
            env.os,
            env.cpus,
            env.memory_mb.map(|m| m as i64),
            env.disk_mb.map(|m| m as i64),
            env.state,
            env.owner,
            env.capacity,
            env.lineage.as_ref().map(|l| l.ci.clone()),
            env.lineage.as_ref().map(|l| l.kind),
            env.lineage.as_ref().map(|l| l.at),
            env.source.as_ref().map(|s| s.kind.clone()),
            env.source.as_ref().map(|s| s.id.clone()),
        ],
        |r| r.get(0),
    )
}

/// Writes every field of an environment but its source identity.
fn write_env(tx: &Tx<'_>, id: i64, env: &Environment) -> Result<()> {
    tx.execute(
        "UPDATE environments SET name = ?2, purpose = ?3, host = ?4, os = ?5, cpus = ?6,
             memory_mb = ?7, disk_mb = ?8, state = ?9, owner = ?10, capacity = ?11,
             clone_of = ?12, clone_kind = ?13, cloned_at = ?14
         WHERE id = ?1",
        params![
            id,
            env.name.trim(),
            env.purpose,
            env.host,
            env.os,
            env.cpus,
            env.memory_mb.map(|m| m as i64),
            env.disk_mb.map(|m| m as i64),
            env.state,
            env.owner,
            env.capacity,
            env.lineage.as_ref().map(|l| l.ci.clone()),
            env.lineage.as_ref().map(|l| l.kind),
            env.lineage.as_ref().map(|l| l.at),
        ],
    )?;
    Ok(())
}

/// Updates what an inventory knows of an environment; lineage, owner, purpose and capacity
/// are Relman's own and stay.
pub(super) fn update_from_inventory(tx: &Tx<'_>, id: i64, env: &Environment) -> Result<()> {
    tx.execute(
        "UPDATE environments SET host = ?2, os = ?3, cpus = ?4, memory_mb = ?5, disk_mb = ?6,
             state = CASE WHEN state = 'retired' THEN state ELSE ?7 END
         WHERE id = ?1",
        params![
            id,
            env.host,
            env.os,
            env.cpus,
            env.memory_mb.map(|m| m as i64),
            env.disk_mb.map(|m| m as i64),
            env.state,
        ],
    )?;
    Ok(())
}

const ENV_COLUMNS: &str = "name, purpose, host, os, cpus, memory_mb, disk_mb, state, owner,
    capacity, clone_of, clone_kind, cloned_at, source_kind, source_id, id";

fn env_from_row(r: &super::sql::Row<'_>) -> rusqlite::Result<Environment> {
    let lineage = match (r.get::<Option<String>>(10)?, r.get(11)?, r.get(12)?) {
        (Some(ci), Some(kind), Some(at)) => Some(Lineage { ci, kind, at }),
        _ => None,
    };
    let source = match (r.get::<Option<String>>(13)?, r.get::<Option<String>>(14)?) {
        (Some(kind), Some(id)) => Some(Source { kind, id }),
        _ => None,
    };
    Ok(Environment {
        name: r.get(0)?,
        purpose: r.get(1)?,
        host: r.get(2)?,
        os: r.get(3)?,
        cpus: r.get(4)?,
        memory_mb: r.get::<Option<i64>>(5)?.map(|m| m as u64),
        disk_mb: r.get::<Option<i64>>(6)?.map(|m| m as u64),
        state: r.get(7)?,
        owner: r.get(8)?,
        capacity: r.get(9)?,
        lineage,
        source,
    })
}

pub(super) fn load_env(conn: &Conn, id: i64) -> Result<Environment> {
    conn.query_row(
        &format!("SELECT {ENV_COLUMNS} FROM environments WHERE id = ?1"),
        [id],
        env_from_row,
    )
}

/// Every environment with its id, by name.
fn load_envs(conn: &Conn) -> Result<Vec<(i64, Environment)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ENV_COLUMNS} FROM environments ORDER BY name"
    ))?;
    let rows = stmt.query_map((), |r| Ok((r.get::<i64>(15)?, env_from_row(r)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn load_changes(conn: &Conn, env: i64) -> Result<Vec<VersionChange>> {
    Ok(changes_of(conn, Some(env))?
        .remove(&env)
        .unwrap_or_default())
}

/// The version history of one environment, or of all: by environment id.
fn changes_of(conn: &Conn, env: Option<i64>) -> Result<HashMap<i64, Vec<VersionChange>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT env_id, ci, version, at, revert_to FROM env_versions
         WHERE CAST(?1 AS BIGINT) IS NULL OR env_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([env], |r| {
        let change = VersionChange {
            ci: r.get(1)?,
            version: r.get(2)?,
            at: r.get(3)?,
            revert_to: r.get(4)?,
        };
        Ok((r.get::<i64>(0)?, change))
    })?;
    grouped(rows)
}

fn grouped<T>(
    rows: impl Iterator<Item = rusqlite::Result<(i64, T)>>,
) -> Result<HashMap<i64, Vec<T>>> {
    let mut by_env: HashMap<i64, Vec<T>> = HashMap::new();
    for row in rows {
        let (env, item) = row?;
        by_env.entry(env).or_default().push(item);
    }
    Ok(by_env)
}

pub(super) fn load_reverts(conn: &Conn, env: i64) -> Result<Vec<Revert>> {
    Ok(reverts_of(conn, Some(env))?
        .remove(&env)
        .unwrap_or_default())
}

fn reverts_of(conn: &Conn, env: Option<i64>) -> Result<HashMap<i64, Vec<Revert>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT env_id, snapshot, at FROM reverts
         WHERE CAST(?1 AS BIGINT) IS NULL OR env_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([env], |r| {
        let revert = Revert {
            snapshot: r.get(1)?,
            at: r.get(2)?,
        };
        Ok((r.get::<i64>(0)?, revert))
    })?;
    grouped(rows)
}

pub(super) fn load_snapshots(conn: &Conn, env: i64) -> Result<Vec<Snapshot>> {
    Ok(snapshots_of(conn, Some(env))?
        .remove(&env)
        .unwrap_or_default())
}

fn snapshots_of(conn: &Conn, env: Option<i64>) -> Result<HashMap<i64, Vec<Snapshot>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT env_id, name, at, versions, note, exempt FROM snapshots
         WHERE CAST(?1 AS BIGINT) IS NULL OR env_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([env], |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<String>(1)?,
            r.get(2)?,
            r.get::<String>(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })?;
    let mut by_env: HashMap<i64, Vec<Snapshot>> = HashMap::new();
    for row in rows {
        let (env, name, at, versions, note, exempt) = row?;
        by_env.entry(env).or_default().push(Snapshot {
            name,
            at,
            versions: parse_json(&versions)?,
            note,
            exempt,
        });
    }
    Ok(by_env)
}

pub(super) fn put_snapshot(tx: &Tx<'_>, env: i64, s: &Snapshot) -> Result<()> {
    let versions =
        serde_json::to_string(&s.versions).map_err(|e| Error::Internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO snapshots (env_id, name, at, versions, note, exempt) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (env_id, name) DO UPDATE SET at = ?3, note = ?5",
        params![env, s.name, s.at, versions, s.note, s.exempt],
    )?;
    Ok(())
}

/// Sets what is installed to what `snapshot` holds, and records the revert.
pub(super) fn revert(
    tx: &Tx<'_>,
    id: i64,
    env: &str,
    snapshot: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let snap = load_snapshots(tx, id)?
        .into_iter()
        .find(|s| s.name == snapshot)
        .ok_or_else(|| snapshot_not_found(env, snapshot))?;
    if snap.at > at {
        return Err(Error::Validation(vec![FieldError::said(
            "at",
            Message::new("env.snapshot_later")
                .with("snapshot", snapshot)
                .with("at", time(snap.at, "UTC")),
        )]));
    }
    let now_installed = versions_at(&load_changes(tx, id)?, at);
    let mut insert = tx.prepare(
        "INSERT INTO env_versions (env_id, ci, version, at, revert_to) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for ci in now_installed
        .keys()
        .filter(|ci| !snap.versions.contains_key(*ci))
    {
        insert.execute(params![id, ci, None::<String>, at, snapshot])?;
    }
    for (ci, version) in &snap.versions {
        if now_installed.get(ci) != Some(version) {
            insert.execute(params![id, ci, version, at, snapshot])?;
        }
    }
    tx.execute(
        "INSERT INTO reverts (env_id, snapshot, at) VALUES (?1, ?2, ?3)",
        params![id, snapshot, at],
    )?;
    Ok(())
}

/// Bookings not cancelled, of one environment and/or one release (by id), in time order.
pub(super) fn load_bookings(
    conn: &Conn,
    env: Option<i64>,
    release: Option<i64>,
) -> Result<Vec<Booking>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.id, e.name, r.key, b.from_at, b.to_at, b.purpose, b.booked_by
         FROM bookings b JOIN environments e ON e.id = b.env_id JOIN releases r ON r.id = b.release_id
         WHERE b.cancelled = 0 AND (CAST(?1 AS BIGINT) IS NULL OR b.env_id = ?1) AND (CAST(?2 AS BIGINT) IS NULL OR b.release_id = ?2)
         ORDER BY b.from_at, b.id",
    )?;
    let rows = stmt.query_map(params![env, release], |r| {
        Ok(Booking {
            id: r.get(0)?,
            env: r.get(1)?,
            release: r.get(2)?,
            from: r.get(3)?,
            to: r.get(4)?,
            purpose: r.get(5)?,
            by: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The release's target versions: its package's components that have one.
pub(super) fn release_targets(conn: &Conn, release_id: i64) -> Result<Versions> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.name, p.to_version FROM components p JOIN cis c ON c.id = p.ci_id
         WHERE p.release_id = ?1 AND p.to_version IS NOT NULL",
    )?;
    let rows = stmt.query_map([release_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The drift of what is installed against a release (or production when `release` is `None`).
pub(super) fn drift_of(
    conn: &Conn,
    installed: &Versions,
    release: Option<i64>,
    production: &BTreeMap<String, Option<String>>,
) -> Result<Vec<Drift>> {
    let targets = match release {
        Some(id) => release_targets(conn, id)?,
        None => Versions::new(),
    };
    Ok(drift(
        installed,
        &expected_versions(installed, &targets, production),
    ))
}

fn view(
    conn: &Conn,
    name: &str,
    release: Option<&str>,
    now: DateTime<Utc>,
) -> Result<EnvironmentView> {
    let policy = load_policy(conn)?;
    let production = production_versions(conn)?;
    view_with(conn, name, release, now, &policy, &production)
}

fn view_with(
    conn: &Conn,
    name: &str,
    release: Option<&str>,
    now: DateTime<Utc>,
    policy: &TestPolicy,
    production: &BTreeMap<String, Option<String>>,
) -> Result<EnvironmentView> {
    let id = env_id(conn, name)?.ok_or_else(|| env_not_found(name))?;
    let parts = EnvParts {
        env: load_env(conn, id)?,
        history: load_changes(conn, id)?,
        snapshots: load_snapshots(conn, id)?,
        reverts: load_reverts(conn, id)?,
        bookings: load_bookings(conn, Some(id), None)?,
        runs: super::testing::runs_on_env(conn, id)?,
    };
    assemble(conn, parts, release, now, policy, production)
}

/// What an environment's view is made of, as stored.
struct EnvParts {
    env: Environment,
    history: Vec<VersionChange>,
    snapshots: Vec<Snapshot>,
    reverts: Vec<Revert>,
    bookings: Vec<Booking>,
    runs: Vec<JudgedRun>,
}

fn assemble(
    conn: &Conn,
    parts: EnvParts,
    release: Option<&str>,
    now: DateTime<Utc>,
    policy: &TestPolicy,
    production: &BTreeMap<String, Option<String>>,
) -> Result<EnvironmentView> {
    let versions = versions_at(&parts.history, now);
    let release_row = match release {
        Some(key) => Some(release_id(conn, key)?),
        None => None,
    };
    let drift = drift_of(conn, &versions, release_row, production)?;
    let snapshots: Vec<_> = parts
        .snapshots
        .into_iter()
        .map(|s| snapshot_view(s, policy, now))
        .collect();
    Ok(EnvironmentView {
        warnings: warnings(&parts.env, &snapshots, policy, now),
        versions,
        drift,
        drift_for: release.map(str::to_string),
        snapshots,
        history: parts.history,
        reverts: parts.reverts,
        bookings: parts.bookings,
        runs: parts.runs,
        env: parts.env,
    })
}

fn envs_with_runs(conn: &Conn) -> Result<std::collections::HashSet<i64>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT env_id FROM test_runs")?;
    let rows = stmt.query_map((), |r| r.get::<i64>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Brings an inventory in, all or nothing. Environments are matched by their identity in
    /// the inventory (a second import updates them); one created by hand with the same name is
    /// adopted. A changed genid is recorded as a revert to the snapshot the VM runs on.
    pub fn import_inventory(
        &mut self,
        inventory: &Inventory,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<InventorySummary> {
        self.import_inventory_with(inventory, actor, now, Work::quiet())
    }

    /// The same, reporting each VM and snapshot to `work`, and stopping, with nothing
    /// written, when it is told to.
    pub fn import_inventory_with(
        &mut self,
        inventory: &Inventory,
        actor: &str,
        now: DateTime<Utc>,
        work: Work<'_>,
    ) -> Result<InventorySummary> {
        let total = inventory.vms.len() + inventory.snapshots.len();
        work.step(0, total)?;
        let tx = self.write(TeamRole::Tester)?;
        let mut summary = InventorySummary {
            notes: inventory.notes.clone(),
            ..InventorySummary::default()
        };
        let mut problems = Vec::new();
        let mut entries = Vec::new();
        // Environments whose genid changed, with the snapshot they run on.
        let mut reverted: Vec<(i64, String, Option<String>)> = Vec::new();
        // Looked up once, not once a VM: each lookup is a round trip to a server.
        let mut known = KnownEnvironments::read(&tx)?;
        for (done, vm) in inventory.vms.iter().enumerate() {
            work.step(done, total)?;
            let source = vm.env.source.as_ref().expect("an imported VM has a source");
            let id = match known.by_source(source) {
                Some(id) => {
                    update_from_inventory(&tx, id, &vm.env)?;
                    summary.updated.push(load_env(&tx, id)?.name);
                    id
                }
                None => match known.by_name(&vm.env.name) {
                    Some(id) if load_env(&tx, id)?.source.is_none() => {
                        tx.execute(
                            "UPDATE environments SET source_kind = ?2, source_id = ?3 WHERE id = ?1",
                            params![id, source.kind, source.id],
                        )?;
                        known.add(id, &vm.env);
                        update_from_inventory(&tx, id, &vm.env)?;
                        summary.updated.push(vm.env.name.clone());
                        id
                    }
                    Some(_) => {
                        problems.push(format!(
                            "{}: an environment named {} already comes from another VM; rename one of them",
                            vm.origin, vm.env.name
                        ));
                        continue;
                    }
                    None => {
                        let id = insert_env(&tx, &vm.env)?;
                        known.add(id, &vm.env);
                        summary.created.push(vm.env.name.clone());
                        entries.push(
                            Entry::new("environment", &vm.env.name, "import")
                                .after(vm.origin.clone()),
                        );
                        id
                    }
                },
            };
            if let Some(genid) = &vm.genid {
                let before: Option<String> = tx.query_row(
                    "SELECT source_genid FROM environments WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )?;
                tx.execute(
                    "UPDATE environments SET source_genid = ?2 WHERE id = ?1",
                    params![id, genid],
                )?;
                if before.is_some_and(|b| &b != genid) {
                    reverted.push((id, vm.env.name.clone(), vm.current_snapshot.clone()));
                }
            }
        }
        for (done, s) in inventory.snapshots.iter().enumerate() {
            work.step(inventory.vms.len() + done, total)?;
            let Some(id) = known.by_source(&s.source) else {
                problems.push(format!(
                    "{}: VM '{}' ({}) is neither in this import nor in Relman; import its vInfo / domain XML too",
                    s.origin, s.vm, s.source.id
                ));
                continue;
            };
            let mut snapshot = s.snapshot.clone();
            snapshot.versions = versions_at(&load_changes(&tx, id)?, snapshot.at);
            put_snapshot(&tx, id, &snapshot)?;
            summary.snapshots += 1;
        }
        if !problems.is_empty() {
            return Err(Error::Validation(
                problems
                    .into_iter()
                    .map(|p| FieldError::new("file", p))
                    .collect(),
            ));
        }
        // Reverts last: the snapshot reverted to may have arrived in this same import.
        for (id, vm_name, current) in reverted {
            let target = match current {
                Some(name) => Some(name),
                None => load_snapshots(&tx, id)?
                    .into_iter()
                    .max_by_key(|s| s.at)
                    .map(|s| s.name),
            };
            match target {
                Some(snapshot) => {
                    revert(&tx, id, &vm_name, &snapshot, now)?;
                    summary
                        .reverts
                        .push(format!("{vm_name} reverted to '{snapshot}'"));
                    entries.push(
                        Entry::new("environment", &vm_name, "revert")
                            .after(format!("{snapshot} (genid changed)")),
                    );
                }
                None => summary
                    .skipped
                    .push(format!("{vm_name}: genid changed but no snapshot is known")),
            }
        }
        entries.push(Entry::new("inventory", "import", "import").after(summary.describe()));
        audit::append(&tx, actor, now, entries)?;
        // The last moment to stop: after this, all of it is saved.
        work.step(total, total)?;
        tx.commit()?;
        Ok(summary)
    }
}

/// The environments an import matches its VMs against: by their source, else by name.
struct KnownEnvironments {
    by_source: std::collections::HashMap<(String, String), i64>,
    by_name: std::collections::HashMap<String, i64>,
}

impl KnownEnvironments {
    fn read(conn: &Conn) -> Result<KnownEnvironments> {
        let mut known = KnownEnvironments {
            by_source: Default::default(),
            by_name: Default::default(),
        };
        let mut stmt = conn.prepare("SELECT id, name, source_kind, source_id FROM environments")?;
        for row in stmt.query_map((), |r| {
            Ok((
                r.get::<i64>(0)?,
                r.get::<String>(1)?,
                r.get::<Option<String>>(2)?,
                r.get::<Option<String>>(3)?,
            ))
        })? {
            let (id, name, kind, source) = row?;
            if let (Some(kind), Some(source)) = (kind, source) {
                known.by_source.insert((kind, source), id);
            }
            known.by_name.insert(name, id);
        }
        Ok(known)
    }

    fn by_source(&self, source: &Source) -> Option<i64> {
        self.by_source
            .get(&(source.kind.clone(), source.id.clone()))
            .copied()
    }

    fn by_name(&self, name: &str) -> Option<i64> {
        self.by_name.get(name.trim()).copied()
    }

    fn add(&mut self, id: i64, env: &Environment) {
        if let Some(source) = &env.source {
            self.by_source
                .insert((source.kind.clone(), source.id.clone()), id);
        }
        self.by_name.insert(env.name.trim().to_string(), id);
    }
}

/// An environment as the exchange format holds it.
pub(super) fn export_environment(conn: &Conn, name: &str) -> Result<EnvironmentRecord> {
    let id = env_id(conn, name)?.ok_or_else(|| env_not_found(name))?;
    Ok(EnvironmentRecord {
        env: load_env(conn, id)?,
        history: load_changes(conn, id)?,
        snapshots: load_snapshots(conn, id)?,
        reverts: load_reverts(conn, id)?,
    })
}

pub(super) fn environment_names(conn: &Conn) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM environments ORDER BY name")?;
    let rows = stmt.query_map((), |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn import_environment(tx: &Tx<'_>, record: &EnvironmentRecord) -> Result<()> {
    record.env.validate()?;
    if env_id(tx, &record.env.name)?.is_some() {
        return Err(refused(
            "name",
            format!("an environment named {} exists already", record.env.name),
        ));
    }
    let id = insert_env(tx, &record.env)?;
    for c in &record.history {
        tx.execute(
            "INSERT INTO env_versions (env_id, ci, version, at, revert_to) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, c.ci, c.version, c.at, c.revert_to],
        )?;
    }
    for s in &record.snapshots {
        put_snapshot(tx, id, s)?;
    }
    for r in &record.reverts {
        tx.execute(
            "INSERT INTO reverts (env_id, snapshot, at) VALUES (?1, ?2, ?3)",
            params![id, r.snapshot, r.at],
        )?;
    }
    Ok(())
}

/// The release's bookings, for the exchange format.
pub(super) fn export_bookings(conn: &Conn, release: i64) -> Result<Vec<BookingRecord>> {
    Ok(load_bookings(conn, None, Some(release))?
        .into_iter()
        .map(|b| BookingRecord {
            env: b.env,
            from: b.from,
            to: b.to,
            purpose: b.purpose,
            by: b.by,
        })
        .collect())
}

/// Books as the record says, refused like any booking when it clashes.
pub(super) fn import_booking(tx: &Tx<'_>, release: &str, record: &BookingRecord) -> Result<()> {
    let booking = Booking {
        id: 0,
        env: record.env.clone(),
        release: release.to_string(),
        from: record.from,
        to: record.to,
        purpose: record.purpose,
        by: record.by.clone(),
    };
    insert_booking(tx, &booking).map(|_| ())
}

/// Writes a booking, refused when it ends before it starts or clashes with the environment's
/// other bookings (capacity, code and config changes alone); returns its id.
fn insert_booking(tx: &Tx<'_>, booking: &Booking) -> Result<i64> {
    if booking.to <= booking.from {
        return Err(Error::Validation(vec![FieldError::said(
            "to",
            Message::new("booking.backwards"),
        )]));
    }
    let env = env_id(tx, &booking.env)?.ok_or_else(|| env_not_found(&booking.env))?;
    let rel = release_id(tx, &booking.release)?;
    let capacity: u32 = tx.query_row(
        "SELECT capacity FROM environments WHERE id = ?1",
        [env],
        |r| r.get(0),
    )?;
    booking_conflict(&load_bookings(tx, Some(env), None)?, capacity, booking)
        .map_err(|m| refused("from", m))?;
    tx.execute(
        "INSERT INTO bookings (env_id, release_id, from_at, to_at, purpose, booked_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            env,
            rel,
            booking.from,
            booking.to,
            booking.purpose,
            booking.by
        ],
    )?;
    tx.last_insert_rowid("bookings")
}

impl Store {
    /// Edits an environment by hand (its state, capacity, purpose, owner, sizing, lineage).
    /// A smaller capacity is refused while bookings already need more.
    pub fn update_environment(
        &mut self,
        name: &str,
        env: &Environment,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<EnvironmentView> {
        env.validate()?;
        let tx = self.write(TeamRole::Tester)?;
        let id = env_id(&tx, name)?.ok_or_else(|| env_not_found(name))?;
        let before = load_env(&tx, id)?;
        if env.name.trim() != name && env_id(&tx, env.name.trim())?.is_some() {
            return Err(refused(
                "name",
                format!(
                    "an environment named {} exists; choose another name",
                    env.name.trim()
                ),
            ));
        }
        let bookings = load_bookings(&tx, Some(id), None)?;
        for b in &bookings {
            let others: Vec<Booking> = bookings.iter().filter(|o| o.id != b.id).cloned().collect();
            booking_conflict(&others, env.capacity, b).map_err(|m| {
                refused(
                    "capacity",
                    format!("capacity {} is too small: {m}", env.capacity),
                )
            })?;
        }
        write_env(&tx, id, env)?;
        let after = load_env(&tx, id)?;
        let entry = Entry::new("environment", name, "update").field(
            "environment",
            serde_json::to_string(&before).ok(),
            serde_json::to_string(&after).ok(),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        view(&self.conn, &after.name, None, now)
    }
}
