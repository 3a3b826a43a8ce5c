//! Fixtures shared by the specification tests: a service instance `web` of
//! service `shop`, at rest on template `web-tmpl` 1.0 since t = 0 s, and
//! helpers to read every observable field of a deployment at once.
#![allow(dead_code)] // each test binary uses its own subset

use proton_cancel::*;

pub fn name(s: &str) -> ResourceName {
    ResourceName::new(s).unwrap()
}

pub fn version(s: &str) -> TemplateVersion {
    TemplateVersion::new(s).unwrap()
}

/// Template `web-tmpl` version 1.`minor`, no spec.
pub fn config(minor: u32) -> Configuration {
    Configuration {
        template: Some(TemplateRef {
            name: name("web-tmpl"),
            major: version("1"),
            minor: version(&minor.to_string()),
        }),
        spec: None,
    }
}

pub fn t(secs: i64) -> Timestamp {
    Timestamp::from_secs(secs)
}

pub fn token(s: &str) -> ClientToken {
    ClientToken::new(s).unwrap()
}

pub fn reason(s: &str) -> StatusMessage {
    StatusMessage::new(s)
}

/// The deployment of the update the fixtures start (`a0000000-…`).
pub const A: DeploymentId = DeploymentId::from_u128(0xa000_0000_0000_4000_8000_0000_0000_0001);
/// A second deployment id, for later attempts and stale reports.
pub const B: DeploymentId = DeploymentId::from_u128(0xb000_0000_0000_4000_8000_0000_0000_0002);

pub fn instance() -> ResourceId {
    ResourceId::ServiceInstance {
        service: name("shop"),
        name: name("web"),
    }
}

/// `web` at rest: SUCCEEDED on 1.0, created at t = 0 s, no attempt on record.
pub fn at_rest() -> Deployment {
    Deployment::seeded(instance(), t(0), config(0), Seed::Succeeded)
}

/// The update of [`A`] to 1.1, accepted at t = 100 s with client token
/// `token-1`.
pub fn update_a() -> Input {
    Input::Update {
        at: t(100),
        deployment_id: A,
        target: config(1),
        client_token: Some(token("token-1")),
    }
}

/// `web` with the update of [`A`] to 1.1 IN_PROGRESS since t = 100 s.
pub fn updating() -> Deployment {
    let mut d = at_rest();
    let outcome = d.handle(update_a());
    assert_eq!(outcome.applied_status(), Some(DeploymentStatus::InProgress));
    d
}

/// `updating()` after an accepted Cancel at t = 110 s: CANCELLING (requested).
pub fn cancel_requested() -> Deployment {
    let mut d = updating();
    let outcome = d.handle(Input::Cancel { at: t(110) });
    assert_eq!(outcome.applied_status(), Some(DeploymentStatus::Cancelling));
    d
}

/// `cancel_requested()` after the engine began rolling back at t = 111 s.
pub fn cancel_started() -> Deployment {
    let mut d = cancel_requested();
    let outcome = d.handle(Input::CancellationStarted {
        at: t(111),
        deployment_id: A,
    });
    assert_eq!(outcome.applied_status(), Some(DeploymentStatus::Cancelling));
    d
}

/// One deployment in each of the nine stages, in `Stage` order.
pub fn one_deployment_per_stage() -> Vec<Deployment> {
    let settled = |input: Input| {
        let mut d = updating();
        let _ = d.handle(input);
        d
    };
    let mut deleting = at_rest();
    let _ = deleting.handle(Input::Delete { at: t(1) });
    let states = vec![
        updating(),
        cancel_requested(),
        cancel_started(),
        at_rest(),
        settled(update_finished(120, A, EngineResult::Failed(reason("x")))),
        {
            let mut d = cancel_started();
            let _ = d.handle(cancellation_finished(130, A, EngineResult::Succeeded));
            d
        },
        deleting,
        Deployment::seeded(instance(), t(0), config(0), Seed::DeleteFailed(reason("x"))),
        Deployment::seeded(instance(), t(0), config(0), Seed::DeleteComplete),
    ];
    let stages: Vec<Stage> = states.iter().map(Deployment::stage).collect();
    assert_eq!(
        stages,
        [
            Stage::InProgress,
            Stage::CancellationRequested,
            Stage::CancellationStarted,
            Stage::Succeeded,
            Stage::Failed,
            Stage::Cancelled,
            Stage::DeleteInProgress,
            Stage::DeleteFailed,
            Stage::DeleteComplete,
        ]
    );
    states
}

