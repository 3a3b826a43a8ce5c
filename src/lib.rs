//! # proton-cancel
//!
//! The executable specification of AWS Proton's deployment cancellation
//! (`CancelServiceInstanceDeployment` and its siblings for environments,
//! service pipelines and components).
//!
//! AWS documents three outcomes of a cancel: the cancellation succeeds
//! (CANCELLED), it fails (FAILED), or the update finishes before the
//! cancellation attempt starts (SUCCEEDED, and the cancel has no effect).
//! This crate decides everything around those three sentences and makes it
//! executable:
//!
//! - [`DeploymentStatus`]: the eight statuses, their wire strings, and what a
//!   client may conclude from each ([`DeploymentStatus::is_settled`] tells it
//!   when to stop polling).
//! - [`ResourceName`] and the other validated values: a value that exists is
//!   valid, and an invalid one is explained rule by rule.
//! - [`Deployment`]: the sans-I/O state machine of one resource. Feed it API
//!   calls and engine reports ([`Input`]), each with its own timestamp; get
//!   back an [`Outcome`]: applied, ignored (with an [`IgnoreReason`]), or
//!   rejected (with a [`Rejection`] that maps to an AWS error).
//! - [`Request`] types and response shapes of the AWS JSON 1.0 wire format,
//!   with AWS's `ValidationException` wording ([`ValidationError`]) and the
//!   service's errors ([`ApiError`]): pure functions of bytes.
//! - [`transition_rule`]: the transition table itself, which the machine
//!   consults for every input and from which the state diagram is generated.
//!
//! The crate does no I/O: no files, sockets, threads, environment, clock or
//! randomness. Servers, emulators and clients embed it.
//!
//! ## The cancel race
//!
//! ```
//! use proton_cancel::*;
//!
//! let name = |s: &str| ResourceName::new(s).unwrap();
//! let version = |s: &str| TemplateVersion::new(s).unwrap();
//! let config = |minor: &str| Configuration {
//!     template: Some(TemplateRef { name: name("web-tmpl"), major: version("1"), minor: version(minor) }),
//!     spec: None,
//! };
//! let t = Timestamp::from_secs;
//! let instance = ResourceId::ServiceInstance { service: name("shop"), name: name("web") };
//!
//! // A service instance at rest on template 1.0; an update to 1.1 starts.
//! let mut web = Deployment::seeded(instance, t(0), config("0"), Seed::Succeeded);
//! let update = DeploymentId::from_u128(0x2b6d);
//! let outcome = web.handle(Input::Update {
//!     at: t(100), deployment_id: update, target: config("1"), client_token: None,
//! });
//! assert_eq!(outcome.applied_status(), Some(DeploymentStatus::InProgress));
//!
//! // The user cancels: the response already shows CANCELLING.
//! let outcome = web.handle(Input::Cancel { at: t(101) });
//! assert_eq!(outcome.applied_status(), Some(DeploymentStatus::Cancelling));
//!
//! // The update finishes before the engine starts cancelling: the update wins.
//! let outcome = web.handle(Input::UpdateFinished {
//!     at: t(102), deployment_id: update, result: EngineResult::Succeeded,
//! });
//! assert_eq!(outcome.applied_status(), Some(DeploymentStatus::Succeeded));
//! assert_eq!(web.applied(), &config("1"));
//! assert_eq!(web.last_deployment_succeeded_at(), t(100));
//!
//! // The cancellation report that comes late has no effect.
//! let outcome = web.handle(Input::CancellationStarted { at: t(103), deployment_id: update });
//! assert_eq!(outcome, Outcome::Ignored(IgnoreReason::AttemptFinished));
//! assert_eq!(web.status(), DeploymentStatus::Succeeded);
//! ```
//!
//! ## Panic policy
//!
//! Bad input is an error value, never a panic. The crate panics only if its
//! own invariants break (the transition table asking for a stage the state's
//! data cannot reach), which the exhaustive tests rule out for every reachable
//! state. `unsafe` is forbidden.
//!
//! See `docs/spec.md` for the numbered rules and the tests that check them,
//! and `docs/state-machine.md` for the generated diagram and table.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::disallowed_methods
)]

mod api_error;
mod constraint;
mod diagram;
mod echo;
mod machine;
mod name;
mod resource;
mod status;
mod table;
mod time;
mod validation;
mod values;
mod wire;

pub use api_error::{ApiError, ErrorCode};
pub use constraint::{AwsConstraint, InvalidValue, Mismatch, Shape, Violation, Violations};
pub use diagram::{mermaid_state_diagram, state_machine_markdown};
pub use echo::ECHO_LIMIT;
pub use machine::{
    CANCELLED_MESSAGE, CancellationPhase, Deployment, EngineResult, Input, Outcome, Rejection,
    Seed, Transition,
};
pub use name::{
    RESOURCE_NAME_MAX_LEN, RESOURCE_NAME_MIN_LEN, RESOURCE_NAME_PATTERN, ResourceName,
    check_resource_name,
};
pub use resource::{Configuration, ResourceId, TemplateRef};
pub use status::{DeploymentStatus, UnknownStatusError};
pub use table::{ConflictReason, IgnoreReason, InputKind, Rule, Stage, transition_rule};
pub use time::Timestamp;
pub use validation::{MemberConstraint, MemberViolation, ValidationError};
pub use values::{
    CLIENT_TOKEN_PATTERN, ClientToken, DEPLOYMENT_ID_PATTERN, DeploymentId, Spec, StatusMessage,
    TEMPLATE_VERSION_PATTERN, TemplateVersion, check_client_token, check_deployment_id, check_spec,
    check_template_version,
};
pub use wire::{
    CancelComponentDeploymentInput, CancelComponentDeploymentOutput,
    CancelEnvironmentDeploymentInput, CancelEnvironmentDeploymentOutput,
    CancelServiceInstanceDeploymentInput, CancelServiceInstanceDeploymentOutput,
    CancelServicePipelineDeploymentInput, CancelServicePipelineDeploymentOutput, Component,
    DeploymentUpdateType, Environment, GetServiceInstanceInput, GetServiceInstanceOutput,
    Operation, Request, ResourceMeta, ServiceInstance, ServicePipeline, ShapeError, TARGET_PREFIX,
    UpdateServiceInstanceInput, UpdateServiceInstanceOutput,
};

/// The README's example, compiled and run as a doctest so it cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
