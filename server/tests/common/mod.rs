//! What the SDK conformance tests share: a server on loopback with a
//! manual clock, a client pointed at it, and seed builders.
#![allow(dead_code)] // each test file uses its own part

use aws_sdk_proton::config::{BehaviorVersion, Credentials, Region};
use proton_cancel::Timestamp;
use proton_cancel_server::{App, Clock};
use proton_cancel_test_support::emulator;
use serde_json::json;

pub mod kinds;

/// Starts a server on an ephemeral port of 127.0.0.1, on a manual clock
/// standing at 2024-01-01T00:00:00Z, and returns a client pointed at it and
/// the server's handle (to move its clock). The server lives as long as the
/// test's runtime.
pub async fn start(seed: serde_json::Value) -> (aws_sdk_proton::Client, App) {
    let (client, app, _) = start_at(seed).await;
    (client, app)
}

/// As [`start`], with the server's address (for control calls).
pub async fn start_at(
    seed: serde_json::Value,
) -> (aws_sdk_proton::Client, App, std::net::SocketAddr) {
    let clock = Clock::manual(Timestamp::from_secs(1_704_067_200));
    let (app, addr) = emulator::start_json(seed, clock).await;
    (client(addr), app, addr)
}

/// A client pointed at a server on `addr`, with static test credentials.
pub fn client(addr: std::net::SocketAddr) -> aws_sdk_proton::Client {
    let config = aws_sdk_proton::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDTESTTESTTEST",
            "test-secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(format!("http://{addr}"))
        .build();
    aws_sdk_proton::Client::from_conf(config)
}

pub fn template() -> serde_json::Value {
    json!({"templateName": "web-tmpl", "templateMajorVersion": "1", "templateMinorVersion": "0"})
}

/// A service instance `name` of service `shop` in environment `prod`.
pub fn instance(name: &str, status: &str, engine: serde_json::Value) -> serde_json::Value {
    let mut v = json!({
        "serviceName": "shop", "name": name, "environmentName": "prod",
        "deploymentStatus": status, "engine": engine,
    });
    v.as_object_mut()
        .unwrap()
        .extend(template().as_object().unwrap().clone());
    v
}

/// The engine holds updates for ever; a cancel starts after 20 ms and ends
/// 30 ms later with `result`.
pub fn quick_cancel(result: &str) -> serde_json::Value {
    json!({"updateAfterMs": null, "cancelStartAfterMs": 20, "cancelFinishAfterMs": 30, "cancelResult": result})
}

/// The deployment record of attempt `id`, read with GetDeployment.
pub async fn record(
    client: &aws_sdk_proton::Client,
    id: &str,
) -> aws_sdk_proton::types::Deployment {
    client
        .get_deployment()
        .id(id)
        .send()
        .await
        .unwrap()
        .deployment
        .unwrap()
}
