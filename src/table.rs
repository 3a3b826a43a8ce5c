//! The transition table: for every stage of a deployment and every kind of
//! input, what happens. [`Deployment::handle`](crate::Deployment::handle)
//! consults [`transition_rule`] for every input, and the state diagram in
//! `docs/state-machine.md` is generated from the same function, so the
//! diagram shows exactly the table the machine follows.
//!
//! The table decides *whether* an input applies and *which* stage comes
//! next. Two things sit beside it, in the machine: classifying an input
//! against the state (which deployment id is current, whether an update
//! replays the running attempt's client token, whether a target fits the
//! resource's kind), and carrying the data into the new stage (the target
//! becoming the applied configuration, the failure reason becoming the
//! status message, the effect to start).

use std::fmt;

use strum::{EnumCount, EnumIter, IntoStaticStr};

use crate::status::DeploymentStatus;

/// Where a deployment stands: its [`DeploymentStatus`], with CANCELLING split
/// into the two stages the race rule tells apart.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, EnumCount, IntoStaticStr,
)]
pub enum Stage {
    /// IN_PROGRESS: an attempt runs.
    InProgress,
    /// CANCELLING, requested: a Cancel was accepted; the engine has not yet
    /// begun rolling back, so the update can still win the race.
    CancellationRequested,
    /// CANCELLING, started: the engine began rolling back; only the
    /// cancellation attempt's own result decides the outcome.
    CancellationStarted,
    /// SUCCEEDED.
    Succeeded,
    /// FAILED.
    Failed,
    /// CANCELLED.
    Cancelled,
    /// DELETE_IN_PROGRESS.
    DeleteInProgress,
    /// DELETE_FAILED.
    DeleteFailed,
    /// DELETE_COMPLETE.
    DeleteComplete,
}

impl Stage {
    /// The status the wire shows for this stage.
    pub const fn status(self) -> DeploymentStatus {
        match self {
            Self::InProgress => DeploymentStatus::InProgress,
            Self::CancellationRequested | Self::CancellationStarted => DeploymentStatus::Cancelling,
            Self::Succeeded => DeploymentStatus::Succeeded,
            Self::Failed => DeploymentStatus::Failed,
            Self::Cancelled => DeploymentStatus::Cancelled,
            Self::DeleteInProgress => DeploymentStatus::DeleteInProgress,
            Self::DeleteFailed => DeploymentStatus::DeleteFailed,
            Self::DeleteComplete => DeploymentStatus::DeleteComplete,
        }
    }

    /// The stage's name, e.g. `CancellationRequested`.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for Stage {
    /// The wire status, with the CANCELLING stages told apart:
    /// `IN_PROGRESS`, `CANCELLING (requested)`, `CANCELLING (started)`, …
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CancellationRequested => f.write_str("CANCELLING (requested)"),
            Self::CancellationStarted => f.write_str("CANCELLING (started)"),
            other => f.write_str(other.status().as_str()),
        }
    }
}

/// The kind of an input, as the transition table sees it. The machine
/// classifies each [`Input`](crate::Input) against its current state: an
/// engine report for a deployment id other than the current one is
/// [`InputKind::StaleReport`] whatever it says, and an update that repeats
/// the running attempt's client token is a replay.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, EnumCount, IntoStaticStr,
)]
pub enum InputKind {
    /// An update call starting a new attempt.
    Update,
    /// An update call repeating the running attempt's client token with the
    /// same target.
    UpdateReplay,
    /// An update call repeating the running attempt's client token with a
    /// different target.
    UpdateTokenReused,
    /// A Cancel*Deployment call.
    Cancel,
    /// A delete call.
    Delete,
    /// The engine reports that the current attempt's update succeeded.
    UpdateSucceeded,
    /// The engine reports that the current attempt's update failed.
    UpdateFailed,
    /// The engine reports that it began cancelling the current attempt.
    CancellationStarted,
    /// The engine reports that the cancellation of the current attempt
    /// succeeded (the rollback finished).
    CancellationSucceeded,
    /// The engine reports that the cancellation of the current attempt failed.
    CancellationFailed,
    /// The engine reports that the deletion succeeded.
    DeleteSucceeded,
    /// The engine reports that the deletion failed.
    DeleteFailed,
    /// Any engine report about a deployment id that is not the current one.
    StaleReport,
}

