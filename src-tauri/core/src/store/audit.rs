//! The append-only audit history: written in the same transaction as every change it records,
//! chained by hashes so that an altered or removed record is found.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;

use super::sql::{Conn, Row, Tx, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::Result;

/// One thing that changed, before it is written.
pub(crate) struct Entry {
    pub entity: &'static str,
    pub key: String,
    pub action: &'static str,
    pub field: Option<&'static str>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Entry {
    pub fn new(entity: &'static str, key: &str, action: &'static str) -> Entry {
        Entry {
            entity,
            key: key.to_string(),
            action,
            field: None,
            before: None,
            after: None,
        }
    }

    pub fn field(
        mut self,
        field: &'static str,
        before: Option<String>,
        after: Option<String>,
    ) -> Entry {
        self.field = Some(field);
        self.before = before;
        self.after = after;
        self
    }

    pub fn after(mut self, after: impl Into<String>) -> Entry {
        self.after = Some(after.into());
        self
    }
}

/// How to read one field of `T` as text, for the history.
pub(crate) type FieldText<T> = (&'static str, fn(&T) -> Option<String>);

/// One "update" entry for each field whose text differs between `before` and `after`.
pub(crate) fn updates<T>(
    entity: &'static str,
    key: &str,
    before: &T,
    after: &T,
    fields: &[FieldText<T>],
) -> Vec<Entry> {
    fields
        .iter()
        .map(|(field, text)| (*field, text(before), text(after)))
        .filter(|(_, b, a)| b != a)
        .map(|(field, b, a)| Entry::new(entity, key, "update").field(field, b, a))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditRecord {
    #[ts(type = "number")]
    pub seq: i64,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub actor: String,
    pub entity: String,
    pub entity_key: String,
    pub action: String,
    pub field: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditReport {
    #[ts(type = "number")]
    pub records: i64,
    /// Empty when the history is intact.
    pub problems: Vec<String>,
}

fn record_hash(prev_hash: &str, r: &AuditRecord) -> String {
    let canonical = serde_json::json!([
        r.seq,
        r.at.to_rfc3339(),
        r.actor,
        r.entity,
        r.entity_key,
        r.action,
        r.field,
        r.before,
        r.after,
        prev_hash
    ]);
    format!("{:x}", Sha256::digest(canonical.to_string().as_bytes()))
}

pub(crate) fn append(
    tx: &Tx<'_>,
    actor: &str,
    now: DateTime<Utc>,
    entries: Vec<Entry>,
) -> Result<()> {
    let (mut count, mut hash): (i64, String) = match tx.audit_head() {
        Some(head) => head,
        None => tx.query_row("SELECT count, hash FROM audit_head WHERE id = 1", (), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?,
    };
    let mut rows: Vec<rusqlite::types::Value> = Vec::with_capacity(entries.len() * 11);
    for entry in entries {
        count += 1;
        let record = AuditRecord {
            seq: count,
            at: now,
            actor: actor.to_string(),
            entity: entry.entity.to_string(),
            entity_key: entry.key,
            action: entry.action.to_string(),
            field: entry.field.map(str::to_string),
            before: entry.before,
            after: entry.after,
        };
        let next = record_hash(&hash, &record);
        let text = |t: Option<String>| t.map_or(Value::Null, Value::Text);
        rows.extend([
            Value::Integer(record.seq),
            Value::Text(record.at.to_rfc3339()),
            Value::Text(record.actor),
            Value::Text(record.entity),
            Value::Text(record.entity_key),
            Value::Text(record.action),
            text(record.field),
            text(record.before),
            text(record.after),
            Value::Text(hash),
            Value::Text(next.clone()),
        ]);
        hash = next;
    }
    // Many records per statement: an import audits thousands, and on a server each
    // statement is a round trip.
    for chunk in rows.chunks(COLUMNS_WRITTEN * RECORDS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len() / COLUMNS_WRITTEN)
            .map(|r| {
                let first = r * COLUMNS_WRITTEN + 1;
                let params: Vec<String> = (first..first + COLUMNS_WRITTEN)
                    .map(|n| format!("?{n}"))
                    .collect();
                format!("({})", params.join(", "))
            })
            .collect();
        tx.execute(
            &format!(
                "INSERT INTO audit_log (seq, at, actor, entity, entity_key, action, field, before,
                     after, prev_hash, hash)
                 VALUES {}",
                values.join(", ")
            ),
            chunk.to_vec(),
        )?;
    }
    tx.set_audit_head(count, hash);
    Ok(())
}

const COLUMNS_WRITTEN: usize = 11;
const RECORDS_PER_INSERT: usize = 100;

/// Moves the chain's head: once per transaction, when it commits (see [`Tx::commit`]).
pub(crate) fn write_head(tx: &Tx<'_>, count: i64, hash: &str) -> Result<()> {
    tx.execute(
        "UPDATE audit_head SET count = ?1, hash = ?2 WHERE id = 1",
        params![count, hash],
    )?;
    Ok(())
}

const COLUMNS: &str = "seq, at, actor, entity, entity_key, action, field, before, after";

fn from_row(row: &Row<'_>) -> rusqlite::Result<AuditRecord> {
    let at: String = row.get(1)?;
    Ok(AuditRecord {
        seq: row.get(0)?,
        at: DateTime::parse_from_rfc3339(&at)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, e.into())
            })?,
        actor: row.get(2)?,
        entity: row.get(3)?,
        entity_key: row.get(4)?,
        action: row.get(5)?,
        field: row.get(6)?,
        before: row.get(7)?,
        after: row.get(8)?,
    })
}

