//! Model-based test: a small reference model of the specification, written
//! without the crate's transition code, generates interleavings of updates,
//! update results, cancels, cancellation starts and results, deletes and
//! stale reports. After every step the machine's observable state and the
//! kind of its outcome must equal the model's, and the invariants hold.

use proton_cancel_test_support::builders as common;

use common::{Race, config, instance, observe, seeded, start_deployment, t, token};
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
    /// A symbol of the shared race alphabet; reports name `id` (stale ones
    /// name an id no attempt has).
    Race { at: i64, id: u128, race: Race },
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
        let (Step::Update { at, .. } | Step::Race { at, .. }) = *step;
        self.clock = at;
        // A request (an update, a cancel, a delete) to a deleted resource
        // finds nothing; a report about it is ignored.
        let request = matches!(
            step,
            Step::Update { .. }
                | Step::Race {
                    race: Race::Cancel | Race::Delete,
                    ..
                }
        );
        if request && self.status == "DELETE_COMPLETE" {
            self.last = Expect::NotFound;
            return self;
        }
        match *step {
            Step::Update {
                at,
                id,
                minor,
                token,
            } => {
                let same_token =
                    token.is_some() && self.attempt.as_ref().map(|a| a.token) == Some(token);
                if self.status == "IN_PROGRESS" && same_token {
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
            Step::Race {
                race: request @ (Race::Cancel | Race::Delete),
                ..
            } => {
                let deletable = resting || self.status == "DELETE_FAILED";
                if request == Race::Cancel && self.status == "IN_PROGRESS" {
                    self.status = "CANCELLING";
                    self.last = Expect::Applied;
                } else if request == Race::Delete && deletable {
                    self.settle("DELETE_IN_PROGRESS", None);
                } else {
                    self.last = Expect::Conflict;
                }
            }
            Step::Race {
                race: race @ (Race::UpdateOk | Race::UpdateFail | Race::StaleUpdateOk),
                id,
                ..
            } => {
                let ok = matches!(race, Race::UpdateOk | Race::StaleUpdateOk);
                let id = reported_id(race, id);
                let update_can_finish = self.status == "IN_PROGRESS"
                    || (self.status == "CANCELLING" && !self.cancel_started);
                if is_current(&self, id) && update_can_finish {
                    if ok {
                        self.applied = self.running_target.unwrap_or(u32::MAX);
                        self.succeeded = self.attempt.as_ref().map(|a| (a.id, a.at));
                        self.settle("SUCCEEDED", None);
                    } else {
                        self.settle("FAILED", Some("update failed".to_owned()));
                    }
                }
            }
            Step::Race {
                at: _,
                id,
                race: Race::CancelStart,
            } => {
                if is_current(&self, id) && self.status == "CANCELLING" && !self.cancel_started {
                    self.cancel_started = true;
                    self.last = Expect::Applied;
                }
            }
            Step::Race {
                at: _,
                id,
                race: race @ (Race::CancelOk | Race::CancelFail | Race::StaleCancelOk),
            } => {
                let ok = race != Race::CancelFail;
                let id = reported_id(race, id);
                if is_current(&self, id) && self.status == "CANCELLING" {
                    if ok {
                        self.settle("CANCELLED", Some("User initiated cancellation.".to_owned()));
                    } else {
                        self.settle("FAILED", Some("cancellation failed".to_owned()));
                    }
                }
            }
            Step::Race {
                race: race @ (Race::DeleteOk | Race::DeleteFail),
                ..
            } => {
                let ok = race == Race::DeleteOk;
                if self.status == "DELETE_IN_PROGRESS" {
                    if ok {
                        self.settle("DELETE_COMPLETE", None);
                    } else {
                        self.settle("DELETE_FAILED", Some("delete failed".to_owned()));
                    }
                }
            }
        }
        self
    }
}

