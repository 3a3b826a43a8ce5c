//! Response shapes: the four resources as the wire shows them, built from
//! the core's [`Observed`] value, and read back into one. What they share
//! is in `members` ([`TemplateDeployment`], [`DeploymentMembers`]).

use proton_cancel::{
    ClientToken, Configuration, Observed, ResourceId, ResourceName, Spec, Timestamp,
};
use serde::Serialize;

use crate::error::ApiError;
use crate::members::{DeploymentMembers, Parts, TemplateDeployment};

/// What a shape shows of a resource beyond its machine's state: its ARN,
/// the environment it is deployed to (service instances and components),
/// and the service instance a component is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Place<'a> {
    /// The resource's ARN.
    pub arn: &'a str,
    /// Its environment, for the kinds whose shape names one.
    pub environment: Option<&'a ResourceName>,
    /// The service and the service instance a component is attached to.
    pub attached_to: Option<(&'a ResourceName, &'a ResourceName)>,
}

impl<'a> Place<'a> {
    /// The place of a resource whose ARN is `arn`, in `environment`,
    /// attached to nothing.
    pub fn new(arn: &'a str, environment: Option<&'a ResourceName>) -> Self {
        Self {
            arn,
            environment,
            attached_to: None,
        }
    }

    /// The same place, attached to service instance `instance` of
    /// `service`.
    pub fn attached_to(self, service: &'a ResourceName, instance: &'a ResourceName) -> Self {
        Self {
            attached_to: Some((service, instance)),
            ..self
        }
    }
}

/// A resource's shape: what a response shows of one resource of its kind,
/// and under which member.
pub trait Shape: Serialize + Sized {
    /// The member a response holds it under (`serviceInstance`, …).
    const MEMBER: &'static str;

    /// The shape of a resource in the state `o`, at `place`.
    ///
    /// # Errors
    /// InternalServerException when `o` is another kind's, or the kind
    /// needs an environment and `place` gives none.
    fn of(o: Observed, place: &Place<'_>) -> Result<Self, ApiError>;
}

/// The environment a kind's shape names; its absence is the embedding's
/// broken data.
fn needs<'a>(
    o: &Observed,
    environment: Option<&'a ResourceName>,
) -> Result<&'a ResourceName, ApiError> {
    environment.ok_or_else(|| {
        ApiError::internal(format!("{} was stored without its environment", o.resource))
    })
}

impl Shape for ServiceInstance {
    const MEMBER: &'static str = "serviceInstance";
    fn of(o: Observed, place: &Place<'_>) -> Result<Self, ApiError> {
        let environment = needs(&o, place.environment)?;
        Self::new(o, place.arn, environment)
    }
}

impl Shape for Environment {
    const MEMBER: &'static str = "environment";
    fn of(o: Observed, place: &Place<'_>) -> Result<Self, ApiError> {
        Self::new(o, place.arn)
    }
}

impl Shape for ServicePipeline {
    const MEMBER: &'static str = "pipeline";
    fn of(o: Observed, place: &Place<'_>) -> Result<Self, ApiError> {
        Self::new(o, place.arn)
    }
}

impl Shape for Component {
    const MEMBER: &'static str = "component";
    fn of(o: Observed, place: &Place<'_>) -> Result<Self, ApiError> {
        let environment = needs(&o, place.environment)?;
        let mut component = Self::new(o, place.arn, environment)?;
        if let Some((service, instance)) = place.attached_to {
            component.service_name = Some(service.clone());
            component.service_instance_name = Some(instance.clone());
        }
        Ok(component)
    }
}

/// The error for an [`Observed`] value of another kind than the shape asked
/// for: the embedding looked up the wrong resource.
fn wrong_kind(resource: &ResourceId, shape: &str) -> ApiError {
    ApiError::internal(format!("{resource} cannot be written as a {shape}"))
}

wire_shape! {
    /// The `ServiceInstance` shape.
    pub struct ServiceInstance {
        #[serde(flatten)]
        pub members: TemplateDeployment,
        pub environment_name: ResourceName,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_client_request_token: Option<ClientToken>,
        pub name: ResourceName,
        pub service_name: ResourceName,
    }
}

impl ServiceInstance {
    /// The shape of a service instance in the state `o`, with the two
    /// members the machine does not hold.
    ///
    /// # Errors
    /// InternalServerException when `o` is not a service instance's.
    pub fn new(o: Observed, arn: &str, environment_name: &ResourceName) -> Result<Self, ApiError> {
        let p = Parts::of(o, arn);
        match (p.resource, p.applied) {
            (
                ResourceId::ServiceInstance { service, name },
                Configuration::Template { template, spec },
            ) => Ok(Self {
                members: p.deployment.with_template(p.times, template, spec),
                environment_name: environment_name.clone(),
                last_client_request_token: p.client_token,
                name,
                service_name: service,
            }),
            (other, _) => Err(wrong_kind(&other, "ServiceInstance")),
        }
    }

