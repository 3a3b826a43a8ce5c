//! The deployment state machine of one resource: API calls and engine reports
//! in, typed outcomes out. No I/O; time is carried by every input.

use std::fmt;
use std::mem;
use std::sync::Arc;

use crate::resource::{Configuration, ResourceId};
use crate::status::DeploymentStatus;
use crate::table::{ConflictReason, IgnoreReason, InputKind, Rule, Stage, transition_rule};
use crate::time::Timestamp;
use crate::values::{ClientToken, DeploymentId, StatusMessage};

/// The `deploymentStatusMessage` of a CANCELLED resource, as AWS writes it.
pub const CANCELLED_MESSAGE: &str = "User initiated cancellation.";

/// The result the provisioning engine reports for an update, a cancellation
/// attempt or a deletion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EngineResult {
    /// It worked.
    Succeeded,
    /// It failed; the reason becomes the `deploymentStatusMessage`.
    Failed(StatusMessage),
}

/// One input to a [`Deployment`]: an API call (which can be rejected) or a
/// report from the provisioning engine (which can only be applied or
/// ignored). Every input carries the time it happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Input {
    /// UpdateServiceInstance (or a sibling) with a deployment type other than
    /// `NONE`: start a new attempt towards `target`.
    Update {
        /// When the call was accepted; becomes `lastDeploymentAttemptedAt`.
        at: Timestamp,
        /// The id of the new attempt, minted by the caller of the machine.
        deployment_id: DeploymentId,
        /// What the attempt deploys.
        target: Configuration,
        /// The call's idempotency token.
        client_token: Option<ClientToken>,
    },
    /// Cancel*Deployment: ask the engine to stop the running attempt.
    Cancel {
        /// When the call arrived.
        at: Timestamp,
    },
    /// Delete the resource.
    Delete {
        /// When the call arrived.
        at: Timestamp,
    },
    /// The engine finished the update of attempt `deployment_id`.
    UpdateFinished {
        /// When the engine reported.
        at: Timestamp,
        /// The attempt the report is about.
        deployment_id: DeploymentId,
        /// How the update ended.
        result: EngineResult,
    },
    /// The engine began cancelling attempt `deployment_id` (rolling back).
    CancellationStarted {
        /// When the engine reported.
        at: Timestamp,
        /// The attempt the report is about.
        deployment_id: DeploymentId,
    },
    /// The engine finished cancelling attempt `deployment_id`.
    CancellationFinished {
        /// When the engine reported.
        at: Timestamp,
        /// The attempt the report is about.
        deployment_id: DeploymentId,
        /// How the cancellation ended.
        result: EngineResult,
    },
    /// The engine finished deleting the resource.
    DeleteFinished {
        /// When the engine reported.
        at: Timestamp,
        /// How the deletion ended.
        result: EngineResult,
    },
}

impl Input {
    /// When the input happened.
    pub fn at(&self) -> Timestamp {
        match self {
            Self::Update { at, .. }
            | Self::Cancel { at }
            | Self::Delete { at }
            | Self::UpdateFinished { at, .. }
            | Self::CancellationStarted { at, .. }
            | Self::CancellationFinished { at, .. }
            | Self::DeleteFinished { at, .. } => *at,
        }
    }
}

/// Whether the engine has begun a requested cancellation. The wire shows
/// CANCELLING either way; the race rule needs the difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CancellationPhase {
    /// Cancel was accepted; the engine has not started rolling back, so the
    /// update can still finish first and win.
    Requested,
    /// The engine is rolling back; the cancellation's own result decides.
    Started,
}

/// The settled (or deleting) status a resource can be seeded in with
/// [`Deployment::seeded`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Seed {
    /// SUCCEEDED.
    Succeeded,
    /// FAILED, with its reason.
    Failed(StatusMessage),
    /// CANCELLED.
    Cancelled,
    /// DELETE_FAILED, with its reason.
    DeleteFailed(StatusMessage),
    /// DELETE_COMPLETE.
    DeleteComplete,
}

/// An applied input: the deployment moved from one stage to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transition {
    /// The stage before the input.
    pub from: Stage,
    /// The stage after it.
    pub to: Stage,
}

