//! Conformance with `aws-sdk-proton` for services: CreateService makes the
//! pipeline and instances its YAML spec names, each deploying for the first
//! time; the service's status follows its parts (CREATE_IN_PROGRESS, then
//! ACTIVE or CREATE_FAILED); UpdateService adds and removes instances
//! through the spec; CreateServiceInstance adds one; DeleteService deletes
//! every part, and the service is gone once they are; ListServices pages by
//! name. Bad input gets AWS's answer and changes nothing.
#![allow(deprecated)] // the SDK marks Proton's operations deprecated: AWS closed Proton to new customers

use std::time::Duration;

use aws_sdk_proton::Client;
use aws_sdk_proton::error::ProvideErrorMetadata;
use aws_sdk_proton::operation::RequestId;
use aws_sdk_proton::types::{DeploymentStatus, ServiceStatus};
use serde_json::{Value, json};

mod common;
use common::start;

/// Environments `prod` and `dev`, settled, and `engine`.
fn seed(engine: Value) -> Value {
    let env = |name: &str| {
        json!({"name": name, "templateName": "env-tmpl", "templateMajorVersion": "1",
               "templateMinorVersion": "0", "spec": "s", "deploymentStatus": "SUCCEEDED"})
    };
    json!({"environments": [env("prod"), env("dev")], "engine": engine})
}

/// A service spec naming `instances` (name, environment), with a pipeline
/// or not.
fn spec(instances: &[(&str, &str)], pipeline: bool) -> String {
    let mut s = String::from("proton: ServiceSpec\n");
    if pipeline {
        s.push_str("pipeline:\n  dockerfile: Dockerfile\n");
    }
    if !instances.is_empty() {
        s.push_str("instances:\n");
    }
    for (name, env) in instances {
        s.push_str(&format!(
            "  - name: {name}\n    environment: {env}\n    spec:\n      port: 80\n"
        ));
    }
    s
}

/// An error's code and message.
fn error<E: ProvideErrorMetadata>(e: &E) -> (String, String) {
    (
        e.code().unwrap_or_default().to_owned(),
        e.message().unwrap_or_default().to_owned(),
    )
}

/// What a service shows: its status, its status message, and its
/// pipeline's deployment status if it has one.
#[derive(Debug, PartialEq)]
struct Seen {
    status: ServiceStatus,
    message: Option<String>,
    pipeline: Option<DeploymentStatus>,
}

impl Seen {
    fn of(s: aws_sdk_proton::types::Service) -> Self {
        Self {
            status: s.status,
            message: s.status_message,
            pipeline: s.pipeline.map(|p| p.deployment_status),
        }
    }
}

fn seen(status: ServiceStatus, pipeline: Option<DeploymentStatus>) -> Seen {
    Seen {
        status,
        message: None,
        pipeline,
    }
}

async fn create(client: &Client, name: &str, spec: &str) -> Result<Seen, (String, String)> {
    let out = client
        .create_service()
        .name(name)
        .template_name("svc-tmpl")
        .template_major_version("1")
        .spec(spec)
        .description("the shop")
        .send()
        .await
        .map_err(|e| error(&e))?;
    assert_eq!(out.request_id().map(str::len), Some(36));
    Ok(Seen::of(out.service.unwrap()))
}

async fn get(client: &Client, name: &str) -> Result<Seen, (String, String)> {
    let out = client
        .get_service()
        .name(name)
        .send()
        .await
        .map_err(|e| error(&e))?;
    Ok(Seen::of(out.service.unwrap()))
}

/// The deployment status of instance `name` of `shop`, or the error.
async fn instance(client: &Client, name: &str) -> Result<DeploymentStatus, (String, String)> {
    let out = client
        .get_service_instance()
        .service_name("shop")
        .name(name)
        .send()
        .await
        .map_err(|e| error(&e))?;
    Ok(out.service_instance.unwrap().deployment_status)
}

