//! Which operation runs for each `X-Amz-Target`: one line per operation
//! says what its input is, what it does, and what its output is.

use proton_cancel_wire::{
    Addresses, ApiError, Body, CancelComponentDeploymentInput, CancelComponentDeploymentOutput,
    CancelEnvironmentDeploymentInput, CancelEnvironmentDeploymentOutput,
    CancelServiceInstanceDeploymentInput, CancelServiceInstanceDeploymentOutput,
    CancelServicePipelineDeploymentInput, CancelServicePipelineDeploymentOutput,
    CreateComponentInput, CreateComponentOutput, CreateEnvironmentInput, CreateEnvironmentOutput,
    CreateServiceInput, CreateServiceInstanceInput, CreateServiceInstanceOutput,
    CreateServiceOutput, DeleteComponentInput, DeleteComponentOutput, DeleteDeploymentInput,
    DeleteDeploymentOutput, DeleteEnvironmentInput, DeleteEnvironmentOutput, DeleteServiceInput,
    DeleteServiceOutput, ErrorCode, GetComponentInput, GetComponentOutput, GetDeploymentInput,
    GetDeploymentOutput, GetEnvironmentInput, GetEnvironmentOutput, GetServiceInput,
    GetServiceInstanceInput, GetServiceInstanceOutput, GetServiceOutput, ListComponentsInput,
    ListDeploymentsInput, ListEnvironmentsInput, ListServiceInstancesInput, ListServicesInput,
    Operation, Request, ShapeOutput, UpdateComponentInput, UpdateComponentOutput,
    UpdateEnvironmentInput, UpdateEnvironmentOutput, UpdateServiceInput,
    UpdateServiceInstanceInput, UpdateServiceInstanceOutput, UpdateServiceOutput,
    UpdateServicePipelineInput, UpdateServicePipelineOutput,
};

use crate::app::App;

/// The dispatch table: each operation with its input, the call it makes
/// on the decoded input `i`, and how its answer is wrapped. Every decoded
/// request passes the fault rules first ([`App::fault`]).
macro_rules! operations {
    ($self:ident, $operation:ident, $body:ident, {
        $($op:ident: $input:ty => |$i:ident| $call:expr => $wrap:expr;)+
    }) => {
        match $operation {
            $(
                Operation::$op => {
                    let $i = <$input>::decode($body)?;
                    if !$self.faults().is_empty() {
                        $self.fault(Operation::$op, &$i).await?;
                    }
                    Ok(Body::to_json(&$wrap($call.await?)))
                }
            )+
            other => Err(ApiError::new(
                ErrorCode::UnknownOperationException,
                format!("operation {other} is not served"),
            )),
        }
    };
}

impl App {
    /// Runs one operation on a JSON body; the JSON answer or the error.
    pub async fn call(&self, operation: Operation, body: &[u8]) -> Result<Vec<u8>, ApiError> {
        operations!(self, operation, body, {
            CancelServiceInstanceDeployment: CancelServiceInstanceDeploymentInput
                => |i| self.cancel(i.resource_id()) => CancelServiceInstanceDeploymentOutput::new;
            CancelEnvironmentDeployment: CancelEnvironmentDeploymentInput
                => |i| self.cancel(i.resource_id()) => CancelEnvironmentDeploymentOutput::new;
            CancelServicePipelineDeployment: CancelServicePipelineDeploymentInput
                => |i| self.cancel(i.resource_id()) => CancelServicePipelineDeploymentOutput::new;
            CancelComponentDeployment: CancelComponentDeploymentInput
                => |i| self.cancel(i.resource_id()) => CancelComponentDeploymentOutput::new;
            UpdateServiceInstance: UpdateServiceInstanceInput
                => |i| self.update(&i) => UpdateServiceInstanceOutput::new;
            UpdateEnvironment: UpdateEnvironmentInput
                => |i| self.update(&i) => UpdateEnvironmentOutput::new;
            UpdateServicePipeline: UpdateServicePipelineInput
                => |i| self.update(&i) => UpdateServicePipelineOutput::new;
            UpdateComponent: UpdateComponentInput
                => |i| self.update(&i) => UpdateComponentOutput::new;
            GetServiceInstance: GetServiceInstanceInput
                => |i| self.get(&i.resource_id()) => GetServiceInstanceOutput::new;
            GetEnvironment: GetEnvironmentInput
                => |i| self.get(&i.resource_id()) => GetEnvironmentOutput::new;
            GetComponent: GetComponentInput
                => |i| self.get(&i.resource_id()) => GetComponentOutput::new;
            GetService: GetServiceInput => |i| self.service(&i.name) => GetServiceOutput::new;
            ListServiceInstances: ListServiceInstancesInput
                => |i| self.list_service_instances(&i) => std::convert::identity;
            GetDeployment: GetDeploymentInput => |i| self.deployment(&i) => GetDeploymentOutput::new;
            ListDeployments: ListDeploymentsInput
                => |i| self.list_deployments(&i) => std::convert::identity;
            CreateEnvironment: CreateEnvironmentInput
                => |i| self.create_environment(&i, self.tagged_engine(body)?) => CreateEnvironmentOutput::new;
            CreateComponent: CreateComponentInput
                => |i| self.create_component(&i, self.tagged_engine(body)?) => CreateComponentOutput::new;
            ListEnvironments: ListEnvironmentsInput
                => |i| self.list_environments(&i) => std::convert::identity;
            DeleteDeployment: DeleteDeploymentInput
                => |i| self.delete_deployment(&i) => DeleteDeploymentOutput::new;
            ListComponents: ListComponentsInput
                => |i| self.list_components(&i) => std::convert::identity;
            DeleteEnvironment: DeleteEnvironmentInput
                => |i| self.delete(i.resource_id()) => DeleteEnvironmentOutput::new;
            DeleteComponent: DeleteComponentInput
                => |i| self.delete(i.resource_id()) => DeleteComponentOutput::new;
            CreateService: CreateServiceInput
                => |i| self.create_service(&i, self.tagged_engine(body)?) => CreateServiceOutput::new;
            UpdateService: UpdateServiceInput
                => |i| self.update_service(&i) => UpdateServiceOutput::new;
            DeleteService: DeleteServiceInput
                => |i| self.delete_service(&i.name) => DeleteServiceOutput::new;
            ListServices: ListServicesInput
                => |i| self.list_services(&i) => std::convert::identity;
            CreateServiceInstance: CreateServiceInstanceInput
                => |i| self.create_service_instance(&i, self.tagged_engine(body)?) => CreateServiceInstanceOutput::new;
        })
    }
}
