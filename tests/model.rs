//! Model-based test: a small reference model of the specification, written
//! without the crate's transition code, generates interleavings of updates,
//! update results, cancels, cancellation starts and results, deletes and
//! stale reports. After every step the machine's observable state and the
//! kind of its outcome must equal the model's, and the invariants hold.

mod common;

use common::{config, instance, observe, reason, t, token};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use proton_cancel::*;

// ---------------------------------------------------------------------------
// The reference model: plain fields and if-chains over wire strings.
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Expect {
    Applied,
    Ignored,
    Conflict,
    NotFound,
}

#[derive(Clone, Debug)]
enum Origin {
    Created,
    Seeded(&'static str),
}

#[derive(Clone, Debug)]
struct Attempt {
    id: u128,
    at: i64,
    token: Option<u8>,
}

#[derive(Clone, Debug)]
struct Model {
    origin: Origin,
    status: &'static str,
    cancel_started: bool,
    attempt: Option<Attempt>,
    running_target: Option<u32>,
    applied: u32,
    succeeded: Option<(u128, i64)>,
    message: Option<String>,
    created: i64,
    clock: i64,
    next_id: u128,
    last: Expect,
}

#[derive(Clone, Debug)]
enum Step {
    Update {
        at: i64,
        id: u128,
        minor: u32,
        token: Option<u8>,
    },
    Cancel {
        at: i64,
    },
    Delete {
        at: i64,
    },
    UpdateFinished {
        at: i64,
        id: u128,
        ok: bool,
    },
    CancellationStarted {
        at: i64,
        id: u128,
    },
    CancellationFinished {
        at: i64,
        id: u128,
        ok: bool,
    },
    DeleteFinished {
        at: i64,
        ok: bool,
    },
}

fn failure(at: i64) -> String {
    format!("failed at {at}")
}

const CREATED_ID: u128 = 1;
const UNKNOWN_ID: u128 = 0xdead;

impl Model {
    fn initial(origin: Origin) -> Model {
        let (status, attempt, running_target, message) = match origin {
            Origin::Created => (
                "IN_PROGRESS",
                Some(Attempt {
                    id: CREATED_ID,
                    at: 0,
                    token: Some(1),
                }),
                Some(0),
                None,
            ),
            Origin::Seeded(s) => {
                let message = match s {
                    "FAILED" | "DELETE_FAILED" => Some("seeded failure".to_owned()),
                    "CANCELLED" => Some("User initiated cancellation.".to_owned()),
                    _ => None,
                };
                (s, None, None, message)
            }
        };
        Model {
            origin,
            status,
            cancel_started: false,
            attempt,
            running_target,
            applied: 0,
            succeeded: None,
            message,
            created: 0,
            clock: 0,
            next_id: 2,
            last: Expect::Applied,
        }
    }

    fn current_id(&self) -> Option<u128> {
        self.attempt.as_ref().map(|a| a.id)
    }

    fn settle(&mut self, status: &'static str, message: Option<String>) {
        self.status = status;
        self.message = message;
        self.running_target = None;
        self.cancel_started = false;
        self.last = Expect::Applied;
    }

