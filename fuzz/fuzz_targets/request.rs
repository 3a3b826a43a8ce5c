//! Request decoding + validation + a machine step, on arbitrary bytes.
//!
//! The first byte picks the operation and the state the machine starts in;
//! the rest is the request body. Checked on every input: nothing panics;
//! the name validator agrees with regex-lite; every error renders as valid
//! one-line JSON; an input the machine does not apply leaves it unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proton_cancel::*;

fn name(s: &str) -> ResourceName {
    ResourceName::new(s).expect("fixture name")
}

fn config(minor: &str) -> Configuration {
    Configuration {
        template: Some(TemplateRef {
            name: name("web-tmpl"),
            major: TemplateVersion::new("1").expect("fixture"),
            minor: TemplateVersion::new(minor).expect("fixture"),
        }),
        spec: None,
    }
}

fn fixture(resource: ResourceId, selector: u8) -> Deployment {
    let id = DeploymentId::from_u128(0xa);
    let t = Timestamp::from_secs;
    let mut d = match selector % 4 {
        0 => Deployment::create(resource, t(0), id, config("0"), None),
        1 => Deployment::seeded(resource, t(0), config("0"), Seed::Succeeded),
        2 => Deployment::seeded(resource, t(0), config("0"), Seed::DeleteComplete),
        _ => {
            let mut d = Deployment::create(resource, t(0), id, config("0"), None);
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

fn meta() -> ResourceMeta {
    ResourceMeta {
        arn: "arn:aws:proton:us-east-1:123456789012:x".to_owned(),
        environment_name: Some(name("prod")),
    }
}

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
    if !matches!(outcome, Outcome::Applied(_)) {
        assert_eq!(*d, before, "{outcome:?} changed the state");
    }
    if let Outcome::Rejected(r) = &outcome {
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
            ORACLE.get_or_init(|| regex_lite::Regex::new(RESOURCE_NAME_PATTERN).expect("pattern"));
        let length = text.chars().count();
        let expected = oracle.is_match(text) && (1..=100).contains(&length);
        assert_eq!(check_resource_name(text).is_ok(), expected, "{text:?}");
    }

    let at = Timestamp::from_secs(10);
    match selector % 6 {
        0 => match CancelServiceInstanceDeploymentInput::decode(body) {
            Ok(input) => {
                let mut d = fixture(input.resource_id(), selector >> 3);
                if let Outcome::Applied(_) | Outcome::Ignored(_) =
                    step(&mut d, Input::Cancel { at })
                {
                    let out = CancelServiceInstanceDeploymentOutput::from_deployment(&d, &meta())
                        .expect("shape");
                    let _: serde_json::Value =
                        serde_json::from_slice(&out.to_json()).expect("JSON");
                }
            }
            Err(e) => check_error(&e),
        },
        1 => match UpdateServiceInstanceInput::decode(body) {
            Ok(input) => {
                let mut d = fixture(input.resource_id(), selector >> 3);
                let target = Configuration {
                    template: config("1").template,
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
                let out = UpdateServiceInstanceOutput::from_deployment(&d, &meta()).expect("shape");
                let _: serde_json::Value = serde_json::from_slice(&out.to_json()).expect("JSON");
            }
            Err(e) => check_error(&e),
        },
        2 => match CancelEnvironmentDeploymentInput::decode(body) {
            Ok(input) => {
                let mut d = fixture(input.resource_id(), selector >> 3);
                let _ = step(&mut d, Input::Cancel { at });
            }
            Err(e) => check_error(&e),
        },
        3 => match CancelComponentDeploymentInput::decode(body) {
            Ok(input) => {
                let mut d = fixture(input.resource_id(), selector >> 3);
                let _ = step(&mut d, Input::Cancel { at });
            }
            Err(e) => check_error(&e),
        },
        4 => match CancelServicePipelineDeploymentInput::decode(body) {
            Ok(input) => {
                let mut d = fixture(input.resource_id(), selector >> 3);
                let _ = step(&mut d, Input::Cancel { at });
            }
            Err(e) => check_error(&e),
        },
        _ => {
            if let Err(e) = GetServiceInstanceInput::decode(body) {
                check_error(&e);
            }
            let _ = serde_json::from_slice::<Timestamp>(body);
            let _ = serde_json::from_slice::<DeploymentStatus>(body);
            let _ = serde_json::from_slice::<DeploymentId>(body);
        }
    }
});
