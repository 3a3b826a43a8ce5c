//! Request decoding + validation + a machine step, and snapshot decoding, on
//! arbitrary bytes.
//!
//! The first byte picks the operation and the state the machine starts in;
//! the rest is the request body (or a snapshot). Checked on every input:
//! nothing panics; the name validator agrees with regex-lite; every error
//! renders as valid one-line JSON; an input the machine does not apply
//! leaves it unchanged; a snapshot that is read is written back as itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proton_cancel::*;
use proton_cancel_wire::*;

fn name(s: &str) -> ResourceName {
    ResourceName::new(s).expect("fixture name")
}

/// Template 1.`minor`, or a component's configuration for a component.
fn config(resource: &ResourceId, minor: &str) -> Configuration {
    if !resource.kind().deploys_a_template() {
        return Configuration::Component { service_spec: None };
    }
    Configuration::Template {
        template: TemplateRef {
            name: name("web-tmpl"),
            major: TemplateVersion::new("1").expect("fixture"),
            minor: TemplateVersion::new(minor).expect("fixture"),
        },
        spec: None,
    }
}

fn fixture(resource: ResourceId, selector: u8) -> Deployment {
    let id = DeploymentId::from_u128(0xa);
    let t = Timestamp::from_secs;
    let applied = config(&resource, "0");
    let create = |resource| {
        Deployment::create(resource, t(0), id, applied.clone(), None)
            .expect("fixture")
            .0
    };
    let restore = |resource, status| {
        let mut o = Observed::new(resource, t(0), applied.clone());
        o.status = status;
        Deployment::restore(o).expect("fixture")
    };
    let mut d = match selector % 4 {
        0 => create(resource),
        1 => restore(resource, DeploymentStatus::Succeeded),
        2 => restore(resource, DeploymentStatus::DeleteComplete),
        _ => {
            let mut d = create(resource);
            let _ = d.handle(Input::Cancel { at: t(1) });
            d
        }
    };
    if selector & 0x80 != 0 {
        let _ = d.handle(Input::CancellationStarted {
            at: t(2),
            deployment_id: id,
        });
    }
    d
}

const ARN: &str = "arn:aws:proton:us-east-1:123456789012:x";

fn check_error(e: &ApiError) {
    let json: serde_json::Value = serde_json::from_str(&e.to_json()).expect("error body is JSON");
    assert_eq!(json["__type"], e.code().as_str());
    assert!(
        !e.message().contains('\n'),
        "multi-line message: {:?}",
        e.message()
    );
}

/// Applies `input`; an input that is not applied must change nothing.
fn step(d: &mut Deployment, input: Input) -> Outcome {
    let before = d.clone();
    let outcome = d.handle(input);
    if !outcome.is_applied() {
        assert_eq!(*d, before, "{outcome:?} changed the state");
        assert_eq!(outcome.effect(), None);
    }
    if let Some(r) = outcome.rejection() {
        check_error(&ApiError::from(r.clone()));
    }
    outcome
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };

    if let Ok(text) = std::str::from_utf8(body) {
        let _ = text.parse::<DeploymentStatus>();
        if let Err(e) = Operation::from_target(text) {
            check_error(&e);
        }
        static ORACLE: std::sync::OnceLock<regex_lite::Regex> = std::sync::OnceLock::new();
        let oracle =
            ORACLE.get_or_init(|| regex_lite::Regex::new(ResourceName::PATTERN).expect("pattern"));
        let length = text.chars().count();
        let expected = oracle.is_match(text) && (1..=100).contains(&length);
        assert_eq!(ResourceName::check(text).is_ok(), expected, "{text:?}");
    }

    let at = Timestamp::from_secs(10);
    match selector % 6 {
        0 => match CancelServiceInstanceDeploymentInput::decode(body) {
            Ok(input) => {
                let mut d = fixture(input.resource_id(), selector >> 3);
                if let Outcome::Applied(_) | Outcome::Ignored(_) =
                    step(&mut d, Input::Cancel { at })
                {
                    let out = CancelServiceInstanceDeploymentOutput {
                        service_instance: ServiceInstance::new(d.observe(), ARN, &name("prod"))
                            .expect("shape"),
                    };
                    let _: serde_json::Value =
                        serde_json::from_slice(&out.to_json()).expect("JSON");
                }
            }
            Err(e) => check_error(&e),
        },
        1 => match UpdateServiceInstanceInput::decode(body) {
            Ok(input) => {
                let mut d = fixture(input.resource_id(), selector >> 3);
                let target = Configuration::Template {
                    template: config(&input.resource_id(), "1")
                        .template()
                        .expect("template")
                        .clone(),
                    spec: input.spec.clone(),
                };
                let _ = step(
                    &mut d,
                    Input::Update {
                        at,
                        deployment_id: DeploymentId::from_u128(0xb),
                        target,
                        client_token: input.client_token,
                    },
                );
                let out = UpdateServiceInstanceOutput {
                    service_instance: ServiceInstance::new(d.observe(), ARN, &name("prod"))
                        .expect("shape"),
                };
                let _: serde_json::Value = serde_json::from_slice(&out.to_json()).expect("JSON");
            }
            Err(e) => check_error(&e),
        },
        kind @ 2..=4 => {
            let resource = match kind {
                2 => CancelEnvironmentDeploymentInput::decode(body).map(|i| i.resource_id()),
                3 => CancelComponentDeploymentInput::decode(body).map(|i| i.resource_id()),
                _ => CancelServicePipelineDeploymentInput::decode(body).map(|i| i.resource_id()),
            };
            match resource {
                Ok(resource) => {
                    let mut d = fixture(resource, selector >> 3);
                    let _ = step(&mut d, Input::Cancel { at });
                }
                Err(e) => check_error(&e),
            }
        }
        _ => {
            if let Err(e) = GetServiceInstanceInput::decode(body) {
                check_error(&e);
            }
            let _ = serde_json::from_slice::<Timestamp>(body);
            let _ = serde_json::from_slice::<DeploymentStatus>(body);
            let _ = serde_json::from_slice::<DeploymentId>(body);
            if let Ok(d) = serde_json::from_slice::<Deployment>(body) {
                let again = serde_json::to_vec(&d).expect("snapshot");
                let back: Deployment = serde_json::from_slice(&again).expect("own snapshot");
                assert_eq!(back, d);
            }
        }
    }
});
