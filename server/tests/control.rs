//! The control API (docs/control.md): engine modes, delivery, scripts,
//! faults and the clock, each with its errors; and what it refuses: a
//! request for another host or from another site's page, a body that is
//! not JSON, and everything when the server runs without it.
#![allow(deprecated)] // the SDK marks Proton's operations deprecated: AWS closed Proton to new customers

use std::time::Duration;

use aws_sdk_proton::config::retry::RetryConfig;
use aws_sdk_proton::error::ProvideErrorMetadata;
use aws_sdk_proton::operation::RequestId;
use aws_sdk_proton::types::DeploymentStatus;
use proton_cancel::{ResourceKind, Timestamp};
use proton_cancel_server::store::Store;
use proton_cancel_server::{App, Clock, Options, serve};
use proton_cancel_test_support::control::{self, Reply};
use serde_json::{Value, json};

mod common;
use common::kinds::{get, seed, update};
use common::{client, start_at};

/// A seed with the environments `prod` and `staging`.
fn two_environments() -> Value {
    let mut seed = seed(ResourceKind::Environment, json!({}));
    let mut staging = seed["environments"][0].clone();
    staging["name"] = json!("staging");
    seed["environments"].as_array_mut().unwrap().push(staging);
    seed
}

/// A client that tries each call once (no retries).
fn no_retries(addr: std::net::SocketAddr) -> aws_sdk_proton::Client {
    let config = client(addr)
        .config()
        .to_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_proton::Client::from_conf(config)
}

fn error_of(reply: &Reply) -> (u16, &str, &str) {
    (
        reply.status,
        reply.body["code"].as_str().unwrap_or_default(),
        reply.body["message"].as_str().unwrap_or_default(),
    )
}

/// Spec: R61
#[tokio::test]
async fn a_resource_in_manual_mode_waits_for_a_delivery_while_the_others_run_on_their_delays() {
    let (client, app, addr) = start_at(two_environments()).await;
    let prod = json!({"mode": "manual", "resource": "environment/prod"});
    let view = control::ok(addr, "POST", "/engine/mode", Some(&prod)).await;
    assert_eq!(view["mode"], "auto");
    assert_eq!(
        view["resources"],
        json!([{"resource": "environment/prod", "mode": "manual"}])
    );
    client
        .update_environment()
        .name("staging")
        .deployment_type(aws_sdk_proton::types::DeploymentUpdateType::CurrentVersion)
        .spec("v2")
        .send()
        .await
        .unwrap();
    update(&client, ResourceKind::Environment).await.unwrap();
    app.advance(Duration::from_secs(60)).await;
    let staging = client
        .get_environment()
        .name("staging")
        .send()
        .await
        .unwrap();
    assert_eq!(
        staging.environment.unwrap().deployment_status,
        DeploymentStatus::Succeeded
    );
    let prod_now = get(&client, ResourceKind::Environment).await;
    assert_eq!(prod_now.status, DeploymentStatus::InProgress);
    let engine = control::ok(addr, "GET", "/engine", None).await;
    let pending = &engine["pending"][0];
    assert_eq!(
        (
            &pending["resource"],
            &pending["report"],
            &pending["result"],
            &pending["held"],
            &pending["dueInMs"],
            &pending["deploymentId"]
        ),
        (
            &json!("environment/prod"),
            &json!("UpdateFinished"),
            &json!("SUCCEEDED"),
            &json!(true),
            &json!(-55_000),
            &json!(prod_now.last_attempted.unwrap())
        )
    );
    // Back to the mode of every resource (auto): the overdue report goes
    // at the next delivery round.
    let default = json!({"mode": "default", "resource": "environment/prod"});
    let view = control::ok(addr, "POST", "/engine/mode", Some(&default)).await;
    assert_eq!(view["resources"], json!([]));
    app.advance(Duration::ZERO).await;
    let prod_after = get(&client, ResourceKind::Environment).await;
    assert_eq!(prod_after.status, DeploymentStatus::Succeeded);
}