pub fn update_finished(secs: i64, id: DeploymentId, result: EngineResult) -> Input {
    Input::UpdateFinished {
        at: t(secs),
        deployment_id: id,
        result,
    }
}

pub fn cancellation_finished(secs: i64, id: DeploymentId, result: EngineResult) -> Input {
    Input::CancellationFinished {
        at: t(secs),
        deployment_id: id,
        result,
    }
}

/// Every field a caller can observe, for whole-state assertions.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    pub status: DeploymentStatus,
    pub stage: Stage,
    pub cancellation: Option<CancellationPhase>,
    pub applied: Configuration,
    pub target: Option<Configuration>,
    pub created_at: Timestamp,
    pub last_attempted_deployment_id: Option<DeploymentId>,
    pub last_deployment_attempted_at: Timestamp,
    pub last_client_request_token: Option<String>,
    pub last_succeeded_deployment_id: Option<DeploymentId>,
    pub last_deployment_succeeded_at: Timestamp,
    pub status_message: Option<String>,
}

pub fn observe(d: &Deployment) -> Observed {
    Observed {
        status: d.status(),
        stage: d.stage(),
        cancellation: d.cancellation(),
        applied: d.applied().clone(),
        target: d.target().cloned(),
        created_at: d.created_at(),
        last_attempted_deployment_id: d.last_attempted_deployment_id(),
        last_deployment_attempted_at: d.last_deployment_attempted_at(),
        last_client_request_token: d.last_client_request_token().map(|t| t.as_str().to_owned()),
        last_succeeded_deployment_id: d.last_succeeded_deployment_id(),
        last_deployment_succeeded_at: d.last_deployment_succeeded_at(),
        status_message: d.status_message().map(str::to_owned),
    }
}

/// What `updating()` looks like: IN_PROGRESS towards 1.1, 1.0 applied.
pub fn observed_updating() -> Observed {
    Observed {
        status: DeploymentStatus::InProgress,
        stage: Stage::InProgress,
        cancellation: None,
        applied: config(0),
        target: Some(config(1)),
        created_at: t(0),
        last_attempted_deployment_id: Some(A),
        last_deployment_attempted_at: t(100),
        last_client_request_token: Some("token-1".to_owned()),
        last_succeeded_deployment_id: None,
        last_deployment_succeeded_at: t(0),
        status_message: None,
    }
}

/// The outcome of an input that moved the deployment from `from` to `to`.
pub fn applied(from: Stage, to: Stage) -> Outcome {
    Outcome::Applied(Transition { from, to })
}

/// Applies `input` and asserts that it was ignored for `reason` and changed
/// nothing at all.
pub fn assert_ignored(d: &mut Deployment, input: Input, reason: IgnoreReason) {
    let before = d.clone();
    let outcome = d.handle(input);
    assert_eq!(outcome, Outcome::Ignored(reason));
    assert_eq!(*d, before, "an ignored input changed the state");
}

/// Applies `input` and asserts that it was rejected with exactly `message`
/// and changed nothing at all; returns the rejection.
pub fn assert_rejected(d: &mut Deployment, input: Input, message: &str) -> Rejection {
    let before = d.clone();
    let outcome = d.handle(input);
    let Outcome::Rejected(rejection) = outcome else {
        panic!("expected a rejection, got {outcome:?}");
    };
    assert_eq!(rejection.to_string(), message);
    assert_eq!(*d, before, "a rejected input changed the state");
    rejection
}