impl InputKind {
    /// The kind's name, e.g. `UpdateSucceeded`.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// `false` for the cells of the table no input can reach: an update can
    /// only replay (or reuse) the client token of an attempt that runs, so
    /// [`InputKind::UpdateReplay`] and [`InputKind::UpdateTokenReused`] occur
    /// only in IN_PROGRESS and the two CANCELLING stages.
    pub const fn occurs_in(self, stage: Stage) -> bool {
        match self {
            Self::UpdateReplay | Self::UpdateTokenReused => matches!(
                stage,
                Stage::InProgress | Stage::CancellationRequested | Stage::CancellationStarted
            ),
            _ => true,
        }
    }

    /// `true` for the three API calls, which can be rejected; engine reports
    /// are never rejected, only ignored.
    pub const fn is_api_call(self) -> bool {
        matches!(
            self,
            Self::Update
                | Self::UpdateReplay
                | Self::UpdateTokenReused
                | Self::Cancel
                | Self::Delete
        )
    }
}

/// Why an input changed nothing although nothing was wrong with it. Engine
/// reports that lost a race end here; so does an update replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, IntoStaticStr)]
#[non_exhaustive]
pub enum IgnoreReason {
    /// The report names a deployment id other than the current attempt's.
    StaleDeploymentId,
    /// A cancellation report arrived, but no cancellation was requested.
    NoCancellationRequested,
    /// The cancellation attempt had already started.
    DuplicateCancellationStart,
    /// The update finished after the cancellation attempt started: the
    /// cancellation's own result decides the outcome.
    CancellationDecides,
    /// The current attempt had already finished (the update won the race,
    /// or the attempt failed or was cancelled).
    AttemptFinished,
    /// A deletion report arrived, but no deletion is in progress.
    NoDeletionInProgress,
    /// The update repeats the running attempt's client token and target: an
    /// idempotent replay, answered with the current state.
    IdempotentReplay,
}

impl fmt::Display for IgnoreReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StaleDeploymentId => {
                "the report is about a deployment other than the current one"
            }
            Self::NoCancellationRequested => "no cancellation was requested",
            Self::DuplicateCancellationStart => "the cancellation attempt had already started",
            Self::CancellationDecides => {
                "the cancellation attempt has started; its own result decides the outcome"
            }
            Self::AttemptFinished => "the current deployment attempt had already finished",
            Self::NoDeletionInProgress => "no deletion is in progress",
            Self::IdempotentReplay => {
                "the update repeats the running attempt's client token: nothing new starts"
            }
        })
    }
}

/// Why an API call conflicts with the resource's current state
/// (ConflictException on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, IntoStaticStr)]
#[non_exhaustive]
pub enum ConflictReason {
    /// A deployment is IN_PROGRESS: it must finish, or be cancelled, first.
    DeploymentInProgress,
    /// A cancellation is already under way (CANCELLING).
    CancellationInProgress,
    /// Only an IN_PROGRESS deployment can be cancelled.
    NotCancellable,
    /// The resource is being deleted.
    DeletionInProgress,
    /// The last deletion failed; only a new deletion is accepted.
    DeletionFailed,
    /// The running attempt's client token came again with a different target.
    ClientTokenReused,
}

impl fmt::Display for ConflictReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DeploymentInProgress => {
                "a deployment is in progress; wait for it to finish or cancel it"
            }
            Self::CancellationInProgress => {
                "a cancellation of its deployment is already in progress"
            }
            Self::NotCancellable => "only a deployment that is IN_PROGRESS can be cancelled",
            Self::DeletionInProgress => "it is being deleted",
            Self::DeletionFailed => "its deletion failed, and only a new deletion is accepted",
            Self::ClientTokenReused => {
                "the client token of the running deployment was sent again with a different \
                 configuration"
            }
        })
    }
}

