//! The seam between the store and its two engines: an embedded SQLite file, or a team's
//! PostgreSQL database. Every capability of the store writes its SQL once, against [`Conn`],
//! and this module is the only place that knows which engine runs it.
//!
//! The rules shared SQL keeps (`tests/tests/invariants.rs` enforces the first two):
//! - parameters are numbered, `?1`, `?2`…: SQLite keeps the number, and for PostgreSQL they
//!   are rewritten to `$1`, `$2`… Never a bare `?`, never `$1` (SQLite numbers those by first
//!   appearance), never `:name`.
//! - casts are `CAST(x AS t)`, never `x::t` (SQLite reads `::t` as part of a name).
//! - values cross as SQLite's five storage classes ([`Value`]) on both engines: timestamps are
//!   ISO-8601 text, so they round-trip exactly (the audit chain hashes them), and every
//!   `FromSql`/`ToSql` of the domain serves both engines.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Deref;

use postgres::types::{IsNull, ToSql as PgToSql, Type, to_sql_checked};
pub(crate) use rusqlite::params;
use rusqlite::types::{FromSql, ToSql, Value, ValueRef};

use crate::error::{Error, Result};

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// One connection to either engine. Methods take `&self`, as rusqlite's do; the PostgreSQL
/// client needs `&mut`, so it sits in a `RefCell` (the store is used by one thread at a time).
pub(crate) struct Conn {
    inner: Inner,
}

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(Box<RefCell<Server>>),
}

struct Server {
    client: postgres::Client,
    /// Prepared once per connection: a prepare is a round trip to the server.
    statements: HashMap<String, postgres::Statement>,
}

/// Every PostgreSQL write first takes this transaction-level advisory lock (one per schema):
/// writers queue one behind the other, as SQLite's `BEGIN IMMEDIATE` makes them, so the audit
/// chain's head is read and extended by one writer at a time and keeps one strict order.
const WRITE_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext(current_schema()))";

/// Every committed PostgreSQL write raises this number (SQLite's `data_version` does the same
/// by itself) and notifies listeners, so other windows know to read again.
const BUMP_DATA_VERSION: &str = "UPDATE relman_schema SET data_version = data_version + 1";

/// Who sent a notice: this machine and process. A window ignores its own writes' notices
/// (it shows them already), as SQLite's `data_version` ignores the connection's own commits.
pub(crate) fn writer_id() -> String {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let host = whoami::hostname().unwrap_or_default();
        format!("{host}:{}", std::process::id())
    })
    .clone()
}

impl Conn {
    pub fn sqlite(conn: rusqlite::Connection) -> Conn {
        Conn {
            inner: Inner::Sqlite(conn),
        }
    }

