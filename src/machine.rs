//! The deployment state machine of one resource: API calls and engine reports
//! in, typed outcomes and the effects the embedding must carry out out. No
//! I/O; time is carried by every input.

use std::fmt;
use std::mem;
use std::sync::Arc;

use crate::observed::{Attempt, CancellationPhase, Observed, RestoreError, Success};
use crate::resource::{Configuration, ResourceId, ResourceKind};
use crate::status::DeploymentStatus;
use crate::table::{ConflictReason, IgnoreReason, InputKind, Rule, Stage, transition_rule};
use crate::time::Timestamp;
use crate::values::{ClientToken, DeploymentId, StatusMessage};

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
        /// What the attempt deploys; its form must fit the resource's kind.
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

/// What the embedding must now do because an input was applied: the
/// machine's only output besides its state. A server starts engine work
/// for each effect (and stores the state and the work together); it never
/// works out what to do from the state's getters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Effect {
    /// Start deploying attempt `deployment_id` towards `target`; the engine
    /// answers with [`Input::UpdateFinished`] for that id.
    StartDeployment {
        /// The new attempt.
        deployment_id: DeploymentId,
        /// What it deploys. Boxed so that every [`Outcome`] stays small:
        /// the Cancel path returns one in a few stores.
        target: Box<Configuration>,
    },
    /// Start cancelling attempt `deployment_id`; the engine answers with
    /// [`Input::CancellationStarted`] and [`Input::CancellationFinished`] for
    /// that id. The update may still finish first: then the cancellation
    /// reports are ignored and the cancel has no effect.
    StartCancellation {
        /// The attempt to cancel.
        deployment_id: DeploymentId,
    },
    /// Start deleting the resource; the engine answers with
    /// [`Input::DeleteFinished`].
    StartDeletion,
}

/// An applied input: the deployment moved from one stage to another, and
/// the embedding may have work to start.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Transition {
    /// The stage before the input.
    pub from: Stage,
    /// The stage after it.
    pub to: Stage,
    /// The deployment attempt the input moved: the one an update starts,
    /// or the running one that a cancel or an engine report about it
    /// moves. `None` for a deletion, which moves no attempt. An embedding
    /// that keeps a record per attempt updates this one's, to `to`.
    pub attempt: Option<DeploymentId>,
    /// What the embedding must now do, if anything.
    pub effect: Option<Effect>,
}

/// What one input did. Exactly one of three things happens to every input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    /// The input was applied: the state changed (to the status
    /// `transition.to.status()`), and `transition.effect` says what the
    /// embedding must do next.
    Applied(Transition),
    /// Nothing changed, and nothing was wrong: an engine report that lost a
    /// race or came late, or an idempotent update replay.
    Ignored(IgnoreReason),
    /// The API call was refused; nothing changed.
    Rejected(Rejection),
}

impl Outcome {
    /// `true` when the input changed the state.
    pub fn is_applied(&self) -> bool {
        matches!(self, Self::Applied(_))
    }

    /// The status after the input, when it was applied.
    pub fn status_after(&self) -> Option<DeploymentStatus> {
        match self {
            Self::Applied(t) => Some(t.to.status()),
            _ => None,
        }
    }

    /// The transition, when the input was applied.
    pub fn transition(&self) -> Option<&Transition> {
        match self {
            Self::Applied(t) => Some(t),
            _ => None,
        }
    }

    /// What the embedding must now do: `None` unless the input was applied
    /// and started work.
    pub fn effect(&self) -> Option<&Effect> {
        self.transition().and_then(|t| t.effect.as_ref())
    }

    /// Why the input was ignored, when it was.
    pub fn ignore_reason(&self) -> Option<IgnoreReason> {
        match self {
            Self::Ignored(reason) => Some(*reason),
            _ => None,
        }
    }

    /// The rejection, when the call was refused.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Self::Rejected(rejection) => Some(rejection),
            _ => None,
        }
    }
}

