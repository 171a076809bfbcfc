//! The SQLite store. All SQL of Relman lives in this module and the ones below it.

mod after;
mod audit;
mod backup;
mod cab;
mod calendar_feed;
mod copy;
mod domain;
mod environments;
mod execution;
mod models;
mod notices;
mod packages;
mod people;
mod planning;
mod reports;
mod server;
mod sql;
mod testing;
mod transfer;

pub use after::{ActivityView, AfterView, Cost, Review};
pub use audit::{AuditRecord, AuditReport};
pub use backup::{RestoreChoice, Restored, kept_path};
pub use copy::{CopySummary, TABLES, TableCount};
pub use domain::Workspace;
pub use packages::{MemberView, PackageView, ReleaseUnit};
pub use planning::{PlanRequest, Progress};
pub use transfer::ImportSummary;

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};
use rusqlite_migration::{M, Migrations};
use serde::Deserialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::package::PackageType;
use crate::people::TeamRole;
use crate::release::{Release, ReleaseDraft, ReleaseType, Risk, Stage, ValidRelease};
use audit::Entry;
pub use server::{
    Listener, ServerForm, is_server_url, pgpass_lookup, postgres_ddl, without_password,
};
#[cfg(any(test, feature = "test-server"))]
pub use server::{scratch, scratch_database};
pub use sql::Engine;
use sql::{Conn, OptionalExtension, Row, Tx, params};

/// The shipped migrations, in order. Never edit one that has shipped: add a new file.
/// (`tests/tests/invariants.rs` holds their checksums and fails when one changes.)
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_releases.sql",
        include_str!("../../migrations/0001_releases.sql"),
    ),
    (
        "0002_domain.sql",
        include_str!("../../migrations/0002_domain.sql"),
    ),
    (
        "0003_planning.sql",
        include_str!("../../migrations/0003_planning.sql"),
    ),
    (
        "0004_new_user_fixes.sql",
        include_str!("../../migrations/0004_new_user_fixes.sql"),
    ),
    (
        "0005_test_environments.sql",
        include_str!("../../migrations/0005_test_environments.sql"),
    ),
    (
        "0006_cab_meetings.sql",
        include_str!("../../migrations/0006_cab_meetings.sql"),
    ),
    (
        "0007_after_deployment.sql",
        include_str!("../../migrations/0007_after_deployment.sql"),
    ),
    (
        "0008_calendar_feed.sql",
        include_str!("../../migrations/0008_calendar_feed.sql"),
    ),
    (
        "0009_change_window.sql",
        include_str!("../../migrations/0009_change_window.sql"),
    ),
    (
        "0010_people.sql",
        include_str!("../../migrations/0010_people.sql"),
    ),
    (
        "0011_release_packages.sql",
        include_str!("../../migrations/0011_release_packages.sql"),
    ),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect())
}

const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Which releases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
pub struct ReleaseFilter {
    pub stage: Option<Stage>,
}