/// What one input did. Exactly one of three things happens to every input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    /// The input was applied: the state changed (to the status
    /// `transition.to.status()`).
    Applied(Transition),
    /// Nothing changed, and nothing was wrong: an engine report that lost a
    /// race or came late, or an idempotent update replay.
    Ignored(IgnoreReason),
    /// The API call was refused; nothing changed.
    Rejected(Rejection),
}

impl Outcome {
    /// The status after the input, when it was applied.
    pub fn applied_status(&self) -> Option<DeploymentStatus> {
        match self {
            Self::Applied(t) => Some(t.to.status()),
            _ => None,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Applied(t) => write!(f, "applied: {} -> {}", t.from, t.to),
            Self::Ignored(reason) => write!(f, "ignored: {reason}"),
            Self::Rejected(rejection) => write!(f, "rejected: {rejection}"),
        }
    }
}

/// An API call the machine refused. Maps onto the AWS errors
/// `ConflictException` and `ResourceNotFoundException`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The call conflicts with the resource's current deployment status
    /// (`ConflictException`).
    #[error("cannot {} {resource}: its deployment status is {status}; {reason}", verb(*.input))]
    Conflict {
        /// The kind of the refused call.
        input: InputKind,
        /// The resource it was addressed to.
        resource: Arc<ResourceId>,
        /// The resource's status, unchanged.
        status: DeploymentStatus,
        /// Why the status does not allow the call.
        reason: ConflictReason,
    },
    /// The resource was deleted (`ResourceNotFoundException`).
    #[error(
        "cannot {} {resource}: it does not exist (its deployment status is DELETE_COMPLETE)",
        verb(*.input)
    )]
    NotFound {
        /// The kind of the refused call.
        input: InputKind,
        /// The resource it was addressed to.
        resource: Arc<ResourceId>,
    },
}

fn verb(input: InputKind) -> &'static str {
    match input {
        InputKind::Update | InputKind::UpdateReplay | InputKind::UpdateTokenReused => "update",
        InputKind::Cancel => "cancel the deployment of",
        InputKind::Delete => "delete",
        _ => "apply an engine report to",
    }
}

/// When an attempt started and what identified it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Attempt {
    id: DeploymentId,
    at: Timestamp,
    client_token: Option<ClientToken>,
}

/// Data that exists only in its phase: a target and a cancellation phase only
/// while an attempt runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Phase {
    /// IN_PROGRESS or CANCELLING.
    Deploying {
        attempt: Attempt,
        target: Configuration,
        cancellation: Option<CancellationPhase>,
    },
    /// Every other status: no attempt runs.
    Resting {
        last_attempt: Option<Attempt>,
        rest: Rest,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Rest {
    Succeeded,
    Failed(StatusMessage),
    Cancelled,
    DeleteInProgress,
    DeleteFailed(StatusMessage),
    DeleteComplete,
}

/// The deployment state of one resource (service instance, environment,
/// service pipeline or component), and the machine that moves it.
///
/// # Kinds of methods
/// - Constructors: [`Deployment::create`] (a resource whose first deployment
///   is IN_PROGRESS) and [`Deployment::seeded`] (a resource at rest).
/// - Input: [`Deployment::handle`] takes one [`Input`] and returns its
///   [`Outcome`]. It is the only method that changes the state.
/// - Getters: everything the wire shows, e.g. [`Deployment::status`],
///   [`Deployment::applied`], [`Deployment::last_deployment_succeeded_at`].
///
/// # Contract
/// - Each input is applied, ignored or rejected; ignored and rejected inputs
///   leave the state exactly as it was.
/// - The machine reads no clock. Timestamps are recorded as given; feeding
///   them in order is the embedding's business.
/// - No input panics. The one `unreachable!` in the machine guards the
///   agreement between the transition table and the state's data, which the
///   test suite checks over the whole reachable state graph.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Deployment {
    resource: Arc<ResourceId>,
    created_at: Timestamp,
    applied: Configuration,
    last_success: Option<(DeploymentId, Timestamp)>,
    phase: Phase,
}

