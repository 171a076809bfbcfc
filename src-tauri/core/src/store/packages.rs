//! Release package types: a delta's base release, a package's member releases, release units
//! (CI groups a full release deploys whole), and each component's definitive media (DML).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::audit::{self, Entry};
use super::domain::{before_content_edit, load_components, release_id};
use super::sql::{Conn, OptionalExtension, Tx, params};
use super::{Store, live_release, not_found};
use crate::error::{Error, FieldError, Result};
use crate::message::Message;
use crate::package::{Dml, PackageType, numbering_warnings};
use crate::people::TeamRole;
use crate::release::{Release, Stage};
use crate::rules::{BaseFacts, MemberFacts, PackageFacts};

/// A release as a package lists its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MemberView {
    pub key: String,
    pub title: String,
    pub stage: Stage,
}

/// A release unit: CIs that a full release deploys together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseUnit {
    pub name: String,
    pub cis: Vec<String>,
}

/// What the Package tab shows beside the components.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PackageView {
    pub package_type: PackageType,
    pub base: Option<String>,
    pub members: Vec<MemberView>,
    /// The package this release is a member of.
    pub member_of: Option<String>,
    /// The release units holding the package's CIs.
    pub units: Vec<ReleaseUnit>,
    /// Target versions that are not the next number the release type expects (advice).
    pub numbering: Vec<Message>,
}

/// Longest release unit name.
pub const UNIT_NAME_MAX: usize = 80;

