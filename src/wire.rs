//! The AWS JSON 1.0 wire format of the operations around a cancel: request
//! decoding with AWS's validation, and the response shapes. Pure functions of
//! bytes: nothing here does I/O.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::api_error::{ApiError, ErrorCode};
use crate::machine::Deployment;
use crate::name::{ResourceName, check_resource_name};
use crate::resource::ResourceId;
use crate::status::DeploymentStatus;
use crate::time::Timestamp;
use crate::validation::Validator;
use crate::values::{
    ClientToken, DeploymentId, Spec, StatusMessage, TemplateVersion, check_client_token,
    check_spec, check_template_version,
};

/// The prefix of every `X-Amz-Target` header value of the service.
pub const TARGET_PREFIX: &str = "AwsProton20200720";

/// The operations this crate speaks.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::Display,
    strum::EnumString,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[non_exhaustive]
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
                        crate::echo::Echo::double(target)
                    ),
                )
            })
    }

    /// The full `X-Amz-Target` value.
    pub fn target(self) -> String {
        format!("{TARGET_PREFIX}.{self}")
    }
}

/// A request this crate can decode from its JSON body.
pub trait Request: Sized {
    /// The operation it belongs to.
    const OPERATION: Operation;

    /// Decodes and validates a JSON body. A body that is not a JSON object,
    /// or has a member of the wrong type or a member twice, is
    /// SerializationException; every constraint violation of every member is
    /// reported at once as one ValidationException, in member order. An
    /// empty body reads as `{}`; unknown members are ignored.
    fn decode(body: &[u8]) -> Result<Self, ApiError>;
}

/// Decodes a body into its raw struct. String members borrow from the body
/// when they hold no escapes, so even a huge rejected value is never copied.
fn parse_body<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    let body: &'a [u8] = if body.is_empty() { b"{}" } else { body };
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(ApiError::new(
            ErrorCode::SerializationException,
            "the request body must be a JSON object",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            ErrorCode::SerializationException,
            format!("the request body could not be read: {e}"),
        )
    })
}

/// After a successful validation every required member is present; this
/// turns the impossible opposite into an error instead of a panic.
fn validated<T>(value: Option<T>) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InternalServerException,
            "validation passed with a required member missing",
        )
    })
}

macro_rules! names_request {
    (
        $(#[$meta:meta])*
        $name:ident, $raw:ident, $op:ident,
        { $($field:ident: $wire:literal),+ $(,)? },
        |$this:ident| $resource:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        pub struct $name {
            $(
                #[doc = concat!("`", $wire, "`.")]
                #[serde(rename = $wire)]
                pub $field: ResourceName,
            )+
        }

        #[derive(Deserialize)]
        struct $raw<'a> {
            $(
                #[serde(borrow, rename = $wire)]
                $field: Option<Cow<'a, str>>,
            )+
        }

        impl Request for $name {
            const OPERATION: Operation = Operation::$op;

            fn decode(body: &[u8]) -> Result<Self, ApiError> {
                let raw: $raw = parse_body(body)?;
                let mut v = Validator::default();
                $(let $field = v.required($wire, false, raw.$field, check_resource_name, ResourceName::from_checked);)+
                v.finish()?;
                Ok(Self { $($field: validated($field)?,)+ })
            }
        }

        impl $name {
            /// The resource the request addresses.
            pub fn resource_id(&self) -> ResourceId {
                let $this = self;
                $resource
            }
        }
    };
}

names_request! {
    /// CancelServiceInstanceDeployment's input.
    CancelServiceInstanceDeploymentInput, RawCancelServiceInstance, CancelServiceInstanceDeployment,
    { service_instance_name: "serviceInstanceName", service_name: "serviceName" },
    |r| ResourceId::ServiceInstance {
        service: r.service_name.clone(),
        name: r.service_instance_name.clone(),
    }
}

names_request! {
    /// CancelEnvironmentDeployment's input.
    CancelEnvironmentDeploymentInput, RawCancelEnvironment, CancelEnvironmentDeployment,
    { environment_name: "environmentName" },
    |r| ResourceId::Environment { name: r.environment_name.clone() }
}

names_request! {
    /// CancelServicePipelineDeployment's input.
    CancelServicePipelineDeploymentInput, RawCancelServicePipeline, CancelServicePipelineDeployment,
    { service_name: "serviceName" },
    |r| ResourceId::ServicePipeline { service: r.service_name.clone() }
}

