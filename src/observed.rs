//! Everything observable about one deployment, as one value: what
//! [`Deployment::observe`](crate::Deployment::observe) gives and
//! [`Deployment::restore`](crate::Deployment::restore) takes.

use serde::{Deserialize, Serialize};

use crate::resource::{Configuration, ResourceId, ResourceKind};
use crate::status::DeploymentStatus;
use crate::time::Timestamp;
use crate::values::{ClientToken, DeploymentId, StatusMessage};

/// A deployment attempt: `lastAttemptedDeploymentId`,
/// `lastDeploymentAttemptedAt` and `lastClientRequestToken`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attempt {
    /// The attempt's id.
    pub deployment_id: DeploymentId,
    /// When the update that started it was accepted.
    pub at: Timestamp,
    /// The update call's idempotency token, if it had one.
    pub client_token: Option<ClientToken>,
}

/// The last successful attempt: `lastSucceededDeploymentId` and
/// `lastDeploymentSucceededAt` (the attempt's start time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Success {
    /// The attempt's id.
    pub deployment_id: DeploymentId,
    /// When the attempt started.
    pub at: Timestamp,
}

/// Everything observable about one deployment: every field the wire shows
/// for the resource, plus the two it does not (the running attempt's
/// target, and whether a cancellation has started).
///
/// `Debug` leaves out the sensitive values (the specs and the status
/// message), as the AWS SDK does; `==` still compares them.
///
/// "No attempt yet" is `last_attempt: None`, distinct from an attempt made
/// at creation; the wire, which requires `lastDeploymentAttemptedAt`, shows
/// `createdAt` in its place.
///
/// The struct is `#[non_exhaustive]`, since AWS may add fields: build one
/// with [`Observed::new`] and set the fields that differ.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Observed {
    /// The resource.
    pub resource: ResourceId,
    /// `deploymentStatus`.
    pub status: DeploymentStatus,
    /// While CANCELLING: whether the engine has started the cancellation.
    /// `None` in every other status.
    pub cancellation: Option<CancellationPhase>,
    /// `deploymentStatusMessage`: the failure reason on FAILED and
    /// DELETE_FAILED, [`StatusMessage::CANCELLED`] on CANCELLED, otherwise
    /// none.
    pub status_message: Option<StatusMessage>,
    /// `createdAt`.
    pub created_at: Timestamp,
    /// The configuration of the last successful deployment (`spec` and the
    /// template fields, or a component's `serviceSpec`).
    pub applied: Configuration,
    /// The running attempt's target; `None` when no attempt runs.
    pub target: Option<Configuration>,
    /// The last (or running) attempt; `None` before the first.
    pub last_attempt: Option<Attempt>,
    /// The last successful attempt; `None` before the first success.
    pub last_success: Option<Success>,
}

impl Observed {
    /// A resource at rest: SUCCEEDED with `applied` in place since
    /// `created_at`, and no attempt on record. Set the other fields to
    /// describe any other state.
    pub fn new(resource: ResourceId, created_at: Timestamp, applied: Configuration) -> Self {
        Self {
            resource,
            status: DeploymentStatus::Succeeded,
            cancellation: None,
            status_message: None,
            created_at,
            applied,
            target: None,
            last_attempt: None,
            last_success: None,
        }
    }
}

/// Whether the engine has begun a requested cancellation. The wire shows
/// CANCELLING either way; the race rule needs the difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancellationPhase {
    /// Cancel was accepted; the engine has not started rolling back, so the
    /// update can still finish first and win.
    Requested,
    /// The engine is rolling back; the cancellation's own result decides.
    Started,
}

/// Why an [`Observed`] value (or a stored snapshot) does not describe a
/// state the machine can be in. Nothing is guessed: the value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RestoreError {
    /// The status is one this crate does not know.
    #[error("unknown deployment status \"{status}\": a machine is only ever in one of the eight")]
    UnknownStatus {
        /// The status as given.
        status: String,
    },
    /// A configuration has the form of another kind of resource.
    #[error("the {which} does not fit a {kind}: a {kind} deploys {}", form(*.kind))]
    ConfigurationKind {
        /// The resource's kind.
        kind: ResourceKind,
        /// Which configuration: `applied configuration`, `target` or
        /// `configuration`.
        which: &'static str,
    },
    /// IN_PROGRESS or CANCELLING without the running attempt or its target.
    #[error("a {status} resource has a running attempt: its last attempt and target are required")]
    MissingAttempt {
        /// The status.
        status: DeploymentStatus,
    },
    /// A target where no attempt runs.
    #[error("a {status} resource runs no attempt, so it has no target")]
    UnexpectedTarget {
        /// The status.
        status: DeploymentStatus,
    },
    /// CANCELLING without its cancellation phase (requested or started).
    #[error(
        "a CANCELLING resource needs its cancellation phase (requested or started): none is given"
    )]
    MissingCancellationPhase,
    /// A cancellation phase on a status other than CANCELLING.
    #[error("a {status} resource has no cancellation phase: only a CANCELLING one does")]
    UnexpectedCancellationPhase {
        /// The status.
        status: DeploymentStatus,
    },
    /// FAILED or DELETE_FAILED without its reason.
    #[error("a {status} resource needs its status message (the failure reason)")]
    MissingStatusMessage {
        /// The status.
        status: DeploymentStatus,
    },
    /// A status message on a status that has none.
    #[error("a {status} resource has no status message")]
    UnexpectedStatusMessage {
        /// The status.
        status: DeploymentStatus,
    },
    /// CANCELLED with a message other than AWS's.
    #[error("a CANCELLED resource's status message is exactly \"User initiated cancellation.\"")]
    CancelledMessage,
    /// A last success but no last attempt.
    #[error("a last success is always an attempt: the last attempt is required")]
    SuccessWithoutAttempt,
    /// SUCCEEDED, but the last attempt is not the last success.
    #[error(
        "a SUCCEEDED resource's last attempt is its last success (same deployment id and time)"
    )]
    SucceededWithoutSuccess,
    /// A snapshot written in a schema this build does not read.
    #[error(
        "snapshot schema version {found} is not supported: this build reads version {supported}"
    )]
    SchemaVersion {
        /// The version the snapshot names.
        found: u64,
        /// The version this build reads.
        supported: u64,
    },
}

fn form(kind: ResourceKind) -> &'static str {
    if kind.deploys_a_template() {
        "a template version"
    } else {
        "a service spec and no template"
    }
}
