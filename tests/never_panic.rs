//! Every public entry point returns a result, whatever it is given: status
//! parsing, value validation, target parsing, request decoding, timestamp
//! decoding and every machine input in every reachable stage.
//!
//! 10,000 cases per property by default; `PROPTEST_CASES=1000000 cargo test
//! --release --test never_panic` runs a million (docs/robustness.md).
#![allow(clippy::disallowed_methods)] // reads PROPTEST_CASES

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use proton_cancel::*;
use serde_json::Value;

fn config_for(file: &'static str) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..ProptestConfig::default()
    }
}

const MEMBERS: &[&str] = &[
    "serviceInstanceName",
    "serviceName",
    "environmentName",
    "componentName",
    "name",
    "clientToken",
    "deploymentType",
    "spec",
    "templateMajorVersion",
    "templateMinorVersion",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_-]{0,12}",
        any::<String>(),
        "(NONE|CURRENT_VERSION|MINOR_VERSION|MAJOR_VERSION|0|1|01)",
        "\\PC{0,120}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![4 => prop::sample::select(MEMBERS).prop_map(str::to_owned), 1 => "\\PC{0,10}"]
}

/// Request bodies: JSON objects over the real member names, their text with
/// bytes flipped or cut, and arbitrary bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let object = || {
        prop::collection::vec((key(), json_value()), 0..8).prop_map(|members| {
            Value::Object(members.into_iter().collect())
                .to_string()
                .into_bytes()
        })
    };
    prop_oneof![
        4 => object(),
        2 => (object(), any::<prop::sample::Index>(), any::<u8>(), any::<bool>()).prop_map(
            |(mut bytes, at, byte, cut)| {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    if cut { bytes.truncate(i) } else { bytes[i] = byte }
                }
                bytes
            }
        ),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

fn decode_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    let results = [
        CancelServiceInstanceDeploymentInput::decode(bytes).err(),
        CancelEnvironmentDeploymentInput::decode(bytes).err(),
        CancelServicePipelineDeploymentInput::decode(bytes).err(),
        CancelComponentDeploymentInput::decode(bytes).err(),
        UpdateServiceInstanceInput::decode(bytes).err(),
        GetServiceInstanceInput::decode(bytes).err(),
    ];
    for e in results.into_iter().flatten() {
        prop_assert!(
            matches!(
                e.code(),
                ErrorCode::ValidationException | ErrorCode::SerializationException
            ),
            "{e:?}"
        );
        prop_assert!(!e.message().contains('\n'));
        let _: Value = serde_json::from_str(&e.to_json()).unwrap();
    }
    Ok(())
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        Just(Timestamp::from_millis(i64::MIN)),
        Just(Timestamp::from_millis(i64::MAX)),
        any::<i64>().prop_map(Timestamp::from_millis),
    ]
}

fn deployment_id() -> impl Strategy<Value = DeploymentId> {
    prop_oneof![
        Just(A),
        Just(B),
        any::<u128>().prop_map(DeploymentId::from_u128)
    ]
}

fn engine_result() -> impl Strategy<Value = EngineResult> {
    prop_oneof![
        Just(EngineResult::Succeeded),
        any::<String>().prop_map(|r| EngineResult::Failed(StatusMessage::new(r))),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    let token = prop::option::of(prop_oneof![Just(token("token-1")), Just(token(""))]);
    prop_oneof![
        (timestamp(), deployment_id(), 0u32..3, token).prop_map(
            |(at, deployment_id, minor, client_token)| {
                Input::Update {
                    at,
                    deployment_id,
                    target: config(minor),
                    client_token,
                }
            }
        ),
        timestamp().prop_map(|at| Input::Cancel { at }),
        timestamp().prop_map(|at| Input::Delete { at }),
        (timestamp(), deployment_id(), engine_result()).prop_map(|(at, deployment_id, result)| {
            Input::UpdateFinished {
                at,
                deployment_id,
                result,
            }
        }),
        (timestamp(), deployment_id())
            .prop_map(|(at, deployment_id)| Input::CancellationStarted { at, deployment_id }),
        (timestamp(), deployment_id(), engine_result()).prop_map(|(at, deployment_id, result)| {
            Input::CancellationFinished {
                at,
                deployment_id,
                result,
            }
        }),
        (timestamp(), engine_result())
            .prop_map(|(at, result)| Input::DeleteFinished { at, result }),
    ]
}

proptest! {
    #![proptest_config(config_for("proptest-regressions/never_panic.txt"))]

    /// Spec: R28
    #[test]
    fn status_parsing_always_answers(value in text()) {
        match value.parse::<DeploymentStatus>() {
            Ok(status) => prop_assert_eq!(status.as_str(), value.as_str()),
            Err(e) => prop_assert_eq!(e.value(), value.as_str()),
        }
        let _ = serde_json::from_value::<DeploymentStatus>(Value::String(value));
    }

    /// Spec: R28
    #[test]
    fn value_validation_always_answers(value in text()) {
        let _ = check_resource_name(&value);
        let _ = ResourceName::new(value.clone()).map_err(|e| e.to_string());
        let _ = ClientToken::new(value.clone()).map_err(|e| e.to_string());
        let _ = TemplateVersion::new(value.clone()).map_err(|e| e.to_string());
        let _ = Spec::new(value.clone()).map_err(|e| e.to_string());
        if let Ok(id) = value.parse::<DeploymentId>() {
            prop_assert_eq!(id.to_string(), value.clone());
        }
        let _ = Operation::from_target(&value);
    }

    /// Spec: R28
    #[test]
    fn request_decoding_always_answers(bytes in body()) {
        decode_all(&bytes)?;
    }

    /// Spec: R28
    #[test]
    fn timestamp_decoding_always_answers(value in json_value()) {
        if let Ok(t) = serde_json::from_value::<Timestamp>(value) {
            let back: Timestamp = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
            prop_assert_eq!(back, t);
        }
    }

    /// Spec: R28, R22
    #[test]
    fn every_machine_input_in_every_stage_answers(
        start in 0usize..9,
        inputs in prop::collection::vec(input(), 1..12),
    ) {
        let mut d = one_deployment_per_stage().swap_remove(start);
        for input in inputs {
            let before = d.clone();
            let rule = transition_rule(d.stage(), d.classify(&input));
            let outcome = d.handle(input);
            match (&outcome, rule) {
                (Outcome::Applied(tr), Rule::Enter(to)) => prop_assert_eq!(tr.to, to),
                (Outcome::Ignored(r), Rule::Ignore(expected)) => prop_assert_eq!(*r, expected),
                (Outcome::Rejected(Rejection::Conflict { reason, .. }), Rule::Conflict(expected)) => {
                    prop_assert_eq!(*reason, expected)
                }
                (Outcome::Rejected(Rejection::NotFound { .. }), Rule::NotFound) => {}
                other => prop_assert!(false, "outcome and table disagree: {:?}", other),
            }
            if !matches!(outcome, Outcome::Applied(_)) {
                prop_assert_eq!(&d, &before);
            }
            if let Ok(out) = GetServiceInstanceOutput::from_deployment(&d, &ResourceMeta {
                arn: "arn".to_owned(),
                environment_name: Some(name("prod")),
            }) {
                let _: Value = serde_json::from_slice(&out.to_json()).unwrap();
            }
        }
    }
}