names_request! {
    /// CancelComponentDeployment's input.
    CancelComponentDeploymentInput, RawCancelComponent, CancelComponentDeployment,
    { component_name: "componentName" },
    |r| ResourceId::Component { name: r.component_name.clone() }
}

names_request! {
    /// GetServiceInstance's input.
    GetServiceInstanceInput, RawGetServiceInstance, GetServiceInstance,
    { name: "name", service_name: "serviceName" },
    |r| ResourceId::ServiceInstance { service: r.service_name.clone(), name: r.name.clone() }
}

/// The `deploymentType` of UpdateServiceInstance.
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
    strum::VariantNames,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeploymentUpdateType {
    /// Update metadata only; no deployment runs.
    None,
    /// Deploy the given spec on the current template version.
    CurrentVersion,
    /// Deploy another minor version of the current major version.
    MinorVersion,
    /// Deploy another major version.
    MajorVersion,
}

impl DeploymentUpdateType {
    /// The wire values, in the service model's order.
    pub const WIRE_VALUES: &'static [&'static str] =
        &["NONE", "CURRENT_VERSION", "MINOR_VERSION", "MAJOR_VERSION"];
}

/// UpdateServiceInstance's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceInstanceInput {
    /// `clientToken`: the idempotency token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
    /// `deploymentType`.
    pub deployment_type: DeploymentUpdateType,
    /// `name`: the service instance.
    pub name: ResourceName,
    /// `serviceName`.
    pub service_name: ResourceName,
    /// `spec` (sensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<Spec>,
    /// `templateMajorVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_major_version: Option<TemplateVersion>,
    /// `templateMinorVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_minor_version: Option<TemplateVersion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUpdateServiceInstance<'a> {
    #[serde(borrow)]
    client_token: Option<Cow<'a, str>>,
    #[serde(borrow)]
    deployment_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    spec: Option<Cow<'a, str>>,
    #[serde(borrow)]
    template_major_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    template_minor_version: Option<Cow<'a, str>>,
}

impl Request for UpdateServiceInstanceInput {
    const OPERATION: Operation = Operation::UpdateServiceInstance;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawUpdateServiceInstance = parse_body(body)?;
        let mut v = Validator::default();
        let client_token = v.optional(
            "clientToken",
            false,
            raw.client_token,
            check_client_token,
            ClientToken::from_checked,
        );
        let deployment_type = v.required_enum(
            "deploymentType",
            DeploymentUpdateType::WIRE_VALUES,
            raw.deployment_type,
        );
        let name = v.required(
            "name",
            false,
            raw.name,
            check_resource_name,
            ResourceName::from_checked,
        );
        let service_name = v.required(
            "serviceName",
            false,
            raw.service_name,
            check_resource_name,
            ResourceName::from_checked,
        );
        let spec = v.optional("spec", true, raw.spec, check_spec, Spec::from_checked);
        let major = v.optional(
            "templateMajorVersion",
            false,
            raw.template_major_version,
            check_template_version,
            TemplateVersion::from_checked,
        );
        let minor = v.optional(
            "templateMinorVersion",
            false,
            raw.template_minor_version,
            check_template_version,
            TemplateVersion::from_checked,
        );
        v.finish()?;
        Ok(Self {
            client_token,
            deployment_type: validated(deployment_type)?,
            name: validated(name)?,
            service_name: validated(service_name)?,
            spec,
            template_major_version: major,
            template_minor_version: minor,
        })
    }
}

impl UpdateServiceInstanceInput {
    /// The service instance the request addresses.
    pub fn resource_id(&self) -> ResourceId {
        ResourceId::ServiceInstance {
            service: self.service_name.clone(),
            name: self.name.clone(),
        }
    }
}

// ---------------------------------------------------------------------------
// Resource shapes
// ---------------------------------------------------------------------------

/// What the wire shows of a resource that the deployment machine does not
/// hold: its ARN and, for service instances and components, its
/// environment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceMeta {
    /// The resource's ARN.
    pub arn: String,
    /// The environment it is deployed into (service instances and
    /// components).
    pub environment_name: Option<ResourceName>,
}

