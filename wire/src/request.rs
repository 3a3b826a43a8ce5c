//! Request decoding: every input this crate reads, from its JSON body, with
//! AWS's validation. Pure functions of bytes.

use std::borrow::Cow;

use proton_cancel::{DeploymentId, ResourceId, ResourceName, Spec, TemplateVersion};
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

/// A request that addresses one resource.
pub trait Addresses {
    /// The resource the request addresses.
    fn resource_id(&self) -> ResourceId;
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

/// Whether an input's member is absent: its JSON then leaves it out, as a
/// body that did not give it.
pub(crate) trait Absent {
    fn absent(&self) -> bool;
}

impl<T> Absent for Option<T> {
    fn absent(&self) -> bool {
        self.is_none()
    }
}

/// The types of required members: never absent.
macro_rules! present {
    ($($ty:ty),+) => {$(
        impl Absent for $ty {
            fn absent(&self) -> bool {
                false
            }
        }
    )+};
}

present!(DeploymentId, ResourceName, Spec, TemplateVersion);

/// One member's check (`check`) and, once every member was checked, its
/// value (`value`), by the rule the member is declared with:
///
/// - `name`: a required `ResourceName`;
/// - `required(make)` / `required_secret(make)`: a required value built by
///   `make`, shown in messages or not;
/// - `optional(make)` / `optional_secret(make)`: the same, optional;
/// - `one_of`: a required enum, its values from strum;
/// - `text(check)` / `text_secret(check)`: an optional string of a shape
///   only the wire has, checked by `check`.
macro_rules! member {
    (check name, $v:ident, $wire:literal, $raw:expr) => {
        $v.required(
            $crate::validation::Member::shown($wire),
            $raw,
            ResourceName::new,
        )
    };
    (check required, $v:ident, $wire:literal, $raw:expr, $make:expr) => {
        $v.required($crate::validation::Member::shown($wire), $raw, $make)
    };
    (check required_secret, $v:ident, $wire:literal, $raw:expr, $make:expr) => {
        $v.required($crate::validation::Member::secret($wire), $raw, $make)
    };
    (check optional, $v:ident, $wire:literal, $raw:expr, $make:expr) => {
        $v.optional($crate::validation::Member::shown($wire), $raw, $make)
    };
    (check optional_secret, $v:ident, $wire:literal, $raw:expr, $make:expr) => {
        $v.optional($crate::validation::Member::secret($wire), $raw, $make)
    };
    (check one_of, $v:ident, $wire:literal, $raw:expr) => {
        $v.required_enum($wire, $raw)
    };
    (check text, $v:ident, $wire:literal, $raw:expr, $check:expr) => {
        $v.optional_str($wire, false, $raw, $check)
    };
    (check text_secret, $v:ident, $wire:literal, $raw:expr, $check:expr) => {
        $v.optional_str($wire, true, $raw, $check)
    };
    (value name, $x:ident) => {
        validated($x)?
    };
    (value required, $x:ident) => {
        validated($x)?
    };
    (value required_secret, $x:ident) => {
        validated($x)?
    };
    (value one_of, $x:ident) => {
        validated($x)?
    };
    (value $other:ident, $x:ident) => {
        $x
    };
}

/// Declares a request input once: its struct, with each member's wire name
/// and the rule it is checked by (see [`member!`]), in AWS's member order;
/// the raw struct its body is read into; its [`Request::decode`]; and,
/// where it addresses one resource, `resource_id`.
macro_rules! request {
    (
        $(#[$meta:meta])*
        $name:ident, $raw:ident, $op:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident: $ty:ty = $wire:literal, $rule:ident $(($($arg:expr),*))?;
            )+
        }
        $(resource: |$this:ident| $resource:expr)?
        $(; names $names:ident($($param:ident),+))?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(rename = $wire, skip_serializing_if = "crate::request::Absent::absent")]
                pub $field: $ty,
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
                Self::checked(parse_body(body)?)
            }
        }

        impl $name {
            /// Checks every member of `raw`, as [`Request::decode`] does.
            fn checked(raw: $raw<'_>) -> Result<Self, ApiError> {
                let mut v = Validator::default();
                $(let $field = member!(check $rule, v, $wire, raw.$field $(, $($arg),*)?);)+
                v.finish()?;
                Ok(Self { $($field: member!(value $rule, $field),)+ })
            }

            $(
                /// The input of these names (in member order), checked
                /// exactly as [`Request::decode`] checks a body that gives
                /// them: the error is AWS's ValidationException, every
                /// broken rule of every member.
                ///
                /// # Errors
                /// ValidationException.
                pub fn $names($($param: &str),+) -> Result<Self, ApiError> {
                    Self::checked($raw { $($param: Some(Cow::Borrowed($param)),)+ })
                }
            )?
        }

        $(
            impl Addresses for $name {
                fn resource_id(&self) -> ResourceId {
                    let $this = self;
                    $resource
                }
            }
        )?
    };
}

