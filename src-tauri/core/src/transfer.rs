//! Relman's exchange format: a whole database, or one release with what it refers to, as one
//! versioned JSON document. Its JSON Schema is generated from these types
//! (`docs/relman-export.schema.json`, checked by a test).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::after::{Activity, ActivityState, Incident};
use crate::approval::{Decision, Role};
use crate::calendar::{Freeze, ServiceHours, Window};
use crate::change::{ChangeKind, ChangeStatus, CiKind};
use crate::package::{Dml, PackageType};
use crate::plan::{DeploymentModel, Plan};
use crate::release::{ReleaseType, Risk, Stage};
use crate::testing::{
    BookingPurpose, Defect, Environment, Revert, Snapshot, TestKind, TestResult, VersionChange,
    Versions,
};

/// The value of `format` in every document.
pub const FORMAT: &str = "relman";
/// The version of the format this Relman writes, and the newest it reads.
/// Version 2 added windows, freezes, business hours, deployment models and plans; 3 the
/// content of approvals and rollback steps; 4 test environments, bookings and test runs; 5
/// changes' planned windows; 6 everything else Relman keeps: CAB meetings, each release's
/// stage moves, incidents, activities, costs and review, the settings that belong to the
/// data, and the calendar feed's sequence numbers.
pub const VERSION: u32 = 6;

/// A Relman export.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Always "relman".
    pub format: String,
    /// The format version, 1 to 6.
    pub version: u32,
    #[serde(default)]
    pub cis: Vec<CiRecord>,
    #[serde(default)]
    pub changes: Vec<ChangeRecord>,
    #[serde(default)]
    pub releases: Vec<ReleaseRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<Window>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub freezes: Vec<Freeze>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_hours: Vec<ServiceHours>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<DeploymentModel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<EnvironmentRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meetings: Vec<MeetingRecord>,
    /// Release units: CIs a full release deploys together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<crate::store::ReleaseUnit>,
    /// Settings that belong to the data (ELS and test policies, document options, status
    /// mappings per source), as stored; not a machine's preferences.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
    /// What each calendar event looked like when last exported, so SEQUENCE goes on counting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calendar_feed: Vec<FeedRecord>,
}

/// A CAB meeting with the members present. Its decisions name it by `started_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRecord {
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    pub members: Vec<String>,
}

/// One calendar event as last exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedRecord {
    pub uid: String,
    pub fingerprint: String,
    pub sequence: u32,
    pub stamp: DateTime<Utc>,
}

/// A stage move from the release's history (the KPIs and early life support read them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageMove {
    pub at: DateTime<Utc>,
    pub by: String,
    pub from: Stage,
    pub to: Stage,
}

/// An accompanying activity as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityRecord {
    pub activity: Activity,
    pub state: ActivityState,
    #[serde(default)]
    pub note: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// A test environment with what was installed on it over time, its snapshots and reverts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EnvironmentRecord {
    #[serde(flatten)]
    pub env: Environment,
    #[serde(default)]
    pub history: Vec<VersionChange>,
    #[serde(default)]
    pub snapshots: Vec<Snapshot>,
    #[serde(default)]
    pub reverts: Vec<Revert>,
}

/// A booking of a test environment by the release it is listed under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingRecord {
    pub env: String,
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
    pub purpose: BookingPurpose,
    pub by: String,
}

/// A test run of the release it is listed under, with the versions it ran on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    pub env: String,
    pub kind: TestKind,
    pub result: TestResult,
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub defects: Vec<Defect>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub versions: Versions,
    /// For a rollback rehearsal: the fingerprint of the rollback plan it rehearsed.
    #[serde(default)]
    pub rollback: Option<String>,
    pub by: String,
}

/// A configuration item of the CMDB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CiRecord {
    pub name: String,
    pub kind: CiKind,
    #[serde(default)]
    pub owner: Option<String>,
    /// The version that runs in production.
    #[serde(default)]
    pub prod_version: Option<String>,
    /// Names of the CIs it runs on.
    #[serde(default)]
    pub runs_on: Vec<String>,
    /// Names of the CIs it depends on.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The people to tell about it (format 6 on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<crate::notice::Contact>,
}

