//! The lifecycle rules. Each rule has a stable code, the stage moves it guards, and a check
//! that says in plain words what holds or what is missing, and what would satisfy it.
//! Adding a rule: write its check, add one line to `RULES`, add its cases to the tests.

use serde::Serialize;
use ts_rs::TS;

use crate::approval::{Approval, Content, Decision};
use crate::change::{Change, ChangeStatus};
use crate::message::{Message, Param, lines, span, time, word};
use crate::package::{Component, PackageAnalysis, PackageType};
use crate::plan::{Conflict, ConflictKind, Schedule, WaveRollback, rollback_plan};
use crate::release::{Release, Stage};
use crate::testing::{TestKind, TestResult, TestingFacts, problem_free};

pub use crate::verdict::{Area, RuleResult};

/// Everything the rules look at, gathered by the store.
pub struct Facts<'a> {
    pub release: &'a Release,
    pub changes: &'a [Change],
    pub components: &'a [Component],
    pub analysis: &'a PackageAnalysis,
    /// Oldest first.
    pub approvals: &'a [Approval],
    /// The release's content now: what an approval is compared with.
    pub content: &'a Content,
    /// The same in the form approvals were hashed before their content was kept.
    pub legacy_hash: &'a str,
    /// `None`: the release has no deployment plan.
    pub plan: Option<&'a PlanFacts>,
    /// Bookings, runs and the testing policy.
    pub testing: &'a TestingFacts,
    /// Early life support, incidents, activities and the review, for closure.
    pub after: &'a crate::after::AfterFacts,
    /// The package type and what its rules compare with.
    pub package: &'a PackageFacts,
    /// Time-dependent rules (the problem-free period) are judged at this moment.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// What the package-type rules look at besides the release's own components.
#[derive(Debug, Clone)]
pub struct PackageFacts {
    pub package_type: PackageType,
    /// The base a delta names.
    pub base: Option<BaseFacts>,
    /// The version each CI runs in production now.
    pub production: std::collections::BTreeMap<String, Option<String>>,
    /// Each release unit holding one of the package's CIs: its name and all its CIs.
    pub units: Vec<(String, Vec<String>)>,
    /// A package's member releases.
    pub members: Vec<MemberFacts>,
    /// The package this release is a member of.
    pub member_of: Option<String>,
}

