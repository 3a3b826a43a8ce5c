//! The resources a run of the Jepsen-style check or of the simulation
//! serves (feature `world`): each resource's kind, name and engine results,
//! its model for the checker, its engine script and its seed entry. Each
//! run lists its own resources; this says once what one is.

use proton_cancel::{
    Configuration, Deployment, Observed, ResourceId, ResourceKind, ResourceName, Spec, TemplateRef,
    TemplateVersion, Timestamp,
};
use proton_cancel_checker::RecordedModel;
use proton_cancel_server::{CANCELLATION_FAILURE, UPDATE_FAILURE};
use serde_json::{Value, json};

/// Every resource's first spec.
pub const INITIAL_SPEC: &str = "initial";

/// One resource of a run and how its engine ends things.
#[derive(Clone, Copy, Debug)]
pub struct Resource {
    /// Its kind: a service instance (of `service`, in environment
    /// `env-a`), an environment, a service pipeline (of `service`) or a
    /// component (in environment `env-a`).
    pub kind: ResourceKind,
    /// Its service (an instance's or a pipeline's), else empty.
    pub service: &'static str,
    /// Its name (empty for a pipeline).
    pub name: &'static str,
    /// Whether its updates fail.
    pub update_fails: bool,
    /// Whether its cancellations fail.
    pub cancel_fails: bool,
    /// Whether clients delete it and create it again (environments and
    /// components that nothing is deployed to).
    pub lifecycle: bool,
}

/// A resource of `kind` named by `(service, name)`, whose updates and
/// cancellations fail as `(update_fails, cancel_fails)`, and that clients
/// delete and create again when `lifecycle`.
pub const fn resource(
    kind: ResourceKind,
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

/// An engine's delays, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delays {
    /// From an update to its result.
    pub update: u64,
    /// From a cancel to the start of its rollback.
    pub cancel_start: u64,
    /// From the start of the rollback to its result.
    pub cancel_finish: u64,
    /// From a deletion to its end.
    pub delete: u64,
}

fn name(text: &str) -> ResourceName {
    ResourceName::new(text).unwrap()
}

impl Resource {
    /// Its id.
    ///
    /// # Panics
    /// Its kind is not one of the four a run serves.
    pub fn id(&self) -> ResourceId {
        match self.kind {
            ResourceKind::ServiceInstance => ResourceId::ServiceInstance {
                service: name(self.service),
                name: name(self.name),
            },
            ResourceKind::Environment => ResourceId::Environment {
                name: name(self.name),
            },
            ResourceKind::ServicePipeline => ResourceId::ServicePipeline {
                service: name(self.service),
            },
            ResourceKind::Component => ResourceId::Component {
                name: name(self.name),
            },
            other => panic!("a run has no {other} resources"),
        }
    }

    /// Its id as the core writes it (and as histories and logs name it).
    pub fn label(&self) -> String {
        self.id().to_string()
    }

    /// The model its history is checked against: SUCCEEDED with
    /// [`INITIAL_SPEC`], its engine's results.
    pub fn model(&self) -> RecordedModel {
        let spec = Some(Spec::new(INITIAL_SPEC).unwrap());
        let configuration = match self.kind {
            ResourceKind::Component => Configuration::Component { service_spec: spec },
            _ => Configuration::Template {
                template: TemplateRef {
                    name: name("tmpl"),
                    major: TemplateVersion::new("1").unwrap(),
                    minor: TemplateVersion::new("0").unwrap(),
                },
                spec,
            },
        };
        let start = Deployment::restore(Observed::new(
            self.id(),
            Timestamp::from_millis(0),
            configuration,
        ))
        .unwrap();
        let failure = |fails: bool, reason: &str| fails.then(|| reason.to_owned());
        RecordedModel {
            resource: self.label(),
            start,
            update_failure: failure(self.update_fails, UPDATE_FAILURE),
            cancel_failure: failure(self.cancel_fails, CANCELLATION_FAILURE),
            delete_failure: None,
        }
    }

    /// Its engine script with `delays`, as the seed and the engine tag give
    /// it.
    pub fn engine(&self, delays: &Delays) -> Value {
        let outcome = |fails: bool| if fails { "FAILED" } else { "SUCCEEDED" };
        json!({
            "updateAfterMs": delays.update,
            "updateResult": outcome(self.update_fails),
            "cancelStartAfterMs": delays.cancel_start,
            "cancelFinishAfterMs": delays.cancel_finish,
            "cancelResult": outcome(self.cancel_fails),
            "deleteAfterMs": delays.delete,
        })
    }

    /// Its seed entry with the engine script `engine`: which list, and the
    /// entry.
    ///
    /// # Panics
    /// Its kind is not one of the four a run serves.
    pub fn seeded(&self, engine: &Value) -> (&'static str, Value) {
        let template = json!({"templateName": "tmpl", "templateMajorVersion": "1",
            "templateMinorVersion": "0", "spec": INITIAL_SPEC,
            "deploymentStatus": "SUCCEEDED", "engine": engine});
        let (list, mut entry) = match self.kind {
            ResourceKind::ServiceInstance => (
                "serviceInstances",
                json!({"serviceName": self.service, "name": self.name, "environmentName": "env-a"}),
            ),
            ResourceKind::Environment => ("environments", json!({"name": self.name})),
            ResourceKind::ServicePipeline => (
                "servicePipelines",
                json!({"serviceName": self.service, "environmentName": "env-a"}),
            ),
            ResourceKind::Component => (
                "components",
                json!({"name": self.name, "environmentName": "env-a", "spec": INITIAL_SPEC,
                    "deploymentStatus": "SUCCEEDED", "engine": engine}),
            ),
            other => panic!("a run has no {other} resources"),
        };
        if self.kind != ResourceKind::Component {
            entry
                .as_object_mut()
                .unwrap()
                .extend(template.as_object().unwrap().clone());
        }
        (list, entry)
    }
}

/// The seed of a run serving `resources` with these engine scripts (in
/// the same order): every resource SUCCEEDED with its engine.
pub fn seed<'a>(resources: &[Resource], engines: impl IntoIterator<Item = &'a Value>) -> Value {
    let mut seed = serde_json::Map::new();
    for (r, engine) in resources.iter().zip(engines) {
        let (list, entry) = r.seeded(engine);
        seed.entry(list)
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(entry);
    }
    Value::Object(seed)
}
