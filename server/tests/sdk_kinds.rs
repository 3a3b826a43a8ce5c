//! Conformance with `aws-sdk-proton` for the whole lifecycle of all four
//! kinds: every Update, Cancel and Get operation, the three documented
//! outcomes of a cancel on each kind, the deployment records
//! (GetDeployment, ListDeployments), ListServiceInstances, pagination
//! beyond one page, and a request id on every answer.
#![allow(deprecated)] // the SDK marks Proton's operations deprecated: AWS closed Proton to new customers

use std::time::Duration;

use aws_sdk_proton::error::ProvideErrorMetadata;
use aws_sdk_proton::operation::RequestId;
use aws_sdk_proton::types::{
    DeploymentState, DeploymentStatus, DeploymentTargetResourceType, DeploymentUpdateType,
    ListServiceInstancesFilter, ListServiceInstancesFilterBy, ListServiceInstancesSortBy,
    SortOrder,
};
use proton_cancel::ResourceKind;
use serde_json::{Value, json};

mod common;
use common::kinds::{KINDS, View, cancel, get, seed, update};
use common::{instance, record, start};

fn assert_request_id(view: &View) {
    let id = view.request_id.as_deref().expect("a request id");
    assert_eq!(id.len(), 36, "a UUID request id: {id}");
}

/// How one staged race ends.
struct End {
    status: DeploymentStatus,
    message: Option<&'static str>,
    /// Milliseconds after the update at which the engine's last report
    /// settled it.
    completed_after_ms: i64,
}

/// Stages one race on `kind`: an update, a cancel, then `ms` of engine
/// time; checks the resource and its deployment record end as `end` says.
async fn race(kind: ResourceKind, engine: Value, ms: u64, end: End) {
    let End {
        status,
        message,
        completed_after_ms,
    } = end;
    let (client, app) = start(seed(kind, engine)).await;
    let updated = update(&client, kind).await.unwrap();
    assert_eq!(updated.status, DeploymentStatus::InProgress, "{kind:?}");
    assert_request_id(&updated);
    let id = updated.last_attempted.clone().expect("the attempt's id");

    let cancelled = cancel(&client, kind).await.unwrap();
    assert_eq!(cancelled.status, DeploymentStatus::Cancelling, "{kind:?}");
    assert_request_id(&cancelled);

    app.advance(Duration::from_millis(ms)).await;
    let after = get(&client, kind).await;
    assert_request_id(&after);
    assert_eq!(after.status, status, "{kind:?}");
    assert_eq!(after.message.as_deref(), message, "{kind:?}");
    assert_eq!(after.last_attempted.as_deref(), Some(id.as_str()));

    let record = record(&client, &id).await;
    assert_eq!(record.id, id);
    assert_eq!(record.deployment_status, status, "{kind:?} record");
    assert_eq!(record.deployment_status_message.as_deref(), message);
    let completed = record.completed_at.unwrap();
    assert_eq!(
        // The wire's epoch seconds are a double: round to the millisecond.
        (
            completed.secs(),
            i64::from(completed.subsec_nanos() + 500_000) / 1_000_000
        ),
        (1_704_067_200, completed_after_ms),
        "{kind:?}: completed when the engine's last report arrived"
    );
    assert_eq!(record.created_at.secs(), 1_704_067_200);
    assert_eq!(
        record.arn,
        format!("arn:aws:proton:us-east-1:123456789012:deployment/{id}")
    );
    let (expected_type, target_arn) = match kind {
        ResourceKind::ServiceInstance => (
            DeploymentTargetResourceType::ServiceInstance,
            "arn:aws:proton:us-east-1:123456789012:service/shop/service-instance/web",
        ),
        ResourceKind::Environment => (
            DeploymentTargetResourceType::Environment,
            "arn:aws:proton:us-east-1:123456789012:environment/prod",
        ),
        ResourceKind::ServicePipeline => (
            DeploymentTargetResourceType::ServicePipeline,
            "arn:aws:proton:us-east-1:123456789012:service/shop/pipeline",
        ),
        ResourceKind::Component => (
            DeploymentTargetResourceType::Component,
            "arn:aws:proton:us-east-1:123456789012:component/cache",
        ),
        other => panic!("the test has no {other} resource"),
    };
    assert_eq!(record.target_resource_type, expected_type);
    assert_eq!(record.target_arn, target_arn);
    assert_eq!(record.environment_name, "prod");
    let specs = |s: &DeploymentState| match s {
        DeploymentState::ServiceInstance(s) => Some(s.spec.clone()),
        DeploymentState::Environment(s) => s.spec.clone(),
        DeploymentState::ServicePipeline(s) => s.spec.clone(),
        DeploymentState::Component(s) => s.service_spec.clone(),
        _ => None,
    };
    let initial = record.initial_state.as_ref().unwrap();
    let target = record.target_state.as_ref().unwrap();
    assert_eq!(specs(target).as_deref(), Some("v2"), "{kind:?}");
    let expected_initial = (kind == ResourceKind::Component).then(|| "v1".to_owned());
    let expected_initial =
        expected_initial.or_else(|| (kind == ResourceKind::ServiceInstance).then(String::new));
    assert_eq!(specs(initial), expected_initial, "{kind:?}");
}