    fn step(mut self, step: &Step) -> Model {
        let is_current = |m: &Model, id: u128| m.current_id() == Some(id);
        let resting = matches!(self.status, "SUCCEEDED" | "FAILED" | "CANCELLED");
        self.last = Expect::Ignored;
        match *step {
            Step::Update {
                at,
                id,
                minor,
                token,
            } => {
                self.clock = at;
                let same_token =
                    token.is_some() && self.attempt.as_ref().map(|a| a.token) == Some(token);
                if self.status == "DELETE_COMPLETE" {
                    self.last = Expect::NotFound;
                } else if self.status == "IN_PROGRESS" && same_token {
                    self.last = if self.running_target == Some(minor) {
                        Expect::Ignored
                    } else {
                        Expect::Conflict
                    };
                } else if resting {
                    self.attempt = Some(Attempt { id, at, token });
                    self.running_target = Some(minor);
                    self.status = "IN_PROGRESS";
                    self.message = None;
                    self.next_id += 1;
                    self.last = Expect::Applied;
                } else {
                    self.last = Expect::Conflict;
                }
            }
            Step::Cancel { at } => {
                self.clock = at;
                if self.status == "DELETE_COMPLETE" {
                    self.last = Expect::NotFound;
                } else if self.status == "IN_PROGRESS" {
                    self.status = "CANCELLING";
                    self.last = Expect::Applied;
                } else {
                    self.last = Expect::Conflict;
                }
            }
            Step::Delete { at } => {
                self.clock = at;
                if self.status == "DELETE_COMPLETE" {
                    self.last = Expect::NotFound;
                } else if resting || self.status == "DELETE_FAILED" {
                    self.settle("DELETE_IN_PROGRESS", None);
                } else {
                    self.last = Expect::Conflict;
                }
            }
            Step::UpdateFinished { at, id, ok } => {
                self.clock = at;
                let update_can_finish = self.status == "IN_PROGRESS"
                    || (self.status == "CANCELLING" && !self.cancel_started);
                if is_current(&self, id) && update_can_finish {
                    if ok {
                        self.applied = self.running_target.unwrap_or(u32::MAX);
                        self.succeeded = self.attempt.as_ref().map(|a| (a.id, a.at));
                        self.settle("SUCCEEDED", None);
                    } else {
                        self.settle("FAILED", Some(failure(at)));
                    }
                }
            }
            Step::CancellationStarted { at, id } => {
                self.clock = at;
                if is_current(&self, id) && self.status == "CANCELLING" && !self.cancel_started {
                    self.cancel_started = true;
                    self.last = Expect::Applied;
                }
            }
            Step::CancellationFinished { at, id, ok } => {
                self.clock = at;
                if is_current(&self, id) && self.status == "CANCELLING" {
                    if ok {
                        self.settle("CANCELLED", Some("User initiated cancellation.".to_owned()));
                    } else {
                        self.settle("FAILED", Some(failure(at)));
                    }
                }
            }
            Step::DeleteFinished { at, ok } => {
                self.clock = at;
                if self.status == "DELETE_IN_PROGRESS" {
                    if ok {
                        self.settle("DELETE_COMPLETE", None);
                    } else {
                        self.settle("DELETE_FAILED", Some(failure(at)));
                    }
                }
            }
        }
        self
    }
}

struct DeploymentModel;

impl ReferenceStateMachine for DeploymentModel {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        prop_oneof![
            3 => Just(Origin::Created),
            1 => prop::sample::select(vec![
                "SUCCEEDED", "FAILED", "CANCELLED", "DELETE_FAILED", "DELETE_COMPLETE",
            ])
            .prop_map(Origin::Seeded),
        ]
        .prop_map(Model::initial)
        .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        let clock = state.clock;
        let at = (0i64..3).prop_map(move |dt| clock + dt);
        let current = state.current_id().unwrap_or(UNKNOWN_ID);
        let older = current.saturating_sub(1).max(1);
        let id = prop_oneof![6 => Just(current), 1 => Just(older), 1 => Just(UNKNOWN_ID)];
        let fresh = state.next_id;
        prop_oneof![
            2 => (at.clone(), 1u32..3, prop::option::of(1u8..3))
                .prop_map(move |(at, minor, token)| Step::Update { at, id: fresh, minor, token }),
            3 => at.clone().prop_map(|at| Step::Cancel { at }),
            1 => at.clone().prop_map(|at| Step::Delete { at }),
            3 => (at.clone(), id.clone(), any::<bool>())
                .prop_map(|(at, id, ok)| Step::UpdateFinished { at, id, ok }),
            3 => (at.clone(), id.clone()).prop_map(|(at, id)| Step::CancellationStarted { at, id }),
            3 => (at.clone(), id, any::<bool>())
                .prop_map(|(at, id, ok)| Step::CancellationFinished { at, id, ok }),
            1 => (at, any::<bool>()).prop_map(|(at, ok)| Step::DeleteFinished { at, ok }),
        ]
        .boxed()
    }

