//! The resources a run serves (the shared [`Resource`] of the test
//! support's `world`), the request a client sends for each call, and what
//! each answer means for the history.

use proton_cancel::ResourceKind;
use proton_cancel_checker::{Call, Ret};
use proton_cancel_test_support::world::resource;
pub use proton_cancel_test_support::world::{Delays, INITIAL_SPEC, Resource, seed};
use proton_cancel_wire::{ApiError, ErrorCode, Operation};
use serde_json::{Value, json};

/// The resources every run serves: each kind, every engine result, and
/// the two kinds that can be deleted and created again.
pub const RESOURCES: [Resource; 6] = [
    resource(
        ResourceKind::ServiceInstance,
        ("shop", "web"),
        (false, false, false),
    ),
    resource(
        ResourceKind::Environment,
        ("", "env-a"),
        (false, false, false),
    ),
    resource(
        ResourceKind::Environment,
        ("", "env-b"),
        (false, true, true),
    ),
    resource(
        ResourceKind::ServicePipeline,
        ("shop", ""),
        (true, false, false),
    ),
    resource(
        ResourceKind::Component,
        ("", "comp-a"),
        (false, false, true),
    ),
    resource(ResourceKind::Component, ("", "comp-b"), (true, true, true)),
];

/// What a simulated client sends and reads.
pub trait Requests {
    /// The request `call` makes on the resource: the operation and its
    /// body. A creation carries its engine script in the engine tag.
    fn request(&self, call: &Call, engine: &Value) -> Option<(Operation, Value)>;
    /// What an answer means for the history; `Err` for an answer no
    /// correct server gives (named, for the run's problems).
    fn answer(&self, answer: Result<Vec<u8>, ApiError>) -> Result<Ret, String>;
}

impl Requests for Resource {
    fn request(&self, call: &Call, engine: &Value) -> Option<(Operation, Value)> {
        let (service, name) = (self.service, self.name);
        let tags = json!([{"key": "proton-cancel:engine", "value": engine.to_string()}]);
        Some(match (self.kind, call) {
            (ResourceKind::ServiceInstance, Call::Update { spec }) => (
                Operation::UpdateServiceInstance,
                json!({"serviceName": service, "name": name,
                    "deploymentType": "CURRENT_VERSION", "spec": spec}),
            ),
            (ResourceKind::ServiceInstance, Call::Cancel) => (
                Operation::CancelServiceInstanceDeployment,
                json!({"serviceName": service, "serviceInstanceName": name}),
            ),
            (ResourceKind::ServiceInstance, Call::Get) => (
                Operation::GetServiceInstance,
                json!({"serviceName": service, "name": name}),
            ),
            (ResourceKind::Environment, Call::Update { spec }) => (
                Operation::UpdateEnvironment,
                json!({"name": name, "deploymentType": "CURRENT_VERSION", "spec": spec}),
            ),
            (ResourceKind::Environment, Call::Cancel) => (
                Operation::CancelEnvironmentDeployment,
                json!({"environmentName": name}),
            ),
            (ResourceKind::Environment, Call::Get) => {
                (Operation::GetEnvironment, json!({"name": name}))
            }
            (ResourceKind::Environment, Call::Delete) => {
                (Operation::DeleteEnvironment, json!({"name": name}))
            }
            (ResourceKind::Environment, Call::Create { spec }) => (
                Operation::CreateEnvironment,
                json!({"name": name, "templateName": "tmpl", "templateMajorVersion": "1",
                    "templateMinorVersion": "0", "spec": spec, "tags": tags}),
            ),
            (ResourceKind::ServicePipeline, Call::Update { spec }) => (
                Operation::UpdateServicePipeline,
                json!({"serviceName": service, "deploymentType": "CURRENT_VERSION", "spec": spec}),
            ),
            (ResourceKind::ServicePipeline, Call::Cancel) => (
                Operation::CancelServicePipelineDeployment,
                json!({"serviceName": service}),
            ),
            (ResourceKind::ServicePipeline, Call::Get) => {
                (Operation::GetService, json!({"name": service}))
            }
            (ResourceKind::Component, Call::Update { spec }) => (
                Operation::UpdateComponent,
                json!({"name": name, "deploymentType": "CURRENT_VERSION", "serviceSpec": spec}),
            ),
            (ResourceKind::Component, Call::Cancel) => (
                Operation::CancelComponentDeployment,
                json!({"componentName": name}),
            ),
            (ResourceKind::Component, Call::Get) => {
                (Operation::GetComponent, json!({"name": name}))
            }
            (ResourceKind::Component, Call::Delete) => {
                (Operation::DeleteComponent, json!({"name": name}))
            }
            (ResourceKind::Component, Call::Create { spec }) => (
                Operation::CreateComponent,
                json!({"name": name, "environmentName": "env-a", "manifest": "m",
                    "templateFile": "t", "serviceSpec": spec, "tags": tags}),
            ),
            _ => return None,
        })
    }

    fn answer(&self, answer: Result<Vec<u8>, ApiError>) -> Result<Ret, String> {
        let body = match answer {
            Ok(body) => body,
            Err(e) => {
                return match e.code() {
                    ErrorCode::ConflictException => Ok(Ret::Conflict),
                    ErrorCode::ResourceNotFoundException => Ok(Ret::NotFound),
                    ErrorCode::InternalServerException => Ok(Ret::Unknown),
                    other => Err(format!("{other}: {}", e.message())),
                };
            }
        };
        let value: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        let shown = match self.kind {
            ResourceKind::ServiceInstance => value.get("serviceInstance"),
            ResourceKind::Environment => value.get("environment"),
            ResourceKind::ServicePipeline => value
                .get("pipeline")
                .or_else(|| value.get("service").and_then(|s| s.get("pipeline"))),
            ResourceKind::Component => value.get("component"),
            _ => None,
        };
        let shown = shown.ok_or_else(|| format!("an answer without the resource: {value}"))?;
        let spec_field = if self.kind == ResourceKind::Component {
            "serviceSpec"
        } else {
            "spec"
        };
        Ok(Ret::Shown {
            status: shown
                .get("deploymentStatus")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            spec: shown
                .get(spec_field)
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }
}