/// A full release with nothing around it: what a release is before any package choice.
impl Default for PackageFacts {
    fn default() -> Self {
        PackageFacts {
            package_type: PackageType::Full,
            base: None,
            production: Default::default(),
            units: Vec::new(),
            members: Vec::new(),
            member_of: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct BaseFacts {
    pub key: String,
    pub stage: Stage,
    /// What the base deployed: its components' target versions.
    pub deployed: std::collections::BTreeMap<String, Option<String>>,
}

#[derive(Debug, Clone)]
pub struct MemberFacts {
    pub key: String,
    pub components: Vec<Component>,
}

/// What the scheduling rules need to know of a release's scheduled plan.
#[derive(Debug, Clone, Default)]
pub struct PlanFacts {
    pub tasks: usize,
    /// Each task that could not be placed, with why.
    pub unplaced: Vec<Message>,
    pub conflicts: Vec<Conflict>,
    /// Each wave's rollback.
    pub rollback: Vec<WaveRollback>,
    /// The placed tasks that touch CIs, for the changes' authorized windows.
    pub placed: Vec<PlacedTask>,
}

/// A scheduled task with what it touches and its wave's zone.
#[derive(Debug, Clone)]
pub struct PlacedTask {
    pub key: String,
    pub name: String,
    pub cis: Vec<String>,
    pub start: chrono::DateTime<chrono::Utc>,
    pub end: chrono::DateTime<chrono::Utc>,
    pub tz: String,
}

impl PlanFacts {
    pub fn of(schedule: &Schedule) -> PlanFacts {
        PlanFacts {
            placed: schedule
                .tasks
                .iter()
                .filter(|t| !t.cis.is_empty())
                .filter_map(|t| {
                    Some(PlacedTask {
                        key: t.key.clone(),
                        name: t.name.clone(),
                        cis: t.cis.clone(),
                        start: t.start?,
                        end: t.end?,
                        tz: schedule
                            .waves
                            .get(t.wave)
                            .map(|w| w.tz.clone())
                            .unwrap_or_else(|| "UTC".into()),
                    })
                })
                .collect(),
            tasks: schedule.tasks.len(),
            unplaced: schedule
                .unplaced()
                .filter_map(|t| {
                    let why = t.unplaced.clone()?;
                    Some(
                        Message::new("unplaced.item")
                            .with("task", &t.key)
                            .with("why", why),
                    )
                })
                .collect(),
            conflicts: schedule.conflicts.clone(),
            rollback: rollback_plan(schedule).waves,
        }
    }
}

impl Facts<'_> {
    fn requester(&self) -> &str {
        self.release
            .requester
            .as_deref()
            .unwrap_or(&self.release.created_by)
    }

    fn latest_decision(&self) -> Option<&Approval> {
        self.approvals.last()
    }
}

pub enum Verdict {
    Pass(Message),
    Fail { message: Message, remedy: Message },
}

fn fail(message: Message, remedy: &str) -> Verdict {
    Verdict::Fail {
        message,
        remedy: m(remedy),
    }
}

fn pass(key: &str) -> Verdict {
    Verdict::Pass(m(key))
}

fn m(key: &str) -> Message {
    Message::new(key)
}

pub struct Rule {
    pub code: &'static str,
    /// The rule guards every advance into a main-line stage from `from` to `until`.
    pub from: Stage,
    pub until: Stage,
    pub area: Area,
    pub check: fn(&Facts) -> Verdict,
}

impl Rule {
    pub fn guards(&self, target: Stage) -> bool {
        target.at_or_after(self.from) && self.until.at_or_after(target)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Checklist {
    pub release: String,
    pub stage: Stage,
    /// The stage an advance leads to; `None` when the release is at the end of its life.
    pub next: Option<Stage>,
    pub rules: Vec<RuleResult>,
}

impl Checklist {
    pub fn failing(&self) -> impl Iterator<Item = &RuleResult> {
        self.rules.iter().filter(|r| !r.ok)
    }
}

/// One rule with the stage moves it guards: every advance into a stage from `from` to `until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct GuardedRule {
    #[serde(flatten)]
    pub result: RuleResult,
    pub from: Stage,
    pub until: Stage,
    /// Whether it guards the release's next advance.
    pub next_move: bool,
}

/// Every rule and whether it holds now, whatever stage the release is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AllRules {
    pub release: String,
    pub stage: Stage,
    pub next: Option<Stage>,
    pub rules: Vec<GuardedRule>,
}

/// Every rule, in the order of the lifecycle.
pub fn evaluate_all(facts: &Facts) -> AllRules {
    let next = facts.release.stage.next();
    AllRules {
        release: facts.release.key.clone(),
        stage: facts.release.stage,
        next,
        rules: RULES
            .iter()
            .map(|rule| GuardedRule {
                result: run(rule, facts),
                from: rule.from,
                until: rule.until,
                next_move: next.is_some_and(|n| rule.guards(n)),
            })
            .collect(),
    }
}

/// What changed since `approval` was given; empty while nothing did, and for an old approval
/// that kept no content (only its hash can tell, see `AUTH-VALID`).
pub fn changed_since(approval: &Approval, now: &Content) -> Vec<Message> {
    if approval.content_hash == now.hash() {
        return Vec::new();
    }
    approval
        .content
        .as_deref()
        .and_then(|text| serde_json::from_str::<Content>(text).ok())
        .map(|then| now.differences(&then))
        .unwrap_or_default()
}

use Stage::{Authorized, AwaitingAuthorization, Build, Closed, Deploying, Test};

pub const RULES: &[Rule] = &[
    Rule {
        code: "SCOPE-NOT-EMPTY",
        from: Build,
        until: Deploying,
        area: Area::Scope,
        check: scope_not_empty,
    },
    Rule {
        code: "SCOPE-AUTHORIZED",
        from: Build,
        until: Deploying,
        area: Area::Scope,
        check: scope_authorized,
    },
    Rule {
        code: "SCOPE-CIS-COVERED",
        from: Test,
        until: Deploying,
        area: Area::Package,
        check: cis_covered,
    },
    Rule {
        code: "PKG-TARGET-VERSIONS",
        from: Test,
        until: Deploying,
        area: Area::Package,
        check: target_versions,
    },
    Rule {
        code: "PKG-NO-CYCLE",
        from: Test,
        until: Deploying,
        area: Area::Package,
        check: no_cycle,
    },
    Rule {
        code: "PKG-DEPS-SATISFIED",
        from: Test,
        until: Deploying,
        area: Area::Package,
        check: deps_satisfied,
    },
    Rule {
        code: "PKG-DELTA-BASE",
        from: Test,
        until: Deploying,
        area: Area::Package,
        check: delta_base,
    },
    Rule {
        code: "PKG-FULL-UNIT",
        from: Test,
        until: Deploying,
        area: Area::Package,
        check: full_unit,
    },
    Rule {
        code: "PKG-BUNDLE",
        from: Test,
        until: Deploying,
        area: Area::Package,
        check: bundle,
    },
    Rule {
        code: "BUILD-FROM-DML",
        from: Test,
        until: Deploying,
        area: Area::Package,
        check: built_from_dml,
    },
    Rule {
        code: "DOCS-LINKED",
        from: Test,
        until: Deploying,
        area: Area::Documents,
        check: docs_linked,
    },
    Rule {
        code: "TEST-RUNS-PASSED",
        from: AwaitingAuthorization,
        until: Deploying,
        area: Area::Testing,
        check: runs_passed,
    },
    Rule {
        code: "TEST-ROLLBACK-REHEARSED",
        from: AwaitingAuthorization,
        until: Deploying,
        area: Area::Testing,
        check: rollback_rehearsed,
    },
    Rule {
        code: "TEST-PROBLEM-FREE",
        from: AwaitingAuthorization,
        until: Deploying,
        area: Area::Testing,
        check: problem_free_period,
    },
    Rule {
        code: "TEST-ENV-BOOKED",
        from: AwaitingAuthorization,
        until: Deploying,
        area: Area::Testing,
        check: environments_booked,
    },
    Rule {
        code: "AUTH-APPROVED",
        from: Authorized,
        until: Deploying,
        area: Area::Approvals,
        check: approved,
    },
    Rule {
        code: "AUTH-SEGREGATION",
        from: Authorized,
        until: Deploying,
        area: Area::Approvals,
        check: segregation,
    },
    Rule {
        code: "AUTH-VALID",
        from: Authorized,
        until: Deploying,
        area: Area::Approvals,
        check: authorization_valid,
    },
    Rule {
        code: "ROLLBACK-COVERED",
        from: Test,
        until: Deploying,
        area: Area::Rollback,
        check: rollback_covered,
    },
    Rule {
        code: "ROLLBACK-FITS-WINDOW",
        from: Authorized,
        until: Deploying,
        area: Area::Rollback,
        check: rollback_fits,
    },
    Rule {
        code: "ROLLBACK-NO-RETURN-AFTER-GO",
        from: Authorized,
        until: Deploying,
        area: Area::Rollback,
        check: no_return_after_go,
    },
    Rule {
        code: "SCHED-PLANNED",
        from: Authorized,
        until: Deploying,
        area: Area::Plan,
        check: planned,
    },
    Rule {
        code: "SCHED-IN-WINDOWS",
        from: Authorized,
        until: Deploying,
        area: Area::Plan,
        check: in_windows,
    },
    Rule {
        code: "SCHED-NO-FREEZE",
        from: Authorized,
        until: Deploying,
        area: Area::Plan,
        check: outside_freezes,
    },
    Rule {
        code: "SCHED-IN-CHANGE-WINDOW",
        from: Authorized,
        until: Deploying,
        area: Area::Plan,
        check: in_change_windows,
    },
    Rule {
        code: "SCHED-NO-CONFLICT",
        from: Authorized,
        until: Deploying,
        area: Area::Plan,
        check: no_conflict,
    },
    Rule {
        code: "ELS-DONE",
        from: Closed,
        until: Closed,
        area: Area::After,
        check: els_done,
    },
    Rule {
        code: "CLOSE-ACTIVITIES",
        from: Closed,
        until: Closed,
        area: Area::After,
        check: activities_settled,
    },
    Rule {
        code: "CLOSE-REVIEW",
        from: Closed,
        until: Closed,
        area: Area::After,
        check: reviewed,
    },
];

fn els_done(f: &Facts) -> Verdict {
    let Some(ends) = f.after.els_ends() else {
        return fail(m("rule.ELS-DONE.never"), "rule.ELS-DONE.remedy.begin");
    };
    let open: Vec<Message> = f
        .after
        .incidents
        .iter()
        .filter(|i| i.severity <= 2 && i.open_at(f.now))
        .map(|i| {
            m("item.incident")
                .with("key", &i.key)
                .with("severity", i64::from(i.severity))
        })
        .collect();
    let at = time(ends, "UTC");
    match (f.now >= ends, open.is_empty()) {
        (true, true) => Verdict::Pass(m("rule.ELS-DONE.pass").with("ended", at)),
        (false, _) => fail(
            m("rule.ELS-DONE.waiting").with("until", at),
            "rule.ELS-DONE.remedy",
        ),
        (true, false) => fail(
            m("rule.ELS-DONE.open").with("incidents", open),
            "rule.ELS-DONE.remedy.resolve",
        ),
    }
}

fn activities_settled(f: &Facts) -> Verdict {
    let open: Vec<Param> = f
        .after
        .activities
        .iter()
        .filter(|(_, state)| state.is_none())
        .map(|(a, _)| word(format!("activity.{a}")))
        .collect();
    if open.is_empty() {
        pass("rule.CLOSE-ACTIVITIES.pass")
    } else {
        fail(
            m("rule.CLOSE-ACTIVITIES.fail").with("activities", Param::List(open)),
            "rule.CLOSE-ACTIVITIES.remedy",
        )
    }
}

fn reviewed(f: &Facts) -> Verdict {
    if f.after.reviewed {
        pass("rule.CLOSE-REVIEW.pass")
    } else {
        fail(m("rule.CLOSE-REVIEW.fail"), "rule.CLOSE-REVIEW.remedy")
    }
}

/// "REL-1 cannot move to Authorized", for a refusal by the rules.
pub fn refused(release: &str, target: Stage) -> Message {
    m("rules.refused")
        .with("release", release)
        .with("target", word(format!("stage.{target}")))
}

/// The checklist for the release's next advance.
pub fn evaluate(facts: &Facts) -> Checklist {
    let stage = facts.release.stage;
    let next = stage.next();
    let rules = next
        .map(|target| {
            RULES
                .iter()
                .filter(|rule| rule.guards(target))
                .map(|rule| run(rule, facts))
                .collect()
        })
        .unwrap_or_default();
    Checklist {
        release: facts.release.key.clone(),
        stage,
        next,
        rules,
    }
}

fn run(rule: &Rule, facts: &Facts) -> RuleResult {
    let (ok, message, remedy) = match (rule.check)(facts) {
        Verdict::Pass(message) => (true, message, None),
        Verdict::Fail { message, remedy } => (false, message, Some(remedy)),
    };
    RuleResult {
        code: rule.code.to_string(),
        ok,
        message,
        remedy,
        area: rule.area,
    }
}

fn scope_not_empty(f: &Facts) -> Verdict {
    match f.changes.len() {
        0 => fail(
            m("rule.SCOPE-NOT-EMPTY.fail"),
            "rule.SCOPE-NOT-EMPTY.remedy",
        ),
        n => Verdict::Pass(m("rule.SCOPE-NOT-EMPTY.pass").with("count", n)),
    }
}

fn scope_authorized(f: &Facts) -> Verdict {
    let unauthorized: Vec<Message> = f
        .changes
        .iter()
        .filter(|c| {
            !matches!(
                c.status,
                ChangeStatus::Authorized | ChangeStatus::Implemented
            )
        })
        .map(|c| {
            m("item.change_status")
                .with("key", &c.key)
                .with("status", word(format!("change_status.{}", c.status)))
        })
        .collect();
    if unauthorized.is_empty() {
        pass("rule.SCOPE-AUTHORIZED.pass")
    } else {
        fail(
            m("rule.SCOPE-AUTHORIZED.fail").with("changes", unauthorized),
            "rule.SCOPE-AUTHORIZED.remedy",
        )
    }
}

fn cis_covered(f: &Facts) -> Verdict {
    let missing: Vec<String> = f
        .changes
        .iter()
        .flat_map(|change| {
            change
                .cis
                .iter()
                .filter(|ci| !f.components.iter().any(|c| &c.ci == *ci))
                .map(move |ci| format!("{ci} ({})", change.key))
        })
        .collect();
    if missing.is_empty() {
        pass("rule.SCOPE-CIS-COVERED.pass")
    } else {
        fail(
            m("rule.SCOPE-CIS-COVERED.fail").with("cis", missing),
            "rule.SCOPE-CIS-COVERED.remedy",
        )
    }
}

fn target_versions(f: &Facts) -> Verdict {
    if f.components.is_empty() {
        return fail(
            m("rule.PKG-TARGET-VERSIONS.empty"),
            "rule.PKG-TARGET-VERSIONS.remedy.empty",
        );
    }
    let missing: Vec<String> = f
        .components
        .iter()
        .filter(|c| c.to_version.is_none())
        .map(|c| c.ci.clone())
        .collect();
    if missing.is_empty() {
        pass("rule.PKG-TARGET-VERSIONS.pass")
    } else {
        fail(
            m("rule.PKG-TARGET-VERSIONS.fail").with("cis", missing),
            "rule.PKG-TARGET-VERSIONS.remedy",
        )
    }
}

fn no_cycle(f: &Facts) -> Verdict {
    match &f.analysis.cycle {
        None => {
            Verdict::Pass(m("rule.PKG-NO-CYCLE.pass").with("order", f.analysis.order.join(" → ")))
        }
        Some(cycle) => fail(
            m("rule.PKG-NO-CYCLE.fail").with("cycle", cycle.join(" → ")),
            "rule.PKG-NO-CYCLE.remedy",
        ),
    }
}

fn delta_base(f: &Facts) -> Verdict {
    if f.package.package_type != PackageType::Delta {
        return Verdict::Pass(m("rule.PKG-DELTA-BASE.not_delta").with(
            "type",
            word(format!("package_type.{}", f.package.package_type)),
        ));
    }
    let Some(base) = &f.package.base else {
        return fail(
            m("rule.PKG-DELTA-BASE.no_base"),
            "rule.PKG-DELTA-BASE.remedy.no_base",
        );
    };
    if !matches!(base.stage, Stage::EarlyLifeSupport | Stage::Closed) {
        return fail(
            m("rule.PKG-DELTA-BASE.not_in_production")
                .with("base", &base.key)
                .with("stage", word(format!("stage.{}", base.stage))),
            "rule.PKG-DELTA-BASE.remedy.no_base",
        );
    }
    let differing: Vec<String> = f
        .components
        .iter()
        .filter_map(|c| {
            let from = c.from_version.as_deref();
            let deployed = base.deployed.get(&c.ci).cloned().flatten();
            let production = f.package.production.get(&c.ci).cloned().flatten();
            let agrees = deployed.as_deref() == from || production.as_deref() == from;
            (!agrees).then(|| {
                let expected = deployed.or(production).unwrap_or_else(|| "—".into());
                format!("{} {} ≠ {expected}", c.ci, from.unwrap_or("—"))
            })
        })
        .collect();
    if differing.is_empty() {
        Verdict::Pass(m("rule.PKG-DELTA-BASE.pass").with("base", &base.key))
    } else {
        fail(
            m("rule.PKG-DELTA-BASE.fail")
                .with("base", &base.key)
                .with("cis", differing),
            "rule.PKG-DELTA-BASE.remedy",
        )
    }
}

fn full_unit(f: &Facts) -> Verdict {
    if f.package.package_type != PackageType::Full {
        return Verdict::Pass(m("rule.PKG-FULL-UNIT.not_full").with(
            "type",
            word(format!("package_type.{}", f.package.package_type)),
        ));
    }
    let missing: Vec<String> = f
        .package
        .units
        .iter()
        .flat_map(|(unit, cis)| {
            cis.iter()
                .filter(|ci| !f.components.iter().any(|c| &c.ci == *ci))
                .map(move |ci| format!("{ci} ({unit})"))
        })
        .collect();
    if !missing.is_empty() {
        fail(
            m("rule.PKG-FULL-UNIT.fail").with("cis", missing),
            "rule.PKG-FULL-UNIT.remedy",
        )
    } else {
        let units: Vec<String> = f.package.units.iter().map(|(u, _)| u.clone()).collect();
        if units.is_empty() {
            pass("rule.PKG-FULL-UNIT.pass.no_unit")
        } else {
            Verdict::Pass(m("rule.PKG-FULL-UNIT.pass").with("units", units))
        }
    }
}

fn bundle(f: &Facts) -> Verdict {
    if let Some(package) = &f.package.member_of {
        let target = f.release.stage.next();
        if target.is_some_and(|t| t.at_or_after(Stage::AwaitingAuthorization)) {
            return fail(
                m("rule.PKG-BUNDLE.member").with("package", package),
                "rule.PKG-BUNDLE.remedy.member",
            );
        }
        return Verdict::Pass(m("rule.PKG-BUNDLE.member_ok").with("package", package));
    }
    if f.package.package_type != PackageType::Package {
        return pass("rule.PKG-BUNDLE.not_package");
    }
    if f.package.members.len() < 2 {
        return fail(
            m("rule.PKG-BUNDLE.too_few").with("count", f.package.members.len()),
            "rule.PKG-BUNDLE.remedy.too_few",
        );
    }
    let tested = |ci: &str, version: &str| {
        f.testing.runs.iter().any(|r| {
            r.counts
                && r.run.result == TestResult::Passed
                && r.run.versions.get(ci).map(String::as_str) == Some(version)
        })
    };
    let untested: Vec<String> = f
        .package
        .members
        .iter()
        .flat_map(|member| {
            member.components.iter().filter_map(move |c| {
                let version = c.to_version.as_deref()?;
                (!tested(&c.ci, version)).then(|| format!("{} {} {version}", member.key, c.ci))
            })
        })
        .collect();
    if untested.is_empty() {
        let keys: Vec<String> = f.package.members.iter().map(|m| m.key.clone()).collect();
        Verdict::Pass(m("rule.PKG-BUNDLE.pass").with("members", keys))
    } else {
        fail(
            m("rule.PKG-BUNDLE.untested").with("items", untested),
            "rule.PKG-BUNDLE.remedy.untested",
        )
    }
}

fn built_from_dml(f: &Facts) -> Verdict {
    let missing: Vec<String> = f
        .components
        .iter()
        .filter(|c| c.dml.is_none())
        .map(|c| c.ci.clone())
        .collect();
    if missing.is_empty() {
        pass("rule.BUILD-FROM-DML.pass")
    } else {
        fail(
            m("rule.BUILD-FROM-DML.fail").with("cis", missing),
            "rule.BUILD-FROM-DML.remedy",
        )
    }
}

fn deps_satisfied(f: &Facts) -> Verdict {
    let unmet: Vec<Message> = f
        .analysis
        .unsatisfied
        .iter()
        .map(|u| {
            m("item.unmet")
                .with("component", &u.component)
                .with("requires", &u.requires)
                .with("requirement", &u.requirement)
                .with("why", u.reason.clone())
        })
        .collect();
    if unmet.is_empty() {
        pass("rule.PKG-DEPS-SATISFIED.pass")
    } else {
        fail(
            m("list").with("items", lines(unmet)),
            "rule.PKG-DEPS-SATISFIED.remedy",
        )
    }
}

fn docs_linked(f: &Facts) -> Verdict {
    let key = match (f.release.dev_docs.is_none(), f.release.ops_docs.is_none()) {
        (false, false) => return pass("rule.DOCS-LINKED.pass"),
        (true, true) => "rule.DOCS-LINKED.neither",
        (true, false) => "rule.DOCS-LINKED.no_dev",
        (false, true) => "rule.DOCS-LINKED.no_ops",
    };
    fail(m(key), "rule.DOCS-LINKED.remedy")
}

fn approved(f: &Facts) -> Verdict {
    match f.latest_decision() {
        Some(a) if a.decision == Decision::Approve => Verdict::Pass(
            m("rule.AUTH-APPROVED.pass")
                .with("who", &a.approver)
                .with("role", word(format!("role.{}", a.role))),
        ),
        Some(a) => fail(
            m("rule.AUTH-APPROVED.other")
                .with("decision", word(format!("decision.{}", a.decision)))
                .with("who", &a.approver),
            "rule.AUTH-APPROVED.remedy",
        ),
        None => fail(m("rule.AUTH-APPROVED.none"), "rule.AUTH-APPROVED.remedy"),
    }
}

fn segregation(f: &Facts) -> Verdict {
    let requester = f.requester();
    match f.latest_decision() {
        Some(a) if a.decision == Decision::Approve && a.approver == requester => fail(
            m("rule.AUTH-SEGREGATION.fail").with("who", requester),
            "rule.AUTH-SEGREGATION.remedy",
        ),
        _ => Verdict::Pass(m("rule.AUTH-SEGREGATION.pass").with("who", requester)),
    }
}

fn authorization_valid(f: &Facts) -> Verdict {
    let Some(a) = f
        .latest_decision()
        .filter(|a| a.decision == Decision::Approve)
    else {
        return fail(m("rule.AUTH-VALID.none"), "rule.AUTH-APPROVED.remedy");
    };
    let current = a.content_hash == f.content.hash();
    let legacy_current = a.content.is_none() && a.content_hash == f.legacy_hash;
    if current {
        return pass("rule.AUTH-VALID.pass");
    }
    if legacy_current {
        return pass("rule.AUTH-VALID.pass_legacy");
    }
    let tz = f
        .content
        .plan
        .as_ref()
        .and_then(|p| p.waves.first())
        .map(|w| w.tz.as_str())
        .unwrap_or("UTC");
    let mut changes = changed_since(a, f.content);
    let what = if changes.is_empty() {
        m("approval.changed_unknown")
    } else {
        const SHOWN: usize = 5;
        let more = changes.len().saturating_sub(SHOWN);
        changes.truncate(SHOWN);
        if more > 0 {
            changes.push(m("approval.and_more").with("count", more));
        }
        m("list").with("items", lines(changes))
    };
    fail(
        m("rule.AUTH-VALID.fail")
            .with("who", &a.approver)
            .with("at", time(a.at, tz))
            .with("what", what),
        "rule.AUTH-VALID.remedy",
    )
}

fn waves<'a>(f: &Facts<'a>) -> &'a [WaveRollback] {
    f.plan.map(|p| p.rollback.as_slice()).unwrap_or_default()
}

