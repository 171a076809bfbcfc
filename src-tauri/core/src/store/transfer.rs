//! Export and import of the exchange format: everything, or one release with what it refers to.
//! An import is all-or-nothing and reports every problem with its JSON path.

use std::collections::{BTreeMap, BTreeSet};

use super::sql::{OptionalExtension, params};
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::domain::{
    insert_change, insert_ci, insert_component, link_change, release_id, set_relations,
};
use super::models::put_model;
use super::planning::{put_freeze, put_hours, put_window, write_plan};
use super::{Store, insert_release, live_release};
use crate::change::{ChangeDraft, ChangeStatus, Ci};
use crate::csv_import::{CsvOptions, Shape};
use crate::error::{Error, FieldError, Result};
use crate::package::parse_requirement_spec;
use crate::people::TeamRole;
use crate::release::ReleaseDraft;
use crate::store::ReleaseFilter;
use crate::transfer::{
    ApprovalRecord, ChangeRecord, CiRecord, ComponentRecord, Document, FORMAT, FeedRecord,
    ReleaseRecord, StageMove, VERSION,
};
use crate::work::Work;

/// What an import brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct ImportSummary {
    /// CIs the file held, and those it named but did not hold (`created_cis`).
    pub cis: u32,
    pub changes: u32,
    pub releases: u32,
    pub models: u32,
    pub windows: u32,
    pub freezes: u32,
    pub service_hours: u32,
    pub environments: u32,
    pub test_runs: u32,
    /// CIs the changes named that the CMDB lacked, created by this import.
    pub created_cis: Vec<String>,
    /// Incidents of a service desk export stored under their release (new or updated).
    pub incidents: u32,
    /// Incidents that link to no release, each with the reason; they are not stored.
    pub unlinked_incidents: Vec<String>,
}

impl ImportSummary {
    /// "Imported 2 changes and 1 model; created 4 CIs the changes name: a, b, c, d".
    pub fn describe(&self) -> String {
        let plural =
            |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let held = self.cis as usize - self.created_cis.len();
        let parts: Vec<String> = [
            (self.releases, "release", "releases"),
            (self.changes, "change", "changes"),
            (held as u32, "CI", "CIs"),
            (self.models, "deployment model", "deployment models"),
            (self.windows, "maintenance window", "maintenance windows"),
            (self.freezes, "freeze", "freezes"),
            (
                self.service_hours,
                "set of business hours",
                "sets of business hours",
            ),
            (self.environments, "test environment", "test environments"),
            (self.test_runs, "test run", "test runs"),
            (self.incidents, "incident", "incidents"),
        ]
        .into_iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many)| plural(n, one, many))
        .collect();
        let mut text = match parts.len() {
            0 => "The file held nothing to import".to_string(),
            1 => format!("Imported {}", parts[0]),
            n => format!(
                "Imported {} and {}",
                parts[..n - 1].join(", "),
                parts[n - 1]
            ),
        };
        if !self.created_cis.is_empty() {
            text.push_str(&format!(
                "; created {} the changes name: {}",
                plural(self.created_cis.len() as u32, "CI", "CIs"),
                self.created_cis.join(", ")
            ));
        }
        if !self.unlinked_incidents.is_empty() {
            text.push_str(&format!(
                "; {} to no release and {} not stored: {}",
                plural(
                    self.unlinked_incidents.len() as u32,
                    "incident links",
                    "incidents link"
                ),
                if self.unlinked_incidents.len() == 1 {
                    "was"
                } else {
                    "were"
                },
                self.unlinked_incidents.join("; ")
            ));
        }
        text
    }
}

/// CIs a CSV import creates because its changes name them and the CMDB lacks them.
struct CreateMissing {
    kind: crate::change::CiKind,
    source: &'static str,
}