impl Deployment {
    /// A new resource whose first deployment is IN_PROGRESS, created at `at`.
    ///
    /// The wire requires template fields from the start, so the applied
    /// configuration of a resource that never succeeded is the one it was
    /// created with.
    pub fn create(
        resource: ResourceId,
        at: Timestamp,
        deployment_id: DeploymentId,
        configuration: Configuration,
        client_token: Option<ClientToken>,
    ) -> Self {
        Self {
            resource: Arc::new(resource),
            created_at: at,
            applied: configuration.clone(),
            last_success: None,
            phase: Phase::Deploying {
                attempt: Attempt {
                    id: deployment_id,
                    at,
                    client_token,
                },
                target: configuration,
                cancellation: None,
            },
        }
    }

    /// A resource at rest in `seed`, created at `created_at` with `applied`
    /// in place and no deployment attempt on record (for seeding a server
    /// and for tests).
    pub fn seeded(
        resource: ResourceId,
        created_at: Timestamp,
        applied: Configuration,
        seed: Seed,
    ) -> Self {
        let rest = match seed {
            Seed::Succeeded => Rest::Succeeded,
            Seed::Failed(m) => Rest::Failed(m),
            Seed::Cancelled => Rest::Cancelled,
            Seed::DeleteFailed(m) => Rest::DeleteFailed(m),
            Seed::DeleteComplete => Rest::DeleteComplete,
        };
        Self {
            resource: Arc::new(resource),
            created_at,
            applied,
            last_success: None,
            phase: Phase::Resting {
                last_attempt: None,
                rest,
            },
        }
    }

    /// Applies one input and says what it did.
    ///
    /// ```
    /// use proton_cancel::*;
    ///
    /// # let name = |s: &str| ResourceName::new(s).unwrap();
    /// # let v = |s: &str| TemplateVersion::new(s).unwrap();
    /// # let config = |minor: &str| Configuration {
    /// #     template: Some(TemplateRef { name: name("tmpl"), major: v("1"), minor: v(minor) }),
    /// #     spec: None,
    /// # };
    /// let resource = ResourceId::Environment { name: name("prod") };
    /// let first = DeploymentId::from_u128(1);
    /// let mut env = Deployment::create(resource, Timestamp::from_secs(100), first, config("0"), None);
    ///
    /// let outcome = env.handle(Input::UpdateFinished {
    ///     at: Timestamp::from_secs(160),
    ///     deployment_id: first,
    ///     result: EngineResult::Succeeded,
    /// });
    /// assert_eq!(outcome.applied_status(), Some(DeploymentStatus::Succeeded));
    ///
    /// // A cancel after the fact is refused and changes nothing.
    /// let before = env.clone();
    /// let outcome = env.handle(Input::Cancel { at: Timestamp::from_secs(170) });
    /// assert!(matches!(outcome, Outcome::Rejected(Rejection::Conflict { .. })));
    /// assert_eq!(env, before);
    /// ```
    pub fn handle(&mut self, input: Input) -> Outcome {
        let from = self.stage();
        let kind = self.classify(&input);
        match transition_rule(from, kind) {
            Rule::Enter(to) => {
                if !self.advance_cancellation(to) {
                    self.enter(to, input);
                }
                Outcome::Applied(Transition { from, to })
            }
            Rule::Ignore(reason) => Outcome::Ignored(reason),
            Rule::Conflict(reason) => Outcome::Rejected(Rejection::Conflict {
                input: kind,
                resource: Arc::clone(&self.resource),
                status: from.status(),
                reason,
            }),
            Rule::NotFound => Outcome::Rejected(Rejection::NotFound {
                input: kind,
                resource: Arc::clone(&self.resource),
            }),
        }
    }

