//! Conformance with `aws-sdk-proton` for the life of a resource:
//! CreateEnvironment starts a first deployment like any other (the engine
//! finishes it, a cancel can stop it); DeleteEnvironment and DeleteComponent
//! run the machine's deletion (DELETE_IN_PROGRESS, then DELETE_COMPLETE or
//! DELETE_FAILED as the engine's script says); a deleted resource is gone
//! from every Get and List and its name is free again; an environment is
//! not deleted while something is deployed to it.
#![allow(deprecated)] // the SDK marks Proton's operations deprecated: AWS closed Proton to new customers

use std::time::Duration;

use aws_sdk_proton::Client;
use aws_sdk_proton::error::ProvideErrorMetadata;
use aws_sdk_proton::operation::RequestId;
use aws_sdk_proton::types::{
    DeploymentState, DeploymentStatus, DeploymentUpdateType, EnvironmentTemplateFilter,
};
use proton_cancel::{ResourceKind, Timestamp};
use proton_cancel_server::DELETION_FAILURE;
use proton_cancel_server::store::{Listed, Store};
use proton_cancel_server::{Clock, Seed};
use proton_cancel_test_support::{emulator, raw};
use serde_json::{Value, json};

mod common;
use common::{instance, record, start, template};

/// The two kinds AWS deletes by their own operation.
const KINDS: [ResourceKind; 2] = [ResourceKind::Environment, ResourceKind::Component];

/// An environment `prod` on `web-tmpl` 1.0 in `status`, with `engine`.
fn environment(status: &str, engine: Value) -> Value {
    let mut v = json!({"name": "prod", "deploymentStatus": status, "engine": engine});
    v.as_object_mut()
        .unwrap()
        .extend(template().as_object().unwrap().clone());
    v
}

/// A component `name` in environment `prod` in `status`, with `engine`.
fn component(name: &str, status: &str, engine: Value) -> Value {
    json!({"name": name, "environmentName": "prod", "spec": "v1",
           "deploymentStatus": status, "engine": engine})
}

/// A seed holding one resource of `kind` in `status`, with `engine`.
fn seed(kind: ResourceKind, status: &str, engine: Value) -> Value {
    match kind {
        ResourceKind::Environment => json!({"environments": [environment(status, engine)]}),
        ResourceKind::Component => json!({"components": [component("cache", status, engine)]}),
        other => panic!("the test has no {other} resource"),
    }
}

/// What a deletion's answer and a Get show.
#[derive(Debug, PartialEq)]
struct Seen {
    status: DeploymentStatus,
    message: Option<String>,
}

/// An error's code and message.
fn error<E: ProvideErrorMetadata>(e: &E) -> (String, String) {
    (
        e.code().unwrap_or_default().to_owned(),
        e.message().unwrap_or_default().to_owned(),
    )
}

/// What the call `$request` answers in member `$member` (and that it
/// carries a request id), or the error's code and message.
macro_rules! seen {
    ($request:expr, $member:ident) => {{
        let out = $request.send().await.map_err(|e| error(&e))?;
        assert_eq!(out.request_id().map(str::len), Some(36));
        let s = out.$member.unwrap();
        Ok(Seen {
            status: s.deployment_status,
            message: s.deployment_status_message,
        })
    }};
}

/// Delete<Kind>: what the answer shows, or the error's code and message.
async fn delete(client: &Client, kind: ResourceKind) -> Result<Seen, (String, String)> {
    match kind {
        ResourceKind::Environment => seen!(client.delete_environment().name("prod"), environment),
        ResourceKind::Component => seen!(client.delete_component().name("cache"), component),
        other => panic!("the test has no {other} resource"),
    }
}

/// Get<Kind>: what it shows, or the error's code and message.
async fn get(client: &Client, kind: ResourceKind) -> Result<Seen, (String, String)> {
    match kind {
        ResourceKind::Environment => seen!(client.get_environment().name("prod"), environment),
        ResourceKind::Component => seen!(client.get_component().name("cache"), component),
        other => panic!("the test has no {other} resource"),
    }
}

/// Cancel<Kind>Deployment's error, as code and message.
async fn cancel_error(client: &Client, kind: ResourceKind) -> (String, String) {
    match kind {
        ResourceKind::Environment => error(
            &client
                .cancel_environment_deployment()
                .environment_name("prod")
                .send()
                .await
                .unwrap_err(),
        ),
        ResourceKind::Component => error(
            &client
                .cancel_component_deployment()
                .component_name("cache")
                .send()
                .await
                .unwrap_err(),
        ),
        other => panic!("the test has no {other} resource"),
    }
}

/// What the machine names each kind's resource.
fn named(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Environment => "environment 'prod'",
        ResourceKind::Component => "component 'cache'",
        other => panic!("the test has no {other} resource"),
    }
}

fn not_found(kind: ResourceKind) -> (String, String) {
    (
        "ResourceNotFoundException".to_owned(),
        format!("{} was not found", named(kind)),
    )
}

fn deleting() -> Seen {
    Seen {
        status: DeploymentStatus::DeleteInProgress,
        message: None,
    }
}

