//! A catalog of hostile request bodies, each with its exact result. None may
//! panic or overflow the stack; each is handled in one pass over the input
//! (see docs/robustness.md for the linear-time argument and its
//! measurements).

use proton_cancel_test_support::hostile;

use proton_cancel::ResourceName;
use proton_cancel_wire::*;

const P: &str = ResourceName::PATTERN;

/// What a CancelServiceInstanceDeployment body decodes to: `ok <resource>`,
/// or `<code>: <message>`.
fn body(bytes: &[u8]) -> String {
    match CancelServiceInstanceDeploymentInput::decode(bytes) {
        Ok(input) => format!("ok {}", input.resource_id()),
        Err(e) => format!("{}: {}", e.code(), e.message()),
    }
}

hostile! {
    // -- Request bodies -------------------------------------------------------

    /// Spec: R31
    body_not_json: body(b"hello") => "SerializationException: the request body must be a JSON object";
    /// Spec: R31
    empty_body_reads_as_an_empty_object: body(b"") =>
        "ValidationException: 2 validation errors detected: \
         Value null at 'serviceInstanceName' failed to satisfy constraint: Member must not be null; \
         Value null at 'serviceName' failed to satisfy constraint: Member must not be null";
    /// Spec: R31
    json_array_body: body(b"[\"web\", \"shop\"]") => "SerializationException: the request body must be a JSON object";
    /// Spec: R31
    json_null_body: body(b"null") => "SerializationException: the request body must be a JSON object";
    /// Spec: R31
    number_where_a_string_belongs: body(br#"{"serviceInstanceName": 1, "serviceName": "shop"}"#) =>
        "SerializationException: the request body could not be read: invalid type: integer `1`, \
         expected a string at line 1 column 25";
    /// Spec: R31
    boolean_where_a_string_belongs: body(br#"{"serviceInstanceName": true, "serviceName": "shop"}"#) =>
        "SerializationException: the request body could not be read: invalid type: boolean `true`, \
         expected a string at line 1 column 28";
    /// Spec: R31
    object_where_a_string_belongs: body(br#"{"serviceInstanceName": {}, "serviceName": "shop"}"#) =>
        "SerializationException: the request body could not be read: invalid type: map, \
         expected a string at line 1 column 24";
    /// Spec: R31
    array_where_a_string_belongs: body(br#"{"serviceInstanceName": ["web"], "serviceName": "shop"}"#) =>
        "SerializationException: the request body could not be read: invalid type: sequence, \
         expected a string at line 1 column 24";
    /// Spec: R30
    missing_member: body(br#"{"serviceName": "shop"}"#) =>
        "ValidationException: 1 validation error detected: Value null at 'serviceInstanceName' \
         failed to satisfy constraint: Member must not be null";
    /// Spec: R31
    duplicate_member: body(br#"{"serviceInstanceName": "web", "serviceInstanceName": "api", "serviceName": "shop"}"#) =>
        "SerializationException: the request body could not be read: duplicate field \
         `serviceInstanceName` at line 1 column 52";
    /// Spec: R31
    unknown_members_are_accepted_and_ignored:
        body(br#"{"serviceInstanceName": "web", "serviceName": "shop", "extra": [1, {"a": null}]}"#)
        => "ok service instance 'web' of service 'shop'";
    /// Spec: R31
    escaped_characters_decode_before_validation:
        body(br#"{"serviceInstanceName": "w\u0065b", "serviceName": "sh\nop"}"#) =>
        format!(
            "ValidationException: 1 validation error detected: Value 'sh\nop' at 'serviceName' \
             failed to satisfy constraint: Member must satisfy regular expression pattern: {P}"
        );
    /// Spec: R31
    invalid_utf8: body(b"{\"serviceInstanceName\": \"w\xffb\", \"serviceName\": \"shop\"}") =>
        "SerializationException: the request body could not be read: invalid unicode code point \
         at line 1 column 27";
    /// Spec: R31
    lone_surrogate_escape: body(br#"{"serviceInstanceName": "\ud800", "serviceName": "shop"}"#) =>
        "SerializationException: the request body could not be read: unexpected end of hex escape \
         at line 1 column 32";
    /// Spec: R31
    trailing_garbage: body(br#"{"serviceInstanceName": "web", "serviceName": "shop"} x"#) =>
        "SerializationException: the request body could not be read: trailing characters at line 1 column 55";
    /// Spec: R30, R5
    ten_mb_member_value: body(
        format!(r#"{{"serviceInstanceName": "{}", "serviceName": "shop"}}"#, "a".repeat(10_000_000)).as_bytes()
    ) => format!(
        "ValidationException: 1 validation error detected: Value '{}' (cut after 1024 characters) \
         at 'serviceInstanceName' failed to satisfy constraint: Member must have length less than \
         or equal to 100",
        "a".repeat(1024)
    );
    /// Spec: R31
    ten_mb_of_unknown_members_are_skipped: body(
        format!(
            r#"{{"pad": "{}", "serviceInstanceName": "web", "serviceName": "shop"}}"#,
            "x".repeat(10_000_000)
        )
        .as_bytes()
    ) => "ok service instance 'web' of service 'shop'";
    /// Spec: R31
    arrays_nested_10000_deep_in_an_unknown_member_are_skipped_without_recursion: body(
        format!(
            r#"{{"x": {}{}, "serviceInstanceName": "web", "serviceName": "shop"}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        )
        .as_bytes()
    ) => "ok service instance 'web' of service 'shop'";
    /// Spec: R31
    objects_nested_10000_deep_in_an_unknown_member_are_skipped_without_recursion: body(
        format!(
            r#"{{"x": {}1{}, "serviceInstanceName": "web", "serviceName": "shop"}}"#,
            r#"{"a":"#.repeat(10_000),
            "}".repeat(10_000)
        )
        .as_bytes()
    ) => "ok service instance 'web' of service 'shop'";
    /// Spec: R31
    unclosed_nesting_10000_deep: body(format!(r#"{{"x": {}"#, "[".repeat(10_000)).as_bytes()) =>
        "SerializationException: the request body could not be read: EOF while parsing a list \
         at line 1 column 10006";

    // -- Other entry points ---------------------------------------------------

    /// Spec: R31
    target_with_control_characters: Operation::from_target("AwsProton20200720.Cancel\u{1b}[2J")
        .unwrap_err()
        .message()
        .to_owned() =>
        "unknown operation \"AwsProton20200720.Cancel\u{1b}[2J\": the service speaks AwsProton20200720.<Operation>";
    /// Spec: R31
    update_with_a_number_as_deployment_type: UpdateServiceInstanceInput::decode(
        br#"{"deploymentType": 3, "name": "web", "serviceName": "shop"}"#
    )
    .unwrap_err()
    .message()
    .to_owned() =>
        "the request body could not be read: invalid type: integer `3`, expected a string at line 1 column 20";
}

/// Spec: R31
#[test]
fn the_deployment_operations_name_the_position_of_a_bad_name_member() {
    let read = |body: &[u8]| {
        let list = ListDeploymentsInput::decode(body).map(|_| ()).unwrap_err();
        let get = GetDeploymentInput::decode(body).map(|_| ()).unwrap_err();
        assert_eq!(list.message(), get.message());
        list.message().to_owned()
    };
    assert_eq!(
        read(br#"{"componentName": 5}"#),
        "the request body could not be read: invalid type: integer `5`, expected a string at \
         line 1 column 19"
    );
    assert_eq!(
        read(br#"{"serviceName": "a", "serviceName": "b"}"#),
        "the request body could not be read: duplicate field `serviceName` at line 1 column 34"
    );
}
