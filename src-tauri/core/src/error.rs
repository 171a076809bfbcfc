use serde::Serialize;
use ts_rs::TS;

/// Everything the core can refuse or fail with. The app and the CLI only look at
/// [`Error::kind`], [`Error::fields`] and [`Error::user_message`]; the full chain goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule about a field; every broken field is listed.
    #[error("{}", join_fields(.0))]
    Validation(Vec<FieldError>),

    #[error("{what} {key} does not exist")]
    NotFound { what: &'static str, key: String },

    /// The input is valid on its own but clashes with what is stored (a duplicate key, a
    /// stale edit). `field` names the input field at fault when there is one.
    #[error("{message}")]
    Conflict {
        field: Option<&'static str>,
        message: String,
    },

    /// A stage move refused by the lifecycle rules; every failing rule is listed.
    #[error("{release} cannot move to {target}: {}", join_rules(.failing))]
    Rules {
        release: String,
        target: crate::release::Stage,
        failing: Vec<crate::rules::RuleResult>,
    },

    #[error(
        "this database was written by a newer Relman (schema version {found}); \
         this Relman understands up to version {supported}. Update Relman to open it"
    )]
    NewerDatabase { found: usize, supported: usize },

    #[error("storage failure")]
    Storage(#[from] rusqlite::Error),

    /// The database file cannot be written; nothing was attempted.
    #[error("{path} is open read-only: {why}. Nothing was changed")]
    ReadOnly { path: String, why: String },

    #[error("database migration failed")]
    Migration(#[from] rusqlite_migration::Error),

    /// A failure reported by (or on the way to) a PostgreSQL server.
    #[error("database server failure")]
    Server(#[from] postgres::Error),

    /// The connection went while a write was being committed: it may or may not be saved.
    #[error(
        "the connection to the database server was lost while saving, so Relman cannot tell \
         whether the change was saved. Check whether it was saved before you do it again"
    )]
    Unconfirmed,

    /// The server's schema is older than this Relman and the login may not update it.
    #[error(
        "the team database has schema version {found}; this Relman needs version {supported}. \
         Ask the database's administrator to run `relman-cli db migrate` once"
    )]
    OlderDatabase { found: usize, supported: usize },

    /// The login's roles do not allow the write; nothing was attempted.
    #[error(
        "{login} may not do this: it needs the {} role ({}), and {login} holds {}. \
         An administrator grants roles in Settings ▸ People or with \
         `relman-cli people grant {login} {needed}`",
        .needed.label(), .needed.allows(), crate::people::describe(.holds)
    )]
    Forbidden {
        login: String,
        needed: crate::people::TeamRole,
        holds: Vec<crate::people::TeamRole>,
    },

    /// The person stopped long work before it was saved.
    #[error("cancelled: nothing was changed")]
    Cancelled,

    #[error("internal error: {0}")]
    Internal(String),
}

/// The small, stable classification that crosses to the UI and decides CLI exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Validation,
    NotFound,
    Conflict,
    /// Refused by a lifecycle rule.
    Rule,
    /// The person's roles do not allow it.
    Forbidden,
    /// The person stopped it; nothing was written.
    Cancelled,
    Storage,
    Internal,
}

/// One field that input got wrong, and what is allowed instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

fn join_rules(rules: &[crate::rules::RuleResult]) -> String {
    rules
        .iter()
        .map(|r| format!("{} {}", r.code, r.message))
        .collect::<Vec<_>>()
        .join("; ")
}

