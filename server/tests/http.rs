//! What no SDK sends: unknown targets, unreadable and oversized bodies,
//! checked with raw HTTP/1.1 over a TCP socket.
#![allow(clippy::disallowed_methods)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use proton_cancel::Timestamp;
use proton_cancel_server::{App, Clock, MAX_BODY_BYTES, Seed};
use proton_cancel_test_support::emulator;
use proton_cancel_wire::Operation;

async fn start() -> SocketAddr {
    emulator::start(Seed::default(), Clock::manual(Timestamp::EPOCH))
        .await
        .1
}

/// The target of the operation most tests send.
const CANCEL: &str = "AwsProton20200720.CancelServiceInstanceDeployment";

/// Sends one request with a blocking socket on a worker thread: the
/// request line `method path`, the extra header lines `headers` (each
/// ending in CRLF), a Content-Length and `body`; returns the status line,
/// the headers (lower-cased) and the body.
async fn send_raw(
    addr: SocketAddr,
    method_and_path: &str,
    headers: &str,
    body: Vec<u8>,
) -> (String, String, String) {
    let head = format!(
        "{method_and_path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(head.as_bytes()).unwrap();
        // A refused oversized body may close the socket before all is sent.
        let _ = s.write_all(&body);
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let (status, headers) = head.split_once("\r\n").unwrap();
        (
            status.to_owned(),
            headers.to_ascii_lowercase(),
            body.to_owned(),
        )
    })
    .await
    .unwrap()
}

/// `POST /` with `X-Amz-Target: target` and the AWS JSON 1.0 media type.
async fn send(addr: SocketAddr, target: &str, body: Vec<u8>) -> (String, String, String) {
    let headers = format!("X-Amz-Target: {target}\r\nContent-Type: application/x-amz-json-1.0\r\n");
    send_raw(addr, "POST /", &headers, body).await
}

/// Spec: R33, R31
#[tokio::test]
async fn an_unknown_target_gets_the_unknown_operation_shape() {
    let addr = start().await;
    let (status, headers, body) =
        send(addr, "AwsProton20200720.DeleteEverything", b"{}".to_vec()).await;
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    assert!(
        headers.contains("x-amzn-errortype: unknownoperationexception"),
        "{headers}"
    );
    assert_eq!(
        body,
        r#"{"__type":"UnknownOperationException","message":"unknown operation \"AwsProton20200720.DeleteEverything\": the service speaks AwsProton20200720.<Operation>"}"#
    );
}

/// Spec: R33, R31
#[tokio::test]
async fn a_body_that_is_not_json_is_a_serialization_exception() {
    let addr = start().await;
    let (status, headers, body) = send(addr, CANCEL, b"<xml/>".to_vec()).await;
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    assert!(headers.contains("x-amzn-errortype: serializationexception"));
    assert_eq!(
        body,
        r#"{"__type":"SerializationException","message":"the request body must be a JSON object"}"#
    );
}

/// Spec: R33
#[tokio::test]
async fn a_body_over_the_limit_is_refused_without_reading_it() {
    let addr = start().await;
    let (status, headers, body) = send(addr, CANCEL, vec![b' '; MAX_BODY_BYTES + 1]).await;
    assert_eq!(status, "HTTP/1.1 413 Payload Too Large");
    assert!(headers.contains("x-amzn-errortype: serializationexception"));
    assert_eq!(
        body,
        r#"{"__type":"SerializationException","message":"the request body is larger than the limit of 1048576 bytes"}"#
    );
}

/// Spec: R31, R44
#[tokio::test]
async fn the_body_limit_is_checked_before_the_method_path_media_type_and_target() {
    let addr = start().await;
    let (status, headers, body) =
        send_raw(addr, "PUT /nowhere", "", vec![b'x'; MAX_BODY_BYTES + 1]).await;
    assert_eq!(status, "HTTP/1.1 413 Payload Too Large");
    assert!(headers.contains("x-amzn-errortype: serializationexception"));
    assert_eq!(
        body,
        r#"{"__type":"SerializationException","message":"the request body is larger than the limit of 1048576 bytes"}"#
    );
    request_id(&headers);
}

