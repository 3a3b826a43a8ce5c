//! The engine worker: a report is finished once its resource took it, or
//! once the resource is gone; a report that could not be applied stays
//! queued and is delivered again.

use std::time::Duration;

use proton_cancel::*;
use proton_cancel_server::store::{NewJob, Produced, Row, Store};
use proton_cancel_server::{App, Clock, Options};
use proton_cancel_test_support::builders::*;
use serde_json::json;

/// A report of `resource`'s update of attempt `A`, due at t = `secs`.
fn report(resource: ResourceId, secs: i64) -> NewJob {
    NewJob {
        due: t(secs),
        resource,
        payload:
            json!({"report": "updateFinished", "deploymentId": A.to_string(), "failure": null})
                .to_string(),
    }
}

/// An app over `store` whose manual clock stands at t = 0.
async fn open(store: &Store) -> App {
    let options = Options {
        clock: Clock::manual(t(0)),
        ..Options::default()
    };
    App::open(store.clone(), options).await.unwrap()
}

#[tokio::test]
async fn a_report_for_a_resource_that_is_gone_is_finished_and_one_that_fails_stays_queued() {
    let store = Store::memory();
    // `web`, whose row's meta does not read: applying to it fails with 500.
    let broken = Row {
        deployment: updating(),
        meta: "not json".to_owned(),
        listed: None,
    };
    let ghost = ResourceId::Component {
        name: name("ghost"),
    };
    let produced = Produced {
        records: Vec::new(),
        jobs: vec![report(ghost, 1), report(instance(), 2)],
    };
    assert!(store.insert(&broken, &produced).await.unwrap());
    let app = open(&store).await;
    app.advance(Duration::from_secs(5)).await;
    // The ghost's report is gone; web's is still queued, and can be
    // claimed again once the lease its failed delivery took (30 s from
    // t = 5 s) has ended: the next due time says so, so the worker sleeps
    // until then instead of asking again and again.
    assert_eq!(
        store.next_due().await.unwrap(),
        Some(Timestamp::from_millis(t(35).as_millis() + 1))
    );
    app.advance(Duration::from_secs(31)).await;
    assert_eq!(
        store.next_due().await.unwrap(),
        Some(Timestamp::from_millis(t(66).as_millis() + 1)),
        "delivered again at 36 s, and failed again"
    );
}
