//! The wire of the whole lifecycle: the update inputs of every kind, what
//! an update deploys, deployment records that follow the machine, the list
//! inputs and their pagination.

use proton_cancel_test_support::builders as common;

use common::*;
use proton_cancel::*;
use proton_cancel_wire::*;
use serde_json::json;

fn message<T: std::fmt::Debug>(result: Result<T, ApiError>) -> String {
    let err = result.unwrap_err();
    err.message().to_owned()
}

#[test]
fn update_component_takes_only_its_two_deployment_types_and_empty_names_detach() {
    assert_eq!(
        message(UpdateComponentInput::decode(
            br#"{"name": "cache", "deploymentType": "MAJOR_VERSION"}"#
        )),
        "1 validation error detected: Value 'MAJOR_VERSION' at 'deploymentType' failed to \
         satisfy constraint: Member must satisfy enum value set: [NONE, CURRENT_VERSION]"
    );
    let input = UpdateComponentInput::decode(
        br#"{"name": "cache", "deploymentType": "CURRENT_VERSION", "serviceName": "",
             "serviceInstanceName": "", "serviceSpec": "v2"}"#,
    )
    .unwrap();
    assert_eq!(input.service_name.as_deref(), Some(""));
    assert_eq!(
        input.change().deployment_type,
        DeploymentUpdateType::CurrentVersion
    );
    assert_eq!(
        message(UpdateComponentInput::decode(
            br#"{"name": "cache", "deploymentType": "NONE", "serviceName": "-x"}"#
        )),
        "1 validation error detected: Value '-x' at 'serviceName' failed to satisfy constraint: \
         Member must satisfy regular expression pattern: (^$)|^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$"
    );
}

#[test]
fn a_description_over_500_characters_is_refused_without_being_shown() {
    let body = json!({"name": "prod", "deploymentType": "NONE", "description": "d".repeat(501)});
    assert_eq!(
        message(UpdateEnvironmentInput::decode(body.to_string().as_bytes())),
        "1 validation error detected: Value at 'description' failed to satisfy constraint: \
         Member must have length less than or equal to 500"
    );
}

#[test]
fn update_service_pipeline_requires_its_spec() {
    assert_eq!(
        message(UpdateServicePipelineInput::decode(
            br#"{"serviceName": "shop", "deploymentType": "CURRENT_VERSION"}"#
        )),
        "1 validation error detected: Value null at 'spec' failed to satisfy constraint: \
         Member must not be null"
    );
}

#[test]
fn an_update_deploys_the_given_version_or_keeps_the_one_in_place() {
    let applied = config(3);
    let change = |body: serde_json::Value| {
        UpdateEnvironmentInput::decode(body.to_string().as_bytes())
            .unwrap()
            .change()
    };
    let minor = change(
        json!({"name": "prod", "deploymentType": "MINOR_VERSION", "templateMinorVersion": "4"}),
    );
    assert_eq!(minor.target(&applied), config(4));
    let same = change(json!({"name": "prod", "deploymentType": "CURRENT_VERSION"}));
    assert_eq!(same.target(&applied), config(3));
    let major = change(
        json!({"name": "prod", "deploymentType": "MAJOR_VERSION", "templateMajorVersion": "2"}),
    );
    let Configuration::Template { template, .. } = major.target(&applied) else {
        panic!("a template configuration");
    };
    assert_eq!(
        (template.major.as_str(), template.minor.as_str()),
        ("2", "0")
    );
    assert!(!change(json!({"name": "prod", "deploymentType": "NONE"})).deploys());
}

/// How the wire shows `record`: the shape of a service instance's
/// deployment in environment `prod`.
fn shape(record: &AttemptRecord) -> DeploymentRecord {
    let id = record.deployment_id;
    let place = RecordPlace {
        arn: format!("arn:aws:proton:us-east-1:123456789012:deployment/{id}"),
        target_arn: "arn:aws:proton:us-east-1:123456789012:service/shop/service-instance/web"
            .to_owned(),
        environment_name: name("prod"),
    };
    DeploymentRecord::new(record, place)
}

