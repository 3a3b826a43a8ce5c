//! Response shapes: the four resources as the wire shows them, built from
//! the core's [`Observed`] value, and read back into one.

use proton_cancel::{
    Attempt, CancellationPhase, ClientToken, Configuration, DeploymentId, DeploymentStatus,
    Observed, ResourceId, ResourceName, Spec, StatusMessage, Success, TemplateRef, TemplateVersion,
    Timestamp,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The deployment fields every shape shares, as the wire writes them.
struct Common {
    created_at: Timestamp,
    status: DeploymentStatus,
    message: Option<StatusMessage>,
    last_attempted: Option<DeploymentId>,
    attempted_at: Timestamp,
    succeeded_at: Timestamp,
    last_succeeded: Option<DeploymentId>,
    client_token: Option<ClientToken>,
}

impl Common {
    /// The wire requires `lastDeploymentAttemptedAt` and
    /// `lastDeploymentSucceededAt` even before any attempt or success: it
    /// shows `createdAt` in their place.
    fn of(o: &Observed) -> Self {
        Self {
            created_at: o.created_at,
            status: o.status.clone(),
            message: o.status_message.clone(),
            last_attempted: o.last_attempt.as_ref().map(|a| a.deployment_id),
            attempted_at: o.last_attempt.as_ref().map_or(o.created_at, |a| a.at),
            succeeded_at: o.last_success.map_or(o.created_at, |s| s.at),
            last_succeeded: o.last_success.map(|s| s.deployment_id),
            client_token: o.last_attempt.as_ref().and_then(|a| a.client_token.clone()),
        }
    }
}

/// The [`Observed`] value of a resource as the wire shows it. The wire does
/// not show the running attempt's target (GetDeployment does: set
/// `target` from it before restoring a running resource), nor whether a
/// cancellation has started: CANCELLING reads as
/// [`CancellationPhase::Requested`].
#[allow(clippy::too_many_arguments)] // one per wire member
fn observed(
    resource: ResourceId,
    created_at: Timestamp,
    status: &DeploymentStatus,
    message: Option<&StatusMessage>,
    applied: Configuration,
    last_attempted: Option<DeploymentId>,
    attempted_at: Timestamp,
    client_token: Option<&ClientToken>,
    last_succeeded: Option<DeploymentId>,
    succeeded_at: Timestamp,
) -> Observed {
    let mut o = Observed::new(resource, created_at, applied);
    o.status = status.clone();
    o.cancellation =
        (*status == DeploymentStatus::Cancelling).then_some(CancellationPhase::Requested);
    o.status_message = message.cloned();
    o.last_attempt = last_attempted.map(|deployment_id| Attempt {
        deployment_id,
        at: attempted_at,
        client_token: client_token.cloned(),
    });
    o.last_success = last_succeeded.map(|deployment_id| Success {
        deployment_id,
        at: succeeded_at,
    });
    o
}

/// The error for an [`Observed`] value of another kind than the shape asked
/// for: the embedding looked up the wrong resource.
fn wrong_kind(o: &Observed, shape: &str) -> ApiError {
    ApiError::internal(format!("{} cannot be written as a {shape}", o.resource))
}

fn template_config(template: TemplateRef, spec: Option<Spec>) -> Configuration {
    Configuration::Template { template, spec }
}

/// The `ServiceInstance` shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // members are documented by their wire names
#[non_exhaustive]
pub struct ServiceInstance {
    pub arn: String,
    pub created_at: Timestamp,
    pub deployment_status: DeploymentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_status_message: Option<StatusMessage>,
    pub environment_name: ResourceName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_deployment_id: Option<DeploymentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_client_request_token: Option<ClientToken>,
    pub last_deployment_attempted_at: Timestamp,
    pub last_deployment_succeeded_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_succeeded_deployment_id: Option<DeploymentId>,
    pub name: ResourceName,
    pub service_name: ResourceName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<Spec>,
    pub template_major_version: TemplateVersion,
    pub template_minor_version: TemplateVersion,
    pub template_name: ResourceName,
}

impl ServiceInstance {
    /// The shape of a service instance in the state `o`, with the two
    /// members the machine does not hold.
    ///
    /// # Errors
    /// InternalServerException when `o` is not a service instance's.
    pub fn new(o: &Observed, arn: &str, environment_name: &ResourceName) -> Result<Self, ApiError> {
        let (
            ResourceId::ServiceInstance { service, name },
            Configuration::Template { template, spec },
        ) = (&o.resource, &o.applied)
        else {
            return Err(wrong_kind(o, "ServiceInstance"));
        };
        let c = Common::of(o);
        Ok(Self {
            arn: arn.to_owned(),
            created_at: c.created_at,
            deployment_status: c.status,
            deployment_status_message: c.message,
            environment_name: environment_name.clone(),
            last_attempted_deployment_id: c.last_attempted,
            last_client_request_token: c.client_token,
            last_deployment_attempted_at: c.attempted_at,
            last_deployment_succeeded_at: c.succeeded_at,
            last_succeeded_deployment_id: c.last_succeeded,
            name: name.clone(),
            service_name: service.clone(),
            spec: spec.clone(),
            template_major_version: template.major.clone(),
            template_minor_version: template.minor.clone(),
            template_name: template.name.clone(),
        })
    }

    /// What this shape shows, as the core's [`Observed`] value (see
    /// [`ServiceInstance::new`] for what the wire leaves out).
    pub fn observed(&self) -> Observed {
        observed(
            ResourceId::ServiceInstance {
                service: self.service_name.clone(),
                name: self.name.clone(),
            },
            self.created_at,
            &self.deployment_status,
            self.deployment_status_message.as_ref(),
            template_config(
                TemplateRef {
                    name: self.template_name.clone(),
                    major: self.template_major_version.clone(),
                    minor: self.template_minor_version.clone(),
                },
                self.spec.clone(),
            ),
            self.last_attempted_deployment_id,
            self.last_deployment_attempted_at,
            self.last_client_request_token.as_ref(),
            self.last_succeeded_deployment_id,
            self.last_deployment_succeeded_at,
        )
    }
}

/// The `Environment` shape (the members this crate knows of).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // members are documented by their wire names
#[non_exhaustive]
pub struct Environment {
    pub arn: String,
    pub created_at: Timestamp,
    pub deployment_status: DeploymentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_status_message: Option<StatusMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_deployment_id: Option<DeploymentId>,
    pub last_deployment_attempted_at: Timestamp,
    pub last_deployment_succeeded_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_succeeded_deployment_id: Option<DeploymentId>,
    pub name: ResourceName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<Spec>,
    pub template_major_version: TemplateVersion,
    pub template_minor_version: TemplateVersion,
    pub template_name: ResourceName,
}

impl Environment {
    /// The shape of an environment in the state `o`.
    ///
    /// # Errors
    /// InternalServerException when `o` is not an environment's.
    pub fn new(o: &Observed, arn: &str) -> Result<Self, ApiError> {
        let (ResourceId::Environment { name }, Configuration::Template { template, spec }) =
            (&o.resource, &o.applied)
        else {
            return Err(wrong_kind(o, "Environment"));
        };
        let c = Common::of(o);
        Ok(Self {
            arn: arn.to_owned(),
            created_at: c.created_at,
            deployment_status: c.status,
            deployment_status_message: c.message,
            last_attempted_deployment_id: c.last_attempted,
            last_deployment_attempted_at: c.attempted_at,
            last_deployment_succeeded_at: c.succeeded_at,
            last_succeeded_deployment_id: c.last_succeeded,
            name: name.clone(),
            spec: spec.clone(),
            template_major_version: template.major.clone(),
            template_minor_version: template.minor.clone(),
            template_name: template.name.clone(),
        })
    }

    /// What this shape shows, as the core's [`Observed`] value (see
    /// [`ServiceInstance::observed`]).
    pub fn observed(&self) -> Observed {
        observed(
            ResourceId::Environment {
                name: self.name.clone(),
            },
            self.created_at,
            &self.deployment_status,
            self.deployment_status_message.as_ref(),
            template_config(
                TemplateRef {
                    name: self.template_name.clone(),
                    major: self.template_major_version.clone(),
                    minor: self.template_minor_version.clone(),
                },
                self.spec.clone(),
            ),
            self.last_attempted_deployment_id,
            self.last_deployment_attempted_at,
            None,
            self.last_succeeded_deployment_id,
            self.last_deployment_succeeded_at,
        )
    }
}

/// The `ServicePipeline` shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // members are documented by their wire names
#[non_exhaustive]
pub struct ServicePipeline {
    pub arn: String,
    pub created_at: Timestamp,
    pub deployment_status: DeploymentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_status_message: Option<StatusMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_deployment_id: Option<DeploymentId>,
    pub last_deployment_attempted_at: Timestamp,
    pub last_deployment_succeeded_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_succeeded_deployment_id: Option<DeploymentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<Spec>,
    pub template_major_version: TemplateVersion,
    pub template_minor_version: TemplateVersion,
    pub template_name: ResourceName,
}

impl ServicePipeline {
    /// The shape of a service pipeline in the state `o`.
    ///
    /// # Errors
    /// InternalServerException when `o` is not a service pipeline's.
    pub fn new(o: &Observed, arn: &str) -> Result<Self, ApiError> {
        let (ResourceId::ServicePipeline { .. }, Configuration::Template { template, spec }) =
            (&o.resource, &o.applied)
        else {
            return Err(wrong_kind(o, "ServicePipeline"));
        };
        let c = Common::of(o);
        Ok(Self {
            arn: arn.to_owned(),
            created_at: c.created_at,
            deployment_status: c.status,
            deployment_status_message: c.message,
            last_attempted_deployment_id: c.last_attempted,
            last_deployment_attempted_at: c.attempted_at,
            last_deployment_succeeded_at: c.succeeded_at,
            last_succeeded_deployment_id: c.last_succeeded,
            spec: spec.clone(),
            template_major_version: template.major.clone(),
            template_minor_version: template.minor.clone(),
            template_name: template.name.clone(),
        })
    }

    /// What this shape shows, as the core's [`Observed`] value for the
    /// pipeline of `service` (the shape does not name its service).
    pub fn observed(&self, service: ResourceName) -> Observed {
        observed(
            ResourceId::ServicePipeline { service },
            self.created_at,
            &self.deployment_status,
            self.deployment_status_message.as_ref(),
            template_config(
                TemplateRef {
                    name: self.template_name.clone(),
                    major: self.template_major_version.clone(),
                    minor: self.template_minor_version.clone(),
                },
                self.spec.clone(),
            ),
            self.last_attempted_deployment_id,
            self.last_deployment_attempted_at,
            None,
            self.last_succeeded_deployment_id,
            self.last_deployment_succeeded_at,
        )
    }
}

/// The `Component` shape (the members this crate knows of).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // members are documented by their wire names
#[non_exhaustive]
pub struct Component {
    pub arn: String,
    pub created_at: Timestamp,
    pub deployment_status: DeploymentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_status_message: Option<StatusMessage>,
    pub environment_name: ResourceName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_deployment_id: Option<DeploymentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_client_request_token: Option<ClientToken>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_deployment_attempted_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_deployment_succeeded_at: Option<Timestamp>,
    pub last_modified_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_succeeded_deployment_id: Option<DeploymentId>,
    pub name: ResourceName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_spec: Option<Spec>,
}

impl Component {
    /// The shape of a component in the state `o`. `lastModifiedAt` is the
    /// last deployment attempt's time (`createdAt` before any); the two
    /// optional times are written as the other shapes write them.
    ///
    /// # Errors
    /// InternalServerException when `o` is not a component's.
    pub fn new(o: &Observed, arn: &str, environment_name: &ResourceName) -> Result<Self, ApiError> {
        let (ResourceId::Component { name }, Configuration::Component { service_spec }) =
            (&o.resource, &o.applied)
        else {
            return Err(wrong_kind(o, "Component"));
        };
        let c = Common::of(o);
        Ok(Self {
            arn: arn.to_owned(),
            created_at: c.created_at,
            deployment_status: c.status,
            deployment_status_message: c.message,
            environment_name: environment_name.clone(),
            last_attempted_deployment_id: c.last_attempted,
            last_client_request_token: c.client_token,
            last_deployment_attempted_at: Some(c.attempted_at),
            last_deployment_succeeded_at: Some(c.succeeded_at),
            last_modified_at: c.attempted_at,
            last_succeeded_deployment_id: c.last_succeeded,
            name: name.clone(),
            service_spec: service_spec.clone(),
        })
    }

    /// What this shape shows, as the core's [`Observed`] value (see
    /// [`ServiceInstance::observed`]).
    pub fn observed(&self) -> Observed {
        observed(
            ResourceId::Component {
                name: self.name.clone(),
            },
            self.created_at,
            &self.deployment_status,
            self.deployment_status_message.as_ref(),
            Configuration::Component {
                service_spec: self.service_spec.clone(),
            },
            self.last_attempted_deployment_id,
            self.last_deployment_attempted_at
                .unwrap_or(self.last_modified_at),
            self.last_client_request_token.as_ref(),
            self.last_succeeded_deployment_id,
            self.last_deployment_succeeded_at.unwrap_or(self.created_at),
        )
    }
}
