//! The operations of the AWS JSON 1.0 protocol this crate speaks, and the
//! `X-Amz-Target` header that names them.

use crate::echo::Echo;
use crate::error::{ApiError, ErrorCode};

/// The prefix of every `X-Amz-Target` header value of the service.
pub const TARGET_PREFIX: &str = "AwsProton20200720";

/// The operations this crate speaks, all from the service model excerpt it
/// is built from: the deployment operations first, then the lifecycle's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[derive(strum::Display, strum::EnumString, strum::EnumIter, strum::IntoStaticStr)]
pub enum Operation {
    /// CancelServiceInstanceDeployment.
    CancelServiceInstanceDeployment,
    /// CancelEnvironmentDeployment.
    CancelEnvironmentDeployment,
    /// CancelServicePipelineDeployment.
    CancelServicePipelineDeployment,
    /// CancelComponentDeployment.
    CancelComponentDeployment,
    /// UpdateServiceInstance.
    UpdateServiceInstance,
    /// GetServiceInstance.
    GetServiceInstance,
    /// ListServiceInstances.
    ListServiceInstances,
    /// UpdateEnvironment.
    UpdateEnvironment,
    /// GetEnvironment.
    GetEnvironment,
    /// UpdateServicePipeline.
    UpdateServicePipeline,
    /// GetService: the service, with its pipeline.
    GetService,
    /// UpdateComponent.
    UpdateComponent,
    /// GetComponent.
    GetComponent,
    /// GetDeployment: the record of one deployment attempt.
    GetDeployment,
    /// ListDeployments: the records of deployment attempts.
    ListDeployments,
    /// CreateEnvironment: a new environment, its first deployment running.
    CreateEnvironment,
    /// ListEnvironments: the environments, a page at a time.
    ListEnvironments,
    /// DeleteEnvironment: starts the environment's deletion.
    DeleteEnvironment,
    /// CreateComponent: a new component, its first deployment running.
    CreateComponent,
    /// DeleteComponent: starts the component's deletion.
    DeleteComponent,
    /// ListComponents: the components, a page at a time.
    ListComponents,
    /// DeleteDeployment: deletes the record of a settled deployment.
    DeleteDeployment,
    /// CreateService: a new service, its instances and pipeline deploying.
    CreateService,
    /// UpdateService: a service's description, and instances added or
    /// removed through its spec.
    UpdateService,
    /// DeleteService: starts the deletion of a service's instances and
    /// pipeline.
    DeleteService,
    /// ListServices: the services, a page at a time.
    ListServices,
    /// CreateServiceInstance: a new instance of a service, its first
    /// deployment running.
    CreateServiceInstance,
}

impl Operation {
    /// Reads an `X-Amz-Target` header value such as
    /// `AwsProton20200720.CancelServiceInstanceDeployment`; anything else is
    /// UnknownOperationException.
    pub fn from_target(target: &str) -> Result<Self, ApiError> {
        target
            .strip_prefix(TARGET_PREFIX)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|op| op.parse().ok())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::UnknownOperationException,
                    format!(
                        "unknown operation {}: the service speaks {TARGET_PREFIX}.<Operation>",
                        Echo::double(target)
                    ),
                )
            })
    }

    /// The full `X-Amz-Target` value.
    pub fn target(self) -> String {
        format!("{TARGET_PREFIX}.{self}")
    }

    /// Whether the service model lists ServiceQuotaExceededException among
    /// the operation's errors: the creations of components, environments
    /// and services, and the updates of components and services.
    pub fn may_exceed_a_quota(self) -> bool {
        matches!(
            self,
            Self::CreateComponent
                | Self::CreateEnvironment
                | Self::CreateService
                | Self::UpdateComponent
                | Self::UpdateService
        )
    }
}