/// Spec: R42
#[test]
fn a_record_shows_its_attempt_in_the_deployment_shape() {
    let before = at_rest().observe();
    let mut r = AttemptRecord::start(A, t(100), &before, config(1));
    let started = shape(&r);
    assert_eq!(
        started.summary.deployment_status,
        DeploymentStatus::InProgress
    );
    assert_eq!(started.summary.target(), Some(instance()));
    assert_eq!(started.summary.created_at, t(100));
    assert_eq!(started.summary.target_resource_created_at, t(0));
    assert_eq!(started.summary.completed_at, None);
    assert_eq!(
        started.initial_state,
        DeploymentState::new(ResourceKind::ServiceInstance, &config(0))
    );
    r.status = DeploymentStatus::Cancelled;
    r.status_message = Some(StatusMessage::new(StatusMessage::CANCELLED));
    r.modified_at = t(112);
    r.completed_at = Some(t(112));
    let settled = shape(&r);
    assert_eq!(
        settled.summary.deployment_status,
        DeploymentStatus::Cancelled
    );
    assert_eq!(
        settled.deployment_status_message,
        Some(StatusMessage::new(StatusMessage::CANCELLED))
    );
    assert_eq!(settled.summary.completed_at, Some(t(112)));
    assert_eq!(settled.summary.last_modified_at, t(112));
    let json = serde_json::to_value(&settled).unwrap();
    assert_eq!(
        json["targetState"]["serviceInstance"]["templateMinorVersion"],
        "1"
    );
    assert_eq!(json["initialState"]["serviceInstance"]["spec"], "");
    assert_eq!(json["targetResourceType"], "SERVICE_INSTANCE");
}

/// Spec: R43
#[test]
fn pages_cover_every_item_once_and_a_foreign_token_is_refused() {
    let items: Vec<u32> = (0..7).collect();
    let key = |i: &u32| format!("item-{i}");
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let (page, next) = page(items.clone(), key, token.as_ref(), 3).unwrap();
        seen.extend(page);
        match next {
            Some(next) => {
                assert!(next.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
                token = Some(next);
            }
            None => break,
        }
    }
    assert_eq!(seen, items);
    let foreign: NextToken = serde_json::from_value(json!("zz")).unwrap();
    assert_eq!(
        page(items, key, Some(&foreign), 3).unwrap_err().message(),
        "The nextToken is not valid: pass the nextToken of the previous page unchanged"
    );
}