/// Spec: R46
#[tokio::test]
async fn a_deletion_runs_to_delete_complete_and_then_the_resource_is_gone_from_every_call() {
    for kind in KINDS {
        let (client, app) = start(seed(kind, "SUCCEEDED", json!({"deleteAfterMs": 40}))).await;
        assert_eq!(delete(&client, kind).await, Ok(deleting()), "{kind:?}");
        app.advance(Duration::from_millis(39)).await;
        assert_eq!(get(&client, kind).await, Ok(deleting()), "{kind:?}");
        app.advance(Duration::from_millis(1)).await;
        assert_eq!(get(&client, kind).await, Err(not_found(kind)), "{kind:?}");
        // The machine's own words for a call to a deleted resource.
        let gone = |verb: &str| {
            (
                "ResourceNotFoundException".to_owned(),
                format!(
                    "cannot {verb} {}: it does not exist (its deployment status is \
                     DELETE_COMPLETE)",
                    named(kind)
                ),
            )
        };
        assert_eq!(delete(&client, kind).await, Err(gone("delete")), "{kind:?}");
        assert_eq!(
            cancel_error(&client, kind).await,
            gone("cancel the deployment of"),
            "{kind:?}"
        );
        // Deleting made no deployment record.
        let records = client.list_deployments().send().await.unwrap();
        assert!(records.deployments.is_empty(), "{kind:?}");
    }
}

/// Spec: R46
#[tokio::test]
async fn a_failed_deletion_shows_the_engines_reason_refuses_a_cancel_and_takes_a_new_delete() {
    for kind in KINDS {
        let engine = json!({"deleteAfterMs": 40, "deleteResult": "FAILED"});
        let (client, app) = start(seed(kind, "SUCCEEDED", engine)).await;
        assert_eq!(delete(&client, kind).await, Ok(deleting()), "{kind:?}");
        app.advance(Duration::from_millis(40)).await;
        let failed = Seen {
            status: DeploymentStatus::DeleteFailed,
            message: Some(DELETION_FAILURE.to_owned()),
        };
        assert_eq!(get(&client, kind).await, Ok(failed), "{kind:?}");
        assert_eq!(
            cancel_error(&client, kind).await,
            (
                "ConflictException".to_owned(),
                format!(
                    "cannot cancel the deployment of {}: its deployment status is \
                     DELETE_FAILED; only a deployment that is IN_PROGRESS can be cancelled",
                    named(kind)
                )
            ),
            "{kind:?}"
        );
        // A retry: the machine accepts a new deletion after DELETE_FAILED.
        assert_eq!(delete(&client, kind).await, Ok(deleting()), "{kind:?}");
    }
}

/// Spec: R46
#[tokio::test]
async fn delete_while_a_deployment_runs_or_a_deletion_is_under_way_is_a_conflict() {
    for kind in KINDS {
        let held = json!({"updateAfterMs": null, "deleteAfterMs": null});
        let (client, _app) = start(seed(kind, "IN_PROGRESS", held.clone())).await;
        assert_eq!(
            delete(&client, kind).await,
            Err((
                "ConflictException".to_owned(),
                format!(
                    "cannot delete {}: its deployment status is IN_PROGRESS; a deployment is \
                     in progress; wait for it to finish or cancel it",
                    named(kind)
                )
            )),
            "{kind:?}"
        );
        let (client, _app) = start(seed(kind, "DELETE_IN_PROGRESS", held)).await;
        assert_eq!(
            delete(&client, kind).await,
            Err((
                "ConflictException".to_owned(),
                format!(
                    "cannot delete {}: its deployment status is DELETE_IN_PROGRESS; it is \
                     being deleted",
                    named(kind)
                )
            )),
            "{kind:?}"
        );
    }
}

/// Spec: R46
#[tokio::test]
async fn a_seeded_deletion_under_way_is_finished_by_the_engine() {
    for kind in KINDS {
        let engine = json!({"deleteAfterMs": 25, "deleteResult": "FAILED"});
        let (client, app) = start(seed(kind, "DELETE_IN_PROGRESS", engine)).await;
        assert_eq!(get(&client, kind).await, Ok(deleting()), "{kind:?}");
        app.advance(Duration::from_millis(25)).await;
        assert_eq!(
            get(&client, kind).await.map(|s| s.status),
            Ok(DeploymentStatus::DeleteFailed),
            "{kind:?}"
        );
    }
}

/// The error of a DeleteEnvironment refused because `what` is deployed to
/// it.
fn in_use(what: &str) -> Result<Seen, (String, String)> {
    Err((
        "ConflictException".to_owned(),
        format!("environment 'prod' cannot be deleted: {what}"),
    ))
}

/// Spec: R46
#[tokio::test]
async fn an_environment_is_not_deleted_while_a_resource_that_is_not_deleted_is_deployed_to_it() {
    let quick = json!({"deleteAfterMs": 10});
    let (client, _app) = start(json!({
        "environments": [environment("SUCCEEDED", quick.clone())],
        "serviceInstances": [instance("web", "SUCCEEDED", quick.clone())],
        "components": [component("cache", "SUCCEEDED", quick.clone()),
                       component("gone", "DELETE_COMPLETE", quick.clone())],
    }))
    .await;
    assert_eq!(
        delete(&client, ResourceKind::Environment).await,
        in_use(
            "2 resources are deployed to it, among them service instance 'web' of service \
             'shop'; delete them first"
        )
    );

    let (client, app) = start(json!({
        "environments": [environment("SUCCEEDED", quick.clone())],
        "components": [component("cache", "SUCCEEDED", quick)],
    }))
    .await;
    let one = "component 'cache' is deployed to it; delete it first";
    assert_eq!(
        delete(&client, ResourceKind::Environment).await,
        in_use(one)
    );
    assert_eq!(
        delete(&client, ResourceKind::Component).await,
        Ok(deleting())
    );
    // While the component's deletion runs, it is still deployed.
    assert_eq!(
        delete(&client, ResourceKind::Environment).await,
        in_use(one)
    );
    app.advance(Duration::from_millis(10)).await;
    assert_eq!(
        delete(&client, ResourceKind::Environment).await,
        Ok(deleting())
    );
}