/// "run #3 on test-01" for the messages.
fn run_label(r: &crate::testing::TestRun) -> Message {
    m("item.run").with("id", r.id).with("env", &r.env)
}

fn kind_word(kind: TestKind) -> Param {
    word(format!("test_kind.{kind}"))
}

/// Why the runs of `kind` that passed do not count, for the message.
fn not_counted(f: &Facts, kind: TestKind) -> Vec<Message> {
    f.testing
        .runs
        .iter()
        .filter(|r| r.run.kind == kind && r.run.result == TestResult::Passed && !r.counts)
        .map(|r| {
            m("item.not_counted")
                .with("run", run_label(&r.run))
                .with("why", lines(r.why_not.clone()))
        })
        .collect()
}

fn runs_passed(f: &Facts) -> Verdict {
    let required = f
        .testing
        .policy
        .required
        .get(&f.release.release_type)
        .cloned()
        .unwrap_or_default();
    let mut missing = Vec::new();
    let mut found = Vec::new();
    for kind in required {
        match f
            .testing
            .runs
            .iter()
            .filter(|r| r.counts && r.run.kind == kind && r.run.result == TestResult::Passed)
            .max_by_key(|r| r.run.to)
        {
            Some(r) => found.push(
                m("item.kind_run")
                    .with("kind", kind_word(kind))
                    .with("run", run_label(&r.run)),
            ),
            None => {
                let why = not_counted(f, kind);
                missing.push(if why.is_empty() {
                    m("item.kind").with("kind", kind_word(kind))
                } else {
                    m("item.kind_why")
                        .with("kind", kind_word(kind))
                        .with("why", lines(why))
                });
            }
        }
    }
    let release_type = word(format!("release_type.{}", f.release.release_type));
    if missing.is_empty() {
        Verdict::Pass(if found.is_empty() {
            m("rule.TEST-RUNS-PASSED.none_needed").with("type", release_type)
        } else {
            m("rule.TEST-RUNS-PASSED.pass").with("runs", found)
        })
    } else {
        fail(
            m("rule.TEST-RUNS-PASSED.fail")
                .with("type", release_type)
                .with("missing", lines(missing)),
            "rule.TEST-RUNS-PASSED.remedy",
        )
    }
}

