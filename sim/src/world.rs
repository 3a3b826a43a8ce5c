//! The resources a run serves, the requests clients send for each call,
//! and what each answer means for the history.

use proton_cancel::{
    Configuration, Deployment, Observed, ResourceId, ResourceName, Spec, TemplateRef,
    TemplateVersion, Timestamp,
};
use proton_cancel_checker::{Call, RecordedModel, Ret};
use proton_cancel_server::{CANCELLATION_FAILURE, UPDATE_FAILURE};
use proton_cancel_wire::{ApiError, ErrorCode, Operation};
use serde_json::{Value, json};

use crate::plan::Engine;

/// The kinds a run serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A service instance of service `shop`, in environment `env-a`.
    ServiceInstance,
    /// An environment.
    Environment,
    /// A service's pipeline.
    ServicePipeline,
    /// A component in environment `env-a`.
    Component,
}

/// One resource of a run and how its engine ends things.
#[derive(Clone, Copy, Debug)]
pub struct Resource {
    /// Its kind.
    pub kind: Kind,
    /// Its service (an instance's or a pipeline's), else empty.
    pub service: &'static str,
    /// Its name (empty for a pipeline).
    pub name: &'static str,
    /// Whether its updates fail.
    pub update_fails: bool,
    /// Whether its cancellations fail.
    pub cancel_fails: bool,
    /// Whether clients delete it and create it again.
    pub lifecycle: bool,
}

const fn resource(
    kind: Kind,
    (service, name): (&'static str, &'static str),
    (update_fails, cancel_fails, lifecycle): (bool, bool, bool),
) -> Resource {
    Resource {
        kind,
        service,
        name,
        update_fails,
        cancel_fails,
        lifecycle,
    }
}

/// The resources every run serves: each kind, every engine result, and
/// the two kinds that can be deleted and created again.
pub const RESOURCES: [Resource; 6] = [
    resource(
        Kind::ServiceInstance,
        ("shop", "web"),
        (false, false, false),
    ),
    resource(Kind::Environment, ("", "env-a"), (false, false, false)),
    resource(Kind::Environment, ("", "env-b"), (false, true, true)),
    resource(Kind::ServicePipeline, ("shop", ""), (true, false, false)),
    resource(Kind::Component, ("", "comp-a"), (false, false, true)),
    resource(Kind::Component, ("", "comp-b"), (true, true, true)),
];

/// Every resource's first spec.
pub const INITIAL_SPEC: &str = "initial";

fn name(text: &str) -> ResourceName {
    ResourceName::new(text).unwrap_or_else(|e| unreachable!("{e}"))
}

impl Resource {
    /// Its id.
    pub fn id(&self) -> ResourceId {
        match self.kind {
            Kind::ServiceInstance => ResourceId::ServiceInstance {
                service: name(self.service),
                name: name(self.name),
            },
            Kind::Environment => ResourceId::Environment {
                name: name(self.name),
            },
            Kind::ServicePipeline => ResourceId::ServicePipeline {
                service: name(self.service),
            },
            Kind::Component => ResourceId::Component {
                name: name(self.name),
            },
        }
    }

    /// The model its history is checked against.
    pub fn model(&self) -> RecordedModel {
        let spec = Spec::new(INITIAL_SPEC).ok();
        let configuration = match self.kind {
            Kind::Component => Configuration::Component { service_spec: spec },
            _ => Configuration::Template {
                template: TemplateRef {
                    name: name("tmpl"),
                    major: TemplateVersion::new("1").unwrap_or_else(|e| unreachable!("{e}")),
                    minor: TemplateVersion::new("0").unwrap_or_else(|e| unreachable!("{e}")),
                },
                spec,
            },
        };
        let start = Deployment::restore(Observed::new(
            self.id(),
            Timestamp::from_millis(0),
            configuration,
        ))
        .unwrap_or_else(|e| unreachable!("{e}"));
        let failure = |fails: bool, reason: &str| fails.then(|| reason.to_owned());
        RecordedModel {
            resource: self.id().to_string(),
            start,
            update_failure: failure(self.update_fails, UPDATE_FAILURE),
            cancel_failure: failure(self.cancel_fails, CANCELLATION_FAILURE),
            delete_failure: None,
        }
    }

    /// Its engine script as the seed and the engine tag give it.
    pub fn engine(&self, engine: &Engine) -> Value {
        let outcome = |fails: bool| if fails { "FAILED" } else { "SUCCEEDED" };
        json!({
            "updateAfterMs": engine.update,
            "updateResult": outcome(self.update_fails),
            "cancelStartAfterMs": engine.cancel_start,
            "cancelFinishAfterMs": engine.cancel_finish,
            "cancelResult": outcome(self.cancel_fails),
            "deleteAfterMs": engine.delete,
        })
    }

