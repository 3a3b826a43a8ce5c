//! The wire of services: the YAML service spec and what it names, the
//! service inputs, the `Service` and `ServiceSummary` shapes, and the
//! engine tag of a create.

use proton_cancel::*;
use proton_cancel_wire::*;
use serde_json::json;

fn spec(text: &str) -> Spec {
    Spec::new(text).unwrap()
}

fn parsed(text: &str) -> Result<ServiceSpec, String> {
    ServiceSpec::parse(&spec(text)).map_err(|e| {
        assert_eq!(e.code(), ErrorCode::ValidationException);
        e.message().to_owned()
    })
}

fn names(s: &ServiceSpec) -> Vec<(String, String)> {
    s.instances
        .iter()
        .map(|i| (i.name.to_string(), i.environment.to_string()))
        .collect()
}

/// Spec: R54
#[test]
fn a_service_spec_names_its_instances_in_order_and_whether_it_has_a_pipeline() {
    let read = parsed(
        "proton: ServiceSpec\npipeline:\n  dockerfile: Dockerfile\ninstances:\n  - name: web\n    \
         environment: prod\n    spec:\n      port: 80\n  - name: 2\n    environment: dev\n  - \
         name: true\n    environment: false\n",
    )
    .unwrap();
    assert!(read.pipeline);
    assert_eq!(
        names(&read),
        [
            ("web".to_owned(), "prod".to_owned()),
            ("2".to_owned(), "dev".to_owned()),
            ("true".to_owned(), "false".to_owned())
        ]
    );
    assert_eq!(
        read.instance_named(&ResourceName::new("2").unwrap())
            .map(|i| i.environment.to_string()),
        Some("dev".to_owned())
    );
    assert_eq!(
        read.instance_named(&ResourceName::new("api").unwrap()),
        None
    );
    let without = parsed(
        "proton: ServiceSpec\npipeline: null\ninstances:\n  - {name: web, environment: prod}\n",
    )
    .unwrap();
    assert!(!without.pipeline, "a null pipeline is none");
    let absent =
        parsed("proton: ServiceSpec\ninstances:\n  - {name: web, environment: prod}\n").unwrap();
    assert!(!absent.pipeline);
}

/// Spec: R54
#[test]
fn a_spec_that_is_not_a_service_spec_says_what_is_wrong_without_quoting_it() {
    let cases = [
        (
            "proton: ServiceSpec\ninstances: [",
            "the spec is not a YAML document: while parsing a node, did not find expected node \
             content at byte 32 line 3 column 1",
        ),
        (
            "just text",
            "the spec is not a service spec: it is to be a YAML mapping that starts `proton: \
             ServiceSpec`",
        ),
        (
            "instances: []",
            "the spec is not a service spec: it says `proton: ServiceSpec`",
        ),
        (
            "proton: [ServiceSpec]",
            "the spec is not a service spec: it says `proton: ServiceSpec`",
        ),
        (
            "proton: ServiceSpec\ninstances: web\n",
            "the spec's `instances` is not a list: each instance is an item `- name: …` with its \
             `environment`",
        ),
        (
            "proton: ServiceSpec\ninstances:\n  - web\n",
            "instance 1 of the spec is not a mapping: it is to give `name` and `environment`",
        ),
        (
            "proton: ServiceSpec\ninstances:\n  - {environment: prod}\n",
            "instance 1 of the spec has no `name`",
        ),
        (
            "proton: ServiceSpec\ninstances:\n  - {name: web, environment: prod}\n  - {name: api, \
             environment: [prod]}\n",
            "instance 2 of the spec has no `environment`",
        ),
        (
            "proton: ServiceSpec\ninstances:\n  - {name: -web, environment: prod}\n",
            "instance 1 of the spec: its `name` is invalid: invalid ResourceName \"-web\": \
             character '-' at index 0 does not match the pattern ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$",
        ),
        (
            "proton: ServiceSpec\ninstances:\n  - {name: a, environment: p}\n  - {name: b, \
             environment: p}\n  - {name: a, environment: q}\n",
            "the spec names instance 'a' twice (instances 1 and 3): an instance's name is unique \
             within its service",
        ),
        (
            "proton: ServiceSpec\npipeline: {}\ninstances: []\n",
            "the spec names no instance: a service has at least one, in whose environment its \
             pipeline's deployments are recorded",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parsed(text).map(|_| ()), Err(expected.to_owned()), "{text}");
    }
}