/// Spec: R61
#[tokio::test]
async fn a_delivery_can_give_a_result_and_message_and_refuses_what_its_report_cannot_carry() {
    let (client, _app, addr) = start_at(seed(ResourceKind::Environment, json!({}))).await;
    control::manual(addr).await;
    let nothing = control::call(
        addr,
        "POST",
        "/engine/deliver",
        Some(&json!({"resource": "environment/prod"})),
    )
    .await;
    assert_eq!(
        error_of(&nothing),
        (
            409,
            "NothingPending",
            "no engine report is pending for environment 'prod'"
        )
    );
    update(&client, ResourceKind::Environment).await.unwrap();
    aws_cancel(&client).await;
    let refused = [
        (
            json!({"resource": "environment/prod", "report": "CancellationStarted", "result": "FAILED"}),
            "result: the next report is CancellationStarted, which has no result or message",
        ),
        (
            json!({"resource": "environment/prod", "report": "UpdateFinished", "result": "SUCCEEDED", "message": "x"}),
            "message: a message is given only with the result FAILED",
        ),
        (
            json!({"resource": "environment/prod", "report": "UpdateFinished", "message": "x"}),
            "message: the next report succeeds; give \"result\": \"FAILED\" with a message",
        ),
    ];
    for (body, message) in refused {
        let reply = control::call(addr, "POST", "/engine/deliver", Some(&body)).await;
        assert_eq!(error_of(&reply), (400, "InvalidRequest", message), "{body}");
    }
    // Nothing was delivered or lost: the three reports are still pending.
    let engine = control::ok(addr, "GET", "/engine", None).await;
    assert_eq!(engine["pending"].as_array().unwrap().len(), 3);
    let body =
        json!({"resource": "environment/prod", "report": "UpdateFinished", "result": "FAILED"});
    let delivered = control::ok(addr, "POST", "/engine/deliver", Some(&body)).await;
    assert_eq!(
        (
            &delivered["outcome"],
            &delivered["from"],
            &delivered["status"],
            &delivered["delivered"]["message"]
        ),
        (
            &json!("applied"),
            &json!("CANCELLING"),
            &json!("FAILED"),
            &json!(proton_cancel_server::UPDATE_FAILURE)
        )
    );
    let after = get(&client, ResourceKind::Environment).await;
    assert_eq!(
        after.message.as_deref(),
        Some(proton_cancel_server::UPDATE_FAILURE)
    );
}

async fn aws_cancel(client: &aws_sdk_proton::Client) {
    client
        .cancel_environment_deployment()
        .environment_name("prod")
        .send()
        .await
        .unwrap();
}

/// Spec: R61
#[tokio::test]
async fn a_script_set_at_runtime_scripts_the_work_the_resource_starts_next() {
    let (client, app, addr) = start_at(seed(ResourceKind::Environment, json!({}))).await;
    let body = json!({"resource": "environment/prod", "script": {"updateAfterMs": 10, "updateResult": "FAILED"}});
    let set = control::ok(addr, "POST", "/engine/script", Some(&body)).await;
    assert_eq!(
        set["script"],
        json!({"updateAfterMs": 10, "updateResult": "FAILED", "cancelStartAfterMs": 1000,
            "cancelFinishAfterMs": 2000, "cancelResult": "SUCCEEDED", "deleteAfterMs": 3000,
            "deleteResult": "SUCCEEDED"})
    );
    update(&client, ResourceKind::Environment).await.unwrap();
    app.advance(Duration::from_millis(10)).await;
    let after = get(&client, ResourceKind::Environment).await;
    assert_eq!(
        (after.status, after.message.as_deref()),
        (
            DeploymentStatus::Failed,
            Some(proton_cancel_server::UPDATE_FAILURE)
        )
    );
    let typo = json!({"resource": "environment/prod", "script": {"updateReslt": "FAILED"}});
    let reply = control::call(addr, "POST", "/engine/script", Some(&typo)).await;
    let (status, code, message) = error_of(&reply);
    assert_eq!((status, code), (400, "InvalidRequest"));
    assert!(
        message.starts_with("script.updateReslt: unknown field `updateReslt`, expected one of"),
        "{message}"
    );
}

