//! Which resource a deployment machine belongs to, and what it deploys.
//!
//! A resource's kind decides the form of its configuration: service
//! instances, environments and service pipelines deploy a template version
//! (and a spec), components deploy a service spec and no template. The
//! machine refuses a configuration of the other form, so a component with a
//! template, or a service instance without one, cannot exist.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::name::ResourceName;
use crate::values::{Spec, TemplateVersion};

/// The four kinds of Proton resource whose deployments can be cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[derive(strum::Display, strum::IntoStaticStr, strum::EnumIter)]
pub enum ResourceKind {
    /// A service instance.
    #[strum(to_string = "service instance")]
    ServiceInstance,
    /// An environment.
    #[strum(to_string = "environment")]
    Environment,
    /// A service pipeline.
    #[strum(to_string = "service pipeline")]
    ServicePipeline,
    /// A component.
    #[strum(to_string = "component")]
    Component,
}

impl ResourceKind {
    /// `true` for the kinds whose configuration is a template version:
    /// every kind but components.
    pub const fn deploys_a_template(self) -> bool {
        !matches!(self, Self::Component)
    }
}

/// The identity of a resource: what a request names.
///
/// Its serde form (used by snapshots) is an object tagged by `kind`:
/// `{"kind": "SERVICE_INSTANCE", "serviceName": "shop", "name": "web"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(
    try_from = "crate::tagged::IdFields",
    tag = "kind",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
#[non_exhaustive]
pub enum ResourceId {
    /// A service instance, named within its service
    /// (CancelServiceInstanceDeployment).
    ServiceInstance {
        /// The service the instance belongs to.
        #[serde(rename = "serviceName")]
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
        #[serde(rename = "serviceName")]
        service: ResourceName,
    },
    /// A component (CancelComponentDeployment).
    Component {
        /// The component's name.
        name: ResourceName,
    },
}

impl ResourceId {
    /// The kind of resource.
    pub fn kind(&self) -> ResourceKind {
        match self {
            Self::ServiceInstance { .. } => ResourceKind::ServiceInstance,
            Self::Environment { .. } => ResourceKind::Environment,
            Self::ServicePipeline { .. } => ResourceKind::ServicePipeline,
            Self::Component { .. } => ResourceKind::Component,
        }
    }
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplateRef {
    /// `templateName`.
    pub name: ResourceName,
    /// `templateMajorVersion`.
    pub major: TemplateVersion,
    /// `templateMinorVersion`.
    pub minor: TemplateVersion,
}

/// What a deployment deploys. Its form follows the resource's kind.
///
/// A resource holds two of these at most: the *applied* configuration (what
/// the last successful deployment put in place, always present) and, while
/// an attempt runs, the attempt's *target*. The target replaces the applied
/// configuration only when the attempt succeeds.
///
/// Its serde form (used by snapshots) is tagged by `kind`:
/// `{"kind": "TEMPLATE", "template": {"name": "web-tmpl", "major": "1",
/// "minor": "0"}, "spec": "…"}` or `{"kind": "COMPONENT", "serviceSpec": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    try_from = "crate::tagged::ConfigurationFields",
    tag = "kind",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Configuration {
    /// Service instances, environments and service pipelines: a template
    /// version and the spec (`spec`).
    Template {
        /// `templateName`, `templateMajorVersion`, `templateMinorVersion`.
        template: TemplateRef,
        /// `spec` (sensitive); `None` when the resource has none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spec: Option<Spec>,
    },
    /// Components: the service spec (`serviceSpec`), and no template.
    Component {
        /// `serviceSpec` (sensitive); `None` when the component has none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service_spec: Option<Spec>,
    },
}

impl Configuration {
    /// `true` when this configuration has the form `kind` deploys.
    pub fn fits(&self, kind: ResourceKind) -> bool {
        match self {
            Self::Template { .. } => kind.deploys_a_template(),
            Self::Component { .. } => !kind.deploys_a_template(),
        }
    }

    /// The template version, for the kinds that deploy one.
    pub fn template(&self) -> Option<&TemplateRef> {
        match self {
            Self::Template { template, .. } => Some(template),
            Self::Component { .. } => None,
        }
    }

    /// The spec (`spec`, or a component's `serviceSpec`).
    pub fn spec(&self) -> Option<&Spec> {
        match self {
            Self::Template { spec, .. } => spec.as_ref(),
            Self::Component { service_spec } => service_spec.as_ref(),
        }
    }
}