impl fmt::Display for Outcome {
    /// `applied: IN_PROGRESS -> CANCELLING (requested)`,
    /// `ignored: <reason>`, `rejected: <message>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Applied(t) => write!(f, "applied: {} -> {}", t.from, t.to),
            Self::Ignored(reason) => write!(f, "ignored: {reason}"),
            Self::Rejected(rejection) => write!(f, "rejected: {rejection}"),
        }
    }
}

/// Why an API call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectionReason {
    /// The call conflicts with the resource's deployment status
    /// (`ConflictException` on the wire).
    Conflict(ConflictReason),
    /// The resource was deleted (`ResourceNotFoundException`).
    NotFound,
    /// An update's target has the form of another kind of resource (a
    /// template for a component, or no template for the others). The
    /// embedding built the input wrong; no request can cause it.
    ConfigurationKind,
}

/// An API call the machine refused; the state did not change.
///
/// Its message names the call, the resource, its status and the rule:
/// `cannot cancel the deployment of service instance 'web' of service
/// 'shop': its deployment status is SUCCEEDED; only a deployment that is
/// IN_PROGRESS can be cancelled`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    input: InputKind,
    // Shared with the deployment, so that refusing a call never allocates.
    resource: Arc<ResourceId>,
    stage: Stage,
    reason: RejectionReason,
}

impl Rejection {
    /// The kind of the refused call.
    pub fn input(&self) -> InputKind {
        self.input
    }

    /// The resource it was addressed to.
    pub fn resource(&self) -> &ResourceId {
        &self.resource
    }

    /// The resource's status, unchanged.
    pub fn status(&self) -> DeploymentStatus {
        self.stage.status()
    }

    /// Why the call was refused.
    pub fn reason(&self) -> RejectionReason {
        self.reason
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.input {
            InputKind::Update | InputKind::UpdateReplay | InputKind::UpdateTokenReused => "update",
            InputKind::Cancel => "cancel the deployment of",
            InputKind::Delete => "delete",
            _ => "apply an engine report to",
        };
        let resource = &self.resource;
        match self.reason {
            RejectionReason::Conflict(reason) => write!(
                f,
                "cannot {verb} {resource}: its deployment status is {}; {reason}",
                self.status()
            ),
            RejectionReason::NotFound => write!(
                f,
                "cannot {verb} {resource}: it does not exist (its deployment status is \
                 DELETE_COMPLETE)"
            ),
            RejectionReason::ConfigurationKind => write!(
                f,
                "cannot {verb} {resource}: a {} deploys {}",
                resource.kind(),
                configuration_form(resource.kind())
            ),
        }
    }
}

impl std::error::Error for Rejection {}