/// Spec: R61
#[tokio::test]
async fn every_bad_control_call_names_the_member_or_resource_and_changes_nothing() {
    let (_client, _app, addr) = start_at(seed(ResourceKind::Environment, json!({}))).await;
    let before = control::ok(addr, "GET", "/engine", None).await;
    let cases = [
        (
            "/engine/mode",
            json!({"mode": "manual", "resource": "environment/nope"}),
            (404, "ResourceNotFound", "environment 'nope' does not exist"),
        ),
        (
            "/engine/mode",
            json!({"mode": "manual", "resource": "widget/x"}),
            (
                400,
                "InvalidRequest",
                "resource: \"widget/x\" names no resource: write \
                 service-instance/<service>/<name>, environment/<name>, \
                 service-pipeline/<service> or component/<name>",
            ),
        ),
        (
            "/engine/mode",
            json!({"mode": "default"}),
            (
                400,
                "InvalidRequest",
                "mode: \"default\" is a resource's mode only: give a resource, or auto or manual",
            ),
        ),
        (
            "/engine/mode",
            json!({"mode": "sometimes"}),
            (
                400,
                "InvalidRequest",
                "mode: unknown variant `sometimes`, expected one of `auto`, `manual`, `default` \
                 at line 1 column 19",
            ),
        ),
        (
            "/engine/deliver",
            json!({"resource": "component/ghost"}),
            (404, "ResourceNotFound", "component 'ghost' does not exist"),
        ),
        (
            "/engine/script",
            json!({"resource": "environment/nope", "script": {}}),
            (404, "ResourceNotFound", "environment 'nope' does not exist"),
        ),
        (
            "/faults",
            json!({"operation": "LaunchRocket", "error": "ThrottlingException"}),
            (
                400,
                "InvalidRequest",
                "operation: \"LaunchRocket\" is not an operation the emulator serves",
            ),
        ),
        (
            "/faults",
            json!({"operation": "GetEnvironment", "error": "ThrottlingException", "probability": 1.5}),
            (400, "InvalidRequest", "probability: 1.5 is outside [0, 1]"),
        ),
        (
            "/faults",
            json!({"operation": "GetEnvironment", "error": "ServiceQuotaExceededException"}),
            (
                400,
                "InvalidRequest",
                "error: the service model lists no ServiceQuotaExceededException for \
                 GetEnvironment (only for CreateComponent, CreateEnvironment, CreateService, \
                 UpdateComponent and UpdateService)",
            ),
        ),
        (
            "/faults",
            json!({"operation": "GetEnvironment"}),
            (
                400,
                "InvalidRequest",
                "a fault rule needs an error, a latencyMs, or both",
            ),
        ),
        (
            "/faults",
            json!({"operation": "GetEnvironment", "error": "Teapot"}),
            (
                400,
                "InvalidRequest",
                "error: unknown variant `Teapot`, expected one of `ThrottlingException`, \
                 `InternalServerException`, `ServiceQuotaExceededException` at line 1 column 17",
            ),
        ),
        (
            "/faults",
            json!({"operation": "GetEnvironment", "error": "ThrottlingException", "count": 1, "probability": 0.5}),
            (
                400,
                "InvalidRequest",
                "a fault rule takes a count or a probability, not both",
            ),
        ),
        (
            "/clock/advance",
            json!({"ms": -1}),
            (
                400,
                "InvalidRequest",
                "ms: invalid value: integer `-1`, expected u64 at line 1 column 8",
            ),
        ),
    ];
    for (path, body, expected) in cases {
        let reply = control::call(addr, "POST", path, Some(&body)).await;
        assert_eq!(error_of(&reply), expected, "{path} {body}");
        assert!(
            reply.header("x-amzn-requestid").is_some(),
            "a request id on {path}"
        );
    }
    assert_eq!(control::ok(addr, "GET", "/engine", None).await, before);
    assert_eq!(
        control::ok(addr, "GET", "/faults", None).await,
        json!({"faults": []})
    );
}

