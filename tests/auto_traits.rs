//! Every public type can cross threads (`Send + Sync`), so a server may keep
//! deployments behind a lock and move outcomes between tasks; and every type
//! that holds a sensitive member keeps it out of `Debug`.

use proton_cancel::*;

fn assert_send_sync<T: Send + Sync>() {}

/// Spec: R35
#[test]
fn every_public_type_is_send_and_sync() {
    assert_send_sync::<InvalidValue>();
    assert_send_sync::<Mismatch>();
    assert_send_sync::<Shape>();
    assert_send_sync::<Violation>();
    assert_send_sync::<Violations>();
    assert_send_sync::<CancellationPhase>();
    assert_send_sync::<Deployment>();
    assert_send_sync::<Effect>();
    assert_send_sync::<EngineResult>();
    assert_send_sync::<Input>();
    assert_send_sync::<Outcome>();
    assert_send_sync::<Rejection>();
    assert_send_sync::<RejectionReason>();
    assert_send_sync::<Transition>();
    assert_send_sync::<ResourceName>();
    assert_send_sync::<Attempt>();
    assert_send_sync::<Observed>();
    assert_send_sync::<RestoreError>();
    assert_send_sync::<Success>();
    assert_send_sync::<Configuration>();
    assert_send_sync::<ResourceId>();
    assert_send_sync::<ResourceKind>();
    assert_send_sync::<TemplateRef>();
    assert_send_sync::<DeploymentStatus>();
    assert_send_sync::<UnknownStatus>();
    assert_send_sync::<UnknownStatusError>();
    assert_send_sync::<ConflictReason>();
    assert_send_sync::<IgnoreReason>();
    assert_send_sync::<InputKind>();
    assert_send_sync::<Rule>();
    assert_send_sync::<Stage>();
    assert_send_sync::<Timestamp>();
    assert_send_sync::<ClientToken>();
    assert_send_sync::<DeploymentId>();
    assert_send_sync::<Spec>();
    assert_send_sync::<StatusMessage>();
    assert_send_sync::<TemplateVersion>();
}

/// Spec: R7
#[test]
fn engine_results_and_observed_states_keep_their_reason_out_of_debug() {
    let secret = "password=hunter2";
    let failed = EngineResult::Failed(StatusMessage::new(secret));
    let input = Input::CancellationFinished {
        at: Timestamp::EPOCH,
        deployment_id: DeploymentId::from_u128(1),
        result: failed.clone(),
    };
    let mut observed = Observed::new(
        ResourceId::Environment {
            name: ResourceName::new("prod").unwrap(),
        },
        Timestamp::EPOCH,
        Configuration::Template {
            template: TemplateRef {
                name: ResourceName::new("env-tmpl").unwrap(),
                major: TemplateVersion::new("1").unwrap(),
                minor: TemplateVersion::new("0").unwrap(),
            },
            spec: Some(Spec::new(secret).unwrap()),
        },
    );
    observed.status = DeploymentStatus::DeleteFailed;
    observed.status_message = Some(StatusMessage::new(secret));
    let deployment = Deployment::restore(observed.clone()).unwrap();
    for debug in [
        format!("{failed:?}"),
        format!("{input:#?}"),
        format!("{observed:?}"),
        format!("{deployment:#?}"),
    ] {
        assert!(!debug.contains(secret), "{debug}");
        assert!(debug.contains("StatusMessage(<redacted>)"), "{debug}");
    }
    // Equality still compares what Debug hides.
    let mut other = observed.clone();
    other.status_message = Some(StatusMessage::new("another reason"));
    assert_ne!(other, observed);
    assert_eq!(format!("{other:?}"), format!("{observed:?}"));
}