    pub fn postgres(mut client: postgres::Client) -> Result<Conn> {
        // Statements are prepared once per connection, but planned at each run: a generic
        // plan made while a table was small (a seq scan) stays a seq scan while one big
        // transaction (an import, a copy) fills it, and each lookup then reads it all.
        client.batch_execute("SET plan_cache_mode = force_custom_plan")?;
        Ok(Conn {
            inner: Inner::Postgres(Box::new(RefCell::new(Server {
                client,
                statements: HashMap::new(),
            }))),
        })
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, the backup API).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::Sqlite(conn) => Some(conn),
            Inner::Postgres(_) => None,
        }
    }

    pub fn as_sqlite_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        match &mut self.inner {
            Inner::Sqlite(conn) => Some(conn),
            Inner::Postgres(_) => None,
        }
    }

    pub fn into_sqlite(self) -> Option<rusqlite::Connection> {
        match self.inner {
            Inner::Sqlite(conn) => Some(conn),
            Inner::Postgres(_) => None,
        }
    }

    /// Whether the server connection is gone (a restart, a dropped network).
    pub fn is_closed(&self) -> bool {
        match &self.inner {
            Inner::Sqlite(_) => false,
            Inner::Postgres(server) => server.borrow().client.is_closed(),
        }
    }

    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        let values = params.values()?;
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn.execute(sql, rusqlite::params_from_iter(values))?),
            Inner::Postgres(server) => {
                let mut server = server.borrow_mut();
                let statement = server.prepare(sql)?;
                let bound = bind(&values);
                let n = server.client.execute(&statement, &as_refs(&bound))?;
                Ok(n as usize)
            }
        }
    }

    /// The id the last insert into `table` got (its `id` column).
    pub fn last_insert_rowid(&self, table: &str) -> Result<i64> {
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn.last_insert_rowid()),
            Inner::Postgres(_) => self.query_row(
                "SELECT currval(pg_get_serial_sequence(?1, 'id'))",
                [table],
                |r| r.get(0),
            ),
        }
    }

    /// Runs statements that take no parameters, one after the other.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Inner::Postgres(server) => Ok(server.borrow_mut().client.batch_execute(sql)?),
        }
    }

    /// The first row, read by `read`; [`NoRows`](OptionalExtension) when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        read: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let values = params.values()?;
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn.query_row(
                sql,
                rusqlite::params_from_iter(values),
                |row| read(&Row::Sqlite(row)),
            )?),
            Inner::Postgres(_) => {
                let rows = self.pg_rows(sql, &values)?;
                let first = rows.first().ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                Ok(read(&Row::Values(first))?)
            }
        }
    }

    /// A statement to run once or many times, as rusqlite's `prepare` gives.
    pub fn prepare<'c>(&'c self, sql: &str) -> Result<Statement<'c>> {
        Ok(Statement {
            conn: self,
            sql: sql.to_string(),
        })
    }

    pub fn prepare_cached<'c>(&'c self, sql: &str) -> Result<Statement<'c>> {
        self.prepare(sql)
    }

    /// Every row with its column names: for copying whole tables between engines.
    pub fn query_values(
        &self,
        sql: &str,
        params: impl Params,
    ) -> Result<(Vec<String>, Vec<Vec<Value>>)> {
        let values = params.values()?;
        match &self.inner {
            Inner::Sqlite(conn) => {
                let mut statement = conn.prepare(sql)?;
                let names: Vec<String> = statement
                    .column_names()
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                let width = names.len();
                let rows = statement
                    .query_map(rusqlite::params_from_iter(values), |row| {
                        (0..width)
                            .map(|i| row.get::<_, Value>(i))
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((names, rows))
            }
            Inner::Postgres(server) => {
                let names = {
                    let mut server = server.borrow_mut();
                    let statement = server.prepare(sql)?;
                    statement
                        .columns()
                        .iter()
                        .map(|c| c.name().to_string())
                        .collect()
                };
                Ok((names, self.pg_rows(sql, &values)?))
            }
        }
    }

    fn pg_rows(&self, sql: &str, values: &[Value]) -> Result<Vec<Vec<Value>>> {
        let Inner::Postgres(server) = &self.inner else {
            unreachable!("pg_rows on SQLite")
        };
        let mut server = server.borrow_mut();
        let statement = server.prepare(sql)?;
        let bound = bind(values);
        let rows = server.client.query(&statement, &as_refs(&bound))?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| Ok(row.try_get::<_, Cell>(i)?.0))
                    .collect::<Result<Vec<_>>>()
            })
            .collect()
    }

    /// Starts a write transaction. Writers queue: SQLite's IMMEDIATE takes the write lock at
    /// once; on PostgreSQL an advisory lock held to the end of the transaction does the same,
    /// and the same round trip answers whether the login is a member of the group role
    /// `member_of` (always true on SQLite, and without one).
    pub fn begin_write(&self, member_of: Option<&str>) -> Result<(Tx<'_>, bool)> {
        match self.engine() {
            Engine::Sqlite => self.execute_batch("BEGIN IMMEDIATE")?,
            Engine::Postgres => {
                self.execute_batch("BEGIN")?;
                let tx = Tx::new(self, true);
                let holds = match member_of {
                    Some(group) => tx.query_row(
                        &format!("{WRITE_LOCK}, pg_has_role(session_user, ?1, 'MEMBER')"),
                        [group],
                        |r| r.get(1),
                    )?,
                    None => {
                        tx.query_row(WRITE_LOCK, (), |_| Ok(()))?;
                        true
                    }
                };
                return Ok((tx, holds));
            }
        }
        Ok((Tx::new(self, true), true))
    }

    /// A transaction that changes the schema (migrations): no write lock, no version bump.
    pub fn begin_ddl(&self) -> Result<Tx<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Tx::new(self, false))
    }

    /// A read that sees one moment of the database across all its statements.
    pub fn begin_snapshot(&self) -> Result<Tx<'_>> {
        match self.engine() {
            Engine::Sqlite => self.execute_batch("BEGIN DEFERRED")?,
            Engine::Postgres => {
                self.execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?
            }
        }
        Ok(Tx::new(self, false))
    }
}

impl Server {
    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&postgres_sql(sql))?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

/// A transaction. Dropped without [`Tx::commit`], it rolls back: an error half-way through a
/// store method leaves nothing written.
pub(crate) struct Tx<'c> {
    conn: &'c Conn,
    open: bool,
    write: bool,
    /// The audit chain's head (count, hash) as this transaction's appends left it, written
    /// once at commit: a row updated thousands of times in one PostgreSQL transaction keeps
    /// every version until it ends, and each read walks them all.
    audit_head: std::cell::RefCell<Option<(i64, String)>>,
}

