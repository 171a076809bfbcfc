//! Backups and restores with SQLite's online backup API: a copy made while the database is in
//! use (by this process or another) is one consistent snapshot, never a torn file copy.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use ts_rs::TS;

use super::{MIGRATIONS, Store, user_version};
use crate::error::{Error, FieldError, Result};

/// What a restore brought back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Restored {
    #[ts(type = "number")]
    pub releases: i64,
    #[ts(type = "number")]
    pub audit_records: i64,
    /// The schema version the file was written with (it is migrated to this Relman's).
    #[ts(type = "number")]
    pub schema_version: usize,
    /// Where the database as it was before the restore was kept.
    pub kept_as: String,
}

/// What the window asks the user to confirm before a restore replaces everything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RestoreChoice {
    pub file: String,
    pub kept_as: String,
}

fn refused(message: impl Into<String>) -> Error {
    Error::Validation(vec![FieldError::new("file", message)])
}

fn io(action: &str, path: &Path, e: std::io::Error) -> Error {
    Error::Internal(format!("cannot {action} {}: {e}", path.display()))
}

/// Copies all of `from` into `to` in one step: one read transaction, so one snapshot.
fn copy(from: &Connection, to: &mut Connection) -> Result<()> {
    let backup = Backup::new(from, to)?;
    let mut waits = 0;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            // Another connection holds a lock the copy needs; it is released within a write.
            StepResult::Busy | StepResult::Locked if waits < 150 => {
                waits += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            _ => {
                return Err(Error::Conflict {
                    field: None,
                    message: "the database stayed locked by another program for 15 s; try again"
                        .into(),
                });
            }
        }
    }
}

/// A sibling path for work in progress, so a half-written file never has the final name.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Writes a consistent copy of `conn` to `path`: into a partial file, then renamed.
fn write_copy(conn: &Connection, path: &Path) -> Result<()> {
    let temp = partial(path);
    let _ = std::fs::remove_file(&temp);
    let result = (|| {
        let mut out = Connection::open(&temp)?;
        copy(conn, &mut out)?;
        out.close().map_err(|(_, e)| e)?;
        std::fs::rename(&temp, path).map_err(|e| io("write", path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// `relman.db` → `relman.before-restore-20261201-142233.db`, beside it.
pub fn kept_path(db: &Path, now: DateTime<Utc>) -> PathBuf {
    let stem = db.file_stem().unwrap_or_default().to_string_lossy();
    db.with_file_name(format!(
        "{stem}.before-restore-{}.db",
        now.format("%Y%m%d-%H%M%S")
    ))
}

/// Reads `file` into the scratch file `scratch` and checks it: a SQLite file, not
/// damaged, a Relman database no newer than this Relman, its audit history intact. The copy
/// is migrated to this Relman's schema. Returns it, ready to be restored from.
fn checked_copy(file: &Path, scratch: &Path) -> Result<(Connection, Restored)> {
    if !file.is_file() {
        return Err(refused(format!("{} is not a file", file.display())));
    }
    let source = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| refused(format!("cannot be opened: {e}")))?;
    let not_sqlite = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => refused(format!("is damaged ({e})")),
        _ => refused(format!("is not a Relman database ({e})")),
    };
    let found = user_version(&source).map_err(|_| refused("is not a Relman database"))?;
    if found > MIGRATIONS.len() {
        return Err(refused(format!(
            "was written by a newer Relman (schema version {found}); this Relman understands up to version {}",
            MIGRATIONS.len()
        )));
    }
    let _ = std::fs::remove_file(scratch);
    let mut copy_conn = Connection::open(scratch)?;
    copy(&source, &mut copy_conn).map_err(|e| match e {
        Error::Storage(e) => not_sqlite(e),
        other => other,
    })?;
    drop(source);
    let integrity: String = copy_conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(not_sqlite)?;
    if integrity != "ok" {
        return Err(refused(format!(
            "is damaged (SQLite's integrity check: {integrity})"
        )));
    }
    // Every schema version has releases (the audit tables came with version 2).
    let is_relman: bool = copy_conn.query_row(
        "SELECT count(*) = 1 FROM sqlite_master WHERE type = 'table' AND name = 'releases'",
        [],
        |r| r.get(0),
    )?;
    if found == 0 || !is_relman {
        return Err(refused("is not a Relman database"));
    }
    let store = Store::init(copy_conn)?;
    let report = store.verify_audit()?;
    if !report.problems.is_empty() {
        return Err(refused(format!(
            "its audit history does not verify: {}",
            report.problems.join("; ")
        )));
    }
    let broken: i64 =
        store
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", (), |r| {
                r.get(0)
            })?;
    if broken > 0 {
        return Err(refused(format!(
            "is damaged ({broken} records point to records that do not exist)"
        )));
    }
    let releases: i64 = store.conn.query_row(
        "SELECT count(*) FROM releases WHERE deleted_at IS NULL",
        (),
        |r| r.get(0),
    )?;
    let Store { conn, .. } = store;
    Ok((
        conn.into_sqlite().expect("a SQLite copy"),
        Restored {
            releases,
            audit_records: report.records,
            schema_version: found,
            kept_as: String::new(),
        },
    ))
}

impl Store {
    /// The file this store reads, when it is one.
    pub fn path(&self) -> Option<PathBuf> {
        self.conn
            .as_sqlite()?
            .path()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    }

    /// Writes a consistent copy of the database to `out`, even while another process writes.
    pub fn backup_to(&self, out: &Path) -> Result<()> {
        if let (Some(db), Ok(out)) = (self.path(), std::path::absolute(out))
            && std::path::absolute(&db).ok() == Some(out)
        {
            return Err(Error::Validation(vec![FieldError::new(
                "out",
                "is the open database itself; choose another file",
            )]));
        }
        match self.conn.as_sqlite() {
            Some(conn) => write_copy(conn, out),
            // A server's database is copied into a SQLite file, so backups keep one format.
            None => super::copy::server_to_file(&self.conn, out),
        }
    }

    /// Replaces the whole database with the backup in `file`, after checking it (see
    /// [`checked_copy`]); the database as it was is first kept in `keep_as`. A refused
    /// file changes nothing.
    pub fn restore_from(&mut self, file: &Path, keep_as: &Path) -> Result<Restored> {
        let db = self.path().ok_or_else(|| {
            Error::Validation(vec![FieldError::new(
                "file",
                "a restore replaces a database file; a team database is restored by its \
                 administrator (relman-cli db copy into an empty database, or pg_restore)",
            )])
        })?;
        let conn = self
            .conn
            .as_sqlite_mut()
            .expect("a file has a SQLite connection");
        let scratch = partial(&db.with_extension("restoring"));
        let result = (|| {
            let (checked, mut restored) = checked_copy(file, &scratch)?;
            write_copy(conn, keep_as)?;
            copy(&checked, conn)?;
            restored.kept_as = keep_as.display().to_string();
            Ok(restored)
        })();
        let _ = std::fs::remove_file(&scratch);
        for suffix in ["-wal", "-shm"] {
            let mut name = scratch.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
        result
    }
}