/// Declares inputs whose members are all required resource names, one
/// declaration each: the input, its operation and raw struct, its members
/// with their wire names (in member order), and the resource they address.
/// Each also gets a typed constructor, `new`, taking the names in member
/// order.
macro_rules! names {
    ($(
        $(#[$meta:meta])*
        $name:ident($op:ident, $raw:ident) { $($field:ident: $wire:literal),+ }
            => $kind:ident { $($id:ident: $from:ident),+ };
    )+) => {$(
        request! {
            $(#[$meta])*
            $name, $raw, $op {
                $(
                    #[doc = concat!("`", $wire, "`.")]
                    $field: ResourceName = $wire, name;
                )+
            }
            resource: |r| ResourceId::$kind { $($id: r.$from.clone()),+ }
            ; names new($($field),+)
        }
    )+};
}

names! {
    /// CancelServiceInstanceDeployment's input.
    CancelServiceInstanceDeploymentInput(CancelServiceInstanceDeployment, RawCancelServiceInstance)
        { service_instance_name: "serviceInstanceName", service_name: "serviceName" }
        => ServiceInstance { service: service_name, name: service_instance_name };
    /// CancelEnvironmentDeployment's input.
    CancelEnvironmentDeploymentInput(CancelEnvironmentDeployment, RawCancelEnvironment)
        { environment_name: "environmentName" } => Environment { name: environment_name };
    /// CancelServicePipelineDeployment's input.
    CancelServicePipelineDeploymentInput(CancelServicePipelineDeployment, RawCancelServicePipeline)
        { service_name: "serviceName" } => ServicePipeline { service: service_name };
    /// CancelComponentDeployment's input.
    CancelComponentDeploymentInput(CancelComponentDeployment, RawCancelComponent)
        { component_name: "componentName" } => Component { name: component_name };
    /// GetServiceInstance's input.
    GetServiceInstanceInput(GetServiceInstance, RawGetServiceInstance)
        { name: "name", service_name: "serviceName" }
        => ServiceInstance { service: service_name, name: name };
    /// GetEnvironment's input.
    GetEnvironmentInput(GetEnvironment, RawGetEnvironment) { name: "name" }
        => Environment { name: name };
    /// GetService's input: the service whose pipeline (if it has one) the
    /// answer shows.
    GetServiceInput(GetService, RawGetService) { name: "name" }
        => ServicePipeline { service: name };
    /// GetComponent's input.
    GetComponentInput(GetComponent, RawGetComponent) { name: "name" }
        => Component { name: name };
    /// DeleteEnvironment's input.
    DeleteEnvironmentInput(DeleteEnvironment, RawDeleteEnvironment) { name: "name" }
        => Environment { name: name };
    /// DeleteComponent's input.
    DeleteComponentInput(DeleteComponent, RawDeleteComponent) { name: "name" }
        => Component { name: name };
}
