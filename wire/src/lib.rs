//! # proton-cancel-wire
//!
//! The AWS JSON 1.0 wire protocol of AWS Proton's operations around a
//! deployment cancel, on top of the [`proton_cancel`] specification:
//!
//! - [`Operation`]: the operations and their `X-Amz-Target` header.
//! - [`Request`]: decoding a request body into a typed input with AWS's
//!   validation, every violation of every member at once, in AWS's
//!   `ValidationException` wording ([`aws_wording`] gives one rule's).
//! - Response shapes ([`ServiceInstance`], [`Environment`],
//!   [`ServicePipeline`], [`Component`] and the operations' outputs), built
//!   from the core's [`proton_cancel::Observed`] value and read back into one.
//! - [`ApiError`]: the service's errors with their HTTP status, headers and
//!   JSON body, and the mapping from a machine [`proton_cancel::Rejection`].
//!
//! Like the core, it does no I/O: every function here is a pure function of
//! bytes or values. A server or a client adds the HTTP.
//!
//! ```
//! use proton_cancel_wire::{CancelServiceInstanceDeploymentInput, ErrorCode, Request};
//!
//! let body = br#"{"serviceName": "shop", "serviceInstanceName": "web!"}"#;
//! let err = CancelServiceInstanceDeploymentInput::decode(body).unwrap_err();
//! assert_eq!(err.code(), ErrorCode::ValidationException);
//! assert_eq!(
//!     err.message(),
//!     "1 validation error detected: Value 'web!' at 'serviceInstanceName' failed to satisfy \
//!      constraint: Member must satisfy regular expression pattern: ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$",
//! );
//! ```

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

#[macro_use]
mod declare;

mod echo;
mod error;
mod list;
mod lists;
mod members;
mod operation;
mod output;
mod record;
#[macro_use]
mod request;
// After `request`, whose macros they use.
mod create;
mod deployments;
mod service;
mod service_spec;
mod services;
mod shape;
mod tags;
mod time;
mod update;
mod validation;

pub use create::{ComponentPlace, CreateComponentInput, CreateEnvironmentInput};
pub use deployments::{
    DeleteDeploymentInput, DeploymentFilter, GetDeploymentInput, ListDeploymentsInput,
};
pub use error::{ApiError, ErrorCode};
pub use list::{
    DEFAULT_PAGE_SIZE, ListServiceInstancesInput, NextToken, ServiceInstanceFilter,
    ServiceInstanceFilterKey, ServiceInstanceSortBy, SortOrder, page,
};
pub use lists::{
    ComponentSummary, EnvironmentSummary, EnvironmentTemplateFilter, ListComponentsInput,
    ListEnvironmentsInput,
};
pub use members::{
    AttemptTimes, DeploymentMembers, Description, TemplateDeployment, TemplateMembers,
};
pub use operation::{Operation, TARGET_PREFIX};
pub use output::{
    Body, CancelComponentDeploymentOutput, CancelEnvironmentDeploymentOutput,
    CancelServiceInstanceDeploymentOutput, CancelServicePipelineDeploymentOutput,
    CreateComponentOutput, CreateEnvironmentOutput, CreateServiceInstanceOutput,
    CreateServiceOutput, DeleteComponentOutput, DeleteDeploymentOutput, DeleteEnvironmentOutput,
    DeleteServiceOutput, GetComponentOutput, GetDeploymentOutput, GetEnvironmentOutput,
    GetServiceInstanceOutput, GetServiceOutput, ListComponentsOutput, ListDeploymentsOutput,
    ListEnvironmentsOutput, ListServiceInstancesOutput, ListServicesOutput, PageOutput,
    ShapeOutput, UpdateComponentOutput, UpdateEnvironmentOutput, UpdateServiceInstanceOutput,
    UpdateServiceOutput, UpdateServicePipelineOutput,
};
pub use record::{
    ComponentState, DeploymentRecord, DeploymentState, DeploymentSummary, RecordPlace,
    ServiceInstanceState, TargetResourceType, TemplateState,
};
pub use request::{
    Addresses, CancelComponentDeploymentInput, CancelEnvironmentDeploymentInput,
    CancelServiceInstanceDeploymentInput, CancelServicePipelineDeploymentInput,
    DeleteComponentInput, DeleteEnvironmentInput, GetComponentInput, GetEnvironmentInput,
    GetServiceInput, GetServiceInstanceInput, Request,
};
pub use service::{Service, ServiceInstanceSummary, ServiceStatus, ServiceSummary};
pub use service_spec::{InstanceSpec, ServiceSpec};
pub use services::{
    CreateServiceInput, CreateServiceInstanceInput, DeleteServiceInput, ListServicesInput,
    UpdateServiceInput,
};
pub use shape::{Component, Environment, Place, ServiceInstance, ServicePipeline, Shape};
pub use tags::{ENGINE_TAG, tag_value_of};
pub use update::{
    ComponentDeploymentUpdateType, ConfigurationChange, DeploymentUpdateType, Deploys,
    UpdateComponentInput, UpdateEnvironmentInput, UpdateServiceInstanceInput,
    UpdateServicePipelineInput,
};
pub use validation::aws_wording;
