//! Which resource a deployment machine belongs to, and what it deploys.

use std::fmt;

use crate::name::ResourceName;
use crate::values::{Spec, TemplateVersion};

/// The four kinds of Proton resource whose deployments can be cancelled.
/// One machine serves them all; the kind only names the resource in
/// messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ResourceId {
    /// A service instance, named within its service
    /// (CancelServiceInstanceDeployment).
    ServiceInstance {
        /// The service the instance belongs to.
        service: ResourceName,
        /// The instance's name.
        name: ResourceName,
    },
    /// An environment (CancelEnvironmentDeployment).
    Environment {
        /// The environment's name.
        name: ResourceName,
    },
    /// The pipeline of a service (CancelServicePipelineDeployment).
    ServicePipeline {
        /// The service that owns the pipeline.
        service: ResourceName,
    },
    /// A component (CancelComponentDeployment).
    Component {
        /// The component's name.
        name: ResourceName,
    },
}

impl fmt::Display for ResourceId {
    /// `service instance 'web' of service 'shop'`, `environment 'prod'`,
    /// `service pipeline of service 'shop'`, `component 'cache'`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ServiceInstance { service, name } => {
                write!(f, "service instance '{name}' of service '{service}'")
            }
            Self::Environment { name } => write!(f, "environment '{name}'"),
            Self::ServicePipeline { service } => {
                write!(f, "service pipeline of service '{service}'")
            }
            Self::Component { name } => write!(f, "component '{name}'"),
        }
    }
}

/// A template and the version of it a deployment uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TemplateRef {
    /// `templateName`.
    pub name: ResourceName,
    /// `templateMajorVersion`.
    pub major: TemplateVersion,
    /// `templateMinorVersion`.
    pub minor: TemplateVersion,
}

/// What a deployment deploys: the template version and the spec.
///
/// A resource holds two of these at most: the *applied* configuration (what
/// the last successful deployment put in place, always present) and, while
/// an attempt runs, the attempt's *target*. The target replaces the applied
/// configuration only when the attempt succeeds. Components have no
/// template, so `template` is optional.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Configuration {
    /// The template version (`templateName`, `templateMajorVersion`,
    /// `templateMinorVersion`); `None` for components.
    pub template: Option<TemplateRef>,
    /// The spec (`spec`, sensitive); `None` when the resource has none.
    pub spec: Option<Spec>,
}
