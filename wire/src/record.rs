//! Deployment records: the `Deployment` shape of GetDeployment and
//! ListDeployments, its summary, and the deployment states it holds.

use proton_cancel::{
    AttemptRecord, Configuration, DeploymentId, DeploymentStatus, ResourceId, ResourceKind,
    ResourceName, Spec, StatusMessage, TemplateVersion, Timestamp,
};

wire_enum! {
    "SCREAMING_SNAKE_CASE";
    /// `DeploymentTargetResourceType`: the kind of resource a deployment
    /// deploys.
    #[allow(missing_docs)] // the variants are the four kinds
    pub enum TargetResourceType {
        Environment,
        ServicePipeline,
        ServiceInstance,
        Component,
    }
}

impl From<ResourceKind> for TargetResourceType {
    fn from(kind: ResourceKind) -> Self {
        match kind {
            ResourceKind::Environment => Self::Environment,
            ResourceKind::ServicePipeline => Self::ServicePipeline,
            ResourceKind::Component => Self::Component,
            _ => Self::ServiceInstance,
        }
    }
}

wire_shape! {
    /// The template fields of a state (`EnvironmentState`,
    /// `ServicePipelineState`, `ServiceInstanceState`).
    #[derive(Eq)]
    pub struct TemplateState {
        /// The spec; the wire requires it on a service instance's state, so a
        /// configuration without one writes the empty string there.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<Spec>,
        pub template_major_version: TemplateVersion,
        pub template_minor_version: TemplateVersion,
        pub template_name: ResourceName,
    }
}

wire_shape! {
    /// The `ServiceInstanceState` shape: the template fields with a spec that
    /// is always present.
    #[derive(Eq)]
    pub struct ServiceInstanceState {
        pub spec: String,
        pub template_major_version: TemplateVersion,
        pub template_minor_version: TemplateVersion,
        pub template_name: ResourceName,
    }
}

wire_shape! {
    /// The `ComponentState` shape (the member the emulator keeps).
    #[derive(Eq)]
    pub struct ComponentState {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service_spec: Option<Spec>,
    }
}

wire_shape! {
    /// The `DeploymentState` union: a configuration, under its kind's member.
    #[derive(Eq)]
    pub enum DeploymentState {
        Component(ComponentState),
        Environment(TemplateState),
        ServiceInstance(ServiceInstanceState),
        ServicePipeline(TemplateState),
    }
}

impl DeploymentState {
    /// `configuration` of a resource of `kind`, as the wire shows it.
    pub fn new(kind: ResourceKind, configuration: &Configuration) -> Self {
        match configuration {
            Configuration::Component { service_spec } => Self::Component(ComponentState {
                service_spec: service_spec.clone(),
            }),
            Configuration::Template { template, spec } => {
                let state = TemplateState {
                    spec: spec.clone(),
                    template_major_version: template.major.clone(),
                    template_minor_version: template.minor.clone(),
                    template_name: template.name.clone(),
                };
                match kind {
                    ResourceKind::Environment => Self::Environment(state),
                    ResourceKind::ServicePipeline => Self::ServicePipeline(state),
                    _ => Self::ServiceInstance(ServiceInstanceState {
                        spec: state
                            .spec
                            .as_ref()
                            .map(|s| s.as_str().to_owned())
                            .unwrap_or_default(),
                        template_major_version: state.template_major_version,
                        template_minor_version: state.template_minor_version,
                        template_name: state.template_name,
                    }),
                }
            }
        }
    }
}

wire_shape! {
    /// The `Deployment` shape: how the wire shows the record of one
    /// deployment attempt (the core's [`AttemptRecord`]).
    #[derive(Eq)]
    pub struct DeploymentRecord {
        /// The members a `DeploymentSummary` shows too.
        #[serde(flatten)]
        pub summary: DeploymentSummary,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deployment_status_message: Option<StatusMessage>,
        pub initial_state: DeploymentState,
        pub target_state: DeploymentState,
    }
}

/// Where a deployment record belongs: its ARN, its target's ARN, and the
/// environment the wire names for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPlace {
    /// The deployment's own ARN.
    pub arn: String,
    /// The target resource's ARN.
    pub target_arn: String,
    /// `environmentName`: the environment itself, or the one the target
    /// lives in.
    pub environment_name: ResourceName,
}

impl DeploymentRecord {
    /// The `Deployment` shape of the attempt `record`, which belongs at
    /// `place`. `lastAttemptedDeploymentId` and
    /// `lastSucceededDeploymentId` are the resource's as the attempt found
    /// them.
    pub fn new(record: &AttemptRecord, place: RecordPlace) -> Self {
        let kind = record.resource.kind();
        let (component_name, service_name, service_instance_name) = match &record.resource {
            ResourceId::Component { name } => (Some(name.clone()), None, None),
            ResourceId::ServiceInstance { service, name } => {
                (None, Some(service.clone()), Some(name.clone()))
            }
            ResourceId::ServicePipeline { service } => (None, Some(service.clone()), None),
            _ => (None, None, None),
        };
        Self {
            summary: DeploymentSummary {
                arn: place.arn,
                completed_at: record.completed_at,
                component_name,
                created_at: record.started_at,
                deployment_status: record.status.clone(),
                environment_name: place.environment_name,
                id: record.deployment_id,
                last_attempted_deployment_id: record.previous_attempt,
                last_modified_at: record.modified_at,
                last_succeeded_deployment_id: record.previous_success,
                service_instance_name,
                service_name,
                target_arn: place.target_arn,
                target_resource_created_at: record.resource_created_at,
                target_resource_type: kind.into(),
            },
            deployment_status_message: record.status_message.clone(),
            initial_state: DeploymentState::new(kind, &record.initial),
            target_state: DeploymentState::new(kind, &record.target),
        }
    }
}

wire_shape! {
    /// The `DeploymentSummary` shape.
    #[derive(Eq)]
    pub struct DeploymentSummary {
        pub arn: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub completed_at: Option<Timestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub component_name: Option<ResourceName>,
        pub created_at: Timestamp,
        pub deployment_status: DeploymentStatus,
        pub environment_name: ResourceName,
        pub id: DeploymentId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_attempted_deployment_id: Option<DeploymentId>,
        pub last_modified_at: Timestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_succeeded_deployment_id: Option<DeploymentId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service_instance_name: Option<ResourceName>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service_name: Option<ResourceName>,
        pub target_arn: String,
        pub target_resource_created_at: Timestamp,
        pub target_resource_type: TargetResourceType,
    }
}

impl DeploymentSummary {
    /// The resource the deployment deploys.
    pub fn target(&self) -> Option<ResourceId> {
        match (
            self.target_resource_type,
            &self.service_name,
            &self.service_instance_name,
            &self.component_name,
        ) {
            (TargetResourceType::Environment, ..) => Some(ResourceId::Environment {
                name: self.environment_name.clone(),
            }),
            (TargetResourceType::ServicePipeline, Some(service), ..) => {
                Some(ResourceId::ServicePipeline {
                    service: service.clone(),
                })
            }
            (TargetResourceType::ServiceInstance, Some(service), Some(name), _) => {
                Some(ResourceId::ServiceInstance {
                    service: service.clone(),
                    name: name.clone(),
                })
            }
            (TargetResourceType::Component, _, _, Some(name)) => {
                Some(ResourceId::Component { name: name.clone() })
            }
            _ => None,
        }
    }
}