/// The form of configuration `kind` deploys, for messages.
fn configuration_form(kind: ResourceKind) -> &'static str {
    if kind.deploys_a_template() {
        "a template version, and the target has none"
    } else {
        "a service spec and no template, and the target has a template"
    }
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
/// # The cancel race
///
/// A Cancel is accepted only while an attempt is IN_PROGRESS; the resource
/// shows CANCELLING at once ([`Stage::CancellationRequested`]) and the
/// machine asks the embedding to start cancelling
/// ([`Effect::StartCancellation`]). From there the engine's reports race:
///
/// - the engine starts rolling back ([`Input::CancellationStarted`], or a
///   [`Input::CancellationFinished`], which implies the start) before the
///   update finishes: the cancellation decides, CANCELLED when it succeeds
///   (the applied configuration is the one from before the attempt), FAILED
///   when it fails. An update report that arrives after the start is
///   ignored ([`IgnoreReason::CancellationDecides`]);
/// - the update finishes first ([`Input::UpdateFinished`] while the
///   cancellation is only requested): the update wins, SUCCEEDED (or
///   FAILED), and the cancel has no effect: the state is the one the same
///   history would reach without the Cancel. The late cancellation reports
///   are ignored ([`IgnoreReason::AttemptFinished`]).
///
/// # Kinds of methods
/// - Constructors: [`Deployment::create`] (a resource whose first
///   deployment is IN_PROGRESS, with the effect that starts it) and
///   [`Deployment::restore`] (any state, from an [`Observed`] value: what
///   the wire shows, a seed, a fixture). Serde (`Serialize`,
///   `Deserialize`) stores and loads the whole machine as a versioned
///   snapshot (`docs/snapshot.md`).
/// - Input: [`Deployment::handle`] takes one [`Input`] and returns its
///   [`Outcome`], with the [`Effect`] the embedding must carry out. It is
///   the only method that changes the state.
/// - Getters: [`Deployment::observe`] gives everything observable at once;
///   [`Deployment::resource`], [`Deployment::stage`],
///   [`Deployment::status`], [`Deployment::applied_configuration`] and
///   [`Deployment::revision`] read single values.
///
/// # Where the rules live
/// - [`transition_rule`] picks the outcome and the next stage for every
///   (stage, kind of input) pair: the table, from which the state diagram is
///   generated.
/// - The machine classifies each input against its state before asking the
///   table: a report about another deployment id is
///   [`InputKind::StaleReport`], an update repeating the running attempt's
///   client token is [`InputKind::UpdateReplay`] (same target) or
///   [`InputKind::UpdateTokenReused`] (another target), and an update whose
///   target has the wrong form for the resource is refused before the table
///   is asked ([`RejectionReason::ConfigurationKind`]).
/// - Entering a stage carries the data the new stage holds: the target
///   becomes the applied configuration on success, the failure reason
///   becomes the status message, and the effect names the work to start.
///
/// # Contract
/// - Each input is applied, ignored or rejected; ignored and rejected inputs
///   leave the state exactly as it was, revision included.
/// - [`Deployment::revision`] counts applied inputs, so a store can write
///   the state back only if nobody else did in between (compare-and-set).
/// - The machine reads no clock. Timestamps are recorded as given; feeding
///   them in order is the embedding's business.
/// - No input panics. The one `unreachable!` in the machine guards the
///   agreement between the transition table and the state's data, which the
///   exhaustive tests check for every reachable state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Deployment {
    resource: Arc<ResourceId>,
    created_at: Timestamp,
    applied: Configuration,
    last_success: Option<Success>,
    phase: Phase,
    revision: u64,
}

impl Deployment {
    /// A new resource created at `at` with its first deployment IN_PROGRESS
    /// towards `configuration`, and the effect that starts that deployment.
    ///
    /// The wire requires the template fields from the start, so the applied
    /// configuration of a resource that never succeeded is the one it was
    /// created with.
    ///
    /// # Errors
    /// [`RestoreError::ConfigurationKind`] when `configuration` does not have
    /// the form the resource's kind deploys.
    pub fn create(
        resource: ResourceId,
        at: Timestamp,
        deployment_id: DeploymentId,
        configuration: Configuration,
        client_token: Option<ClientToken>,
    ) -> Result<(Self, Effect), RestoreError> {
        check_kind(&resource, &configuration, "configuration")?;
        let effect = Effect::StartDeployment {
            deployment_id,
            target: Box::new(configuration.clone()),
        };
        let deployment = Self {
            resource: Arc::new(resource),
            created_at: at,
            applied: configuration.clone(),
            last_success: None,
            phase: Phase::Deploying {
                attempt: Attempt {
                    deployment_id,
                    at,
                    client_token,
                },
                target: configuration,
                cancellation: None,
            },
            revision: 0,
        };
        Ok((deployment, effect))
    }

