//! CAB approvals: who decided what about a release, and over which content.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::calendar::local_time;
use crate::message::{Message, Param, time, word};
use crate::package::Component;
use crate::plan::{Schedule, Strategy, Wave};
use crate::release::Release;

text_enum!(Decision {
    Approve = "approve",
    Reject = "reject",
    Defer = "defer",
});

text_enum!(Role {
    ReleaseManager = "release_manager",
    CabMember = "cab_member",
    Implementer = "implementer",
});

impl Decision {
    /// What the decision means, recorded with it so the record reads on its own.
    pub fn meaning(self) -> &'static str {
        match self {
            Decision::Approve => "authorized to deploy as scoped, packaged and planned",
            Decision::Reject => "not authorized; sent back to build for revision",
            Decision::Defer => "no decision yet; to be decided at a later CAB",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Approval {
    pub approver: String,
    pub role: Role,
    pub decision: Decision,
    pub meaning: String,
    pub comment: String,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// The release's content when decided; a later edit makes it differ.
    pub content_hash: String,
    /// What has changed since this decision, in words; empty while the content is as decided
    /// (or for decisions recorded before Relman kept their content).
    pub changed_since: Vec<Message>,
    /// The content decided on (canonical JSON of [`Content`]); `None` for old decisions.
    #[serde(skip)]
    #[ts(skip)]
    pub content: Option<String>,
}

/// What the CAB authorizes: the scope, the package, the planned window and the deployment
/// plan as scheduled. An approval keeps a copy, so a later difference can be named, not only
/// noticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    pub scope: Vec<String>,
    pub package: Vec<PackageItem>,
    pub window: (NaiveDate, NaiveDate),
    pub plan: Option<PlanContent>,
    /// The test evidence: each run with whether it counts, each defect with whether it is
    /// open. Empty (and left out of the hash) before any test run is recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageItem {
    pub ci: String,
    pub to_version: Option<String>,
    pub requires: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    pub strategy: Strategy,
    pub waves: Vec<Wave>,
    pub tasks: Vec<TaskContent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskContent {
    pub key: String,
    pub name: String,
    pub wave: usize,
    pub minutes: i64,
    pub downtime: bool,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// How it is undone: its backout steps, nothing to undo, or the point of no return.
    #[serde(default)]
    pub undo: String,
}

fn undo_of(t: &crate::plan::ScheduledTask) -> String {
    if t.point_of_no_return {
        return "point of no return".into();
    }
    if let Some(why) = &t.nothing_to_undo {
        return format!("nothing to undo: {why}");
    }
    t.backout
        .iter()
        .map(|s| format!("{} {} min", s.name, s.minutes))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Content {
    /// The content with the release's test evidence: each run and defect as one line.
    pub fn with_evidence(mut self, runs: &[crate::testing::JudgedRun]) -> Content {
        for r in runs {
            self.evidence.push(format!(
                "run #{} {} {} on {} ({}){}",
                r.run.id,
                r.run.kind,
                r.run.result,
                r.run.env,
                local_time(r.run.from, "UTC"),
                if r.counts { "" } else { ", does not count" }
            ));
            for d in &r.run.defects {
                self.evidence.push(format!(
                    "defect {} ({}) {}",
                    d.id,
                    d.severity,
                    if d.closed_at.is_some() {
                        "closed"
                    } else {
                        "open"
                    }
                ));
            }
        }
        self
    }

    pub fn of(
        release: &Release,
        change_keys: &[String],
        components: &[Component],
        schedule: Option<&Schedule>,
    ) -> Content {
        let mut scope = change_keys.to_vec();
        scope.sort();
        let mut package: Vec<PackageItem> = components
            .iter()
            .map(|c| PackageItem {
                ci: c.ci.clone(),
                to_version: c.to_version.clone(),
                requires: c
                    .requires
                    .iter()
                    .map(|r| format!("{}{}", r.ci, r.requirement))
                    .collect(),
            })
            .collect();
        package.sort_by(|a, b| a.ci.cmp(&b.ci));
        Content {
            scope,
            package,
            window: (release.planned_start, release.planned_end),
            plan: schedule.map(|s| PlanContent {
                strategy: s.strategy,
                waves: s.waves.clone(),
                tasks: s
                    .tasks
                    .iter()
                    .map(|t| TaskContent {
                        key: t.key.clone(),
                        name: t.name.clone(),
                        wave: t.wave,
                        minutes: t.minutes,
                        downtime: t.downtime,
                        start: t.start,
                        end: t.end,
                        undo: undo_of(t),
                    })
                    .collect(),
            }),
            evidence: Vec::new(),
        }
    }

    /// The canonical JSON an approval stores and hashes.
    pub fn canonical(&self) -> String {
        crate::canonical::to_string(&serde_json::to_value(self).expect("content serializes"))
    }

    pub fn hash(&self) -> String {
        format!("{:x}", Sha256::digest(self.canonical().as_bytes()))
    }

    /// What differs from `before` to `self`, in words, most important first.
    pub fn differences(&self, before: &Content) -> Vec<Message> {
        let mut out = Vec::new();
        let m = Message::new;
        for key in &before.scope {
            if !self.scope.contains(key) {
                out.push(m("changed.scope_removed").with("key", key));
            }
        }
        for key in &self.scope {
            if !before.scope.contains(key) {
                out.push(m("changed.scope_added").with("key", key));
            }
        }
        let version = |v: &Option<String>| match v {
            Some(v) => Param::Text(v.clone()),
            None => word("changed.no_version"),
        };
        for old in &before.package {
            match self.package.iter().find(|c| c.ci == old.ci) {
                None => out.push(m("changed.component_removed").with("ci", &old.ci)),
                Some(new) if new.to_version != old.to_version => out.push(
                    m("changed.component_version")
                        .with("ci", &old.ci)
                        .with("to", version(&new.to_version))
                        .with("from", version(&old.to_version)),
                ),
                Some(new) if new.requires != old.requires => out.push(
                    m("changed.requirements")
                        .with("ci", &old.ci)
                        .with("from", old.requires.join(", "))
                        .with("to", new.requires.join(", ")),
                ),
                Some(_) => {}
            }
        }
        for new in &self.package {
            if !before.package.iter().any(|c| c.ci == new.ci) {
                out.push(
                    m("changed.component_added")
                        .with("ci", &new.ci)
                        .with("version", version(&new.to_version)),
                );
            }
        }
        if self.window != before.window {
            out.push(
                m("changed.window")
                    .with("from", format!("{} – {}", before.window.0, before.window.1))
                    .with("to", format!("{} – {}", self.window.0, self.window.1)),
            );
        }
        for line in &self.evidence {
            if !before.evidence.contains(line) {
                out.push(m("changed.evidence_new").with("line", line));
            }
        }
        for line in &before.evidence {
            if !self.evidence.contains(line) {
                out.push(m("changed.evidence_gone").with("line", line));
            }
        }
        match (&before.plan, &self.plan) {
            (None, Some(plan)) => out.push(m("changed.plan_added").with("count", plan.tasks.len())),
            (Some(_), None) => out.push(m("changed.plan_removed")),
            (Some(old), Some(new)) => plan_differences(old, new, &mut out),
            (None, None) => {}
        }
        out
    }
}

fn plan_differences(old: &PlanContent, new: &PlanContent, out: &mut Vec<Message>) {
    let m = Message::new;
    if old.strategy != new.strategy {
        out.push(
            m("changed.strategy")
                .with("from", word(format!("strategy.{}", old.strategy)))
                .with("to", word(format!("strategy.{}", new.strategy))),
        );
    }
    for wave in &old.waves {
        match new.waves.iter().find(|w| w.name == wave.name) {
            None => out.push(m("changed.wave_removed").with("wave", &wave.name)),
            Some(w) if w != wave => out.push(m("changed.wave_edited").with("wave", &wave.name)),
            Some(_) => {}
        }
    }
    for wave in &new.waves {
        if !old.waves.iter().any(|w| w.name == wave.name) {
            out.push(m("changed.wave_added").with("wave", &wave.name));
        }
    }
    let tz = |plan: &PlanContent, wave: usize| {
        plan.waves
            .get(wave)
            .map(|w| w.tz.clone())
            .unwrap_or_else(|| "UTC".into())
    };
    let at = |t: Option<DateTime<Utc>>, tz: &str| match t {
        Some(t) => time(t, tz),
        None => word("changed.no_time"),
    };
    for task in &old.tasks {
        let Some(now) = new.tasks.iter().find(|t| t.key == task.key) else {
            out.push(
                m("changed.task_removed")
                    .with("key", &task.key)
                    .with("name", &task.name),
            );
            continue;
        };
        if now.start != task.start {
            out.push(
                m("changed.task_moved")
                    .with("key", &task.key)
                    .with("from", at(task.start, &tz(old, task.wave)))
                    .with("to", at(now.start, &tz(new, now.wave))),
            );
        } else if now.minutes != task.minutes {
            out.push(
                m("changed.task_minutes")
                    .with("key", &task.key)
                    .with("now", now.minutes)
                    .with("before", task.minutes),
            );
        } else if now.undo != task.undo {
            out.push(
                m("changed.task_undo")
                    .with("key", &task.key)
                    .with("from", &task.undo)
                    .with("to", &now.undo),
            );
        } else if now.name != task.name || now.downtime != task.downtime {
            out.push(m("changed.task_edited").with("key", &task.key));
        }
    }
    for task in &new.tasks {
        if !old.tasks.iter().any(|t| t.key == task.key) {
            out.push(
                m("changed.task_added")
                    .with("key", &task.key)
                    .with("name", &task.name),
            );
        }
    }
}

/// The hash approvals made before their content was stored (scope, package and planned
/// window only); kept so those approvals stay valid for what they covered.
pub fn legacy_hash(release: &Release, change_keys: &[String], components: &[Component]) -> String {
    let mut keys = change_keys.to_vec();
    keys.sort();
    let mut components = components.to_vec();
    components.sort_by(|a, b| a.ci.cmp(&b.ci));
    let content = serde_json::json!({
        "scope": keys,
        "package": components,
        "plan": { "start": release.planned_start, "end": release.planned_end },
    });
    let canonical = crate::canonical::to_string(&content);
    format!("{:x}", Sha256::digest(canonical.as_bytes()))
}
