//! Every public type can cross threads (`Send + Sync`), so a server may keep
//! deployments behind a lock and move outcomes between tasks; and every type
//! that holds a sensitive member keeps it out of `Debug`.

use proton_cancel::*;

fn assert_send_sync<T: Send + Sync>() {}

/// Spec: R35
#[test]
fn every_public_type_is_send_and_sync() {
    assert_send_sync::<ApiError>();
    assert_send_sync::<ErrorCode>();
    assert_send_sync::<AwsConstraint<'static>>();
    assert_send_sync::<InvalidValue>();
    assert_send_sync::<Mismatch>();
    assert_send_sync::<Shape>();
    assert_send_sync::<Violation>();
    assert_send_sync::<Violations>();
    assert_send_sync::<CancellationPhase>();
    assert_send_sync::<Deployment>();
    assert_send_sync::<EngineResult>();
    assert_send_sync::<Input>();
    assert_send_sync::<Outcome>();
    assert_send_sync::<Rejection>();
    assert_send_sync::<Seed>();
    assert_send_sync::<Transition>();
    assert_send_sync::<ResourceName>();
    assert_send_sync::<Configuration>();
    assert_send_sync::<ResourceId>();
    assert_send_sync::<TemplateRef>();
    assert_send_sync::<DeploymentStatus>();
    assert_send_sync::<UnknownStatusError>();
    assert_send_sync::<ConflictReason>();
    assert_send_sync::<IgnoreReason>();
    assert_send_sync::<InputKind>();
    assert_send_sync::<Rule>();
    assert_send_sync::<Stage>();
    assert_send_sync::<Timestamp>();
    assert_send_sync::<MemberConstraint>();
    assert_send_sync::<MemberViolation>();
    assert_send_sync::<ValidationError>();
    assert_send_sync::<CancelComponentDeploymentInput>();
    assert_send_sync::<CancelComponentDeploymentOutput>();
    assert_send_sync::<CancelEnvironmentDeploymentInput>();
    assert_send_sync::<CancelEnvironmentDeploymentOutput>();
    assert_send_sync::<CancelServiceInstanceDeploymentInput>();
    assert_send_sync::<CancelServiceInstanceDeploymentOutput>();
    assert_send_sync::<CancelServicePipelineDeploymentInput>();
    assert_send_sync::<CancelServicePipelineDeploymentOutput>();
    assert_send_sync::<Component>();
    assert_send_sync::<DeploymentUpdateType>();
    assert_send_sync::<Environment>();
    assert_send_sync::<GetServiceInstanceInput>();
    assert_send_sync::<GetServiceInstanceOutput>();
    assert_send_sync::<Operation>();
    assert_send_sync::<ResourceMeta>();
    assert_send_sync::<ServiceInstance>();
    assert_send_sync::<ServicePipeline>();
    assert_send_sync::<ShapeError>();
    assert_send_sync::<UpdateServiceInstanceInput>();
    assert_send_sync::<UpdateServiceInstanceOutput>();
    assert_send_sync::<ClientToken>();
    assert_send_sync::<DeploymentId>();
    assert_send_sync::<Spec>();
    assert_send_sync::<StatusMessage>();
    assert_send_sync::<TemplateVersion>();
}

/// Spec: R7
#[test]
fn engine_results_and_seeds_keep_their_reason_out_of_debug() {
    let secret = "password=hunter2";
    let failed = EngineResult::Failed(StatusMessage::new(secret));
    let seed = Seed::DeleteFailed(StatusMessage::new(secret));
    let input = Input::CancellationFinished {
        at: Timestamp::EPOCH,
        deployment_id: DeploymentId::from_u128(1),
        result: failed.clone(),
    };
    for debug in [
        format!("{failed:?}"),
        format!("{seed:?}"),
        format!("{input:#?}"),
    ] {
        assert!(!debug.contains(secret), "{debug}");
        assert!(debug.contains("StatusMessage(<redacted>)"), "{debug}");
    }
}