/// Spec: R61
#[tokio::test]
async fn a_counted_throttling_rule_fails_the_next_calls_and_the_sdk_retries_through_it() {
    let (_client, _app, addr) = start_at(seed(ResourceKind::Environment, json!({}))).await;
    let rule = json!({"operation": "GetEnvironment", "resource": "environment/prod",
        "error": "ThrottlingException", "count": 2});
    assert_eq!(
        control::ok(addr, "POST", "/faults", Some(&rule)).await,
        json!({"id": 1})
    );
    let once = no_retries(addr);
    let err = once
        .get_environment()
        .name("prod")
        .send()
        .await
        .unwrap_err();
    let service = err.into_service_error();
    assert_eq!(service.code(), Some("ThrottlingException"));
    assert_eq!(
        service.message(),
        Some("fault rule 1 of the emulator's control API failed this request")
    );
    assert_eq!(service.meta().request_id().map(str::len), Some(36));
    // The SDK's standard retries (3 attempts) see the second throttle and
    // then the answer.
    let retrying = client(addr)
        .config()
        .to_builder()
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
        .build();
    let retrying = aws_sdk_proton::Client::from_conf(retrying);
    let got = retrying
        .get_environment()
        .name("prod")
        .send()
        .await
        .unwrap();
    assert_eq!(got.environment.unwrap().name, "prod");
    let listed = control::ok(addr, "GET", "/faults", None).await;
    assert_eq!(
        listed,
        json!({"faults": [{"id": 1, "operation": "GetEnvironment", "resource": "environment/prod",
            "error": "ThrottlingException", "count": 2, "matched": 3, "fired": 2}]})
    );
    control::ok(addr, "DELETE", "/faults", None).await;
    assert_eq!(
        control::ok(addr, "GET", "/faults", None).await,
        json!({"faults": []})
    );
}

/// Spec: R61
#[tokio::test]
async fn a_rule_for_one_resource_leaves_the_others_alone_and_a_quota_rule_answers_402() {
    let (_client, _app, addr) = start_at(two_environments()).await;
    let rule = json!({"operation": "GetEnvironment", "resource": "environment/prod",
        "error": "InternalServerException"});
    control::ok(addr, "POST", "/faults", Some(&rule)).await;
    let once = no_retries(addr);
    assert!(once.get_environment().name("staging").send().await.is_ok());
    let err = once
        .get_environment()
        .name("prod")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().code(),
        Some("InternalServerException")
    );
    let quota = json!({"operation": "CreateEnvironment", "error": "ServiceQuotaExceededException", "count": 1});
    control::ok(addr, "POST", "/faults", Some(&quota)).await;
    let body =
        r#"{"name": "qa", "templateName": "web-tmpl", "templateMajorVersion": "1", "spec": "v1"}"#;
    let answer = raw_call(addr, "CreateEnvironment", body).await;
    assert_eq!(answer.0, 402);
    assert_eq!(
        answer.1,
        json!({"__type": "ServiceQuotaExceededException",
            "message": "fault rule 2 of the emulator's control API failed this request"})
    );
}

/// One AWS call over a raw connection: status and JSON body.
async fn raw_call(addr: std::net::SocketAddr, op: &str, body: &str) -> (u16, Value) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AwsProton20200720.{op}\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    let (head, json) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(json).unwrap())
}