    /// The machine in the state `observed` describes, at revision 0: for
    /// seeding a server, for rebuilding a machine from what the wire shows,
    /// and for tests.
    ///
    /// A running resource (IN_PROGRESS, CANCELLING) needs its attempt and
    /// target; CANCELLING needs to know whether the cancellation has started
    /// (the wire does not say: [`CancellationPhase::Requested`] is the safe
    /// reading, under which an update that finishes first still wins).
    ///
    /// # Errors
    /// A [`RestoreError`] naming the first rule the value breaks; nothing
    /// that describes an impossible state is accepted.
    pub fn restore(observed: Observed) -> Result<Self, RestoreError> {
        let Observed {
            resource,
            status,
            cancellation,
            status_message,
            created_at,
            applied,
            target,
            last_attempt,
            last_success,
        } = observed;
        if let DeploymentStatus::Unknown(unknown) = &status {
            return Err(RestoreError::UnknownStatus {
                status: unknown.as_str().to_owned(),
            });
        }
        check_kind(&resource, &applied, "applied configuration")?;
        if let Some(target) = &target {
            check_kind(&resource, target, "target")?;
        }
        let running = matches!(
            status,
            DeploymentStatus::InProgress | DeploymentStatus::Cancelling
        );
        match (&cancellation, status == DeploymentStatus::Cancelling) {
            (None, true) => return Err(RestoreError::MissingCancellationPhase),
            (Some(_), false) => return Err(RestoreError::UnexpectedCancellationPhase { status }),
            _ => {}
        }
        if !running && target.is_some() {
            return Err(RestoreError::UnexpectedTarget { status });
        }
        if last_success.is_some() && last_attempt.is_none() {
            return Err(RestoreError::SuccessWithoutAttempt);
        }
        let message = |status: &DeploymentStatus| match &status_message {
            Some(m) => Ok(m.clone()),
            None => Err(RestoreError::MissingStatusMessage {
                status: status.clone(),
            }),
        };
        let no_message = |status: &DeploymentStatus| match status_message {
            None => Ok(()),
            Some(_) => Err(RestoreError::UnexpectedStatusMessage {
                status: status.clone(),
            }),
        };
        let rest = match &status {
            DeploymentStatus::InProgress | DeploymentStatus::Cancelling => {
                no_message(&status)?;
                let (Some(attempt), Some(target)) = (last_attempt, target) else {
                    return Err(RestoreError::MissingAttempt { status });
                };
                return Ok(Self {
                    resource: Arc::new(resource),
                    created_at,
                    applied,
                    last_success,
                    phase: Phase::Deploying {
                        attempt,
                        target,
                        cancellation,
                    },
                    revision: 0,
                });
            }
            DeploymentStatus::Succeeded => {
                if let Some(attempt) = &last_attempt {
                    let expected = Success {
                        deployment_id: attempt.deployment_id,
                        at: attempt.at,
                    };
                    if last_success != Some(expected) {
                        return Err(RestoreError::SucceededWithoutSuccess);
                    }
                }
                no_message(&status)?;
                Rest::Succeeded
            }
            DeploymentStatus::Failed => Rest::Failed(message(&status)?),
            DeploymentStatus::Cancelled => {
                if status_message.as_ref().map(StatusMessage::as_str)
                    != Some(StatusMessage::CANCELLED)
                {
                    return Err(RestoreError::CancelledMessage);
                }
                Rest::Cancelled
            }
            DeploymentStatus::DeleteInProgress => {
                no_message(&status)?;
                Rest::DeleteInProgress
            }
            DeploymentStatus::DeleteFailed => Rest::DeleteFailed(message(&status)?),
            DeploymentStatus::DeleteComplete => {
                no_message(&status)?;
                Rest::DeleteComplete
            }
            // Refused above; a status a later core adds is refused the same way.
            other => {
                return Err(RestoreError::UnknownStatus {
                    status: other.as_str().to_owned(),
                });
            }
        };
        Ok(Self {
            resource: Arc::new(resource),
            created_at,
            applied,
            last_success,
            phase: Phase::Resting { last_attempt, rest },
            revision: 0,
        })
    }

    /// The same state at `revision` (for loading a stored snapshot).
    pub(crate) fn at_revision(mut self, revision: u64) -> Self {
        self.revision = revision;
        self
    }

