//! Request decoding: every input this crate reads, from its JSON body, with
//! AWS's validation. Pure functions of bytes.

use std::borrow::Cow;

use proton_cancel::{ClientToken, ResourceId, ResourceName, Spec, TemplateVersion};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::operation::Operation;
use crate::validation::Validator;

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
                $(let $field = v.required($wire, false, raw.$field, ResourceName::new);)+
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
#[non_exhaustive]
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
        let client_token = v.optional("clientToken", false, raw.client_token, ClientToken::new);
        let deployment_type = v.required_enum(
            "deploymentType",
            DeploymentUpdateType::WIRE_VALUES,
            raw.deployment_type,
        );
        let name = v.required("name", false, raw.name, ResourceName::new);
        let service_name = v.required("serviceName", false, raw.service_name, ResourceName::new);
        let spec = v.optional("spec", true, raw.spec, Spec::new);
        let major = v.optional(
            "templateMajorVersion",
            false,
            raw.template_major_version,
            TemplateVersion::new,
        );
        let minor = v.optional(
            "templateMinorVersion",
            false,
            raw.template_minor_version,
            TemplateVersion::new,
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
