//! Every race of the README's race table and of docs/spec.md, staged on
//! every kind through the control API: the engine is put in manual mode,
//! and each report is delivered by a call at the step the race needs it.
//! Nothing sleeps and nothing depends on timing: a race is a list of steps,
//! each with what the resource shows after it.
#![allow(deprecated)] // the SDK marks Proton's operations deprecated: AWS closed Proton to new customers

use std::net::SocketAddr;

use aws_sdk_proton::Client;
use proton_cancel::ResourceKind;
use proton_cancel_test_support::control;
use serde_json::{Value, json};

mod common;
use common::kinds::{KINDS, cancel, get, key, seed, update};
use common::start_at;

/// One step of a race.
#[derive(Clone, Copy)]
enum Step {
    /// Update<Kind> with a new spec.
    Update,
    /// Cancel<Kind>Deployment.
    Cancel,
    /// Delivers the resource's next pending report of this kind, as
    /// scripted (the engine's defaults: everything succeeds).
    Deliver(&'static str),
    /// Delivers it with the result FAILED and this message.
    DeliverFailed(&'static str, &'static str),
}

use Step::{Cancel, Deliver, DeliverFailed, Update};

/// What a step shows: for a call, the status it answers with; for a
/// delivery, `applied: STATUS` or `ignored (why): STATUS`.
async fn run(step: Step, client: &Client, addr: SocketAddr, kind: ResourceKind) -> String {
    let delivered = |body: Value| async move {
        let answer = control::ok(addr, "POST", "/engine/deliver", Some(&body)).await;
        match answer["outcome"].as_str().unwrap() {
            "applied" => format!("applied: {}", answer["status"].as_str().unwrap()),
            _ => format!(
                "ignored ({}): {}",
                answer["reason"].as_str().unwrap(),
                answer["status"].as_str().unwrap()
            ),
        }
    };
    match step {
        Update => update(client, kind).await.unwrap().status.to_string(),
        Cancel => cancel(client, kind).await.unwrap().status.to_string(),
        Deliver(report) => delivered(json!({"resource": key(kind), "report": report})).await,
        DeliverFailed(report, message) => {
            delivered(json!({"resource": key(kind), "report": report,
                "result": "FAILED", "message": message}))
            .await
        }
    }
}

/// Stages `steps` on every kind, in manual mode, a second apart, and
/// checks what each step shows; then that Get shows the last status with
/// `message`, and that no report is left pending when `settled`. The
/// environment's timeline is the picture `docs/races/{picture}.svg`.
async fn race(picture: &str, steps: &[(Step, &str)], message: Option<&str>, settled: bool) {
    for kind in KINDS {
        let (client, app, addr) = start_at(seed(kind, json!({}))).await;
        control::manual(addr).await;
        let mut shown = Vec::new();
        for (step, _) in steps {
            app.advance(std::time::Duration::from_secs(1)).await;
            shown.push(run(*step, &client, addr, kind).await);
        }
        if kind == ResourceKind::Environment {
            drawn(addr, picture).await;
        }
        let expected: Vec<&str> = steps.iter().map(|(_, e)| *e).collect();
        assert_eq!(shown, expected, "{kind:?}");
        let last = expected.last().unwrap().rsplit(": ").next().unwrap();
        let after = get(&client, kind).await;
        assert_eq!(after.status.as_str(), last, "{kind:?}");
        assert_eq!(after.message.as_deref(), message, "{kind:?}");
        let pending = control::ok(addr, "GET", "/engine", None).await["pending"].clone();
        if settled {
            assert_eq!(pending, json!([]), "{kind:?}");
        }
    }
}

/// The environment's timeline, as the dashboard draws it, is the picture
/// `docs/races/{name}.svg` that docs/spec.md shows; with
/// `PROTON_CANCEL_WRITE_PICTURES=1` the test writes it instead.
async fn drawn(addr: SocketAddr, name: &str) {
    let reply = control::call(addr, "GET", "/timeline?resource=environment/prod", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("image/svg+xml"));
    let svg = raw_body(addr).await;
    let path = format!("{}/../docs/races/{name}.svg", env!("CARGO_MANIFEST_DIR"));
    if proton_cancel_test_support::browser::write_pictures() {
        std::fs::write(&path, &svg).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == svg,
        "docs/races/{name}.svg is not what the race draws; regenerate the pictures with\n    \
         PROTON_CANCEL_WRITE_PICTURES=1 cargo test -p proton-cancel-server --test races"
    );
}

/// The environment's timeline SVG, as text.
async fn raw_body(addr: SocketAddr) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"GET /_proton-cancel/timeline?resource=environment/prod HTTP/1.1\r\nHost: 127.0.0.1\r\n\
          Connection: close\r\n\r\n",
    )
    .await
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    raw.split_once("\r\n\r\n").unwrap().1.to_owned()
}

