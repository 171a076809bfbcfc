//! Deployment models, waves and plans, and what the scheduler makes of them: the scheduled
//! plan, its conflicts with freezes, windows and other releases, the slot finder and the
//! rollback plan. Pure: the store gathers the inputs, "now" is passed in.
//!
//! One file per idea: `model` (reusable templates), `release_plan` (a release's plan, its
//! waves and how it is made from a model), `layout` (a plan through the scheduler, with its
//! own conflicts), `changes` (what an edit changed, for the window), `overlaps` (releases on the same CI at once), `slots`, `rollback`,
//! `calendar_view`.

mod calendar_view;
mod changes;
mod layout;
mod model;
mod overlaps;
mod release_plan;
mod rollback;
mod slots;

pub use calendar_view::*;
pub use changes::*;
pub use layout::*;
pub use model::*;
pub use overlaps::*;
pub use release_plan::*;
pub use rollback::*;
pub use slots::*;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::{self, Freeze, HORIZON_DAYS, ServiceHours, Window, from_minute, to_minute};
use crate::error::{Error, FieldError, Result};
use crate::message::{Message, Param, word};
use crate::schedule::{self, Dep, DepKind, Minute, Placement, Problem, Span, Unplaced};

text_enum!(
    /// Big bang: every target at once. Phased: waves, each observed before the next.
    Strategy {
        BigBang = "big_bang",
        Phased = "phased",
    }
);

text_enum!(Milestone {
    GoNoGo = "go_no_go",
    Verified = "verified",
});

text_enum!(ConflictKind {
    Overlap = "overlap",
    Freeze = "freeze",
    OutsideWindow = "outside_window",
});

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(name, message)
}
