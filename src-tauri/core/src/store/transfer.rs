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
use super::{Store, insert_release};
use crate::change::{ChangeDraft, ChangeStatus, Ci};
use crate::csv_import::{CsvOptions, Shape};
use crate::error::{Error, FieldError, Result};
use crate::package::parse_requirement_spec;
use crate::people::TeamRole;
use crate::release::ReleaseDraft;
use crate::store::ReleaseFilter;
use crate::transfer::{
    ApprovalRecord, ChangeRecord, CiRecord, ComponentRecord, Document, FORMAT, ReleaseRecord,
    VERSION,
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
        for r in releases {
            let id = release_id(&self.conn, &r.key)?;
            let bookings = super::environments::export_bookings(&self.conn, id)?;
            let test_runs = super::testing::export_runs(&self.conn, id)?;
            env_names.extend(bookings.iter().map(|b| b.env.clone()));
            env_names.extend(test_runs.iter().map(|b| b.env.clone()));
            let changes = self.release_changes(&r.key)?;
            let components = self.components(&r.key)?;
            let approvals = self.approvals(&r.key)?;
            for c in &changes {
                change_keys.insert(c.key.clone());
                ci_names.extend(c.cis.iter().cloned());
            }
            for c in &components {
                ci_names.insert(c.ci.clone());
                ci_names.extend(c.requires.iter().map(|q| q.ci.clone()));
            }
            let plan = self.plan(&r.key)?;
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
                    })
                    .collect(),
                approvals: approvals
                    .into_iter()
                    .map(|a| ApprovalRecord {
                        approver: a.approver,
                        role: a.role,
                        decision: a.decision,
                        comment: a.comment,
                        at: a.at,
                        content_hash: a.content_hash,
                        content: a.content,
                    })
                    .collect(),
                plan,
                bookings,
                test_runs,
            });
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
            .map(|c| CiRecord {
                name: c.name,
                kind: c.kind,
                owner: c.owner,
                prod_version: c.prod_version,
                runs_on: c.runs_on,
                depends_on: c.depends_on,
            })
            .collect();
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
                .and_then(|valid| insert_release(&tx, &valid, false, actor, now));
            let Some(release) = collect(&path, inserted, &mut problems)? else {
                continue;
            };
            tx.execute(
                "UPDATE releases SET stage = ?1, needs_revision = ?2 WHERE key = ?3 AND deleted_at IS NULL",
                params![r.stage, r.needs_revision, release.key],
            )?;
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
            for a in &r.approvals {
                tx.execute(
                    "INSERT INTO approvals (release_id, approver, role, decision, comment, at, content_hash, content)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![release_id, a.approver, a.role, a.decision, a.comment, a.at, a.content_hash, a.content],
                )?;
                let entry = super::audit::Entry::new("release", &release.key, "decide").field(
                    "approval",
                    None,
                    Some(serde_json::to_string(a).unwrap_or_default()),
                );
                super::audit::append(&tx, actor, now, vec![entry])?;
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