/// The engine holds the update for ever; the rollback starts after 20 ms
/// and ends 30 ms later with `result`.
fn held_update(result: &str) -> Value {
    json!({"updateAfterMs": null, "cancelStartAfterMs": 20, "cancelFinishAfterMs": 30, "cancelResult": result})
}

/// Spec: R33, R8, R9, R42
#[tokio::test]
async fn a_cancelled_update_ends_cancelled_on_every_kind_and_its_record_reads_cancelled() {
    for kind in KINDS {
        race(
            kind,
            held_update("SUCCEEDED"),
            50,
            End {
                status: DeploymentStatus::Cancelled,
                message: Some("User initiated cancellation."),
                completed_after_ms: 50,
            },
        )
        .await;
    }
}

/// Spec: R33, R10, R42
#[tokio::test]
async fn a_failed_rollback_ends_failed_on_every_kind_and_its_record_reads_failed() {
    for kind in KINDS {
        race(
            kind,
            held_update("FAILED"),
            50,
            End {
                status: DeploymentStatus::Failed,
                message: Some("Cancellation failed: the rollback did not complete."),
                completed_after_ms: 50,
            },
        )
        .await;
    }
}

/// Spec: R33, R11, R42
#[tokio::test]
async fn an_update_that_wins_the_race_ends_succeeded_on_every_kind_and_its_record_reads_succeeded()
{
    for kind in KINDS {
        race(
            kind,
            json!({"updateAfterMs": 10, "cancelStartAfterMs": 100}),
            2_000,
            End {
                status: DeploymentStatus::Succeeded,
                message: None,
                completed_after_ms: 10,
            },
        )
        .await;
    }
}

/// Spec: R33
#[tokio::test]
async fn a_cancel_with_no_update_running_is_a_conflict_on_every_kind() {
    for kind in KINDS {
        let (client, _app) = start(seed(kind, json!({}))).await;
        let err = cancel(&client, kind).await.unwrap_err();
        assert!(
            matches!(err, aws_sdk_proton::Error::ConflictException(_)),
            "{kind:?}: {err:?}"
        );
        assert!(
            err.message()
                .unwrap()
                .ends_with("its deployment status is SUCCEEDED; only a deployment that is IN_PROGRESS can be cancelled"),
            "{:?}",
            err.message()
        );
        assert_eq!(
            err.request_id().map(str::len),
            Some(36),
            "a UUID request id"
        );
    }
}

/// Spec: R42
#[tokio::test]
async fn an_update_of_type_none_starts_no_deployment_and_no_record() {
    let (client, _app) = start(seed(ResourceKind::Environment, json!({}))).await;
    let out = client
        .update_environment()
        .name("prod")
        .deployment_type(DeploymentUpdateType::None)
        .send()
        .await
        .unwrap();
    let env = out.environment.unwrap();
    assert_eq!(env.deployment_status, DeploymentStatus::Succeeded);
    assert_eq!(env.last_attempted_deployment_id, None);
    let list = client.list_deployments().send().await.unwrap();
    assert!(list.deployments.is_empty());
}

/// Spec: R33
#[tokio::test]
async fn get_of_a_resource_that_does_not_exist_is_resource_not_found_for_every_kind() {
    let (client, _app) = start(json!({})).await;
    let e = client
        .get_environment()
        .name("prod")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.into_service_error().message(),
        Some("environment 'prod' was not found")
    );
    let e = client.get_service().name("shop").send().await.unwrap_err();
    assert_eq!(
        e.into_service_error().message(),
        Some("service 'shop' was not found")
    );
    let e = client
        .get_component()
        .name("cache")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.into_service_error().message(),
        Some("component 'cache' was not found")
    );
    let e = client
        .get_deployment()
        .id("00000000-0000-4000-8000-000000000001")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.into_service_error().message(),
        Some("deployment '00000000-0000-4000-8000-000000000001' was not found")
    );
}