/// The records about one entity, oldest first.
///
/// Follows renames back to the key the entity was created under, and starts at the latest
/// creation under a key, so a key reused after a delete does not inherit the old history.
pub(crate) fn history(conn: &Conn, entity: &str, key: &str) -> Result<Vec<AuditRecord>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit_log
         WHERE entity = ?1 AND entity_key = ?2 AND seq <= ?3 ORDER BY seq"
    ))?;
    let mut history: Vec<AuditRecord> = Vec::new();
    let (mut key, mut until) = (key.to_string(), i64::MAX);
    loop {
        let segment: Vec<AuditRecord> = stmt
            .query_map(params![entity, key, until], from_row)?
            .collect::<rusqlite::Result<_>>()?;
        if let Some(start) = segment.iter().rposition(|r| r.action == "create") {
            history.splice(0..0, segment[start..].iter().cloned());
            break;
        }
        let renamed_from = segment
            .iter()
            .find(|r| r.field.as_deref() == Some("key") && r.after.as_deref() == Some(&key))
            .and_then(|r| Some((r.before.clone()?, r.seq - 1)));
        history.splice(0..0, segment);
        match renamed_from {
            Some((before, seq)) => (key, until) = (before, seq),
            None => break,
        }
    }
    Ok(history)
}

/// Walks the whole chain and reports every record that was altered, removed or inserted.
pub(crate) fn verify(conn: &Conn) -> Result<AuditReport> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS}, prev_hash, hash FROM audit_log ORDER BY seq"
    ))?;
    let rows = stmt.query_map((), |row| {
        Ok((
            row.get::<i64>(0)?,
            row.get::<String>(9)?,
            row.get::<String>(10)?,
            from_row(row).ok(),
        ))
    })?;
    let mut problems = Vec::new();
    let (mut expected_seq, mut last_hash, mut records) = (1_i64, String::new(), 0_i64);
    for row in rows {
        let (seq, prev_hash, hash, record) = row?;
        records += 1;
        match record {
            Some(record) => {
                if seq != expected_seq {
                    problems.push(format!("records {expected_seq} to {} are missing", seq - 1));
                } else if prev_hash != last_hash {
                    problems.push(format!("record {seq} does not follow the record before it"));
                }
                if record_hash(&prev_hash, &record) != hash {
                    problems.push(format!("record {seq} was altered"));
                }
            }
            None => problems.push(format!("record {seq} was altered (unreadable time)")),
        }
        expected_seq = seq + 1;
        last_hash = hash;
    }
    let (count, head): (i64, String) =
        conn.query_row("SELECT count, hash FROM audit_head WHERE id = 1", (), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if count != expected_seq - 1 || head != last_hash {
        problems.push(format!(
            "the history should end at record {count}, but ends at record {}",
            expected_seq - 1
        ));
    }
    Ok(AuditReport { records, problems })
}
