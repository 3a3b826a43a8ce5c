//! The record of a deployment attempt follows the transitions that name
//! it, and only those, until it settles.

use proton_cancel::*;
use proton_cancel_test_support::builders::*;

/// Feeds `input` to `d` and has `r` follow what it did; whether `r` changed.
fn follow(d: &mut Deployment, r: &mut AttemptRecord, input: Input) -> bool {
    let at = input.at();
    let outcome = d.handle(input);
    let message = d.observe().status_message;
    outcome
        .transition()
        .is_some_and(|t| r.follow(at, t, message.as_ref()))
}

/// [`updating`] and the record its update started.
fn updating_with_its_record() -> (Deployment, AttemptRecord) {
    let before = at_rest().observe();
    let d = updating();
    let r = AttemptRecord::start(A, t(100), &before, config(1));
    (d, r)
}

/// Spec: R8, R9, R42
#[test]
fn a_record_follows_its_attempt_to_cancelled_and_then_stops() {
    let (mut d, mut r) = updating_with_its_record();
    assert_eq!(
        (
            r.status.clone(),
            r.started_at,
            r.modified_at,
            r.completed_at
        ),
        (DeploymentStatus::InProgress, t(100), t(100), None)
    );
    assert_eq!(
        (r.initial.clone(), r.target.clone()),
        (config(0), config(1))
    );
    assert_eq!(
        (r.resource.clone(), r.resource_created_at),
        (instance(), t(0))
    );

    assert!(follow(&mut d, &mut r, Input::Cancel { at: t(110) }));
    assert_eq!(
        (r.status.clone(), r.completed_at),
        (DeploymentStatus::Cancelling, None)
    );
    let started = Input::CancellationStarted {
        at: t(111),
        deployment_id: A,
    };
    assert!(follow(&mut d, &mut r, started));
    let finished = cancellation_finished(112, A, EngineResult::Succeeded);
    assert!(follow(&mut d, &mut r, finished));
    assert_eq!(r.status, DeploymentStatus::Cancelled);
    assert_eq!(
        r.status_message,
        Some(StatusMessage::new(StatusMessage::CANCELLED))
    );
    assert_eq!((r.modified_at, r.completed_at), (t(112), Some(t(112))));

    // The next attempt's transitions leave this record alone; its own
    // record names this one as the resource's last attempt.
    let before = d.observe();
    assert!(!follow(&mut d, &mut r, update_b(2, None)));
    let next = AttemptRecord::start(B, t(200), &before, config(2));
    assert_eq!(
        (next.previous_attempt, next.previous_success),
        (Some(A), None)
    );
    assert_eq!(r.status, DeploymentStatus::Cancelled);
}

/// Spec: R11, R42
#[test]
fn the_record_of_an_update_that_wins_its_race_reads_succeeded() {
    let (mut d, mut r) = updating_with_its_record();
    assert!(follow(&mut d, &mut r, Input::Cancel { at: t(110) }));
    let won = update_finished(111, A, EngineResult::Succeeded);
    assert!(follow(&mut d, &mut r, won));
    assert_eq!(
        (r.status.clone(), r.completed_at, r.status_message.clone()),
        (DeploymentStatus::Succeeded, Some(t(111)), None)
    );
}

/// Spec: R42
#[test]
fn a_record_ignores_a_transition_of_another_attempt_even_while_it_runs() {
    let (_, mut r) = updating_with_its_record();
    let started = r.clone();
    let other = Transition {
        from: Stage::InProgress,
        to: Stage::Succeeded,
        attempt: Some(B),
        effect: None,
    };
    assert!(!r.follow(t(110), &other, None));
    assert_eq!(r, started);
    let ours = Transition {
        attempt: Some(A),
        ..other
    };
    assert!(r.follow(t(110), &ours, None));
    assert_eq!(
        (r.status.clone(), r.completed_at),
        (DeploymentStatus::Succeeded, Some(t(110)))
    );
    assert!(
        !r.follow(t(120), &ours, None),
        "a settled record stays as it is"
    );
    assert_eq!(r.modified_at, t(110));
}

/// Spec: R42
#[test]
fn a_record_reads_back_from_its_serde_form() {
    let (mut d, mut r) = updating_with_its_record();
    assert!(follow(&mut d, &mut r, Input::Cancel { at: t(110) }));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["deploymentId"], A.to_string());
    assert_eq!(json["status"], "CANCELLING");
    assert_eq!(json["completedAt"], serde_json::Value::Null);
    let back: AttemptRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
}