    fn apply(state: Model, step: &Step) -> Model {
        state.step(step)
    }
}

// ---------------------------------------------------------------------------
// The machine under test
// ---------------------------------------------------------------------------

struct Sut {
    initial: Deployment,
    history: Vec<Input>,
    deployment: Deployment,
}

fn id(n: u128) -> DeploymentId {
    DeploymentId::from_u128(n)
}

fn result(ok: bool, at: i64) -> EngineResult {
    if ok {
        EngineResult::Succeeded
    } else {
        EngineResult::Failed(reason(&failure(at)))
    }
}

fn input(step: &Step) -> Input {
    match *step {
        Step::Update {
            at,
            id: n,
            minor,
            token: tok,
        } => Input::Update {
            at: t(at),
            deployment_id: id(n),
            target: config(minor),
            client_token: tok.map(|k| token(&format!("token-{k}"))),
        },
        Step::Cancel { at } => Input::Cancel { at: t(at) },
        Step::Delete { at } => Input::Delete { at: t(at) },
        Step::UpdateFinished { at, id: n, ok } => Input::UpdateFinished {
            at: t(at),
            deployment_id: id(n),
            result: result(ok, at),
        },
        Step::CancellationStarted { at, id: n } => Input::CancellationStarted {
            at: t(at),
            deployment_id: id(n),
        },
        Step::CancellationFinished { at, id: n, ok } => Input::CancellationFinished {
            at: t(at),
            deployment_id: id(n),
            result: result(ok, at),
        },
        Step::DeleteFinished { at, ok } => Input::DeleteFinished {
            at: t(at),
            result: result(ok, at),
        },
    }
}

fn build(origin: &Origin) -> Deployment {
    let seeded = |seed| Deployment::seeded(instance(), t(0), config(0), seed);
    match origin {
        Origin::Created => Deployment::create(
            instance(),
            t(0),
            id(CREATED_ID),
            config(0),
            Some(token("token-1")),
        ),
        Origin::Seeded("SUCCEEDED") => seeded(Seed::Succeeded),
        Origin::Seeded("FAILED") => seeded(Seed::Failed(reason("seeded failure"))),
        Origin::Seeded("CANCELLED") => seeded(Seed::Cancelled),
        Origin::Seeded("DELETE_FAILED") => seeded(Seed::DeleteFailed(reason("seeded failure"))),
        Origin::Seeded(_) => seeded(Seed::DeleteComplete),
    }
}

/// The model's view of the fields a caller can observe.
fn assert_observed_equals_model(d: &Deployment, m: &Model) {
    let o = observe(d);
    assert_eq!(o.status.as_str(), m.status, "status");
    let expected_phase = match (m.status, m.cancel_started) {
        ("CANCELLING", false) => Some(CancellationPhase::Requested),
        ("CANCELLING", true) => Some(CancellationPhase::Started),
        _ => None,
    };
    assert_eq!(o.cancellation, expected_phase, "cancellation phase");
    assert_eq!(o.applied, config(m.applied), "applied configuration");
    assert_eq!(o.target, m.running_target.map(config), "target");
    assert_eq!(o.created_at, t(m.created), "createdAt");
    assert_eq!(
        o.last_attempted_deployment_id,
        m.current_id().map(id),
        "lastAttemptedDeploymentId"
    );
    assert_eq!(
        o.last_deployment_attempted_at,
        t(m.attempt.as_ref().map_or(m.created, |a| a.at)),
        "lastDeploymentAttemptedAt"
    );
    assert_eq!(
        o.last_client_request_token,
        m.attempt
            .as_ref()
            .and_then(|a| a.token)
            .map(|k| format!("token-{k}")),
        "lastClientRequestToken"
    );
    assert_eq!(
        o.last_succeeded_deployment_id,
        m.succeeded.map(|(n, _)| id(n)),
        "lastSucceededDeploymentId"
    );
    assert_eq!(
        o.last_deployment_succeeded_at,
        t(m.succeeded.map_or(m.created, |(_, at)| at)),
        "lastDeploymentSucceededAt"
    );
    assert_eq!(o.status_message, m.message, "deploymentStatusMessage");
}

