//! Deployment records of every kind, the names ListDeployments and
//! GetDeployment select them by, and the list inputs' tokens and filters:
//! each rule checked on exact values.

use proton_cancel::*;
use proton_cancel_test_support::builders::*;
use proton_cancel_wire::*;
use serde_json::json;

fn place(environment: &str) -> RecordPlace {
    RecordPlace {
        arn: "arn:deployment".to_owned(),
        target_arn: "arn:target".to_owned(),
        environment_name: name(environment),
    }
}

/// The record of attempt `A` on `resource`, at rest with `applied`.
fn record_of(resource: ResourceId, applied: Configuration) -> DeploymentRecord {
    let before = Observed::new(resource, t(0), applied.clone());
    DeploymentRecord::new(
        &AttemptRecord::start(A, t(100), &before, applied),
        place("prod"),
    )
}

fn component(n: &str) -> DeploymentRecord {
    record_of(
        ResourceId::Component { name: name(n) },
        Configuration::Component { service_spec: None },
    )
}

fn pipeline(service: &str) -> DeploymentRecord {
    record_of(
        ResourceId::ServicePipeline {
            service: name(service),
        },
        config(0),
    )
}

fn environment(n: &str) -> DeploymentRecord {
    record_of(ResourceId::Environment { name: name(n) }, config(0))
}

fn web() -> DeploymentRecord {
    record_of(instance(), config(0))
}

#[test]
fn a_record_names_its_target_by_kind_and_reads_it_back() {
    let cache = ResourceId::Component {
        name: name("cache"),
    };
    let shop = ResourceId::ServicePipeline {
        service: name("shop"),
    };
    let prod = ResourceId::Environment { name: name("prod") };
    // The record, its type, and its component, service and instance names.
    let n = |s| Some(name(s));
    let cases = [
        (
            component("cache"),
            TargetResourceType::Component,
            (n("cache"), None, None),
            cache,
        ),
        (
            pipeline("shop"),
            TargetResourceType::ServicePipeline,
            (None, n("shop"), None),
            shop,
        ),
        (
            environment("prod"),
            TargetResourceType::Environment,
            (None, None, None),
            prod,
        ),
        (
            web(),
            TargetResourceType::ServiceInstance,
            (None, n("shop"), n("web")),
            instance(),
        ),
    ];
    for (record, kind, names, target) in cases {
        let r = record.summary;
        assert_eq!(r.target_resource_type, kind);
        assert_eq!(
            (
                r.component_name.clone(),
                r.service_name.clone(),
                r.service_instance_name.clone()
            ),
            names,
            "{kind}"
        );
        assert_eq!(r.target(), Some(target));
    }
    for (kind, wire) in [
        (ResourceKind::ServiceInstance, "SERVICE_INSTANCE"),
        (ResourceKind::Environment, "ENVIRONMENT"),
        (ResourceKind::ServicePipeline, "SERVICE_PIPELINE"),
        (ResourceKind::Component, "COMPONENT"),
    ] {
        assert_eq!(TargetResourceType::from(kind).to_string(), wire);
    }
}

/// The filter of a ListDeployments body.
fn filter(names: serde_json::Value) -> DeploymentFilter {
    ListDeploymentsInput::decode(names.to_string().as_bytes())
        .unwrap()
        .filter
}

#[test]
fn a_record_matches_a_filter_only_when_every_name_given_is_its_own() {
    let w = web().summary;
    let c = component("cache").summary;
    assert!(filter(json!({})).matches(&w));
    assert!(filter(json!({})).matches(&c));
    let all =
        json!({"environmentName": "prod", "serviceName": "shop", "serviceInstanceName": "web"});
    assert!(filter(all).matches(&w));
    assert!(!filter(json!({"environmentName": "dev"})).matches(&w));
    assert!(!filter(json!({"serviceName": "pay"})).matches(&w));
    assert!(!filter(json!({"serviceName": "shop", "serviceInstanceName": "api"})).matches(&w));
    assert!(!filter(json!({"componentName": "cache"})).matches(&w));
    assert!(filter(json!({"componentName": "cache", "environmentName": "prod"})).matches(&c));
    assert!(!filter(json!({"componentName": "queue"})).matches(&c));
    assert!(!filter(json!({"serviceName": "shop"})).matches(&c));
}

#[test]
fn get_deployment_needs_the_service_only_with_an_instance_name() {
    let id = "00000000-0000-4000-8000-000000000001";
    let with = |names: serde_json::Value| {
        let mut body = names;
        body["id"] = json!(id);
        GetDeploymentInput::decode(body.to_string().as_bytes())
    };
    assert_eq!(with(json!({})).unwrap().id.to_string(), id);
    assert_eq!(
        with(json!({"serviceName": "shop"}))
            .unwrap()
            .filter
            .service_name,
        Some(name("shop"))
    );
    let both = with(json!({"serviceName": "shop", "serviceInstanceName": "web"})).unwrap();
    assert_eq!(both.filter.service_instance_name, Some(name("web")));
    assert_eq!(
        with(json!({"serviceInstanceName": "web"}))
            .unwrap_err()
            .message(),
        "serviceName must be specified to identify the service instance"
    );
}

