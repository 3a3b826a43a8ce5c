//! The resource a command is about, validated locally with AWS's wording
//! before any call.

use proton_cancel::ResourceId;
use proton_cancel_wire::{
    Addresses, ApiError, CancelComponentDeploymentInput, CancelEnvironmentDeploymentInput,
    CancelServiceInstanceDeploymentInput, CancelServicePipelineDeploymentInput, GetComponentInput,
    GetEnvironmentInput, GetServiceInput, GetServiceInstanceInput,
};

/// A resource as the command line names it, not yet validated.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum Target {
    /// A service instance: `--service shop --name web`.
    ServiceInstance {
        /// The service the instance belongs to.
        #[arg(long)]
        service: String,
        /// The service instance.
        #[arg(long)]
        name: String,
    },
    /// An environment: `--name prod`.
    Environment {
        /// The environment.
        #[arg(long)]
        name: String,
    },
    /// The pipeline of a service: `--service shop`.
    ServicePipeline {
        /// The service whose pipeline it is.
        #[arg(long)]
        service: String,
    },
    /// A component: `--name cache`.
    Component {
        /// The component.
        #[arg(long)]
        name: String,
    },
}

/// What a command does to its resource: which kind's operation it calls,
/// and so which operation's members its names are checked as (the message
/// names the member AWS would: `serviceInstanceName` for a cancel, `name`
/// for a get).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// The kind's Cancel*Deployment.
    Cancel,
    /// The kind's Get operation (GetService for a pipeline).
    Get,
}

impl Target {
    /// Validates the names exactly as the service would, with the wire
    /// crate's typed constructor for the input of the operation `verb`
    /// names: `Err` is AWS's ValidationException message, every broken rule
    /// of every member.
    ///
    /// # Errors
    /// The ValidationException message.
    pub fn validate(&self, verb: Verb) -> Result<ResourceId, String> {
        fn id(input: Result<impl Addresses, ApiError>) -> Result<ResourceId, String> {
            input
                .map(|i| i.resource_id())
                .map_err(|e| e.message().to_owned())
        }
        match (self, verb) {
            (Self::ServiceInstance { service, name }, Verb::Cancel) => {
                id(CancelServiceInstanceDeploymentInput::new(name, service))
            }
            (Self::ServiceInstance { service, name }, Verb::Get) => {
                id(GetServiceInstanceInput::new(name, service))
            }
            (Self::Environment { name }, Verb::Cancel) => {
                id(CancelEnvironmentDeploymentInput::new(name))
            }
            (Self::Environment { name }, Verb::Get) => id(GetEnvironmentInput::new(name)),
            (Self::ServicePipeline { service }, Verb::Cancel) => {
                id(CancelServicePipelineDeploymentInput::new(service))
            }
            (Self::ServicePipeline { service }, Verb::Get) => id(GetServiceInput::new(service)),
            (Self::Component { name }, Verb::Cancel) => {
                id(CancelComponentDeploymentInput::new(name))
            }
            (Self::Component { name }, Verb::Get) => id(GetComponentInput::new(name)),
        }
    }
}
