//! CAB approvals: who decided what about a release, and over which content.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::package::Component;
use crate::release::Release;

text_enum!(Decision {
    Approve = "approve",
    Reject = "reject",
    Defer = "defer",
});

text_enum!(Role {
    ReleaseManager = "release_manager",
    CabMember = "cab_member",
    Implementer = "implementer",
});

impl Decision {
    /// What the decision means, recorded with it so the record reads on its own.
    pub fn meaning(self) -> &'static str {
        match self {
            Decision::Approve => "authorized to deploy as scoped, packaged and planned",
            Decision::Reject => "not authorized; sent back to build for revision",
            Decision::Defer => "no decision yet; to be decided at a later CAB",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Approval {
    pub approver: String,
    pub role: Role,
    pub decision: Decision,
    pub meaning: String,
    pub comment: String,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// The release's content when decided; a later edit makes it differ.
    pub content_hash: String,
}

/// A hash of what the CAB authorizes: scope (change keys), package (components, versions,
/// requirements) and plan (planned window). Any edit of these changes it.
pub fn content_hash(release: &Release, change_keys: &[String], components: &[Component]) -> String {
    let mut keys = change_keys.to_vec();
    keys.sort();
    let mut components = components.to_vec();
    components.sort_by(|a, b| a.ci.cmp(&b.ci));
    let content = serde_json::json!({
        "scope": keys,
        "package": components,
        "plan": { "start": release.planned_start, "end": release.planned_end },
    });
    let canonical = crate::canonical::to_string(&content);
    format!("{:x}", Sha256::digest(canonical.as_bytes()))
}
