//! Changes (RFCs) from change management, and the CIs of the small CMDB they touch.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::message::{Message, time};
use crate::release::{Risk, check_key};

text_enum!(ChangeStatus {
    Draft = "draft",
    Assessed = "assessed",
    Authorized = "authorized",
    Rejected = "rejected",
    Implemented = "implemented",
});

text_enum!(
    /// IMAC/R/D kind (German: Wartung, Inspektion, Instandsetzung, Verbesserung).
    ChangeKind {
        Maintenance = "maintenance",
        Inspection = "inspection",
        Repair = "repair",
        Improvement = "improvement",
    }
);

text_enum!(CiKind {
    Service = "service",
    Application = "application",
    Server = "server",
    Component = "component",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Change {
    pub key: String,
    pub title: String,
    pub description: String,
    pub status: ChangeStatus,
    pub risk: Option<Risk>,
    pub kind: Option<ChangeKind>,
    /// Names of the CIs it touches.
    pub cis: Vec<String>,
    pub incident_refs: Vec<String>,
    pub problem_refs: Vec<String>,
    #[ts(type = "string | null")]
    pub cab_decision_date: Option<NaiveDate>,
    /// The window change management authorized it to be carried out in.
    pub window: Option<ChangeWindow>,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChangeDraft {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub status: Option<ChangeStatus>,
    pub risk: Option<Risk>,
    pub kind: Option<ChangeKind>,
    #[serde(default)]
    pub cis: Vec<String>,
    #[serde(default)]
    pub incident_refs: Vec<String>,
    #[serde(default)]
    pub problem_refs: Vec<String>,
    /// When the CAB decided on it, if known (imports carry it).
    #[serde(default)]
    #[ts(type = "string | null")]
    pub cab_decision_date: Option<NaiveDate>,
    /// When change management authorized it to be carried out, if known (imports carry it).
    #[serde(default)]
    pub window: Option<ChangeWindow>,
}

/// A change's planned window (ServiceNow's start_date / end_date, Jira Service Management's
/// Planned start / Planned end): the deployment of its CIs must fall inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeWindow {
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    #[ts(type = "string")]
    pub end: DateTime<Utc>,
}

impl ChangeWindow {
    /// The end must come after the start; a window longer than a year is a typo.
    pub fn check(&self) -> std::result::Result<(), FieldError> {
        if self.end <= self.start {
            return Err(FieldError::said(
                "window.end",
                Message::new("field.window_backwards")
                    .with("end", time(self.end, "UTC"))
                    .with("start", time(self.start, "UTC")),
            ));
        }
        if self.end - self.start > chrono::Duration::days(366) {
            return Err(FieldError::said(
                "window.end",
                Message::new("field.window_too_long"),
            ));
        }
        Ok(())
    }

    pub fn contains(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        start >= self.start && end <= self.end
    }
}

impl ChangeDraft {
    /// Trims and checks the fields; the store checks that the CIs exist.
    pub fn validate(&self) -> Result<ChangeDraft> {
        let mut errors = Vec::new();
        let key = self.key.trim().to_string();
        if let Err(message) = check_key(&key, "CHG0031415") {
            errors.push(FieldError::said("key", message));
        }
        let title = crate::release::check_title(&self.title, &mut errors);
        if let Some(Err(e)) = self.window.map(|w| w.check()) {
            errors.push(e);
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        Ok(ChangeDraft {
            key,
            title,
            description: self.description.trim().to_string(),
            status: Some(self.status.unwrap_or(ChangeStatus::Draft)),
            risk: self.risk,
            kind: self.kind,
            cis: clean_names(&self.cis),
            incident_refs: clean_names(&self.incident_refs),
            problem_refs: clean_names(&self.problem_refs),
            cab_decision_date: self.cab_decision_date,
            window: self.window,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Ci {
    pub name: String,
    pub kind: CiKind,
    pub owner: Option<String>,
    /// The version that runs in production now.
    pub prod_version: Option<String>,
    /// CIs this one runs on (an application on its server).
    #[serde(default)]
    pub runs_on: Vec<String>,
    /// CIs this one depends on.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

/// Trimmed, without blanks or repeats, sorted.
fn clean_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = names
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

impl Ci {
    /// A CI with no owner and no relations.
    pub fn new(name: impl Into<String>, kind: CiKind, prod_version: Option<&str>) -> Ci {
        Ci {
            name: name.into(),
            kind,
            owner: None,
            prod_version: prod_version.map(str::to_string),
            runs_on: Vec::new(),
            depends_on: Vec::new(),
        }
    }

    /// Checks a new CI. Names stay plain because requirements are written `NAME>=2.1`.
    pub fn validate(&self) -> Result<Ci> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_string();
        let plain = name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if name.is_empty() {
            errors.push(FieldError::said("name", Message::new("field.empty")));
        } else if !plain || name.chars().count() > 64 {
            errors.push(FieldError::said("name", Message::new("field.ci_name")));
        }
        let prod_version = self
            .prod_version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        if let Some(version) = &prod_version
            && let Err(message) = crate::package::parse_version(version)
        {
            errors.push(FieldError::new("version", message));
        }
        let runs_on = clean_names(&self.runs_on);
        let depends_on = clean_names(&self.depends_on);
        for (field, list) in [("runs_on", &runs_on), ("depends_on", &depends_on)] {
            if list.contains(&name) {
                errors.push(FieldError::said(field, Message::new("field.ci_self")));
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        Ok(Ci {
            name,
            kind: self.kind,
            owner: self
                .owner
                .as_deref()
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_string),
            prod_version,
            runs_on,
            depends_on,
        })
    }
}