/// One cell of the transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The input is applied and the deployment enters this stage.
    Enter(Stage),
    /// The input changes nothing, for this reason.
    Ignore(IgnoreReason),
    /// The API call is refused: ConflictException.
    Conflict(ConflictReason),
    /// The API call is refused: the resource no longer exists
    /// (ResourceNotFoundException).
    NotFound,
}

/// The transition table: what `kind` does to a deployment in `stage`.
///
/// Total over both enums: every (stage, kind) pair has exactly one rule.
/// The kind comes from the machine's classification of the input (see the
/// module documentation for what that decides).
pub const fn transition_rule(stage: Stage, kind: InputKind) -> Rule {
    use InputKind as K;
    use Rule::{Conflict, Enter, Ignore, NotFound};
    use Stage as S;

    // Calls first. Deleted resources are gone for every call.
    if matches!(stage, S::DeleteComplete) && kind.is_api_call() {
        return NotFound;
    }
    match kind {
        K::Update | K::UpdateReplay | K::UpdateTokenReused => match stage {
            S::InProgress => match kind {
                K::UpdateReplay => Ignore(IgnoreReason::IdempotentReplay),
                K::UpdateTokenReused => Conflict(ConflictReason::ClientTokenReused),
                _ => Conflict(ConflictReason::DeploymentInProgress),
            },
            S::CancellationRequested | S::CancellationStarted => {
                Conflict(ConflictReason::CancellationInProgress)
            }
            S::Succeeded | S::Failed | S::Cancelled => Enter(S::InProgress),
            S::DeleteInProgress => Conflict(ConflictReason::DeletionInProgress),
            S::DeleteFailed | S::DeleteComplete => Conflict(ConflictReason::DeletionFailed),
        },
        K::Cancel => match stage {
            S::InProgress => Enter(S::CancellationRequested),
            S::CancellationRequested | S::CancellationStarted => {
                Conflict(ConflictReason::CancellationInProgress)
            }
            _ => Conflict(ConflictReason::NotCancellable),
        },
        K::Delete => match stage {
            S::InProgress => Conflict(ConflictReason::DeploymentInProgress),
            S::CancellationRequested | S::CancellationStarted => {
                Conflict(ConflictReason::CancellationInProgress)
            }
            S::Succeeded | S::Failed | S::Cancelled | S::DeleteFailed => Enter(S::DeleteInProgress),
            S::DeleteInProgress | S::DeleteComplete => Conflict(ConflictReason::DeletionInProgress),
        },
        K::UpdateSucceeded | K::UpdateFailed => match stage {
            S::InProgress | S::CancellationRequested => Enter(match kind {
                K::UpdateSucceeded => S::Succeeded,
                _ => S::Failed,
            }),
            S::CancellationStarted => Ignore(IgnoreReason::CancellationDecides),
            _ => Ignore(IgnoreReason::AttemptFinished),
        },
        K::CancellationStarted => match stage {
            S::InProgress => Ignore(IgnoreReason::NoCancellationRequested),
            S::CancellationRequested => Enter(S::CancellationStarted),
            S::CancellationStarted => Ignore(IgnoreReason::DuplicateCancellationStart),
            _ => Ignore(IgnoreReason::AttemptFinished),
        },
        K::CancellationSucceeded | K::CancellationFailed => match stage {
            S::InProgress => Ignore(IgnoreReason::NoCancellationRequested),
            S::CancellationRequested | S::CancellationStarted => Enter(match kind {
                K::CancellationSucceeded => S::Cancelled,
                _ => S::Failed,
            }),
            _ => Ignore(IgnoreReason::AttemptFinished),
        },
        K::DeleteSucceeded | K::DeleteFailed => match stage {
            S::DeleteInProgress => Enter(match kind {
                K::DeleteSucceeded => S::DeleteComplete,
                _ => S::DeleteFailed,
            }),
            _ => Ignore(IgnoreReason::NoDeletionInProgress),
        },
        K::StaleReport => Ignore(IgnoreReason::StaleDeploymentId),
    }
}
