//! The three documented outcomes of CancelServiceInstanceDeployment, and a
//! refused cancel, run through the public API step by step:
//!
//! ```sh
//! cargo run --example cancel
//! ```

use proton_cancel::{
    Configuration, Deployment, DeploymentId, EngineResult, Input, Observed, ResourceId,
    ResourceName, StatusMessage, TemplateRef, TemplateVersion, Timestamp,
};

fn name(s: &str) -> ResourceName {
    ResourceName::new(s).unwrap_or_else(|e| panic!("example name: {e}"))
}

fn config(minor: &str) -> Configuration {
    let version = |s: &str| TemplateVersion::new(s).unwrap_or_else(|e| panic!("{e}"));
    Configuration::Template {
        template: TemplateRef {
            name: name("web-service"),
            major: version("1"),
            minor: version(minor),
        },
        spec: None,
    }
}

fn minor_of(c: &Configuration) -> &str {
    c.template().map_or("-", |t| t.minor.as_str())
}

/// The engine's and the caller's steps of one scenario, in order.
#[derive(Clone, Copy)]
enum Step {
    Cancel,
    CancellationStarted,
    CancellationSucceeded,
    CancellationFailed,
    UpdateSucceeded,
}

impl Step {
    fn label(self) -> &'static str {
        match self {
            Step::Cancel => "caller: Cancel",
            Step::CancellationStarted => "engine: cancellation started",
            Step::CancellationSucceeded => "engine: cancellation succeeded",
            Step::CancellationFailed => "engine: cancellation failed",
            Step::UpdateSucceeded => "engine: update succeeded",
        }
    }

    fn input(self, at: Timestamp, deployment_id: DeploymentId) -> Input {
        let failed =
            || EngineResult::Failed(StatusMessage::new("Rollback of stack web-shop failed."));
        match self {
            Step::Cancel => Input::Cancel { at },
            Step::CancellationStarted => Input::CancellationStarted { at, deployment_id },
            Step::CancellationSucceeded => Input::CancellationFinished {
                at,
                deployment_id,
                result: EngineResult::Succeeded,
            },
            Step::CancellationFailed => Input::CancellationFinished {
                at,
                deployment_id,
                result: failed(),
            },
            Step::UpdateSucceeded => Input::UpdateFinished {
                at,
                deployment_id,
                result: EngineResult::Succeeded,
            },
        }
    }
}

/// Runs one scenario from a service instance `web` of service `shop` at
/// rest on template 1.0, with an update to 1.1 accepted at t = 100 s.
fn scenario(title: &str, steps: &[Step]) {
    println!("\n{title}");
    let resource = ResourceId::ServiceInstance {
        service: name("shop"),
        name: name("web"),
    };
    let at_rest = Observed::new(resource, Timestamp::from_secs(0), config("0"));
    let mut web = Deployment::restore(at_rest).unwrap_or_else(|e| panic!("example state: {e}"));
    let update = DeploymentId::from_u128(0x2b6d_1f3e_0c4a_4e7b_9a51_3f0d_2c8e_9b71);
    let outcome = web.handle(Input::Update {
        at: Timestamp::from_secs(100),
        deployment_id: update,
        target: config("1"),
        client_token: None,
    });
    println!("  {:<36} {outcome}", "caller: Update to 1.1");
    println!("  {:<36} then: {}", "", effect(&outcome));
    for (i, step) in (110..).zip(steps) {
        let outcome = web.handle(step.input(Timestamp::from_secs(i), update));
        println!("  {:<36} {outcome}", step.label());
        if outcome.effect().is_some() {
            println!("  {:<36} then: {}", "", effect(&outcome));
        }
        let seen = web.observe();
        println!(
            "  {:<36} now {}, applied template 1.{}, message {}",
            "",
            seen.status,
            minor_of(&seen.applied),
            seen.status_message
                .map_or("-".to_owned(), |m| format!("{:?}", m.as_str()))
        );
    }
}

/// What the embedding is told to do next.
fn effect(outcome: &proton_cancel::Outcome) -> String {
    match outcome.effect() {
        Some(proton_cancel::Effect::StartDeployment { deployment_id, .. }) => {
            format!("start deploying {deployment_id}")
        }
        Some(proton_cancel::Effect::StartCancellation { deployment_id }) => {
            format!("start cancelling {deployment_id}")
        }
        Some(proton_cancel::Effect::StartDeletion) => "start deleting".to_owned(),
        Some(other) => format!("{other:?}"),
        None => "nothing".to_owned(),
    }
}

fn main() {
    use Step::*;
    println!("CancelServiceInstanceDeployment on service instance 'web' of service 'shop'");
    scenario(
        "1. The cancellation attempt succeeds -> CANCELLED",
        &[Cancel, CancellationStarted, CancellationSucceeded],
    );
    scenario(
        "2. The cancellation attempt fails -> FAILED",
        &[Cancel, CancellationStarted, CancellationFailed],
    );
    scenario(
        "3. The update succeeds before the cancellation starts -> SUCCEEDED, the cancel has no effect",
        &[Cancel, UpdateSucceeded, CancellationStarted],
    );
    scenario(
        "4. A cancel of a deployment that is not IN_PROGRESS is refused (ConflictException)",
        &[UpdateSucceeded, Cancel],
    );
}
