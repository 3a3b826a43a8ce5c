//! Fixtures shared by the specification tests: a service instance `web` of
//! service `shop`, at rest on template `web-tmpl` 1.0 since t = 0 s, and
//! helpers to read every observable field of a deployment at once.

use proton_cancel::*;

pub fn name(s: &str) -> ResourceName {
    ResourceName::new(s).unwrap()
}

pub fn version(s: &str) -> TemplateVersion {
    TemplateVersion::new(s).unwrap()
}

/// The published pattern of `ResourceName`, as messages quote it
/// (`tests/names.rs` pins it to the service model's text).
pub const P: &str = ResourceName::PATTERN;

/// Template `web-tmpl` version 1.`minor`, no spec.
pub fn config(minor: u32) -> Configuration {
    Configuration::Template {
        template: TemplateRef {
            name: name("web-tmpl"),
            major: version("1"),
            minor: version(&minor.to_string()),
        },
        spec: None,
    }
}

/// The spec the benchmarks deploy: a service instance's usual size.
pub const SPEC: &str = "proton: ServiceSpec\nspec:\n  port: 8080\n";

/// [`config`] with [`SPEC`]: what the benchmarks deploy, so that a
/// response has a real service instance's size (about 500 bytes).
pub fn config_with_spec(minor: u32) -> Configuration {
    match config(minor) {
        Configuration::Template { template, .. } => Configuration::Template {
            template,
            spec: Some(Spec::new(SPEC).unwrap()),
        },
        other => other,
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
    seeded(DeploymentStatus::Succeeded, None)
}

/// `web` on 1.0 since t = 0 s in a settled (or deleting) `status` with
/// `message` (CANCELLED brings its own), and no attempt on record.
pub fn seeded(status: DeploymentStatus, message: Option<&str>) -> Deployment {
    let mut o = Observed::new(instance(), t(0), config(0));
    o.status_message = match status {
        DeploymentStatus::Cancelled => Some(reason(StatusMessage::CANCELLED)),
        _ => message.map(reason),
    };
    o.status = status;
    Deployment::restore(o).unwrap()
}

/// `web` created at t = `secs` with its first deployment, of [`A`] towards
/// 1.0, IN_PROGRESS.
pub fn created(secs: i64, client_token: Option<&str>) -> Deployment {
    let (d, effect) =
        Deployment::create(instance(), t(secs), A, config(0), client_token.map(token)).unwrap();
    assert_eq!(effect, start_deployment(A, config(0)));
    d
}

/// Every engine report about attempt `id` at t = `secs`: the update's
/// success and failure, the cancellation's start, success and failure.
pub fn reports_about(secs: i64, id: DeploymentId) -> [Input; 5] {
    [
        update_finished(secs, id, EngineResult::Succeeded),
        update_finished(secs, id, EngineResult::Failed(reason("x"))),
        Input::CancellationStarted {
            at: t(secs),
            deployment_id: id,
        },
        cancellation_finished(secs, id, EngineResult::Succeeded),
        cancellation_finished(secs, id, EngineResult::Failed(reason("x"))),
    ]
}

/// The effect that starts attempt `id` towards `target`.
pub fn start_deployment(id: DeploymentId, target: Configuration) -> Effect {
    Effect::StartDeployment {
        deployment_id: id,
        target: Box::new(target),
    }
}

/// The update of [`A`] to `target`, accepted at t = 100 s with client
/// token `token-1`.
pub fn update_a_to(target: Configuration) -> Input {
    Input::Update {
        at: t(100),
        deployment_id: A,
        target,
        client_token: Some(token("token-1")),
    }
}

/// The update of [`A`] to 1.1 ([`update_a_to`]).
pub fn update_a() -> Input {
    update_a_to(config(1))
}

/// A second update, of [`B`] to 1.`minor` at t = 200 s with `client_token`.
pub fn update_b(minor: u32, client_token: Option<&str>) -> Input {
    Input::Update {
        at: t(200),
        deployment_id: B,
        target: config(minor),
        client_token: client_token.map(token),
    }
}

/// `web` with the update of [`A`] to 1.1 IN_PROGRESS since t = 100 s.
pub fn updating() -> Deployment {
    let mut d = at_rest();
    let outcome = d.handle(update_a());
    assert_eq!(outcome.effect(), Some(&start_deployment(A, config(1))));
    d
}

/// `web` at rest on [`config_with_spec`] 1.0 since t = 0 s.
pub fn at_rest_with_spec() -> Deployment {
    Deployment::restore(Observed::new(instance(), t(0), config_with_spec(0))).unwrap()
}

/// A deployment id as the service makes them: random (UUID v4), so its
/// text has few runs of zeros to pad ([`A`] has many, and writing it costs
/// the request path some 50 ns more).
pub const RANDOM_ID: DeploymentId =
    DeploymentId::from_u128(0x2b6d_1f3e_0c4a_4e7b_9a51_3f0d_2c8e_9b71);

/// [`at_rest_with_spec`] updating to [`config_with_spec`] 1.1 as attempt
/// [`RANDOM_ID`], at t = 100 s with client token `token-1`: the state the
/// benchmarks cancel.
pub fn updating_with_spec() -> Deployment {
    let mut d = at_rest_with_spec();
    let _ = d.handle(Input::Update {
        at: t(100),
        deployment_id: RANDOM_ID,
        target: config_with_spec(1),
        client_token: Some(token("token-1")),
    });
    d
}

/// `updating()` after an accepted Cancel at t = 110 s: CANCELLING (requested).
pub fn cancel_requested() -> Deployment {
    let mut d = updating();
    let outcome = d.handle(Input::Cancel { at: t(110) });
    assert_eq!(
        outcome.effect(),
        Some(&Effect::StartCancellation { deployment_id: A })
    );
    d
}

/// `cancel_requested()` after the engine began rolling back at t = 111 s.
pub fn cancel_started() -> Deployment {
    let mut d = cancel_requested();
    let outcome = d.handle(Input::CancellationStarted {
        at: t(111),
        deployment_id: A,
    });
    assert_eq!(outcome.status_after(), Some(DeploymentStatus::Cancelling));
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
        seeded(DeploymentStatus::DeleteFailed, Some("x")),
        seeded(DeploymentStatus::DeleteComplete, None),
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

/// Every field a caller can observe, flattened as the wire lists them, with
/// the stage, for whole-state assertions. "No attempt yet" is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub status: DeploymentStatus,
    pub stage: Stage,
    pub cancellation: Option<CancellationPhase>,
    pub applied: Configuration,
    pub target: Option<Configuration>,
    pub created_at: Timestamp,
    pub last_attempted_deployment_id: Option<DeploymentId>,
    pub last_deployment_attempted_at: Option<Timestamp>,
    pub last_client_request_token: Option<String>,
    pub last_succeeded_deployment_id: Option<DeploymentId>,
    pub last_deployment_succeeded_at: Option<Timestamp>,
    pub status_message: Option<String>,
}

pub fn observe(d: &Deployment) -> Seen {
    let o = d.observe();
    assert_eq!(o.status, d.status());
    assert_eq!(&o.resource, d.resource());
    assert_eq!(&o.applied, d.applied_configuration());
    Seen {
        status: o.status,
        stage: d.stage(),
        cancellation: o.cancellation,
        applied: o.applied,
        target: o.target,
        created_at: o.created_at,
        last_attempted_deployment_id: o.last_attempt.as_ref().map(|a| a.deployment_id),
        last_deployment_attempted_at: o.last_attempt.as_ref().map(|a| a.at),
        last_client_request_token: o
            .last_attempt
            .as_ref()
            .and_then(|a| a.client_token.as_ref())
            .map(|t| t.as_str().to_owned()),
        last_succeeded_deployment_id: o.last_success.map(|s| s.deployment_id),
        last_deployment_succeeded_at: o.last_success.map(|s| s.at),
        status_message: o.status_message.map(|m| m.as_str().to_owned()),
    }
}

/// What `updating()` looks like: IN_PROGRESS towards 1.1, 1.0 applied.
pub fn observed_updating() -> Seen {
    Seen {
        status: DeploymentStatus::InProgress,
        stage: Stage::InProgress,
        cancellation: None,
        applied: config(0),
        target: Some(config(1)),
        created_at: t(0),
        last_attempted_deployment_id: Some(A),
        last_deployment_attempted_at: Some(t(100)),
        last_client_request_token: Some("token-1".to_owned()),
        last_succeeded_deployment_id: None,
        last_deployment_succeeded_at: None,
        status_message: None,
    }
}

/// The outcome of an input that moved attempt `attempt` (`None`: no
/// attempt) from `from` to `to` and started no work.
pub fn applied(attempt: Option<DeploymentId>, from: Stage, to: Stage) -> Outcome {
    Outcome::Applied(Transition {
        from,
        to,
        attempt,
        effect: None,
    })
}

/// The outcome of an input that moved attempt `attempt` from `from` to
/// `to` and started `effect`.
pub fn applied_with(
    attempt: Option<DeploymentId>,
    from: Stage,
    to: Stage,
    effect: Effect,
) -> Outcome {
    Outcome::Applied(Transition {
        from,
        to,
        attempt,
        effect: Some(effect),
    })
}

/// Asserts two observed states are equal; on failure the message shows the
/// sensitive values too (specs, status messages), which `Debug` redacts.
#[track_caller]
pub fn assert_observed_eq(actual: &Observed, expected: &Observed) {
    if actual != expected {
        panic!(
            "observed states differ\n  actual: {actual:?}\n          {}\nexpected: {expected:?}\n          {}",
            sensitive(actual),
            sensitive(expected)
        );
    }
}

/// The sensitive values of an observed state, in the clear.
pub fn sensitive(o: &Observed) -> String {
    let spec = |c: &Configuration| c.spec().map(|s| s.as_str().to_owned());
    format!(
        "applied spec {:?}, target spec {:?}, status message {:?}",
        spec(&o.applied),
        o.target.as_ref().map(spec),
        o.status_message.as_ref().map(StatusMessage::as_str)
    )
}

/// The race alphabet: the Cancel call and every engine report of one
/// attempt, about the current attempt or a stale one, and the deletion
/// steps. The exhaustive walk, the no-effect property and the model test
/// all speak it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Race {
    Cancel,
    UpdateOk,
    UpdateFail,
    CancelStart,
    CancelOk,
    CancelFail,
    StaleUpdateOk,
    StaleCancelOk,
    Delete,
    DeleteOk,
    DeleteFail,
}