fn join_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Validation(_) => ErrorKind::Validation,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Conflict { .. } => ErrorKind::Conflict,
            Error::Rules { .. } => ErrorKind::Rule,
            Error::Forbidden { .. } => ErrorKind::Forbidden,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::NewerDatabase { .. }
            | Error::Storage(_)
            | Error::Migration(_)
            | Error::Server(_)
            | Error::Unconfirmed
            | Error::OlderDatabase { .. }
            | Error::ReadOnly { .. } => ErrorKind::Storage,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The fields at fault, for showing each message next to its input.
    pub fn fields(&self) -> Vec<FieldError> {
        match self {
            Error::Validation(fields) => fields.clone(),
            Error::Conflict {
                field: Some(field),
                message,
            } => vec![FieldError::new(field, message.clone())],
            _ => Vec::new(),
        }
    }

    /// What a user may be shown. Storage and internal failures get a generic sentence; their
    /// details (SQL, paths) belong in the log, not in a dialog.
    pub fn user_message(&self) -> String {
        match self {
            Error::Storage(e) if out_of_space(e) => {
                "The database file could not be written: the disk is full (or the file may not \
                 grow). Nothing was changed; free some space and try again."
                    .to_string()
            }
            // Closed, refused, or ended by the server (57P01: it is shutting down; class 08:
            // the connection failed).
            Error::Server(e) if e.is_closed() || connection_ended(e) => {
                "The connection to the database server was lost. Nothing was changed; \
                 reconnecting at the next action."
                    .to_string()
            }
            // Refusals meant for a person: missing privileges, and the database's own rules.
            Error::Server(e)
                if e.as_db_error().is_some_and(|d| {
                    matches!(d.code().code(), "42501" | "P0001" | "40001" | "40P01")
                }) =>
            {
                format!(
                    "The database server refused this: {}. Nothing was changed.",
                    e.as_db_error().map(|d| d.message()).unwrap_or_default()
                )
            }
            Error::Server(e) if e.as_db_error().is_none() => {
                let detail = std::error::Error::source(e)
                    .map(|cause| format!("{e}: {cause}"))
                    .unwrap_or_else(|| e.to_string());
                format!(
                    "The connection to the database server was lost or could not be made \
                     ({detail}). Nothing was changed; reconnecting at the next action."
                )
            }
            Error::Storage(_) | Error::Migration(_) | Error::Server(_) => {
                "The database could not be read or written. Nothing was changed; \
                 the details are in the log."
                    .to_string()
            }
            Error::Internal(_) => "Something went wrong inside Relman. Nothing was changed; \
                 the details are in the log."
                .to_string(),
            other => other.to_string(),
        }
    }

    /// The error and every cause under it, for the log.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            out.push_str(": ");
            out.push_str(&cause.to_string());
            source = cause.source();
        }
        out
    }
}

fn connection_ended(error: &postgres::Error) -> bool {
    error
        .code()
        .is_some_and(|c| c.code().starts_with("57P") || c.code().starts_with("08"))
}

/// A full disk (ENOSPC: SQLITE_FULL), or a file that may not grow (EFBIG, a file size limit:
/// SQLite reports a failed write).
fn out_of_space(error: &rusqlite::Error) -> bool {
    match error {
        rusqlite::Error::SqliteFailure(e, _) => {
            e.code == rusqlite::ErrorCode::DiskFull
                || e.extended_code == rusqlite::ffi::SQLITE_IOERR_WRITE
        }
        _ => false,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The shape every error takes when it crosses to the UI or is printed as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorReport {
    pub kind: ErrorKind,
    pub message: String,
    pub fields: Vec<FieldError>,
    /// The failing lifecycle rules, when a move was refused by them.
    pub rules: Vec<crate::rules::RuleResult>,
}

impl From<&Error> for ErrorReport {
    fn from(error: &Error) -> Self {
        ErrorReport {
            kind: error.kind(),
            message: error.user_message(),
            fields: error.fields(),
            rules: match error {
                Error::Rules { failing, .. } => failing.clone(),
                _ => Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_errors_hide_their_details_from_users() {
        let error = Error::Storage(rusqlite::Error::InvalidPath("/secret/path.db".into()));
        assert_eq!(error.kind(), ErrorKind::Storage);
        assert!(!error.user_message().contains("/secret"));
        assert!(error.chain().contains("/secret/path.db"));
    }

    #[test]
    fn validation_lists_every_field() {
        let error = Error::Validation(vec![
            FieldError::new("title", "must not be empty"),
            FieldError::new("planned_end", "must not be before the planned start"),
        ]);
        let report = ErrorReport::from(&error);
        assert_eq!(report.kind, ErrorKind::Validation);
        assert_eq!(report.fields.len(), 2);
        assert_eq!(
            report.message,
            "title: must not be empty; planned_end: must not be before the planned start"
        );
    }

    #[test]
    fn conflict_on_a_field_is_reported_on_that_field() {
        let error = Error::Conflict {
            field: Some("key"),
            message: "REL-2026-001 already exists".into(),
        };
        assert_eq!(
            error.fields(),
            vec![FieldError::new("key", "REL-2026-001 already exists")]
        );
    }
}