/// Spec: R31, R44
#[tokio::test]
async fn a_wrong_method_path_or_media_type_gets_an_aws_shaped_answer() {
    let addr = start().await;
    let json = "Content-Type: application/x-amz-json-1.0\r\n";
    let (status, headers, body) = send_raw(addr, "GET /", json, Vec::new()).await;
    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
    assert!(headers.contains("allow: post"), "{headers}");
    assert!(headers.contains("x-amzn-errortype: unknownoperationexception"));
    assert_eq!(
        body,
        r#"{"__type":"UnknownOperationException","message":"the service answers POST / with X-Amz-Target: AwsProton20200720.<Operation>; GET is not allowed"}"#
    );
    request_id(&headers);

    let (status, headers, body) = send_raw(addr, "POST /foo", json, b"{}".to_vec()).await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    assert!(headers.contains("x-amzn-errortype: unknownoperationexception"));
    assert_eq!(
        body,
        r#"{"__type":"UnknownOperationException","message":"no operation is served at \"/foo\": the service answers POST / with X-Amz-Target: AwsProton20200720.<Operation>"}"#
    );
    request_id(&headers);

    let target = "X-Amz-Target: AwsProton20200720.GetServiceInstance\r\n";
    let (status, headers, body) = send_raw(addr, "POST /", target, b"{}".to_vec()).await;
    assert_eq!(status, "HTTP/1.1 415 Unsupported Media Type");
    assert!(headers.contains("x-amzn-errortype: serializationexception"));
    assert!(headers.contains("content-type: application/x-amz-json-1.0"));
    assert_eq!(
        body,
        r#"{"__type":"SerializationException","message":"the request body must be sent as Content-Type: application/x-amz-json-1.0; got none"}"#
    );
    let wrong = format!("{target}Content-Type: application/json\r\n");
    let (status, _, body) = send_raw(addr, "POST /", &wrong, b"{}".to_vec()).await;
    assert_eq!(status, "HTTP/1.1 415 Unsupported Media Type");
    assert!(body.ends_with(r#"got \"application/json\""}"#), "{body}");
    let charset = format!("{target}Content-Type: application/x-amz-json-1.0; charset=utf-8\r\n");
    let (status, _, _) = send_raw(addr, "POST /", &charset, b"{}".to_vec()).await;
    assert_eq!(status, "HTTP/1.1 400 Bad Request", "a parameter is allowed");
}

/// The engine task of the system clock delivers reports as they fall due,
/// in due order: checked on Tokio's paused clock, which the system clock
/// follows, so the test waits for no real timer.
#[tokio::test(start_paused = true)]
async fn the_system_clock_engine_delivers_reports_when_they_fall_due() {
    let seed: Seed = serde_json::from_value(serde_json::json!({
        "serviceInstances": [{
            "serviceName": "shop", "name": "web", "environmentName": "prod",
            "deploymentStatus": "IN_PROGRESS",
            "templateName": "web-tmpl", "templateMajorVersion": "1", "templateMinorVersion": "0",
            "engine": {"updateAfterMs": null, "cancelStartAfterMs": 1000, "cancelFinishAfterMs": 2000}
        }]
    }))
    .unwrap();
    let app = emulator::open(seed, Clock::system()).await.unwrap();
    cancel_web(&app).await;
    assert_eq!(status_of_web(&app).await, "CANCELLING");
    tokio::time::sleep(std::time::Duration::from_millis(2_900)).await;
    assert_eq!(
        status_of_web(&app).await,
        "CANCELLING",
        "the rollback ends at 3,000 ms"
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(status_of_web(&app).await, "CANCELLED");
}

/// Spec: R33, R40
#[tokio::test]
async fn seeds_the_engine_cannot_finish_or_of_the_wrong_form_are_refused_by_name() {
    async fn refused(resource: serde_json::Value) -> Option<String> {
        let seed: Seed = serde_json::from_value(serde_json::json!({
            "environments": [resource]
        }))
        .unwrap();
        emulator::open(seed, Clock::manual(Timestamp::EPOCH))
            .await
            .err()
            .map(|e| e.to_string())
    }
    let template = |status: &str| {
        serde_json::json!({
            "name": "prod", "deploymentStatus": status,
            "templateName": "env-tmpl", "templateMajorVersion": "1", "templateMinorVersion": "0"
        })
    };
    assert_eq!(
        refused(template("CANCELLING")).await.as_deref(),
        Some(
            "environment 'prod': cannot be seeded in CANCELLING; seed IN_PROGRESS and cancel it, \
             or seed a settled status"
        )
    );
    assert_eq!(
        refused(template("PAUSED")).await.as_deref(),
        Some(
            "environment 'prod': cannot be seeded: unknown deployment status \"PAUSED\": a \
             machine is only ever in one of the eight"
        )
    );
    assert_eq!(
        refused(serde_json::json!({"name": "prod"}))
            .await
            .as_deref(),
        Some("environment 'prod': a template version is required")
    );
    assert_eq!(refused(template("SUCCEEDED")).await, None);
}

/// Spec: R33
#[test]
fn seed_typos_are_refused_at_every_level_with_the_path_of_the_member() {
    let error = |text: &str| Seed::from_json(text.as_bytes()).unwrap_err();
    let instance = r#""serviceName": "shop", "name": "web", "environmentName": "prod""#;
    assert_eq!(
        error(&format!(
            r#"{{"serviceInstances": [{{{instance}, "deploymentstatus": "IN_PROGRESS"}}]}}"#
        )),
        "serviceInstances[0].deploymentstatus: unknown field `deploymentstatus`, expected one of \
         `serviceName`, `name`, `environmentName`, `deploymentStatus`, \
         `deploymentStatusMessage`, `templateName`, `templateMajorVersion`, \
         `templateMinorVersion`, `spec`, `engine` at line 1 column 106"
    );
    assert_eq!(
        error(r#"{"components": [{"name": "cache", "environmentName": "prod", "enigne": {}}]}"#),
        "components[0].enigne: unknown field `enigne`, expected one of `name`, \
         `environmentName`, `deploymentStatus`, `deploymentStatusMessage`, `templateName`, \
         `templateMajorVersion`, `templateMinorVersion`, `spec`, `engine` at line 1 column 69"
    );
    assert_eq!(
        error(r#"{"environments": [{"name": "prod", "engine": {"cancelFinishAfter": 1}}]}"#),
        "environments[0].engine.cancelFinishAfter: unknown field `cancelFinishAfter`, expected \
         one of `updateAfterMs`, `updateResult`, `updateMessage`, `cancelStartAfterMs`, \
         `cancelFinishAfterMs`, `cancelResult`, `cancelMessage`, `deleteAfterMs`, \
         `deleteResult`, `deleteMessage` at line 1 column 65"
    );
    assert_eq!(
        error(r#"{"servicePipelines": [{"serviceName": "shop!"}]}"#),
        "servicePipelines[0].serviceName: invalid ResourceName \"shop!\": character '!' at \
         index 4 does not match the pattern ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$ at line 1 column 46"
    );
    assert_eq!(
        error(r#"{"regoin": "eu-west-1"}"#),
        "regoin: unknown field `regoin`, expected one of `region`, `accountId`, `engine`, \
         `serviceInstances`, `environments`, `servicePipelines`, `components`, \
         `environmentTemplates`, `serviceTemplates`, `state` at line 1 column 9"
    );
}

/// Spec: R33, R13
#[tokio::test]
async fn a_cancellation_that_never_finishes_holds_cancelling_after_the_rollback_started() {
    let seed = Seed::from_json(
        br#"{"serviceInstances": [{
            "serviceName": "shop", "name": "web", "environmentName": "prod",
            "deploymentStatus": "IN_PROGRESS",
            "templateName": "web-tmpl", "templateMajorVersion": "1", "templateMinorVersion": "0",
            "engine": {"updateAfterMs": 500, "cancelStartAfterMs": 100, "cancelFinishAfterMs": null}
        }]}"#,
    )
    .unwrap();
    let app = emulator::open(seed, Clock::manual(Timestamp::EPOCH))
        .await
        .unwrap();
    cancel_web(&app).await;
    // The rollback starts at 100 ms; the update's success at 500 ms comes
    // too late to win, and the rollback never ends.
    app.advance(std::time::Duration::from_secs(3_600)).await;
    assert_eq!(status_of_web(&app).await, "CANCELLING");
}

/// The `x-amzn-requestid` header of a response, checked to be a UUID.
fn request_id(headers: &str) -> String {
    let id = headers
        .lines()
        .find_map(|l| l.strip_prefix("x-amzn-requestid: "))
        .unwrap_or_else(|| panic!("no request id in {headers}"))
        .trim()
        .to_owned();
    let shape: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(shape, [8, 4, 4, 4, 12], "{id}");
    assert!(
        id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()),
        "{id}"
    );
    id
}

/// Spec: R33, R44
#[tokio::test]
async fn every_response_carries_its_own_request_id() {
    let addr = start().await;
    let mut ids = std::collections::BTreeSet::new();
    for (target, body) in [
        ("AwsProton20200720.GetServiceInstance", b"{}".to_vec()),
        ("AwsProton20200720.DeleteEverything", b"{}".to_vec()),
        (
            CANCEL,
            br#"{"serviceName": "shop", "serviceInstanceName": "ghost"}"#.to_vec(),
        ),
        (CANCEL, vec![b' '; MAX_BODY_BYTES + 1]),
    ] {
        let (status, headers, _) = send(addr, target, body).await;
        assert!(ids.insert(request_id(&headers)), "{status}: id reused");
    }
    assert_eq!(ids.len(), 4);
}

/// Cancels the deployment of service instance `web` of service `shop`.
async fn cancel_web(app: &App) {
    let body = br#"{"serviceName": "shop", "serviceInstanceName": "web"}"#;
    app.call(Operation::CancelServiceInstanceDeployment, body)
        .await
        .unwrap();
}

/// The deployment status GetServiceInstance shows for `web` of `shop`.
async fn status_of_web(app: &App) -> String {
    let body = br#"{"serviceName": "shop", "name": "web"}"#;
    let json = app.call(Operation::GetServiceInstance, body).await.unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    v["serviceInstance"]["deploymentStatus"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The README's walkthrough starts from the example seed: it must load, and
/// stage a resource of every kind for each of the three races.
#[tokio::test]
async fn the_example_seed_loads_with_every_kind_staged() {
    let seed = Seed::from_json(include_bytes!("../seed.example.json")).unwrap();
    assert_eq!(
        (
            seed.service_instances.len(),
            seed.environments.len(),
            seed.service_pipelines.len(),
            seed.components.len()
        ),
        (3, 3, 3, 3)
    );
    let app = emulator::open(seed, Clock::manual(Timestamp::EPOCH))
        .await
        .unwrap();
    assert_eq!(status_of_web(&app).await, "IN_PROGRESS");
}
