//! What the checker's tests share: a service instance's model, and
//! operations built in one line.
#![allow(dead_code)] // each test binary uses its own part

use proton_cancel::{
    Configuration, Deployment, EngineResult, Observed, ResourceId, ResourceName, Spec, TemplateRef,
    TemplateVersion, Timestamp,
};
use proton_cancel_checker::{Call, Model, Op, Ret};

/// The search steps every test allows.
pub const BUDGET: u64 = 1_000_000;

/// A service instance SUCCEEDED with spec `initial`, whose engine ends
/// updates and cancellations as told.
pub fn model(update: EngineResult, cancel: EngineResult) -> Model {
    let id = ResourceId::ServiceInstance {
        service: ResourceName::new("shop").unwrap(),
        name: ResourceName::new("web").unwrap(),
    };
    let configuration = Configuration::Template {
        template: TemplateRef {
            name: ResourceName::new("tmpl").unwrap(),
            major: TemplateVersion::new("1").unwrap(),
            minor: TemplateVersion::new("0").unwrap(),
        },
        spec: Some(Spec::new("initial").unwrap()),
    };
    let initial =
        Deployment::restore(Observed::new(id, Timestamp::from_millis(0), configuration)).unwrap();
    Model::new(initial, update, cancel, EngineResult::Succeeded)
}

/// The model whose engine succeeds at everything.
pub fn succeeding() -> Model {
    model(EngineResult::Succeeded, EngineResult::Succeeded)
}

/// An answer showing `status` with `spec` applied.
pub fn shown(status: &str, spec: &str) -> Ret {
    Ret::Shown {
        status: status.to_owned(),
        spec: Some(spec.to_owned()),
    }
}

/// An operation of `client`.
pub fn op(client: usize, call: Call, invoked: u64, returned: u64, ret: Ret) -> Op {
    Op {
        client,
        call,
        invoked,
        returned,
        ret,
    }
}

/// Update* with `spec`.
pub fn update(spec: &str) -> Call {
    Call::Update {
        spec: spec.to_owned(),
    }
}

/// Create* with `spec`.
pub fn create(spec: &str) -> Call {
    Call::Create {
        spec: spec.to_owned(),
    }
}