/// Spec: R46
#[tokio::test]
async fn a_deleted_service_instance_is_gone_from_get_list_and_its_service() {
    let (client, _app) = start(json!({"serviceInstances": [
        instance("web", "SUCCEEDED", json!({})),
        instance("old", "DELETE_COMPLETE", json!({})),
    ]}))
    .await;
    let err = client
        .get_service_instance()
        .service_name("shop")
        .name("old")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error(&err),
        (
            "ResourceNotFoundException".to_owned(),
            "service instance 'old' of service 'shop' was not found".to_owned()
        )
    );
    let listed = client.list_service_instances().send().await.unwrap();
    let names: Vec<&str> = listed
        .service_instances
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["web"]);
    let err = client
        .update_service_instance()
        .service_name("shop")
        .name("old")
        .deployment_type(DeploymentUpdateType::CurrentVersion)
        .spec("v2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error(&err).0, "ResourceNotFoundException");
}

/// CreateEnvironment of `prod` on `env-tmpl` major version 1, spec `s`:
/// what it shows and its first attempt's id, or the error.
async fn create_environment(client: &Client) -> Result<(Seen, String), (String, String)> {
    let out = client
        .create_environment()
        .name("prod")
        .template_name("env-tmpl")
        .template_major_version("1")
        .spec("s")
        .send()
        .await
        .map_err(|e| error(&e))?;
    assert_eq!(out.request_id().map(str::len), Some(36));
    let e = out.environment.unwrap();
    assert_eq!(
        (
            e.name.as_str(),
            e.template_name.as_str(),
            e.template_major_version.as_str()
        ),
        ("prod", "env-tmpl", "1")
    );
    assert_eq!(e.template_minor_version, "0", "no minor version given: 0");
    assert_eq!(e.spec.as_deref(), Some("s"));
    assert_eq!(
        e.arn,
        "arn:aws:proton:us-east-1:123456789012:environment/prod"
    );
    Ok((
        Seen {
            status: e.deployment_status,
            message: e.deployment_status_message,
        },
        e.last_attempted_deployment_id
            .expect("the first attempt's id"),
    ))
}

fn in_progress() -> Seen {
    Seen {
        status: DeploymentStatus::InProgress,
        message: None,
    }
}

/// Spec: R47
#[tokio::test]
async fn create_environment_starts_its_first_deployment_which_the_engine_finishes() {
    let (client, app) = start(json!({"engine": {"updateAfterMs": 50}})).await;
    let (created, id) = create_environment(&client).await.unwrap();
    assert_eq!(created, in_progress());
    assert_eq!(
        get(&client, ResourceKind::Environment).await,
        Ok(in_progress())
    );
    app.advance(Duration::from_millis(50)).await;
    assert_eq!(
        get(&client, ResourceKind::Environment).await,
        Ok(Seen {
            status: DeploymentStatus::Succeeded,
            message: None
        })
    );
    let record = record(&client, &id).await;
    assert_eq!(record.deployment_status, DeploymentStatus::Succeeded);
    assert_eq!(record.environment_name, "prod");
    assert_eq!(
        record.target_arn,
        "arn:aws:proton:us-east-1:123456789012:environment/prod"
    );
}

/// Spec: R47
#[tokio::test]
async fn a_creation_is_cancelled_like_any_deployment() {
    let engine =
        json!({"updateAfterMs": null, "cancelStartAfterMs": 20, "cancelFinishAfterMs": 30});
    let (client, app) = start(json!({ "engine": engine })).await;
    let (created, _) = create_environment(&client).await.unwrap();
    assert_eq!(created, in_progress());
    let cancelling = client
        .cancel_environment_deployment()
        .environment_name("prod")
        .send()
        .await
        .unwrap();
    assert_eq!(
        cancelling.environment.unwrap().deployment_status,
        DeploymentStatus::Cancelling
    );
    app.advance(Duration::from_millis(50)).await;
    assert_eq!(
        get(&client, ResourceKind::Environment).await,
        Ok(Seen {
            status: DeploymentStatus::Cancelled,
            message: Some("User initiated cancellation.".to_owned())
        })
    );
}

