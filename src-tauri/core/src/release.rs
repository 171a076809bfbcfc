//! Releases: the logical bundle of changes that goes live together.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::message::Message;

text_enum!(
    /// How big and how urgent a release is.
    ReleaseType {
        Major = "major",
        Minor = "minor",
        Emergency = "emergency",
    }
);

text_enum!(
    Risk {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
);

text_enum!(
    /// The lifecycle stages of the brief, in order, then the two exceptional outcomes.
    Stage {
        Planning = "planning",
        Build = "build",
        Test = "test",
        AwaitingAuthorization = "awaiting_authorization",
        Authorized = "authorized",
        Deploying = "deploying",
        EarlyLifeSupport = "early_life_support",
        Closed = "closed",
        RolledBack = "rolled_back",
        Cancelled = "cancelled",
    }
);

/// A stored release, as the UI and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Release {
    pub key: String,
    pub title: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub release_type: ReleaseType,
    pub stage: Stage,
    pub owner: Option<String>,
    pub risk: Option<Risk>,
    #[ts(type = "string")]
    pub planned_start: NaiveDate,
    #[ts(type = "string")]
    pub planned_end: NaiveDate,
    /// Who asked for the release; they may not also authorize it. Defaults to its creator.
    pub requester: Option<String>,
    /// Links to the documentation for development and for operations.
    pub dev_docs: Option<String>,
    pub ops_docs: Option<String>,
    /// Sent back from test or CAB to build at least once (counted in the KPIs).
    pub needs_revision: bool,
    /// Part of the demo data set, shown with a label so nobody mistakes it for real work.
    pub demo: bool,
    /// Full, delta or a package of releases; its type's default until someone chooses.
    pub package_type: crate::package::PackageType,
    /// The release a delta is built on.
    pub base: Option<String>,
    /// Bumped by every edit, so an edit made on a stale copy is refused, not silently lost.
    #[ts(type = "number")]
    pub version: i64,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// What a user typed into the release form (or passed on the command line). Dates arrive as
/// text so that a malformed one is reported on its field instead of failing the whole request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReleaseDraft {
    pub key: String,
    pub title: String,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub release_type: ReleaseType,
    pub planned_start: String,
    pub planned_end: String,
    pub owner: Option<String>,
    pub risk: Option<Risk>,
    #[serde(default)]
    pub requester: Option<String>,
    #[serde(default)]
    pub dev_docs: Option<String>,
    #[serde(default)]
    pub ops_docs: Option<String>,
}

/// A draft that passed validation: trimmed, parsed, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRelease {
    pub key: String,
    pub title: String,
    pub release_type: ReleaseType,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub owner: Option<String>,
    pub risk: Option<Risk>,
    pub requester: Option<String>,
    pub dev_docs: Option<String>,
    pub ops_docs: Option<String>,
}

pub const TITLE_MAX: usize = 200;
pub const OWNER_MAX: usize = 100;
pub const KEY_MAX: usize = 32;
pub const LINK_MAX: usize = 500;

/// A trimmed title; blank or too long is an error on `title`.
pub(crate) fn check_title(text: &str, errors: &mut Vec<FieldError>) -> String {
    let title = text.trim().to_string();
    if title.is_empty() {
        errors.push(FieldError::said("title", Message::new("field.empty")));
    } else if title.chars().count() > TITLE_MAX {
        errors.push(FieldError::said("title", too_long(TITLE_MAX)));
    }
    title
}

/// Trimmed text, `None` when blank; too long is an error on `field`.
fn optional_text(
    field: &str,
    text: &Option<String>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    if text.chars().count() > max {
        errors.push(FieldError::said(field, too_long(max)));
    }
    Some(text.to_string())
}

impl ReleaseDraft {
    /// Checks every field and reports all that are wrong at once, each with what is allowed.
    pub fn validate(&self) -> Result<ValidRelease> {
        let mut errors = Vec::new();

        let key = self.key.trim().to_string();
        if let Err(message) = check_key(&key, "REL-2026-014") {
            errors.push(FieldError::said("key", message));
        }

        let title = check_title(&self.title, &mut errors);

        let start = parse_date("planned_start", &self.planned_start, &mut errors);
        let end = parse_date("planned_end", &self.planned_end, &mut errors);
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            errors.push(FieldError::said(
                "planned_end",
                Message::new("field.end_before_start").with("start", start.to_string()),
            ));
        }

        let owner = optional_text("owner", &self.owner, OWNER_MAX, &mut errors);
        let requester = optional_text("requester", &self.requester, OWNER_MAX, &mut errors);
        let dev_docs = optional_text("dev_docs", &self.dev_docs, LINK_MAX, &mut errors);
        let ops_docs = optional_text("ops_docs", &self.ops_docs, LINK_MAX, &mut errors);