    /// What the transition table calls `input` in the current state.
    #[inline]
    pub fn classify(&self, input: &Input) -> InputKind {
        let is_current = |id: &DeploymentId| self.last_attempted_deployment_id() == Some(*id);
        match input {
            Input::Update {
                target,
                client_token: Some(token),
                ..
            } => match &self.phase {
                Phase::Deploying {
                    attempt,
                    target: running,
                    ..
                } if attempt.client_token.as_ref() == Some(token) => {
                    if running == target {
                        InputKind::UpdateReplay
                    } else {
                        InputKind::UpdateTokenReused
                    }
                }
                _ => InputKind::Update,
            },
            Input::Update { .. } => InputKind::Update,
            Input::Cancel { .. } => InputKind::Cancel,
            Input::Delete { .. } => InputKind::Delete,
            Input::UpdateFinished {
                deployment_id,
                result,
                ..
            } if is_current(deployment_id) => match result {
                EngineResult::Succeeded => InputKind::UpdateSucceeded,
                EngineResult::Failed(_) => InputKind::UpdateFailed,
            },
            Input::CancellationStarted { deployment_id, .. } if is_current(deployment_id) => {
                InputKind::CancellationStarted
            }
            Input::CancellationFinished {
                deployment_id,
                result,
                ..
            } if is_current(deployment_id) => match result {
                EngineResult::Succeeded => InputKind::CancellationSucceeded,
                EngineResult::Failed(_) => InputKind::CancellationFailed,
            },
            Input::DeleteFinished { result, .. } => match result {
                EngineResult::Succeeded => InputKind::DeleteSucceeded,
                EngineResult::Failed(_) => InputKind::DeleteFailed,
            },
            Input::UpdateFinished { .. }
            | Input::CancellationStarted { .. }
            | Input::CancellationFinished { .. } => InputKind::StaleReport,
        }
    }

    /// Within a running attempt only the cancellation phase changes on the
    /// way to CANCELLING (requested, then started): set it in place rather
    /// than move the whole phase out and back. `false` when `to` is not such
    /// a step.
    fn advance_cancellation(&mut self, to: Stage) -> bool {
        let next = match to {
            Stage::CancellationRequested => CancellationPhase::Requested,
            Stage::CancellationStarted => CancellationPhase::Started,
            _ => return false,
        };
        match &mut self.phase {
            Phase::Deploying { cancellation, .. } => {
                *cancellation = Some(next);
                true
            }
            Phase::Resting { .. } => false,
        }
    }

    /// Moves to `to`, which the transition table chose for `input`, carrying
    /// over exactly the data the new phase holds.
    ///
    /// Kept out of line: it moves whole phases, and inlined into
    /// [`Deployment::handle`] its large stack frame would be paid by every
    /// input, including the ones that are ignored or rejected.
    #[inline(never)]
    fn enter(&mut self, to: Stage, input: Input) {
        let placeholder = Phase::Resting {
            last_attempt: None,
            rest: Rest::DeleteComplete,
        };
        let previous = mem::replace(&mut self.phase, placeholder);
        self.phase = match (to, previous, input) {
            (
                Stage::InProgress,
                Phase::Resting { .. },
                Input::Update {
                    at,
                    deployment_id,
                    target,
                    client_token,
                },
            ) => Phase::Deploying {
                attempt: Attempt {
                    id: deployment_id,
                    at,
                    client_token,
                },
                target,
                cancellation: None,
            },
            (
                Stage::Succeeded,
                Phase::Deploying {
                    attempt, target, ..
                },
                Input::UpdateFinished {
                    result: EngineResult::Succeeded,
                    ..
                },
            ) => {
                self.applied = target;
                self.last_success = Some((attempt.id, attempt.at));
                Phase::Resting {
                    last_attempt: Some(attempt),
                    rest: Rest::Succeeded,
                }
            }
            (
                Stage::Failed,
                Phase::Deploying { attempt, .. },
                Input::UpdateFinished {
                    result: EngineResult::Failed(reason),
                    ..
                }
                | Input::CancellationFinished {
                    result: EngineResult::Failed(reason),
                    ..
                },
            ) => Phase::Resting {
                last_attempt: Some(attempt),
                rest: Rest::Failed(reason),
            },
            (
                Stage::Cancelled,
                Phase::Deploying { attempt, .. },
                Input::CancellationFinished {
                    result: EngineResult::Succeeded,
                    ..
                },
            ) => Phase::Resting {
                last_attempt: Some(attempt),
                rest: Rest::Cancelled,
            },
            (
                Stage::DeleteInProgress,
                Phase::Resting { last_attempt, .. },
                Input::Delete { .. },
            ) => Phase::Resting {
                last_attempt,
                rest: Rest::DeleteInProgress,
            },
            (
                Stage::DeleteComplete,
                Phase::Resting { last_attempt, .. },
                Input::DeleteFinished {
                    result: EngineResult::Succeeded,
                    ..
                },
            ) => Phase::Resting {
                last_attempt,
                rest: Rest::DeleteComplete,
            },
            (
                Stage::DeleteFailed,
                Phase::Resting { last_attempt, .. },
                Input::DeleteFinished {
                    result: EngineResult::Failed(reason),
                    ..
                },
            ) => Phase::Resting {
                last_attempt,
                rest: Rest::DeleteFailed(reason),
            },
            (to, previous, input) => unreachable!(
                "transition table entered {to:?} from {previous:?} on {input:?}, \
                 which the state's data cannot follow"
            ),
        };
    }