    /// What this shape shows, as the core's [`Observed`] value (the wire
    /// leaves out the running attempt's target and the cancellation's
    /// phase: see [`DeploymentMembers`]).
    pub fn observed(&self) -> Observed {
        let resource = ResourceId::ServiceInstance {
            service: self.service_name.clone(),
            name: self.name.clone(),
        };
        self.members
            .observed(resource, self.last_client_request_token.as_ref())
    }
}

wire_shape! {
    /// The `Environment` shape (the members this crate knows of).
    pub struct Environment {
        #[serde(flatten)]
        pub members: TemplateDeployment,
        pub name: ResourceName,
    }
}

impl Environment {
    /// The shape of an environment in the state `o`.
    ///
    /// # Errors
    /// InternalServerException when `o` is not an environment's.
    pub fn new(o: Observed, arn: &str) -> Result<Self, ApiError> {
        let p = Parts::of(o, arn);
        match (p.resource, p.applied) {
            (ResourceId::Environment { name }, Configuration::Template { template, spec }) => {
                let members = p.deployment.with_template(p.times, template, spec);
                Ok(Self { members, name })
            }
            (other, _) => Err(wrong_kind(&other, "Environment")),
        }
    }

    /// What this shape shows, as the core's [`Observed`] value.
    pub fn observed(&self) -> Observed {
        let name = self.name.clone();
        self.members
            .observed(ResourceId::Environment { name }, None)
    }
}

wire_shape! {
    /// The `ServicePipeline` shape.
    pub struct ServicePipeline {
        #[serde(flatten)]
        pub members: TemplateDeployment,
    }
}

impl ServicePipeline {
    /// The shape of a service pipeline in the state `o`.
    ///
    /// # Errors
    /// InternalServerException when `o` is not a service pipeline's.
    pub fn new(o: Observed, arn: &str) -> Result<Self, ApiError> {
        let p = Parts::of(o, arn);
        match (p.resource, p.applied) {
            (ResourceId::ServicePipeline { .. }, Configuration::Template { template, spec }) => {
                let members = p.deployment.with_template(p.times, template, spec);
                Ok(Self { members })
            }
            (other, _) => Err(wrong_kind(&other, "ServicePipeline")),
        }
    }

    /// What this shape shows, as the core's [`Observed`] value for the
    /// pipeline of `service` (the shape does not name its service).
    pub fn observed(&self, service: ResourceName) -> Observed {
        self.members
            .observed(ResourceId::ServicePipeline { service }, None)
    }
}

wire_shape! {
    /// The `Component` shape (the members this crate knows of). Its attempt
    /// times are optional on the wire, and it has `lastModifiedAt`.
    pub struct Component {
        #[serde(flatten)]
        pub deployment: DeploymentMembers,
        pub environment_name: ResourceName,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_client_request_token: Option<ClientToken>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_deployment_attempted_at: Option<Timestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_deployment_succeeded_at: Option<Timestamp>,
        pub last_modified_at: Timestamp,
        pub name: ResourceName,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service_instance_name: Option<ResourceName>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service_name: Option<ResourceName>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service_spec: Option<Spec>,
    }
}

impl Component {
    /// The shape of a component in the state `o`, attached to no service
    /// instance. `lastModifiedAt` is the last deployment attempt's time
    /// (`createdAt` before any); the two optional times are written as the
    /// other shapes write them.
    ///
    /// # Errors
    /// InternalServerException when `o` is not a component's.
    pub fn new(o: Observed, arn: &str, environment_name: &ResourceName) -> Result<Self, ApiError> {
        let p = Parts::of(o, arn);
        match (p.resource, p.applied) {
            (ResourceId::Component { name }, Configuration::Component { service_spec }) => {
                Ok(Self {
                    deployment: p.deployment,
                    environment_name: environment_name.clone(),
                    last_client_request_token: p.client_token,
                    last_deployment_attempted_at: Some(p.times.last_deployment_attempted_at),
                    last_deployment_succeeded_at: Some(p.times.last_deployment_succeeded_at),
                    last_modified_at: p.times.last_deployment_attempted_at,
                    name,
                    service_instance_name: None,
                    service_name: None,
                    service_spec,
                })
            }
            (resource, _) => Err(wrong_kind(&resource, "Component")),
        }
    }

    /// What this shape shows, as the core's [`Observed`] value.
    pub fn observed(&self) -> Observed {
        self.deployment.observed(
            ResourceId::Component {
                name: self.name.clone(),
            },
            Configuration::Component {
                service_spec: self.service_spec.clone(),
            },
            (
                self.last_deployment_attempted_at
                    .unwrap_or(self.last_modified_at),
                self.last_deployment_succeeded_at
                    .unwrap_or(self.deployment.created_at),
            ),
            self.last_client_request_token.as_ref(),
        )
    }
}
