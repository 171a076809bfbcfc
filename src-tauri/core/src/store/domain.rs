//! CMDB, changes, release scope and package, lifecycle moves and CAB approvals.

use std::collections::{BTreeMap, HashMap};

use super::sql::{Conn, Engine, OptionalExtension, Tx, params};
use chrono::{DateTime, Utc};

use super::audit::{self, AuditRecord, AuditReport, Entry};
use super::{Store, live_release, not_found};
use crate::approval::{Approval, Content, Decision, Role, legacy_hash};
use crate::change::{Change, ChangeDraft, ChangeStatus, ChangeWindow, Ci};
use crate::error::{Error, Result};
use crate::lifecycle::{Move, target};
use crate::message::Message;
use crate::package::{
    Component, PackageAnalysis, Requirement, analyse, parse_requirement, parse_version,
};
use crate::people::TeamRole;
use crate::profile::Profile;
use crate::release::{Release, Stage};
use crate::rules::{AllRules, Checklist, Facts, PlanFacts, RuleResult, evaluate, evaluate_all};

/// The release workspace: the release with its checklist, scope, package, approvals and history.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct Workspace {
    pub release: Release,
    pub checklist: Checklist,
    pub changes: Vec<Change>,
    pub components: Vec<Component>,
    pub analysis: PackageAnalysis,
    pub approvals: Vec<Approval>,
    pub history: Vec<AuditRecord>,
    /// The package type, base, members, release units and numbering advice.
    pub package: super::packages::PackageView,
}

impl Store {
    // ---- CMDB ----

    pub fn create_ci(&mut self, ci: &Ci, actor: &str, now: DateTime<Utc>) -> Result<Ci> {
        let tx = self.write(TeamRole::Planner)?;
        let ci = insert_ci(&tx, ci, actor, now)?;
        tx.commit()?;
        Ok(ci)
    }

    /// Every CI with its relations: two statements, not two per CI (a CMDB has 20,000).
    pub fn list_cis(&self) -> Result<Vec<Ci>> {
        all_cis(&self.conn)
    }

