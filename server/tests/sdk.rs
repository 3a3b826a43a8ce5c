//! Conformance with a real client: the unmodified `aws-sdk-proton` crate
//! drives the server over HTTP on 127.0.0.1, with static test credentials
//! and a fixed region. The server runs on a manual clock: a test moves time
//! forward to deliver the engine's reports, and never waits for a timer.
#![allow(deprecated)] // the SDK marks Proton's operations deprecated: AWS closed Proton to new customers

use std::time::Duration;

use aws_sdk_proton::Client;
use aws_sdk_proton::error::ProvideErrorMetadata;
use aws_sdk_proton::operation::RequestId;
use aws_sdk_proton::operation::{
    cancel_environment_deployment, cancel_service_instance_deployment,
};
use aws_sdk_proton::types::{DeploymentStatus, DeploymentUpdateType};
use proton_cancel_server::App;
use serde_json::json;

mod common;
use common::{instance, quick_cancel, start, template};

const P: &str = r"^[0-9A-Za-z]+[0-9A-Za-z_\-]*$";

/// What CancelServiceInstanceDeployment answers.
type InstanceAnswer = Result<
    cancel_service_instance_deployment::CancelServiceInstanceDeploymentOutput,
    cancel_service_instance_deployment::CancelServiceInstanceDeploymentError,
>;

/// What CancelEnvironmentDeployment answers.
type EnvironmentAnswer = Result<
    cancel_environment_deployment::CancelEnvironmentDeploymentOutput,
    cancel_environment_deployment::CancelEnvironmentDeploymentError,
>;

/// CancelServiceInstanceDeployment of instance `name` of `service`.
async fn cancel_instance(client: &Client, service: &str, name: &str) -> InstanceAnswer {
    client
        .cancel_service_instance_deployment()
        .service_name(service)
        .service_instance_name(name)
        .send()
        .await
        .map_err(|e| e.into_service_error())
}

/// CancelEnvironmentDeployment of environment `name`.
async fn cancel_environment(client: &Client, name: &str) -> EnvironmentAnswer {
    let sent = client
        .cancel_environment_deployment()
        .environment_name(name);
    sent.send().await.map_err(|e| e.into_service_error())
}

/// The instance after the engine has had `ms` milliseconds more.
async fn instance_after(
    client: &Client,
    app: &App,
    name: &str,
    ms: u64,
) -> aws_sdk_proton::types::ServiceInstance {
    app.advance(Duration::from_millis(ms)).await;
    client
        .get_service_instance()
        .service_name("shop")
        .name(name)
        .send()
        .await
        .unwrap()
        .service_instance
        .unwrap()
}

/// Spec: R33, R8, R9
#[tokio::test]
async fn cancel_of_an_in_progress_instance_returns_cancelling_then_shows_cancelled() {
    let (client, app) = start(
        json!({"serviceInstances": [instance("web", "IN_PROGRESS", quick_cancel("SUCCEEDED"))]}),
    )
    .await;
    let out = cancel_instance(&client, "shop", "web").await.unwrap();
    assert_eq!(
        out.request_id().map(str::len),
        Some(36),
        "a UUID request id"
    );
    let si = out.service_instance.unwrap();
    assert_eq!(si.deployment_status, DeploymentStatus::Cancelling);
    assert_eq!(si.name, "web");
    assert_eq!(si.service_name, "shop");
    assert_eq!(si.environment_name, "prod");
    assert_eq!(
        si.arn,
        "arn:aws:proton:us-east-1:123456789012:service/shop/service-instance/web"
    );

    // The engine starts the rollback after 20 ms and ends it 30 ms later.
    let si = instance_after(&client, &app, "web", 25).await;
    assert_eq!(si.deployment_status, DeploymentStatus::Cancelling);
    let si = instance_after(&client, &app, "web", 25).await;
    assert_eq!(si.deployment_status, DeploymentStatus::Cancelled);
    assert_eq!(
        si.deployment_status_message.as_deref(),
        Some("User initiated cancellation.")
    );
    assert_eq!(si.template_minor_version, "0");
}

/// Spec: R33, R11, R18
#[tokio::test]
async fn update_that_finishes_before_the_cancellation_starts_ends_succeeded() {
    let engine =
        json!({"updateAfterMs": 400, "cancelStartAfterMs": 5000, "cancelFinishAfterMs": 10});
    let (client, app) =
        start(json!({"serviceInstances": [instance("web", "SUCCEEDED", engine)]})).await;
    let out = client
        .update_service_instance()
        .service_name("shop")
        .name("web")
        .deployment_type(DeploymentUpdateType::MinorVersion)
        .template_minor_version("1")
        .send()
        .await
        .unwrap();
    let si = out.service_instance.unwrap();
    assert_eq!(si.deployment_status, DeploymentStatus::InProgress);
    assert_eq!(
        si.template_minor_version, "0",
        "the applied version changes only on success"
    );
    assert!(
        si.last_client_request_token.is_some(),
        "the SDK fills the idempotency token"
    );

    let out = cancel_instance(&client, "shop", "web").await.unwrap();
    assert_eq!(
        out.service_instance.unwrap().deployment_status,
        DeploymentStatus::Cancelling
    );

    let si = instance_after(&client, &app, "web", 60_000).await;
    assert_eq!(si.deployment_status, DeploymentStatus::Succeeded);
    assert_eq!(si.template_minor_version, "1");
    assert_eq!(si.deployment_status_message, None);
    assert_eq!(
        si.last_succeeded_deployment_id,
        si.last_attempted_deployment_id
    );
    assert_eq!(
        si.last_deployment_succeeded_at,
        si.last_deployment_attempted_at
    );
}