/// Spec: R47
#[tokio::test]
async fn a_name_in_use_is_a_conflict_and_once_deleted_it_can_be_created_again() {
    let engine = json!({"updateAfterMs": 10, "deleteAfterMs": 10});
    let (client, app) = start(json!({ "engine": engine })).await;
    let (_, first) = create_environment(&client).await.unwrap();
    let taken = Err((
        "ConflictException".to_owned(),
        "environment 'prod' already exists: choose another name, or delete it first".to_owned(),
    ));
    assert_eq!(create_environment(&client).await.map(|c| c.0), taken);
    app.advance(Duration::from_millis(10)).await;
    assert_eq!(create_environment(&client).await.map(|c| c.0), taken);
    assert_eq!(
        delete(&client, ResourceKind::Environment).await,
        Ok(deleting())
    );
    assert_eq!(create_environment(&client).await.map(|c| c.0), taken);
    app.advance(Duration::from_millis(10)).await;
    assert_eq!(
        get(&client, ResourceKind::Environment).await,
        Err(not_found(ResourceKind::Environment))
    );
    let (created, second) = create_environment(&client).await.unwrap();
    assert_eq!(created, in_progress());
    assert_ne!(first, second);
    assert_eq!(
        get(&client, ResourceKind::Environment).await,
        Ok(in_progress())
    );
    // The new life of the name is a resource like any other: it deploys,
    // and both lives' attempts keep their records, newest first.
    app.advance(Duration::from_millis(10)).await;
    assert_eq!(
        get(&client, ResourceKind::Environment)
            .await
            .map(|s| s.status),
        Ok(DeploymentStatus::Succeeded)
    );
    let records = client
        .list_deployments()
        .environment_name("prod")
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = records.deployments.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);
}

/// An environment `name` on template `template` major version `major`.
fn environment_on(name: &str, template: &str, major: &str, status: &str) -> Value {
    json!({"name": name, "templateName": template, "templateMajorVersion": major,
           "templateMinorVersion": "0", "spec": "s", "deploymentStatus": status})
}

/// Every page of ListEnvironments with `filters`, two at a time: the
/// names on each page.
async fn environment_pages(
    client: &Client,
    filters: &[(&str, &str)],
) -> Result<Vec<Vec<String>>, (String, String)> {
    let mut pages = Vec::new();
    let mut token = None;
    loop {
        let mut request = client.list_environments().max_results(2);
        for (template, major) in filters {
            request = request.environment_templates(
                EnvironmentTemplateFilter::builder()
                    .template_name(*template)
                    .major_version(*major)
                    .build()
                    .unwrap(),
            );
        }
        let out = request
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| error(&e))?;
        assert!(
            out.environments
                .iter()
                .all(|e| e.template_name.starts_with("tmpl-"))
        );
        pages.push(out.environments.into_iter().map(|e| e.name).collect());
        token = out.next_token;
        if token.is_none() {
            return Ok(pages);
        }
    }
}

/// Spec: R48
#[tokio::test]
async fn list_environments_pages_by_name_selects_by_template_and_leaves_out_deleted_ones() {
    let (client, _app) = start(json!({"environments": [
        environment_on("e1", "tmpl-x", "1", "SUCCEEDED"),
        environment_on("e2", "tmpl-x", "2", "FAILED"),
        environment_on("e3", "tmpl-y", "1", "SUCCEEDED"),
        environment_on("e4", "tmpl-x", "1", "DELETE_COMPLETE"),
        environment_on("e5", "tmpl-x", "1", "CANCELLED"),
    ]}))
    .await;
    let names = |pages: &[&[&str]]| -> Result<Vec<Vec<String>>, (String, String)> {
        Ok(pages
            .iter()
            .map(|p| p.iter().map(|n| (*n).to_owned()).collect())
            .collect())
    };
    assert_eq!(
        environment_pages(&client, &[]).await,
        names(&[&["e1", "e2"], &["e3", "e5"]])
    );
    assert_eq!(
        environment_pages(&client, &[("tmpl-x", "1")]).await,
        names(&[&["e1", "e5"]])
    );
    assert_eq!(
        environment_pages(&client, &[("tmpl-x", "1"), ("tmpl-y", "1")]).await,
        names(&[&["e1", "e3"], &["e5"]])
    );
    assert_eq!(
        environment_pages(&client, &[("tmpl-z", "1")]).await,
        names(&[&[]])
    );
    let summary = client.list_environments().send().await.unwrap();
    let first = &summary.environments[0];
    assert_eq!(
        (first.arn.as_str(), first.template_minor_version.as_str()),
        ("arn:aws:proton:us-east-1:123456789012:environment/e1", "0")
    );
    assert_eq!(
        environment_pages(&client, &[("tmpl-x", "01")]).await,
        Err((
            "ValidationException".to_owned(),
            "1 validation error detected: Value '01' at \
             'environmentTemplates.1.member.majorVersion' failed to satisfy constraint: Member \
             must satisfy regular expression pattern: ^(0|([1-9]{1}\\d*))$"
                .to_owned()
        ))
    );
}

/// Spec: R48
#[tokio::test]
async fn list_components_selects_by_environment_and_leaves_out_deleted_ones() {
    let (client, _app) = start(json!({"components": [
        {"name": "c1", "environmentName": "prod", "spec": "v1"},
        {"name": "c2", "environmentName": "dev", "spec": "v1", "deploymentStatus": "FAILED",
         "deploymentStatusMessage": "it broke"},
        {"name": "c3", "environmentName": "prod", "spec": "v1", "deploymentStatus": "DELETE_COMPLETE"},
    ]}))
    .await;
    let list = |environment: Option<&str>, service: Option<&str>, token: Option<String>| {
        client
            .list_components()
            .set_environment_name(environment.map(str::to_owned))
            .set_service_name(service.map(str::to_owned))
            .max_results(1)
            .set_next_token(token)
            .send()
    };
    let page = list(None, None, None).await.unwrap();
    assert_eq!(page.components.len(), 1);
    assert_eq!(page.components[0].name, "c1");
    assert_eq!(page.components[0].environment_name, "prod");
    let page = list(None, None, page.next_token).await.unwrap();
    assert_eq!(page.components[0].name, "c2");
    assert_eq!(
        page.components[0].deployment_status_message.as_deref(),
        Some("it broke")
    );
    assert_eq!(page.next_token, None);
    let prod = list(Some("prod"), None, None).await.unwrap();
    let names: Vec<&str> = prod.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["c1"]);
    let attached = list(None, Some("shop"), None).await.unwrap();
    assert!(attached.components.is_empty());
}