    /// Saves new values for a CI (its name stays: requirements and changes refer to it).
    pub fn update_ci(
        &mut self,
        name: &str,
        ci: &Ci,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Ci> {
        let tx = self.write(TeamRole::Planner)?;
        let before = load_ci(&tx, name)?;
        if ci.name.trim() != name {
            return Err(Error::Validation(vec![crate::error::FieldError::new(
                "name",
                "a CI keeps its name; create a new CI instead",
            )]));
        }
        let after = ci.validate()?;
        tx.execute(
            "UPDATE cis SET kind = ?1, owner = ?2, prod_version = ?3 WHERE name = ?4",
            params![after.kind, after.owner, after.prod_version, name],
        )?;
        set_relations(&tx, &after)?;
        let entries = audit::updates(
            "ci",
            name,
            &before,
            &after,
            &[
                ("kind", |c| Some(c.kind.to_string())),
                ("owner", |c| c.owner.clone()),
                ("prod_version", |c| c.prod_version.clone()),
                ("runs_on", |c| Some(c.runs_on.join(", "))),
                ("depends_on", |c| Some(c.depends_on.join(", "))),
            ],
        );
        audit::append(&tx, actor, now, entries)?;
        let saved = load_ci(&tx, name)?;
        tx.commit()?;
        Ok(saved)
    }

    // ---- Changes ----

    pub fn create_change(
        &mut self,
        draft: &ChangeDraft,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Change> {
        let tx = self.write(TeamRole::Planner)?;
        let change = insert_change(&tx, draft, actor, now)?;
        tx.commit()?;
        Ok(change)
    }

    pub fn change(&self, key: &str) -> Result<Change> {
        load_change(&self.conn, key)?.ok_or_else(|| change_not_found(key))
    }

    /// The changes (of one status) with their CIs: two statements, not two per change.
    pub fn list_changes(&self, status: Option<ChangeStatus>) -> Result<Vec<Change>> {
        let mut stmt = self.conn.prepare(&format!(
            "{CHANGE_COLUMNS} WHERE CAST(?1 AS TEXT) IS NULL OR status = ?1 ORDER BY key"
        ))?;
        let mut changes: Vec<(i64, Change)> = stmt
            .query_map([status], change_row)?
            .collect::<rusqlite::Result<_>>()?;
        let at: HashMap<i64, usize> = changes
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i))
            .collect();
        let mut stmt = self.conn.prepare(
            "SELECT change_cis.change_id, cis.name FROM change_cis JOIN cis ON cis.id = change_cis.ci_id
             ORDER BY cis.name",
        )?;
        for row in stmt.query_map((), |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)))? {
            let (change, ci) = row?;
            if let Some(&i) = at.get(&change) {
                changes[i].1.cis.push(ci);
            }
        }
        Ok(changes.into_iter().map(|(_, change)| change).collect())
    }

    /// Records change management's authorization of a change.
    pub fn authorize_change(
        &mut self,
        key: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Change> {
        let tx = self.write(TeamRole::CabMember)?;
        let change = load_change(&tx, key)?.ok_or_else(|| change_not_found(key))?;
        if !matches!(change.status, ChangeStatus::Draft | ChangeStatus::Assessed) {
            return Err(Error::Conflict {
                field: None,
                message: format!("{key} is {} and cannot be authorized", change.status),
            });
        }
        tx.execute(
            "UPDATE changes SET status = 'authorized', cab_decision_date = ?1, updated_at = ?2,
                 updated_by = ?3 WHERE key = ?4",
            params![now.date_naive(), now, actor, key],
        )?;
        let entry = Entry::new("change", key, "authorize").field(
            "status",
            Some(change.status.to_string()),
            Some("authorized".into()),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        let change = load_change(&tx, key)?.ok_or_else(|| change_not_found(key))?;
        tx.commit()?;
        Ok(change)
    }

    /// Saves an edited change (it may get a new key if that is free).
    pub fn update_change(
        &mut self,
        key: &str,
        draft: &ChangeDraft,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Change> {
        let draft = draft.validate()?;
        let tx = self.write(TeamRole::Planner)?;
        let before = load_change(&tx, key)?.ok_or_else(|| change_not_found(key))?;
        if draft.key != key && change_id(&tx, &draft.key)?.is_some() {
            return Err(Error::Conflict {
                field: Some("key"),
                message: format!("{} already exists; choose another key", draft.key),
            });
        }
        let id = change_id(&tx, key)?.ok_or_else(|| change_not_found(key))?;
        let ci_ids = ci_ids_for(&tx, &draft.cis)?;
        let status = draft.status.unwrap_or(before.status);
        tx.execute(
            "UPDATE changes SET key = ?1, title = ?2, description = ?3, status = ?4, risk = ?5,
                 kind = ?6, incident_refs = ?7, problem_refs = ?8, updated_at = ?9, updated_by = ?10,
                 planned_start = ?12, planned_end = ?13
             WHERE id = ?11",
            params![
                draft.key,
                draft.title,
                draft.description,
                status,
                draft.risk,
                draft.kind,
                serde_json::to_string(&draft.incident_refs).unwrap_or_default(),
                serde_json::to_string(&draft.problem_refs).unwrap_or_default(),
                now,
                actor,
                id,
                draft.window.map(|w| w.start),
                draft.window.map(|w| w.end),
            ],
        )?;
        tx.execute("DELETE FROM change_cis WHERE change_id = ?1", [id])?;
        for ci in ci_ids {
            tx.execute(
                "INSERT INTO change_cis (change_id, ci_id) VALUES (?1, ?2)",
                params![id, ci],
            )?;
        }
        let after = load_change(&tx, &draft.key)?.ok_or_else(|| change_not_found(&draft.key))?;
        let entries = audit::updates(
            "change",
            &after.key,
            &before,
            &after,
            &[
                ("key", |c| Some(c.key.clone())),
                ("title", |c| Some(c.title.clone())),
                ("description", |c| Some(c.description.clone())),
                ("status", |c| Some(c.status.to_string())),
                ("risk", |c| c.risk.map(|r| r.to_string())),
                ("kind", |c| c.kind.map(|k| k.to_string())),
                ("cis", |c| Some(c.cis.join(", "))),
                ("incident_refs", |c| Some(c.incident_refs.join(", "))),
                ("problem_refs", |c| Some(c.problem_refs.join(", "))),
                ("window", |c| {
                    c.window
                        .map(|w| format!("{} – {}", w.start.to_rfc3339(), w.end.to_rfc3339()))
                }),
            ],
        );
        audit::append(&tx, actor, now, entries)?;
        tx.commit()?;
        Ok(after)
    }

    /// Deletes a change nothing refers to; refused, naming the releases that hold it, when
    /// one does. Undo with [`Store::restore_change`].
    pub fn delete_change(&mut self, key: &str, actor: &str, now: DateTime<Utc>) -> Result<Change> {
        let tx = self.write(TeamRole::Planner)?;
        let change = load_change(&tx, key)?.ok_or_else(|| change_not_found(key))?;
        let holders = names(
            &tx,
            "SELECT r.key || CASE WHEN r.deleted_at IS NULL THEN '' ELSE ' (deleted)' END
             FROM release_changes rc JOIN releases r ON r.id = rc.release_id
             JOIN changes c ON c.id = rc.change_id WHERE c.key = ?1 ORDER BY r.key",
            key,
        )?;
        if !holders.is_empty() {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "{key} cannot be deleted: it is in the scope of {}; take it out there first",
                    holders.join(", ")
                ),
            });
        }
        tx.execute("DELETE FROM changes WHERE key = ?1", [key])?;
        record_delete(&tx, "change", key, &change, actor, now)?;
        tx.commit()?;
        Ok(change)
    }

    /// Brings back the change [`Store::delete_change`] deleted last under this key.
    pub fn restore_change(&mut self, key: &str, actor: &str, now: DateTime<Utc>) -> Result<Change> {
        let tx = self.write(TeamRole::Planner)?;
        let before = deleted_snapshot(&tx, "change", key)?;
        let draft: ChangeDraft = serde_json::from_str(&before)
            .map_err(|e| Error::Internal(format!("the deleted change cannot be read: {e}")))?;
        let change = insert_change(&tx, &draft, actor, now)?;
        audit::append(&tx, actor, now, vec![Entry::new("change", key, "restore")])?;
        tx.commit()?;
        Ok(change)
    }

    /// Deletes a CI nothing refers to; refused, naming every change, release, CI, freeze and
    /// plan that does. Its business hours and its own relations go with it; undo with
    /// [`Store::restore_ci`].
    pub fn delete_ci(&mut self, name: &str, actor: &str, now: DateTime<Utc>) -> Result<Ci> {
        let tx = self.write(TeamRole::Planner)?;
        let ci = load_ci(&tx, name)?;
        let mut users = Vec::new();
        let mut add = |label: &str, found: Vec<String>| {
            if !found.is_empty() {
                users.push(format!("{label} {}", found.join(", ")));
            }
        };
        add(
            "changes",
            names(
                &tx,
                "SELECT c.key FROM change_cis cc JOIN changes c ON c.id = cc.change_id
                 JOIN cis ON cis.id = cc.ci_id WHERE cis.name = ?1 ORDER BY c.key",
                name,
            )?,
        );
        add(
            "the packages of",
            names(
                &tx,
                "SELECT DISTINCT r.key FROM releases r JOIN components co ON co.release_id = r.id
                 LEFT JOIN component_requirements cr ON cr.component_id = co.id
                 WHERE co.ci_id = (SELECT id FROM cis WHERE name = ?1)
                    OR cr.ci_id = (SELECT id FROM cis WHERE name = ?1)
                 ORDER BY r.key",
                name,
            )?,
        );
        add(
            "CIs",
            names(
                &tx,
                "SELECT f.name FROM ci_relations rel JOIN cis f ON f.id = rel.from_ci
                 JOIN cis t ON t.id = rel.to_ci WHERE t.name = ?1 ORDER BY f.name",
                name,
            )?,
        );
        add(
            "freezes",
            names(
                &tx,
                "SELECT name FROM freezes WHERE service = ?1 ORDER BY name",
                name,
            )?,
        );
        add("the plans of", super::planning::plans_targeting(&tx, name)?);
        if !users.is_empty() {
            return Err(Error::Conflict {
                field: None,
                message: format!(
                    "{name} cannot be deleted: it is used by {}",
                    users.join("; ")
                ),
            });
        }
        tx.execute("DELETE FROM cis WHERE name = ?1", [name])?;
        record_delete(&tx, "ci", name, &ci, actor, now)?;
        tx.commit()?;
        Ok(ci)
    }

    /// Brings back the CI [`Store::delete_ci`] deleted last under this name, with its relations.
    pub fn restore_ci(&mut self, name: &str, actor: &str, now: DateTime<Utc>) -> Result<Ci> {
        let tx = self.write(TeamRole::Planner)?;
        let before = deleted_snapshot(&tx, "ci", name)?;
        let ci: Ci = serde_json::from_str(&before)
            .map_err(|e| Error::Internal(format!("the deleted CI cannot be read: {e}")))?;
        let plain = Ci {
            runs_on: Vec::new(),
            depends_on: Vec::new(),
            ..ci.clone()
        };
        insert_ci(&tx, &plain, actor, now)?;
        set_relations(&tx, &ci)?;
        audit::append(&tx, actor, now, vec![Entry::new("ci", name, "restore")])?;
        let restored = load_ci(&tx, name)?;
        tx.commit()?;
        Ok(restored)
    }

    // ---- Scope and package ----

    pub fn add_change_to_release(
        &mut self,
        release: &str,
        change: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.write(TeamRole::Planner)?;
        before_content_edit(&tx, release, actor, now)?;
        link_change(&tx, release, change, actor, now)?;
        tx.commit()?;
        Ok(())
    }

    pub fn remove_change_from_release(
        &mut self,
        release: &str,
        change: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.write(TeamRole::Planner)?;
        before_content_edit(&tx, release, actor, now)?;
        let release_id = release_id(&tx, release)?;
        let change_id = change_id(&tx, change)?.ok_or_else(|| change_not_found(change))?;
        let removed = tx.execute(
            "DELETE FROM release_changes WHERE release_id = ?1 AND change_id = ?2",
            params![release_id, change_id],
        )?;
        if removed == 0 {
            return Err(Error::NotFound {
                what: "change in the scope",
                key: change.to_string(),
            });
        }
        audit::append(
            &tx,
            actor,
            now,
            vec![Entry::new("release", release, "remove_change").field(
                "scope",
                Some(change.into()),
                None,
            )],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a component: the CI goes live in `to_version`, needing the CIs in `requires`.
    pub fn add_component(
        &mut self,
        release: &str,
        ci: &str,
        to_version: Option<&str>,
        requires: &[Requirement],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Component> {
        let tx = self.write(TeamRole::Planner)?;
        before_content_edit(&tx, release, actor, now)?;
        let component = insert_component(&tx, release, ci, to_version, requires, actor, now)?;
        tx.commit()?;
        Ok(component)
    }

    /// Takes a component out of the package; returns it, so the caller can offer undo.
    pub fn remove_component(
        &mut self,
        release: &str,
        ci: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Component> {
        let tx = self.write(TeamRole::Planner)?;
        before_content_edit(&tx, release, actor, now)?;
        let removed = take_component(&tx, release, ci)?;
        let entry = Entry::new("release", release, "remove_component").field(
            "package",
            Some(serde_json::to_string(&removed).unwrap_or_default()),
            None,
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(removed)
    }

    /// Changes a component's target version and requirements.
    pub fn update_component(
        &mut self,
        release: &str,
        ci: &str,
        to_version: Option<&str>,
        requires: &[Requirement],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Component> {
        let tx = self.write(TeamRole::Planner)?;
        before_content_edit(&tx, release, actor, now)?;
        let before = take_component(&tx, release, ci)?;
        let after = put_component(&tx, release, ci, to_version, requires)?;
        let entry = Entry::new("release", release, "edit_component").field(
            "package",
            Some(serde_json::to_string(&before).unwrap_or_default()),
            Some(serde_json::to_string(&after).unwrap_or_default()),
        );
        audit::append(&tx, actor, now, vec![entry])?;
        tx.commit()?;
        Ok(after)
    }

    pub fn release_changes(&self, release: &str) -> Result<Vec<Change>> {
        let id = release_id(&self.conn, release)?;
        scope(&self.conn, id)
    }

    pub fn components(&self, release: &str) -> Result<Vec<Component>> {
        let id = release_id(&self.conn, release)?;
        load_components(&self.conn, id)
    }

    pub fn approvals(&self, release: &str) -> Result<Vec<Approval>> {
        let id = release_id(&self.conn, release)?;
        load_approvals(&self.conn, id)
    }

    // ---- Rules, moves and approvals ----

    /// The checklist of rules for the release's next advance.
    pub fn check_release(&self, key: &str, now: DateTime<Utc>) -> Result<Checklist> {
        checklist(&self.conn, key, now)
    }

    /// Every rule, with the stage moves it guards and whether it holds now, so a blocker shows
    /// the moment it appears rather than when the release reaches that move.
    pub fn check_all_rules(&self, key: &str, now: DateTime<Utc>) -> Result<AllRules> {
        with_facts(&self.conn, key, now, evaluate_all)
    }

    /// Advances the release to its next stage, or refuses with every failing rule.
    pub fn advance_release(
        &mut self,
        key: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Release> {
        let tx = self.write(TeamRole::ReleaseManager)?;
        let release = live_release(&tx, key)?.ok_or_else(|| not_found(key))?;
        let next = target(release.stage, Move::Advance).map_err(|message| Error::Conflict {
            field: None,
            message,
        })?;
        let list = checklist(&tx, key, now)?;
        let failing: Vec<RuleResult> = list.failing().cloned().collect();
        if !failing.is_empty() {
            return Err(Error::Rules {
                message: crate::rules::refused(key, next),
                failing,
            });
        }
        let moved = set_stage(&tx, &release, next, false, actor, now)?;
        tx.commit()?;
        Ok(moved)
    }

    /// Records a CAB decision on a release awaiting authorization. A rejection sends it back
    /// to build for revision. The requester may not decide on their own release.
    pub fn decide(
        &mut self,
        key: &str,
        decision: Decision,
        role: Role,
        comment: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Approval> {
        let tx = self.write(TeamRole::CabMember)?;
        let approval = record_decision(
            &tx,
            &Decider {
                key,
                decision,
                role,
                comment,
                approver: actor,
            },
            None,
            actor,
            now,
        )?;
        tx.commit()?;
        Ok(approval)
    }

    /// Sends a release in test or awaiting authorization back to build, needing revision.
    pub fn send_back_release(
        &mut self,
        key: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Release> {
        self.simple_move(key, Move::SendBack, actor, now)
    }

    pub fn cancel_release(
        &mut self,
        key: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Release> {
        self.simple_move(key, Move::Cancel, actor, now)
    }

    fn simple_move(
        &mut self,
        key: &str,
        mv: Move,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Release> {
        let tx = self.write(TeamRole::ReleaseManager)?;
        let release = live_release(&tx, key)?.ok_or_else(|| not_found(key))?;
        let to = target(release.stage, mv).map_err(|message| Error::Conflict {
            field: None,
            message,
        })?;
        let moved = set_stage(&tx, &release, to, mv == Move::SendBack, actor, now)?;
        tx.commit()?;
        Ok(moved)
    }

    // ---- Profile and the workspace read model ----

    /// The person using Relman. On a team database: the login's display name, and the roles
    /// the server granted it (roles are not set here there).
    pub fn profile(&self) -> Result<Option<Profile>> {
        if self.conn.engine() == Engine::Postgres {
            let session = self.session("")?;
            let mut roles = Vec::new();
            if session.roles.contains(&TeamRole::ReleaseManager) {
                roles.push(Role::ReleaseManager);
            }
            if session.roles.contains(&TeamRole::CabMember) {
                roles.push(Role::CabMember);
            }
            return Ok(Some(Profile {
                name: session.name.unwrap_or(session.login),
                roles,
            }));
        }
        let row: Option<(String, String)> = self
            .conn
            .query_row("SELECT name, roles FROM profile WHERE id = 1", (), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        Ok(row.map(|(name, roles)| Profile {
            name,
            roles: serde_json::from_str(&roles).unwrap_or_default(),
        }))
    }

    pub fn set_profile(&mut self, profile: &Profile) -> Result<Profile> {
        let profile = profile.validate()?;
        if self.conn.engine() == Engine::Postgres {
            let login = self.login()?;
            let tx = self.write(TeamRole::Viewer)?;
            tx.execute(
                "INSERT INTO people (login, name) VALUES (?1, ?2)
                 ON CONFLICT (login) DO UPDATE SET name = excluded.name",
                params![login, profile.name],
            )?;
            tx.commit()?;
            return self.profile().map(|p| p.unwrap_or(profile));
        }
        let tx = self.write(TeamRole::Viewer)?;
        tx.execute(
            "INSERT INTO profile (id, name, roles) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, roles = excluded.roles",
            params![
                profile.name,
                serde_json::to_string(&profile.roles).unwrap_or_default()
            ],
        )?;
        tx.commit()?;
        Ok(profile)
    }

    /// Who is acting: on a team database the server's login, whatever else is said; on a
    /// file the profile's name, else `fallback` (the OS user).
    pub fn actor(&self, fallback: &str) -> Result<String> {
        if self.conn.engine() == Engine::Postgres {
            return self.login();
        }
        Ok(self
            .profile()?
            .map(|p| p.name)
            .unwrap_or_else(|| fallback.to_string()))
    }

    /// Records a CAB decision by the profile's user, who must hold the CAB member role.
    pub fn decide_as_profile(
        &mut self,
        key: &str,
        decision: Decision,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<Approval> {
        if self.conn.engine() == Engine::Postgres {
            // The server's roles decide, checked as the decision is written.
            let login = self.login()?;
            return self.decide(key, decision, Role::CabMember, comment, &login, now);
        }
        let profile = self.profile()?.filter(|p| p.has(Role::CabMember)).ok_or_else(|| Error::Conflict {
            field: None,
            message: "only CAB members record CAB decisions; add the role to your profile in Settings".into(),
        })?;
        self.decide(key, decision, Role::CabMember, comment, &profile.name, now)
    }

    /// Everything the release workspace shows, read in one go.
    pub fn workspace(&self, key: &str, now: DateTime<Utc>) -> Result<Workspace> {
        let release = self.release(key)?;
        let id = release_id(&self.conn, key)?;
        let components = load_components(&self.conn, id)?;
        let analysis = analyse(&components, &production_versions(&self.conn)?);
        let changes = scope(&self.conn, id)?;
        let content = current_content(&self.conn, &release, id)?;
        let mut approvals = load_approvals(&self.conn, id)?;
        for approval in &mut approvals {
            approval.changed_since = crate::rules::changed_since(approval, &content);
        }
        Ok(Workspace {
            package: super::packages::package_view(&self.conn, key)?,
            checklist: checklist(&self.conn, key, now)?,
            changes,
            components,
            analysis,
            approvals,
            history: audit::history(&self.conn, "release", key)?,
            release,
        })
    }

    // ---- Audit ----

    pub fn history(&self, entity: &str, key: &str) -> Result<Vec<AuditRecord>> {
        audit::history(&self.conn, entity, key)
    }

    pub fn verify_audit(&self) -> Result<AuditReport> {
        audit::verify(&self.conn)
    }
}

pub(super) fn insert_ci(tx: &Tx<'_>, ci: &Ci, actor: &str, now: DateTime<Utc>) -> Result<Ci> {
    let ci = ci.validate()?;
    if ci_id(tx, &ci.name)?.is_some() {
        return Err(Error::Conflict {
            field: Some("name"),
            message: format!("a CI named {} already exists", ci.name),
        });
    }
    tx.execute(
        "INSERT INTO cis (name, kind, owner, prod_version, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![ci.name, ci.kind, ci.owner, ci.prod_version, now, actor],
    )?;
    set_relations(tx, &ci)?;
    let entry =
        Entry::new("ci", &ci.name, "create").after(serde_json::to_string(&ci).unwrap_or_default());
    audit::append(tx, actor, now, vec![entry])?;
    Ok(ci)
}

/// Replaces the "runs on" and "depends on" relations of a stored CI.
pub(super) fn set_relations(tx: &Tx<'_>, ci: &Ci) -> Result<()> {
    let id = ci_id(tx, &ci.name)?.ok_or_else(|| Error::NotFound {
        what: "CI",
        key: ci.name.clone(),
    })?;
    tx.execute("DELETE FROM ci_relations WHERE from_ci = ?1", [id])?;
    let mut errors = Vec::new();
    for (kind, targets) in [("runs_on", &ci.runs_on), ("depends_on", &ci.depends_on)] {
        for target in targets {
            match ci_id(tx, target)? {
                Some(to) => {
                    tx.execute(
                        "INSERT INTO ci_relations (from_ci, to_ci, kind) VALUES (?1, ?2, ?3)",
                        params![id, to, kind],
                    )?;
                }
                None => errors.push(crate::error::FieldError::new(
                    kind,
                    format!("{target} is not in the CMDB"),
                )),
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

const CI_COLUMNS: &str = "SELECT id, name, kind, owner, prod_version FROM cis";

/// A row of [`CI_COLUMNS`]: the CI's id and the CI, without its relations.
fn ci_row(r: &super::sql::Row<'_>) -> rusqlite::Result<(i64, Ci)> {
    Ok((
        r.get::<i64>(0)?,
        Ci {
            name: r.get(1)?,
            kind: r.get(2)?,
            owner: r.get(3)?,
            prod_version: r.get(4)?,
            runs_on: Vec::new(),
            depends_on: Vec::new(),
        },
    ))
}

fn relate(ci: &mut Ci, target: String, kind: &str) {
    if kind == "runs_on" {
        ci.runs_on.push(target);
    } else {
        ci.depends_on.push(target);
    }
}

fn load_ci(conn: &Conn, name: &str) -> Result<Ci> {
    let (id, mut ci) = conn
        .query_row(&format!("{CI_COLUMNS} WHERE name = ?1"), [name], ci_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "CI",
            key: name.to_string(),
        })?;
    let mut stmt = conn.prepare(
        "SELECT target.name, ci_relations.kind FROM ci_relations
         JOIN cis target ON target.id = ci_relations.to_ci
         WHERE ci_relations.from_ci = ?1 ORDER BY target.name",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (target, kind) in rows {
        relate(&mut ci, target, &kind);
    }
    Ok(ci)
}

/// The ids of the named CIs, or a validation error naming every unknown one.
fn ci_ids_for(tx: &Tx<'_>, names: &[String]) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        match ci_id(tx, name)? {
            Some(id) => ids.push(id),
            None => unknown.push(name.clone()),
        }
    }
    if !unknown.is_empty() {
        return Err(Error::Validation(vec![crate::error::FieldError::new(
            "ci",
            format!(
                "not in the CMDB: {} (create them first)",
                unknown.join(", ")
            ),
        )]));
    }
    Ok(ids)
}

pub(super) fn insert_change(
    tx: &Tx<'_>,
    draft: &ChangeDraft,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Change> {
    let draft = draft.validate()?;
    if change_id(tx, &draft.key)?.is_some() {
        return Err(Error::Conflict {
            field: Some("key"),
            message: format!("{} already exists; choose another key", draft.key),
        });
    }
    let ci_ids = ci_ids_for(tx, &draft.cis)?;
    let status = draft.status.unwrap_or(ChangeStatus::Draft);
    let decided = draft
        .cab_decision_date
        .or_else(|| (status == ChangeStatus::Authorized).then(|| now.date_naive()));
    tx.execute(
        "INSERT INTO changes (key, title, description, status, risk, kind, incident_refs,
             problem_refs, cab_decision_date, created_at, created_by, updated_at, updated_by,
             planned_start, planned_end)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10, ?11, ?12, ?13)",
        params![
            draft.key,
            draft.title,
            draft.description,
            status,
            draft.risk,
            draft.kind,
            serde_json::to_string(&draft.incident_refs).unwrap_or_default(),
            serde_json::to_string(&draft.problem_refs).unwrap_or_default(),
            decided,
            now,
            actor,
            draft.window.map(|w| w.start),
            draft.window.map(|w| w.end),
        ],
    )?;
    let id = tx.last_insert_rowid("changes")?;
    for ci in ci_ids {
        tx.execute(
            "INSERT INTO change_cis (change_id, ci_id) VALUES (?1, ?2)",
            params![id, ci],
        )?;
    }
    let change = load_change(tx, &draft.key)?.ok_or_else(|| change_not_found(&draft.key))?;
    let entry = Entry::new("change", &change.key, "create")
        .after(serde_json::to_string(&change).unwrap_or_default());
    audit::append(tx, actor, now, vec![entry])?;
    Ok(change)
}

pub(super) fn link_change(
    tx: &Tx<'_>,
    release: &str,
    change: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let release_id = release_id(tx, release)?;
    let change_id = change_id(tx, change)?.ok_or_else(|| change_not_found(change))?;
    let added = tx.execute(
        "INSERT INTO release_changes (release_id, change_id) VALUES (?1, ?2)
         ON CONFLICT DO NOTHING",
        params![release_id, change_id],
    )?;
    if added == 0 {
        return Err(Error::Conflict {
            field: Some("change"),
            message: format!("{change} is already in the scope of {release}"),
        });
    }
    let entry =
        Entry::new("release", release, "add_change").field("scope", None, Some(change.into()));
    audit::append(tx, actor, now, vec![entry])
}

pub(super) fn insert_component(
    tx: &Tx<'_>,
    release: &str,
    ci: &str,
    to_version: Option<&str>,
    requires: &[Requirement],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Component> {
    let component = put_component(tx, release, ci, to_version, requires)?;
    let entry = Entry::new("release", release, "add_component").field(
        "package",
        None,
        Some(serde_json::to_string(&component).unwrap_or_default()),
    );
    audit::append(tx, actor, now, vec![entry])?;
    Ok(component)
}

/// Writes a component after checking every field; no audit (the callers write theirs).
fn put_component(
    tx: &Tx<'_>,
    release: &str,
    ci: &str,
    to_version: Option<&str>,
    requires: &[Requirement],
) -> Result<Component> {
    let mut errors = Vec::new();
    let to_version = to_version.map(str::trim).filter(|v| !v.is_empty());
    if let Some(version) = to_version
        && let Err(message) = parse_version(version)
    {
        errors.push(crate::error::FieldError::new("to", message));
    }
    for req in requires {
        if let Err(message) = parse_requirement(&req.requirement) {
            errors.push(crate::error::FieldError::new("requires", message));
        }
    }
    let release_id = release_id(tx, release)?;
    let ci_id = ci_id(tx, ci)?;
    if ci_id.is_none() {
        errors.push(crate::error::FieldError::new(
            "ci",
            format!("{ci} is not in the CMDB"),
        ));
    }
    let mut required_ids = Vec::new();
    for req in requires {
        match self::ci_id(tx, &req.ci)? {
            Some(id) => required_ids.push((id, req.requirement.clone())),
            None => errors.push(crate::error::FieldError::new(
                "requires",
                format!("{} is not in the CMDB", req.ci),
            )),
        }
    }
    let Some(ci_id) = ci_id.filter(|_| errors.is_empty()) else {
        return Err(Error::Validation(errors));
    };
    let from_version: Option<String> =
        tx.query_row("SELECT prod_version FROM cis WHERE id = ?1", [ci_id], |r| {
            r.get(0)
        })?;
    let inserted = tx.execute(
        "INSERT INTO components (release_id, ci_id, from_version, to_version)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        params![release_id, ci_id, from_version, to_version],
    )?;
    if inserted == 0 {
        return Err(Error::Conflict {
            field: Some("ci"),
            message: format!("{ci} is already in the package of {release}"),
        });
    }
    let component_id = tx.last_insert_rowid("components")?;
    for (id, requirement) in &required_ids {
        tx.execute(
            "INSERT INTO component_requirements (component_id, ci_id, requirement) VALUES (?1, ?2, ?3)",
            params![component_id, id, requirement],
        )?;
    }
    load_components(tx, release_id)?
        .into_iter()
        .find(|c| c.ci == ci)
        .ok_or_else(|| Error::Internal("component vanished".into()))
}

fn component_not_in_package(ci: &str, release: &str) -> Error {
    Error::NotFound {
        what: "component",
        key: format!("{ci} in the package of {release}"),
    }
}

/// Deletes a component (its requirements go with it); returns what it was.
fn take_component(tx: &Tx<'_>, release: &str, ci: &str) -> Result<Component> {
    let release_id = release_id(tx, release)?;
    let component = load_components(tx, release_id)?
        .into_iter()
        .find(|c| c.ci == ci)
        .ok_or_else(|| component_not_in_package(ci, release))?;
    tx.execute(
        "DELETE FROM components WHERE release_id = ?1
             AND ci_id = (SELECT id FROM cis WHERE name = ?2)",
        params![release_id, ci],
    )?;
    Ok(component)
}

/// Called by every edit of what the CAB authorizes, before it writes: an authorized release
/// goes back to awaiting authorization (audited as such), a deploying or finished one refuses.
pub(super) fn before_content_edit(
    tx: &Tx<'_>,
    key: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let release = live_release(tx, key)?.ok_or_else(|| not_found(key))?;
    match crate::lifecycle::after_content_edit(release.stage) {
        Ok(None) => Ok(()),
        Ok(Some(to)) => set_stage(tx, &release, to, false, actor, now).map(|_| ()),
        Err(reason) => Err(Error::Conflict {
            field: None,
            message: format!("{key} cannot be edited: {reason}"),
        }),
    }
}

pub(super) fn set_stage(
    tx: &Tx<'_>,
    release: &Release,
    to: Stage,
    needs_revision: bool,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Release> {
    tx.execute(
        "UPDATE releases SET stage = ?1, needs_revision = CASE WHEN ?2 = 1 THEN 1 ELSE needs_revision END,
             version = version + 1, updated_at = ?3, updated_by = ?4
         WHERE key = ?5 AND deleted_at IS NULL",
        params![to, needs_revision, now, actor, release.key],
    )?;
    let entry = Entry::new("release", &release.key, "move").field(
        "stage",
        Some(release.stage.to_string()),
        Some(to.to_string()),
    );
    audit::append(tx, actor, now, vec![entry])?;
    if to == Stage::EarlyLifeSupport {
        super::after::enter_els(tx, release, actor, now)?;
    }
    live_release(tx, &release.key)?.ok_or_else(|| not_found(&release.key))
}

fn checklist(conn: &Conn, key: &str, now: DateTime<Utc>) -> Result<Checklist> {
    with_facts(conn, key, now, evaluate)
}

/// Gathers everything the rules look at and hands it to `f`.
fn with_facts<T>(
    conn: &Conn,
    key: &str,
    now: DateTime<Utc>,
    f: impl FnOnce(&Facts) -> T,
) -> Result<T> {
    let release = live_release(conn, key)?.ok_or_else(|| not_found(key))?;
    let id = release_id(conn, key)?;
    let changes = scope(conn, id)?;
    let components = load_components(conn, id)?;
    let approvals = load_approvals(conn, id)?;
    let production = production_versions(conn)?;
    let analysis = analyse(&components, &production);
    let schedule = super::planning::schedule_for_rules(conn, key)?;
    let keys: Vec<String> = changes.iter().map(|c| c.key.clone()).collect();
    let testing = super::testing::testing_facts(conn, key, id)?;
    let content =
        Content::of(&release, &keys, &components, schedule.as_ref()).with_evidence(&testing.runs);
    let legacy = legacy_hash(&release, &keys, &components);
    let plan = schedule.as_ref().map(PlanFacts::of);
    let after = super::after::after_facts(conn, &release, id)?;
    let package = super::packages::package_facts(conn, &release, id, &components, &production)?;
    Ok(f(&Facts {
        release: &release,
        changes: &changes,
        components: &components,
        analysis: &analysis,
        approvals: &approvals,
        content: &content,
        legacy_hash: &legacy,
        plan: plan.as_ref(),
        testing: &testing,
        after: &after,
        package: &package,
        now,
    }))
}

pub(super) fn current_content(conn: &Conn, release: &Release, id: i64) -> Result<Content> {
    let keys: Vec<String> = scope(conn, id)?.into_iter().map(|c| c.key).collect();
    let components = load_components(conn, id)?;
    let schedule = super::planning::schedule_for_rules(conn, &release.key)?;
    let runs = super::testing::testing_facts(conn, &release.key, id)?.runs;
    Ok(Content::of(release, &keys, &components, schedule.as_ref()).with_evidence(&runs))
}

pub(super) fn release_id(conn: &Conn, key: &str) -> Result<i64> {
    conn.query_row(
        "SELECT id FROM releases WHERE key = ?1 AND deleted_at IS NULL",
        [key],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| not_found(key))
}

/// The first column of every row `sql` returns for `key`.
fn names(conn: &Conn, sql: &str, key: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([key], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The audit record of a deletion, keeping the whole record so that restore can bring it back.
fn record_delete(
    tx: &Tx<'_>,
    entity: &'static str,
    key: &str,
    record: &impl serde::Serialize,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let entry = Entry::new(entity, key, "delete").field(
        entity,
        Some(serde_json::to_string(record).unwrap_or_default()),
        None,
    );
    audit::append(tx, actor, now, vec![entry])
}

/// What the newest "delete" audit record of `entity` `key` kept of it.
fn deleted_snapshot(conn: &Conn, entity: &'static str, key: &str) -> Result<String> {
    audit::history(conn, entity, key)?
        .into_iter()
        .rev()
        .take_while(|r| r.action != "restore" && r.action != "create")
        .find(|r| r.action == "delete")
        .and_then(|r| r.before)
        .ok_or_else(|| Error::NotFound {
            what: if entity == "ci" {
                "deleted CI"
            } else {
                "deleted change"
            },
            key: key.to_string(),
        })
}

fn ci_id(conn: &Conn, name: &str) -> Result<Option<i64>> {
    conn.query_row("SELECT id FROM cis WHERE name = ?1", [name], |r| r.get(0))
        .optional()
}

fn change_id(conn: &Conn, key: &str) -> Result<Option<i64>> {
    conn.query_row("SELECT id FROM changes WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

fn change_not_found(key: &str) -> Error {
    Error::NotFound {
        what: "change",
        key: key.to_string(),
    }
}

fn json_list(text: String) -> Vec<String> {
    serde_json::from_str(&text).unwrap_or_default()
}

const CHANGE_COLUMNS: &str = "SELECT id, key, title, description, status, risk, kind, incident_refs,
     problem_refs, cab_decision_date, updated_at, updated_by, planned_start, planned_end FROM changes";

/// A row of [`CHANGE_COLUMNS`]: the change's id and the change, without its CIs.
fn change_row(r: &super::sql::Row<'_>) -> rusqlite::Result<(i64, Change)> {
    Ok((
        r.get::<i64>(0)?,
        Change {
            key: r.get(1)?,
            title: r.get(2)?,
            description: r.get(3)?,
            status: r.get(4)?,
            risk: r.get(5)?,
            kind: r.get(6)?,
            cis: Vec::new(),
            incident_refs: json_list(r.get(7)?),
            problem_refs: json_list(r.get(8)?),
            cab_decision_date: r.get(9)?,
            window: match (r.get(12)?, r.get(13)?) {
                (Some(start), Some(end)) => Some(ChangeWindow { start, end }),
                _ => None,
            },
            updated_at: r.get(10)?,
            updated_by: r.get(11)?,
        },
    ))
}

fn load_change(conn: &Conn, key: &str) -> Result<Option<Change>> {
    let row = conn
        .query_row(
            &format!("{CHANGE_COLUMNS} WHERE key = ?1"),
            [key],
            change_row,
        )
        .optional()?;
    let Some((id, mut change)) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare(
        "SELECT cis.name FROM change_cis JOIN cis ON cis.id = change_cis.ci_id
         WHERE change_cis.change_id = ?1 ORDER BY cis.name",
    )?;
    change.cis = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(change))
}

pub(super) fn scope(conn: &Conn, release_id: i64) -> Result<Vec<Change>> {
    let keys: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT changes.key FROM release_changes JOIN changes ON changes.id = release_changes.change_id
             WHERE release_changes.release_id = ?1 ORDER BY changes.key",
        )?;
        stmt.query_map([release_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    keys.iter()
        .map(|k| load_change(conn, k)?.ok_or_else(|| change_not_found(k)))
        .collect()
}

pub(super) fn load_components(conn: &Conn, release_id: i64) -> Result<Vec<Component>> {
    let mut stmt = conn.prepare(
        "SELECT components.id, cis.name, components.from_version, components.to_version,
                m.location, m.sha256
         FROM components JOIN cis ON cis.id = components.ci_id
         LEFT JOIN component_media m ON m.release_id = components.release_id AND m.ci_id = components.ci_id
         WHERE components.release_id = ?1 ORDER BY cis.name",
    )?;
    let rows: Vec<(i64, Component)> = stmt
        .query_map([release_id], |r| {
            let location: Option<String> = r.get(4)?;
            let sha256: Option<String> = r.get(5)?;
            Ok((
                r.get(0)?,
                Component {
                    ci: r.get(1)?,
                    from_version: r.get(2)?,
                    to_version: r.get(3)?,
                    requires: Vec::new(),
                    dml: location
                        .zip(sha256)
                        .map(|(location, sha256)| crate::package::Dml { location, sha256 }),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut req_stmt = conn.prepare(
        "SELECT cis.name, component_requirements.requirement
         FROM component_requirements JOIN cis ON cis.id = component_requirements.ci_id
         WHERE component_requirements.component_id = ?1 ORDER BY cis.name",
    )?;
    rows.into_iter()
        .map(|(id, mut component)| {
            component.requires = req_stmt
                .query_map([id], |r| {
                    Ok(Requirement {
                        ci: r.get(0)?,
                        requirement: r.get(1)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(component)
        })
        .collect()
}

/// Who decides what on which release, with which comment.
pub(super) struct Decider<'a> {
    pub key: &'a str,
    pub decision: Decision,
    pub role: Role,
    pub comment: &'a str,
    pub approver: &'a str,
}

/// Records a decision inside `tx`: `recorded_by` is who typed it (the audit's actor), which in
/// a CAB meeting is the person at the keyboard, not the member deciding.
pub(super) fn record_decision(
    tx: &Tx,
    d: &Decider,
    meeting: Option<i64>,
    recorded_by: &str,
    now: DateTime<Utc>,
) -> Result<Approval> {
    let Decider {
        key,
        decision,
        role,
        comment,
        approver: actor,
    } = *d;
    let release = live_release(tx, key)?.ok_or_else(|| not_found(key))?;
    if release.stage != Stage::AwaitingAuthorization {
        return Err(Error::Conflict {
            field: None,
            message: format!(
                "{key} is in {}; the CAB decides on releases awaiting authorization",
                release.stage
            ),
        });
    }
    let requester = release
        .requester
        .clone()
        .unwrap_or_else(|| release.created_by.clone());
    if requester == actor {
        return Err(Error::Rules {
            message: crate::rules::refused(key, Stage::Authorized),
            failing: vec![RuleResult {
                code: "AUTH-SEGREGATION".into(),
                ok: false,
                message: Message::new("rule.AUTH-SEGREGATION.own_decision")
                    .with("who", actor)
                    .with("release", key),
                remedy: Some(Message::new("rule.AUTH-SEGREGATION.remedy")),
                area: crate::rules::Area::Approvals,
            }],
        });
    }
    let id = release_id(tx, key)?;
    let content = current_content(tx, &release, id)?;
    let approval = Approval {
        approver: actor.to_string(),
        role,
        decision,
        meaning: decision.meaning().to_string(),
        comment: comment.trim().to_string(),
        at: now,
        content_hash: content.hash(),
        changed_since: Vec::new(),
        content: Some(content.canonical()),
    };
    tx.execute(
        "INSERT INTO approvals (release_id, approver, role, decision, comment, at, content_hash, content, meeting_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![id, approval.approver, role, decision, approval.comment, now, approval.content_hash, approval.content, meeting],
    )?;
    let entry = Entry::new("release", key, "decide").field(
        "approval",
        None,
        Some(serde_json::to_string(&approval).unwrap_or_default()),
    );
    audit::append(tx, recorded_by, now, vec![entry])?;
    if decision == Decision::Reject {
        set_stage(tx, &release, Stage::Build, true, recorded_by, now)?;
    }
    Ok(approval)
}

fn load_approvals(conn: &Conn, release_id: i64) -> Result<Vec<Approval>> {
    let mut stmt = conn.prepare(
        "SELECT approver, role, decision, comment, at, content_hash, content FROM approvals
         WHERE release_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([release_id], |r| {
        let decision: Decision = r.get(2)?;
        Ok(Approval {
            approver: r.get(0)?,
            role: r.get(1)?,
            decision,
            meaning: decision.meaning().to_string(),
            comment: r.get(3)?,
            at: r.get(4)?,
            content_hash: r.get(5)?,
            changed_since: Vec::new(),
            content: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn production_versions(conn: &Conn) -> Result<BTreeMap<String, Option<String>>> {
    let mut stmt = conn.prepare("SELECT name, prod_version FROM cis")?;
    let rows = stmt.query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every CI with its relations: two statements, not two per CI (a CMDB has 20,000).
pub(super) fn all_cis(conn: &Conn) -> Result<Vec<Ci>> {
    let mut stmt = conn.prepare(&format!("{CI_COLUMNS} ORDER BY name"))?;
    let mut cis: Vec<(i64, Ci)> = stmt
        .query_map((), ci_row)?
        .collect::<rusqlite::Result<_>>()?;
    let at: HashMap<i64, usize> = cis
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    let mut stmt = conn.prepare(
        "SELECT ci_relations.from_ci, target.name, ci_relations.kind FROM ci_relations
         JOIN cis target ON target.id = ci_relations.to_ci ORDER BY target.name",
    )?;
    for row in stmt.query_map((), |r| {
        Ok((r.get::<i64>(0)?, r.get::<String>(1)?, r.get::<String>(2)?))
    })? {
        let (from, target, kind) = row?;
        if let Some(&i) = at.get(&from) {
            relate(&mut cis[i].1, target, &kind);
        }
    }
    Ok(cis.into_iter().map(|(_, ci)| ci).collect())
}
