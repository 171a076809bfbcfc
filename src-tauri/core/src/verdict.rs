//! A lifecycle rule's verdict on a release, kept apart from the rules themselves so that an
//! error can carry the verdicts without knowing the domain they judge.

use serde::Serialize;
use ts_rs::TS;

use crate::message::Message;

text_enum!(
    /// Where in the release workspace a rule is satisfied, so the UI can link to it.
    Area {
        Scope = "scope",
        Package = "package",
        Documents = "documents",
        Approvals = "approvals",
        Plan = "plan",
        Rollback = "rollback",
        Testing = "testing",
        After = "after",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RuleResult {
    pub code: String,
    pub ok: bool,
    pub message: Message,
    /// What would satisfy the rule (none when it holds).
    pub remedy: Option<Message>,
    pub area: Area,
}