/// Spec: R53, R56, R57
#[test]
fn the_service_inputs_check_their_members_and_name_what_they_deploy() {
    let input = CreateServiceInput::decode(
        br#"{"name": "shop", "templateName": "svc", "templateMajorVersion": "2",
             "spec": "proton: ServiceSpec", "description": "d", "tags": [{"key": "k", "value": "v"}]}"#,
    )
    .unwrap();
    assert_eq!(
        input.configuration(),
        Configuration::Template {
            template: TemplateRef {
                name: ResourceName::new("svc").unwrap(),
                major: TemplateVersion::new("2").unwrap(),
                minor: TemplateVersion::new("0").unwrap(),
            },
            spec: Some(spec("proton: ServiceSpec")),
        }
    );
    assert_eq!(input.description.as_deref(), Some("d"));
    let err = CreateServiceInput::decode(br#"{"name": "shop", "spec": "s"}"#).unwrap_err();
    assert_eq!(
        err.message(),
        "2 validation errors detected: Value null at 'templateMajorVersion' failed to satisfy \
         constraint: Member must not be null; Value null at 'templateName' failed to satisfy \
         constraint: Member must not be null"
    );
    let update = UpdateServiceInput::decode(br#"{"name": "shop"}"#).unwrap();
    assert_eq!((update.spec, update.description), (None, None));
    let long = "x".repeat(501);
    let err = UpdateServiceInput::decode(
        json!({"name": "shop", "description": long})
            .to_string()
            .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value at 'description' failed to satisfy constraint: \
         Member must have length less than or equal to 500"
    );
    let added = CreateServiceInstanceInput::decode(
        br#"{"name": "api", "serviceName": "shop", "spec": "s", "clientToken": "t-1"}"#,
    )
    .unwrap();
    assert_eq!(
        added.resource_id(),
        ResourceId::ServiceInstance {
            service: ResourceName::new("shop").unwrap(),
            name: ResourceName::new("api").unwrap(),
        }
    );
    assert_eq!(
        added.client_token.map(|t| t.as_str().to_owned()),
        Some("t-1".to_owned())
    );
    let deleted = DeleteServiceInput::decode(br#"{"name": "shop"}"#).unwrap();
    assert_eq!(deleted.name.as_str(), "shop");
    let page = ListServicesInput::decode(br#"{"maxResults": 2, "nextToken": "6162"}"#).unwrap();
    assert_eq!(page.max_results, Some(2));
    assert_eq!(
        page.next_token.map(|t| t.key().unwrap()),
        Some("ab".to_owned())
    );
    let err = ListServicesInput::decode(br#"{"maxResults": 101}"#).unwrap_err();
    assert_eq!(
        err.message(),
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: \
         Member must have value less than or equal to 100"
    );
}

/// Spec: R52, R58
#[test]
fn a_service_summary_is_the_service_without_its_spec_and_pipeline() {
    let mut service = Service::new(
        ResourceName::new("shop").unwrap(),
        "arn:aws:proton:us-east-1:123456789012:service/shop".to_owned(),
        ResourceName::new("svc").unwrap(),
        spec("proton: ServiceSpec"),
        (Timestamp::from_secs(1), Timestamp::from_secs(2)),
        None,
    );
    service.status = ServiceStatus::CreateFailed;
    service.status_message = Some(StatusMessage::new("why"));
    service.description = Some(Description::new("the shop"));
    assert_eq!(
        format!("{:?}", service.description),
        "Some(Description(<redacted>))"
    );
    assert_eq!(
        serde_json::to_value(&service).unwrap(),
        json!({"arn": "arn:aws:proton:us-east-1:123456789012:service/shop", "createdAt": 1,
               "description": "the shop", "lastModifiedAt": 2, "name": "shop",
               "spec": "proton: ServiceSpec", "status": "CREATE_FAILED", "statusMessage": "why",
               "templateName": "svc"})
    );
    let summary = ServiceSummary::from(service);
    assert_eq!(
        serde_json::to_value(&summary).unwrap(),
        json!({"arn": "arn:aws:proton:us-east-1:123456789012:service/shop", "createdAt": 1,
               "description": "the shop", "lastModifiedAt": 2, "name": "shop",
               "status": "CREATE_FAILED", "statusMessage": "why", "templateName": "svc"})
    );
}

/// Spec: R59
#[test]
fn the_engine_tag_is_read_from_a_create_s_tags_and_every_tag_is_checked() {
    let body = |tags: serde_json::Value| json!({"name": "prod", "tags": tags}).to_string();
    let tagged = body(json!([{"key": "team", "value": "a"},
                            {"key": "proton-cancel:engine", "value": "{}"}]));
    assert_eq!(
        tag_value_of(tagged.as_bytes(), ENGINE_TAG)
            .unwrap()
            .as_deref(),
        Some("{}")
    );
    assert_eq!(
        tag_value_of(body(json!([])).as_bytes(), ENGINE_TAG).unwrap(),
        None
    );
    assert_eq!(
        tag_value_of(br#"{"name": "prod"}"#, ENGINE_TAG).unwrap(),
        None
    );
    let empty_value = body(json!([{"key": "k", "value": ""}]));
    assert_eq!(
        tag_value_of(empty_value.as_bytes(), "k")
            .unwrap()
            .as_deref(),
        Some("")
    );
    let bad = body(json!([{"key": "", "value": "v"},
                         {"key": "k", "value": "x".repeat(257)},
                         {"key": "k".repeat(129), "value": "v"},
                         {"value": "v"}]));
    assert_eq!(
        tag_value_of(bad.as_bytes(), ENGINE_TAG)
            .unwrap_err()
            .message(),
        format!(
            "4 validation errors detected: Value '' at 'tags.1.member.key' failed to satisfy \
             constraint: Member must have length greater than or equal to 1; Value '{}' at \
             'tags.2.member.value' failed to satisfy constraint: Member must have length less \
             than or equal to 256; Value '{}' at 'tags.3.member.key' failed to satisfy \
             constraint: Member must have length less than or equal to 128; Value null at \
             'tags.4.member.key' failed to satisfy constraint: Member must not be null",
            "x".repeat(257),
            "k".repeat(129)
        )
    );
    let at_limits = body(json!([{"key": "k".repeat(128), "value": "x".repeat(256)}]));
    assert_eq!(
        tag_value_of(at_limits.as_bytes(), &"k".repeat(128))
            .unwrap()
            .map(|v| v.len()),
        Some(256)
    );
}