/// Why a deployment cannot be written as the requested shape. A server that
/// meets one has a broken store: InternalServerException.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeError {
    /// The deployment belongs to another kind of resource.
    #[error("{resource} cannot be written as a {shape}")]
    WrongKind {
        /// The resource the deployment belongs to.
        resource: ResourceId,
        /// The shape that was asked for.
        shape: &'static str,
    },
    /// The shape requires template fields, and the configuration has none.
    #[error("{resource} has no template version, which its wire shape requires")]
    MissingTemplate {
        /// The resource.
        resource: ResourceId,
    },
    /// The shape requires `environmentName`, and the metadata has none.
    #[error("{resource} has no environment name, which its wire shape requires")]
    MissingEnvironment {
        /// The resource.
        resource: ResourceId,
    },
}

impl From<ShapeError> for ApiError {
    fn from(e: ShapeError) -> Self {
        ApiError::new(ErrorCode::InternalServerException, e.to_string())
    }
}

/// The deployment fields every shape shares.
struct Common {
    created_at: Timestamp,
    status: DeploymentStatus,
    message: Option<StatusMessage>,
    last_attempted: Option<DeploymentId>,
    attempted_at: Timestamp,
    succeeded_at: Timestamp,
    last_succeeded: Option<DeploymentId>,
    spec: Option<Spec>,
}

impl Common {
    fn of(d: &Deployment) -> Self {
        Self {
            created_at: d.created_at(),
            status: d.status(),
            message: d.status_message().map(StatusMessage::new),
            last_attempted: d.last_attempted_deployment_id(),
            attempted_at: d.last_deployment_attempted_at(),
            succeeded_at: d.last_deployment_succeeded_at(),
            last_succeeded: d.last_succeeded_deployment_id(),
            spec: d.applied().spec.clone(),
        }
    }
}

fn template(
    d: &Deployment,
) -> Result<(ResourceName, TemplateVersion, TemplateVersion), ShapeError> {
    d.applied()
        .template
        .as_ref()
        .map(|t| (t.name.clone(), t.major.clone(), t.minor.clone()))
        .ok_or_else(|| ShapeError::MissingTemplate {
            resource: d.resource().clone(),
        })
}

fn environment(d: &Deployment, meta: &ResourceMeta) -> Result<ResourceName, ShapeError> {
    meta.environment_name
        .clone()
        .ok_or_else(|| ShapeError::MissingEnvironment {
            resource: d.resource().clone(),
        })
}

fn wrong_kind(d: &Deployment, shape: &'static str) -> ShapeError {
    ShapeError::WrongKind {
        resource: d.resource().clone(),
        shape,
    }
}

/// The `ServiceInstance` shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // members are documented by their wire names
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
    pub last_client_request_token: Option<String>,
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
    /// The shape of a service instance's deployment.
    pub fn from_deployment(d: &Deployment, meta: &ResourceMeta) -> Result<Self, ShapeError> {
        let ResourceId::ServiceInstance { service, name } = d.resource() else {
            return Err(wrong_kind(d, "ServiceInstance"));
        };
        let (template_name, major, minor) = template(d)?;
        let c = Common::of(d);
        Ok(Self {
            arn: meta.arn.clone(),
            created_at: c.created_at,
            deployment_status: c.status,
            deployment_status_message: c.message,
            environment_name: environment(d, meta)?,
            last_attempted_deployment_id: c.last_attempted,
            last_client_request_token: d.last_client_request_token().map(|t| t.as_str().to_owned()),
            last_deployment_attempted_at: c.attempted_at,
            last_deployment_succeeded_at: c.succeeded_at,
            last_succeeded_deployment_id: c.last_succeeded,
            name: name.clone(),
            service_name: service.clone(),
            spec: c.spec,
            template_major_version: major,
            template_minor_version: minor,
            template_name,
        })
    }
}

/// The `Environment` shape (the members this crate knows of).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // members are documented by their wire names
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
    /// The shape of an environment's deployment.
    pub fn from_deployment(d: &Deployment, meta: &ResourceMeta) -> Result<Self, ShapeError> {
        let ResourceId::Environment { name } = d.resource() else {
            return Err(wrong_kind(d, "Environment"));
        };
        let (template_name, major, minor) = template(d)?;
        let c = Common::of(d);
        Ok(Self {
            arn: meta.arn.clone(),
            created_at: c.created_at,
            deployment_status: c.status,
            deployment_status_message: c.message,
            last_attempted_deployment_id: c.last_attempted,
            last_deployment_attempted_at: c.attempted_at,
            last_deployment_succeeded_at: c.succeeded_at,
            last_succeeded_deployment_id: c.last_succeeded,
            name: name.clone(),
            spec: c.spec,
            template_major_version: major,
            template_minor_version: minor,
            template_name,
        })
    }
}