    /// The resource this deployment belongs to.
    pub fn resource(&self) -> &ResourceId {
        &self.resource
    }

    /// The stage: the status, with CANCELLING split into requested and
    /// started.
    pub fn stage(&self) -> Stage {
        match &self.phase {
            Phase::Deploying { cancellation, .. } => match cancellation {
                None => Stage::InProgress,
                Some(CancellationPhase::Requested) => Stage::CancellationRequested,
                Some(CancellationPhase::Started) => Stage::CancellationStarted,
            },
            Phase::Resting { rest, .. } => match rest {
                Rest::Succeeded => Stage::Succeeded,
                Rest::Failed(_) => Stage::Failed,
                Rest::Cancelled => Stage::Cancelled,
                Rest::DeleteInProgress => Stage::DeleteInProgress,
                Rest::DeleteFailed(_) => Stage::DeleteFailed,
                Rest::DeleteComplete => Stage::DeleteComplete,
            },
        }
    }

    /// `deploymentStatus`.
    pub fn status(&self) -> DeploymentStatus {
        self.stage().status()
    }

    /// While CANCELLING: whether the cancellation attempt has started.
    pub fn cancellation(&self) -> Option<CancellationPhase> {
        match &self.phase {
            Phase::Deploying { cancellation, .. } => *cancellation,
            Phase::Resting { .. } => None,
        }
    }

    /// The configuration of the last successful deployment (`spec`,
    /// `templateName`, `templateMajorVersion`, `templateMinorVersion`).
    pub fn applied(&self) -> &Configuration {
        &self.applied
    }

    /// The running attempt's target; `None` when no attempt runs.
    pub fn target(&self) -> Option<&Configuration> {
        match &self.phase {
            Phase::Deploying { target, .. } => Some(target),
            Phase::Resting { .. } => None,
        }
    }

    /// `createdAt`.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    fn last_attempt(&self) -> Option<&Attempt> {
        match &self.phase {
            Phase::Deploying { attempt, .. } => Some(attempt),
            Phase::Resting { last_attempt, .. } => last_attempt.as_ref(),
        }
    }

    /// `lastAttemptedDeploymentId`: the running attempt's id, or the last
    /// one's; engine reports about any other id are stale.
    pub fn last_attempted_deployment_id(&self) -> Option<DeploymentId> {
        self.last_attempt().map(|a| a.id)
    }

    /// `lastDeploymentAttemptedAt`: when the last attempt started, or
    /// `createdAt` for a resource with no attempt on record.
    pub fn last_deployment_attempted_at(&self) -> Timestamp {
        self.last_attempt().map_or(self.created_at, |a| a.at)
    }

    /// `lastClientRequestToken`: the client token of the last attempt's
    /// update call, if it had one.
    pub fn last_client_request_token(&self) -> Option<&ClientToken> {
        self.last_attempt().and_then(|a| a.client_token.as_ref())
    }

    /// `lastSucceededDeploymentId`.
    pub fn last_succeeded_deployment_id(&self) -> Option<DeploymentId> {
        self.last_success.map(|(id, _)| id)
    }

    /// `lastDeploymentSucceededAt`: the start time of the last successful
    /// attempt, or `createdAt` before any success.
    pub fn last_deployment_succeeded_at(&self) -> Timestamp {
        self.last_success.map_or(self.created_at, |(_, at)| at)
    }

    /// `deploymentStatusMessage`: the failure reason on FAILED and
    /// DELETE_FAILED, [`CANCELLED_MESSAGE`] on CANCELLED, otherwise none.
    pub fn status_message(&self) -> Option<&str> {
        match &self.phase {
            Phase::Resting {
                rest: Rest::Failed(m) | Rest::DeleteFailed(m),
                ..
            } => Some(m.as_str()),
            Phase::Resting {
                rest: Rest::Cancelled,
                ..
            } => Some(CANCELLED_MESSAGE),
            _ => None,
        }
    }
}
