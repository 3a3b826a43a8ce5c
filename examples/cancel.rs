//! The three documented outcomes of CancelServiceInstanceDeployment, and a
//! refused cancel, run through the public API step by step:
//!
//! ```sh
//! cargo run --example cancel
//! ```

use proton_cancel::{
    Configuration, Deployment, DeploymentId, EngineResult, Input, ResourceId, ResourceName, Seed,
    StatusMessage, TemplateRef, TemplateVersion, Timestamp,
};

fn name(s: &str) -> ResourceName {
    ResourceName::new(s).unwrap_or_else(|e| panic!("example name: {e}"))
}

fn config(minor: &str) -> Configuration {
    let version = |s: &str| TemplateVersion::new(s).unwrap_or_else(|e| panic!("{e}"));
    Configuration {
        template: Some(TemplateRef {
            name: name("web-service"),
            major: version("1"),
            minor: version(minor),
        }),
        spec: None,
    }
}

fn minor_of(c: &Configuration) -> &str {
    c.template.as_ref().map_or("-", |t| t.minor.as_str())
}

/// A service instance `web` of service `shop`, at rest on template 1.0, with
/// an update to 1.1 already accepted (IN_PROGRESS).
fn updating_instance(update: DeploymentId) -> Deployment {
    let resource = ResourceId::ServiceInstance {
        service: name("shop"),
        name: name("web"),
    };
    let mut web = Deployment::seeded(
        resource,
        Timestamp::from_secs(0),
        config("0"),
        Seed::Succeeded,
    );
    let _ = web.handle(Input::Update {
        at: Timestamp::from_secs(100),
        deployment_id: update,
        target: config("1"),
        client_token: None,
    });
    web
}

fn step(web: &mut Deployment, label: &str, input: Input) {
    let outcome = web.handle(input);
    println!("  {label:<36} {outcome}");
    println!(
        "  {:<36} now {}, applied template 1.{}, message {}",
        "",
        web.status(),
        minor_of(web.applied()),
        web.status_message()
            .map_or("-".to_owned(), |m| format!("{m:?}"))
    );
}

fn scenario(title: &str) -> (DeploymentId, Deployment) {
    println!("\n{title}");
    let update = DeploymentId::from_u128(0x2b6d_1f3e_0c4a_4e7b_9a51_3f0d_2c8e_9b71);
    let web = updating_instance(update);
    println!(
        "  {:<36} now {}, deployment {update}, target template 1.1",
        "(update to 1.1 accepted)",
        web.status()
    );
    (update, web)
}

fn main() {
    let t = Timestamp::from_secs;
    println!("CancelServiceInstanceDeployment on service instance 'web' of service 'shop'");

    let (id, mut web) = scenario("1. The cancellation attempt succeeds -> CANCELLED");
    step(&mut web, "Cancel", Input::Cancel { at: t(110) });
    step(
        &mut web,
        "engine: cancellation started",
        Input::CancellationStarted {
            at: t(111),
            deployment_id: id,
        },
    );
    step(
        &mut web,
        "engine: cancellation succeeded",
        Input::CancellationFinished {
            at: t(130),
            deployment_id: id,
            result: EngineResult::Succeeded,
        },
    );

    let (id, mut web) = scenario("2. The cancellation attempt fails -> FAILED");
    step(&mut web, "Cancel", Input::Cancel { at: t(110) });
    step(
        &mut web,
        "engine: cancellation started",
        Input::CancellationStarted {
            at: t(111),
            deployment_id: id,
        },
    );
    step(
        &mut web,
        "engine: cancellation failed",
        Input::CancellationFinished {
            at: t(130),
            deployment_id: id,
            result: EngineResult::Failed(StatusMessage::new("Rollback of stack web-shop failed.")),
        },
    );

    let (id, mut web) = scenario(
        "3. The update succeeds before the cancellation starts -> SUCCEEDED, cancel has no effect",
    );
    step(&mut web, "Cancel", Input::Cancel { at: t(110) });
    step(
        &mut web,
        "engine: update succeeded",
        Input::UpdateFinished {
            at: t(111),
            deployment_id: id,
            result: EngineResult::Succeeded,
        },
    );
    step(
        &mut web,
        "engine: cancellation started (late)",
        Input::CancellationStarted {
            at: t(112),
            deployment_id: id,
        },
    );

    let (id, mut web) = scenario("4. A cancel of a deployment that is not IN_PROGRESS is refused");
    step(
        &mut web,
        "engine: update succeeded",
        Input::UpdateFinished {
            at: t(120),
            deployment_id: id,
            result: EngineResult::Succeeded,
        },
    );
    step(&mut web, "Cancel", Input::Cancel { at: t(121) });
}
