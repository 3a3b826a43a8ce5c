//! Two server processes on one PostgreSQL database answer any request,
//! and stay correct together: concurrent cancels of one deployment through
//! both give exactly one CANCELLING, and the engine's reports, claimed by
//! both replicas' workers, settle it once. Runs when
//! `PROTON_CANCEL_TEST_POSTGRES` names a database (`.ci/run` sets it), in a
//! schema of its own; says it was skipped otherwise.
#![allow(clippy::disallowed_methods)] // the test starts and times processes

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proton_cancel_test_support::postgres;
use proton_cancel_test_support::process as server;
use proton_cancel_test_support::raw;

use server::Server;

const BIN: &str = env!("CARGO_BIN_EXE_proton-cancel-server");

fn replica(database: &str, seed: &str) -> Server {
    let mut command = Command::new(BIN);
    command
        .args(["--port", "0", "--database", database, "--seed", seed])
        .stderr(Stdio::null());
    Server::listen(command, String::new)
}

fn call(port: u16, op: &str, body: &str) -> (String, serde_json::Value) {
    let answer = raw::call(port, op, body);
    (answer.status, answer.body)
}

#[test]
fn two_replicas_on_one_postgres_give_one_cancelling_and_settle_once() {
    let Some(url) =
        postgres::url_or_skip("two_replicas_on_one_postgres_give_one_cancelling_and_settle_once")
    else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let schema = runtime.block_on(postgres::Schema::create(
        &url,
        format!("replicas_test_{}", std::process::id()),
    ));
    let database = schema.scoped(&url);
    let dir = std::env::temp_dir().join(format!("proton-cancel-replicas-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = server::seed_in_progress(&dir, 300, 300);
    let seed = seed.to_str().unwrap().to_owned();
    let a = replica(&database, &seed);
    let b = replica(&database, &seed);

    // Twenty cancels at once, alternating between the replicas.
    let body = r#"{"serviceName": "shop", "serviceInstanceName": "web"}"#;
    let ports = [a.port, b.port];
    let answers: Vec<(String, serde_json::Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let port = ports[i % 2];
                s.spawn(move || call(port, "CancelServiceInstanceDeployment", body))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let accepted = answers
        .iter()
        .filter(|(s, _)| s == "HTTP/1.1 200 OK")
        .count();
    let conflicts = answers
        .iter()
        .filter(|(_, v)| v["__type"] == "ConflictException")
        .count();
    assert_eq!((accepted, conflicts), (1, 19), "{answers:?}");

    // Either replica sees it settle, once, as CANCELLED.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let port = ports[usize::from(Instant::now().elapsed().as_millis().is_multiple_of(2))];
        let (_, v) = call(
            port,
            "GetServiceInstance",
            r#"{"serviceName": "shop", "name": "web"}"#,
        );
        if v["serviceInstance"]["deploymentStatus"] == "CANCELLED" {
            break;
        }
        assert!(Instant::now() < deadline, "never settled: {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, list) = call(b.port, "ListDeployments", "{}");
    let statuses: Vec<&str> = list["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["deploymentStatus"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["CANCELLED"],
        "one attempt, one record, seeded once by two replicas"
    );

    drop(a);
    drop(b);
    runtime.block_on(schema.drop());
    let _ = std::fs::remove_dir_all(&dir);
}