/// A seed of `n` service instances of service `shop` named `i00` …, all
/// IN_PROGRESS (so each has a deployment record), in `env`.
fn many_instances(n: usize) -> Value {
    let instances: Vec<Value> = (0..n)
        .map(|i| {
            let mut v = instance(
                &format!("i{i:02}"),
                "IN_PROGRESS",
                json!({"updateAfterMs": null}),
            );
            if i % 2 == 1 {
                v["environmentName"] = json!("staging");
            }
            v
        })
        .collect();
    json!({ "serviceInstances": instances })
}

/// Spec: R43
#[tokio::test]
async fn list_service_instances_pages_through_every_instance_in_name_order() {
    let (client, _app) = start(many_instances(7)).await;
    let first = client
        .list_service_instances()
        .max_results(3)
        .send()
        .await
        .unwrap();
    assert_eq!(first.service_instances.len(), 3);
    assert!(first.next_token.is_some());
    let all: Vec<String> = client
        .list_service_instances()
        .max_results(3)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(all, ["i00", "i01", "i02", "i03", "i04", "i05", "i06"]);
}

/// Spec: R43
#[tokio::test]
async fn list_service_instances_filters_and_sorts_as_asked() {
    let (client, _app) = start(many_instances(5)).await;
    let out = client
        .list_service_instances()
        .filters(
            ListServiceInstancesFilter::builder()
                .key(ListServiceInstancesFilterBy::EnvironmentName)
                .value("staging")
                .build(),
        )
        .sort_by(ListServiceInstancesSortBy::Name)
        .sort_order(SortOrder::Descending)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = out
        .service_instances
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["i03", "i01"]);
    assert_eq!(out.next_token, None);

    let out = client
        .list_service_instances()
        .service_name("other")
        .send()
        .await
        .unwrap();
    assert!(out.service_instances.is_empty());
}

/// Spec: R43
#[tokio::test]
async fn list_deployments_pages_newest_first_and_filters_by_name() {
    let (client, _app) = start(many_instances(5)).await;
    let all: Vec<(String, String)> = client
        .list_deployments()
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .into_iter()
        .map(|d| {
            (
                d.service_instance_name.unwrap(),
                d.deployment_status.as_str().to_owned(),
            )
        })
        .collect();
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["i04", "i03", "i02", "i01", "i00"]);
    assert!(all.iter().all(|(_, s)| s == "IN_PROGRESS"));

    let one = client
        .list_deployments()
        .service_name("shop")
        .service_instance_name("i02")
        .send()
        .await
        .unwrap();
    assert_eq!(one.deployments.len(), 1);
    assert_eq!(one.deployments[0].environment_name, "prod");
    let staging = client
        .list_deployments()
        .environment_name("staging")
        .send()
        .await
        .unwrap();
    assert_eq!(staging.deployments.len(), 2);
}

/// Spec: R43
#[tokio::test]
async fn a_next_token_the_server_did_not_make_is_a_validation_exception() {
    let (client, _app) = start(many_instances(1)).await;
    let err = client
        .list_deployments()
        .next_token("abc")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    assert_eq!(
        err.message(),
        Some("The nextToken is not valid: pass the nextToken of the previous page unchanged")
    );
    let err = client
        .list_service_instances()
        .max_results(101)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        err.message(),
        Some(
            "1 validation error detected: Value '101' at 'maxResults' failed to satisfy \
             constraint: Member must have value less than or equal to 100"
        )
    );
}

/// Spec: R33
#[tokio::test]
async fn get_service_shows_the_service_with_its_pipeline() {
    let mut s = seed(ResourceKind::ServicePipeline, json!({}));
    s["serviceInstances"] = json!([instance("web", "SUCCEEDED", json!({}))]);
    let (client, _app) = start(s).await;
    let service = client
        .get_service()
        .name("shop")
        .send()
        .await
        .unwrap()
        .service
        .unwrap();
    assert_eq!(
        service.arn,
        "arn:aws:proton:us-east-1:123456789012:service/shop"
    );
    assert_eq!(service.status.as_str(), "ACTIVE");
    let pipeline = service.pipeline.unwrap();
    assert_eq!(
        pipeline.arn,
        "arn:aws:proton:us-east-1:123456789012:service/shop/pipeline"
    );
    assert_eq!(pipeline.deployment_status, DeploymentStatus::Succeeded);
}