/// The `n`th GetEnvironment of `calls` on a fresh server with a rule that
/// fails half of them, drawn from seed 42: which ones failed.
async fn drawn_failures(calls: usize) -> Vec<bool> {
    let (_client, _app, addr) = start_at(seed(ResourceKind::Environment, json!({}))).await;
    let rule = json!({"operation": "GetEnvironment", "error": "ThrottlingException",
        "probability": 0.5, "seed": 42});
    control::ok(addr, "POST", "/faults", Some(&rule)).await;
    let once = no_retries(addr);
    let mut failed = Vec::new();
    for _ in 0..calls {
        failed.push(once.get_environment().name("prod").send().await.is_err());
    }
    failed
}

/// Spec: R61
#[tokio::test]
async fn a_probability_rule_fails_the_same_calls_on_every_run_of_its_seed() {
    let first = drawn_failures(40).await;
    let second = drawn_failures(40).await;
    assert_eq!(first, second);
    let fired = first.iter().filter(|f| **f).count();
    assert!((10..=30).contains(&fired), "{fired} of 40 failed");
}

/// Spec: R61
#[tokio::test(start_paused = true)]
async fn a_latency_rule_holds_the_answer_for_its_milliseconds() {
    let (client, _app, addr) = start_at(seed(ResourceKind::Environment, json!({}))).await;
    let rule = json!({"operation": "GetEnvironment", "latencyMs": 1500, "count": 1});
    control::ok(addr, "POST", "/faults", Some(&rule)).await;
    let started = tokio::time::Instant::now();
    let got = client.get_environment().name("prod").send().await.unwrap();
    assert!(got.request_id().is_some());
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let listed = control::ok(addr, "GET", "/faults", None).await;
    assert_eq!(listed["faults"][0]["fired"], 1);
}

/// Spec: R61
#[tokio::test]
async fn the_clock_moves_only_on_a_manual_clock() {
    let (_client, _app, addr) = start_at(seed(ResourceKind::Environment, json!({}))).await;
    assert_eq!(
        control::ok(addr, "GET", "/clock", None).await,
        json!({"nowMs": 1_704_067_200_000_i64, "manual": true})
    );
    let moved = control::ok(addr, "POST", "/clock/advance", Some(&json!({"ms": 2500}))).await;
    assert_eq!(
        moved,
        json!({"nowMs": 1_704_067_202_500_i64, "manual": true})
    );
    let app = App::open(Store::memory(), Options::default())
        .await
        .unwrap();
    let addr = serve_app(app).await;
    let reply = control::call(addr, "POST", "/clock/advance", Some(&json!({"ms": 1}))).await;
    assert_eq!(
        error_of(&reply),
        (
            409,
            "SystemClock",
            "the server runs on the system clock: start it with --manual-clock to move time by hand"
        )
    );
}

async fn serve_app(app: App) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app, std::future::pending()));
    addr
}