/// Spec: R33, R10
#[tokio::test]
async fn cancellation_that_fails_ends_failed() {
    let (client, app) = start(
        json!({"serviceInstances": [instance("web", "IN_PROGRESS", quick_cancel("FAILED"))]}),
    )
    .await;
    cancel_instance(&client, "shop", "web").await.unwrap();
    let si = instance_after(&client, &app, "web", 60_000).await;
    assert_eq!(si.deployment_status, DeploymentStatus::Failed);
    assert_eq!(
        si.deployment_status_message.as_deref(),
        Some("Cancellation failed: the rollback did not complete.")
    );
}

/// Spec: R33, R30
#[tokio::test]
async fn an_invalid_name_is_a_validation_exception_with_the_aws_message() {
    let (client, _app) = start(json!({})).await;
    let err = cancel_instance(&client, "bad name!", "web")
        .await
        .unwrap_err();
    assert!(err.is_validation_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some(
            format!(
                "1 validation error detected: Value 'bad name!' at 'serviceName' failed to satisfy \
                 constraint: Member must satisfy regular expression pattern: {P}"
            )
            .as_str()
        )
    );
}

/// Spec: R33, R31
#[tokio::test]
async fn a_missing_instance_is_resource_not_found() {
    let (client, _app) = start(json!({})).await;
    let err = cancel_instance(&client, "shop", "ghost").await.unwrap_err();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    assert_eq!(
        err.request_id().map(str::len),
        Some(36),
        "errors carry one too"
    );
    assert_eq!(
        err.message(),
        Some("service instance 'ghost' of service 'shop' was not found")
    );
}

/// Spec: R33, R15
#[tokio::test]
async fn a_cancel_of_a_deployment_that_is_not_in_progress_is_a_conflict() {
    let (client, _app) =
        start(json!({"serviceInstances": [instance("web", "SUCCEEDED", json!({}))]})).await;
    let err = cancel_instance(&client, "shop", "web").await.unwrap_err();
    assert!(err.is_conflict_exception(), "{err:?}");
    assert_eq!(err.code(), Some("ConflictException"));
    assert_eq!(
        err.message(),
        Some(
            "cannot cancel the deployment of service instance 'web' of service 'shop': its \
             deployment status is SUCCEEDED; only a deployment that is IN_PROGRESS can be cancelled"
        )
    );
}

/// Spec: R33, R25
#[tokio::test]
async fn environment_cancel_follows_the_same_rules() {
    let mut env = json!({"name": "prod", "deploymentStatus": "IN_PROGRESS", "engine": quick_cancel("SUCCEEDED")});
    env.as_object_mut()
        .unwrap()
        .extend(template().as_object().unwrap().clone());
    let (client, app) = start(json!({"environments": [env]})).await;
    let out = cancel_environment(&client, "prod").await.unwrap();
    let environment = out.environment.unwrap();
    assert_eq!(environment.deployment_status, DeploymentStatus::Cancelling);
    assert_eq!(
        environment.arn,
        "arn:aws:proton:us-east-1:123456789012:environment/prod"
    );

    // Once the rollback is done, a second cancel meets CANCELLED.
    app.advance(Duration::from_millis(50)).await;
    let err = cancel_environment(&client, "prod").await.unwrap_err();
    assert!(err.is_conflict_exception(), "{err:?}");
    assert_eq!(
        err.message().unwrap_or_default(),
        "cannot cancel the deployment of environment 'prod': its deployment status is CANCELLED; \
         only a deployment that is IN_PROGRESS can be cancelled"
    );

    let err = cancel_environment(&client, "_prod").await.unwrap_err();
    assert!(err.is_validation_exception());
    let err = cancel_environment(&client, "staging").await.unwrap_err();
    assert!(err.is_resource_not_found_exception());
}

/// Spec: R33, R25
#[tokio::test]
async fn component_and_pipeline_cancels_answer_through_the_sdk() {
    let mut pipeline = json!({"serviceName": "shop", "environmentName": "prod", "deploymentStatus": "IN_PROGRESS", "engine": quick_cancel("SUCCEEDED")});
    pipeline
        .as_object_mut()
        .unwrap()
        .extend(template().as_object().unwrap().clone());
    let (client, _app) = start(json!({
        "components": [{"name": "cache", "environmentName": "prod", "deploymentStatus": "IN_PROGRESS",
                        "spec": "component spec", "engine": {"updateAfterMs": null, "cancelStartAfterMs": null}}],
        "servicePipelines": [pipeline],
    }))
    .await;
    let cancelled = client.cancel_component_deployment().component_name("cache");
    let component = cancelled.send().await.unwrap().component.unwrap();
    assert_eq!(component.deployment_status, DeploymentStatus::Cancelling);
    assert_eq!(component.environment_name, "prod");
    let pipeline = client
        .cancel_service_pipeline_deployment()
        .service_name("shop")
        .send()
        .await
        .map(|out| out.pipeline.unwrap().deployment_status);
    assert_eq!(pipeline.unwrap(), DeploymentStatus::Cancelling);
}