    /// Applies one input, says what it did, and names the work it starts.
    ///
    /// ```
    /// use proton_cancel::*;
    ///
    /// # let name = |s: &str| ResourceName::new(s).unwrap();
    /// # let v = |s: &str| TemplateVersion::new(s).unwrap();
    /// # let config = |minor: &str| Configuration::Template {
    /// #     template: TemplateRef { name: name("tmpl"), major: v("1"), minor: v(minor) },
    /// #     spec: None,
    /// # };
    /// let resource = ResourceId::Environment { name: name("prod") };
    /// let first = DeploymentId::from_u128(1);
    /// let (mut env, _start) =
    ///     Deployment::create(resource, Timestamp::from_secs(100), first, config("0"), None)?;
    ///
    /// let outcome = env.handle(Input::UpdateFinished {
    ///     at: Timestamp::from_secs(160),
    ///     deployment_id: first,
    ///     result: EngineResult::Succeeded,
    /// });
    /// assert_eq!(outcome.status_after(), Some(DeploymentStatus::Succeeded));
    /// assert_eq!(outcome.effect(), None);
    ///
    /// // A cancel after the fact is refused and changes nothing.
    /// let before = env.clone();
    /// let outcome = env.handle(Input::Cancel { at: Timestamp::from_secs(170) });
    /// assert_eq!(
    ///     outcome.rejection().map(Rejection::reason),
    ///     Some(RejectionReason::Conflict(ConflictReason::NotCancellable)),
    /// );
    /// assert_eq!(env, before);
    /// # Ok::<(), RestoreError>(())
    /// ```
    pub fn handle(&mut self, input: Input) -> Outcome {
        let from = self.stage();
        if let Input::Update { target, .. } = &input
            && !target.fits(self.resource.kind())
        {
            return self.reject(InputKind::Update, from, RejectionReason::ConfigurationKind);
        }
        let kind = self.classify(&input);
        match transition_rule(from, kind) {
            Rule::Enter(to) => {
                let attempt = match &input {
                    Input::Update { deployment_id, .. }
                    | Input::UpdateFinished { deployment_id, .. }
                    | Input::CancellationStarted { deployment_id, .. }
                    | Input::CancellationFinished { deployment_id, .. } => Some(*deployment_id),
                    Input::Cancel { .. } => self.last_attempt().map(|a| a.deployment_id),
                    Input::Delete { .. } | Input::DeleteFinished { .. } => None,
                };
                let effect = match self.advance_cancellation(to) {
                    Some(effect) => effect,
                    None => self.enter(to, input),
                };
                self.revision = self.revision.saturating_add(1);
                Outcome::Applied(Transition {
                    from,
                    to,
                    attempt,
                    effect,
                })
            }
            Rule::Ignore(reason) => Outcome::Ignored(reason),
            Rule::Conflict(reason) => self.reject(kind, from, RejectionReason::Conflict(reason)),
            Rule::NotFound => self.reject(kind, from, RejectionReason::NotFound),
        }
    }

    fn reject(&self, input: InputKind, stage: Stage, reason: RejectionReason) -> Outcome {
        Outcome::Rejected(Rejection {
            input,
            resource: Arc::clone(&self.resource),
            stage,
            reason,
        })
    }