impl<'c> Tx<'c> {
    fn new(conn: &'c Conn, write: bool) -> Tx<'c> {
        Tx {
            conn,
            open: true,
            write,
            audit_head: std::cell::RefCell::new(None),
        }
    }

    pub fn audit_head(&self) -> Option<(i64, String)> {
        self.audit_head.borrow().clone()
    }

    pub fn set_audit_head(&self, count: i64, hash: String) {
        *self.audit_head.borrow_mut() = Some((count, hash));
    }

    pub fn commit(mut self) -> Result<()> {
        if let Some((count, hash)) = self.audit_head.take() {
            super::audit::write_head(&self, count, &hash)?;
        }
        if self.write && self.conn.engine() == Engine::Postgres {
            self.conn.execute_batch(BUMP_DATA_VERSION)?;
            // The channel's payload is who wrote, never what: listeners read for themselves.
            self.conn
                .execute("SELECT pg_notify('relman', ?1)", [writer_id()])?;
        }
        self.open = false;
        let committed = self.conn.execute_batch("COMMIT");
        if committed.is_err() {
            if self.conn.is_closed() {
                // The server may or may not have committed before the connection went: say
                // so, and never retry a write blindly.
                return Err(Error::Unconfirmed);
            }
            // SQLite leaves a transaction open when its COMMIT fails: end it, so the next
            // write can begin.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        committed
    }
}

impl Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open && !self.conn.is_closed() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// A statement bound to its connection: `query_map` reads every row at once, so the same code
/// serves both engines (the PostgreSQL client hands over whole results anyway).
pub(crate) struct Statement<'c> {
    conn: &'c Conn,
    sql: String,
}

impl Statement<'_> {
    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        mut read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<std::vec::IntoIter<rusqlite::Result<T>>> {
        let values = params.values()?;
        let out: Vec<rusqlite::Result<T>> = match &self.conn.inner {
            Inner::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(&self.sql)?;
                statement
                    .query_map(rusqlite::params_from_iter(values), |row| {
                        read(&Row::Sqlite(row))
                    })?
                    .collect()
            }
            Inner::Postgres(_) => self
                .conn
                .pg_rows(&self.sql, &values)?
                .iter()
                .map(|row| read(&Row::Values(row)))
                .collect(),
        };
        Ok(out.into_iter())
    }

    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        self.conn.execute(&self.sql, params)
    }
}

/// One row of a result, from either engine.
pub(crate) enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Values(&'r [Value]),
}

impl Row<'_> {
    pub fn get<T: FromSql>(&self, index: usize) -> rusqlite::Result<T> {
        match self {
            Row::Sqlite(row) => row.get(index),
            Row::Values(values) => {
                let value = values
                    .get(index)
                    .ok_or(rusqlite::Error::InvalidColumnIndex(index))?;
                T::column_result(ValueRef::from(value)).map_err(|e| match e {
                    rusqlite::types::FromSqlError::InvalidType => {
                        rusqlite::Error::InvalidColumnType(
                            index,
                            index.to_string(),
                            ValueRef::from(value).data_type(),
                        )
                    }
                    other => rusqlite::Error::FromSqlConversionFailure(
                        index,
                        ValueRef::from(value).data_type(),
                        Box::new(other),
                    ),
                })
            }
        }
    }
}

