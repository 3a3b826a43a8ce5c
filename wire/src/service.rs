//! The views of services: a service instance's summary (ListServiceInstances)
//! and the `Service` shape (GetService).

use proton_cancel::{
    DeploymentId, DeploymentStatus, ResourceName, StatusMessage, TemplateVersion, Timestamp,
};
use serde::{Deserialize, Serialize};

use crate::shape::{ServiceInstance, ServicePipeline};

/// The `ServiceInstanceSummary` shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // members are documented by their wire names
#[non_exhaustive]
pub struct ServiceInstanceSummary {
    pub arn: String,
    pub created_at: Timestamp,
    pub deployment_status: DeploymentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_status_message: Option<StatusMessage>,
    pub environment_name: ResourceName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_deployment_id: Option<DeploymentId>,
    pub last_deployment_attempted_at: Timestamp,
    pub last_deployment_succeeded_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_succeeded_deployment_id: Option<DeploymentId>,
    pub name: ResourceName,
    pub service_name: ResourceName,
    pub template_major_version: TemplateVersion,
    pub template_minor_version: TemplateVersion,
    pub template_name: ResourceName,
}

impl From<ServiceInstance> for ServiceInstanceSummary {
    fn from(s: ServiceInstance) -> Self {
        Self {
            arn: s.arn,
            created_at: s.created_at,
            deployment_status: s.deployment_status,
            deployment_status_message: s.deployment_status_message,
            environment_name: s.environment_name,
            last_attempted_deployment_id: s.last_attempted_deployment_id,
            last_deployment_attempted_at: s.last_deployment_attempted_at,
            last_deployment_succeeded_at: s.last_deployment_succeeded_at,
            last_succeeded_deployment_id: s.last_succeeded_deployment_id,
            name: s.name,
            service_name: s.service_name,
            template_major_version: s.template_major_version,
            template_minor_version: s.template_minor_version,
            template_name: s.template_name,
        }
    }
}

/// `ServiceStatus`: the status of a service as a whole. The emulator keeps
/// no service lifecycle, so a service it knows is [`ServiceStatus::Active`].
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
#[allow(missing_docs)] // the variants are the model's values
pub enum ServiceStatus {
    CreateInProgress,
    CreateFailedCleanupInProgress,
    CreateFailedCleanupComplete,
    CreateFailedCleanupFailed,
    CreateFailed,
    Active,
    DeleteInProgress,
    DeleteFailed,
    UpdateInProgress,
    UpdateFailedCleanupInProgress,
    UpdateFailedCleanupComplete,
    UpdateFailedCleanupFailed,
    UpdateFailed,
    UpdateCompleteCleanupFailed,
}

/// The `Service` shape (the members this crate knows of).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // members are documented by their wire names
#[non_exhaustive]
pub struct Service {
    pub arn: String,
    pub created_at: Timestamp,
    pub last_modified_at: Timestamp,
    pub name: ResourceName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<ServicePipeline>,
    pub spec: String,
    pub status: ServiceStatus,
    pub template_name: ResourceName,
}

impl Service {
    /// An ACTIVE service named `name` whose template is `template_name`,
    /// with its pipeline if it has one. `spec` is the service's spec as
    /// the emulator knows it.
    pub fn new(
        name: ResourceName,
        arn: String,
        template_name: ResourceName,
        spec: String,
        (created_at, last_modified_at): (Timestamp, Timestamp),
        pipeline: Option<ServicePipeline>,
    ) -> Self {
        Self {
            arn,
            created_at,
            last_modified_at,
            name,
            pipeline,
            spec,
            status: ServiceStatus::Active,
            template_name,
        }
    }
}
