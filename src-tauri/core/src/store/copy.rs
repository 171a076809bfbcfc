//! Whole databases between engines: a SQLite file onto a team's server (`relman-cli db copy`),
//! and a server's database into a SQLite file (an offline copy, or a backup in the one format).

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::Store;
use super::sql::{Conn, Engine, OptionalExtension};
use crate::error::{Error, FieldError, Result};

/// Every table of the schema, each after the tables it refers to. A test checks it against
/// the schema, so a table added by a migration is never left behind by a copy.
pub const TABLES: &[&str] = &[
    "releases",
    "cis",
    "ci_relations",
    "changes",
    "change_cis",
    "release_changes",
    "components",
    "component_requirements",
    "component_media",
    "release_members",
    "release_units",
    "release_unit_cis",
    "ci_contacts",
    "cab_meetings",
    "cab_meeting_members",
    "approvals",
    "profile",
    "audit_log",
    "audit_head",
    "windows",
    "freezes",
    "service_hours",
    "models",
    "plans",
    "settings",
    "environments",
    "env_versions",
    "snapshots",
    "reverts",
    "bookings",
    "test_runs",
    "defects",
    "incidents",
    "release_activities",
    "release_costs",
    "release_reviews",
    "calendar_feed",
    "people",
];

/// What a copy brought across, table by table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CopySummary {
    pub tables: Vec<TableCount>,
    #[ts(type = "number")]
    pub audit_records: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TableCount {
    pub table: String,
    #[ts(type = "number")]
    pub rows: i64,
}

fn count(conn: &Conn, table: &str) -> Result<i64> {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), (), |r| r.get(0))
}

/// What a database holds beyond the empty audit head, if anything: a copy goes only into
/// an empty one.
fn why_not_empty(conn: &Conn) -> Result<Option<String>> {
    for table in TABLES {
        let rows = count(conn, table)?;
        let seeded = if *table == "audit_head" { 1 } else { 0 };
        if rows > seeded {
            return Ok(Some(format!("{table} has {rows} records")));
        }
    }
    let chain: i64 = conn.query_row("SELECT count FROM audit_head", (), |r| r.get(0))?;
    Ok((chain > 0).then(|| "its audit history is not empty".to_string()))
}

/// Copies every record of `from` into `to`, which must be empty and at the same schema
/// version. One snapshot is read; everything is written in one transaction, checked (the
/// counts per table, the audit chain) before it commits, so a failure leaves `to` empty.
fn copy_all(from: &Conn, to: &Conn) -> Result<CopySummary> {
    if let Some(why) = why_not_empty(to)? {
        return Err(Error::Validation(vec![FieldError::new(
            "to",
            format!("is not empty ({why}); copy into an empty database"),
        )]));
    }
    let snapshot = from.begin_snapshot()?;
    let (tx, _) = to.begin_write(None)?;
    tx.execute("DELETE FROM audit_head", ())?;
    let mut tables = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let (columns, rows) = snapshot.query_values(&format!("SELECT * FROM {table}"), ())?;
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            placeholders.join(", ")
        );
        for row in &rows {
            tx.execute(&insert, row.clone())?;
        }
        let (read, written) = (rows.len() as i64, count(&tx, table)?);
        if read != written {
            return Err(Error::Internal(format!(
                "{table}: {read} records read but {written} written; nothing was copied"
            )));
        }
        tables.push(TableCount {
            table: table.to_string(),
            rows: written,
        });
    }
    if tx.engine() == Engine::Postgres {
        // Ids came across as they were: the identity columns go on after the highest.
        for table in TABLES {
            let sequence: Option<String> = tx
                .query_row(
                    "SELECT pg_get_serial_sequence(?1, 'id') FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = ?1
                       AND column_name = 'id'",
                    [table],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            if let Some(sequence) = sequence {
                let sequence = sequence.replace('\'', "''");
                tx.query_row(
                    &format!(
                        "SELECT setval('{sequence}', COALESCE(MAX(id), 0) + 1, false) FROM {table}"
                    ),
                    (),
                    |_| Ok(()),
                )?;
            }
        }
    }
    let audit = super::audit::verify(&tx)?;
    if !audit.problems.is_empty() {
        return Err(Error::Validation(vec![FieldError::new(
            "from",
            format!(
                "its audit history does not verify ({}), so nothing was copied; \
                 `relman-cli audit verify` shows it",
                audit.problems.join("; ")
            ),
        )]));
    }
    tx.commit()?;
    drop(snapshot);
    Ok(CopySummary {
        tables,
        audit_records: audit.records,
    })
}

impl Store {
    /// Copies this whole database into `target` (empty, and of this Relman's schema): a file
    /// onto a team's server, or a server's database into a file.
    pub fn copy_into(&self, target: &mut Store) -> Result<CopySummary> {
        copy_all(&self.conn, &target.conn)
    }
}

/// A server's database as a new SQLite file at `out`, from one snapshot: written to a
/// partial file first, so a failure never leaves a half-written backup under its name.
pub(super) fn server_to_file(conn: &Conn, out: &Path) -> Result<()> {
    let mut partial = out.as_os_str().to_os_string();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    let result = (|| {
        let file = Store::open(&partial)?;
        copy_all(conn, &file.conn)?;
        drop(file);
        std::fs::rename(&partial, out)
            .map_err(|e| Error::Internal(format!("cannot write {}: {e}", out.display())))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_knows_every_table_of_the_schema() {
        let store = Store::open_in_memory().unwrap();
        if store.engine() != Engine::Sqlite {
            return;
        }
        let (_, rows) = store
            .conn
            .query_values(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                 ORDER BY name",
                (),
            )
            .unwrap();
        let mut schema: Vec<String> = rows
            .into_iter()
            .map(|r| match &r[0] {
                rusqlite::types::Value::Text(t) => t.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        let mut known: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
        schema.sort();
        known.sort();
        assert_eq!(schema, known);
    }
}