/// The single-attempt race of the exhaustive walk: the Cancel, the update's
/// and the cancellation's reports, and one stale report.
pub const RACE: [Race; 7] = [
    Race::Cancel,
    Race::UpdateOk,
    Race::UpdateFail,
    Race::CancelStart,
    Race::CancelOk,
    Race::CancelFail,
    Race::StaleUpdateOk,
];

/// Every symbol: [`RACE`], a stale cancellation report and the deletion.
pub const RACE_AND_DELETION: [Race; 11] = {
    let more = [
        Race::StaleCancelOk,
        Race::Delete,
        Race::DeleteOk,
        Race::DeleteFail,
    ];
    let mut all = [Race::Cancel; 11];
    let mut i = 0;
    while i < all.len() {
        all[i] = if i < RACE.len() {
            RACE[i]
        } else {
            more[i - RACE.len()]
        };
        i += 1;
    }
    all
};

impl Race {
    /// The Cancel call and the cancellation reports: what the "no effect"
    /// rule removes from a history.
    pub fn is_cancellation(self) -> bool {
        matches!(
            self,
            Race::Cancel | Race::CancelStart | Race::CancelOk | Race::CancelFail
        )
    }

    /// The input at `at`: reports name attempt `current` (stale ones name
    /// `stale`). Failures give their reason as `update failed`,
    /// `cancellation failed` and `delete failed`.
    pub fn input(self, at: Timestamp, current: DeploymentId, stale: DeploymentId) -> Input {
        let failed = |m: &str| EngineResult::Failed(reason(m));
        match self {
            Race::Cancel => Input::Cancel { at },
            Race::UpdateOk => update_at(at, current, EngineResult::Succeeded),
            Race::UpdateFail => update_at(at, current, failed("update failed")),
            Race::CancelStart => Input::CancellationStarted {
                at,
                deployment_id: current,
            },
            Race::CancelOk => cancellation_at(at, current, EngineResult::Succeeded),
            Race::CancelFail => cancellation_at(at, current, failed("cancellation failed")),
            Race::StaleUpdateOk => update_at(at, stale, EngineResult::Succeeded),
            Race::StaleCancelOk => cancellation_at(at, stale, EngineResult::Succeeded),
            Race::Delete => Input::Delete { at },
            Race::DeleteOk => Input::DeleteFinished {
                at,
                result: EngineResult::Succeeded,
            },
            Race::DeleteFail => Input::DeleteFinished {
                at,
                result: failed("delete failed"),
            },
        }
    }
}

fn update_at(at: Timestamp, id: DeploymentId, result: EngineResult) -> Input {
    Input::UpdateFinished {
        at,
        deployment_id: id,
        result,
    }
}

fn cancellation_at(at: Timestamp, id: DeploymentId, result: EngineResult) -> Input {
    Input::CancellationFinished {
        at,
        deployment_id: id,
        result,
    }
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
    assert_eq!(rejection.resource(), d.resource());
    assert_eq!(rejection.status(), d.status());
    assert_eq!(rejection.to_string(), message);
    assert_eq!(*d, before, "a rejected input changed the state");
    rejection
}