/// CreateComponent `name` with service spec `v1` and the members `place`
/// sets: what it shows (environment, service, instance) or the error.
async fn create_component(
    client: &Client,
    name: &str,
    place: (Option<&str>, Option<&str>, Option<&str>),
) -> Result<(String, Option<String>, Option<String>), (String, String)> {
    let (environment, service, instance) = place;
    let out = client
        .create_component()
        .name(name)
        .manifest("infrastructure:\n  templates:\n    - file: main.tf\n")
        .template_file("resource \"null\" \"x\" {}")
        .service_spec("v1")
        .set_environment_name(environment.map(str::to_owned))
        .set_service_name(service.map(str::to_owned))
        .set_service_instance_name(instance.map(str::to_owned))
        .send()
        .await
        .map_err(|e| error(&e))?;
    let c = out.component.unwrap();
    assert_eq!(c.deployment_status, DeploymentStatus::InProgress);
    assert_eq!(c.service_spec.as_deref(), Some("v1"));
    Ok((c.environment_name, c.service_name, c.service_instance_name))
}

/// Spec: R49, R48
#[tokio::test]
async fn create_component_goes_into_an_environment_or_onto_a_service_instance_in_its_environment() {
    let (client, app) = start(json!({
        "engine": {"updateAfterMs": 10},
        "environments": [environment("SUCCEEDED", json!({}))],
        "serviceInstances": [instance("web", "SUCCEEDED", json!({}))],
    }))
    .await;
    assert_eq!(
        create_component(&client, "cache", (Some("prod"), None, None)).await,
        Ok(("prod".to_owned(), None, None))
    );
    let attached = Ok((
        "prod".to_owned(),
        Some("shop".to_owned()),
        Some("web".to_owned()),
    ));
    assert_eq!(
        create_component(&client, "sidecar", (None, Some("shop"), Some("web"))).await,
        attached
    );
    app.advance(Duration::from_millis(10)).await;
    let sidecar = client
        .get_component()
        .name("sidecar")
        .send()
        .await
        .unwrap()
        .component
        .unwrap();
    assert_eq!(sidecar.deployment_status, DeploymentStatus::Succeeded);
    assert_eq!(
        (
            sidecar.service_name.as_deref(),
            sidecar.service_instance_name.as_deref()
        ),
        (Some("shop"), Some("web"))
    );
    let on_web = client
        .list_components()
        .service_instance_name("web")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = on_web.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["sidecar"]);
    assert_eq!(on_web.components[0].service_name.as_deref(), Some("shop"));
    // Both are deployed to `prod`: it cannot be deleted.
    assert_eq!(
        delete(&client, ResourceKind::Environment).await,
        in_use(
            "3 resources are deployed to it, among them service instance 'web' of service \
             'shop'; delete them first"
        )
    );
}

/// Spec: R49
#[tokio::test]
async fn create_component_refuses_a_place_that_does_not_exist_or_is_named_by_halves() {
    let (client, _app) = start(json!({
        "environments": [environment("SUCCEEDED", json!({})),
                         json!({"name": "old", "templateName": "t", "templateMajorVersion": "1",
                                "templateMinorVersion": "0", "deploymentStatus": "DELETE_COMPLETE"})],
        "serviceInstances": [instance("web", "SUCCEEDED", json!({}))],
        "components": [component("cache", "SUCCEEDED", json!({}))],
    }))
    .await;
    let refused = |code: &str, message: &str| Err((code.to_owned(), message.to_owned()));
    let not_found = "ResourceNotFoundException";
    let invalid = "ValidationException";
    for (place, expected) in [
        (
            (Some("nowhere"), None, None),
            refused(not_found, "environment 'nowhere' was not found"),
        ),
        (
            (Some("old"), None, None),
            refused(not_found, "environment 'old' was not found"),
        ),
        (
            (None, Some("shop"), Some("api")),
            refused(
                not_found,
                "service instance 'api' of service 'shop' was not found",
            ),
        ),
        (
            (None, Some("shop"), None),
            refused(
                invalid,
                "serviceName and serviceInstanceName are given together or not at all",
            ),
        ),
        (
            (None, None, None),
            refused(
                invalid,
                "a component needs its environmentName, or the serviceName and \
                 serviceInstanceName of the service instance it is attached to",
            ),
        ),
        (
            (Some("old"), Some("shop"), Some("web")),
            refused(
                invalid,
                "service instance 'web' of service 'shop' is deployed to environment 'prod', \
                 not 'old': a component attached to it is in its environment",
            ),
        ),
    ] {
        assert_eq!(
            create_component(&client, "new", place).await,
            expected,
            "{place:?}"
        );
    }
    assert_eq!(
        create_component(&client, "cache", (Some("prod"), None, None)).await,
        refused(
            "ConflictException",
            "component 'cache' already exists: choose another name, or delete it first"
        )
    );
    // Nothing was created by a refused call.
    let all = client.list_components().send().await.unwrap();
    let names: Vec<&str> = all.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["cache"]);
}

