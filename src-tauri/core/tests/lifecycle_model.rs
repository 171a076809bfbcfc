//! Random sequences of lifecycle moves against a small reference model: the store must allow
//! exactly what the model allows and end every step in the stage the model predicts.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use relman_core::approval::{Decision, Role};
use relman_core::change::{ChangeDraft, Ci, CiKind};
use relman_core::plan::{DeploymentModel, ModelTask, Strategy as Rollout, Wave};
use relman_core::store::PlanRequest;
use relman_core::testing::{BookingPurpose, Environment, RunDraft, TestKind, TestResult};
use relman_core::{ReleaseDraft, ReleaseType, Stage, Store};

#[derive(Debug, Clone, Copy)]
enum Op {
    AuthorizeChange,
    LinkDocs,
    EditPlan,
    Advance,
    SendBack,
    Cancel,
    ApproveByOther,
    ApproveByRequester,
    RejectByOther,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::AuthorizeChange),
        1 => Just(Op::LinkDocs),
        1 => Just(Op::EditPlan),
        3 => Just(Op::Advance),
        1 => Just(Op::SendBack),
        1 => Just(Op::Cancel),
        2 => Just(Op::ApproveByOther),
        1 => Just(Op::ApproveByRequester),
        1 => Just(Op::RejectByOther),
    ]
}

/// What the lifecycle rules say, in as few words as possible.
#[derive(Debug)]
struct Model {
    stage: Stage,
    authorized: bool,
    docs: bool,
    /// The latest CAB decision and whether the content is unchanged since.
    decision: Option<(Decision, bool)>,
    needs_revision: bool,
}