    /// Its seed entry: which list, and the entry.
    fn seeded(&self, engine: &Value) -> (&'static str, Value) {
        let template = json!({"templateName": "tmpl", "templateMajorVersion": "1",
            "templateMinorVersion": "0", "spec": INITIAL_SPEC,
            "deploymentStatus": "SUCCEEDED", "engine": engine});
        let (list, mut entry) = match self.kind {
            Kind::ServiceInstance => (
                "serviceInstances",
                json!({"serviceName": self.service, "name": self.name, "environmentName": "env-a"}),
            ),
            Kind::Environment => ("environments", json!({"name": self.name})),
            Kind::ServicePipeline => (
                "servicePipelines",
                json!({"serviceName": self.service, "environmentName": "env-a"}),
            ),
            Kind::Component => (
                "components",
                json!({"name": self.name, "environmentName": "env-a", "spec": INITIAL_SPEC,
                    "deploymentStatus": "SUCCEEDED", "engine": engine}),
            ),
        };
        if self.kind != Kind::Component {
            if let (Some(entry), Some(template)) = (entry.as_object_mut(), template.as_object()) {
                entry.extend(template.clone());
            }
        }
        (list, entry)
    }

    /// The request `call` makes on it: the operation and its body. A
    /// creation carries its engine script in the engine tag.
    pub fn request(&self, call: &Call, engine: &Value) -> Option<(Operation, Value)> {
        let (service, name) = (self.service, self.name);
        let tags = json!([{"key": "proton-cancel:engine", "value": engine.to_string()}]);
        Some(match (self.kind, call) {
            (Kind::ServiceInstance, Call::Update { spec }) => (
                Operation::UpdateServiceInstance,
                json!({"serviceName": service, "name": name,
                    "deploymentType": "CURRENT_VERSION", "spec": spec}),
            ),
            (Kind::ServiceInstance, Call::Cancel) => (
                Operation::CancelServiceInstanceDeployment,
                json!({"serviceName": service, "serviceInstanceName": name}),
            ),
            (Kind::ServiceInstance, Call::Get) => (
                Operation::GetServiceInstance,
                json!({"serviceName": service, "name": name}),
            ),
            (Kind::Environment, Call::Update { spec }) => (
                Operation::UpdateEnvironment,
                json!({"name": name, "deploymentType": "CURRENT_VERSION", "spec": spec}),
            ),
            (Kind::Environment, Call::Cancel) => (
                Operation::CancelEnvironmentDeployment,
                json!({"environmentName": name}),
            ),
            (Kind::Environment, Call::Get) => (Operation::GetEnvironment, json!({"name": name})),
            (Kind::Environment, Call::Delete) => {
                (Operation::DeleteEnvironment, json!({"name": name}))
            }
            (Kind::Environment, Call::Create { spec }) => (
                Operation::CreateEnvironment,
                json!({"name": name, "templateName": "tmpl", "templateMajorVersion": "1",
                    "templateMinorVersion": "0", "spec": spec, "tags": tags}),
            ),
            (Kind::ServicePipeline, Call::Update { spec }) => (
                Operation::UpdateServicePipeline,
                json!({"serviceName": service, "deploymentType": "CURRENT_VERSION", "spec": spec}),
            ),
            (Kind::ServicePipeline, Call::Cancel) => (
                Operation::CancelServicePipelineDeployment,
                json!({"serviceName": service}),
            ),
            (Kind::ServicePipeline, Call::Get) => (Operation::GetService, json!({"name": service})),
            (Kind::Component, Call::Update { spec }) => (
                Operation::UpdateComponent,
                json!({"name": name, "deploymentType": "CURRENT_VERSION", "serviceSpec": spec}),
            ),
            (Kind::Component, Call::Cancel) => (
                Operation::CancelComponentDeployment,
                json!({"componentName": name}),
            ),
            (Kind::Component, Call::Get) => (Operation::GetComponent, json!({"name": name})),
            (Kind::Component, Call::Delete) => (Operation::DeleteComponent, json!({"name": name})),
            (Kind::Component, Call::Create { spec }) => (
                Operation::CreateComponent,
                json!({"name": name, "environmentName": "env-a", "manifest": "m",
                    "templateFile": "t", "serviceSpec": spec, "tags": tags}),
            ),
            _ => return None,
        })
    }

    /// What an answer means for the history; `Err` for an answer no
    /// correct server gives (named, for the run's problems).
    pub fn answer(&self, answer: Result<Vec<u8>, ApiError>) -> Result<Ret, String> {
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
            Kind::ServiceInstance => value.get("serviceInstance"),
            Kind::Environment => value.get("environment"),
            Kind::ServicePipeline => value
                .get("pipeline")
                .or_else(|| value.get("service").and_then(|s| s.get("pipeline"))),
            Kind::Component => value.get("component"),
        };
        let shown = shown.ok_or_else(|| format!("an answer without the resource: {value}"))?;
        let spec_field = if self.kind == Kind::Component {
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

    /// A short label for histories.
    pub fn label(&self) -> &'static str {
        if self.name.is_empty() {
            self.service
        } else {
            self.name
        }
    }
}

/// The seed every replica opens with: every resource SUCCEEDED with its
/// engine.
pub fn seed(engines: &[Engine]) -> Value {
    let mut seed = serde_json::Map::new();
    for (r, engine) in RESOURCES.iter().zip(engines) {
        let (list, entry) = r.seeded(&r.engine(engine));
        if let Some(list) = seed.entry(list).or_insert_with(|| json!([])).as_array_mut() {
            list.push(entry);
        }
    }
    Value::Object(seed)
}
