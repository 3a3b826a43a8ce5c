//! The views of services: a service instance's summary (ListServiceInstances)
//! and the `Service` shape (GetService).

pub use proton_cancel::ServiceStatus;
use proton_cancel::{ResourceName, Spec, StatusMessage, Timestamp};

use crate::members::Description;

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

wire_shape! {
    /// The `Service` shape (the members this crate knows of).
    pub struct Service {
        pub arn: String,
        pub created_at: Timestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub description: Option<Description>,
        pub last_modified_at: Timestamp,
        pub name: ResourceName,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub pipeline: Option<ServicePipeline>,
        pub spec: Spec,
        pub status: ServiceStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status_message: Option<StatusMessage>,
        pub template_name: ResourceName,
    }
}

wire_shape! {
    /// The `ServiceSummary` shape: a service's members without its spec
    /// and pipeline.
    pub struct ServiceSummary {
        pub arn: String,
        pub created_at: Timestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub description: Option<Description>,
        pub last_modified_at: Timestamp,
        pub name: ResourceName,
        pub status: ServiceStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status_message: Option<StatusMessage>,
        pub template_name: ResourceName,
    }
}

impl From<Service> for ServiceSummary {
    fn from(s: Service) -> Self {
        Self {
            arn: s.arn,
            created_at: s.created_at,
            description: s.description,
            last_modified_at: s.last_modified_at,
            name: s.name,
            status: s.status,
            status_message: s.status_message,
            template_name: s.template_name,
        }
    }
}

impl Service {
    /// An ACTIVE service named `name` whose template is `template_name`,
    /// with its pipeline if it has one, no description and no status
    /// message. `spec` is the service's spec as the emulator knows it.
    pub fn new(
        name: ResourceName,
        arn: String,
        template_name: ResourceName,
        spec: Spec,
        (created_at, last_modified_at): (Timestamp, Timestamp),
        pipeline: Option<ServicePipeline>,
    ) -> Self {
        Self {
            arn,
            created_at,
            description: None,
            last_modified_at,
            name,
            pipeline,
            spec,
            status: ServiceStatus::Active,
            status_message: None,
            template_name,
        }
    }
}