#[test]
fn next_tokens_are_the_hex_of_a_key_and_only_tokens_of_the_pattern_are_read() {
    let (_, next) = page(vec!["a", "b"], |s| (*s).to_owned(), None, 1).unwrap();
    assert_eq!(next.map(|n| n.as_str().to_owned()), Some("62".to_owned()));
    let token = |value: &str| {
        ListDeploymentsInput::decode(json!({ "nextToken": value }).to_string().as_bytes())
            .map(|i| i.next_token.map(|n| n.as_str().to_owned()))
            .map_err(|e| e.message().to_owned())
    };
    assert_eq!(token("62"), Ok(Some("62".to_owned())));
    assert_eq!(token("aZ+/="), Ok(Some("aZ+/=".to_owned())));
    let refused = |value: &str| {
        format!(
            "1 validation error detected: Value '{value}' at 'nextToken' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: ^[A-Za-z0-9+=/]+$"
        )
    };
    assert_eq!(token("not a token"), Err(refused("not a token")));
    assert_eq!(token(""), Err(refused("")));
}

#[test]
fn a_deployment_status_filter_reads_the_status() {
    let input = ListServiceInstancesInput::decode(
        br#"{"filters": [{"key": "deploymentStatus", "value": "IN_PROGRESS"}]}"#,
    )
    .unwrap();
    assert_eq!(
        input.filters,
        [ServiceInstanceFilter::Status(DeploymentStatus::InProgress)]
    );
}

/// What an update body decodes to, or AWS's message.
fn update<T: Request>(body: serde_json::Value) -> Result<T, String> {
    T::decode(body.to_string().as_bytes()).map_err(|e| e.message().to_owned())
}

#[test]
fn a_description_of_exactly_500_characters_is_kept() {
    let input: UpdateEnvironmentInput =
        update(json!({"name": "prod", "deploymentType": "NONE", "description": "d".repeat(500)}))
            .unwrap();
    assert_eq!(input.description.map(|d| d.chars().count()), Some(500));
}

#[test]
fn a_component_update_deploys_unless_none_and_keeps_its_client_token() {
    // Whether each update deploys, and the client token it keeps.
    let read = |input: &dyn Deploys| (input.change().deploys(), input.client_token());
    let deploying: UpdateComponentInput = update(json!({
        "name": "cache", "deploymentType": "CURRENT_VERSION", "serviceSpec": "v2",
        "clientToken": "token-1"
    }))
    .unwrap();
    let none: UpdateComponentInput =
        update(json!({"name": "cache", "deploymentType": "NONE"})).unwrap();
    let instance: UpdateServiceInstanceInput = update(json!({
        "serviceName": "shop", "name": "web", "deploymentType": "CURRENT_VERSION",
        "clientToken": "token-2"
    }))
    .unwrap();
    assert_eq!(read(&deploying), (true, Some(token("token-1"))));
    assert_eq!(read(&none), (false, None));
    assert_eq!(read(&instance), (true, Some(token("token-2"))));
}

#[test]
fn a_component_names_its_service_by_a_name_or_the_empty_string() {
    let long = "s".repeat(101);
    let refused = update::<UpdateComponentInput>(json!({
        "name": "cache", "deploymentType": "NONE", "serviceName": long
    }))
    .unwrap_err();
    assert_eq!(
        refused,
        format!(
            "1 validation error detected: Value '{long}' at 'serviceName' failed to satisfy \
             constraint: Member must have length less than or equal to 100"
        )
    );
    let detached: UpdateComponentInput = update(json!({
        "name": "cache", "deploymentType": "NONE", "serviceName": ""
    }))
    .unwrap();
    assert_eq!(detached.service_name.as_deref(), Some(""));
}

#[test]
fn max_results_reads_1_to_100() {
    let max = |n: i64| {
        ListDeploymentsInput::decode(json!({ "maxResults": n }).to_string().as_bytes())
            .map(|i| i.max_results)
            .map_err(|e| e.message().to_owned())
    };
    assert_eq!(max(1), Ok(Some(1)));
    assert_eq!(max(100), Ok(Some(100)));
    let refused = |n: i64, bound: &str| {
        Err(format!(
            "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy \
             constraint: Member must have value {bound}"
        ))
    };
    assert_eq!(max(0), refused(0, "greater than or equal to 1"));
    assert_eq!(max(101), refused(101, "less than or equal to 100"));
}

#[test]
fn a_page_token_continues_at_the_item_it_names() {
    let items = vec!["a", "b", "c", "d"];
    let key = |s: &&str| (*s).to_owned();
    let (first, next) = page(items.clone(), key, None, 2).unwrap();
    assert_eq!(first, ["a", "b"]);
    let (second, last) = page(items, key, next.as_ref(), 2).unwrap();
    assert_eq!(second, ["c", "d"]);
    assert_eq!(last, None);
}

#[test]
fn a_service_instance_summary_shows_no_spec() {
    let mut d = at_rest();
    let _ = d.handle(update_a());
    let mut o = d.observe();
    if let Configuration::Template { spec, .. } = &mut o.applied {
        *spec = Some(Spec::new("port: 8080").unwrap());
    }
    let shape = ServiceInstance::new(o, "arn", &name("prod")).unwrap();
    assert!(shape.members.template.spec.is_some());
    let summary = ServiceInstanceSummary::from(shape);
    assert_eq!(summary.members.template.spec, None);
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json.get("spec"), None, "{json}");
}

#[test]
fn an_input_writes_the_members_it_has_and_leaves_out_the_absent_ones() {
    let body = json!({
        "name": "web", "serviceName": "shop", "deploymentType": "CURRENT_VERSION", "spec": "v2"
    });
    let input: UpdateServiceInstanceInput = update(body.clone()).unwrap();
    assert_eq!(serde_json::to_value(&input).unwrap(), body);
}