impl Store {
    /// Chooses the package type; a delta names its base (a release that reached production,
    /// or one that will), other types name none.
    pub fn set_package_type(
        &mut self,
        key: &str,
        package_type: PackageType,
        base: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Release> {
        let tx = self.write(TeamRole::Planner)?;
        before_content_edit(&tx, key, actor, now)?;
        let release = set_package_type_in(&tx, key, package_type, base, actor, now)?;
        tx.commit()?;
        Ok(release)
    }

    /// Adds `member` to the package release `key`: tested and deployed with it from now on.
    pub fn add_member(
        &mut self,
        key: &str,
        member: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<MemberView>> {
        let tx = self.write(TeamRole::Planner)?;
        before_content_edit(&tx, key, actor, now)?;
        add_member_in(&tx, key, member, false, actor, now)?;
        let members = load_members(&tx, release_id(&tx, key)?)?;
        tx.commit()?;
        Ok(members)
    }

    /// Takes `member` out of the package `key`; it goes on on its own.
    pub fn remove_member(
        &mut self,
        key: &str,
        member: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<MemberView>> {
        let tx = self.write(TeamRole::Planner)?;
        before_content_edit(&tx, key, actor, now)?;
        let id = release_id(&tx, key)?;
        let member_id = release_id(&tx, member)?;
        let removed = tx.execute(
            "DELETE FROM release_members WHERE package_id = ?1 AND member_id = ?2",
            params![id, member_id],
        )?;
        if removed == 0 {
            return Err(Error::NotFound {
                what: "member",
                key: format!("{member} in the package {key}"),
            });
        }
        let entry = Entry::new("release", key, "remove_member").field(
            "members",
            Some(member.to_string()),
            None,
        );
        audit::append(&tx, actor, now, vec![entry])?;
        let members = load_members(&tx, id)?;
        tx.commit()?;
        Ok(members)
    }

    /// Cites (or with `None` withdraws) the definitive media of a component's target version.
    pub fn set_component_dml(
        &mut self,
        key: &str,
        ci: &str,
        dml: Option<&Dml>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<crate::package::Component> {
        let tx = self.write(TeamRole::Planner)?;
        before_content_edit(&tx, key, actor, now)?;
        let component = set_dml_in(&tx, key, ci, dml, actor, now)?;
        tx.commit()?;
        Ok(component)
    }

    /// Creates a release unit of CIs in the CMDB.
    pub fn create_unit(
        &mut self,
        unit: &ReleaseUnit,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<ReleaseUnit> {
        let tx = self.write(TeamRole::Planner)?;
        let unit = create_unit_in(&tx, unit, actor, now)?;
        tx.commit()?;
        Ok(unit)
    }

    /// Deletes a release unit; its CIs stay in the CMDB.
    pub fn delete_unit(&mut self, name: &str, actor: &str, now: DateTime<Utc>) -> Result<()> {
        let tx = self.write(TeamRole::Planner)?;
        let unit = load_units(&tx)?
            .into_iter()
            .find(|u| u.name == name)
            .ok_or_else(|| Error::NotFound {
                what: "release unit",
                key: name.to_string(),
            })?;
        tx.execute("DELETE FROM release_units WHERE name = ?1", [name])?;
        let entry = Entry::new("release_unit", name, "delete").field(
            "cis",
            Some(unit.cis.join(", ")),
            None,
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(())
    }

    pub fn units(&self) -> Result<Vec<ReleaseUnit>> {
        load_units(&self.conn)
    }

    /// The package type, base, members, units and numbering advice of a release.
    pub fn package_view(&self, key: &str) -> Result<PackageView> {
        package_view(&self.conn, key)
    }
}

pub(super) fn package_view(conn: &Conn, key: &str) -> Result<PackageView> {
    let release = live_release(conn, key)?.ok_or_else(|| not_found(key))?;
    let id = release_id(conn, key)?;
    let components = load_components(conn, id)?;
    Ok(PackageView {
        package_type: release.package_type,
        base: release.base.clone(),
        members: load_members(conn, id)?,
        member_of: member_of(conn, id)?,
        units: units_of(conn, &components)?,
        numbering: numbering_warnings(release.release_type, &components),
    })
}

pub(super) fn set_package_type_in(
    tx: &Tx<'_>,
    key: &str,
    package_type: PackageType,
    base: Option<&str>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Release> {
    let before = live_release(tx, key)?.ok_or_else(|| not_found(key))?;
    let id = release_id(tx, key)?;
    let base = base.map(str::trim).filter(|b| !b.is_empty());
    let mut errors = Vec::new();
    let base_id = match (package_type, base) {
        (PackageType::Delta, Some(base)) if base == key => {
            errors.push(FieldError::new("base", "a release cannot be its own base"));
            None
        }
        (PackageType::Delta, Some(base)) => match release_id(tx, base) {
            Ok(base_id) => Some(base_id),
            Err(Error::NotFound { .. }) => {
                errors.push(FieldError::new(
                    "base",
                    format!("{base} is not a release; name the release this delta is built on"),
                ));
                None
            }
            Err(other) => return Err(other),
        },
        (_, Some(_)) => {
            errors.push(FieldError::new(
                "base",
                format!("only a delta release names a base; this one is {package_type}"),
            ));
            None
        }
        (_, None) => None,
    };
    if package_type != PackageType::Package && !load_members(tx, id)?.is_empty() {
        errors.push(FieldError::new(
            "package-type",
            format!("{key} holds member releases; take them out before it stops being a package"),
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    tx.execute(
        "UPDATE releases SET package_type = ?1, base_id = ?2 WHERE id = ?3",
        params![package_type, base_id, id],
    )?;
    let after = live_release(tx, key)?.ok_or_else(|| not_found(key))?;
    let describe = |r: &Release| match &r.base {
        Some(base) => format!("{} (base {base})", r.package_type),
        None => r.package_type.to_string(),
    };
    let entry = Entry::new("release", key, "update").field(
        "package_type",
        Some(describe(&before)),
        Some(describe(&after)),
    );
    audit::append(tx, actor, now, vec![entry])?;
    Ok(after)
}

/// Links `member` into the package `key`. An import (`as_recorded`) keeps members that have
/// since gone on with their package; a person adds only members that have not passed test.
pub(super) fn add_member_in(
    tx: &Tx<'_>,
    key: &str,
    member: &str,
    as_recorded: bool,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let package = live_release(tx, key)?.ok_or_else(|| not_found(key))?;
    let member = member.trim();
    let refuse = |message: String| Err(Error::Validation(vec![FieldError::new("member", message)]));
    if package.package_type != PackageType::Package {
        return refuse(format!(
            "{key} is a {} release; make it a package before it holds member releases",
            package.package_type
        ));
    }
    if member == key {
        return refuse(format!("{key} cannot be a member of itself"));
    }
    let Some(release) = live_release(tx, member)? else {
        return Err(not_found(member));
    };
    if release.package_type == PackageType::Package {
        return refuse(format!(
            "{member} is a package itself; add its members instead"
        ));
    }
    if !as_recorded && release.stage.at_or_after(Stage::AwaitingAuthorization) {
        return refuse(format!(
            "{member} is {}; a member joins a package before it passes test",
            release.stage
        ));
    }
    let member_id = release_id(tx, member)?;
    if let Some(other) = member_of(tx, member_id)? {
        return refuse(format!("{member} is already a member of {other}"));
    }
    tx.execute(
        "INSERT INTO release_members (package_id, member_id) VALUES (?1, ?2)",
        params![release_id(tx, key)?, member_id],
    )?;
    let entry =
        Entry::new("release", key, "add_member").field("members", None, Some(member.to_string()));
    audit::append(tx, actor, now, vec![entry])
}

pub(super) fn set_dml_in(
    tx: &Tx<'_>,
    key: &str,
    ci: &str,
    dml: Option<&Dml>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<crate::package::Component> {
    let id = release_id(tx, key)?;
    let before = load_components(tx, id)?
        .into_iter()
        .find(|c| c.ci == ci)
        .ok_or_else(|| Error::NotFound {
            what: "component",
            key: format!("{ci} in the package of {key}"),
        })?;
    let ci_id: i64 = tx.query_row("SELECT id FROM cis WHERE name = ?1", [ci], |r| r.get(0))?;
    tx.execute(
        "DELETE FROM component_media WHERE release_id = ?1 AND ci_id = ?2",
        params![id, ci_id],
    )?;
    if let Some(dml) = dml {
        let dml = Dml::new(&dml.location, &dml.sha256)?;
        tx.execute(
            "INSERT INTO component_media (release_id, ci_id, location, sha256) VALUES (?1, ?2, ?3, ?4)",
            params![id, ci_id, dml.location, dml.sha256],
        )?;
    }
    let after = load_components(tx, id)?
        .into_iter()
        .find(|c| c.ci == ci)
        .ok_or_else(|| Error::Internal("a component vanished".into()))?;
    let text = |d: &Option<Dml>| {
        d.as_ref()
            .map(|d| format!("{} sha256:{}", d.location, d.sha256))
    };
    let entry = Entry::new("release", key, "edit_component").field(
        "dml",
        text(&before.dml),
        text(&after.dml),
    );
    audit::append(tx, actor, now, vec![entry])?;
    Ok(after)
}

pub(super) fn create_unit_in(
    tx: &Tx<'_>,
    unit: &ReleaseUnit,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ReleaseUnit> {
    let name = unit.name.trim();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > UNIT_NAME_MAX {
        errors.push(FieldError::new(
            "name",
            format!("a release unit needs a name of 1 to {UNIT_NAME_MAX} characters"),
        ));
    }
    let mut cis: Vec<String> = unit.cis.iter().map(|c| c.trim().to_string()).collect();
    cis.sort();
    cis.dedup();
    if cis.is_empty() {
        errors.push(FieldError::new(
            "ci",
            "a release unit holds at least one CI",
        ));
    }
    let mut ids = Vec::new();
    for ci in &cis {
        match tx
            .query_row("SELECT id FROM cis WHERE name = ?1", [ci], |r| {
                r.get::<i64>(0)
            })
            .optional()?
        {
            Some(id) => ids.push(id),
            None => errors.push(FieldError::new("ci", format!("{ci} is not in the CMDB"))),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let exists = tx
        .query_row("SELECT 1 FROM release_units WHERE name = ?1", [name], |r| {
            r.get::<i64>(0)
        })
        .optional()?
        .is_some();
    if exists {
        return Err(Error::Conflict {
            field: Some("name"),
            message: format!("the release unit {name} already exists"),
        });
    }
    let unit_id: i64 = tx.query_row(
        "INSERT INTO release_units (name) VALUES (?1) RETURNING id",
        [name],
        |r| r.get(0),
    )?;
    for id in ids {
        tx.execute(
            "INSERT INTO release_unit_cis (unit_id, ci_id) VALUES (?1, ?2)",
            params![unit_id, id],
        )?;
    }
    let entry = Entry::new("release_unit", name, "create").field("cis", None, Some(cis.join(", ")));
    audit::append(tx, actor, now, vec![entry])?;
    Ok(ReleaseUnit {
        name: name.to_string(),
        cis,
    })
}

pub(super) fn load_units(conn: &Conn) -> Result<Vec<ReleaseUnit>> {
    let mut stmt = conn.prepare(
        "SELECT u.name, c.name FROM release_units u
         JOIN release_unit_cis uc ON uc.unit_id = u.id JOIN cis c ON c.id = uc.ci_id
         ORDER BY u.name, c.name",
    )?;
    let rows = stmt.query_map((), |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)))?;
    let mut units: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows {
        let (unit, ci) = row?;
        units.entry(unit).or_default().push(ci);
    }
    Ok(units
        .into_iter()
        .map(|(name, cis)| ReleaseUnit { name, cis })
        .collect())
}

/// The units that hold one of the components' CIs.
fn units_of(conn: &Conn, components: &[crate::package::Component]) -> Result<Vec<ReleaseUnit>> {
    Ok(load_units(conn)?
        .into_iter()
        .filter(|u| {
            u.cis
                .iter()
                .any(|ci| components.iter().any(|c| &c.ci == ci))
        })
        .collect())
}

pub(super) fn load_members(conn: &Conn, id: i64) -> Result<Vec<MemberView>> {
    let mut stmt = conn.prepare(
        "SELECT r.key, r.title, r.stage FROM release_members m JOIN releases r ON r.id = m.member_id
         WHERE m.package_id = ?1 AND r.deleted_at IS NULL ORDER BY r.key",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(MemberView {
            key: r.get(0)?,
            title: r.get(1)?,
            stage: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn member_of(conn: &Conn, id: i64) -> Result<Option<String>> {
    conn.query_row(
        "SELECT r.key FROM release_members m JOIN releases r ON r.id = m.package_id
         WHERE m.member_id = ?1 AND r.deleted_at IS NULL",
        [id],
        |r| r.get(0),
    )
    .optional()
}

/// What the package-type rules need of the store.
pub(super) fn package_facts(
    conn: &Conn,
    release: &Release,
    id: i64,
    components: &[crate::package::Component],
    production: &BTreeMap<String, Option<String>>,
) -> Result<PackageFacts> {
    let base = match &release.base {
        None => None,
        Some(key) => match live_release(conn, key)? {
            None => None,
            Some(base) => {
                let base_id = release_id(conn, key)?;
                Some(BaseFacts {
                    key: base.key,
                    stage: base.stage,
                    deployed: load_components(conn, base_id)?
                        .into_iter()
                        .map(|c| (c.ci, c.to_version))
                        .collect(),
                })
            }
        },
    };
    let members = load_members(conn, id)?
        .into_iter()
        .map(|m| {
            let member_id = release_id(conn, &m.key)?;
            Ok(MemberFacts {
                key: m.key,
                components: load_components(conn, member_id)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(PackageFacts {
        package_type: release.package_type,
        base,
        production: production.clone(),
        units: units_of(conn, components)?
            .into_iter()
            .map(|u| (u.name, u.cis))
            .collect(),
        members,
        member_of: member_of(conn, id)?,
    })
}

impl Store {
    /// Creates a release with its package type (its type's default when `None`) and, for a
    /// delta, its base: both or nothing.
    pub fn create_release_packaged(
        &mut self,
        draft: &crate::release::ReleaseDraft,
        package_type: Option<PackageType>,
        base: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Release> {
        let valid = draft.validate()?;
        let tx = self.write(TeamRole::Planner)?;
        let mut release = super::insert_release(&tx, &valid, false, actor, now)?;
        audit::append(&tx, actor, now, vec![super::created(&release)])?;
        if package_type.is_some() || base.is_some() {
            let package_type =
                package_type.unwrap_or_else(|| PackageType::default_for(release.release_type));
            release = set_package_type_in(&tx, &release.key, package_type, base, actor, now)?;
        }
        tx.commit()?;
        Ok(release)
    }
}