const FINISHED: &str = "the current deployment attempt had already finished";

/// README: the cancellation succeeds → CANCELLED.
/// Spec: R8, R9, R20
#[tokio::test]
async fn a_cancellation_that_starts_and_succeeds_ends_cancelled_and_the_late_update_is_ignored() {
    race(
        "cancelled",
        &[
            (Update, "IN_PROGRESS"),
            (Cancel, "CANCELLING"),
            (Deliver("CancellationStarted"), "applied: CANCELLING"),
            (Deliver("CancellationFinished"), "applied: CANCELLED"),
            (
                Deliver("UpdateFinished"),
                &format!("ignored ({FINISHED}): CANCELLED"),
            ),
        ],
        Some("User initiated cancellation."),
        true,
    )
    .await;
}

/// README: the cancellation fails → FAILED.
/// Spec: R10
#[tokio::test]
async fn a_cancellation_that_fails_ends_failed_with_the_engines_message() {
    race(
        "rollback-failed",
        &[
            (Update, "IN_PROGRESS"),
            (Cancel, "CANCELLING"),
            (Deliver("CancellationStarted"), "applied: CANCELLING"),
            (
                DeliverFailed("CancellationFinished", "rollback broke"),
                "applied: FAILED",
            ),
            (
                Deliver("UpdateFinished"),
                &format!("ignored ({FINISHED}): FAILED"),
            ),
        ],
        Some("rollback broke"),
        true,
    )
    .await;
}

/// README: the update wins → SUCCEEDED, the cancel has no effect.
/// Spec: R11, R20
#[tokio::test]
async fn an_update_that_finishes_before_the_rollback_starts_wins_and_the_cancellation_reports_are_ignored()
 {
    race(
        "update-wins",
        &[
            (Update, "IN_PROGRESS"),
            (Cancel, "CANCELLING"),
            (Deliver("UpdateFinished"), "applied: SUCCEEDED"),
            (
                Deliver("CancellationStarted"),
                &format!("ignored ({FINISHED}): SUCCEEDED"),
            ),
            (
                Deliver("CancellationFinished"),
                &format!("ignored ({FINISHED}): SUCCEEDED"),
            ),
        ],
        None,
        true,
    )
    .await;
}

/// README: the update fails first → FAILED.
/// Spec: R12
#[tokio::test]
async fn an_update_that_fails_before_the_rollback_starts_also_wins() {
    race(
        "update-fails-first",
        &[
            (Update, "IN_PROGRESS"),
            (Cancel, "CANCELLING"),
            (
                DeliverFailed("UpdateFinished", "the update broke"),
                "applied: FAILED",
            ),
            (
                Deliver("CancellationStarted"),
                &format!("ignored ({FINISHED}): FAILED"),
            ),
            (
                Deliver("CancellationFinished"),
                &format!("ignored ({FINISHED}): FAILED"),
            ),
        ],
        Some("the update broke"),
        true,
    )
    .await;
}

/// README: the update finishes after the rollback started (ignored), and
/// held in CANCELLING after the rollback started: only the cancellation's
/// result decides.
/// Spec: R13
#[tokio::test]
async fn an_update_that_finishes_after_the_rollback_started_is_ignored_and_the_cancellation_decides()
 {
    race(
        "cancellation-decides",
        &[
            (Update, "IN_PROGRESS"),
            (Cancel, "CANCELLING"),
            (Deliver("CancellationStarted"), "applied: CANCELLING"),
            (
                Deliver("UpdateFinished"),
                "ignored (the cancellation attempt has started; its own result decides the \
                 outcome): CANCELLING",
            ),
            (Deliver("CancellationFinished"), "applied: CANCELLED"),
        ],
        Some("User initiated cancellation."),
        true,
    )
    .await;
}