/// Spec: R62
#[tokio::test]
async fn a_request_for_another_host_or_from_another_sites_page_is_refused() {
    let (_client, _app, addr) = start_at(seed(ResourceKind::Environment, json!({}))).await;
    let manual = json!({"mode": "manual"});
    let refused = [
        (
            "Host: attacker.example",
            "Host: \"attacker.example\" is not a loopback name or address; the control API \
             answers only requests sent to localhost, 127.0.0.1 or [::1]",
        ),
        (
            "Host: localhost.attacker.example:7070",
            "Host: \"localhost.attacker.example:7070\" is not a loopback name or address; the \
             control API answers only requests sent to localhost, 127.0.0.1 or [::1]",
        ),
        (
            "Origin: http://attacker.example",
            "Origin: \"http://attacker.example\" is not a page of this machine; the control API \
             answers no other site's pages",
        ),
    ];
    for (header, message) in refused {
        let reply =
            control::call_with(addr, "POST", "/engine/mode", Some(&manual), &[header]).await;
        assert_eq!(error_of(&reply), (403, "Forbidden", message), "{header}");
    }
    let text = control::call_with(
        addr,
        "POST",
        "/engine/mode",
        Some(&manual),
        &["Content-Type: text/plain"],
    )
    .await;
    assert_eq!(
        error_of(&text),
        (
            400,
            "InvalidRequest",
            "Content-Type: a control call's body is sent as application/json"
        )
    );
    assert_eq!(
        control::ok(addr, "GET", "/engine", None).await["mode"],
        "auto"
    );
    for host in [
        "Host: localhost:7070",
        "Host: [::1]:7070",
        "Host: 127.0.0.2",
        "Host: app.localhost",
    ] {
        let reply = control::call_with(addr, "GET", "/engine", None, &[host]).await;
        assert_eq!(reply.status, 200, "{host}");
    }
    let page = control::call_with(
        addr,
        "POST",
        "/engine/mode",
        Some(&manual),
        &["Origin: http://127.0.0.1:7070"],
    )
    .await;
    assert_eq!(page.status, 200);
    // No answer, not even a preflight's, allows another origin.
    let preflight = control::call_with(
        addr,
        "OPTIONS",
        "/engine/mode",
        None,
        &[
            "Origin: http://attacker.example",
            "Access-Control-Request-Method: POST",
        ],
    )
    .await;
    assert_ne!(preflight.status, 200);
    for reply in [&page, &preflight, &text] {
        assert!(
            reply
                .headers
                .iter()
                .all(|h| !h.to_ascii_lowercase().starts_with("access-control-")),
            "{:?}",
            reply.headers
        );
    }
}

/// Spec: R62
#[tokio::test]
async fn a_server_without_control_answers_its_paths_as_unknown_aws_paths() {
    let options = Options {
        clock: Clock::manual(Timestamp::from_secs(1_704_067_200)),
        control: false,
        ..Options::default()
    };
    let app = App::open(Store::memory(), options).await.unwrap();
    let addr = serve_app(app).await;
    let reply = control::call(addr, "GET", "/engine", None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body,
        json!({"__type": "UnknownOperationException",
            "message": "no operation is served at \"/_proton-cancel/engine\": the service answers POST / with X-Amz-Target: AwsProton20200720.<Operation>"})
    );
}

/// Two replicas on `url`: what the control API sets through one holds on
/// the other (a manual mode, a delivery, a fault rule once the other reads
/// its rules again).
async fn replicas_share_the_control_state(url: &str) {
    let clock = || Clock::manual(Timestamp::from_secs(1_704_067_200));
    let seed: proton_cancel_server::Seed =
        serde_json::from_value(seed(ResourceKind::Environment, json!({}))).unwrap();
    let open = |store: Store| {
        App::open(
            store,
            Options {
                seed: seed.clone(),
                clock: clock(),
                ..Options::default()
            },
        )
    };
    let a = open(Store::open(url).await.unwrap()).await.unwrap();
    let b = open(Store::open(url).await.unwrap()).await.unwrap();
    let (a_addr, b_addr) = (serve_app(a.clone()).await, serve_app(b.clone()).await);
    let on_b = client(b_addr);
    control::manual(a_addr).await;
    update(&on_b, ResourceKind::Environment).await.unwrap();
    b.advance(Duration::from_secs(60)).await;
    assert_eq!(
        get(&on_b, ResourceKind::Environment).await.status,
        DeploymentStatus::InProgress
    );
    let body = json!({"resource": "environment/prod"});
    let delivered = control::ok(a_addr, "POST", "/engine/deliver", Some(&body)).await;
    assert_eq!(delivered["status"], "SUCCEEDED");
    assert_eq!(
        get(&on_b, ResourceKind::Environment).await.status,
        DeploymentStatus::Succeeded
    );
    let rule = json!({"operation": "GetEnvironment", "error": "ThrottlingException", "count": 1});
    control::ok(a_addr, "POST", "/faults", Some(&rule)).await;
    b.advance(Duration::ZERO).await;
    let err = no_retries(b_addr)
        .get_environment()
        .name("prod")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.into_service_error().code(), Some("ThrottlingException"));
    let listed = control::ok(a_addr, "GET", "/faults", None).await;
    assert_eq!(
        (
            &listed["faults"][0]["matched"],
            &listed["faults"][0]["fired"]
        ),
        (&json!(1), &json!(1))
    );
}