        match (start, end) {
            (Some(planned_start), Some(planned_end)) if errors.is_empty() => Ok(ValidRelease {
                key,
                title,
                release_type: self.release_type,
                planned_start,
                planned_end,
                owner,
                risk: self.risk,
                requester,
                dev_docs,
                ops_docs,
            }),
            _ => Err(Error::Validation(errors)),
        }
    }
}

/// Keys are what people and scripts refer to a release by, so they stay plain: an upper-case
/// letter, then upper-case letters, digits and single hyphens, like `REL-2026-014`.
pub(crate) fn check_key(key: &str, example: &str) -> std::result::Result<(), Message> {
    if key.is_empty() {
        return Err(Message::new("field.empty"));
    }
    if key.len() > KEY_MAX {
        return Err(too_long(KEY_MAX));
    }
    let first_is_letter = key.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    let chars_ok = key
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if !first_is_letter || !chars_ok || key.ends_with('-') || key.contains("--") {
        return Err(Message::new("field.key_format").with("example", example));
    }
    Ok(())
}

/// "must be at most 200 characters".
pub(crate) fn too_long(max: usize) -> Message {
    Message::new("field.too_long").with("max", max)
}

fn parse_date(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        errors.push(FieldError::said(field, Message::new("field.empty")));
        return None;
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push(FieldError::said(
                field,
                Message::new("field.not_date").with("text", text),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ReleaseDraft {
        ReleaseDraft {
            key: "REL-2026-014".into(),
            title: "Payroll 4.2".into(),
            release_type: ReleaseType::Minor,
            planned_start: "2026-03-01".into(),
            planned_end: "2026-03-14".into(),
            owner: Some("  Anna Berg ".into()),
            risk: Some(Risk::Medium),
            requester: None,
            dev_docs: None,
            ops_docs: None,
        }
    }

    fn field_errors(draft: &ReleaseDraft) -> Vec<(String, String)> {
        match draft.validate() {
            Err(Error::Validation(fields)) => {
                fields.into_iter().map(|f| (f.field, f.message)).collect()
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_draft_is_trimmed_and_parsed() {
        let valid = draft().validate().unwrap();
        assert_eq!(valid.owner.as_deref(), Some("Anna Berg"));
        assert_eq!(
            valid.planned_start,
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
    }

    #[test]
    fn blank_owner_is_no_owner() {
        let mut d = draft();
        d.owner = Some("   ".into());
        assert_eq!(d.validate().unwrap().owner, None);
    }

    #[test]
    fn keys() {
        let cases = [
            ("REL-2026-014", true),
            ("CHGREL7", true),
            ("", false),
            ("rel-2026-014", false),
            ("1REL", false),
            ("REL--1", false),
            ("REL-", false),
            ("REL 2026", false),
            ("REL-ÄÖ", false),
            ("R-0123456789012345678901234567890", false),
        ];
        for (key, ok) in cases {
            assert_eq!(check_key(key, "REL-1").is_ok(), ok, "key {key:?}");
        }
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut d = draft();
        d.key = "bad key".into();
        d.title = "  ".into();
        d.planned_start = "14.03.2026".into();
        d.planned_end = String::new();
        let errors = field_errors(&d);
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["key", "title", "planned_start", "planned_end"]);
        assert!(errors[2].1.contains("YYYY-MM-DD"), "{}", errors[2].1);
    }

    #[test]
    fn end_before_start_names_the_start() {
        let mut d = draft();
        d.planned_end = "2026-02-28".into();
        assert_eq!(
            field_errors(&d),
            [(
                "planned_end".to_string(),
                "must not be before the planned start (2026-03-01)".to_string()
            )]
        );
    }

    #[test]
    fn same_day_release_is_allowed() {
        let mut d = draft();
        d.planned_end = d.planned_start.clone();
        assert!(d.validate().is_ok());
    }

    #[test]
    fn overlong_title_is_refused() {
        let mut d = draft();
        d.title = "x".repeat(TITLE_MAX + 1);
        assert_eq!(field_errors(&d)[0].0, "title");
    }

    #[test]
    fn enum_text_round_trips_and_lists_what_is_allowed() {
        for stage in Stage::ALL {
            assert_eq!(stage.as_str().parse::<Stage>().unwrap(), *stage);
        }
        let err = "huge".parse::<ReleaseType>().unwrap_err();
        assert_eq!(err, "'huge' is not one of major, minor, emergency");
    }
}