impl Store {
    /// The whole database, or with `release` one release and the changes and CIs it refers to.
    pub fn export(&self, release: Option<&str>) -> Result<Document> {
        let releases = match release {
            Some(key) => vec![self.release(key)?],
            None => self.list_releases(&ReleaseFilter::default())?,
        };
        let mut records = Vec::new();
        let mut change_keys = BTreeSet::new();
        let mut ci_names = BTreeSet::new();
        let mut env_names = BTreeSet::new();
        let mut meeting_starts = BTreeSet::new();
        for r in releases {
            let id = release_id(&self.conn, &r.key)?;
            let bookings = super::environments::export_bookings(&self.conn, id)?;
            let test_runs = super::testing::export_runs(&self.conn, id)?;
            env_names.extend(bookings.iter().map(|b| b.env.clone()));
            env_names.extend(test_runs.iter().map(|b| b.env.clone()));
            let changes = self.release_changes(&r.key)?;
            let components = self.components(&r.key)?;
            let approvals = export_approvals(&self.conn, id)?;
            meeting_starts.extend(approvals.iter().filter_map(|a| a.meeting));
            for c in &changes {
                change_keys.insert(c.key.clone());
                ci_names.extend(c.cis.iter().cloned());
            }
            for c in &components {
                ci_names.insert(c.ci.clone());
                ci_names.extend(c.requires.iter().map(|q| q.ci.clone()));
            }
            let plan = self.plan(&r.key)?;
            let stage_moves = export_moves(&self.conn, &r.key)?;
            records.push(ReleaseRecord {
                key: r.key,
                title: r.title,
                release_type: r.release_type,
                stage: r.stage,
                planned_start: r.planned_start,
                planned_end: r.planned_end,
                owner: r.owner,
                risk: r.risk,
                requester: r.requester,
                dev_docs: r.dev_docs,
                ops_docs: r.ops_docs,
                needs_revision: r.needs_revision,
                demo: r.demo,
                package_type: Some(r.package_type),
                base: r.base,
                members: super::packages::load_members(&self.conn, id)?
                    .into_iter()
                    .map(|m| m.key)
                    .collect(),
                created_at: Some(r.created_at),
                created_by: Some(r.created_by),
                changes: changes.into_iter().map(|c| c.key).collect(),
                components: components
                    .into_iter()
                    .map(|c| ComponentRecord {
                        ci: c.ci,
                        to_version: c.to_version,
                        requires: c
                            .requires
                            .iter()
                            .map(|q| format!("{}{}", q.ci, q.requirement))
                            .collect(),
                        dml: c.dml,
                    })
                    .collect(),
                approvals,
                plan,
                bookings,
                test_runs,
                baseline_at: self
                    .conn
                    .query_row(
                        "SELECT baseline_at FROM plans WHERE release_id = ?1",
                        [id],
                        |row| row.get(0),
                    )
                    .optional()?
                    .flatten(),
                stage_moves,
                incidents: Vec::new(),
                activities: Vec::new(),
                costs: Vec::new(),
                review: None,
            });
            super::after::export_after(&self.conn, id, records.last_mut().expect("just pushed"))?;
        }
        let changes: Vec<ChangeRecord> = self
            .list_changes(None)?
            .into_iter()
            .filter(|c| release.is_none() || change_keys.contains(&c.key))
            .map(|c| {
                ci_names.extend(c.cis.iter().cloned());
                ChangeRecord {
                    key: c.key,
                    title: c.title,
                    description: c.description,
                    status: c.status,
                    risk: c.risk,
                    kind: c.kind,
                    cis: c.cis,
                    incident_refs: c.incident_refs,
                    problem_refs: c.problem_refs,
                    cab_decision_date: c.cab_decision_date,
                    window: c.window,
                }
            })
            .collect();
        let cis = self
            .list_cis()?
            .into_iter()
            .filter(|c| release.is_none() || ci_names.contains(&c.name))
            .map(|c| {
                Ok(CiRecord {
                    contacts: super::notices::load_contacts(&self.conn, &c.name)?,
                    name: c.name,
                    kind: c.kind,
                    owner: c.owner,
                    prod_version: c.prod_version,
                    runs_on: c.runs_on,
                    depends_on: c.depends_on,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Document {
            format: FORMAT.to_string(),
            version: VERSION,
            cis,
            changes,
            releases: records,
            windows: self.list_windows()?,
            freezes: self.list_freezes()?,
            service_hours: self.list_service_hours()?,
            models: self.list_models()?,
            environments: super::environments::environment_names(&self.conn)?
                .into_iter()
                .filter(|name| release.is_none() || env_names.contains(name))
                .map(|name| super::environments::export_environment(&self.conn, &name))
                .collect::<Result<_>>()?,
            units: match release {
                Some(_) => Vec::new(),
                None => self.units()?,
            },
            meetings: super::cab::export_meetings(&self.conn)?
                .into_iter()
                .filter(|m| release.is_none() || meeting_starts.contains(&m.started_at))
                .collect(),
            settings: match release {
                Some(_) => BTreeMap::new(),
                None => export_settings(&self.conn)?,
            },
            calendar_feed: match release {
                Some(_) => Vec::new(),
                None => export_feed(&self.conn)?,
            },
        })
    }

    /// Adds everything in `document`, or nothing: every problem is reported with its JSON path.
    pub fn import(
        &mut self,
        document: &Document,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<ImportSummary> {
        self.import_with(document, None, actor, now, Work::quiet())
    }

    /// [`Store::import`], reporting each CI, change and release to `work` and stopping, with
    /// nothing written, when it is told to.
    pub fn import_with_work(
        &mut self,
        document: &Document,
        actor: &str,
        now: DateTime<Utc>,
        work: Work<'_>,
    ) -> Result<ImportSummary> {
        self.import_with(document, None, actor, now, work)
    }

    fn import_with(
        &mut self,
        document: &Document,
        create_missing: Option<CreateMissing>,
        actor: &str,
        now: DateTime<Utc>,
        work: Work<'_>,
    ) -> Result<ImportSummary> {
        let total = document.cis.len() + document.changes.len() + document.releases.len();
        let mut done = 0;
        work.step(done, total)?;
        let tx = self.write(TeamRole::Planner)?;
        let mut problems = Vec::new();
        let mut document = std::borrow::Cow::Borrowed(document);
        let mut created_cis = Vec::new();
        if let Some(create) = &create_missing {
            let mut named_by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
            for change in &document.changes {
                for ci in &change.cis {
                    let known = document.cis.iter().any(|c| &c.name == ci)
                        || tx
                            .query_row("SELECT 1 FROM cis WHERE name = ?1", [ci], |_| Ok(()))
                            .optional()?
                            .is_some();
                    if !known {
                        named_by
                            .entry(ci.clone())
                            .or_default()
                            .push(change.key.clone());
                    }
                }
            }
            for (name, changes) in named_by {
                document.to_mut().cis.push(CiRecord {
                    name: name.clone(),
                    kind: create.kind,
                    owner: None,
                    prod_version: None,
                    runs_on: Vec::new(),
                    depends_on: Vec::new(),
                    contacts: Vec::new(),
                });
                created_cis.push((name, changes));
            }
        }
        let document = document.as_ref();

        // All CIs first, then their relations, so a CI may relate to one later in the file.
        let mut inserted = Vec::new();
        for (i, record) in document.cis.iter().enumerate() {
            let ci = Ci {
                name: record.name.clone(),
                kind: record.kind,
                owner: record.owner.clone(),
                prod_version: record.prod_version.clone(),
                runs_on: Vec::new(),
                depends_on: Vec::new(),
            };
            let added = collect(
                &format!("$.cis[{i}]"),
                insert_ci(&tx, &ci, actor, now),
                &mut problems,
            )?;
            done += 1;
            work.step(done, total)?;
            if added.is_some() && !record.contacts.is_empty() {
                let told = super::notices::set_contacts_in(
                    &tx,
                    &record.name,
                    &record.contacts,
                    actor,
                    now,
                );
                collect(&format!("$.cis[{i}]"), told, &mut problems)?;
            }
            if added.is_some() {
                let related = Ci {
                    runs_on: record.runs_on.clone(),
                    depends_on: record.depends_on.clone(),
                    ..ci
                };
                inserted.push((i, related));
            }
        }
        for (i, ci) in inserted {
            let related = ci.validate().and_then(|ci| set_relations(&tx, &ci));
            collect(&format!("$.cis[{i}]"), related, &mut problems)?;
        }
        for (i, unit) in document.units.iter().enumerate() {
            collect(
                &format!("$.units[{i}]"),
                super::packages::create_unit_in(&tx, unit, actor, now),
                &mut problems,
            )?;
        }
        for (i, w) in document.windows.iter().enumerate() {
            collect(
                &format!("$.windows[{i}]"),
                put_window(&tx, w),
                &mut problems,
            )?;
        }
        for (i, f) in document.freezes.iter().enumerate() {
            collect(
                &format!("$.freezes[{i}]"),
                put_freeze(&tx, f),
                &mut problems,
            )?;
        }
        for (i, h) in document.service_hours.iter().enumerate() {
            let put = h.validate().and_then(|()| put_hours(&tx, h));
            collect(&format!("$.service_hours[{i}]"), put, &mut problems)?;
        }
        for (i, m) in document.models.iter().enumerate() {
            collect(
                &format!("$.models[{i}]"),
                put_model(&tx, m, actor, now),
                &mut problems,
            )?;
        }
        for (i, e) in document.environments.iter().enumerate() {
            collect(
                &format!("$.environments[{i}]"),
                super::environments::import_environment(&tx, e),
                &mut problems,
            )?;
        }
        let mut meetings = BTreeMap::new();
        for (i, m) in document.meetings.iter().enumerate() {
            let added = super::cab::import_meeting(&tx, m);
            if let Some(id) = collect(&format!("$.meetings[{i}]"), added, &mut problems)? {
                meetings.insert(m.started_at, id);
            }
        }
        for (name, value) in &document.settings {
            if !data_setting(name) {
                problems.push(FieldError::new(
                    &format!("$.settings.{name}"),
                    "is not a setting that travels with the data; these do: els_policy, \
                     test_policy, document_options, status_map.<source>",
                ));
                continue;
            }
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                params![name, value],
            )?;
        }
        for f in &document.calendar_feed {
            tx.execute(
                "INSERT INTO calendar_feed (uid, fingerprint, sequence, stamp) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (uid) DO UPDATE SET fingerprint = excluded.fingerprint,
                     sequence = excluded.sequence, stamp = excluded.stamp
                 WHERE calendar_feed.sequence < excluded.sequence",
                params![f.uid, f.fingerprint, f.sequence, f.stamp],
            )?;
        }
        for (i, c) in document.changes.iter().enumerate() {
            let draft = ChangeDraft {
                key: c.key.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                status: Some(c.status),
                risk: c.risk,
                kind: c.kind,
                cis: c.cis.clone(),
                incident_refs: c.incident_refs.clone(),
                problem_refs: c.problem_refs.clone(),
                cab_decision_date: c.cab_decision_date,
                window: c.window,
            };
            collect(
                &format!("$.changes[{i}]"),
                insert_change(&tx, &draft, actor, now),
                &mut problems,
            )?;
            done += 1;
            work.step(done, total)?;
        }
        for (i, r) in document.releases.iter().enumerate() {
            done += 1;
            work.step(done, total)?;
            let path = format!("$.releases[{i}]");
            let draft = ReleaseDraft {
                key: r.key.clone(),
                title: r.title.clone(),
                release_type: r.release_type,
                planned_start: r.planned_start.to_string(),
                planned_end: r.planned_end.to_string(),
                owner: r.owner.clone(),
                risk: r.risk,
                requester: r.requester.clone(),
                dev_docs: r.dev_docs.clone(),
                ops_docs: r.ops_docs.clone(),
            };
            let inserted = draft
                .validate()
                .and_then(|valid| insert_release(&tx, &valid, r.demo, actor, now));
            let Some(release) = collect(&path, inserted, &mut problems)? else {
                continue;
            };
            tx.execute(
                "UPDATE releases SET stage = ?1, needs_revision = ?2 WHERE key = ?3 AND deleted_at IS NULL",
                params![r.stage, r.needs_revision, release.key],
            )?;
            if let (Some(at), Some(by)) = (r.created_at, &r.created_by) {
                tx.execute(
                    "UPDATE releases SET created_at = ?1, created_by = ?2 WHERE key = ?3 AND deleted_at IS NULL",
                    params![at, by, release.key],
                )?;
            }
            let imported = super::live_release(&tx, &release.key)?
                .ok_or_else(|| Error::Internal("an imported release vanished".into()))?;
            super::audit::append(&tx, actor, now, vec![super::created(&imported)])?;
            for (j, change) in r.changes.iter().enumerate() {
                let linked = link_change(&tx, &release.key, change, actor, now);
                collect(&format!("{path}.changes[{j}]"), linked, &mut problems)?;
            }
            for (j, c) in r.components.iter().enumerate() {
                let at = format!("{path}.components[{j}]");
                let requires: std::result::Result<Vec<_>, String> = c
                    .requires
                    .iter()
                    .map(|q| parse_requirement_spec(q))
                    .collect();
                let added = requires
                    .map_err(|m| Error::Validation(vec![FieldError::new("requires", m)]))
                    .and_then(|requires| {
                        insert_component(
                            &tx,
                            &release.key,
                            &c.ci,
                            c.to_version.as_deref(),
                            &requires,
                            actor,
                            now,
                        )
                    })
                    .and_then(|_| match &c.dml {
                        Some(dml) => super::packages::set_dml_in(
                            &tx,
                            &release.key,
                            &c.ci,
                            Some(dml),
                            actor,
                            now,
                        )
                        .map(|_| ()),
                        None => Ok(()),
                    });
                collect(&at, added, &mut problems)?;
            }
            let release_id = release_id(&tx, &release.key)?;
            if let Some(plan) = &r.plan {
                let written = write_plan(&tx, release_id, plan);
                if collect(&format!("{path}.plan"), written, &mut problems)?.is_some() {
                    let entry = super::audit::Entry::new("release", &release.key, "plan")
                        .after(format!("imported plan of {} task(s)", plan.tasks.len()));
                    super::audit::append(&tx, actor, now, vec![entry])?;
                }
            }
            for (j, b) in r.bookings.iter().enumerate() {
                let booked = super::environments::import_booking(&tx, &release.key, b);
                collect(&format!("{path}.bookings[{j}]"), booked, &mut problems)?;
            }
            for (j, run) in r.test_runs.iter().enumerate() {
                let recorded = super::testing::import_run(&tx, release_id, run);
                collect(&format!("{path}.test_runs[{j}]"), recorded, &mut problems)?;
            }
            if r.baseline_at.is_some() {
                tx.execute(
                    "UPDATE plans SET baseline_at = ?1 WHERE release_id = ?2",
                    params![r.baseline_at, release_id],
                )?;
            }
            // The moves keep their times (early life support and the KPIs read them) but are
            // written by the importer: the audit records who writes, and a server insists.
            // Who moved them at the source is kept in one record beside them.
            for m in &r.stage_moves {
                let entry = super::audit::Entry::new("release", &release.key, "move").field(
                    "stage",
                    Some(m.from.to_string()),
                    Some(m.to.to_string()),
                );
                super::audit::append(&tx, actor, m.at, vec![entry])?;
            }
            if !r.stage_moves.is_empty() {
                let moved: Vec<String> = r
                    .stage_moves
                    .iter()
                    .map(|m| format!("{} {}: {} → {}", m.at.to_rfc3339(), m.by, m.from, m.to))
                    .collect();
                let entry = super::audit::Entry::new("release", &release.key, "import")
                    .after(format!("stage moves at the source: {}", moved.join("; ")));
                super::audit::append(&tx, actor, now, vec![entry])?;
            }
            let after = super::after::import_after(&tx, release_id, r);
            collect(&path, after, &mut problems)?;
            for (j, a) in r.approvals.iter().enumerate() {
                let meeting = match a.meeting {
                    None => None,
                    Some(start) => match meetings.get(&start) {
                        Some(id) => Some(*id),
                        None => {
                            problems.push(FieldError::new(
                                &format!("{path}.approvals[{j}].meeting"),
                                format!("names a CAB meeting started at {start}, which the file does not hold"),
                            ));
                            continue;
                        }
                    },
                };
                tx.execute(
                    "INSERT INTO approvals (release_id, approver, role, decision, comment, at, content_hash, content, meeting_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![release_id, a.approver, a.role, a.decision, a.comment, a.at, a.content_hash, a.content, meeting],
                )?;
                let entry = super::audit::Entry::new("release", &release.key, "decide").field(
                    "approval",
                    None,
                    Some(serde_json::to_string(a).unwrap_or_default()),
                );
                super::audit::append(&tx, actor, now, vec![entry])?;
            }
        }

        // Bases and members may name releases later in the file: linked once all are in.
        for (i, r) in document.releases.iter().enumerate() {
            let path = format!("$.releases[{i}]");
            let Some(package_type) = r.package_type else {
                continue;
            };
            if live_release(&tx, &r.key)?.is_none() {
                continue;
            }
            let set = super::packages::set_package_type_in(
                &tx,
                &r.key,
                package_type,
                r.base.as_deref(),
                actor,
                now,
            );
            if collect(&path, set, &mut problems)?.is_none() {
                continue;
            }
            for (j, member) in r.members.iter().enumerate() {
                let added = super::packages::add_member_in(&tx, &r.key, member, true, actor, now);
                collect(&format!("{path}.members[{j}]"), added, &mut problems)?;
            }
        }
        if let Some(create) = &create_missing {
            for (name, changes) in &created_cis {
                let entry = super::audit::Entry::new("ci", name, "import").after(format!(
                    "created by the import of a {} file: named by {} and not in the CMDB",
                    create.source,
                    changes.join(", ")
                ));
                super::audit::append(&tx, actor, now, vec![entry])?;
            }
        }
        if !problems.is_empty() {
            return Err(Error::Validation(problems));
        }
        // The last word before the commit: a Cancel up to here writes nothing.
        work.step(total, total)?;
        tx.commit()?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(ImportSummary {
            cis: count(document.cis.len()),
            changes: count(document.changes.len()),
            releases: count(document.releases.len()),
            models: count(document.models.len()),
            windows: count(document.windows.len()),
            freezes: count(document.freezes.len()),
            service_hours: count(document.service_hours.len()),
            environments: count(document.environments.len()),
            test_runs: count(document.releases.iter().map(|r| r.test_runs.len()).sum()),
            created_cis: created_cis.into_iter().map(|(name, _)| name).collect(),
            ..Default::default()
        })
    }
}

impl Store {
    /// Imports a CSV file of changes or CIs (ServiceNow or Jira shapes), all-or-nothing; every
    /// problem names its row and column.
    /// A change file may name CIs the CMDB lacks: they are created (as applications from
    /// ServiceNow, components from Jira) unless `options.strict_cis`. Statuses are read with the
    /// mapping remembered for the file's source, then `options.status_map`; a successful
    /// import remembers the combined mapping.
    pub fn import_csv(
        &mut self,
        text: &str,
        options: &CsvOptions,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<ImportSummary> {
        self.import_csv_with(text, options, actor, now, Work::quiet())
    }

    /// [`Store::import_csv`], reporting to `work` and stopping when it is told to.
    pub fn import_csv_with(
        &mut self,
        text: &str,
        options: &CsvOptions,
        actor: &str,
        now: DateTime<Utc>,
        work: Work<'_>,
    ) -> Result<ImportSummary> {
        let (shape, _) = crate::csv_import::unknown_statuses(text, &options.status_map)?;
        if shape.incidents() {
            return self.import_incidents(text, actor, now);
        }
        let mut map = self.status_map(shape.source())?;
        map.extend(options.status_map.clone());
        let read = crate::csv_import::parse(text, &map)?;
        let create = (!options.strict_cis).then_some(match shape {
            Shape::JiraChanges => CreateMissing {
                kind: crate::change::CiKind::Component,
                source: "Jira",
            },
            _ => CreateMissing {
                kind: crate::change::CiKind::Application,
                source: "ServiceNow",
            },
        });
        let summary = self
            .import_with(&read.document, create, actor, now, work)
            .map_err(|error| match error {
                Error::Validation(fields) => Error::Validation(
                    fields
                        .into_iter()
                        .map(|f| FieldError::new(&read.locate(&f.field), f.message))
                        .collect(),
                ),
                other => other,
            })?;
        if !options.status_map.is_empty() {
            self.set_setting(
                &format!("status_map.{}", shape.source()),
                &serde_json::to_string(&map).unwrap_or_default(),
                TeamRole::Planner,
            )?;
        }
        Ok(summary)
    }

    /// The status mapping remembered for a source ("jira", "servicenow").
    pub fn status_map(&self, source: &str) -> Result<BTreeMap<String, ChangeStatus>> {
        Ok(self
            .setting(&format!("status_map.{source}"))?
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default())
    }
}

/// A release's CAB decisions, with the meeting each was taken in.
fn export_approvals(conn: &super::sql::Conn, id: i64) -> Result<Vec<ApprovalRecord>> {
    let mut stmt = conn.prepare(
        "SELECT a.approver, a.role, a.decision, a.comment, a.at, a.content_hash, a.content, m.started_at
         FROM approvals a LEFT JOIN cab_meetings m ON m.id = a.meeting_id
         WHERE a.release_id = ?1 ORDER BY a.id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(ApprovalRecord {
            approver: r.get(0)?,
            role: r.get(1)?,
            decision: r.get(2)?,
            comment: r.get(3)?,
            at: r.get(4)?,
            content_hash: r.get(5)?,
            content: r.get(6)?,
            meeting: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A release's stage moves, in the order they happened.
fn export_moves(conn: &super::sql::Conn, key: &str) -> Result<Vec<StageMove>> {
    let mut stmt = conn.prepare(
        "SELECT at, actor, before, after FROM audit_log
         WHERE entity = 'release' AND entity_key = ?1 AND action = 'move' AND field = 'stage'
         ORDER BY seq",
    )?;
    let rows = stmt.query_map([key], |r| {
        Ok((
            r.get::<DateTime<Utc>>(0)?,
            r.get::<String>(1)?,
            r.get::<Option<String>>(2)?,
            r.get::<Option<String>>(3)?,
        ))
    })?;
    let mut moves = Vec::new();
    for row in rows {
        let (at, by, from, to) = row?;
        if let (Some(Ok(from)), Some(Ok(to))) = (from.map(|f| f.parse()), to.map(|t| t.parse())) {
            moves.push(StageMove { at, by, from, to });
        }
    }
    Ok(moves)
}

/// Whether a setting belongs to the data (and so travels in an export), not to one machine.
fn data_setting(key: &str) -> bool {
    matches!(key, "els_policy" | "test_policy" | "document_options")
        || key.starts_with("status_map.")
}

fn export_settings(conn: &super::sql::Conn) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare("SELECT key, value FROM settings ORDER BY key")?;
    let rows = stmt.query_map((), |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)))?;
    let mut settings = BTreeMap::new();
    for row in rows {
        let (key, value) = row?;
        if data_setting(&key) {
            settings.insert(key, value);
        }
    }
    Ok(settings)
}

fn export_feed(conn: &super::sql::Conn) -> Result<Vec<FeedRecord>> {
    let mut stmt =
        conn.prepare("SELECT uid, fingerprint, sequence, stamp FROM calendar_feed ORDER BY uid")?;
    let rows = stmt.query_map((), |r| {
        Ok(FeedRecord {
            uid: r.get(0)?,
            fingerprint: r.get(1)?,
            sequence: r.get(2)?,
            stamp: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Keeps a refusal as problems under `path` and carries on; storage failures end the import.
fn collect<T>(path: &str, result: Result<T>, problems: &mut Vec<FieldError>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(Error::Validation(fields)) => {
            problems.extend(
                fields
                    .into_iter()
                    .map(|f| FieldError::new(&format!("{path}.{}", f.field), f.message)),
            );
            Ok(None)
        }
        Err(Error::Conflict { field, message }) => {
            let at = field
                .map(|f| format!("{path}.{f}"))
                .unwrap_or_else(|| path.to_string());
            problems.push(FieldError::new(&at, message));
            Ok(None)
        }
        Err(error @ Error::NotFound { .. }) => {
            problems.push(FieldError::new(path, error.to_string()));
            Ok(None)
        }
        Err(other) => Err(other),
    }
}
