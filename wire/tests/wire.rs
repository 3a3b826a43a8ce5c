//! The AWS JSON 1.0 wire format: request decoding with AWS's validation
//! wording, the errors, the response shapes and their redaction.

use proton_cancel_test_support::builders as common;

use common::*;
use proton_cancel::*;
use proton_cancel_wire::*;
use serde_json::json;
use strum::IntoEnumIterator;

fn cancel(body: &str) -> Result<CancelServiceInstanceDeploymentInput, ApiError> {
    CancelServiceInstanceDeploymentInput::decode(body.as_bytes())
}

fn validation_message(result: Result<impl std::fmt::Debug, ApiError>) -> String {
    let err = result.unwrap_err();
    assert_eq!(err.code(), ErrorCode::ValidationException);
    err.message().to_owned()
}

/// Spec: R30
#[test]
fn a_valid_cancel_request_decodes_to_its_resource() {
    let input = cancel(r#"{"serviceInstanceName": "web", "serviceName": "shop"}"#).unwrap();
    assert_eq!(input.resource_id(), instance());
    assert_eq!(
        serde_json::to_value(&input).unwrap(),
        json!({"serviceInstanceName": "web", "serviceName": "shop"})
    );
}

/// Spec: R30
#[test]
fn one_bad_member_gives_the_aws_message_exactly() {
    assert_eq!(
        validation_message(cancel(
            r#"{"serviceInstanceName": "web", "serviceName": "bad name!"}"#
        )),
        format!(
            "1 validation error detected: Value 'bad name!' at 'serviceName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: {P}"
        )
    );
}

/// Spec: R30
#[test]
fn every_violation_of_every_member_is_reported_in_member_order() {
    assert_eq!(
        validation_message(cancel(r#"{"serviceName": ""}"#)),
        format!(
            "3 validation errors detected: \
             Value null at 'serviceInstanceName' failed to satisfy constraint: Member must not be null; \
             Value '' at 'serviceName' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value '' at 'serviceName' failed to satisfy constraint: Member must satisfy regular expression pattern: {P}"
        )
    );
    let long = "é".repeat(101);
    assert_eq!(
        validation_message(cancel(&format!(
            r#"{{"serviceInstanceName": "{long}", "serviceName": null}}"#
        ))),
        format!(
            "3 validation errors detected: \
             Value '{long}' at 'serviceInstanceName' failed to satisfy constraint: Member must have length less than or equal to 100; \
             Value '{long}' at 'serviceInstanceName' failed to satisfy constraint: Member must satisfy regular expression pattern: {P}; \
             Value null at 'serviceName' failed to satisfy constraint: Member must not be null"
        )
    );
}

/// Spec: R30
#[test]
fn echoed_values_are_verbatim_and_the_json_body_stays_one_line() {
    let err = cancel(r#"{"serviceInstanceName": "web\nERROR forged", "serviceName": "it's"}"#)
        .unwrap_err();
    assert_eq!(
        err.message(),
        format!(
            "2 validation errors detected: Value 'web\nERROR forged' at 'serviceInstanceName' \
             failed to satisfy constraint: Member must satisfy regular expression pattern: {P}; \
             Value 'it's' at 'serviceName' failed to satisfy constraint: Member must satisfy \
             regular expression pattern: {P}"
        )
    );
    let json = err.to_json();
    assert!(!json.contains('\n'), "{json}");
    assert!(json.contains(r"Value 'web\nERROR forged'"), "{json}");
}

/// Spec: R30
#[test]
fn a_name_one_character_too_long_is_echoed_whole_and_a_huge_one_is_cut_visibly() {
    let long = "a".repeat(101);
    let msg = validation_message(cancel(&format!(
        r#"{{"serviceInstanceName": "{long}", "serviceName": "shop"}}"#
    )));
    assert_eq!(
        msg,
        format!(
            "1 validation error detected: Value '{long}' at 'serviceInstanceName' failed to \
             satisfy constraint: Member must have length less than or equal to 100"
        )
    );
    // AWS echoes a rejected value up to 1,024 characters.
    let exactly = "é".repeat(1_024);
    let msg = validation_message(cancel(&format!(
        r#"{{"serviceInstanceName": "{exactly}", "serviceName": "shop"}}"#
    )));
    assert!(msg.contains(&format!("Value '{exactly}' at")), "{msg}");
    let over = format!("{exactly}z");
    let msg = validation_message(cancel(&format!(
        r#"{{"serviceInstanceName": "{over}", "serviceName": "shop"}}"#
    )));
    assert!(
        msg.contains(&format!("Value '{exactly}' (cut after 1024 characters) at")),
        "{msg}"
    );
}

/// Spec: R30, R7
#[test]
fn update_validation_covers_every_member_and_hides_the_spec() {
    let body = json!({
        "clientToken": "has space",
        "deploymentType": "SIDEWAYS",
        "name": "web",
        "serviceName": "-shop",
        "spec": "",
        "templateMajorVersion": "01",
    });
    assert_eq!(
        validation_message(UpdateServiceInstanceInput::decode(
            body.to_string().as_bytes()
        )),
        format!(
            "5 validation errors detected: \
             Value 'has space' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[!-~]*$; \
             Value 'SIDEWAYS' at 'deploymentType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, CURRENT_VERSION, MINOR_VERSION, MAJOR_VERSION]; \
             Value '-shop' at 'serviceName' failed to satisfy constraint: Member must satisfy regular expression pattern: {P}; \
             Value at 'spec' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value '01' at 'templateMajorVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(0|([1-9]{{1}}\\d*))$"
        )
    );
}

/// Spec: R30
#[test]
fn a_valid_update_decodes_every_member() {
    let body = json!({
        "clientToken": "tok-1",
        "deploymentType": "MINOR_VERSION",
        "name": "web",
        "serviceName": "shop",
        "spec": "proton: ServiceSpec",
        "templateMajorVersion": "1",
        "templateMinorVersion": "2",
        "unknownMember": {"ignored": true},
    });
    let input = UpdateServiceInstanceInput::decode(body.to_string().as_bytes()).unwrap();
    assert_eq!(input.deployment_type, DeploymentUpdateType::MinorVersion);
    assert_eq!(
        input.client_token.as_ref().map(ClientToken::as_str),
        Some("tok-1")
    );
    assert_eq!(
        input.spec.as_ref().map(Spec::as_str),
        Some("proton: ServiceSpec")
    );
    assert_eq!(input.template_minor_version, Some(version("2")));
    assert_eq!(input.resource_id(), instance());
    assert!(!format!("{input:?}").contains("ServiceSpec"));
}

/// Spec: R31
#[test]
fn bodies_that_cannot_be_read_are_serialization_exceptions() {
    for (body, message) in [
        ("not json", "the request body must be a JSON object"),
        ("[]", "the request body must be a JSON object"),
        ("null", "the request body must be a JSON object"),
        ("   ", "the request body must be a JSON object"),
        (
            r#"{"serviceInstanceName": 7, "serviceName": "shop"}"#,
            "the request body could not be read: invalid type: integer `7`, expected a string at line 1 column 25",
        ),
        (
            r#"{"serviceInstanceName": "a", "serviceInstanceName": "b", "serviceName": "s"}"#,
            "the request body could not be read: duplicate field `serviceInstanceName` at line 1 column 50",
        ),
        (
            "{",
            "the request body could not be read: EOF while parsing an object at line 1 column 1",
        ),
    ] {
        let err = cancel(body).unwrap_err();
        assert_eq!(err.code(), ErrorCode::SerializationException, "{body}");
        assert_eq!(err.message(), message, "{body}");
    }
    // An empty body reads as {}: both members are missing.
    assert_eq!(
        validation_message(cancel("")),
        "2 validation errors detected: \
         Value null at 'serviceInstanceName' failed to satisfy constraint: Member must not be null; \
         Value null at 'serviceName' failed to satisfy constraint: Member must not be null"
    );
}

/// Spec: R30
#[test]
fn sibling_inputs_validate_their_own_members() {
    let err =
        CancelEnvironmentDeploymentInput::decode(br#"{"environmentName": "_prod"}"#).unwrap_err();
    assert_eq!(
        err.message(),
        format!(
            "1 validation error detected: Value '_prod' at 'environmentName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: {P}"
        )
    );
    let ok = CancelComponentDeploymentInput::decode(br#"{"componentName": "cache"}"#).unwrap();
    assert_eq!(
        ok.resource_id(),
        ResourceId::Component {
            name: name("cache")
        }
    );
    let ok = CancelServicePipelineDeploymentInput::decode(br#"{"serviceName": "shop"}"#).unwrap();
    assert_eq!(
        ok.resource_id(),
        ResourceId::ServicePipeline {
            service: name("shop")
        }
    );
    let ok = GetServiceInstanceInput::decode(br#"{"name": "web", "serviceName": "shop"}"#).unwrap();
    assert_eq!(ok.resource_id(), instance());
}

/// Spec: R31
#[test]
fn error_codes_carry_the_status_and_flags_of_the_model() {
    let table: Vec<(ErrorCode, u16, bool, bool, bool)> = ErrorCode::iter()
        .map(|c| {
            (
                c,
                c.http_status(),
                c.is_server_fault(),
                c.is_retryable(),
                c.is_throttling(),
            )
        })
        .collect();
    use ErrorCode::*;
    assert_eq!(
        table,
        [
            (ValidationException, 400, false, false, false),
            (AccessDeniedException, 400, false, false, false),
            (ThrottlingException, 400, false, true, true),
            (ConflictException, 400, false, false, false),
            (ResourceNotFoundException, 400, false, false, false),
            (ServiceQuotaExceededException, 402, false, false, false),
            (InternalServerException, 500, true, true, false),
            (SerializationException, 400, false, false, false),
            (UnknownOperationException, 400, false, false, false),
        ]
    );
}

/// Spec: R31, R7
#[test]
fn an_error_renders_as_the_aws_json_body_and_header_and_hides_its_message_in_debug() {
    let err = ApiError::new(
        ErrorCode::ValidationException,
        "1 validation error detected: x \"y\"",
    );
    assert_eq!(
        err.to_json(),
        r#"{"__type":"ValidationException","message":"1 validation error detected: x \"y\""}"#
    );
    assert_eq!(err.error_type_header(), "ValidationException");
    assert_eq!(
        format!("{err:?}"),
        r#"ApiError { code: ValidationException, message: "*** Sensitive Data Redacted ***" }"#
    );
    assert_eq!(
        err.to_string(),
        "ValidationException: *** Sensitive Data Redacted ***"
    );
}

/// Spec: R31, R22
#[test]
fn machine_rejections_map_onto_conflict_and_not_found() {
    let mut d = at_rest();
    let Outcome::Rejected(r) = d.handle(Input::Cancel { at: t(1) }) else {
        panic!()
    };
    let err = ApiError::from(r);
    assert_eq!(err.code(), ErrorCode::ConflictException);
    assert_eq!(
        err.message(),
        "cannot cancel the deployment of service instance 'web' of service 'shop': its deployment \
         status is SUCCEEDED; only a deployment that is IN_PROGRESS can be cancelled"
    );
    let mut gone = seeded(DeploymentStatus::DeleteComplete, None);
    let Outcome::Rejected(r) = gone.handle(Input::Cancel { at: t(1) }) else {
        panic!()
    };
    assert_eq!(
        ApiError::from(r).code(),
        ErrorCode::ResourceNotFoundException
    );
    let missing = ApiError::resource_not_found(&instance());
    assert_eq!(
        missing.message(),
        "service instance 'web' of service 'shop' was not found"
    );
}

/// Spec: R31
#[test]
fn targets_name_the_operations_served_and_nothing_else() {
    let names: Vec<String> = Operation::iter().map(|op| op.to_string()).collect();
    assert_eq!(
        names,
        [
            "CancelServiceInstanceDeployment",
            "CancelEnvironmentDeployment",
            "CancelServicePipelineDeployment",
            "CancelComponentDeployment",
            "UpdateServiceInstance",
            "GetServiceInstance",
            "ListServiceInstances",
            "UpdateEnvironment",
            "GetEnvironment",
            "UpdateServicePipeline",
            "GetService",
            "UpdateComponent",
            "GetComponent",
            "GetDeployment",
            "ListDeployments",
            "CreateEnvironment",
            "ListEnvironments",
            "DeleteEnvironment",
            "CreateComponent",
            "DeleteComponent",
            "ListComponents",
            "DeleteDeployment",
            "CreateService",
            "UpdateService",
            "DeleteService",
            "ListServices",
            "CreateServiceInstance",
        ]
    );
    for op in Operation::iter() {
        assert_eq!(Operation::from_target(&op.target()).unwrap(), op);
    }
    assert_eq!(
        Operation::from_target("AwsProton20200720.CancelServiceInstanceDeployment").unwrap(),
        Operation::CancelServiceInstanceDeployment
    );
    for bad in [
        "AwsProton20200720.DeleteServiceTemplate",
        "AwsProton20200720.DeleteServiceInstance",
        "CancelServiceInstanceDeployment",
        "",
        "AwsProton20200720.",
    ] {
        let err = Operation::from_target(bad).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnknownOperationException);
    }
    assert_eq!(
        Operation::from_target("Nope\r\n").unwrap_err().message(),
        "unknown operation \"Nope\r\n\": the service speaks AwsProton20200720.<Operation>"
    );
}

const ARN: &str = "arn:aws:proton:us-east-1:123456789012:service/shop/service-instance/web";

/// The service instance shape of `d`, in environment `prod`.
fn shape(d: &Deployment) -> ServiceInstance {
    ServiceInstance::new(d.observe(), ARN, &name("prod")).unwrap()
}

/// Spec: R32
#[test]
fn service_instance_shape_has_required_members_and_omits_absent_ones() {
    let d = updating();
    let body = CancelServiceInstanceDeploymentOutput {
        service_instance: shape(&d),
    };
    let value: serde_json::Value = serde_json::from_slice(&body.to_json()).unwrap();
    assert_eq!(
        value,
        json!({"serviceInstance": {
            "arn": "arn:aws:proton:us-east-1:123456789012:service/shop/service-instance/web",
            "createdAt": 0,
            "deploymentStatus": "IN_PROGRESS",
            "environmentName": "prod",
            "lastAttemptedDeploymentId": "a0000000-0000-4000-8000-000000000001",
            "lastClientRequestToken": "token-1",
            "lastDeploymentAttemptedAt": 100,
            "lastDeploymentSucceededAt": 0,
            "name": "web",
            "serviceName": "shop",
            "templateMajorVersion": "1",
            "templateMinorVersion": "0",
            "templateName": "web-tmpl",
        }})
    );
}

/// Spec: R23, R32
#[test]
fn before_any_attempt_the_wire_shows_created_at_for_both_deployment_times() {
    let mut o = Observed::new(instance(), t(7), config(0));
    o.status = DeploymentStatus::Failed;
    o.status_message = Some(reason("seeded"));
    let si = ServiceInstance::new(o.clone(), ARN, &name("prod")).unwrap();
    assert_eq!(
        (
            si.members.times.last_deployment_attempted_at,
            si.members.times.last_deployment_succeeded_at,
            si.members.deployment.last_attempted_deployment_id,
            si.members.deployment.last_succeeded_deployment_id
        ),
        (t(7), t(7), None, None)
    );
    // Read back, "no attempt" stays "no attempt": the ids say so.
    assert_observed_eq(&si.observed(), &o);
}

/// Spec: R32
#[test]
fn cancelled_instance_round_trips_through_json_with_its_message() {
    let mut d = cancel_started();
    let _ = d.handle(cancellation_finished(130, A, EngineResult::Succeeded));
    let out = GetServiceInstanceOutput {
        service_instance: shape(&d),
    };
    let back: GetServiceInstanceOutput = serde_json::from_slice(&out.to_json()).unwrap();
    assert_eq!(back, out);
    assert_eq!(
        back.service_instance.members.deployment.deployment_status,
        DeploymentStatus::Cancelled
    );
    assert_eq!(
        back.service_instance
            .members
            .deployment
            .deployment_status_message
            .as_ref()
            .map(StatusMessage::as_str),
        Some("User initiated cancellation.")
    );
}

/// Spec: R39
#[test]
fn a_machine_rebuilt_from_what_get_service_instance_shows_continues_the_same_way() {
    // A succeeded update, then a new attempt that failed: every last-attempt
    // and last-success field differs.
    let mut d = updating();
    let _ = d.handle(update_finished(120, A, EngineResult::Succeeded));
    let _ = d.handle(update_b(2, Some("token-2")));
    let _ = d.handle(update_finished(
        230,
        B,
        EngineResult::Failed(reason("boom")),
    ));
    let body = GetServiceInstanceOutput {
        service_instance: shape(&d),
    }
    .to_json();
    let read: GetServiceInstanceOutput = serde_json::from_slice(&body).unwrap();
    let observed = read.service_instance.observed();
    assert_observed_eq(&observed, &d.observe());
    let mut rebuilt = Deployment::restore(observed).unwrap();
    for input in [
        Input::Update {
            at: t(300),
            deployment_id: A,
            target: config(3),
            client_token: None,
        },
        Input::Cancel { at: t(301) },
        update_finished(302, A, EngineResult::Succeeded),
    ] {
        assert_eq!(rebuilt.handle(input.clone()), d.handle(input));
    }
    assert_eq!(rebuilt.observe(), d.observe());

    // A running resource: the wire does not show the target, which
    // GetDeployment gives; with it the machine is whole again.
    let running = updating();
    let mut observed = shape(&running).observed();
    assert_eq!(
        Deployment::restore(observed.clone())
            .unwrap_err()
            .to_string(),
        "a IN_PROGRESS resource has a running attempt: its last attempt and target are required"
    );
    observed.target = Some(config(1));
    assert_eq!(
        Deployment::restore(observed).unwrap().observe(),
        running.observe()
    );
}

/// Spec: R32, R40
#[test]
fn sibling_shapes_are_written_from_the_same_machine() {
    // Each created at t = 5 s with its first attempt, A, to 1.0.
    let create = |resource| {
        Deployment::create(resource, t(5), A, config(0), None)
            .unwrap()
            .0
    };
    let env = create(ResourceId::Environment { name: name("prod") });
    let out = CancelEnvironmentDeploymentOutput {
        environment: Environment::new(env.observe(), "arn:env").unwrap(),
    };
    assert_eq!(out.environment.name, name("prod"));
    assert_observed_eq(&out.environment.observed(), &{
        let mut o = env.observe();
        o.target = None;
        o
    });
    let pipeline = create(ResourceId::ServicePipeline {
        service: name("shop"),
    });
    let out = CancelServicePipelineDeploymentOutput {
        pipeline: ServicePipeline::new(pipeline.observe(), "arn:pipeline").unwrap(),
    };
    assert_eq!(
        out.pipeline.members.deployment.deployment_status,
        DeploymentStatus::InProgress
    );
    assert_eq!(
        out.pipeline.observed(name("shop")).resource,
        ResourceId::ServicePipeline {
            service: name("shop")
        }
    );
    let (component, _) = Deployment::create(
        ResourceId::Component {
            name: name("cache"),
        },
        t(5),
        A,
        Configuration::Component {
            service_spec: Some(Spec::new("component spec").unwrap()),
        },
        None,
    )
    .unwrap();
    let out = CancelComponentDeploymentOutput {
        component: Component::new(component.observe(), "arn:component", &name("prod")).unwrap(),
    };
    assert_eq!(out.component.last_modified_at, t(5));
    assert_eq!(out.component.environment_name, name("prod"));
    let value: serde_json::Value = serde_json::from_slice(&out.to_json()).unwrap();
    assert_eq!(value["component"]["serviceSpec"], "component spec");
    assert_eq!(
        out.component.observed().applied,
        Configuration::Component {
            service_spec: Some(Spec::new("component spec").unwrap())
        }
    );

    // Asking for another kind's shape is the embedding's mistake: a server
    // fault, named.
    let err = Environment::new(component.observe(), "arn").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InternalServerException);
    assert_eq!(
        err.message(),
        "component 'cache' cannot be written as a Environment"
    );
}

/// Spec: R7
#[test]
fn no_wire_type_holding_a_sensitive_member_shows_it_in_debug() {
    let secret = "hunter2-secret";
    let with_spec = Configuration::Template {
        template: config(0).template().unwrap().clone(),
        spec: Some(Spec::new(secret).unwrap()),
    };
    let failed = |resource: ResourceId, applied: Configuration| {
        let mut o = Observed::new(resource, t(0), applied);
        o.status = DeploymentStatus::Failed;
        o.status_message = Some(reason(secret));
        o
    };
    let instance_state = failed(instance(), with_spec.clone());
    let mut d = Deployment::restore(instance_state.clone()).unwrap();
    let instance_out = GetServiceInstanceOutput {
        service_instance: ServiceInstance::new(instance_state.clone(), ARN, &name("prod")).unwrap(),
    };
    let env = failed(
        ResourceId::Environment { name: name("prod") },
        with_spec.clone(),
    );
    let pipeline = failed(
        ResourceId::ServicePipeline {
            service: name("shop"),
        },
        with_spec.clone(),
    );
    let component = failed(
        ResourceId::Component {
            name: name("cache"),
        },
        Configuration::Component {
            service_spec: Some(Spec::new(secret).unwrap()),
        },
    );
    let update = UpdateServiceInstanceInput::decode(
        json!({"deploymentType": "CURRENT_VERSION", "name": "web", "serviceName": "shop", "spec": secret})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let invalid_spec = UpdateServiceInstanceInput::decode(
        json!({"deploymentType": "CURRENT_VERSION", "name": "web", "serviceName": "shop",
               "spec": format!("{secret}{}", "x".repeat(51_200))})
        .to_string()
        .as_bytes(),
    )
    .unwrap_err();
    let _ = d.handle(Input::Update {
        at: t(1),
        deployment_id: A,
        target: with_spec,
        client_token: None,
    });
    let debugs = [
        format!("{instance_out:?}"),
        format!("{:?}", Environment::new(env.clone(), "arn").unwrap()),
        format!(
            "{:?}",
            ServicePipeline::new(pipeline.clone(), "arn").unwrap()
        ),
        format!(
            "{:?}",
            Component::new(component.clone(), "arn", &name("prod")).unwrap()
        ),
        format!("{update:?}"),
        format!("{invalid_spec:?}"),
        invalid_spec.message().to_owned(),
        format!("{d:?}"),
        format!("{:?}", d.observe()),
        format!("{:?}", ApiError::new(ErrorCode::ConflictException, secret)),
    ];
    for debug in &debugs {
        assert!(!debug.contains(secret), "leaked: {debug}");
    }
    // The wire itself still carries the values.
    assert!(
        String::from_utf8(instance_out.to_json())
            .unwrap()
            .contains(secret)
    );
}

/// Spec: R5
#[test]
fn violations_render_in_the_aws_wire_wording() {
    let wire = |value: &str| -> Vec<String> {
        ResourceName::new(value)
            .unwrap_err()
            .violations()
            .iter()
            .map(aws_wording)
            .collect()
    };
    assert_eq!(
        wire(""),
        [
            "Member must have length greater than or equal to 1".to_owned(),
            format!("Member must satisfy regular expression pattern: {P}"),
        ]
    );
    assert_eq!(
        wire(&"é".repeat(101)),
        [
            "Member must have length less than or equal to 100".to_owned(),
            format!("Member must satisfy regular expression pattern: {P}"),
        ]
    );
    assert_eq!(
        wire("bad name!"),
        [format!(
            "Member must satisfy regular expression pattern: {P}"
        )]
    );
}
