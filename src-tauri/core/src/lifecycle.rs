//! The release lifecycle: which stage moves exist. Whether a move is allowed for a given
//! release is the rules' business (`rules.rs`); this module only knows the shape.

use crate::release::Stage;

/// The main line, in order.
pub const MAIN_LINE: [Stage; 8] = [
    Stage::Planning,
    Stage::Build,
    Stage::Test,
    Stage::AwaitingAuthorization,
    Stage::Authorized,
    Stage::Deploying,
    Stage::EarlyLifeSupport,
    Stage::Closed,
];

impl Stage {
    /// Position on the main line; `None` for rolled back and cancelled.
    pub fn position(self) -> Option<usize> {
        MAIN_LINE.iter().position(|s| *s == self)
    }

    /// The stage an advance leads to, if any.
    pub fn next(self) -> Option<Stage> {
        self.position().and_then(|i| MAIN_LINE.get(i + 1)).copied()
    }

    pub fn is_final(self) -> bool {
        matches!(self, Stage::Closed | Stage::RolledBack | Stage::Cancelled)
    }

    /// True when a release in this stage has reached `stage` on the main line or gone past it.
    pub fn at_or_after(self, stage: Stage) -> bool {
        match (self.position(), stage.position()) {
            (Some(a), Some(b)) => a >= b,
            _ => false,
        }
    }
}

/// The moves a user can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// To the next stage of the main line.
    Advance,
    /// From test or awaiting authorization back to build; the release then needs revision.
    SendBack,
    /// Abandon a release that has not started deploying.
    Cancel,
    /// A deployment that failed and was backed out.
    RollBack,
}

/// What editing the authorized content (scope, package, planned window, deployment plan) does
/// to a release in `stage`: nothing before authorization; an authorized release goes back to
/// awaiting authorization, because the CAB approved something else; from deploying on the
/// content is history and the edit is refused.
pub fn after_content_edit(stage: Stage) -> Result<Option<Stage>, String> {
    match stage {
        Stage::Authorized => Ok(Some(Stage::AwaitingAuthorization)),
        Stage::Deploying
        | Stage::EarlyLifeSupport
        | Stage::Closed
        | Stage::RolledBack
        | Stage::Cancelled => Err(format!(
            "the release is {stage}; what it deploys can no longer be changed"
        )),
        _ => Ok(None),
    }
}

/// Where `mv` leads from `from`, or why it cannot be made from there.
pub fn target(from: Stage, mv: Move) -> Result<Stage, String> {
    let refuse = |what: &str| Err(format!("a release in {from} cannot be {what}"));
    match mv {
        Move::Advance => match from.next() {
            Some(next) => Ok(next),
            None => refuse("advanced"),
        },
        Move::SendBack => match from {
            Stage::Test | Stage::AwaitingAuthorization => Ok(Stage::Build),
            _ => refuse("sent back to build"),
        },
        Move::Cancel => {
            if from.is_final() || from.at_or_after(Stage::Deploying) {
                refuse("cancelled")
            } else {
                Ok(Stage::Cancelled)
            }
        }
        Move::RollBack => match from {
            Stage::Deploying | Stage::EarlyLifeSupport => Ok(Stage::RolledBack),
            _ => refuse("rolled back"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_line_advances_to_closed_and_stops() {
        let mut stage = Stage::Planning;
        let mut seen = vec![stage];
        while let Ok(next) = target(stage, Move::Advance) {
            stage = next;
            seen.push(stage);
        }
        assert_eq!(seen, MAIN_LINE);
        assert!(target(Stage::Cancelled, Move::Advance).is_err());
    }

    #[test]
    fn exceptional_moves() {
        let cases = [
            (Stage::Test, Move::SendBack, Some(Stage::Build)),
            (
                Stage::AwaitingAuthorization,
                Move::SendBack,
                Some(Stage::Build),
            ),
            (Stage::Build, Move::SendBack, None),
            (Stage::Planning, Move::Cancel, Some(Stage::Cancelled)),
            (Stage::Authorized, Move::Cancel, Some(Stage::Cancelled)),
            (Stage::Deploying, Move::Cancel, None),
            (Stage::Closed, Move::Cancel, None),
            (Stage::Deploying, Move::RollBack, Some(Stage::RolledBack)),
            (
                Stage::EarlyLifeSupport,
                Move::RollBack,
                Some(Stage::RolledBack),
            ),
            (Stage::Authorized, Move::RollBack, None),
        ];
        for (from, mv, expected) in cases {
            assert_eq!(target(from, mv).ok(), expected, "{from} {mv:?}");
        }
    }
}
