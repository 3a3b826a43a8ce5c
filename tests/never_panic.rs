//! Every public entry point of the core returns a result, whatever it is
//! given: status parsing, value validation, timestamp decoding, snapshot
//! decoding (arbitrary and mutated) and every machine input in every
//! reachable stage. The wire crate's `tests/never_panic.rs` covers request
//! decoding.
//!
//! 10,000 cases per property by default; `PROPTEST_CASES=1000000 cargo test
//! --release --test never_panic` runs a million (docs/robustness.md).

use proton_cancel_test_support::builders as common;
use proton_cancel_test_support::strategies;

use common::*;
use proptest::prelude::*;
use proton_cancel::*;
use serde_json::Value;
use strategies::{config_for, json_value, text};

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

/// A finishing report: the update's, or else the cancellation's.
fn finished(update: bool) -> impl Strategy<Value = Input> {
    (timestamp(), deployment_id(), engine_result()).prop_map(move |(at, deployment_id, result)| {
        match update {
            true => Input::UpdateFinished {
                at,
                deployment_id,
                result,
            },
            false => Input::CancellationFinished {
                at,
                deployment_id,
                result,
            },
        }
    })
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
        finished(true),
        (timestamp(), deployment_id())
            .prop_map(|(at, deployment_id)| Input::CancellationStarted { at, deployment_id }),
        finished(false),
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
        // What a service sends is kept exactly, known or not.
        let kept = DeploymentStatus::from(value.as_str());
        prop_assert_eq!(kept.as_str(), value.as_str());
        let read = serde_json::from_value::<DeploymentStatus>(Value::String(value.clone())).unwrap();
        prop_assert_eq!(read.as_str(), value.as_str());
    }

    /// Spec: R28
    #[test]
    fn value_validation_always_answers(value in text()) {
        let _ = ResourceName::check(&value);
        let _ = ResourceName::new(value.clone()).map_err(|e| e.to_string());
        let _ = ClientToken::new(value.clone()).map_err(|e| e.to_string());
        let _ = TemplateVersion::new(value.clone()).map_err(|e| e.to_string());
        let _ = Spec::new(value.clone()).map_err(|e| e.to_string());
        if let Ok(id) = value.parse::<DeploymentId>() {
            prop_assert_eq!(id.to_string(), value.clone());
        }
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
            let from = d.stage();
            let outcome = d.handle(input);
            match &outcome {
                Outcome::Applied(tr) => {
                    prop_assert_eq!((tr.from, tr.to), (from, d.stage()));
                    prop_assert_eq!(d.revision(), before.revision() + 1);
                }
                _ => prop_assert_eq!(&d, &before),
            }
            // Every state the machine reaches is stored and read back as itself.
            let json = serde_json::to_string(&d).unwrap();
            prop_assert_eq!(&serde_json::from_str::<Deployment>(&json).unwrap(), &d);
        }
    }

    /// Spec: R36
    #[test]
    fn snapshot_decoding_always_answers(value in json_value()) {
        // Arbitrary JSON: an error or a machine, never a panic.
        let _ = serde_json::from_value::<Deployment>(value);
    }

    /// Spec: R36
    #[test]
    fn a_mutated_snapshot_is_refused_or_read_exactly_as_written(
        start in 0usize..9,
        member in prop::sample::select(SNAPSHOT_MEMBERS),
        value in json_value(),
    ) {
        let d = one_deployment_per_stage().swap_remove(start);
        let mut doc = serde_json::to_value(&d).unwrap();
        set_member(&mut doc, member, value);
        if let Ok(read) = serde_json::from_value::<Deployment>(doc.clone()) {
            // Accepted: then it is exactly the machine the document
            // describes, never a silently different one.
            let mut written = serde_json::to_value(&read).unwrap();
            strip_nulls(&mut written);
            strip_nulls(&mut doc);
            prop_assert_eq!(written, doc);
        }
    }
}

/// Member paths of a snapshot, top level and nested, for mutation.
const SNAPSHOT_MEMBERS: &[&str] = &[
    "schemaVersion",
    "revision",
    "resource",
    "resource.kind",
    "resource.serviceName",
    "resource.name",
    "createdAt",
    "status",
    "cancellation",
    "statusMessage",
    "applied",
    "applied.kind",
    "applied.template",
    "applied.template.minor",
    "applied.spec",
    "target",
    "lastAttempt",
    "lastAttempt.deploymentId",
    "lastAttempt.at",
    "lastAttempt.clientToken",
    "lastSuccess",
    "lastSuccess.deploymentId",
    "extra",
];

/// Sets the member at the dotted `path` (creating the last step).
fn set_member(doc: &mut Value, path: &str, value: Value) {
    let mut at = doc;
    let mut steps = path.split('.').peekable();
    while let Some(step) = steps.next() {
        let Value::Object(members) = at else { return };
        if steps.peek().is_none() {
            members.insert(step.to_owned(), value);
            return;
        }
        match members.get_mut(step) {
            Some(next) => at = next,
            None => return,
        }
    }
}

/// Removes `null` members: the writer leaves absent values out, and a
/// reader takes `null` for absent.
fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(members) => {
            members.retain(|_, v| !v.is_null());
            members.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