impl StateMachineTest for DeploymentModel {
    type SystemUnderTest = Sut;
    type Reference = DeploymentModel;

    fn init_test(model: &Model) -> Sut {
        let deployment = build(&model.origin);
        assert_observed_equals_model(&deployment, model);
        Sut {
            initial: deployment.clone(),
            history: Vec::new(),
            deployment,
        }
    }

    fn apply(mut sut: Sut, model: &Model, step: Step) -> Sut {
        let before = sut.deployment.clone();
        let input = input(&step);
        sut.history.push(input.clone());
        let outcome = sut.deployment.handle(input);
        let kind = match &outcome {
            Outcome::Applied(_) => Expect::Applied,
            Outcome::Ignored(_) => Expect::Ignored,
            Outcome::Rejected(Rejection::Conflict { .. }) => Expect::Conflict,
            Outcome::Rejected(_) => Expect::NotFound,
        };
        assert_eq!(kind, model.last, "outcome {outcome:?} of {step:?}");
        if !matches!(outcome, Outcome::Applied(_)) {
            assert_eq!(sut.deployment, before, "{outcome:?} changed the state");
        }
        // The applied configuration and the last-success fields change only
        // when an update succeeds.
        let update_succeeded = matches!(
            outcome,
            Outcome::Applied(Transition {
                to: Stage::Succeeded,
                ..
            })
        );
        if !update_succeeded {
            assert_eq!(sut.deployment.applied(), before.applied());
            assert_eq!(
                sut.deployment.last_succeeded_deployment_id(),
                before.last_succeeded_deployment_id()
            );
            assert_eq!(
                sut.deployment.last_deployment_succeeded_at(),
                before.last_deployment_succeeded_at()
            );
        }
        assert_observed_equals_model(&sut.deployment, model);
        sut
    }

    fn check_invariants(sut: &Sut, _model: &Model) {
        let d = &sut.deployment;
        let status = d.status();
        assert_eq!(d.stage().status(), status);
        let running = matches!(
            status,
            DeploymentStatus::InProgress | DeploymentStatus::Cancelling
        );
        assert_eq!(
            d.target().is_some(),
            running,
            "a target exists only while an attempt runs"
        );
        assert_eq!(
            d.cancellation().is_some(),
            status == DeploymentStatus::Cancelling,
            "a cancellation phase exists only while CANCELLING"
        );
        if running {
            assert!(d.last_attempted_deployment_id().is_some());
        }
        match status {
            DeploymentStatus::Cancelled => assert_eq!(d.status_message(), Some(CANCELLED_MESSAGE)),
            DeploymentStatus::Failed | DeploymentStatus::DeleteFailed => {
                assert!(d.status_message().is_some())
            }
            _ => assert_eq!(d.status_message(), None),
        }
        if let Some(id) = d.last_succeeded_deployment_id() {
            // A success is stamped with its own attempt's start time; when it
            // is still the last attempt, the two fields agree.
            if d.last_attempted_deployment_id() == Some(id) {
                assert_eq!(
                    d.last_deployment_succeeded_at(),
                    d.last_deployment_attempted_at()
                );
            }
        }
        // Replaying the history gives the same state.
        let mut replay = sut.initial.clone();
        for input in &sut.history {
            let _ = replay.handle(input.clone());
        }
        assert_eq!(&replay, d, "replaying the history gave another state");
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig {
        cases: 2_000,
        max_shrink_iters: 10_000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/model.txt",
        ))),
        ..ProptestConfig::default()
    })]

    /// Spec: R8, R9, R10, R11, R12, R13, R14, R15, R16, R17, R18, R19, R20, R21, R22, R26, R27
    #[test]
    fn machine_agrees_with_the_reference_model(sequential 1..60 => DeploymentModel);
}