/// Spec: R50
#[tokio::test]
async fn delete_deployment_deletes_an_ended_deployments_record_and_refuses_a_running_ones() {
    let (client, app) = start(json!({"environments": [
        environment("IN_PROGRESS", json!({"updateAfterMs": 20}))
    ]}))
    .await;
    let listed = client.list_deployments().send().await.unwrap();
    let id = listed.deployments[0].id.clone();
    let delete = |id: String| client.delete_deployment().id(id).send();
    assert_eq!(
        error(&delete(id.clone()).await.unwrap_err()),
        (
            "ConflictException".to_owned(),
            format!(
                "deployment '{id}' cannot be deleted: its status is IN_PROGRESS; only the \
                 record of a deployment that has ended can be deleted"
            )
        )
    );
    app.advance(Duration::from_millis(20)).await;
    let deleted = delete(id.clone()).await.unwrap().deployment.unwrap();
    assert_eq!(
        (deleted.id.as_str(), &deleted.deployment_status),
        (id.as_str(), &DeploymentStatus::Succeeded)
    );
    let gone = (
        "ResourceNotFoundException".to_owned(),
        format!("deployment '{id}' was not found"),
    );
    assert_eq!(error(&delete(id.clone()).await.unwrap_err()), gone);
    let err = client.get_deployment().id(&id).send().await.unwrap_err();
    assert_eq!(error(&err), gone);
    assert!(
        client
            .list_deployments()
            .send()
            .await
            .unwrap()
            .deployments
            .is_empty()
    );
    // The environment is untouched, and its next attempt has a record.
    let updated = client
        .update_environment()
        .name("prod")
        .deployment_type(DeploymentUpdateType::CurrentVersion)
        .spec("v2")
        .send()
        .await
        .unwrap()
        .environment
        .unwrap();
    let next = updated.last_attempted_deployment_id.unwrap();
    assert_eq!(
        record(&client, &next).await.deployment_status,
        DeploymentStatus::InProgress
    );
}

/// CreateEnvironment `name` on `template` at `major` (minor 0): its
/// status, or the error.
async fn create_on(
    client: &Client,
    name: &str,
    template: &str,
    major: &str,
) -> Result<DeploymentStatus, (String, String)> {
    let out = client
        .create_environment()
        .name(name)
        .template_name(template)
        .template_major_version(major)
        .spec("s")
        .send()
        .await
        .map_err(|e| error(&e))?;
    Ok(out.environment.unwrap().deployment_status)
}

/// Spec: R51
#[tokio::test]
async fn a_seed_that_lists_templates_lets_deployments_target_only_those_versions() {
    let templates = json!({
        "environmentTemplates": [{"name": "env-tmpl", "versions": ["1.0", "1.10", "1.2", "2.0"]}],
        "serviceTemplates": [{"name": "web-tmpl", "versions": ["1.0", "1.1", "2.0", "2.3"]}],
        "serviceInstances": [instance("web", "SUCCEEDED", json!({"updateAfterMs": null}))],
    });
    let (client, _app) = start(templates.clone()).await;
    let missing = |message: &str| Err(("ResourceNotFoundException".to_owned(), message.to_owned()));
    assert_eq!(
        create_on(&client, "a", "env-tmpl", "1").await,
        Ok(DeploymentStatus::InProgress)
    );
    assert_eq!(
        create_on(&client, "b", "other", "1").await,
        missing("environment template 'other' was not found")
    );
    assert_eq!(
        create_on(&client, "c", "env-tmpl", "3").await,
        missing("environment template 'env-tmpl' has no version 3.0")
    );
    // A service template is not an environment template.
    assert_eq!(
        create_on(&client, "d", "web-tmpl", "1").await,
        missing("environment template 'web-tmpl' was not found")
    );
    let update = |minor: &'static str| {
        client
            .update_service_instance()
            .service_name("shop")
            .name("web")
            .deployment_type(DeploymentUpdateType::MinorVersion)
            .template_minor_version(minor)
            .send()
    };
    let err = update("2").await.unwrap_err();
    assert_eq!(
        error(&err),
        (
            "ResourceNotFoundException".to_owned(),
            "service template 'web-tmpl' has no version 1.2".to_owned()
        )
    );
    let moved = update("1").await.unwrap().service_instance.unwrap();
    assert_eq!(moved.deployment_status, DeploymentStatus::InProgress);

    // Without a minor version, a deployment takes the newest the seed
    // lists of its major version (as numbers: 10 is newer than 2).
    let created = client
        .create_environment()
        .name("e")
        .template_name("env-tmpl")
        .template_major_version("1")
        .spec("s")
        .send()
        .await
        .unwrap()
        .environment
        .unwrap();
    assert_eq!(created.template_minor_version, "10");
    let (client, app) = start(json!({
        "serviceTemplates": [{"name": "web-tmpl", "versions": ["1.0", "1.1", "2.0", "2.3"]}],
        "serviceInstances": [instance("web", "SUCCEEDED", json!({"updateAfterMs": 10}))],
    }))
    .await;
    let moved = |kind: DeploymentUpdateType, major: Option<&str>| {
        client
            .update_service_instance()
            .service_name("shop")
            .name("web")
            .deployment_type(kind)
            .set_template_major_version(major.map(str::to_owned))
            .send()
    };
    let minor = moved(DeploymentUpdateType::MinorVersion, None)
        .await
        .unwrap();
    assert_eq!(
        target_version(&client, minor.service_instance.unwrap()).await,
        ("1".to_owned(), "1".to_owned())
    );
    app.advance(Duration::from_millis(10)).await;
    let major = moved(DeploymentUpdateType::MajorVersion, Some("2"))
        .await
        .unwrap();
    assert_eq!(
        target_version(&client, major.service_instance.unwrap()).await,
        ("2".to_owned(), "3".to_owned())
    );

    // A seeded resource on a template the seed does not list is refused.
    let mut refused = templates;
    refused["environments"] = json!([{"name": "old", "templateName": "env-tmpl",
        "templateMajorVersion": "9", "templateMinorVersion": "0"}]);
    let seed = serde_json::from_value(refused).unwrap();
    let err = emulator::open(seed, Clock::manual(Timestamp::EPOCH))
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("environment 'old': environment template 'env-tmpl' has no version 9.0")
    );
    let bad = Seed::from_json(br#"{"serviceTemplates": [{"name": "t", "versions": ["1"]}]}"#);
    assert_eq!(
        bad.unwrap_err(),
        "serviceTemplates[0].versions[0]: invalid template version \"1\": write it \
         major.minor, such as \"1.0\" at line 1 column 53"
    );
}