/// The `ServicePipeline` shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // members are documented by their wire names
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
    /// The shape of a service pipeline's deployment.
    pub fn from_deployment(d: &Deployment, meta: &ResourceMeta) -> Result<Self, ShapeError> {
        let ResourceId::ServicePipeline { .. } = d.resource() else {
            return Err(wrong_kind(d, "ServicePipeline"));
        };
        let (template_name, major, minor) = template(d)?;
        let c = Common::of(d);
        Ok(Self {
            arn: meta.arn.clone(),
            created_at: c.created_at,
            deployment_status: c.status,
            deployment_status_message: c.message,
            last_attempted_deployment_id: c.last_attempted,
            last_deployment_attempted_at: c.attempted_at,
            last_deployment_succeeded_at: c.succeeded_at,
            last_succeeded_deployment_id: c.last_succeeded,
            spec: c.spec,
            template_major_version: major,
            template_minor_version: minor,
            template_name,
        })
    }
}

/// The `Component` shape (the members this crate knows of).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // members are documented by their wire names
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
    pub last_client_request_token: Option<String>,
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
    /// The shape of a component's deployment. `lastModifiedAt` is the last
    /// deployment attempt's time (`createdAt` before any); `serviceSpec` is
    /// the applied spec.
    pub fn from_deployment(d: &Deployment, meta: &ResourceMeta) -> Result<Self, ShapeError> {
        let ResourceId::Component { name } = d.resource() else {
            return Err(wrong_kind(d, "Component"));
        };
        let c = Common::of(d);
        Ok(Self {
            arn: meta.arn.clone(),
            created_at: c.created_at,
            deployment_status: c.status,
            deployment_status_message: c.message,
            environment_name: environment(d, meta)?,
            last_attempted_deployment_id: c.last_attempted,
            last_client_request_token: d.last_client_request_token().map(|t| t.as_str().to_owned()),
            last_deployment_attempted_at: Some(c.attempted_at),
            last_deployment_succeeded_at: Some(c.succeeded_at),
            last_modified_at: c.attempted_at,
            last_succeeded_deployment_id: c.last_succeeded,
            name: name.clone(),
            service_spec: c.spec,
        })
    }
}

macro_rules! output {
    ($(#[$meta:meta])* $name:ident { $field:ident: $wire:literal, $shape:ident }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            #[doc = concat!("`", $wire, "`.")]
            #[serde(rename = $wire)]
            pub $field: $shape,
        }

        impl $name {
            /// The response body for `d`.
            pub fn from_deployment(d: &Deployment, meta: &ResourceMeta) -> Result<Self, ShapeError> {
                Ok(Self { $field: $shape::from_deployment(d, meta)? })
            }

            /// The JSON body.
            pub fn to_json(&self) -> Vec<u8> {
                // The shapes hold only strings, numbers and enums: writing
                // them to memory cannot fail.
                serde_json::to_vec(self).unwrap_or_default()
            }
        }
    };
}

output! {
    /// CancelServiceInstanceDeployment's output.
    CancelServiceInstanceDeploymentOutput { service_instance: "serviceInstance", ServiceInstance }
}
output! {
    /// UpdateServiceInstance's output.
    UpdateServiceInstanceOutput { service_instance: "serviceInstance", ServiceInstance }
}
output! {
    /// GetServiceInstance's output.
    GetServiceInstanceOutput { service_instance: "serviceInstance", ServiceInstance }
}
output! {
    /// CancelEnvironmentDeployment's output.
    CancelEnvironmentDeploymentOutput { environment: "environment", Environment }
}
output! {
    /// CancelServicePipelineDeployment's output.
    CancelServicePipelineDeploymentOutput { pipeline: "pipeline", ServicePipeline }
}
output! {
    /// CancelComponentDeployment's output.
    CancelComponentDeploymentOutput { component: "component", Component }
}