/// One open database. Relman has a single writer: the app keeps one `Store` behind a lock,
/// and every write method takes `&mut self` and runs in one transaction.
pub struct Store {
    conn: Conn,
    /// The file could not be written (its permissions say read-only): reads work, every
    /// write is refused with [`Error::ReadOnly`] before it starts.
    read_only: bool,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::Internal(format!("cannot create the folder {}: {e}", dir.display()))
            })?;
        }
        let read_only = std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
        if read_only {
            return Store::open_read_only(path);
        }
        Store::init(Connection::open(path)?)
    }

    /// A database file nobody may write (a copy on a share, an archived programme): opened
    /// for reading only, and said so, instead of failing at the first edit.
    fn open_read_only(path: &Path) -> Result<Store> {
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let (supported, found) = (MIGRATIONS.len(), user_version(&conn)?);
        if found > supported {
            return Err(Error::NewerDatabase { found, supported });
        }
        if found < supported {
            return Err(Error::ReadOnly {
                path: path.display().to_string(),
                why: crate::message::Message::new("read_only.older"),
            });
        }
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(Store {
            conn: Conn::sqlite(conn),
            read_only: true,
        })
    }

    /// Whether writes are refused because the file is read-only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// A database in memory. In the core's own tests, with `RELMAN_TEST_POSTGRES` set, a fresh
    /// schema on that server instead: so the whole store suite runs on both engines.
    pub fn open_in_memory() -> Result<Store> {
        #[cfg(test)]
        if let Ok(url) = std::env::var("RELMAN_TEST_POSTGRES") {
            return server::scratch(&url);
        }
        Store::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store> {
        // Another process (the app, a nightly import) may be writing: wait for it rather
        // than fail with "database is locked". Set before the first read: a process that is
        // creating a new file at the same moment holds it locked while it switches to WAL.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Checked first: a database this Relman cannot read is left exactly as it was
        // (even the journal mode is stored in the file).
        let supported = MIGRATIONS.len();
        let found = user_version(&conn)?;
        if found > supported {
            return Err(Error::NewerDatabase { found, supported });
        }
        // WAL + FULL sync: a committed write survives a crash or power cut.
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        if found < supported
            && let Err(error) = migrations().to_latest(&mut conn)
        {
            // Two processes opening a new database at once: the other one migrated it.
            if user_version(&conn)? != supported {
                return Err(error.into());
            }
        }
        Ok(Store {
            conn: Conn::sqlite(conn),
            read_only: false,
        })
    }

    /// Starts a write. IMMEDIATE takes the write lock at once, so two writers queue behind
    /// the busy timeout instead of both reading and then failing to upgrade (SQLITE_BUSY).
    /// Begins a write that needs `role`. On a team database the login must hold it now (a
    /// role revoked a minute ago counts), checked inside the transaction; the server's own
    /// privileges check the same again. On a file roles are advisory and not checked.
    fn write(&mut self, role: TeamRole) -> Result<Tx<'_>> {
        if self.read_only {
            return Err(Error::ReadOnly {
                path: self.path().unwrap_or_default().display().to_string(),
                why: crate::message::Message::new("read_only.not_writable"),
            });
        }
        let (tx, holds) = self.conn.begin_write(Some(&role.group()))?;
        if !holds {
            return Err(people::refusal(&tx, role)?);
        }
        Ok(tx)
    }

    /// A number that changes whenever another connection commits to the database, so the
    /// app can refresh what it shows after a script or a second window wrote.
    pub fn data_version(&self) -> Result<i64> {
        match self.conn.as_sqlite() {
            Some(conn) => Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?),
            None => server::data_version(&self.conn),
        }
    }

    pub fn schema_version(&self) -> Result<usize> {
        match self.conn.as_sqlite() {
            Some(conn) => user_version(conn),
            None => server::schema_version(&self.conn),
        }
    }

    /// A team database whose connection went (a server restart, a dropped network): the
    /// app connects again before its next call.
    pub fn connection_lost(&self) -> bool {
        self.conn.is_closed()
    }

    /// Which engine this store runs on.
    pub fn engine(&self) -> Engine {
        self.conn.engine()
    }

    pub fn has_releases(&self) -> Result<bool> {
        self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM releases WHERE deleted_at IS NULL)",
            (),
            |r| r.get(0),
        )
    }

    pub fn list_releases(&self, filter: &ReleaseFilter) -> Result<Vec<Release>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {RELEASE_COLUMNS} FROM releases
             WHERE deleted_at IS NULL AND (CAST(?1 AS TEXT) IS NULL OR stage = ?1)
             ORDER BY planned_start, key"
        ))?;
        let rows = stmt.query_map(params![filter.stage], release_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn release(&self, key: &str) -> Result<Release> {
        live_release(&self.conn, key)?.ok_or_else(|| not_found(key))
    }

    pub fn create_release(
        &mut self,
        draft: &ReleaseDraft,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Release> {
        let valid = draft.validate()?;
        let tx = self.write(TeamRole::Planner)?;
        let release = insert_release(&tx, &valid, false, actor, now)?;
        audit::append(&tx, actor, now, vec![created(&release)])?;
        tx.commit()?;
        Ok(release)
    }

    /// Saves an edit made on the copy with `expected_version`; refused if the release changed
    /// since, so that nobody overwrites an edit they never saw.
    pub fn update_release(
        &mut self,
        key: &str,
        expected_version: i64,
        draft: &ReleaseDraft,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Release> {
        let valid = draft.validate()?;
        let tx = self.write(TeamRole::Planner)?;
        let current = live_release(&tx, key)?.ok_or_else(|| not_found(key))?;
        if current.version != expected_version {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "{key} was changed by {} since you opened it; reload it and edit again",
                    current.updated_by
                ),
            });
        }
        if valid.key != key {
            ensure_key_free(&tx, &valid.key)?;
        }
        if (valid.planned_start, valid.planned_end) != (current.planned_start, current.planned_end)
        {
            domain::before_content_edit(&tx, key, actor, now)?;
        }
        tx.execute(
            "UPDATE releases SET key = ?1, title = ?2, release_type = ?3, owner = ?4, risk = ?5,
                 planned_start = ?6, planned_end = ?7, requester = ?8, dev_docs = ?9,
                 ops_docs = ?10, version = version + 1, updated_at = ?11, updated_by = ?12
             WHERE key = ?13 AND deleted_at IS NULL",
            params![
                valid.key,
                valid.title,
                valid.release_type,
                valid.owner,
                valid.risk,
                valid.planned_start,
                valid.planned_end,
                valid.requester,
                valid.dev_docs,
                valid.ops_docs,
                now,
                actor,
                key
            ],
        )?;
        let release = live_release(&tx, &valid.key)?.ok_or_else(|| not_found(&valid.key))?;
        audit::append(&tx, actor, now, field_changes(&current, &release))?;
        tx.commit()?;
        Ok(release)
    }

    /// Deletes a release so that [`Store::restore_release`] can bring it back (undo).
    pub fn delete_release(&mut self, key: &str, actor: &str, now: DateTime<Utc>) -> Result<()> {
        let tx = self.write(TeamRole::Planner)?;
        let deleted = tx.execute(
            "UPDATE releases SET deleted_at = ?1, deleted_by = ?2
             WHERE key = ?3 AND deleted_at IS NULL",
            params![now, actor, key],
        )?;
        if deleted == 0 {
            return Err(not_found(key));
        }
        audit::append(&tx, actor, now, vec![Entry::new("release", key, "delete")])?;
        tx.commit()?;
        Ok(())
    }

    /// Undoes [`Store::delete_release`].
    pub fn restore_release(
        &mut self,
        key: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Release> {
        let tx = self.write(TeamRole::Planner)?;
        ensure_key_free(&tx, key).map_err(|_| Error::Conflict {
            field: None,
            message: format!(
                "{key} cannot be restored: a new release with that key was created since"
            ),
        })?;
        let restored = tx.execute(
            "UPDATE releases SET deleted_at = NULL, deleted_by = NULL, version = version + 1,
                 updated_at = ?1, updated_by = ?2
             WHERE key = ?3 AND deleted_at IS NOT NULL",
            params![now, actor, key],
        )?;
        if restored == 0 {
            return Err(Error::NotFound {
                what: "deleted release",
                key: key.to_string(),
            });
        }
        let release = live_release(&tx, key)?.ok_or_else(|| not_found(key))?;
        audit::append(&tx, actor, now, vec![Entry::new("release", key, "restore")])?;
        tx.commit()?;
        Ok(release)
    }

    /// Loads the demo data set. Only into an empty database, so it never mixes with real work.
    pub fn load_demo_data(&mut self, actor: &str, now: DateTime<Utc>) -> Result<Vec<Release>> {
        if self.has_releases()? {
            return Err(Error::Conflict {
                field: None,
                message: "demo data can only be loaded into an empty database".into(),
            });
        }
        let tx = self.write(TeamRole::Admin)?;
        let mut loaded = Vec::new();
        for draft in crate::demo::releases(now.date_naive()) {
            loaded.push(insert_release(&tx, &draft.validate()?, true, actor, now)?);
        }
        audit::append(&tx, actor, now, loaded.iter().map(created).collect())?;
        for ci in crate::demo::cis() {
            // The CMDB may already hold some of these; the demo uses what is there.
            match domain::insert_ci(&tx, &ci, actor, now) {
                Ok(_) | Err(Error::Conflict { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        for change in crate::demo::changes() {
            match domain::insert_change(&tx, &change, actor, now) {
                Ok(_) | Err(Error::Conflict { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        let year = now.date_naive().format("%Y");
        for (number, changes, components) in crate::demo::PACKAGES {
            let key = format!("REL-{year}-{number:03}");
            for change in *changes {
                domain::link_change(&tx, &key, change, actor, now)?;
            }
            for (ci, version, requires) in *components {
                let requires: Vec<_> = requires
                    .iter()
                    .filter_map(|r| crate::package::parse_requirement_spec(r).ok())
                    .collect();
                domain::insert_component(&tx, &key, ci, Some(version), &requires, actor, now)?;
            }
        }
        planning::load_demo_planning(&tx, actor, now)?;
        testing::load_demo_testing(&tx, now)?;
        loaded.extend(after::load_demo_history(&tx, actor, now)?);
        for (ci, contacts) in crate::demo::CONTACTS {
            let contacts: Vec<_> = contacts
                .iter()
                .filter_map(|c| crate::notice::Contact::parse(c).ok())
                .collect();
            notices::set_contacts_in(&tx, ci, &contacts, actor, now)?;
        }
        for unit in crate::demo::units() {
            packages::create_unit_in(&tx, &unit, actor, now)?;
        }
        for (number, package_type, base) in crate::demo::PACKAGE_TYPES {
            let base = base.map(|b| format!("REL-{year}-{b:03}"));
            let key = format!("REL-{year}-{number:03}");
            packages::set_package_type_in(&tx, &key, *package_type, base.as_deref(), actor, now)?;
        }
        for (number, _, components) in crate::demo::PACKAGES {
            if !crate::demo::WITH_MEDIA.contains(number) {
                continue;
            }
            let key = format!("REL-{year}-{number:03}");
            for (ci, version, _) in *components {
                let dml = crate::demo::media(ci, version);
                packages::set_dml_in(&tx, &key, ci, Some(&dml), actor, now)?;
            }
        }
        // Two releases wait for the CAB, so CAB mode and the CAB pack have an agenda to show.
        for number in crate::demo::AWAITING_CAB {
            let key = format!("REL-{year}-{number:03}");
            let release = live_release(&tx, &key)?.ok_or_else(|| not_found(&key))?;
            domain::set_stage(
                &tx,
                &release,
                Stage::AwaitingAuthorization,
                false,
                actor,
                now,
            )?;
        }
        tx.commit()?;
        Ok(loaded)
    }
}

/// The schema version of a database file, read without changing it.
pub fn file_schema_version(path: &Path) -> Result<usize> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    user_version(&conn)
}

fn user_version(conn: &Connection) -> Result<usize> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    usize::try_from(version)
        .map_err(|_| Error::Internal(format!("negative schema version {version}")))
}

const RELEASE_COLUMNS: &str = "key, title, release_type, stage, owner, risk, planned_start, \
     planned_end, demo, version, created_at, created_by, updated_at, updated_by, requester, \
     dev_docs, ops_docs, needs_revision, package_type, \
     (SELECT b.key FROM releases b WHERE b.id = releases.base_id) AS base_key";

fn created(release: &Release) -> Entry {
    Entry::new("release", &release.key, "create")
        .after(serde_json::to_string(release).unwrap_or_default())
}

/// One audit entry per field an edit changed.
fn field_changes(before: &Release, after: &Release) -> Vec<Entry> {
    audit::updates(
        "release",
        &after.key,
        before,
        after,
        &[
            ("key", |r| Some(r.key.clone())),
            ("title", |r| Some(r.title.clone())),
            ("type", |r| Some(r.release_type.to_string())),
            ("owner", |r| r.owner.clone()),
            ("risk", |r| r.risk.map(|x| x.to_string())),
            ("planned_start", |r| Some(r.planned_start.to_string())),
            ("planned_end", |r| Some(r.planned_end.to_string())),
            ("requester", |r| r.requester.clone()),
            ("dev_docs", |r| r.dev_docs.clone()),
            ("ops_docs", |r| r.ops_docs.clone()),
        ],
    )
}

fn release_from_row(row: &Row<'_>) -> rusqlite::Result<Release> {
    let release_type = row.get(2)?;
    Ok(Release {
        key: row.get(0)?,
        title: row.get(1)?,
        release_type,
        stage: row.get(3)?,
        owner: row.get(4)?,
        risk: row.get(5)?,
        planned_start: row.get(6)?,
        planned_end: row.get(7)?,
        demo: row.get(8)?,
        version: row.get(9)?,
        created_at: row.get(10)?,
        created_by: row.get(11)?,
        updated_at: row.get(12)?,
        updated_by: row.get(13)?,
        requester: row.get(14)?,
        dev_docs: row.get(15)?,
        ops_docs: row.get(16)?,
        needs_revision: row.get(17)?,
        package_type: row
            .get::<Option<PackageType>>(18)?
            .unwrap_or_else(|| PackageType::default_for(release_type)),
        base: row.get(19)?,
    })
}

fn live_release(conn: &Conn, key: &str) -> Result<Option<Release>> {
    conn.query_row(
        &format!("SELECT {RELEASE_COLUMNS} FROM releases WHERE key = ?1 AND deleted_at IS NULL"),
        [key],
        release_from_row,
    )
    .optional()
}

fn not_found(key: &str) -> Error {
    Error::NotFound {
        what: "release",
        key: key.to_string(),
    }
}

fn ensure_key_free(tx: &Tx<'_>, key: &str) -> Result<()> {
    if live_release(tx, key)?.is_some() {
        return Err(Error::Conflict {
            field: Some("key"),
            message: format!("{key} already exists; choose another key"),
        });
    }
    Ok(())
}

pub(super) fn insert_release(
    tx: &Tx<'_>,
    valid: &ValidRelease,
    demo: bool,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Release> {
    ensure_key_free(tx, &valid.key)?;
    // A deleted release with this key can no longer be restored once the key is reused.
    tx.execute(
        "DELETE FROM releases WHERE key = ?1 AND deleted_at IS NOT NULL",
        [&valid.key],
    )?;
    tx.execute(
        "INSERT INTO releases (key, title, release_type, owner, risk, planned_start, planned_end,
             demo, created_at, created_by, updated_at, updated_by, requester, dev_docs, ops_docs)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?10, ?11, ?12, ?13)",
        params![
            valid.key,
            valid.title,
            valid.release_type,
            valid.owner,
            valid.risk,
            valid.planned_start,
            valid.planned_end,
            demo,
            now,
            actor,
            valid.requester,
            valid.dev_docs,
            valid.ops_docs
        ],
    )?;
    live_release(tx, &valid.key)?.ok_or_else(|| not_found(&valid.key))
}

macro_rules! sql_text_enum {
    ($($name:ty),+) => {$(
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|e: String| FromSqlError::Other(e.into()))
            }
        }
    )+};
}

sql_text_enum!(
    crate::after::Activity,
    crate::after::ActivityState,
    ReleaseType,
    Risk,
    Stage,
    crate::change::ChangeStatus,
    crate::change::ChangeKind,
    crate::change::CiKind,
    crate::approval::Decision,
    crate::approval::Role,
    crate::testing::EnvState,
    crate::testing::CloneKind,
    crate::testing::BookingPurpose,
    crate::testing::TestKind,
    crate::testing::TestResult,
    crate::testing::Severity,
    crate::package::PackageType
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 2, 10, 9, 30, 0).unwrap()
    }

    fn draft(key: &str) -> ReleaseDraft {
        ReleaseDraft {
            key: key.into(),
            title: "Payroll 4.2".into(),
            release_type: ReleaseType::Minor,
            planned_start: "2026-03-01".into(),
            planned_end: "2026-03-14".into(),
            owner: None,
            risk: None,
            requester: None,
            dev_docs: None,
            ops_docs: None,
        }
    }

    fn count_rows(store: &Store) -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM releases", (), |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn create_then_read_back() {
        let mut store = Store::open_in_memory().unwrap();
        let created = store
            .create_release(&draft("REL-1"), "anna", now())
            .unwrap();
        assert_eq!(created.stage, Stage::Planning);
        assert_eq!(created.created_by, "anna");
        assert_eq!(created.created_at, now());
        assert_eq!(store.release("REL-1").unwrap(), created);
    }

    #[test]
    fn duplicate_key_is_a_conflict_on_the_key_and_writes_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .create_release(&draft("REL-1"), "anna", now())
            .unwrap();
        let err = store
            .create_release(&draft("REL-1"), "anna", now())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert_eq!(err.fields()[0].field, "key");
        assert_eq!(count_rows(&store), 1);
    }

    #[test]
    fn invalid_draft_writes_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let mut bad = draft("REL-1");
        bad.planned_end = "2026-01-01".into();
        assert_eq!(
            store
                .create_release(&bad, "anna", now())
                .unwrap_err()
                .kind(),
            ErrorKind::Validation
        );
        assert_eq!(count_rows(&store), 0);
    }

    #[test]
    fn list_filters_by_stage_and_orders_by_start() {
        let mut store = Store::open_in_memory().unwrap();
        let mut late = draft("REL-B");
        late.planned_start = "2026-04-01".into();
        late.planned_end = "2026-04-02".into();
        store.create_release(&late, "a", now()).unwrap();
        store.create_release(&draft("REL-A"), "a", now()).unwrap();
        let keys: Vec<String> = store
            .list_releases(&ReleaseFilter::default())
            .unwrap()
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert_eq!(keys, ["REL-A", "REL-B"]);
        let none = ReleaseFilter {
            stage: Some(Stage::Test),
        };
        assert!(store.list_releases(&none).unwrap().is_empty());
    }

    #[test]
    fn update_bumps_version_and_refuses_stale_copies() {
        let mut store = Store::open_in_memory().unwrap();
        let created = store
            .create_release(&draft("REL-1"), "anna", now())
            .unwrap();
        let mut edit = draft("REL-1");
        edit.title = "Payroll 4.3".into();
        let updated = store
            .update_release("REL-1", created.version, &edit, "ben", now())
            .unwrap();
        assert_eq!(updated.title, "Payroll 4.3");
        assert_eq!(updated.version, created.version + 1);
        assert_eq!(updated.updated_by, "ben");

        edit.title = "Lost edit".into();
        let err = store
            .update_release("REL-1", created.version, &edit, "carl", now())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert!(err.to_string().contains("changed by ben"), "{err}");
        assert_eq!(store.release("REL-1").unwrap().title, "Payroll 4.3");
    }

    #[test]
    fn update_can_rename_but_not_onto_another_key() {
        let mut store = Store::open_in_memory().unwrap();
        let one = store.create_release(&draft("REL-1"), "a", now()).unwrap();
        store.create_release(&draft("REL-2"), "a", now()).unwrap();
        let err = store
            .update_release("REL-1", one.version, &draft("REL-2"), "a", now())
            .unwrap_err();
        assert_eq!(err.fields()[0].field, "key");
        let renamed = store
            .update_release("REL-1", one.version, &draft("REL-3"), "a", now())
            .unwrap();
        assert_eq!(renamed.key, "REL-3");
        assert_eq!(
            store.release("REL-1").unwrap_err().kind(),
            ErrorKind::NotFound
        );
    }

    #[test]
    fn delete_and_undo() {
        let mut store = Store::open_in_memory().unwrap();
        let created = store.create_release(&draft("REL-1"), "a", now()).unwrap();
        store.delete_release("REL-1", "a", now()).unwrap();
        assert_eq!(
            store.release("REL-1").unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert!(!store.has_releases().unwrap());
        let restored = store.restore_release("REL-1", "a", now()).unwrap();
        assert_eq!(restored.title, created.title);
        assert_eq!(
            store
                .delete_release("REL-9", "a", now())
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
    }

    #[test]
    fn reusing_a_deleted_key_ends_its_undo() {
        let mut store = Store::open_in_memory().unwrap();
        store.create_release(&draft("REL-1"), "a", now()).unwrap();
        store.delete_release("REL-1", "a", now()).unwrap();
        let mut again = draft("REL-1");
        again.title = "Second".into();
        store.create_release(&again, "a", now()).unwrap();
        assert_eq!(
            store
                .restore_release("REL-1", "a", now())
                .unwrap_err()
                .kind(),
            ErrorKind::Conflict
        );
        assert_eq!(store.release("REL-1").unwrap().title, "Second");
        assert_eq!(count_rows(&store), 1);
    }

    #[test]
    fn demo_data_only_into_an_empty_database() {
        let mut store = Store::open_in_memory().unwrap();
        let loaded = store.load_demo_data("a", now()).unwrap();
        assert!(loaded.len() >= 3);
        assert!(loaded.iter().all(|r| r.demo));
        let first = store.check_release("REL-2026-101", now()).unwrap();
        let failing: Vec<&str> = first.failing().map(|r| r.code.as_str()).collect();
        assert_eq!(
            failing,
            ["SCOPE-AUTHORIZED"],
            "the demo shows a rule at work"
        );
        assert_eq!(store.components("REL-2026-102").unwrap().len(), 2);
        assert_eq!(store.list_environments(now()).unwrap().len(), 4);
        let runs = store.test_runs("REL-2026-101").unwrap();
        let counting: Vec<_> = runs
            .iter()
            .filter(|r| r.counts)
            .map(|r| r.run.kind.as_str())
            .collect();
        assert_eq!(
            counting,
            ["installation", "functional", "rollback_rehearsal"],
            "{runs:#?}"
        );
        let err = store.load_demo_data("a", now()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert_eq!(count_rows(&store), loaded.len() as i64);
    }

    #[test]
    fn persists_across_reopen_with_pragmas_set() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/relman.db");
        Store::open(&path)
            .unwrap()
            .create_release(&draft("REL-1"), "a", now())
            .unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.release("REL-1").unwrap().key, "REL-1");
        let mode: String = store
            .conn
            .as_sqlite()
            .unwrap()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        let fk: i64 = store
            .conn
            .as_sqlite()
            .unwrap()
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        let sync: i64 = store
            .conn
            .as_sqlite()
            .unwrap()
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), fk, sync), ("wal", 1, 2));
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
    }

    #[test]
    fn a_database_from_a_newer_relman_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relman.db");
        drop(Store::open(&path).unwrap());
        let newer = MIGRATIONS.len() + 3;
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", newer as i64)
            .unwrap();
        let err = Store::open(&path).err().expect("must be refused");
        assert!(matches!(err, Error::NewerDatabase { found, .. } if found == newer));
        assert!(err.user_message().contains("newer Relman"));
        assert_eq!(
            user_version(&Connection::open(&path).unwrap()).unwrap(),
            newer
        );
    }
}

#[cfg(test)]
mod newer_database {
    use super::*;

    #[test]
    fn a_refused_database_file_is_left_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(
            Store::open(&path),
            Err(Error::NewerDatabase { found: 99, .. })
        ));
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!dir.path().join("future.db-wal").exists());
    }
}
