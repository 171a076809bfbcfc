//! `relman-cli people`: who may use a team database, in which roles.

use chrono::{DateTime, Utc};
use clap::Subcommand;
use relman_core::people::{Person, TeamRole, describe};
use relman_core::{Error, Store};

use crate::{Output, parse_enum};

#[derive(Subcommand)]
pub enum PeopleCommand {
    /// Everyone granted a Relman role on the team database, with their roles
    List,
    /// Grant a role to a login (administrators; audited). Roles: viewer, planner, tester,
    /// release_manager, cab_member, cab_chair, admin
    Grant {
        login: String,
        #[arg(value_parser = parse_enum::<TeamRole>)]
        role: TeamRole,
    },
    /// Revoke a role from a login (administrators; audited)
    Revoke {
        login: String,
        #[arg(value_parser = parse_enum::<TeamRole>)]
        role: TeamRole,
    },
}

pub fn run(
    store: &mut Store,
    command: PeopleCommand,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Output, Error> {
    match command {
        PeopleCommand::List => {
            let people = store.people()?;
            let text: String = people.iter().map(line).collect();
            Ok(Output::new(&people, text))
        }
        PeopleCommand::Grant { login, role } => {
            let person = store.grant(&login, role, actor, now)?;
            let text = format!("Granted {} to {}.\n{}", role.label(), login, line(&person));
            Ok(Output::new(&person, text))
        }
        PeopleCommand::Revoke { login, role } => {
            let person = store.revoke(&login, role, actor, now)?;
            let text = format!(
                "Revoked {} from {}.\n{}",
                role.label(),
                login,
                line(&person)
            );
            Ok(Output::new(&person, text))
        }
    }
}

fn line(person: &Person) -> String {
    let name = if person.name.is_empty() || person.name == person.login {
        String::new()
    } else {
        format!(" ({})", person.name)
    };
    format!("{}{name}: {}\n", person.login, describe(&person.roles))
}