    /// What the transition table calls `input` in the current state.
    #[inline]
    fn classify(&self, input: &Input) -> InputKind {
        let is_current =
            |id: &DeploymentId| self.last_attempt().map(|a| a.deployment_id) == Some(*id);
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
    /// than move the whole phase out and back. Returns the effect of the
    /// step (a requested cancellation starts the engine's), or `None` when
    /// `to` is not such a step.
    fn advance_cancellation(&mut self, to: Stage) -> Option<Option<Effect>> {
        let next = match to {
            Stage::CancellationRequested => CancellationPhase::Requested,
            Stage::CancellationStarted => CancellationPhase::Started,
            _ => return None,
        };
        match &mut self.phase {
            Phase::Deploying {
                cancellation,
                attempt,
                ..
            } => {
                *cancellation = Some(next);
                Some(match next {
                    CancellationPhase::Requested => Some(Effect::StartCancellation {
                        deployment_id: attempt.deployment_id,
                    }),
                    CancellationPhase::Started => None,
                })
            }
            Phase::Resting { .. } => None,
        }
    }

    /// Moves to `to`, which the transition table chose for `input`, carrying
    /// over exactly the data the new phase holds, and returns the work that
    /// entering `to` starts: a new attempt's deployment or a deletion.
    ///
    /// Kept out of line: it moves whole phases, and inlined into
    /// [`Deployment::handle`] its large stack frame would be paid by every
    /// input, including the ones that are ignored or rejected.
    #[inline(never)]
    fn enter(&mut self, to: Stage, input: Input) -> Option<Effect> {
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
                    deployment_id,
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
                self.last_success = Some(Success {
                    deployment_id: attempt.deployment_id,
                    at: attempt.at,
                });
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
            // The table chose the stage from the same result.
            (
                Stage::DeleteComplete | Stage::DeleteFailed,
                Phase::Resting { last_attempt, .. },
                Input::DeleteFinished { result, .. },
            ) => Phase::Resting {
                last_attempt,
                rest: match result {
                    EngineResult::Succeeded => Rest::DeleteComplete,
                    EngineResult::Failed(reason) => Rest::DeleteFailed(reason),
                },
            },
            (to, previous, input) => unreachable!(
                "transition table entered {to:?} from {previous:?} on {input:?}, \
                 which the state's data cannot follow"
            ),
        };
        match (to, &self.phase) {
            (
                Stage::InProgress,
                Phase::Deploying {
                    attempt, target, ..
                },
            ) => Some(Effect::StartDeployment {
                deployment_id: attempt.deployment_id,
                target: Box::new(target.clone()),
            }),
            (Stage::DeleteInProgress, _) => Some(Effect::StartDeletion),
            _ => None,
        }
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

    /// The configuration the last successful deployment put in place (or
    /// the one the resource was created with, before any success).
    pub fn applied_configuration(&self) -> &Configuration {
        &self.applied
    }

    /// How many inputs have been applied since the machine was created or
    /// restored (or as stored in its snapshot). Ignored and rejected inputs
    /// leave it alone, so a store that read revision `r` can write back
    /// only where the stored revision is still `r`.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    fn last_attempt(&self) -> Option<&Attempt> {
        match &self.phase {
            Phase::Deploying { attempt, .. } => Some(attempt),
            Phase::Resting { last_attempt, .. } => last_attempt.as_ref(),
        }
    }

    /// Everything observable about the deployment, in one value: what the
    /// wire shows, and the cancellation phase it does not.
    pub fn observe(&self) -> Observed {
        let (target, cancellation) = match &self.phase {
            Phase::Deploying {
                target,
                cancellation,
                ..
            } => (Some(target.clone()), *cancellation),
            Phase::Resting { .. } => (None, None),
        };
        let status_message = match &self.phase {
            Phase::Resting {
                rest: Rest::Failed(m) | Rest::DeleteFailed(m),
                ..
            } => Some(m.clone()),
            Phase::Resting {
                rest: Rest::Cancelled,
                ..
            } => Some(StatusMessage::new(StatusMessage::CANCELLED)),
            _ => None,
        };
        Observed {
            resource: (*self.resource).clone(),
            status: self.status(),
            cancellation,
            status_message,
            created_at: self.created_at,
            applied: self.applied.clone(),
            target,
            last_attempt: self.last_attempt().cloned(),
            last_success: self.last_success,
        }
    }
}

/// `Ok` when `configuration` has the form `resource`'s kind deploys.
fn check_kind(
    resource: &ResourceId,
    configuration: &Configuration,
    which: &'static str,
) -> Result<(), RestoreError> {
    if configuration.fits(resource.kind()) {
        Ok(())
    } else {
        Err(RestoreError::ConfigurationKind {
            kind: resource.kind(),
            which,
        })
    }
}
