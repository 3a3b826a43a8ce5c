//! Request decoding: every input this crate reads, from its JSON body, with
//! AWS's validation. Pure functions of bytes.

use std::borrow::Cow;

use proton_cancel::{ResourceId, ResourceName};
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
pub(crate) fn parse_body<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
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
pub(crate) fn validated<T>(value: Option<T>) -> Result<T, ApiError> {
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

names_request! {
    /// GetEnvironment's input.
    GetEnvironmentInput, RawGetEnvironment, GetEnvironment,
    { name: "name" },
    |r| ResourceId::Environment { name: r.name.clone() }
}

names_request! {
    /// GetService's input: the service whose pipeline (if it has one) the
    /// answer shows.
    GetServiceInput, RawGetService, GetService,
    { name: "name" },
    |r| ResourceId::ServicePipeline { service: r.name.clone() }
}

names_request! {
    /// GetComponent's input.
    GetComponentInput, RawGetComponent, GetComponent,
    { name: "name" },
    |r| ResourceId::Component { name: r.name.clone() }
}
