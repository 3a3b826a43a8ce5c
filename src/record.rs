//! The record of one deployment attempt: what an embedding keeps per
//! attempt (the wire's `Deployment` shape), written from the transitions
//! the machine returns, never from its getters.

use serde::{Deserialize, Serialize};

use crate::machine::Transition;
use crate::observed::Observed;
use crate::resource::{Configuration, ResourceId};
use crate::status::DeploymentStatus;
use crate::time::Timestamp;
use crate::values::{DeploymentId, StatusMessage};

/// One deployment attempt as it went: started by the transition whose
/// effect starts it, moved by every later transition that names it
/// ([`Transition::attempt`]), settled once.
///
/// A cancelled attempt's record ends CANCELLED, and the update that won
/// its race against a cancel ends SUCCEEDED: the record follows what the
/// machine did, whatever was asked.
///
/// Its serde form is a camelCase object of every field (`null` for one
/// that is absent); an embedding may store it as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct AttemptRecord {
    /// The attempt.
    pub deployment_id: DeploymentId,
    /// The resource it deploys.
    pub resource: ResourceId,
    /// When the resource was created.
    pub resource_created_at: Timestamp,
    /// When the attempt started.
    pub started_at: Timestamp,
    /// When a transition last moved it.
    pub modified_at: Timestamp,
    /// When it settled (SUCCEEDED, FAILED or CANCELLED); `None` while it
    /// runs.
    pub completed_at: Option<Timestamp>,
    /// Its status: the resource's, as the last transition that moved it
    /// left it.
    pub status: DeploymentStatus,
    /// The resource's status message after that transition.
    pub status_message: Option<StatusMessage>,
    /// The resource's last attempt when this one started.
    pub previous_attempt: Option<DeploymentId>,
    /// The resource's last successful attempt when this one started.
    pub previous_success: Option<DeploymentId>,
    /// The configuration the attempt started from (the applied one).
    pub initial: Configuration,
    /// The configuration it deploys.
    pub target: Configuration,
}

impl AttemptRecord {
    /// The record of attempt `deployment_id`, started at `at` towards
    /// `target` on a resource that was in the state `before`: IN_PROGRESS.
    pub fn start(
        deployment_id: DeploymentId,
        at: Timestamp,
        before: &Observed,
        target: Configuration,
    ) -> Self {
        Self {
            deployment_id,
            resource: before.resource.clone(),
            resource_created_at: before.created_at,
            started_at: at,
            modified_at: at,
            completed_at: None,
            status: DeploymentStatus::InProgress,
            status_message: None,
            previous_attempt: before.last_attempt.as_ref().map(|a| a.deployment_id),
            previous_success: before.last_success.map(|s| s.deployment_id),
            initial: before.applied.clone(),
            target,
        }
    }

    /// Follows a transition applied at `at`: only a transition that names
    /// this attempt changes it, and only until it settles. Its status
    /// becomes the transition's `to` status, its message `message` (the
    /// resource's after the transition), and a settled status sets
    /// `completed_at`. Returns whether the record changed.
    pub fn follow(
        &mut self,
        at: Timestamp,
        transition: &Transition,
        message: Option<&StatusMessage>,
    ) -> bool {
        if transition.attempt != Some(self.deployment_id) || self.completed_at.is_some() {
            return false;
        }
        let status = transition.to.status();
        let settled = matches!(
            status,
            DeploymentStatus::Succeeded | DeploymentStatus::Failed | DeploymentStatus::Cancelled
        );
        self.status = status;
        self.modified_at = at;
        if settled {
            self.completed_at = Some(at);
        }
        self.status_message = message.cloned();
        true
    }
}
