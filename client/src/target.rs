//! The resource a command is about, validated locally with AWS's wording
//! before any call.

use proton_cancel::ResourceId;
use proton_cancel_wire::{
    CancelComponentDeploymentInput, CancelEnvironmentDeploymentInput,
    CancelServiceInstanceDeploymentInput, CancelServicePipelineDeploymentInput, GetComponentInput,
    GetEnvironmentInput, GetServiceInput, GetServiceInstanceInput, Request,
};
use serde_json::json;

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

/// Which operation's members a name is checked as, so that the message
/// names the member AWS would (`serviceInstanceName` for a cancel, `name`
/// for a get).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// As the Cancel*Deployment operation's input.
    Cancel,
    /// As the Get operation's input.
    Get,
}

impl Target {
    /// Validates the names exactly as the service would, with the wire
    /// crate's decoder for the operation `check` names: `Err` is AWS's
    /// ValidationException message, every broken rule of every member.
    ///
    /// # Errors
    /// The ValidationException message.
    pub fn validate(&self, check: Check) -> Result<ResourceId, String> {
        let fail = |e: proton_cancel_wire::ApiError| e.message().to_owned();
        match (self, check) {
            (Self::ServiceInstance { service, name }, Check::Cancel) => {
                let body = json!({"serviceInstanceName": name, "serviceName": service});
                CancelServiceInstanceDeploymentInput::decode(body.to_string().as_bytes())
                    .map(|i| i.resource_id())
                    .map_err(fail)
            }
            (Self::ServiceInstance { service, name }, Check::Get) => {
                let body = json!({"name": name, "serviceName": service});
                GetServiceInstanceInput::decode(body.to_string().as_bytes())
                    .map(|i| i.resource_id())
                    .map_err(fail)
            }
            (Self::Environment { name }, Check::Cancel) => {
                let body = json!({ "environmentName": name });
                CancelEnvironmentDeploymentInput::decode(body.to_string().as_bytes())
                    .map(|i| i.resource_id())
                    .map_err(fail)
            }
            (Self::Environment { name }, Check::Get) => {
                let body = json!({ "name": name });
                GetEnvironmentInput::decode(body.to_string().as_bytes())
                    .map(|i| i.resource_id())
                    .map_err(fail)
            }
            (Self::ServicePipeline { service }, Check::Cancel) => {
                let body = json!({ "serviceName": service });
                CancelServicePipelineDeploymentInput::decode(body.to_string().as_bytes())
                    .map(|i| i.resource_id())
                    .map_err(fail)
            }
            (Self::ServicePipeline { service }, Check::Get) => {
                let body = json!({ "name": service });
                GetServiceInput::decode(body.to_string().as_bytes())
                    .map(|i| i.resource_id())
                    .map_err(fail)
            }
            (Self::Component { name }, Check::Cancel) => {
                let body = json!({ "componentName": name });
                CancelComponentDeploymentInput::decode(body.to_string().as_bytes())
                    .map(|i| i.resource_id())
                    .map_err(fail)
            }
            (Self::Component { name }, Check::Get) => {
                let body = json!({ "name": name });
                GetComponentInput::decode(body.to_string().as_bytes())
                    .map(|i| i.resource_id())
                    .map_err(fail)
            }
        }
    }
}
