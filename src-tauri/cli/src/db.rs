//! `relman-cli db`: the database itself, for an administrator moving a team onto a server.

use clap::Subcommand;
use relman_core::store::{Engine, MIGRATIONS, is_server_url, without_password};
use relman_core::{Error, Store};
use serde_json::json;

use crate::Output;

#[derive(Subcommand)]
pub enum DbCommand {
    /// Which database --db names, its engine and schema version, and this Relman's
    Info,
    /// Update a team database's schema to this Relman's, in one transaction (a file is
    /// updated whenever it is opened)
    Migrate,
    /// Copy a whole database into an empty one: a file onto a server, or a server into a
    /// new file. Every record comes across and the audit history must verify there;
    /// otherwise nothing is copied
    Copy {
        /// The database to copy: a file or a postgres:// address
        #[arg(long, value_name = "FILE|URL")]
        from: String,
        /// An empty database: a postgres:// address, or a file that does not exist yet
        #[arg(long, value_name = "FILE|URL")]
        to: String,
    },
}

pub fn run(db: &str, command: DbCommand) -> Result<Output, Error> {
    match command {
        DbCommand::Info => {
            let store = if is_server_url(db) {
                Store::connect_unmigrated(db)?
            } else {
                Store::open(std::path::Path::new(db))?
            };
            let found = store.schema_version()?;
            let engine = match store.engine() {
                Engine::Sqlite => "sqlite",
                Engine::Postgres => "postgresql",
            };
            let location = match store.server_name()? {
                Some(name) => name,
                None => without_password(db),
            };
            let login = store.login()?;
            let tls = store.encrypted()?;
            // Before the schema has the people migration the roles cannot be read; say none.
            let roles = match store.session(&login) {
                Ok(session) => session.roles,
                Err(_) => Vec::new(),
            };
            let supported = MIGRATIONS.len();
            let state = match found.cmp(&supported) {
                std::cmp::Ordering::Equal => "up to date",
                std::cmp::Ordering::Less => "older than this Relman: run relman-cli db migrate",
                std::cmp::Ordering::Greater => "newer than this Relman: update Relman",
            };
            let session = match tls {
                Some(true) => ", encrypted (TLS)",
                Some(false) => ", not encrypted",
                None => "",
            };
            let text = format!(
                "{engine} database {location}{session}\nschema version {found} ({state}); this Relman: {supported}\n"
            );
            Ok(Output::new(
                json!({
                    "engine": engine,
                    "location": location,
                    "schema_version": found,
                    "supported_version": supported,
                    "login": login,
                    "roles": roles,
                    "tls": tls,
                }),
                text,
            ))
        }
        DbCommand::Migrate => {
            let (from, to) = if is_server_url(db) {
                Store::connect_unmigrated(db)?.migrate_server()?
            } else {
                let path = std::path::Path::new(db);
                let before = if path.exists() {
                    relman_core::store::file_schema_version(path)?
                } else {
                    0
                };
                (before, Store::open(path)?.schema_version()?)
            };
            let text = if from == to {
                format!("The schema is up to date (version {to}).\n")
            } else {
                format!("Updated the schema from version {from} to {to}.\n")
            };
            Ok(Output::new(json!({"from": from, "to": to}), text))
        }
        DbCommand::Copy { from, to } => {
            if !is_server_url(&to) && std::path::Path::new(&to).exists() {
                return Err(Error::Validation(vec![
                    relman_core::error::FieldError::new(
                        "to",
                        format!(
                            "{to} already exists; copy into a new file or an empty server database"
                        ),
                    ),
                ]));
            }
            let source = Store::open_any(&from)?;
            let mut target = Store::open_any(&to)?;
            let copied = source.copy_into(&mut target);
            if copied.is_err() && !is_server_url(&to) {
                drop(target);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{to}{suffix}"));
                }
            }
            let copied = copied?;
            let (from, to) = (without_password(&from), without_password(&to));
            // The contract's shape: {"tables": {NAME: ROWS}, "audit_verified": true}.
            let tables: serde_json::Map<String, serde_json::Value> = copied
                .tables
                .iter()
                .map(|t| (t.table.clone(), json!(t.rows)))
                .collect();
            let mut text = format!("Copied {from} to {to}:\n");
            for table in copied.tables.iter().filter(|t| t.rows > 0) {
                text.push_str(&format!("  {:<24} {:>8}\n", table.table, table.rows));
            }
            text.push_str(&format!(
                "The audit history ({} records) verifies on {to}.\n",
                copied.audit_records
            ));
            Ok(Output::new(
                json!({"tables": tables, "audit_verified": true, "audit_records": copied.audit_records}),
                text,
            ))
        }
    }
}