/// Spec: R61
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_one_sqlite_file_share_modes_deliveries_and_faults() {
    let dir = std::env::temp_dir().join(format!("control-replicas-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite:{}", dir.join("state.db").display());
    replicas_share_the_control_state(&url).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Spec: R61
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_one_postgres_share_modes_deliveries_and_faults() {
    let test = "replicas_on_one_postgres_share_modes_deliveries_and_faults";
    let Some(url) = proton_cancel_test_support::postgres::url_or_skip(test) else {
        return;
    };
    let schema = proton_cancel_test_support::postgres::Schema::create(
        &url,
        format!("control_{}", std::process::id()),
    )
    .await;
    replicas_share_the_control_state(&schema.scoped(&url)).await;
    schema.drop().await;
}

/// A server whose state has a bit of everything: an environment
/// cancelled, a component whose update the engine holds (by a script set
/// at runtime), a pipeline in manual mode with its report pending, an
/// instance whose report is pending, and a fault rule on ListComponents.
async fn a_busy_server() -> (aws_sdk_proton::Client, App, std::net::SocketAddr) {
    let mut all = json!({});
    for kind in common::kinds::KINDS {
        let one = seed(kind, json!({}));
        for (list, items) in one.as_object().unwrap() {
            all[list] = items.clone();
        }
    }
    let (client, app, addr) = start_at(all).await;
    let pipeline = json!({"mode": "manual", "resource": "service-pipeline/shop"});
    control::ok(addr, "POST", "/engine/mode", Some(&pipeline)).await;
    let script = json!({"resource": "component/cache", "script": {"updateAfterMs": null}});
    control::ok(addr, "POST", "/engine/script", Some(&script)).await;
    for kind in common::kinds::KINDS {
        update(&client, kind).await.unwrap();
    }
    aws_cancel(&client).await;
    app.advance(Duration::from_secs(4)).await;
    let rule = json!({"operation": "ListComponents", "error": "ThrottlingException", "count": 5});
    control::ok(addr, "POST", "/faults", Some(&rule)).await;
    (client, app, addr)
}

/// Spec: R63
#[tokio::test]
async fn an_export_imported_into_an_empty_server_gives_the_same_state_and_the_same_answers() {
    let (client, _app, addr) = a_busy_server().await;
    let exported = control::ok(addr, "GET", "/state", None).await;
    assert_eq!(exported["region"], "us-east-1");
    assert_eq!(exported["state"]["version"], 1);
    assert_eq!(exported["state"]["lastDeploymentNumber"], 4);
    assert_eq!(exported["state"]["resources"].as_array().unwrap().len(), 4);
    assert_eq!(exported["state"]["records"].as_array().unwrap().len(), 4);
    let (other_client, _other, other) = start_at(json!({})).await;
    let imported = control::ok(other, "POST", "/state", Some(&exported)).await;
    assert_eq!(imported, exported);
    // The same reports pending, due at the same times (each server's
    // clock stands where it stands: `dueInMs` differs).
    let due = |engine: Value| -> Vec<(Value, Value, Value)> {
        engine["pending"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["resource"].clone(),
                    p["report"].clone(),
                    p["dueMs"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        due(control::ok(other, "GET", "/engine", None).await),
        due(control::ok(addr, "GET", "/engine", None).await)
    );
    for kind in common::kinds::KINDS {
        let (a, b) = (get(&client, kind).await, get(&other_client, kind).await);
        assert_eq!(
            (a.status, a.message, a.last_attempted),
            (b.status, b.message, b.last_attempted),
            "{kind:?}"
        );
    }
    // The next deployment on either takes the same next number.
    let next = |c: aws_sdk_proton::Client| async move {
        c.update_environment()
            .name("prod")
            .deployment_type(aws_sdk_proton::types::DeploymentUpdateType::CurrentVersion)
            .spec("v3")
            .send()
            .await
            .unwrap()
            .environment
            .unwrap()
            .last_attempted_deployment_id
    };
    assert_eq!(next(client.clone()).await, next(other_client.clone()).await);
    // A seed that holds the export starts a server in the same state.
    let seed: proton_cancel_server::Seed = serde_json::from_value(exported.clone()).unwrap();
    let options = Options {
        seed,
        clock: Clock::manual(Timestamp::from_secs(1_704_067_200)),
        ..Options::default()
    };
    let seeded = serve_app(App::open(Store::memory(), options).await.unwrap()).await;
    assert_eq!(control::ok(seeded, "GET", "/state", None).await, exported);
}

/// Spec: R63
#[tokio::test]
async fn an_invalid_document_is_refused_by_the_member_at_fault_and_changes_nothing() {
    let (_client, _app, addr) = a_busy_server().await;
    let exported = control::ok(addr, "GET", "/state", None).await;
    let broken = |path: &[&str], value: Value| {
        let mut doc = exported.clone();
        let mut at = &mut doc;
        for p in path {
            at = match p.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*p],
            };
        }
        *at = value;
        doc
    };
    let cases = [
        (
            broken(&["state", "version"], json!(2)),
            "state.version: 2 is not a state version this server reads (1)",
        ),
        (
            broken(&["region"], json!("eu-west-1")),
            "region, accountId: the document is of eu-west-1/123456789012, this server serves \
             us-east-1/123456789012",
        ),
        (
            broken(
                &["state", "pending", "0", "resource"],
                json!("component/ghost"),
            ),
            "state.pending[0]: component 'ghost' has a pending report but is not among the resources",
        ),
        (
            broken(
                &["state", "faults", "0", "rule", "operation"],
                json!("Nope"),
            ),
            "state.faults[0].rule: operation: \"Nope\" is not an operation the emulator serves",
        ),
        (
            broken(
                &["state", "resources", "1"],
                exported["state"]["resources"][0].clone(),
            ),
            "state.resources[1]: component/cache is given twice",
        ),
    ];
    for (document, message) in cases {
        let reply = control::call(addr, "POST", "/state", Some(&document)).await;
        assert_eq!(error_of(&reply), (400, "InvalidRequest", message));
    }
    let unreadable = broken(
        &["state", "resources", "0", "snapshot", "revision"],
        json!("x"),
    );
    let reply = control::call(addr, "POST", "/state", Some(&unreadable)).await;
    let (status, _, message) = error_of(&reply);
    assert_eq!(status, 400);
    assert!(
        message.starts_with("state.resources[0].snapshot"),
        "{message}"
    );
    assert_eq!(control::ok(addr, "GET", "/state", None).await, exported);
}

/// Spec: R63
#[tokio::test]
async fn a_reset_empties_the_state_and_deployment_numbers_start_again() {
    let (client, _app, addr) = a_busy_server().await;
    let emptied = control::ok(addr, "POST", "/reset", Some(&json!({}))).await;
    assert_eq!(
        emptied,
        json!({"region": "us-east-1", "accountId": "123456789012", "state": {"version": 1,
            "lastDeploymentNumber": 0, "resources": [], "records": [], "pending": [],
            "modes": [], "faults": []}})
    );
    let err = client
        .get_environment()
        .name("prod")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().code(),
        Some("ResourceNotFoundException")
    );
}