/// The names of `shop`'s instances that ListServiceInstances shows.
async fn instance_names(client: &Client) -> Vec<String> {
    let out = client
        .list_service_instances()
        .service_name("shop")
        .send()
        .await
        .unwrap();
    out.service_instances
        .into_iter()
        .map(|i| format!("{}@{}", i.name, i.environment_name))
        .collect()
}

fn not_found() -> (String, String) {
    (
        "ResourceNotFoundException".to_owned(),
        "service 'shop' was not found".to_owned(),
    )
}

fn conflict(message: &str) -> (String, String) {
    ("ConflictException".to_owned(), message.to_owned())
}

fn invalid(message: &str) -> (String, String) {
    ("ValidationException".to_owned(), message.to_owned())
}

/// Spec: R53
#[tokio::test]
async fn create_service_makes_its_pipeline_and_instances_and_is_active_once_each_deployed() {
    let (client, app) = start(seed(json!({"updateAfterMs": 50}))).await;
    let made = client
        .create_service()
        .name("shop")
        .template_name("svc-tmpl")
        .template_major_version("1")
        .spec(spec(&[("web", "prod"), ("api", "dev")], true))
        .description("the shop")
        .send()
        .await
        .unwrap()
        .service
        .unwrap();
    assert_eq!(made.status, ServiceStatus::CreateInProgress);
    assert_eq!(made.description.as_deref(), Some("the shop"));
    assert_eq!(made.template_name, "svc-tmpl");
    assert_eq!(made.spec, spec(&[("web", "prod"), ("api", "dev")], true));
    assert_eq!(
        made.arn,
        "arn:aws:proton:us-east-1:123456789012:service/shop"
    );
    assert_eq!(
        made.pipeline.map(|p| p.deployment_status),
        Some(DeploymentStatus::InProgress)
    );
    assert_eq!(
        instance(&client, "web").await,
        Ok(DeploymentStatus::InProgress)
    );
    assert_eq!(instance_names(&client).await, ["api@dev", "web@prod"]);
    let records = client
        .list_deployments()
        .service_name("shop")
        .send()
        .await
        .unwrap();
    assert_eq!(
        records.deployments.len(),
        3,
        "one record per part's first deployment"
    );
    app.advance(Duration::from_millis(50)).await;
    assert_eq!(
        get(&client, "shop").await,
        Ok(seen(
            ServiceStatus::Active,
            Some(DeploymentStatus::Succeeded)
        ))
    );
    assert_eq!(
        instance(&client, "api").await,
        Ok(DeploymentStatus::Succeeded)
    );
}

