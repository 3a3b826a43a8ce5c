//! Which operation runs for each `X-Amz-Target`: decode the request, call
//! the typed operation, encode its answer.

use proton_cancel_wire::{
    ApiError, CancelComponentDeploymentInput, CancelComponentDeploymentOutput,
    CancelEnvironmentDeploymentInput, CancelEnvironmentDeploymentOutput,
    CancelServiceInstanceDeploymentInput, CancelServiceInstanceDeploymentOutput,
    CancelServicePipelineDeploymentInput, CancelServicePipelineDeploymentOutput, ErrorCode,
    GetComponentInput, GetComponentOutput, GetDeploymentInput, GetDeploymentOutput,
    GetEnvironmentInput, GetEnvironmentOutput, GetServiceInput, GetServiceInstanceInput,
    GetServiceInstanceOutput, GetServiceOutput, ListDeploymentsInput, ListServiceInstancesInput,
    Operation, Request, UpdateComponentInput, UpdateComponentOutput, UpdateEnvironmentInput,
    UpdateEnvironmentOutput, UpdateServiceInstanceInput, UpdateServiceInstanceOutput,
    UpdateServicePipelineInput, UpdateServicePipelineOutput,
};

use crate::app::App;
use crate::operations::{component, environment, service_instance, service_pipeline};

impl App {
    /// Runs one operation on a JSON body; the JSON answer or the error.
    pub async fn call(&self, operation: Operation, body: &[u8]) -> Result<Vec<u8>, ApiError> {
        match operation {
            Operation::CancelServiceInstanceDeployment => {
                let input = CancelServiceInstanceDeploymentInput::decode(body)?;
                let service_instance = self.cancel(input.resource_id(), service_instance).await?;
                Ok(CancelServiceInstanceDeploymentOutput { service_instance }.to_json())
            }
            Operation::CancelEnvironmentDeployment => {
                let input = CancelEnvironmentDeploymentInput::decode(body)?;
                let environment = self.cancel(input.resource_id(), environment).await?;
                Ok(CancelEnvironmentDeploymentOutput { environment }.to_json())
            }
            Operation::CancelServicePipelineDeployment => {
                let input = CancelServicePipelineDeploymentInput::decode(body)?;
                let pipeline = self.cancel(input.resource_id(), service_pipeline).await?;
                Ok(CancelServicePipelineDeploymentOutput { pipeline }.to_json())
            }
            Operation::CancelComponentDeployment => {
                let input = CancelComponentDeploymentInput::decode(body)?;
                let component = self.cancel(input.resource_id(), component).await?;
                Ok(CancelComponentDeploymentOutput { component }.to_json())
            }
            Operation::UpdateServiceInstance => {
                let input = UpdateServiceInstanceInput::decode(body)?;
                let service_instance = self
                    .update(
                        input.resource_id(),
                        &input.change(),
                        input.client_token.clone(),
                        service_instance,
                    )
                    .await?;
                Ok(UpdateServiceInstanceOutput { service_instance }.to_json())
            }
            Operation::UpdateEnvironment => {
                let input = UpdateEnvironmentInput::decode(body)?;
                let environment = self
                    .update(input.resource_id(), &input.change(), None, environment)
                    .await?;
                Ok(UpdateEnvironmentOutput { environment }.to_json())
            }
            Operation::UpdateServicePipeline => {
                let input = UpdateServicePipelineInput::decode(body)?;
                let pipeline = self
                    .update(input.resource_id(), &input.change(), None, service_pipeline)
                    .await?;
                Ok(UpdateServicePipelineOutput { pipeline }.to_json())
            }
            Operation::UpdateComponent => {
                let input = UpdateComponentInput::decode(body)?;
                let component = self
                    .update(
                        input.resource_id(),
                        &input.change(),
                        input.client_token.clone(),
                        component,
                    )
                    .await?;
                Ok(UpdateComponentOutput { component }.to_json())
            }
            Operation::GetServiceInstance => {
                let input = GetServiceInstanceInput::decode(body)?;
                let service_instance = self.get(&input.resource_id(), service_instance).await?;
                Ok(GetServiceInstanceOutput { service_instance }.to_json())
            }
            Operation::GetEnvironment => {
                let input = GetEnvironmentInput::decode(body)?;
                let environment = self.get(&input.resource_id(), environment).await?;
                Ok(GetEnvironmentOutput { environment }.to_json())
            }
            Operation::GetComponent => {
                let input = GetComponentInput::decode(body)?;
                let component = self.get(&input.resource_id(), component).await?;
                Ok(GetComponentOutput { component }.to_json())
            }
            Operation::GetService => {
                let input = GetServiceInput::decode(body)?;
                let service = self.service(&input.name).await?;
                Ok(GetServiceOutput { service }.to_json())
            }
            Operation::ListServiceInstances => {
                let input = ListServiceInstancesInput::decode(body)?;
                Ok(self.list_service_instances(&input).await?.to_json())
            }
            Operation::GetDeployment => {
                let input = GetDeploymentInput::decode(body)?;
                let deployment = self.deployment(&input).await?;
                Ok(GetDeploymentOutput { deployment }.to_json())
            }
            Operation::ListDeployments => {
                let input = ListDeploymentsInput::decode(body)?;
                Ok(self.list_deployments(&input).await?.to_json())
            }
            _ => Err(ApiError::new(
                ErrorCode::UnknownOperationException,
                format!("operation {operation} is not served"),
            )),
        }
    }
}
