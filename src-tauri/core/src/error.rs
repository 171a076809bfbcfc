use serde::Serialize;
use ts_rs::TS;

use crate::message::{Lang, Message, word};
use crate::verdict::RuleResult;

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
    #[error("{message}: {}", join_rules(.failing))]
    Rules {
        /// "REL-1 cannot move to authorized".
        message: Message,
        failing: Vec<RuleResult>,
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
    ReadOnly { path: String, why: Message },

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
    #[error("{message}")]
    Forbidden {
        /// Names the login, the role it needs, what that role allows and what it holds.
        message: Message,
        /// The role's code (`planner`).
        needed: String,
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
    /// In English, for logs and scripts.
    pub message: String,
    /// The same for a person, in their language; none where the core still writes it in
    /// English only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub says: Option<Message>,
}

impl FieldError {
    /// A refusal written in English only.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            message: message.into(),
            says: None,
        }
    }

    /// A refusal as a message, rendered in the reader's language.
    pub fn said(field: &str, says: Message) -> Self {
        FieldError {
            field: field.to_string(),
            message: says.render(Lang::En),
            says: Some(says),
        }
    }
}

fn join_rules(rules: &[RuleResult]) -> String {
    rules
        .iter()
        .map(|r| format!("{} {}", r.code, r.message.render(Lang::En)))
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

    /// What a user may be shown, in English. Storage and internal failures get a generic
    /// sentence; their details (SQL, paths) belong in the log, not in a dialog.
    pub fn user_message(&self) -> String {
        match self {
            Error::Validation(_) | Error::Conflict { .. } | Error::Rules { .. } => self.to_string(),
            _ => self.says().render(Lang::En),
        }
    }

    /// What a user may be shown, for rendering in their language. Messages the core has not
    /// given a key yet (validation and clashes) come as they are written, in English.
    pub fn says(&self) -> Message {
        let m = Message::new;
        match self {
            Error::NotFound { what, key } => m("error.not_found")
                .with("what", word(format!("thing.{}", what.replace(' ', "_"))))
                .with("key", key),
            Error::Rules { message, .. } => message.clone(),
            Error::Forbidden { message, .. } => message.clone(),
            Error::Cancelled => m("error.cancelled"),
            Error::NewerDatabase { found, supported } => m("error.newer_database")
                .with("found", *found)
                .with("supported", *supported),
            Error::OlderDatabase { found, supported } => m("error.older_database")
                .with("found", *found)
                .with("supported", *supported),
            Error::Unconfirmed => m("error.unconfirmed"),
            Error::ReadOnly { path, why } => m("error.read_only")
                .with("path", path)
                .with("why", why.clone()),
            Error::Storage(e) if out_of_space(e) => m("error.disk_full"),
            // Closed, refused, or ended by the server (57P01: it is shutting down; class 08:
            // the connection failed).
            Error::Server(e) if e.is_closed() || connection_ended(e) => m("error.server_lost"),
            // Refusals meant for a person: missing privileges, and the database's own rules.
            Error::Server(e)
                if e.as_db_error().is_some_and(|d| {
                    matches!(d.code().code(), "42501" | "P0001" | "40001" | "40P01")
                }) =>
            {
                m("error.server_refused").with(
                    "detail",
                    e.as_db_error().map(|d| d.message()).unwrap_or_default(),
                )
            }
            Error::Server(e) if e.as_db_error().is_none() => {
                let detail = std::error::Error::source(e)
                    .map(|cause| format!("{e}: {cause}"))
                    .unwrap_or_else(|| e.to_string());
                m("error.server_unreachable").with("detail", detail)
            }
            Error::Storage(_) | Error::Migration(_) | Error::Server(_) => m("error.storage"),
            Error::Internal(_) => m("error.internal"),
            Error::Validation(_) | Error::Conflict { .. } => {
                m("error.as_written").with("text", self.to_string())
            }
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
    /// In English, for logs and scripts.
    pub message: String,
    /// The same for a person, in their language.
    pub says: Message,
    pub fields: Vec<FieldError>,
    /// The failing lifecycle rules, when a move was refused by them.
    pub rules: Vec<RuleResult>,
}

impl From<&Error> for ErrorReport {
    fn from(error: &Error) -> Self {
        ErrorReport {
            kind: error.kind(),
            message: error.user_message(),
            says: error.says(),
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