/// Spec: R54
#[tokio::test]
async fn a_spec_that_is_not_a_valid_service_spec_is_refused_saying_what_is_wrong_and_nothing_is_made()
 {
    let (client, _app) = start(seed(json!({}))).await;
    let cases: [(&str, (String, String)); 8] = [
        (
            "proton: ServiceSpec\ninstances: [",
            invalid(
                "the spec is not a YAML document: while parsing a node, did not find expected \
                 node content at byte 32 line 3 column 1",
            ),
        ),
        (
            "- just\n- a list\n",
            invalid(
                "the spec is not a service spec: it is to be a YAML mapping that starts \
                 `proton: ServiceSpec`",
            ),
        ),
        (
            "proton: EnvironmentSpec\ninstances: []\n",
            invalid("the spec is not a service spec: it says `proton: ServiceSpec`"),
        ),
        (
            "proton: ServiceSpec\ninstances:\n  name: web\n",
            invalid(
                "the spec's `instances` is not a list: each instance is an item `- name: …` \
                 with its `environment`",
            ),
        ),
        (
            "proton: ServiceSpec\ninstances:\n  - name: web\n",
            invalid("instance 1 of the spec has no `environment`"),
        ),
        (
            &spec(&[("web", "prod"), ("api", "dev"), ("web", "dev")], false),
            invalid(
                "the spec names instance 'web' twice (instances 1 and 3): an instance's name \
                 is unique within its service",
            ),
        ),
        (
            &spec(&[("web", "prod"), ("api", "staging")], false),
            (
                "ResourceNotFoundException".to_owned(),
                "instance 'api' of the spec names environment 'staging', which does not exist"
                    .to_owned(),
            ),
        ),
        (
            "proton: ServiceSpec\npipeline:\n  dockerfile: Dockerfile\n",
            invalid(
                "the spec names no instance: a service has at least one, in whose environment \
                 its pipeline's deployments are recorded",
            ),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(create(&client, "shop", text).await, Err(expected), "{text}");
    }
    assert_eq!(get(&client, "shop").await, Err(not_found()));
    assert_eq!(instance_names(&client).await, Vec::<String>::new());
    let records = client.list_deployments().send().await.unwrap();
    assert_eq!(records.deployments, vec![]);
}

/// Spec: R53
#[tokio::test]
async fn a_second_create_service_of_a_name_is_a_conflict_and_once_deleted_the_name_is_free() {
    let engine = json!({"updateAfterMs": 10, "deleteAfterMs": 10});
    let (client, app) = start(seed(engine)).await;
    let one = spec(&[("web", "prod")], false);
    create(&client, "shop", &one).await.unwrap();
    assert_eq!(
        create(&client, "shop", &spec(&[("api", "dev")], false)).await,
        Err(conflict(
            "service 'shop' already exists: choose another name, or delete it first"
        ))
    );
    app.advance(Duration::from_millis(10)).await;
    client.delete_service().name("shop").send().await.unwrap();
    app.advance(Duration::from_millis(10)).await;
    assert_eq!(get(&client, "shop").await, Err(not_found()));
    let again = create(&client, "shop", &spec(&[("web", "dev")], true)).await;
    assert_eq!(
        again,
        Ok(seen(
            ServiceStatus::CreateInProgress,
            Some(DeploymentStatus::InProgress)
        ))
    );
    assert_eq!(instance_names(&client).await, ["web@dev"]);
}

/// Spec: R52, R53
#[tokio::test]
async fn a_cancelled_creation_leaves_its_part_cancelled_and_the_service_create_failed() {
    let engine =
        json!({"updateAfterMs": null, "cancelStartAfterMs": 10, "cancelFinishAfterMs": 10});
    let (client, app) = start(seed(engine)).await;
    create(&client, "shop", &spec(&[("web", "prod")], false))
        .await
        .unwrap();
    let cancelling = client
        .cancel_service_instance_deployment()
        .service_name("shop")
        .service_instance_name("web")
        .send()
        .await
        .unwrap();
    assert_eq!(
        cancelling.service_instance.unwrap().deployment_status,
        DeploymentStatus::Cancelling
    );
    assert_eq!(
        get(&client, "shop").await,
        Ok(seen(ServiceStatus::CreateInProgress, None))
    );
    app.advance(Duration::from_millis(20)).await;
    assert_eq!(
        instance(&client, "web").await,
        Ok(DeploymentStatus::Cancelled)
    );
    assert_eq!(
        get(&client, "shop").await,
        Ok(Seen {
            status: ServiceStatus::CreateFailed,
            message: Some(
                "service instance 'web' of service 'shop': User initiated cancellation.".to_owned()
            ),
            pipeline: None,
        })
    );
}

/// Spec: R55
#[tokio::test]
async fn delete_service_deletes_every_part_and_the_service_is_gone_once_all_are_deleted() {
    let engine = json!({"updateAfterMs": 10, "deleteAfterMs": 30});
    let (client, app) = start(seed(engine)).await;
    create(
        &client,
        "shop",
        &spec(&[("web", "prod"), ("api", "dev")], true),
    )
    .await
    .unwrap();
    app.advance(Duration::from_millis(10)).await;
    let deleting = client.delete_service().name("shop").send().await.unwrap();
    assert_eq!(
        Seen::of(deleting.service.unwrap()),
        seen(
            ServiceStatus::DeleteInProgress,
            Some(DeploymentStatus::DeleteInProgress)
        )
    );
    assert_eq!(
        instance(&client, "web").await,
        Ok(DeploymentStatus::DeleteInProgress)
    );
    app.advance(Duration::from_millis(30)).await;
    assert_eq!(get(&client, "shop").await, Err(not_found()));
    assert_eq!(
        instance(&client, "web").await,
        Err((
            "ResourceNotFoundException".to_owned(),
            "service instance 'web' of service 'shop' was not found".to_owned()
        ))
    );
    assert_eq!(instance_names(&client).await, Vec::<String>::new());
    let listed = client.list_services().send().await.unwrap();
    assert_eq!(listed.services, vec![]);
    assert_eq!(
        client
            .delete_service()
            .name("shop")
            .send()
            .await
            .map_err(|e| error(&e))
            .err(),
        Some(not_found())
    );
}

/// Spec: R55
#[tokio::test]
async fn a_failed_deletion_makes_the_service_delete_failed_and_a_new_delete_retries_it() {
    let engine = json!({"updateAfterMs": 10, "deleteAfterMs": 10, "deleteResult": "FAILED"});
    let (client, app) = start(seed(engine)).await;
    create(&client, "shop", &spec(&[("web", "prod")], false))
        .await
        .unwrap();
    app.advance(Duration::from_millis(10)).await;
    client.delete_service().name("shop").send().await.unwrap();
    app.advance(Duration::from_millis(10)).await;
    assert_eq!(
        get(&client, "shop").await,
        Ok(Seen {
            status: ServiceStatus::DeleteFailed,
            message: Some(
                "service instance 'web' of service 'shop': Deletion failed: the provisioned \
                 resources could not be removed."
                    .to_owned()
            ),
            pipeline: None,
        })
    );
    let again = client.delete_service().name("shop").send().await.unwrap();
    assert_eq!(
        again.service.unwrap().status,
        ServiceStatus::DeleteInProgress
    );
}

/// Spec: R55
#[tokio::test]
async fn delete_service_is_refused_while_a_component_is_attached_or_a_deployment_runs() {
    let (client, app) = start(seed(json!({"updateAfterMs": 10}))).await;
    create(
        &client,
        "shop",
        &spec(&[("web", "prod"), ("api", "dev")], false),
    )
    .await
    .unwrap();
    let running = client
        .delete_service()
        .name("shop")
        .send()
        .await
        .map_err(|e| error(&e));
    assert_eq!(
        running.err(),
        Some(conflict(
            "cannot delete service instance 'api' of service 'shop': its deployment status is \
             IN_PROGRESS; a deployment is in progress; wait for it to finish or cancel it"
        ))
    );
    app.advance(Duration::from_millis(10)).await;
    client
        .create_component()
        .name("cache")
        .service_name("shop")
        .service_instance_name("web")
        .manifest("m")
        .template_file("t")
        .send()
        .await
        .unwrap();
    let attached = client
        .delete_service()
        .name("shop")
        .send()
        .await
        .map_err(|e| error(&e));
    assert_eq!(
        attached.err(),
        Some(conflict(
            "service 'shop' cannot be deleted: component 'cache' is attached to its service \
             instance 'web' of service 'shop'; delete the component first"
        ))
    );
    assert_eq!(
        get(&client, "shop").await,
        Ok(seen(ServiceStatus::Active, None)),
        "nothing was deleted"
    );
}

/// Spec: R56
#[tokio::test]
async fn update_service_adds_and_removes_instances_through_its_spec_and_sets_its_description() {
    let engine = json!({"updateAfterMs": 10, "deleteAfterMs": 10});
    let (client, app) = start(seed(engine)).await;
    create(
        &client,
        "shop",
        &spec(&[("web", "prod"), ("api", "dev")], false),
    )
    .await
    .unwrap();
    app.advance(Duration::from_millis(10)).await;
    let next = spec(&[("web", "prod"), ("worker", "dev")], false);
    let updated = client
        .update_service()
        .name("shop")
        .spec(&next)
        .description("the new shop")
        .send()
        .await
        .unwrap()
        .service
        .unwrap();
    assert_eq!(updated.status, ServiceStatus::UpdateInProgress);
    assert_eq!(updated.description.as_deref(), Some("the new shop"));
    assert_eq!(updated.spec, next);
    assert_eq!(
        instance(&client, "worker").await,
        Ok(DeploymentStatus::InProgress)
    );
    assert_eq!(
        instance(&client, "api").await,
        Ok(DeploymentStatus::DeleteInProgress)
    );
    assert_eq!(
        instance(&client, "web").await,
        Ok(DeploymentStatus::Succeeded),
        "an instance the spec keeps is not redeployed"
    );
    app.advance(Duration::from_millis(10)).await;
    assert_eq!(
        get(&client, "shop").await,
        Ok(seen(ServiceStatus::Active, None))
    );
    assert_eq!(instance_names(&client).await, ["web@prod", "worker@dev"]);
    let description_only = client
        .update_service()
        .name("shop")
        .description("again")
        .send()
        .await
        .unwrap()
        .service
        .unwrap();
    assert_eq!(description_only.status, ServiceStatus::Active);
    assert_eq!(description_only.spec, next);
}

/// Spec: R56
#[tokio::test]
async fn update_service_refuses_to_remove_an_instance_with_a_component_or_every_part_or_to_change_the_pipeline()
 {
    let (client, app) = start(seed(json!({"updateAfterMs": 10}))).await;
    create(
        &client,
        "shop",
        &spec(&[("web", "prod"), ("api", "dev")], false),
    )
    .await
    .unwrap();
    app.advance(Duration::from_millis(10)).await;
    client
        .create_component()
        .name("cache")
        .service_name("shop")
        .service_instance_name("api")
        .manifest("m")
        .template_file("t")
        .send()
        .await
        .unwrap();
    let update = |spec: String| {
        let client = client.clone();
        async move {
            client
                .update_service()
                .name("shop")
                .spec(spec)
                .send()
                .await
                .map(|o| o.service.unwrap().status)
                .map_err(|e| error(&e))
        }
    };
    assert_eq!(
        update(spec(&[("web", "prod")], false)).await,
        Err(conflict(
            "service instance 'api' of service 'shop' cannot be removed: component 'cache' is \
             attached to it; delete it first"
        ))
    );
    assert_eq!(
        update(spec(&[("web", "prod"), ("api", "dev")], true)).await,
        Err(invalid(
            "UpdateService does not add or remove a pipeline: service 'shop' has none, and the \
             spec has one"
        ))
    );
    assert_eq!(
        update(spec(&[("web", "prod"), ("api", "staging")], false)).await,
        Err((
            "ResourceNotFoundException".to_owned(),
            "instance 'api' of the spec names environment 'staging', which does not exist"
                .to_owned()
        ))
    );
    assert_eq!(
        instance_names(&client).await,
        ["api@dev", "web@prod"],
        "nothing changed"
    );
    assert_eq!(
        client
            .update_service()
            .name("nope")
            .description("d")
            .send()
            .await
            .map_err(|e| error(&e))
            .err(),
        Some((
            "ResourceNotFoundException".to_owned(),
            "service 'nope' was not found".to_owned()
        ))
    );
}

/// Spec: R57
#[tokio::test]
async fn create_service_instance_adds_an_instance_in_the_environment_its_spec_entry_names() {
    let (client, app) = start(seed(json!({"updateAfterMs": 10}))).await;
    create(&client, "shop", &spec(&[("web", "prod")], false))
        .await
        .unwrap();
    app.advance(Duration::from_millis(10)).await;
    let add = |name: &str, service: &str, token: &str| {
        client
            .create_service_instance()
            .service_name(service)
            .name(name)
            .spec(spec(&[("web", "prod"), ("api", "dev")], false))
            .client_token(token)
    };
    let made = add("api", "shop", "t-1").send().await.unwrap();
    let made = made.service_instance.unwrap();
    assert_eq!(made.deployment_status, DeploymentStatus::InProgress);
    assert_eq!(made.environment_name, "dev");
    assert_eq!(made.template_name, "svc-tmpl");
    assert_eq!(
        get(&client, "shop").await,
        Ok(seen(ServiceStatus::UpdateInProgress, None))
    );
    let retried = add("api", "shop", "t-1").send().await.unwrap();
    assert_eq!(
        retried
            .service_instance
            .unwrap()
            .last_attempted_deployment_id,
        made.last_attempted_deployment_id,
        "the same request retried with its client token makes nothing"
    );
    assert_eq!(
        add("api", "shop", "t-2")
            .send()
            .await
            .map_err(|e| error(&e))
            .err(),
        Some(conflict(
            "service instance 'api' of service 'shop' already exists: choose another name, or \
             delete it first"
        ))
    );
    assert_eq!(
        add("db", "shop", "t-3")
            .send()
            .await
            .map_err(|e| error(&e))
            .err(),
        Some(invalid(
            "the spec names no instance 'db': a new instance's environment is read from its \
             entry in the spec's `instances`"
        ))
    );
    assert_eq!(
        add("api", "mall", "t-4")
            .send()
            .await
            .map_err(|e| error(&e))
            .err(),
        Some((
            "ResourceNotFoundException".to_owned(),
            "service 'mall' was not found".to_owned()
        ))
    );
    app.advance(Duration::from_millis(10)).await;
    assert_eq!(
        get(&client, "shop").await,
        Ok(seen(ServiceStatus::Active, None))
    );
}

/// Spec: R58
#[tokio::test]
async fn list_services_pages_by_name_and_leaves_out_deleted_services() {
    let (client, app) = start(seed(json!({"updateAfterMs": 10, "deleteAfterMs": 10}))).await;
    // Names that extend another after a '-' (whose instances' keys sort
    // before the shorter name's) list in name order all the same.
    // `Z` sorts before them all; `bravo` also has a pipeline, whose key
    // range is read beside the instances'.
    for name in [
        "delta", "alpha", "charlie", "bravo", "echo", "ab", "a-b", "a", "a-b-c", "Z",
    ] {
        create(&client, name, &spec(&[("web", "prod")], name == "bravo"))
            .await
            .unwrap();
    }
    app.advance(Duration::from_millis(10)).await;
    client
        .delete_service()
        .name("charlie")
        .send()
        .await
        .unwrap();
    app.advance(Duration::from_millis(10)).await;
    let mut pages = Vec::new();
    let mut token = None;
    // Pages of one: each token names the service that starts the next page.
    loop {
        let out = client
            .list_services()
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages.extend(out.services.iter().map(|s| s.name.clone()));
        token = out.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(
        pages,
        [
            "Z", "a", "a-b", "a-b-c", "ab", "alpha", "bravo", "delta", "echo"
        ]
    );
    let mut pages = Vec::new();
    loop {
        let out = client
            .list_services()
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages.push(
            out.services
                .iter()
                .map(|s| format!("{}:{}", s.name, s.status))
                .collect::<Vec<_>>(),
        );
        token = out.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(
        pages,
        [
            vec!["Z:ACTIVE", "a:ACTIVE"],
            vec!["a-b:ACTIVE", "a-b-c:ACTIVE"],
            vec!["ab:ACTIVE", "alpha:ACTIVE"],
            vec!["bravo:ACTIVE", "delta:ACTIVE"],
            vec!["echo:ACTIVE"]
        ]
    );
    let instances = client
        .list_service_instances()
        .max_results(1)
        .send()
        .await
        .unwrap();
    let elsewhere = client
        .list_services()
        .next_token(instances.next_token.unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (elsewhere.code(), elsewhere.message()),
        (
            Some("ValidationException"),
            Some("The nextToken is not valid: pass the nextToken of the previous page unchanged")
        )
    );
}

/// Spec: R59
#[tokio::test]
async fn the_engine_tag_scripts_the_engine_for_the_resource_a_create_makes() {
    use aws_sdk_proton::types::Tag;
    let (client, app) = start(seed(json!({"updateAfterMs": 10, "deleteAfterMs": 10}))).await;
    let tag = |value: &str| {
        Tag::builder()
            .key("proton-cancel:engine")
            .value(value)
            .build()
            .unwrap()
    };
    client
        .create_environment()
        .name("qa")
        .template_name("env-tmpl")
        .template_major_version("1")
        .spec("s")
        .tags(tag(
            r#"{"updateResult": "FAILED", "deleteResult": "FAILED"}"#,
        ))
        .send()
        .await
        .unwrap();
    create(&client, "shop", &spec(&[("web", "qa")], false))
        .await
        .unwrap();
    app.advance(Duration::from_millis(10)).await;
    let qa = client.get_environment().name("qa").send().await.unwrap();
    let qa = qa.environment.unwrap();
    assert_eq!(
        (
            qa.deployment_status,
            qa.deployment_status_message.as_deref()
        ),
        (
            DeploymentStatus::Failed,
            Some("Provisioning failed: the update did not complete.")
        ),
        "its own script"
    );
    assert_eq!(
        instance(&client, "web").await,
        Ok(DeploymentStatus::Succeeded),
        "the server's"
    );
    let bad = client
        .create_component()
        .name("cache")
        .environment_name("prod")
        .manifest("m")
        .template_file("t")
        .tags(tag(r#"{"deleteResult": "MAYBE"}"#))
        .send()
        .await
        .map_err(|e| error(&e));
    assert_eq!(
        bad.err(),
        Some(invalid(
            "tag 'proton-cancel:engine' is not engine settings: unknown variant `MAYBE`, \
             expected `SUCCEEDED` or `FAILED` at line 1 column 25; its value is a JSON object \
             in the seed's `engine` form, for example {\"deleteResult\":\"FAILED\"}"
        ))
    );
}

/// Spec: R52, R58
#[tokio::test]
async fn a_seeded_service_shows_its_parts_spec_and_template_and_is_active() {
    let part = |extra: Value| {
        let mut v = json!({"templateName": "seeded-tmpl", "templateMajorVersion": "1",
                           "templateMinorVersion": "0", "spec": "proton: ServiceSpec # seeded",
                           "deploymentStatus": "SUCCEEDED", "serviceName": "shop",
                           "environmentName": "prod"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let mut s = seed(json!({}));
    s["servicePipelines"] = json!([part(json!({}))]);
    s["serviceInstances"] = json!([part(json!({"name": "web"}))]);
    let (client, _app) = start(s).await;
    let shown = client
        .get_service()
        .name("shop")
        .send()
        .await
        .unwrap()
        .service
        .unwrap();
    assert_eq!(
        (
            shown.spec.as_str(),
            shown.template_name.as_str(),
            &shown.status,
            shown.description
        ),
        (
            "proton: ServiceSpec # seeded",
            "seeded-tmpl",
            &ServiceStatus::Active,
            None
        )
    );
    let listed = client.list_services().send().await.unwrap();
    let names: Vec<&str> = listed.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["shop"]);
}

/// Spec: R52, R56
#[tokio::test]
async fn an_instance_added_later_stays_an_update_of_the_service_when_the_service_is_written_again()
{
    use aws_sdk_proton::types::Tag;
    let (client, app) = start(seed(json!({"updateAfterMs": 10}))).await;
    create(&client, "shop", &spec(&[("web", "prod")], false))
        .await
        .unwrap();
    app.advance(Duration::from_millis(10)).await;
    let held = Tag::builder()
        .key("proton-cancel:engine")
        .value(r#"{"updateAfterMs": null}"#)
        .build()
        .unwrap();
    client
        .create_service_instance()
        .service_name("shop")
        .name("api")
        .spec(spec(&[("web", "prod"), ("api", "dev")], false))
        .tags(held)
        .send()
        .await
        .unwrap();
    let described = client
        .update_service()
        .name("shop")
        .description("still adding")
        .send()
        .await
        .unwrap()
        .service
        .unwrap();
    assert_eq!(described.status, ServiceStatus::UpdateInProgress);
    app.advance(Duration::from_millis(10)).await;
    assert_eq!(
        get(&client, "shop").await,
        Ok(seen(ServiceStatus::UpdateInProgress, None)),
        "the held instance is still an update, not the service's creation"
    );
}