/// Spec: R49
#[tokio::test]
async fn create_component_retried_with_its_client_token_answers_the_component_it_made() {
    let (client, _app) = start(json!({
        "environments": [environment("SUCCEEDED", json!({}))],
    }))
    .await;
    let create = |token: &'static str| {
        client
            .create_component()
            .name("cache")
            .manifest("m")
            .template_file("t")
            .environment_name("prod")
            .client_token(token)
            .send()
    };
    let first = create("t-1").await.unwrap().component.unwrap();
    let again = create("t-1").await.unwrap().component.unwrap();
    assert_eq!(again.deployment_status, DeploymentStatus::InProgress);
    assert_eq!(
        again.last_attempted_deployment_id,
        first.last_attempted_deployment_id
    );
    assert_eq!(again.last_client_request_token.as_deref(), Some("t-1"));
    let other = create("t-2").await.unwrap_err();
    assert_eq!(
        error(&other),
        (
            "ConflictException".to_owned(),
            "component 'cache' already exists: choose another name, or delete it first".to_owned()
        )
    );
    // One component, one attempt.
    let records = client.list_deployments().send().await.unwrap();
    assert_eq!(records.deployments.len(), 1);
}

/// On the system clock the engine wakes for a created resource's first
/// deployment as for any other: it ends without anyone moving a clock.
/// Spec: R47
#[tokio::test]
async fn on_the_real_clock_a_created_environment_deploys_by_itself() {
    let seed = serde_json::from_value(json!({"engine": {"updateAfterMs": 50}})).unwrap();
    let (_app, addr) = emulator::start(seed, Clock::system()).await;
    let client = common::client(addr);
    let (created, _) = create_environment(&client).await.unwrap();
    assert_eq!(created, in_progress());
    // At most 500 polls 20 ms apart: about 10 s.
    for poll in 1.. {
        let seen = get(&client, ResourceKind::Environment).await.unwrap();
        if seen.status == DeploymentStatus::Succeeded {
            break;
        }
        assert!(poll < 500, "still {:?} after {poll} polls", seen.status);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The template version (major, minor) the last attempt of `instance`
/// targets, read from its deployment record.
async fn target_version(
    client: &Client,
    instance: aws_sdk_proton::types::ServiceInstance,
) -> (String, String) {
    let id = instance.last_attempted_deployment_id.unwrap();
    let DeploymentState::ServiceInstance(target) = record(client, &id).await.target_state.unwrap()
    else {
        panic!("a service instance's target")
    };
    (target.template_major_version, target.template_minor_version)
}

/// Spec: R60
#[tokio::test]
async fn a_page_token_outlives_the_deletion_of_the_item_it_points_to_and_no_other_list_takes_it() {
    let engine = json!({"deleteAfterMs": 10});
    let (client, app) = start(json!({"engine": engine, "environments": [
        environment_on("e1", "tmpl-x", "1", "SUCCEEDED"),
        environment_on("e2", "tmpl-x", "1", "SUCCEEDED"),
        environment_on("e3", "tmpl-x", "1", "SUCCEEDED"),
        environment_on("e4", "tmpl-x", "1", "SUCCEEDED"),
    ]}))
    .await;
    let first = client
        .list_environments()
        .max_results(2)
        .send()
        .await
        .unwrap();
    let token = first.next_token.unwrap();
    client.delete_environment().name("e3").send().await.unwrap();
    app.advance(Duration::from_millis(10)).await;
    let next = client
        .list_environments()
        .max_results(2)
        .next_token(&token)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = next.environments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["e4"], "the page starts where the deleted e3 was");
    assert_eq!(next.next_token, None);
    let elsewhere = client
        .list_components()
        .next_token(&token)
        .send()
        .await
        .map_err(|e| error(&e));
    assert_eq!(
        elsewhere.err(),
        Some((
            "ValidationException".to_owned(),
            "The nextToken is not valid: pass the nextToken of the previous page unchanged"
                .to_owned()
        ))
    );
}

/// What `op` answers to `body`, as JSON, over raw HTTP.
async fn raw_list(addr: std::net::SocketAddr, op: &'static str, body: Value) -> Value {
    tokio::task::spawn_blocking(move || {
        let answer = raw::call(addr.port(), op, &body.to_string());
        assert_eq!(
            answer.status, "HTTP/1.1 200 OK",
            "{op} {body}: {}",
            answer.body
        );
        answer.body
    })
    .await
    .unwrap()
}

/// Spec: R60
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_stored_summaries_is_the_page_the_filters_read_whole() {
    let on = |status: &str, name: &str, service: &str| {
        let mut i = instance(name, status, json!({}));
        i["serviceName"] = json!(service);
        i["environmentName"] = json!("e1");
        i
    };
    let seed = json!({
        "environments": [
            environment_on("e1", "tmpl-x", "1", "SUCCEEDED"),
            environment_on("e2", "tmpl-y", "1", "IN_PROGRESS"),
            environment_on("e0", "tmpl-x", "1", "DELETE_COMPLETE"),
        ],
        "serviceInstances": [
            on("SUCCEEDED", "web", "shop"), on("IN_PROGRESS", "api", "shop"),
            on("FAILED", "w", "a-b"), on("CANCELLED", "x", "a"),
            on("DELETE_COMPLETE", "gone", "shop"), on("DELETE_FAILED", "stuck", "shop"),
        ],
        "components": [
            {"name": "c1", "environmentName": "e1", "deploymentStatus": "SUCCEEDED"},
            {"name": "c2", "environmentName": "e1", "deploymentStatus": "IN_PROGRESS"},
        ],
    });
    for database in ["memory", "sqlite::memory:"] {
        let store = Store::open(database).await.unwrap();
        let seed: Seed = serde_json::from_value(seed.clone()).unwrap();
        let clock = Clock::manual(Timestamp::from_secs(1_704_067_200));
        let (_app, addr) = emulator::start_on(store.clone(), seed, clock).await;
        let published = json!([{"key": "deployedTemplateVersionStatus", "value": "PUBLISHED"}]);
        let both = json!([
            {"templateName": "tmpl-x", "majorVersion": "1"},
            {"templateName": "tmpl-y", "majorVersion": "1"},
        ]);
        for max in [1, 2, 100] {
            // Unfiltered, each list reads the stored summaries; with a
            // filter that keeps every item, it reads every row whole.
            for (op, stored, whole) in [
                (
                    "ListServiceInstances",
                    json!({}),
                    json!({"filters": published}),
                ),
                (
                    "ListEnvironments",
                    json!({}),
                    json!({"environmentTemplates": both}),
                ),
                (
                    "ListComponents",
                    json!({}),
                    json!({"environmentName": "e1"}),
                ),
            ] {
                let mut token: Option<Value> = None;
                loop {
                    let page = |mut body: Value| {
                        body["maxResults"] = json!(max);
                        if let Some(t) = &token {
                            body["nextToken"] = t.clone();
                        }
                        body
                    };
                    let listed = raw_list(addr, op, page(stored.clone())).await;
                    let read = raw_list(addr, op, page(whole.clone())).await;
                    assert_eq!(listed, read, "{database}: {op}, pages of {max}");
                    match listed.get("nextToken") {
                        Some(t) => token = Some(t.clone()),
                        None => break,
                    }
                }
            }
            let all = raw_list(addr, "ListDeployments", json!({})).await;
            let e1 = raw_list(addr, "ListDeployments", json!({"environmentName": "e1"})).await;
            let in_e1: Vec<&Value> = all["deployments"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["environmentName"] == "e1")
                .collect();
            assert_eq!(
                e1["deployments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .collect::<Vec<_>>(),
                in_e1
            );
        }
        let names = raw_list(addr, "ListServiceInstances", json!({})).await["serviceInstances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{}/{}",
                    i["serviceName"].as_str().unwrap(),
                    i["name"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>();
        assert_eq!(
            names,
            ["a-b/w", "a/x", "shop/api", "shop/stuck", "shop/web"],
            "{database}: by key, without the deleted instance"
        );
        // Every resource a list shows has its summary stored; the deleted
        // ones and the pipelines have none.
        let stored = store.list_range(("a", "z"), 100).await.unwrap();
        let shown: Vec<&str> = stored
            .iter()
            .filter(|(_, listed)| matches!(listed, Listed::Shown(_)))
            .map(|(key, _)| key.as_str())
            .collect();
        assert_eq!(
            shown,
            [
                "component/c1",
                "component/c2",
                "environment/e1",
                "environment/e2",
                "service-instance/a-b/w",
                "service-instance/a/x",
                "service-instance/shop/api",
                "service-instance/shop/stuck",
                "service-instance/shop/web",
            ],
            "{database}"
        );
        assert_eq!(
            stored.len(),
            11,
            "{database}: and e0 and shop/gone, read whole"
        );
    }
}