fn rollback_rehearsed(f: &Facts) -> Verdict {
    let Some(current) = f.testing.rollback.as_deref() else {
        // SCHED-PLANNED asks for the plan before authorization; once it exists this rule
        // asks for its rehearsal.
        return pass("rule.TEST-ROLLBACK-REHEARSED.no_plan");
    };
    let rehearsals: Vec<_> = f
        .testing
        .runs
        .iter()
        .filter(|r| r.run.kind == TestKind::RollbackRehearsal && r.run.result == TestResult::Passed)
        .collect();
    if let Some(r) = rehearsals
        .iter()
        .filter(|r| r.counts && r.run.rollback.as_deref() == Some(current))
        .max_by_key(|r| r.run.to)
    {
        return Verdict::Pass(
            m("rule.TEST-ROLLBACK-REHEARSED.pass")
                .with("run", run_label(&r.run))
                .with("at", time(r.run.to, "UTC")),
        );
    }
    let mut why: Vec<Message> = not_counted(f, TestKind::RollbackRehearsal);
    why.extend(
        rehearsals
            .iter()
            .filter(|r| r.counts && r.run.rollback.as_deref() != Some(current))
            .map(|r| m("item.rollback_changed_after").with("run", run_label(&r.run))),
    );
    fail(
        if why.is_empty() {
            m("rule.TEST-ROLLBACK-REHEARSED.none")
        } else {
            m("rule.TEST-ROLLBACK-REHEARSED.fail").with("why", lines(why))
        },
        "rule.TEST-ROLLBACK-REHEARSED.remedy",
    )
}