/// Spec: R43
#[test]
fn list_inputs_check_their_range_pattern_and_enum_members() {
    assert_eq!(
        message(ListDeploymentsInput::decode(
            br#"{"maxResults": 0, "nextToken": "a b"}"#
        )),
        "2 validation errors detected: Value '0' at 'maxResults' failed to satisfy constraint: \
         Member must have value greater than or equal to 1; Value 'a b' at 'nextToken' failed to \
         satisfy constraint: Member must satisfy regular expression pattern: ^[A-Za-z0-9+=/]+$"
    );
    assert_eq!(
        message(ListServiceInstancesInput::decode(
            br#"{"filters": [{"key": "name", "value": "web"}, {"key": "colour", "value": "red"}], "sortOrder": "UP"}"#
        )),
        "2 validation errors detected: Value 'colour' at 'filters.2.member.key' failed to satisfy \
         constraint: Member must satisfy enum value set: [name, deploymentStatus, templateName, \
         serviceName, deployedTemplateVersionStatus, environmentName, \
         lastDeploymentAttemptedAtBefore, lastDeploymentAttemptedAtAfter, createdAtBefore, \
         createdAtAfter]; Value 'UP' at 'sortOrder' failed to satisfy constraint: Member must \
         satisfy enum value set: [ASCENDING, DESCENDING]"
    );
    let input = ListServiceInstancesInput::decode(br#"{}"#).unwrap();
    assert_eq!(input.sort_by, ServiceInstanceSortBy::ServiceName);
    assert_eq!(input.sort_order, SortOrder::Ascending);
    assert_eq!(
        message(GetDeploymentInput::decode(
            br#"{"id": "00000000-0000-4000-8000-000000000001", "serviceInstanceName": "web"}"#
        )),
        "serviceName must be specified to identify the service instance"
    );
}

/// Spec: R43
#[test]
fn time_filters_read_rfc_3339_in_utc() {
    let time = |value: &str| -> Option<Timestamp> {
        let body = json!({"filters": [{"key": "createdAtAfter", "value": value}]}).to_string();
        let input = ListServiceInstancesInput::decode(body.as_bytes()).ok()?;
        match input.filters.as_slice() {
            [ServiceInstanceFilter::Time { at, .. }] => Some(*at),
            other => panic!("one time filter, not {other:?}"),
        }
    };
    assert_eq!(time("1970-01-01T00:00:00Z"), Some(Timestamp::EPOCH));
    assert_eq!(
        time("1985-04-12T23:20:50.52Z"),
        Some(Timestamp::from_millis(482_196_050_520))
    );
    assert_eq!(
        time("2024-02-29T12:00:00Z"),
        Some(Timestamp::from_secs(1_709_208_000))
    );
    assert_eq!(
        time("2024-02-29t12:00:00.123456z"),
        Some(Timestamp::from_millis(1_709_208_000_123))
    );
    for bad in [
        "2023-02-29T12:00:00Z",
        "2024-04-31T12:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T12:60:00Z",
        "1985-04-12T23:20:50+01:00",
        "1985-04-12 23:20:50Z",
        "1985-04-12T23:20:50.Z",
        "yesterday",
        "",
    ] {
        assert_eq!(time(bad), None, "{bad}");
    }
    assert_eq!(
        message(ListServiceInstancesInput::decode(
            br#"{"filters": [{"key": "createdAtAfter", "value": "yesterday"}]}"#
        )),
        "The value of filter createdAtAfter must be an RFC 3339 time in UTC, such as \
         1985-04-12T23:20:50.52Z; got 'yesterday'"
    );
}

/// Spec: R47
#[test]
fn create_environment_requires_its_template_and_spec_and_takes_minor_version_0_by_default() {
    assert_eq!(
        message(CreateEnvironmentInput::decode(br#"{"name": "prod"}"#)),
        "3 validation errors detected: Value null at 'spec' failed to satisfy constraint: \
         Member must not be null; Value null at 'templateMajorVersion' failed to satisfy \
         constraint: Member must not be null; Value null at 'templateName' failed to satisfy \
         constraint: Member must not be null"
    );
    let input = CreateEnvironmentInput::decode(
        br#"{"name": "prod", "templateName": "env-tmpl", "templateMajorVersion": "2",
             "spec": "s", "tags": [{"key": "k", "value": "v"}], "description": "d"}"#,
    )
    .unwrap();
    assert_eq!(
        input.resource_id(),
        ResourceId::Environment { name: name("prod") }
    );
    assert_eq!(
        input.configuration(),
        Configuration::Template {
            template: TemplateRef {
                name: name("env-tmpl"),
                major: version("2"),
                minor: version("0"),
            },
            spec: Some(Spec::new("s").unwrap()),
        }
    );
    let given = CreateEnvironmentInput::decode(
        br#"{"name": "prod", "templateName": "env-tmpl", "templateMajorVersion": "2",
             "templateMinorVersion": "3", "spec": "s"}"#,
    )
    .unwrap();
    assert_eq!(
        given.configuration(),
        Configuration::Template {
            template: TemplateRef {
                name: name("env-tmpl"),
                major: version("2"),
                minor: version("3"),
            },
            spec: Some(Spec::new("s").unwrap()),
        }
    );
}

/// Spec: R48
#[test]
fn list_environments_and_list_components_check_every_member_at_once() {
    assert_eq!(
        message(ListEnvironmentsInput::decode(
            br#"{"environmentTemplates": [{"templateName": "t"}], "maxResults": 0}"#
        )),
        "2 validation errors detected: Value null at \
         'environmentTemplates.1.member.majorVersion' failed to satisfy constraint: Member must \
         not be null; Value '0' at 'maxResults' failed to satisfy constraint: Member must have \
         value greater than or equal to 1"
    );
    assert_eq!(
        message(ListComponentsInput::decode(
            br##"{"environmentName": "pr od", "serviceName": "", "nextToken": "#"}"##
        )),
        format!(
            "4 validation errors detected: Value 'pr od' at 'environmentName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: {P}; Value '#' at \
             'nextToken' failed to satisfy constraint: Member must satisfy regular expression \
             pattern: ^[A-Za-z0-9+=/]+$; Value '' at 'serviceName' failed to satisfy constraint: \
             Member must have length greater than or equal to 1; Value '' at 'serviceName' \
             failed to satisfy constraint: Member must satisfy regular expression pattern: {P}"
        )
    );
    let component = |environment: &str, attached: Option<(&str, &str)>| {
        let cache = ResourceId::Component {
            name: name("cache"),
        };
        let spec = Configuration::Component { service_spec: None };
        let (d, _) = Deployment::create(cache, t(0), A, spec, None).unwrap();
        let mut c = Component::new(d.observe(), "arn", &name(environment)).unwrap();
        c.service_name = attached.map(|(s, _)| name(s));
        c.service_instance_name = attached.map(|(_, i)| name(i));
        c
    };
    let input = ListComponentsInput::decode(br#"{"environmentName": "prod"}"#).unwrap();
    assert!(input.lists(&component("prod", None)));
    assert!(!input.lists(&component("dev", None)));
    let attached = ListComponentsInput::decode(br#"{"serviceName": "shop"}"#).unwrap();
    assert!(!attached.lists(&component("prod", None)));
    assert!(attached.lists(&component("prod", Some(("shop", "web")))));
    assert!(!attached.lists(&component("prod", Some(("blog", "web")))));
    let on_web = ListComponentsInput::decode(br#"{"serviceInstanceName": "web"}"#).unwrap();
    assert!(on_web.lists(&component("prod", Some(("blog", "web")))));
    assert!(!on_web.lists(&component("prod", Some(("blog", "api")))));
    let templates = ListEnvironmentsInput::decode(
        br#"{"environmentTemplates": [{"templateName": "t", "majorVersion": "2"}]}"#,
    )
    .unwrap();
    assert!(templates.lists(&name("t"), &version("2")));
    assert!(!templates.lists(&name("t"), &version("1")));
    assert!(!templates.lists(&name("u"), &version("2")));
    let all = ListEnvironmentsInput::decode(b"{}").unwrap();
    assert!(all.lists(&name("u"), &version("9")));
}

/// Spec: R49
#[test]
fn create_component_names_one_place_an_environment_or_a_service_instance() {
    let decode = |body: &str| {
        let full = format!(
            r#"{{"name": "cache", "manifest": "m", "templateFile": "t", "serviceSpec": "s"{body}}}"#
        );
        CreateComponentInput::decode(full.as_bytes()).unwrap()
    };
    assert_eq!(
        decode(r#", "environmentName": "prod""#).place().unwrap(),
        ComponentPlace::Environment(name("prod"))
    );
    let on_web = ComponentPlace::ServiceInstance {
        service: name("shop"),
        instance: name("web"),
    };
    assert_eq!(
        decode(r#", "serviceName": "shop", "serviceInstanceName": "web""#)
            .place()
            .unwrap(),
        on_web
    );
    // With an environment too: the instance decides (its environment is
    // checked by whoever knows it).
    assert_eq!(
        decode(r#", "serviceName": "shop", "serviceInstanceName": "web", "environmentName": "x""#)
            .place()
            .unwrap(),
        on_web
    );
    let halves = "serviceName and serviceInstanceName are given together or not at all";
    for half in [
        r#", "serviceName": "shop""#,
        r#", "serviceInstanceName": "web""#,
    ] {
        assert_eq!(message(decode(half).place()), halves, "{half}");
    }
    assert_eq!(
        message(decode("").place()),
        "a component needs its environmentName, or the serviceName and serviceInstanceName of \
         the service instance it is attached to"
    );
    let input = decode(r#", "environmentName": "prod", "clientToken": "t-1""#);
    assert_eq!(
        input.configuration(),
        Configuration::Component {
            service_spec: Some(Spec::new("s").unwrap())
        }
    );
    assert_eq!(input.client_token, Some(token("t-1")));
    assert_eq!(
        input.resource_id(),
        ResourceId::Component {
            name: name("cache")
        }
    );
    assert_eq!(
        message(CreateComponentInput::decode(
            br#"{"name": "cache", "manifest": "", "templateFile": "t"}"#
        )),
        "1 validation error detected: Value at 'manifest' failed to satisfy constraint: Member \
         must have length greater than or equal to 1"
    );
}

/// Spec: R50
#[test]
fn delete_deployment_takes_one_deployment_id() {
    let input = DeleteDeploymentInput::decode(br#"{"id": "2b6d1f3e-0c4a-4e7b-9a51-3f0d2c8e9b71"}"#)
        .unwrap();
    assert_eq!(
        input.id,
        DeploymentId::new("2b6d1f3e-0c4a-4e7b-9a51-3f0d2c8e9b71").unwrap()
    );
    assert_eq!(
        message(DeleteDeploymentInput::decode(b"{}")),
        "1 validation error detected: Value null at 'id' failed to satisfy constraint: Member \
         must not be null"
    );
}

/// Spec: R48
#[test]
fn an_environment_summary_is_its_shape_without_the_spec_and_filters_check_both_members() {
    let prod = ResourceId::Environment { name: name("prod") };
    let (d, _) = Deployment::create(prod, t(0), A, config_with_spec(0), None).unwrap();
    let shape = Environment::new(d.observe(), "arn:prod").unwrap();
    assert!(shape.members.template.spec.is_some());
    let summary = EnvironmentSummary::from(shape.clone());
    assert_eq!(summary.members.template.spec, None);
    assert_eq!(
        summary.members.template.template_name,
        shape.members.template.template_name
    );
    assert_eq!(summary.members.deployment, shape.members.deployment);
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json.get("spec"), None);
    assert_eq!(json["templateMinorVersion"], "0");
    assert_eq!(
        message(ListEnvironmentsInput::decode(
            br#"{"environmentTemplates": [{"templateName": "t!", "majorVersion": "01"}]}"#
        )),
        format!(
            "2 validation errors detected: Value 't!' at \
             'environmentTemplates.1.member.templateName' failed to satisfy constraint: Member \
             must satisfy regular expression pattern: {P}; Value '01' at \
             'environmentTemplates.1.member.majorVersion' failed to satisfy constraint: Member \
             must satisfy regular expression pattern: ^(0|([1-9]{{1}}\\d*))$"
        )
    );
}

/// Spec: R49
#[test]
fn a_component_placed_on_a_service_instance_shows_it_and_the_manifest_has_its_limits() {
    let cache = ResourceId::Component {
        name: name("cache"),
    };
    let spec = Configuration::Component { service_spec: None };
    let (d, _) = Deployment::create(cache, t(0), A, spec, None).unwrap();
    let prod = name("prod");
    let (shop, web) = (name("shop"), name("web"));
    let place = Place::new("arn", Some(&prod));
    let alone = <Component as proton_cancel_wire::Shape>::of(d.observe(), &place).unwrap();
    assert_eq!(
        (alone.service_name, alone.service_instance_name),
        (None, None)
    );
    let attached =
        <Component as proton_cancel_wire::Shape>::of(d.observe(), &place.attached_to(&shop, &web))
            .unwrap();
    assert_eq!(
        (attached.service_name, attached.service_instance_name),
        (Some(shop), Some(web))
    );
    let create = |manifest: &str| {
        let body = serde_json::json!({"name": "c", "manifest": manifest, "templateFile": "t",
            "environmentName": "prod"});
        CreateComponentInput::decode(body.to_string().as_bytes())
    };
    assert!(create(&"m".repeat(1024)).is_ok());
    assert_eq!(
        message(create(&"m".repeat(1025))),
        "1 validation error detected: Value at 'manifest' failed to satisfy constraint: Member \
         must have length less than or equal to 1024"
    );
}
