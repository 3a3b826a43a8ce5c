//! A name deleted and created again, seen by two servers on one SQLite
//! file, each with its write cache: a write one server computed on the
//! deleted resource never lands on the new one (the compare-and-set
//! compares the meta, whose count of the name's lives differs, as well as
//! the revision, which starts anew).
#![allow(clippy::disallowed_methods)] // the test makes its own database file

use std::time::Duration;

use proton_cancel::Timestamp;
use proton_cancel_server::store::Store;
use proton_cancel_server::{App, Clock, Options};
use proton_cancel_wire::Operation;
use serde_json::{Value, json};

/// A server on the SQLite file `path`, on a manual clock at t = 0, whose
/// engine finishes updates and deletions 10 ms after they start and holds
/// cancellations.
async fn server(path: &std::path::Path) -> App {
    let store = Store::open(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    let seed = serde_json::from_value(json!({"engine": {
        "updateAfterMs": 10, "deleteAfterMs": 10, "cancelStartAfterMs": null
    }}))
    .unwrap();
    let options = Options {
        seed,
        clock: Clock::manual(Timestamp::EPOCH),
        ..Options::default()
    };
    App::open(store, options).await.unwrap()
}

/// Calls `op` with `body` and reads the answer's `environment`, or the
/// error's code.
async fn call(app: &App, op: Operation, body: Value) -> Result<Value, String> {
    match app.call(op, body.to_string().as_bytes()).await {
        Ok(bytes) => Ok(serde_json::from_slice::<Value>(&bytes).unwrap()["environment"].clone()),
        Err(e) => Err(e.code().to_string()),
    }
}

fn create() -> Value {
    json!({"name": "prod", "templateName": "env-tmpl", "templateMajorVersion": "1", "spec": "s"})
}

/// Spec: R47
#[tokio::test]
async fn a_write_cached_on_a_deleted_resource_never_lands_on_the_one_created_in_its_place() {
    let dir = std::env::temp_dir().join(format!("proton-cancel-recreate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.db");
    let _ = std::fs::remove_file(&path);
    let (a, b) = (server(&path).await, server(&path).await);

    // B creates `prod`: its cache holds the row at revision 0, IN_PROGRESS.
    let first = call(&b, Operation::CreateEnvironment, create())
        .await
        .unwrap();
    let first_id = first["lastAttemptedDeploymentId"].clone();
    // A lets the engine finish it, deletes it, finishes the deletion and
    // creates `prod` again: revision 0 again, IN_PROGRESS again.
    a.advance(Duration::from_millis(10)).await;
    let name = json!({"name": "prod"});
    call(&a, Operation::DeleteEnvironment, name.clone())
        .await
        .unwrap();
    a.advance(Duration::from_millis(10)).await;
    assert_eq!(
        call(&a, Operation::GetEnvironment, name.clone()).await,
        Err("ResourceNotFoundException".to_owned())
    );
    let second = call(&a, Operation::CreateEnvironment, create())
        .await
        .unwrap();
    let second_id = second["lastAttemptedDeploymentId"].clone();
    assert_ne!(first_id, second_id);

    // B's cancel starts from its cached row of the first life; the commit
    // finds the row changed, B reads it again, and cancels the second.
    let cancelled = call(
        &b,
        Operation::CancelEnvironmentDeployment,
        json!({"environmentName": "prod"}),
    )
    .await
    .unwrap();
    assert_eq!(cancelled["deploymentStatus"], "CANCELLING");
    assert_eq!(cancelled["lastAttemptedDeploymentId"], second_id);
    let seen = call(&a, Operation::GetEnvironment, name).await.unwrap();
    assert_eq!(seen["deploymentStatus"], "CANCELLING");
    assert_eq!(seen["lastAttemptedDeploymentId"], second_id);
    let _ = std::fs::remove_dir_all(&dir);
}