fn problem_free_period(f: &Facts) -> Verdict {
    let pf = problem_free(f.testing, f.release.release_type, f.now);
    if !pf.open_defects.is_empty() {
        return Verdict::Fail {
            message: m("rule.TEST-PROBLEM-FREE.defects").with("defects", pf.open_defects),
            remedy: m("rule.TEST-PROBLEM-FREE.remedy.defects").with("days", pf.days),
        };
    }
    let since_what = pf
        .since_what
        .clone()
        .unwrap_or_else(|| m("problem_free.testing_began"));
    match (pf.since, pf.ends) {
        (Some(_), Some(ends)) if pf.elapsed => Verdict::Pass(
            m("rule.TEST-PROBLEM-FREE.pass")
                .with("days", pf.days)
                .with("since", since_what)
                .with("ended", time(ends, "UTC")),
        ),
        (Some(_), Some(ends)) => Verdict::Fail {
            message: m("rule.TEST-PROBLEM-FREE.waiting")
                .with("days", pf.days)
                .with("ends", time(ends, "UTC"))
                .with("since", since_what),
            remedy: m("rule.TEST-PROBLEM-FREE.remedy.wait").with("until", time(ends, "UTC")),
        },
        _ => fail(
            m("rule.TEST-PROBLEM-FREE.no_runs"),
            "rule.TEST-PROBLEM-FREE.remedy.record",
        ),
    }
}

fn environments_booked(f: &Facts) -> Verdict {
    if f.testing.bookings.is_empty() {
        return fail(
            m("rule.TEST-ENV-BOOKED.none").with("release", &f.release.key),
            "rule.TEST-ENV-BOOKED.remedy.book",
        );
    }
    let unbooked: Vec<Message> = f
        .testing
        .runs
        .iter()
        .filter(|r| {
            !f.testing
                .bookings
                .iter()
                .any(|b| b.env == r.run.env && b.covers(r.run.from, r.run.to))
        })
        .map(|r| run_label(&r.run))
        .collect();
    if unbooked.is_empty() {
        let mut envs: Vec<&str> = f.testing.bookings.iter().map(|b| b.env.as_str()).collect();
        envs.sort_unstable();
        envs.dedup();
        Verdict::Pass(
            m("rule.TEST-ENV-BOOKED.pass")
                .with("count", f.testing.runs.len())
                .with("envs", envs.join(", ")),
        )
    } else {
        fail(
            m("rule.TEST-ENV-BOOKED.fail").with("runs", unbooked),
            "rule.TEST-ENV-BOOKED.remedy",
        )
    }
}

fn rollback_covered(f: &Facts) -> Verdict {
    let uncovered: Vec<String> = waves(f)
        .iter()
        .flat_map(|w| w.uncovered.iter().cloned())
        .collect();
    if uncovered.is_empty() {
        pass("rule.ROLLBACK-COVERED.pass")
    } else {
        fail(
            m("rule.ROLLBACK-COVERED.fail").with("tasks", uncovered),
            "rule.ROLLBACK-COVERED.remedy",
        )
    }
}

fn rollback_fits(f: &Facts) -> Verdict {
    let mut problems = Vec::new();
    for w in waves(f).iter().filter(|w| w.downtime) {
        let at = |t| time(t, &w.tz);
        let window = w
            .window_end
            .map(at)
            .unwrap_or_else(|| word("rollback.window_closes"));
        match (w.go_no_go, w.latest_go_no_go) {
            (None, _) => problems.push(m("rollback.no_go_no_go").with("wave", &w.name)),
            (Some(_), None) => problems.push(
                m("rollback.never_fits")
                    .with("wave", &w.name)
                    .with("window", window),
            ),
            (Some(go), Some(latest)) if go > latest => problems.push(
                m("rollback.go_too_late")
                    .with("wave", &w.name)
                    .with("go", at(go))
                    .with("latest", at(latest))
                    .with("minutes", w.go_no_go_rollback_minutes.unwrap_or(0))
                    .with(
                        "ends",
                        w.go_no_go_rollback_end
                            .map(at)
                            .unwrap_or(Param::Text(String::new())),
                    )
                    .with("window", window),
            ),
            _ => {}
        }
    }
    if problems.is_empty() {
        pass("rule.ROLLBACK-FITS-WINDOW.pass")
    } else {
        fail(
            m("list").with("items", lines(problems)),
            "rule.ROLLBACK-FITS-WINDOW.remedy",
        )
    }
}

fn no_return_after_go(f: &Facts) -> Verdict {
    let mut problems = Vec::new();
    for w in waves(f) {
        let (Some(ponr), Some(ponr_at)) = (&w.point_of_no_return, w.point_of_no_return_at) else {
            continue;
        };
        match w.go_no_go {
            None => problems.push(
                m("rollback.no_return_without_go")
                    .with("wave", &w.name)
                    .with("task", ponr),
            ),
            Some(go) if ponr_at < go => problems.push(
                m("rollback.no_return_before_go")
                    .with("wave", &w.name)
                    .with("task", ponr)
                    .with("at", time(ponr_at, &w.tz))
                    .with("go", time(go, &w.tz)),
            ),
            _ => {}
        }
    }
    if problems.is_empty() {
        pass("rule.ROLLBACK-NO-RETURN-AFTER-GO.pass")
    } else {
        fail(
            m("list").with("items", lines(problems)),
            "rule.ROLLBACK-NO-RETURN-AFTER-GO.remedy",
        )
    }
}