/// README: held in CANCELLING before the rollback: the engine's three
/// reports wait, listed in due order and held, until a call delivers one.
/// Spec: R8
#[tokio::test]
async fn a_cancel_held_before_the_rollback_shows_cancelling_with_its_reports_pending() {
    race(
        "held-before-rollback",
        &[(Update, "IN_PROGRESS"), (Cancel, "CANCELLING")],
        None,
        false,
    )
    .await;
    for kind in KINDS {
        let (client, _app, addr) = start_at(seed(kind, json!({}))).await;
        control::manual(addr).await;
        update(&client, kind).await.unwrap();
        cancel(&client, kind).await.unwrap();
        let engine = control::ok(addr, "GET", "/engine", None).await;
        let pending: Vec<(&str, &str, i64, bool)> = engine["pending"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["resource"].as_str().unwrap(),
                    p["report"].as_str().unwrap(),
                    p["dueInMs"].as_i64().unwrap(),
                    p["held"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            pending,
            [
                (key(kind), "CancellationStarted", 1_000, true),
                (key(kind), "CancellationFinished", 3_000, true),
                (key(kind), "UpdateFinished", 5_000, true),
            ],
            "{kind:?}"
        );
    }
}

/// A cancellation's result with no reported start implies the start.
/// Spec: R14
#[tokio::test]
async fn a_cancellation_result_delivered_before_its_start_implies_the_start() {
    race(
        "result-implies-start",
        &[
            (Update, "IN_PROGRESS"),
            (Cancel, "CANCELLING"),
            (Deliver("CancellationFinished"), "applied: CANCELLED"),
            (
                Deliver("CancellationStarted"),
                &format!("ignored ({FINISHED}): CANCELLED"),
            ),
            (
                Deliver("UpdateFinished"),
                &format!("ignored ({FINISHED}): CANCELLED"),
            ),
        ],
        Some("User initiated cancellation."),
        true,
    )
    .await;
}

/// A report about an earlier attempt, delivered while a newer one runs,
/// does not touch it.
/// Spec: R19
#[tokio::test]
async fn a_report_about_an_earlier_attempt_is_ignored_while_a_newer_one_runs() {
    race(
        "stale-report",
        &[
            (Update, "IN_PROGRESS"),
            (Cancel, "CANCELLING"),
            (Deliver("CancellationFinished"), "applied: CANCELLED"),
            (Update, "IN_PROGRESS"),
            (
                Deliver("UpdateFinished"),
                "ignored (the report is about a deployment other than the current one): \
                 IN_PROGRESS",
            ),
            (Deliver("UpdateFinished"), "applied: SUCCEEDED"),
        ],
        None,
        false,
    )
    .await;
}

/// The deletion race, on the two kinds deleted one by one (a service's
/// instances and pipeline go with DeleteService): a failed deletion shows
/// DELETE_FAILED with the engine's message and takes a new deletion; the
/// one that succeeds gives DELETE_COMPLETE and leaves no report pending.
/// Spec: R21
#[tokio::test]
async fn a_deletion_that_fails_takes_a_retry_and_the_one_that_succeeds_leaves_nothing() {
    for kind in [ResourceKind::Environment, ResourceKind::Component] {
        let (client, app, addr) = start_at(seed(kind, json!({}))).await;
        control::manual(addr).await;
        let delete = || async {
            match kind {
                ResourceKind::Environment => client
                    .delete_environment()
                    .name("prod")
                    .send()
                    .await
                    .unwrap()
                    .environment
                    .unwrap()
                    .deployment_status
                    .to_string(),
                _ => client
                    .delete_component()
                    .name("cache")
                    .send()
                    .await
                    .unwrap()
                    .component
                    .unwrap()
                    .deployment_status
                    .to_string(),
            }
        };
        let deliver = |body: Value| async move {
            let answer = control::ok(addr, "POST", "/engine/deliver", Some(&body)).await;
            format!(
                "{}: {}",
                answer["outcome"].as_str().unwrap(),
                answer["status"].as_str().unwrap()
            )
        };
        let failed = json!({"resource": key(kind), "report": "DeleteFinished",
            "result": "FAILED", "message": "the volume is busy"});
        assert_eq!(delete().await, "DELETE_IN_PROGRESS", "{kind:?}");
        assert_eq!(deliver(failed).await, "applied: DELETE_FAILED", "{kind:?}");
        let after = get(&client, kind).await;
        assert_eq!(after.message.as_deref(), Some("the volume is busy"));
        app.advance(std::time::Duration::from_secs(1)).await;
        assert_eq!(delete().await, "DELETE_IN_PROGRESS", "{kind:?}");
        let succeeded = json!({"resource": key(kind), "report": "DeleteFinished"});
        assert_eq!(
            deliver(succeeded).await,
            "applied: DELETE_COMPLETE",
            "{kind:?}"
        );
        let gone = control::call(
            addr,
            "POST",
            "/engine/deliver",
            Some(&json!({"resource": key(kind)})),
        )
        .await;
        assert_eq!(
            (gone.status, gone.body["code"].as_str()),
            (409, Some("NothingPending")),
            "{kind:?}"
        );
        let engine = control::ok(addr, "GET", "/engine", None).await;
        assert_eq!(engine["pending"], json!([]));
    }
}
