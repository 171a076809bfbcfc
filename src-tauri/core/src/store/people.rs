//! People on a team database: who is signed in, with which roles, and granting and revoking
//! them. The server keeps the roles (group roles `relman_<role>`, see
//! `migrations/postgres/0010_people.sql`); Relman reads them and asks the server to change them.

use chrono::{DateTime, Utc};

use super::Store;
use super::audit::{self, Entry};
use super::sql::{Conn, Engine, OptionalExtension, Tx};
use crate::approval::Role;
use crate::error::{Error, Result};
use crate::people::{Person, Session, TeamRole};

/// The refusal of a write that needs `role`, which the session's login does not hold.
pub(super) fn refusal(tx: &Tx, role: TeamRole) -> Result<Error> {
    let login = session_login(tx)?;
    Ok(crate::people::refusal(&login, role, &roles_of(tx, &login)?))
}

fn session_login(conn: &Conn) -> Result<String> {
    conn.query_row("SELECT CAST(session_user AS TEXT)", (), |r| r.get(0))
}

/// The Relman roles `login` was granted (directly: viewer is not listed for a planner).
fn roles_of(conn: &Conn, login: &str) -> Result<Vec<TeamRole>> {
    let mut stmt = conn.prepare(
        "SELECT CAST(g.rolname AS TEXT) FROM pg_auth_members m
         JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
         WHERE CAST(u.rolname AS TEXT) = ?1",
    )?;
    let names: Vec<String> = stmt
        .query_map([login], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(team_roles(names.iter().map(String::as_str)))
}

/// The Relman roles among PostgreSQL role names, in the order of [`TeamRole::ALL`].
fn team_roles<'a>(names: impl Iterator<Item = &'a str>) -> Vec<TeamRole> {
    let mut roles: Vec<TeamRole> = names
        .filter_map(|n| n.strip_prefix("relman_")?.parse().ok())
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// The profile's roles (a file's, advisory) as team roles.
fn from_profile(roles: &[Role]) -> Vec<TeamRole> {
    let mut out: Vec<TeamRole> = roles
        .iter()
        .filter_map(|r| match r {
            Role::ReleaseManager => Some(TeamRole::ReleaseManager),
            Role::CabMember => Some(TeamRole::CabMember),
            Role::Implementer => None,
        })
        .collect();
    out.sort();
    out
}

fn no_people_on_a_file() -> Error {
    Error::Conflict {
        field: None,
        message: "people and roles are kept by a team database's server; a file has one person, \
                  whose roles are advisory and set in Settings ▸ Profile"
            .into(),
    }
}

impl Store {
    /// Who is using Relman. On a team database: the server's login, its display name and the
    /// roles the server granted it. On a file: the profile (else `os_user`), roles advisory.
    pub fn session(&self, os_user: &str) -> Result<Session> {
        if self.conn.engine() == Engine::Sqlite {
            let profile = self.profile()?;
            return Ok(Session {
                login: profile
                    .as_ref()
                    .map_or_else(|| os_user.to_string(), |p| p.name.clone()),
                name: None,
                roles: profile.map(|p| from_profile(&p.roles)).unwrap_or_default(),
                enforced: false,
                superuser: false,
                place: None,
            });
        }
        let (login, superuser): (String, bool) = self.conn.query_row(
            "SELECT CAST(rolname AS TEXT), rolsuper FROM pg_roles WHERE rolname = session_user",
            (),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let place = self
            .server_name()?
            .and_then(|named| Some(named.split_once(" on ")?.1.to_string()));
        Ok(Session {
            place,
            name: self.display_name(&login)?.filter(|n| n != &login),
            roles: roles_of(&self.conn, &login)?,
            login,
            enforced: true,
            superuser,
        })
    }

    /// Refuses to work as the owner of a team database's tables (the login that migrated
    /// them): the owner passes the database's own checks (privileges, row policies), so only
    /// Relman's would hold. The owner migrates and copies; people sign in as themselves. A
    /// superuser passes every check of PostgreSQL's anyway, and is let through with a warning
    /// in the window.
    pub fn refuse_the_owner(&self) -> Result<()> {
        if self.conn.engine() == Engine::Sqlite {
            return Ok(());
        }
        let owner: Option<(String, bool)> = self
            .conn
            .query_row(
                "SELECT CAST(session_user AS TEXT), r.rolsuper FROM pg_tables t
                 JOIN pg_roles r ON r.rolname = t.tableowner
                 WHERE t.schemaname = current_schema() AND t.tablename = 'releases'
                   AND t.tableowner = session_user",
                (),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match owner {
            Some((login, false)) => Err(Error::Conflict {
                field: None,
                message: format!(
                    "{login} owns the team database's tables, and the database does not check \
                     its owner's roles, so Relman does not work as it. The owner migrates \
                     (relman-cli db migrate) and copies; sign in with your own login"
                ),
            }),
            _ => Ok(()),
        }
    }

    /// The name a login chose for itself on a team database.
    pub(super) fn display_name(&self, login: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT name FROM people WHERE login = ?1", [login], |r| {
                r.get(0)
            })
            .optional()
    }

    /// Everyone granted a Relman role on this team database's server, by login.
    pub fn people(&self) -> Result<Vec<Person>> {
        if self.conn.engine() == Engine::Sqlite {
            return Err(no_people_on_a_file());
        }
        let mut stmt = self.conn.prepare(
            "SELECT CAST(u.rolname AS TEXT), COALESCE(p.name, ''),
                        string_agg(CAST(g.rolname AS TEXT), ',')
                 FROM pg_auth_members m
                 JOIN pg_roles g ON g.oid = m.roleid
                 JOIN pg_roles u ON u.oid = m.member
                 LEFT JOIN people p ON p.login = CAST(u.rolname AS TEXT)
                 WHERE u.rolcanlogin AND starts_with(CAST(g.rolname AS TEXT), 'relman_')
                 GROUP BY u.rolname, p.name
                 ORDER BY u.rolname",
        )?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows
            .into_iter()
            .map(|(login, name, groups)| Person {
                login,
                name,
                roles: team_roles(groups.split(',')),
            })
            .collect())
    }

    /// Grants `role` to `login` (an administrator's act, audited). Granting a role held is
    /// a no-op that still answers with the person.
    pub fn grant(
        &mut self,
        login: &str,
        role: TeamRole,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Person> {
        self.set_role(login, role, true, actor, now)
    }

    pub fn revoke(
        &mut self,
        login: &str,
        role: TeamRole,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Person> {
        self.set_role(login, role, false, actor, now)
    }

    fn set_role(
        &mut self,
        login: &str,
        role: TeamRole,
        granted: bool,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Person> {
        if self.conn.engine() == Engine::Sqlite {
            return Err(no_people_on_a_file());
        }
        let tx = self.write(TeamRole::Admin)?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1 AND rolcanlogin)",
            [login],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(Error::Validation(vec![crate::error::FieldError::new(
                "login",
                format!(
                    "there is no login named '{login}' on this server; its administrator \
                     creates it first (CREATE ROLE \"{login}\" LOGIN PASSWORD '…')"
                ),
            )]));
        }
        let before = roles_of(&tx, login)?;
        tx.execute(
            "SELECT relman_set_role(?1, ?2, ?3)",
            rusqlite::params![login, role.as_str(), granted],
        )?;
        let after = roles_of(&tx, login)?;
        if before != after {
            let list = |roles: &[TeamRole]| {
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let entry = Entry::new("person", login, if granted { "grant" } else { "revoke" })
                .field("roles", Some(list(&before)), Some(list(&after)));
            audit::append(&tx, actor, now, vec![entry])?;
        }
        let name = tx
            .query_row("SELECT name FROM people WHERE login = ?1", [login], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or_default();
        tx.commit()?;
        Ok(Person {
            login: login.to_string(),
            name,
            roles: after,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relman_group_roles_count_in_order() {
        let names = [
            "relman_tester",
            "pg_monitor",
            "relman_planner",
            "relman_nobody",
        ];
        assert_eq!(
            team_roles(names.into_iter()),
            vec![TeamRole::Planner, TeamRole::Tester]
        );
    }

    /// Runs on either engine (the core's tests run on PostgreSQL too in `make test`).
    #[test]
    fn a_file_has_no_people_to_grant_to_and_a_server_no_unknown_login() {
        let mut store = Store::open_in_memory().unwrap();
        let now = "2026-03-02T10:00:00Z".parse().unwrap();
        let error = store
            .grant("nobody_here", TeamRole::Planner, "anna", now)
            .unwrap_err();
        match store.conn.engine() {
            Engine::Sqlite => {
                assert!(error.to_string().contains("Settings ▸ Profile"), "{error}");
                assert!(store.people().is_err());
                let session = store.session("osuser").unwrap();
                assert_eq!(session.login, "osuser");
                assert!(!session.enforced);
            }
            Engine::Postgres => {
                assert!(
                    error.to_string().contains("no login named 'nobody_here'"),
                    "{error}"
                );
                assert!(store.session("").unwrap().enforced);
            }
        }
    }
}