fn planned(f: &Facts) -> Verdict {
    match f.plan {
        None => fail(
            m("rule.SCHED-PLANNED.no_plan"),
            "rule.SCHED-PLANNED.remedy.create",
        ),
        Some(p) if p.tasks == 0 => fail(
            m("rule.SCHED-PLANNED.no_tasks"),
            "rule.SCHED-PLANNED.remedy.tasks",
        ),
        Some(p) if !p.unplaced.is_empty() => fail(
            m("rule.SCHED-PLANNED.fail").with("tasks", lines(p.unplaced.clone())),
            "rule.SCHED-PLANNED.remedy",
        ),
        Some(p) => Verdict::Pass(m("rule.SCHED-PLANNED.pass").with("count", p.tasks)),
    }
}

fn conflicts_of(f: &Facts, kind: ConflictKind) -> Vec<Message> {
    f.plan
        .map(|p| {
            p.conflicts
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| c.message.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn in_windows(f: &Facts) -> Verdict {
    let outside = conflicts_of(f, ConflictKind::OutsideWindow);
    if outside.is_empty() {
        pass("rule.SCHED-IN-WINDOWS.pass")
    } else {
        fail(
            m("list").with("items", lines(outside)),
            "rule.SCHED-IN-WINDOWS.remedy",
        )
    }
}

fn outside_freezes(f: &Facts) -> Verdict {
    let frozen = conflicts_of(f, ConflictKind::Freeze);
    if frozen.is_empty() {
        pass("rule.SCHED-NO-FREEZE.pass")
    } else {
        fail(
            m("list").with("items", lines(frozen)),
            "rule.SCHED-NO-FREEZE.remedy",
        )
    }
}

/// Change management authorized each change for a window: its CIs are deployed inside it.
fn in_change_windows(f: &Facts) -> Verdict {
    let Some(plan) = f.plan else {
        return pass("rule.SCHED-IN-CHANGE-WINDOW.no_plan");
    };
    let mut outside = Vec::new();
    let mut changes = Vec::new();
    for change in f.changes {
        let Some(window) = change.window else {
            continue;
        };
        for task in plan
            .placed
            .iter()
            .filter(|t| t.cis.iter().any(|ci| change.cis.contains(ci)))
        {
            if !window.contains(task.start, task.end) {
                outside.push(
                    m("item.outside_change_window")
                        .with("change", &change.key)
                        .with("window", span(window.start, window.end, &task.tz))
                        .with("task", &task.name)
                        .with("key", &task.key)
                        .with("runs", span(task.start, task.end, &task.tz)),
                );
                if !changes.contains(&change.key) {
                    changes.push(change.key.clone());
                }
            }
        }
    }
    if outside.is_empty() {
        pass("rule.SCHED-IN-CHANGE-WINDOW.pass")
    } else {
        Verdict::Fail {
            message: m("list").with("items", lines(outside)),
            remedy: m("rule.SCHED-IN-CHANGE-WINDOW.remedy.changes").with("changes", changes),
        }
    }
}

fn no_conflict(f: &Facts) -> Verdict {
    let overlaps = conflicts_of(f, ConflictKind::Overlap);
    if overlaps.is_empty() {
        pass("rule.SCHED-NO-CONFLICT.pass")
    } else {
        fail(
            m("list").with("items", lines(overlaps)),
            "rule.SCHED-NO-CONFLICT.remedy",
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{NaiveDate, TimeZone, Utc};

    use crate::plan::WaveRollback;

    use super::*;
    use crate::approval::Role;
    use crate::change::ChangeStatus::{self, Authorized as Auth, Draft};
    use crate::package::{analyse, parse_requirement_spec};
    use crate::release::{ReleaseType, Stage};

    /// One case: a release in `stage`, its scope, package and decisions, and the rule codes
    /// that must fail for its next advance.
    struct Case {
        name: &'static str,
        stage: Stage,
        changes: &'static [(&'static str, ChangeStatus, &'static [&'static str])],
        components: &'static [(&'static str, Option<&'static str>, &'static [&'static str])],
        production: &'static [(&'static str, &'static str)],
        docs: bool,
        /// (approver, decision, approved the content as it is now)
        decisions: &'static [(&'static str, Decision, bool)],
        plan: PlanCase,
        testing: TestCase,
        failing: &'static [&'static str],
    }

    #[derive(Clone, Copy, PartialEq)]
    enum TestCase {
        Complete,
        Nothing,
        /// The functional run was outside its booking.
        Unbooked,
        StaleRehearsal,
        /// A run failed a day ago.
        RecentFailure,
        OpenDefect,
    }

    fn testing_facts(case: TestCase) -> TestingFacts {
        use crate::testing::{Booking, BookingPurpose, Defect, JudgedRun, Severity, TestRun};
        let day = |d: u32| Utc.with_ymd_and_hms(2026, 2, d, 9, 0, 0).unwrap();
        let mut facts = TestingFacts {
            rollback: Some("plan-now".into()),
            ..TestingFacts::default()
        };
        if case == TestCase::Nothing {
            return facts;
        }
        facts.bookings.push(Booking {
            id: 1,
            env: "test-01".into(),
            release: "REL-1".into(),
            from: day(1),
            to: Utc.with_ymd_and_hms(2026, 3, 10, 0, 0, 0).unwrap(),
            purpose: BookingPurpose::CodeChange,
            by: "rita".into(),
        });
        let kinds = [
            TestKind::Functional,
            TestKind::Installation,
            TestKind::RollbackRehearsal,
        ];
        for (i, kind) in kinds.into_iter().enumerate() {
            let mut run = TestRun {
                id: i as i64 + 1,
                release: "REL-1".into(),
                env: "test-01".into(),
                kind,
                result: TestResult::Passed,
                from: day(2),
                to: day(3),
                defects: vec![],
                notes: String::new(),
                evidence: None,
                versions: Default::default(),
                rollback: (kind == TestKind::RollbackRehearsal).then(|| "plan-now".into()),
                by: "tom".into(),
            };
            let mut why_not = vec![];
            match (case, kind) {
                (TestCase::Unbooked, TestKind::Functional) => {
                    run.from = Utc.with_ymd_and_hms(2026, 3, 11, 0, 0, 0).unwrap();
                    run.to = Utc.with_ymd_and_hms(2026, 3, 12, 0, 0, 0).unwrap();
                    why_not.push(Message::new("run.not_booked"));
                }
                (TestCase::StaleRehearsal, TestKind::RollbackRehearsal) => {
                    run.rollback = Some("plan-then".into())
                }
                (TestCase::RecentFailure, TestKind::Installation) => {
                    run.from = day(28);
                    run.to = day(28);
                    run.result = TestResult::Failed;
                }
                (TestCase::OpenDefect, TestKind::Functional) => run.defects.push(Defect {
                    id: "BUG-7".into(),
                    severity: Severity::High,
                    opened_at: day(3),
                    closed_at: None,
                }),
                _ => {}
            }
            facts.runs.push(JudgedRun {
                counts: why_not.is_empty(),
                why_not,
                run,
            });
        }
        facts
    }

    #[derive(Clone, Copy)]
    enum PlanCase {
        Missing,
        Clean,
        Unplaced,
        Conflict(ConflictKind),
        Rollback(RollbackCase),
    }

    #[derive(Clone, Copy)]
    enum RollbackCase {
        Fits,
        Uncovered,
        GoTooLate,
        NoGo,
        NoReturnBeforeGo,
    }

    fn wave_rollback(case: RollbackCase) -> WaveRollback {
        let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 12, 5, h, m, 0).unwrap();
        let mut w = WaveRollback {
            wave: 0,
            name: "Pilot".into(),
            tz: "UTC".into(),
            downtime: true,
            window_end: Some(at(23, 59)),
            point_of_no_return: None,
            point_of_no_return_at: None,
            latest_go_no_go: Some(at(22, 0)),
            go_no_go_task: Some("1.go".into()),
            go_no_go: Some(at(21, 0)),
            from: Some(at(22, 0)),
            rollback_minutes: 60,
            go_no_go_rollback_minutes: Some(60),
            go_no_go_rollback_end: Some(at(22, 0)),
            fits: true,
            uncovered: vec![],
        };
        match case {
            RollbackCase::Fits => {}
            RollbackCase::Uncovered => w.uncovered = vec!["1.deploy".into()],
            RollbackCase::GoTooLate => {
                w.go_no_go = Some(at(22, 30));
                w.fits = false;
            }
            RollbackCase::NoGo => {
                w.go_no_go = None;
                w.fits = false;
            }
            RollbackCase::NoReturnBeforeGo => {
                w.point_of_no_return = Some("1.migrate".into());
                w.point_of_no_return_at = Some(at(20, 30));
            }
        }
        w
    }

    const BASE: Case = Case {
        name: "",
        stage: Stage::Planning,
        changes: &[("CHG1", Auth, &["api"])],
        components: &[("api", Some("2.2"), &[])],
        production: &[("api", "2.1")],
        docs: true,
        decisions: &[],
        plan: PlanCase::Clean,
        testing: TestCase::Complete,
        failing: &[],
    };

    fn check(case: &Case) {
        let release = Release {
            key: "REL-1".into(),
            title: "t".into(),
            release_type: ReleaseType::Minor,
            stage: case.stage,
            owner: None,
            risk: None,
            planned_start: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            planned_end: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            requester: Some("rita".into()),
            dev_docs: case.docs.then(|| "https://wiki/dev".into()),
            ops_docs: case.docs.then(|| "https://wiki/ops".into()),
            needs_revision: false,
            demo: false,
            package_type: crate::package::PackageType::Full,
            base: None,
            version: 1,
            created_at: Utc.timestamp_opt(0, 0).unwrap(),
            created_by: "rita".into(),
            updated_at: Utc.timestamp_opt(0, 0).unwrap(),
            updated_by: "rita".into(),
        };
        let changes: Vec<Change> = case
            .changes
            .iter()
            .map(|(key, status, cis)| Change {
                key: key.to_string(),
                title: "c".into(),
                description: String::new(),
                status: *status,
                risk: None,
                kind: None,
                cis: cis.iter().map(|c| c.to_string()).collect(),
                incident_refs: vec![],
                problem_refs: vec![],
                cab_decision_date: None,
                window: None,
                updated_at: Utc.timestamp_opt(0, 0).unwrap(),
                updated_by: "x".into(),
            })
            .collect();
        let components: Vec<Component> = case
            .components
            .iter()
            .map(|(ci, to, requires)| Component {
                ci: ci.to_string(),
                from_version: None,
                to_version: to.map(str::to_string),
                requires: requires
                    .iter()
                    .map(|r| parse_requirement_spec(r).unwrap())
                    .collect(),
                dml: Some(crate::demo::media(ci, to.unwrap_or_default())),
            })
            .collect();
        let production: BTreeMap<String, Option<String>> = case
            .production
            .iter()
            .map(|(ci, v)| (ci.to_string(), Some(v.to_string())))
            .collect();
        let analysis = analyse(&components, &production);
        let content = Content::of(&release, &[], &components, None);
        let approvals: Vec<Approval> = case
            .decisions
            .iter()
            .map(|(who, decision, current)| Approval {
                approver: who.to_string(),
                role: Role::CabMember,
                decision: *decision,
                meaning: decision.meaning().into(),
                comment: String::new(),
                at: Utc.timestamp_opt(0, 0).unwrap(),
                content_hash: if *current {
                    content.hash()
                } else {
                    "before".into()
                },
                changed_since: Vec::new(),
                content: None,
            })
            .collect();
        let plan = match case.plan {
            PlanCase::Missing => None,
            PlanCase::Clean => Some(PlanFacts {
                tasks: 3,
                ..PlanFacts::default()
            }),
            PlanCase::Unplaced => Some(PlanFacts {
                tasks: 3,
                unplaced: vec![Message::new("unplaced.cycle")],
                ..PlanFacts::default()
            }),
            PlanCase::Conflict(kind) => Some(PlanFacts {
                tasks: 3,
                unplaced: vec![],
                conflicts: vec![Conflict {
                    kind,
                    message: Message::new("conflict.freeze"),
                    with: "REL-2".into(),
                    task: "1.deploy".into(),
                }],
                ..PlanFacts::default()
            }),
            PlanCase::Rollback(problem) => Some(PlanFacts {
                tasks: 3,
                rollback: vec![wave_rollback(problem)],
                ..PlanFacts::default()
            }),
        };
        let list = evaluate(&Facts {
            release: &release,
            changes: &changes,
            components: &components,
            analysis: &analysis,
            approvals: &approvals,
            content: &content,
            legacy_hash: "legacy",
            plan: plan.as_ref(),
            testing: &testing_facts(case.testing),
            after: &crate::after::AfterFacts::default(),
            package: &PackageFacts::default(),
            now: Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
        });
        let failing: Vec<&str> = list.failing().map(|r| r.code.as_str()).collect();
        assert_eq!(
            failing, case.failing,
            "case '{}': {:#?}",
            case.name, list.rules
        );
        for rule in list.failing() {
            assert!(
                !rule.message.to_string().is_empty()
                    && rule
                        .remedy
                        .as_ref()
                        .is_some_and(|r| !r.to_string().is_empty()),
                "{} explains itself",
                rule.code
            );
        }
    }

    #[test]
    fn rule_cases() {
        use Decision::{Approve, Reject};
        use Stage::*;
        let cases = [
            Case {
                name: "a complete release may start building",
                ..BASE
            },
            Case {
                name: "empty scope",
                changes: &[],
                failing: &["SCOPE-NOT-EMPTY"],
                ..BASE
            },
            Case {
                name: "an unauthorized change blocks build",
                changes: &[("CHG1", Auth, &["api"]), ("CHG2", Draft, &[])],
                failing: &["SCOPE-AUTHORIZED"],
                ..BASE
            },
            Case {
                name: "complete release may go to test",
                stage: Build,
                ..BASE
            },
            Case {
                name: "a CI of a change has no component",
                stage: Build,
                changes: &[("CHG1", Auth, &["api", "db"])],
                failing: &["SCOPE-CIS-COVERED"],
                ..BASE
            },
            Case {
                name: "empty package",
                stage: Build,
                changes: &[("CHG1", Auth, &[])],
                components: &[],
                failing: &["PKG-TARGET-VERSIONS"],
                ..BASE
            },
            Case {
                name: "component without target version, needed by another",
                stage: Build,
                components: &[("api", Some("2.2"), &["db>=12"]), ("db", None, &[])],
                failing: &["PKG-TARGET-VERSIONS", "PKG-DEPS-SATISFIED"],
                ..BASE
            },
            Case {
                name: "cycle",
                stage: Build,
                components: &[
                    ("api", Some("2"), &["db>=1"]),
                    ("db", Some("1"), &["api>=2"]),
                ],
                failing: &["PKG-NO-CYCLE"],
                ..BASE
            },
            Case {
                name: "production too old for a requirement",
                stage: Build,
                components: &[("api", Some("2.2"), &["db>=12"])],
                production: &[("api", "2.1"), ("db", "11")],
                failing: &["PKG-DEPS-SATISFIED"],
                ..BASE
            },
            Case {
                name: "no documentation",
                stage: Build,
                docs: false,
                failing: &["DOCS-LINKED"],
                ..BASE
            },
            Case {
                name: "documentation is not checked before build",
                stage: Planning,
                docs: false,
                ..BASE
            },
            Case {
                name: "a tested release may go to the CAB",
                stage: Test,
                ..BASE
            },
            Case {
                name: "nothing tested, nothing booked",
                stage: Test,
                testing: TestCase::Nothing,
                failing: &[
                    "TEST-RUNS-PASSED",
                    "TEST-ROLLBACK-REHEARSED",
                    "TEST-PROBLEM-FREE",
                    "TEST-ENV-BOOKED",
                ],
                ..BASE
            },
            Case {
                name: "testing is not checked before the move to test",
                stage: Build,
                testing: TestCase::Nothing,
                ..BASE
            },
            Case {
                name: "a run outside its booking does not count",
                stage: Test,
                testing: TestCase::Unbooked,
                failing: &["TEST-RUNS-PASSED", "TEST-ENV-BOOKED"],
                ..BASE
            },
            Case {
                name: "the rollback plan changed after its rehearsal",
                stage: Test,
                testing: TestCase::StaleRehearsal,
                failing: &["TEST-ROLLBACK-REHEARSED"],
                ..BASE
            },
            Case {
                name: "a run failed a day ago",
                stage: Test,
                testing: TestCase::RecentFailure,
                failing: &["TEST-RUNS-PASSED", "TEST-PROBLEM-FREE"],
                ..BASE
            },
            Case {
                name: "an open defect",
                stage: Test,
                testing: TestCase::OpenDefect,
                failing: &["TEST-PROBLEM-FREE"],
                ..BASE
            },
            Case {
                name: "a new defect blocks the rollout of an authorized release",
                stage: Authorized,
                decisions: &[("carl", Approve, true)],
                testing: TestCase::OpenDefect,
                failing: &["TEST-PROBLEM-FREE"],
                ..BASE
            },
            Case {
                name: "no CAB decision",
                stage: AwaitingAuthorization,
                failing: &["AUTH-APPROVED", "AUTH-VALID"],
                ..BASE
            },
            Case {
                name: "approved by another member",
                stage: AwaitingAuthorization,
                decisions: &[("carl", Approve, true)],
                ..BASE
            },
            Case {
                name: "no plan blocks authorization",
                stage: AwaitingAuthorization,
                decisions: &[("carl", Approve, true)],
                plan: PlanCase::Missing,
                failing: &["SCHED-PLANNED"],
                ..BASE
            },
            Case {
                name: "no plan is not checked before test",
                stage: Build,
                plan: PlanCase::Missing,
                ..BASE
            },
            Case {
                name: "a task without a place",
                stage: AwaitingAuthorization,
                decisions: &[("carl", Approve, true)],
                plan: PlanCase::Unplaced,
                failing: &["SCHED-PLANNED"],
                ..BASE
            },
            Case {
                name: "downtime outside the window",
                stage: AwaitingAuthorization,
                decisions: &[("carl", Approve, true)],
                plan: PlanCase::Conflict(ConflictKind::OutsideWindow),
                failing: &["SCHED-IN-WINDOWS"],
                ..BASE
            },
            Case {
                name: "work in a freeze",
                stage: AwaitingAuthorization,
                decisions: &[("carl", Approve, true)],
                plan: PlanCase::Conflict(ConflictKind::Freeze),
                failing: &["SCHED-NO-FREEZE"],
                ..BASE
            },
            Case {
                name: "another release on the same CI at the same time",
                stage: Authorized,
                decisions: &[("carl", Approve, true)],
                plan: PlanCase::Conflict(ConflictKind::Overlap),
                failing: &["SCHED-NO-CONFLICT"],
                ..BASE
            },
            Case {
                name: "a rollback that fits and covers everything",
                stage: AwaitingAuthorization,
                decisions: &[("carl", Approve, true)],
                plan: PlanCase::Rollback(RollbackCase::Fits),
                ..BASE
            },
            Case {
                name: "a downtime task nobody can undo blocks the move to test",
                stage: Build,
                plan: PlanCase::Rollback(RollbackCase::Uncovered),
                failing: &["ROLLBACK-COVERED"],
                ..BASE
            },
            Case {
                name: "the go/no-go comes too late for the rollback to fit",
                stage: AwaitingAuthorization,
                decisions: &[("carl", Approve, true)],
                plan: PlanCase::Rollback(RollbackCase::GoTooLate),
                failing: &["ROLLBACK-FITS-WINDOW"],
                ..BASE
            },
            Case {
                name: "a fit is not checked before authorization",
                stage: Build,
                plan: PlanCase::Rollback(RollbackCase::GoTooLate),
                ..BASE
            },
            Case {
                name: "a wave with downtime and no go/no-go",
                stage: Authorized,
                decisions: &[("carl", Approve, true)],
                plan: PlanCase::Rollback(RollbackCase::NoGo),
                failing: &["ROLLBACK-FITS-WINDOW"],
                ..BASE
            },
            Case {
                name: "the point of no return before the go/no-go",
                stage: AwaitingAuthorization,
                decisions: &[("carl", Approve, true)],
                plan: PlanCase::Rollback(RollbackCase::NoReturnBeforeGo),
                failing: &["ROLLBACK-NO-RETURN-AFTER-GO"],
                ..BASE
            },
            Case {
                name: "approved by the requester",
                stage: AwaitingAuthorization,
                decisions: &[("rita", Approve, true)],
                failing: &["AUTH-SEGREGATION"],
                ..BASE
            },
            Case {
                name: "edited after approval",
                stage: AwaitingAuthorization,
                decisions: &[("carl", Approve, false)],
                failing: &["AUTH-VALID"],
                ..BASE
            },
            Case {
                name: "rejected after an approval",
                stage: AwaitingAuthorization,
                decisions: &[("carl", Approve, true), ("dora", Reject, true)],
                failing: &["AUTH-APPROVED", "AUTH-VALID"],
                ..BASE
            },
            Case {
                name: "authorization still checked before deploying",
                stage: Authorized,
                decisions: &[("carl", Approve, false)],
                failing: &["AUTH-VALID"],
                ..BASE
            },
            Case {
                name: "nothing guards leaving deployment",
                stage: Deploying,
                docs: false,
                changes: &[],
                ..BASE
            },
            Case {
                name: "closed releases have no next move",
                stage: Closed,
                changes: &[],
                ..BASE
            },
        ];
        for case in &cases {
            check(case);
        }
    }

    #[test]
    fn codes_are_unique_and_every_rule_guards_some_move() {
        let mut codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
        for rule in RULES {
            assert!(
                crate::lifecycle::MAIN_LINE.iter().any(|s| rule.guards(*s)),
                "{}",
                rule.code
            );
        }
    }
}