/// A change (RFC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRecord {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub status: ChangeStatus,
    #[serde(default)]
    pub risk: Option<Risk>,
    #[serde(default)]
    pub kind: Option<ChangeKind>,
    /// Names of the CIs it touches; each must be in `cis` or already in the database.
    #[serde(default)]
    pub cis: Vec<String>,
    #[serde(default)]
    pub incident_refs: Vec<String>,
    #[serde(default)]
    pub problem_refs: Vec<String>,
    #[serde(default)]
    pub cab_decision_date: Option<NaiveDate>,
    /// When change management authorized it to be carried out (format 5 on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<crate::change::ChangeWindow>,
}

/// A release with its scope, package and CAB decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseRecord {
    pub key: String,
    pub title: String,
    #[serde(rename = "type")]
    pub release_type: ReleaseType,
    #[serde(default = "planning")]
    pub stage: Stage,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub risk: Option<Risk>,
    #[serde(default)]
    pub requester: Option<String>,
    #[serde(default)]
    pub dev_docs: Option<String>,
    #[serde(default)]
    pub ops_docs: Option<String>,
    #[serde(default)]
    pub needs_revision: bool,
    /// Part of the demo data set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    /// Full, delta or package; without it, the type's default (format 6 on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_type: Option<PackageType>,
    /// The release a delta is built on; in `releases` or already in the database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// A package's member releases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Keys of the changes in scope; each must be in `changes` or already in the database.
    #[serde(default)]
    pub changes: Vec<String>,
    #[serde(default)]
    pub components: Vec<ComponentRecord>,
    #[serde(default)]
    pub approvals: Vec<ApprovalRecord>,
    /// The deployment plan: waves, tasks and their dependencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bookings: Vec<BookingRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_runs: Vec<RunRecord>,
    /// When the plan's baseline was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stage_moves: Vec<StageMove>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<Incident>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<ActivityRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub costs: Vec<crate::store::Cost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::store::Review>,
}

fn planning() -> Stage {
    Stage::Planning
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentRecord {
    pub ci: String,
    #[serde(default)]
    pub to_version: Option<String>,
    /// Other CIs it needs, written like "payroll-db>=13".
    #[serde(default)]
    pub requires: Vec<String>,
    /// Where the target version's definitive media are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dml: Option<Dml>,
}

/// A recorded CAB decision. The content hash is kept, so an imported approval stays valid only
/// for the content it was given for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRecord {
    pub approver: String,
    pub role: Role,
    pub decision: Decision,
    #[serde(default)]
    pub comment: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub content_hash: String,
    /// What was decided on (canonical JSON), so a later difference can be named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The CAB meeting it was taken in, by the meeting's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<DateTime<Utc>>,
}

/// The JSON Schema of [`Document`], pretty-printed.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Document);
    crate::canonical::to_string_pretty(&schema) + "\n"
}

/// Reads a document, naming the JSON path of anything malformed.
pub fn parse(text: &str) -> Result<Document, crate::error::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let document: Document = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." {
            "$".to_string()
        } else {
            format!("$.{path}")
        };
        let message = e.inner().to_string();
        // serde_json appends " at line L column C"; the path says where already.
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        crate::error::Error::Validation(vec![crate::error::FieldError::new(&path, message)])
    })?;
    if document.format != FORMAT {
        return Err(crate::error::Error::Validation(vec![
            crate::error::FieldError::new(
                "$.format",
                format!("must be \"{FORMAT}\"; this is not a Relman export"),
            ),
        ]));
    }
    if document.version == 0 || document.version > VERSION {
        return Err(crate::error::Error::Validation(vec![
            crate::error::FieldError::new(
                "$.version",
                format!(
                    "version {} is not supported; this Relman reads version 1 to {VERSION}",
                    document.version
                ),
            ),
        ]));
    }
    Ok(document)
}
