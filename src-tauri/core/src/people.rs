//! People and their roles. On a team database the server signs people in (its login) and
//! keeps their roles (its group roles `relman_<role>`); on a file there is one person, whose
//! roles in the profile are advisory.

use serde::Serialize;
use ts_rs::TS;

use crate::message::{Message, Param, word};

text_enum!(
    /// What a person may do in Relman. Each write needs one of them (see `Store::write`).
    TeamRole {
        Viewer = "viewer",
        Planner = "planner",
        Tester = "tester",
        ReleaseManager = "release_manager",
        CabMember = "cab_member",
        CabChair = "cab_chair",
        Admin = "admin",
    }
);

impl TeamRole {
    /// The PostgreSQL group role that carries it.
    pub fn group(self) -> String {
        format!("relman_{}", self.as_str())
    }

    /// How the role is named to people.
    pub fn label(self) -> &'static str {
        match self {
            TeamRole::Viewer => "viewer",
            TeamRole::Planner => "planner",
            TeamRole::Tester => "tester",
            TeamRole::ReleaseManager => "release manager",
            TeamRole::CabMember => "CAB member",
            TeamRole::CabChair => "CAB chair",
            TeamRole::Admin => "administrator",
        }
    }

    /// What the role lets a person do, for a refusal that explains itself.
    pub fn allows(self) -> &'static str {
        match self {
            TeamRole::Viewer => "to read everything and export",
            TeamRole::Planner => "to edit releases, changes, scope, packages, plans and models",
            TeamRole::Tester => "to record environments, bookings, test runs and defects",
            TeamRole::ReleaseManager => {
                "to move stages, run and abort deployments, and keep windows and freezes"
            }
            TeamRole::CabMember => "to decide on releases and authorize changes",
            TeamRole::CabChair => "to open and end CAB meetings and record their decisions",
            TeamRole::Admin => "to manage people and settings",
        }
    }
}

/// A person who may use the team database: a login granted at least one Relman role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Person {
    pub login: String,
    /// The display name the person chose in their profile; empty until they do.
    pub name: String,
    pub roles: Vec<TeamRole>,
}

/// Who is using Relman now, and whether their roles bind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Session {
    /// The server's login, or on a file the profile's name (else the OS user).
    pub login: String,
    /// The profile's display name, when it differs from the login.
    pub name: Option<String>,
    pub roles: Vec<TeamRole>,
    /// The roles bind (a team database checks them, and so does its server); on a file they
    /// are advisory.
    pub enforced: bool,
    /// A server superuser: PostgreSQL lets them past every privilege, so Relman does too.
    pub superuser: bool,
    /// Which database on which server: `relman@db.example:5432`; none for a file.
    pub place: Option<String>,
}

impl Session {
    pub fn holds(&self, role: TeamRole) -> bool {
        self.superuser || self.roles.contains(&role)
    }
}

/// "planner, CAB member", or "no role" when there are none.
/// The refusal of a write that needs `needed`, which `login` does not hold.
pub fn refusal(login: &str, needed: TeamRole, holds: &[TeamRole]) -> crate::Error {
    let holds = if holds.is_empty() {
        word("team_role.none")
    } else {
        Param::List(
            holds
                .iter()
                .map(|r| word(format!("team_role.{r}")))
                .collect(),
        )
    };
    crate::Error::Forbidden {
        message: Message::new("error.forbidden")
            .with("login", login)
            .with("role", word(format!("team_role.{needed}")))
            .with("allows", word(format!("team_role.{needed}.allows")))
            .with("holds", holds)
            .with("needed", needed.as_str()),
        needed: needed.as_str().to_string(),
    }
}

pub fn describe(roles: &[TeamRole]) -> String {
    if roles.is_empty() {
        return "no Relman role".into();
    }
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_as_people_say_them_and_map_to_group_roles() {
        assert_eq!(
            describe(&[TeamRole::Planner, TeamRole::CabMember]),
            "planner, CAB member"
        );
        assert_eq!(describe(&[]), "no Relman role");
        assert_eq!(TeamRole::ReleaseManager.group(), "relman_release_manager");
        assert_eq!("cab_chair".parse::<TeamRole>(), Ok(TeamRole::CabChair));
        assert!(
            "owner"
                .parse::<TeamRole>()
                .unwrap_err()
                .contains("viewer, planner, tester")
        );
    }
}