/// The attempt a report of `race` names: an unknown one for the stale
/// reports, else the running attempt `id`.
fn reported_id(race: Race, id: u128) -> u128 {
    match race {
        Race::StaleUpdateOk | Race::StaleCancelOk => UNKNOWN_ID,
        _ => id,
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
        let race = |race: Race| Just(race);
        let report = prop_oneof![
            3 => race(Race::UpdateOk),
            3 => race(Race::UpdateFail),
            3 => race(Race::CancelStart),
            2 => race(Race::CancelOk),
            1 => race(Race::CancelFail),
            1 => race(Race::StaleUpdateOk),
            1 => race(Race::StaleCancelOk),
            1 => race(Race::DeleteOk),
            1 => race(Race::DeleteFail),
        ];
        prop_oneof![
            2 => (at.clone(), 1u32..3, prop::option::of(1u8..3))
                .prop_map(move |(at, minor, token)| Step::Update { at, id: fresh, minor, token }),
            3 => at.clone().prop_map(|at| Step::Race { at, id: UNKNOWN_ID, race: Race::Cancel }),
            1 => at.clone().prop_map(|at| Step::Race { at, id: UNKNOWN_ID, race: Race::Delete }),
            12 => (at, id, report).prop_map(|(at, id, race)| Step::Race { at, id, race }),
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
        Step::Race { at, id: n, race } => race.input(t(at), id(n), id(UNKNOWN_ID)),
    }
}

fn build(origin: &Origin) -> Deployment {
    let status = match origin {
        Origin::Created => {
            let (d, effect) = Deployment::create(
                instance(),
                t(0),
                id(CREATED_ID),
                config(0),
                Some(token("token-1")),
            )
            .unwrap();
            assert_eq!(effect, start_deployment(id(CREATED_ID), config(0)));
            return d;
        }
        Origin::Seeded(s) => DeploymentStatus::from(*s),
    };
    let failure = matches!(
        status,
        DeploymentStatus::Failed | DeploymentStatus::DeleteFailed
    );
    seeded(status, failure.then_some("seeded failure"))
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
        m.attempt.as_ref().map(|a| t(a.at)),
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
        m.succeeded.map(|(_, at)| t(at)),
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
            Outcome::Rejected(r) if r.reason() == RejectionReason::NotFound => Expect::NotFound,
            Outcome::Rejected(_) => Expect::Conflict,
        };
        assert_eq!(kind, model.last, "outcome {outcome:?} of {step:?}");
        if outcome.is_applied() {
            assert_eq!(sut.deployment.revision(), before.revision() + 1);
        } else {
            assert_eq!(sut.deployment, before, "{outcome:?} changed the state");
        }
        // Every applied input names the attempt it moved: the model's
        // current one (the new one after an Update); a deletion moves none.
        let expected_attempt = match (&step, &kind) {
            (
                Step::Race {
                    race: Race::Delete | Race::DeleteOk | Race::DeleteFail,
                    ..
                },
                Expect::Applied,
            ) => None,
            (_, Expect::Applied) => model.current_id().map(id),
            _ => None,
        };
        assert_eq!(
            outcome.transition().and_then(|t| t.attempt),
            expected_attempt,
            "attempt of {step:?}"
        );
        // Every applied Update starts exactly its own deployment, every
        // applied Cancel exactly the cancellation of the running attempt,
        // every applied Delete the deletion; nothing else starts work.
        let expected_effect = match (&step, kind) {
            (Step::Update { id: n, minor, .. }, Expect::Applied) => {
                Some(start_deployment(id(*n), config(*minor)))
            }
            (
                Step::Race {
                    race: Race::Cancel, ..
                },
                Expect::Applied,
            ) => model.current_id().map(|n| Effect::StartCancellation {
                deployment_id: id(n),
            }),
            (
                Step::Race {
                    race: Race::Delete, ..
                },
                Expect::Applied,
            ) => Some(Effect::StartDeletion),
            _ => None,
        };
        assert_eq!(
            outcome.effect(),
            expected_effect.as_ref(),
            "effect of {step:?}"
        );
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
            assert_eq!(
                sut.deployment.applied_configuration(),
                before.applied_configuration()
            );
            assert_eq!(
                sut.deployment.observe().last_success,
                before.observe().last_success
            );
        }
        assert_observed_equals_model(&sut.deployment, model);
        sut
    }

    fn check_invariants(sut: &Sut, _model: &Model) {
        let d = &sut.deployment;
        let o = d.observe();
        assert_eq!(d.stage().status(), o.status);
        let running = matches!(
            o.status,
            DeploymentStatus::InProgress | DeploymentStatus::Cancelling
        );
        assert_eq!(
            o.target.is_some(),
            running,
            "a target exists only while an attempt runs"
        );
        assert_eq!(
            o.cancellation.is_some(),
            o.status == DeploymentStatus::Cancelling,
            "a cancellation phase exists only while CANCELLING"
        );
        if running {
            assert!(o.last_attempt.is_some());
        }
        let message = o.status_message.as_ref().map(StatusMessage::as_str);
        match o.status {
            DeploymentStatus::Cancelled => assert_eq!(message, Some(StatusMessage::CANCELLED)),
            DeploymentStatus::Failed | DeploymentStatus::DeleteFailed => {
                assert!(message.is_some())
            }
            _ => assert_eq!(message, None),
        }
        if let (Some(success), Some(attempt)) = (o.last_success, &o.last_attempt) {
            // A success is stamped with its own attempt's start time; when it
            // is still the last attempt, the two agree.
            if attempt.deployment_id == success.deployment_id {
                assert_eq!(success.at, attempt.at);
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
