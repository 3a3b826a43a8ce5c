//! The views of services: a service instance's summary (ListServiceInstances)
//! and the `Service` shape (GetService).

use proton_cancel::{ResourceName, Timestamp};

use crate::members::{TemplateDeployment, TemplateMembers};
use crate::shape::{ServiceInstance, ServicePipeline};

wire_shape! {
    /// The `ServiceInstanceSummary` shape: a service instance's members
    /// without its spec and client token.
    pub struct ServiceInstanceSummary {
        /// The members of a service instance; the template's spec is
        /// always absent here.
        #[serde(flatten)]
        pub members: TemplateDeployment,
        pub environment_name: ResourceName,
        pub name: ResourceName,
        pub service_name: ResourceName,
    }
}

impl From<ServiceInstance> for ServiceInstanceSummary {
    fn from(s: ServiceInstance) -> Self {
        Self {
            members: TemplateDeployment {
                template: TemplateMembers {
                    spec: None,
                    ..s.members.template
                },
                ..s.members
            },
            environment_name: s.environment_name,
            name: s.name,
            service_name: s.service_name,
        }
    }
}

wire_enum! {
    "SCREAMING_SNAKE_CASE";
    /// `ServiceStatus`: the status of a service as a whole. The emulator keeps
    /// no service lifecycle, so a service it knows is [`ServiceStatus::Active`].
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
}

wire_shape! {
    /// The `Service` shape (the members this crate knows of).
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