/// `.optional()` on a [`Conn::query_row`]: no row becomes `None`.
pub(crate) trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(Error::Storage(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// What a statement's parameters can be given as: `params![…]`, an array, or `()` for none.
pub(crate) trait Params {
    fn values(self) -> Result<Vec<Value>>;
}

fn value_of(param: &dyn ToSql) -> rusqlite::Result<Value> {
    use rusqlite::types::ToSqlOutput;
    Ok(match param.to_sql()? {
        ToSqlOutput::Borrowed(value) => Value::try_from(value)?,
        ToSqlOutput::Owned(value) => value,
        other => {
            return Err(rusqlite::Error::ToSqlConversionFailure(
                format!("unsupported parameter {other:?}").into(),
            ));
        }
    })
}

impl Params for () {
    fn values(self) -> Result<Vec<Value>> {
        Ok(Vec::new())
    }
}

impl Params for &[&dyn ToSql] {
    fn values(self) -> Result<Vec<Value>> {
        Ok(self
            .iter()
            .map(|p| value_of(*p))
            .collect::<rusqlite::Result<_>>()?)
    }
}

impl<T: ToSql, const N: usize> Params for [T; N] {
    fn values(self) -> Result<Vec<Value>> {
        Ok(self
            .iter()
            .map(|p| value_of(p))
            .collect::<rusqlite::Result<_>>()?)
    }
}

impl<T: ToSql, const N: usize> Params for &[T; N] {
    fn values(self) -> Result<Vec<Value>> {
        Ok(self
            .iter()
            .map(|p| value_of(p))
            .collect::<rusqlite::Result<_>>()?)
    }
}

impl Params for Vec<Value> {
    fn values(self) -> Result<Vec<Value>> {
        Ok(self)
    }
}

/// Shared SQL's `?N` parameters as PostgreSQL's `$N`. Text in quotes is left alone.
pub(crate) fn postgres_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quoted {
            Some(q) if c == q => quoted = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quoted = Some(c),
            None if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

/// A [`Value`] bound to a PostgreSQL parameter of whatever type the server inferred.
#[derive(Debug)]
struct Bound<'v>(&'v Value);

fn bind(values: &[Value]) -> Vec<Bound<'_>> {
    values.iter().map(Bound).collect()
}

fn as_refs<'a>(bound: &'a [Bound<'a>]) -> Vec<&'a (dyn PgToSql + Sync)> {
    bound.iter().map(|b| b as &(dyn PgToSql + Sync)).collect()
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

fn put<T: PgToSql>(
    value: T,
    ty: &Type,
    out: &mut postgres::types::private::BytesMut,
) -> Result<IsNull, BoxError> {
    value.to_sql(ty, out)
}

impl PgToSql for Bound<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, BoxError> {
        let number = |i: i64, out: &mut postgres::types::private::BytesMut| match *ty {
            Type::INT8 => put(i, ty, out),
            Type::INT4 => put(i32::try_from(i)?, ty, out),
            Type::INT2 => put(i16::try_from(i)?, ty, out),
            Type::FLOAT8 => put(i as f64, ty, out),
            Type::FLOAT4 => put(i as f32, ty, out),
            Type::BOOL => put(i != 0, ty, out),
            _ => put(i.to_string().as_str(), ty, out),
        };
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => number(*i, out),
            Value::Real(f) => match *ty {
                Type::FLOAT4 => put(*f as f32, ty, out),
                Type::FLOAT8 => put(*f, ty, out),
                _ => put(f.to_string().as_str(), ty, out),
            },
            Value::Text(text) => match *ty {
                Type::INT8 | Type::INT4 | Type::INT2 => number(text.parse()?, out),
                Type::FLOAT8 => put(text.parse::<f64>()?, ty, out),
                _ if <&str as PgToSql>::accepts(ty) => put(text.as_str(), ty, out),
                // Text in the binary format of another type would be garbage: shared SQL
                // says CAST(?n AS TEXT) instead.
                _ => Err(format!("a text parameter where PostgreSQL expects {ty}").into()),
            },
            Value::Blob(bytes) => put(bytes.as_slice(), ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// One column of a PostgreSQL row as a [`Value`], whatever its type.
struct Cell(Value);

impl<'a> postgres::types::FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Cell, BoxError> {
        Ok(Cell(match *ty {
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::OID => Value::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::VOID => Value::Null,
            _ if <String as postgres::types::FromSql>::accepts(ty) => {
                Value::Text(String::from_sql(ty, raw)?)
            }
            _ => return Err(format!("Relman does not read PostgreSQL's {ty} values").into()),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<Cell, BoxError> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        // Decided per value in `from_sql`, which names a type it cannot read.
        true
    }
}

/// PostgreSQL's binary NUMERIC (what `SUM` and `AVG` of integers give): a whole number as an
/// integer, anything else as a float.
fn numeric(raw: &[u8]) -> Result<Value, BoxError> {
    let word = |i: usize| -> Result<i16, BoxError> {
        let bytes = raw.get(i * 2..i * 2 + 2).ok_or("short NUMERIC")?;
        Ok(i16::from_be_bytes([bytes[0], bytes[1]]))
    };
    let (digits, weight, sign, scale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let mut value = 0f64;
    for i in 0..digits.max(0) as usize {
        value += f64::from(word(4 + i)?) * 10000f64.powi(i32::from(weight) - i as i32);
    }
    if sign == 0x4000 {
        value = -value;
    }
    Ok(if scale == 0 && value.abs() < 9.0e15 {
        Value::Integer(value as i64)
    } else {
        Value::Real(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_parameters_become_dollars_outside_quotes() {
        assert_eq!(
            postgres_sql("SELECT '?1', x FROM t WHERE a = ?1 AND b = ?12 OR c = \"?2\""),
            "SELECT '?1', x FROM t WHERE a = $1 AND b = $12 OR c = \"?2\""
        );
    }

    #[test]
    fn numerics_read_as_integers_when_whole() {
        // 12345 = digits [1, 2345], weight 1, positive, scale 0.
        let raw = [0, 2, 0, 1, 0, 0, 0, 0, 0, 1, 0x09, 0x29];
        assert_eq!(numeric(&raw).unwrap(), Value::Integer(12345));
        // -1.5 = digits [1, 5000], weight 0, negative, scale 1.
        let raw = [0, 2, 0, 0, 0x40, 0, 0, 1, 0, 1, 0x13, 0x88];
        assert_eq!(numeric(&raw).unwrap(), Value::Real(-1.5));
    }
}