impl Model {
    /// Applies `op`; returns whether it is allowed.
    fn apply(&mut self, op: Op) -> bool {
        use Stage::*;
        match op {
            Op::AuthorizeChange => !std::mem::replace(&mut self.authorized, true),
            Op::LinkDocs => {
                self.docs = true;
                true
            }
            Op::EditPlan => {
                if self.stage.at_or_after(Deploying) || self.stage.is_final() {
                    return false;
                }
                if self.stage == Authorized {
                    self.stage = AwaitingAuthorization;
                }
                if let Some((_, current)) = &mut self.decision {
                    *current = false;
                }
                true
            }
            Op::Advance => {
                let Some(next) = self.stage.next() else {
                    return false;
                };
                let approved = matches!(self.decision, Some((Decision::Approve, true)));
                let guarded_ok = (!next.at_or_after(Build)
                    || !Deploying.at_or_after(next)
                    || self.authorized)
                    && (!next.at_or_after(Test) || !Deploying.at_or_after(next) || self.docs)
                    && (!next.at_or_after(Authorized) || !Deploying.at_or_after(next) || approved)
                    // Closing needs a closure review, which the model never records.
                    && next != Closed;
                if guarded_ok {
                    self.stage = next;
                }
                guarded_ok
            }
            Op::SendBack => {
                let ok = matches!(self.stage, Test | AwaitingAuthorization);
                if ok {
                    self.stage = Build;
                    self.needs_revision = true;
                }
                ok
            }
            Op::Cancel => {
                let ok = !self.stage.is_final() && !self.stage.at_or_after(Deploying);
                if ok {
                    self.stage = Cancelled;
                }
                ok
            }
            Op::ApproveByOther | Op::RejectByOther => {
                if self.stage != AwaitingAuthorization {
                    return false;
                }
                if matches!(op, Op::RejectByOther) {
                    self.decision = Some((Decision::Reject, true));
                    self.stage = Build;
                    self.needs_revision = true;
                } else {
                    self.decision = Some((Decision::Approve, true));
                }
                true
            }
            Op::ApproveByRequester => false,
        }
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn setup() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let ci = Ci::new("api", CiKind::Application, Some("2.1"));
    store.create_ci(&ci, "rita", now()).unwrap();
    let change = ChangeDraft {
        key: "CHG1".into(),
        title: "API fix".into(),
        cis: vec!["api".into()],
        ..Default::default()
    };
    store.create_change(&change, "rita", now()).unwrap();
    store
        .create_release(&draft(None, "2026-03-14"), "rita", now())
        .unwrap();
    store
        .add_change_to_release("REL-1", "CHG1", "rita", now())
        .unwrap();
    store
        .add_component("REL-1", "api", Some("2.2"), &[], "rita", now())
        .unwrap();
    store
        .set_package_type(
            "REL-1",
            relman_core::package::PackageType::Full,
            None,
            "rita",
            now(),
        )
        .unwrap();
    let media = relman_core::demo::media("api", "2.2");
    store
        .set_component_dml("REL-1", "api", Some(&media), "rita", now())
        .unwrap();
    // A plan that schedules cleanly, so the scheduling rules hold throughout.
    let model = DeploymentModel {
        name: "one step".into(),
        description: String::new(),
        tasks: vec![ModelTask {
            key: "deploy".into(),
            name: "Deploy".into(),
            minutes: 60,
            team: None,
            downtime: false,
            milestone: None,
            target: None,
            backout: vec![],
            nothing_to_undo: None,
            point_of_no_return: false,
        }],
        deps: vec![],
    };
    store.save_model(&model, "rita", now()).unwrap();
    let request = PlanRequest {
        model: "one step".into(),
        strategy: Rollout::BigBang,
        waves: vec![Wave {
            name: "All".into(),
            tz: "UTC".into(),
            window: None,
            targets: vec![],
            observation_minutes: 0,
        }],
    };
    store
        .instantiate_plan("REL-1", &request, "rita", now())
        .unwrap();
    // Test evidence that holds throughout: the testing rules are not what this model is about.
    let day = |d: u32| Utc.with_ymd_and_hms(2026, 2, d, 9, 0, 0).unwrap();
    store
        .create_environment(&Environment::new("test-01"), "rita", day(1))
        .unwrap();
    store
        .record_install("test-01", "api", "2.2", day(1), "rita", day(1))
        .unwrap();
    store
        .book_environment(
            "test-01",
            "REL-1",
            day(2),
            day(9),
            BookingPurpose::CodeChange,
            "rita",
            day(1),
        )
        .unwrap();
    for kind in [
        TestKind::Functional,
        TestKind::Installation,
        TestKind::RollbackRehearsal,
    ] {
        let run = RunDraft {
            release: "REL-1".into(),
            env: "test-01".into(),
            kind,
            result: TestResult::Passed,
            from: day(3),
            to: day(4),
            defects: vec![],
            notes: String::new(),
            evidence: None,
        };
        assert!(store.record_run(&run, "tom", day(4)).unwrap().counts);
    }
    store
}

fn draft(docs: Option<&str>, end: &str) -> ReleaseDraft {
    ReleaseDraft {
        key: "REL-1".into(),
        title: "API 2.2".into(),
        release_type: ReleaseType::Minor,
        planned_start: "2026-03-01".into(),
        planned_end: end.into(),
        owner: None,
        risk: None,
        requester: None,
        dev_docs: docs.map(str::to_string),
        ops_docs: docs.map(str::to_string),
    }
}

fn run(store: &mut Store, op: Op, step: usize) -> bool {
    let r = store.release("REL-1").unwrap();
    let docs = r.dev_docs.clone();
    let end = r.planned_end.format("%Y-%m-%d").to_string();
    match op {
        Op::AuthorizeChange => store.authorize_change("CHG1", "carl", now()).is_ok(),
        Op::LinkDocs => store
            .update_release(
                "REL-1",
                r.version,
                &draft(Some("https://wiki/rel-1"), &end),
                "rita",
                now(),
            )
            .is_ok(),
        Op::EditPlan => {
            let end = format!("2026-04-{:02}", 1 + step % 28);
            let end = if end == r.planned_end.format("%Y-%m-%d").to_string() {
                "2026-05-30".into()
            } else {
                end
            };
            store
                .update_release(
                    "REL-1",
                    r.version,
                    &draft(docs.as_deref(), &end),
                    "rita",
                    now(),
                )
                .is_ok()
        }
        Op::Advance => store.advance_release("REL-1", "rita", now()).is_ok(),
        Op::SendBack => store.send_back_release("REL-1", "rita", now()).is_ok(),
        Op::Cancel => store.cancel_release("REL-1", "rita", now()).is_ok(),
        Op::ApproveByOther => store
            .decide(
                "REL-1",
                Decision::Approve,
                Role::CabMember,
                "",
                "carl",
                now(),
            )
            .is_ok(),
        Op::ApproveByRequester => store
            .decide(
                "REL-1",
                Decision::Approve,
                Role::CabMember,
                "",
                "rita",
                now(),
            )
            .is_ok(),
        Op::RejectByOther => store
            .decide(
                "REL-1",
                Decision::Reject,
                Role::CabMember,
                "",
                "dora",
                now(),
            )
            .is_ok(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_store_follows_the_reference_model(ops in prop::collection::vec(op(), 1..40)) {
        let mut store = setup();
        let mut model = Model { stage: Stage::Planning, authorized: false, docs: false, decision: None, needs_revision: false };
        for (step, op) in ops.into_iter().enumerate() {
            let expected = model.apply(op);
            let actual = run(&mut store, op, step);
            prop_assert_eq!(actual, expected, "step {} {:?}, model {:?}", step, op, model);
            let release = store.release("REL-1").unwrap();
            prop_assert_eq!(release.stage, model.stage, "after step {} {:?}", step, op);
            prop_assert_eq!(release.needs_revision, model.needs_revision);
        }
        let report = store.verify_audit().unwrap();
        prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
    }
}
