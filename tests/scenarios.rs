//! Named scenarios: one test per documented outcome of a cancel and per
//! decision the specification (docs/spec.md) takes. Each asserts the whole
//! resulting state, and the exact text of every rejection.

use proton_cancel_test_support::builders as common;

use common::*;
use proton_cancel::*;

const WEB: &str = "service instance 'web' of service 'shop'";

// ---------------------------------------------------------------------------
// The three documented outcomes
// ---------------------------------------------------------------------------

/// Spec: R8
#[test]
fn cancel_of_in_progress_deployment_shows_cancelling_at_once() {
    let mut d = updating();
    let outcome = d.handle(Input::Cancel { at: t(110) });
    assert_eq!(
        outcome,
        applied_with(
            Some(A),
            Stage::InProgress,
            Stage::CancellationRequested,
            Effect::StartCancellation { deployment_id: A }
        )
    );
    assert_eq!(
        observe(&d),
        Seen {
            status: DeploymentStatus::Cancelling,
            stage: Stage::CancellationRequested,
            cancellation: Some(CancellationPhase::Requested),
            ..observed_updating()
        }
    );
}

/// Spec: R9
#[test]
fn cancellation_that_succeeds_gives_cancelled_and_keeps_the_old_configuration() {
    let mut d = cancel_started();
    let outcome = d.handle(cancellation_finished(130, A, EngineResult::Succeeded));
    assert_eq!(
        outcome,
        applied(Some(A), Stage::CancellationStarted, Stage::Cancelled)
    );
    assert_eq!(
        observe(&d),
        Seen {
            status: DeploymentStatus::Cancelled,
            stage: Stage::Cancelled,
            cancellation: None,
            target: None,
            status_message: Some("User initiated cancellation.".to_owned()),
            ..observed_updating()
        }
    );
}

/// Spec: R10
#[test]
fn cancellation_that_fails_gives_failed_with_the_engine_reason() {
    let mut d = cancel_started();
    let outcome = d.handle(cancellation_finished(
        130,
        A,
        EngineResult::Failed(reason("Stack rollback failed.")),
    ));
    assert_eq!(
        outcome,
        applied(Some(A), Stage::CancellationStarted, Stage::Failed)
    );
    assert_eq!(
        observe(&d),
        Seen {
            status: DeploymentStatus::Failed,
            stage: Stage::Failed,
            cancellation: None,
            target: None,
            status_message: Some("Stack rollback failed.".to_owned()),
            ..observed_updating()
        }
    );
}

/// Spec: R11, R18
#[test]
fn update_succeeds_before_cancellation_starts_gives_succeeded() {
    let mut d = cancel_requested();
    let outcome = d.handle(update_finished(115, A, EngineResult::Succeeded));
    assert_eq!(
        outcome,
        applied(Some(A), Stage::CancellationRequested, Stage::Succeeded)
    );
    let expected = Seen {
        status: DeploymentStatus::Succeeded,
        stage: Stage::Succeeded,
        cancellation: None,
        applied: config(1),
        target: None,
        last_succeeded_deployment_id: Some(A),
        last_deployment_succeeded_at: Some(t(100)),
        ..observed_updating()
    };
    assert_eq!(observe(&d), expected);

    // "The cancellation attempt has no effect": the same as if no Cancel had
    // ever been sent.
    let mut without_cancel = updating();
    let _ = without_cancel.handle(update_finished(115, A, EngineResult::Succeeded));
    assert_eq!(d.observe(), without_cancel.observe());
    // Only the revision remembers the Cancel: it was applied, then lost.
    assert_eq!((d.revision(), without_cancel.revision()), (3, 2));
}

/// Spec: R11, R20
#[test]
fn late_cancellation_reports_after_the_update_won_are_ignored() {
    let mut d = cancel_requested();
    let _ = d.handle(update_finished(115, A, EngineResult::Succeeded));
    let won = observe(&d);
    assert_ignored(
        &mut d,
        Input::CancellationStarted {
            at: t(116),
            deployment_id: A,
        },
        IgnoreReason::AttemptFinished,
    );
    assert_ignored(
        &mut d,
        cancellation_finished(117, A, EngineResult::Succeeded),
        IgnoreReason::AttemptFinished,
    );
    assert_ignored(
        &mut d,
        cancellation_finished(118, A, EngineResult::Failed(reason("late"))),
        IgnoreReason::AttemptFinished,
    );
    assert_eq!(observe(&d), won);
}

// ---------------------------------------------------------------------------
// Decisions around the race
// ---------------------------------------------------------------------------

/// Spec: R12
#[test]
fn update_fails_before_cancellation_starts_gives_failed() {
    let mut d = cancel_requested();
    let outcome = d.handle(update_finished(
        115,
        A,
        EngineResult::Failed(reason("Template render failed.")),
    ));
    assert_eq!(
        outcome,
        applied(Some(A), Stage::CancellationRequested, Stage::Failed)
    );
    assert_eq!(
        observe(&d),
        Seen {
            status: DeploymentStatus::Failed,
            stage: Stage::Failed,
            target: None,
            status_message: Some("Template render failed.".to_owned()),
            ..observed_updating()
        }
    );
    let mut without_cancel = updating();
    let _ = without_cancel.handle(update_finished(
        115,
        A,
        EngineResult::Failed(reason("Template render failed.")),
    ));
    assert_eq!(d.observe(), without_cancel.observe());
}

/// Spec: R13
#[test]
fn update_finishing_after_cancellation_started_is_ignored() {
    let mut d = cancel_started();
    assert_ignored(
        &mut d,
        update_finished(112, A, EngineResult::Succeeded),
        IgnoreReason::CancellationDecides,
    );
    assert_ignored(
        &mut d,
        update_finished(113, A, EngineResult::Failed(reason("x"))),
        IgnoreReason::CancellationDecides,
    );
    // The cancellation still decides.
    let _ = d.handle(cancellation_finished(130, A, EngineResult::Succeeded));
    assert_eq!(d.status(), DeploymentStatus::Cancelled);
    assert_eq!(d.applied_configuration(), &config(0));
}

/// Spec: R14
#[test]
fn cancellation_finish_without_a_reported_start_implies_the_start() {
    let mut d = cancel_requested();
    let outcome = d.handle(cancellation_finished(120, A, EngineResult::Succeeded));
    assert_eq!(
        outcome,
        applied(Some(A), Stage::CancellationRequested, Stage::Cancelled)
    );
    assert_eq!(
        observe(&d).status_message.as_deref(),
        Some("User initiated cancellation.")
    );

    let mut d = cancel_requested();
    let outcome = d.handle(cancellation_finished(
        120,
        A,
        EngineResult::Failed(reason("boom")),
    ));
    assert_eq!(
        outcome,
        applied(Some(A), Stage::CancellationRequested, Stage::Failed)
    );
    assert_eq!(observe(&d).status_message.as_deref(), Some("boom"));
}

/// Spec: R15, R22
#[test]
fn second_cancel_while_cancelling_is_a_conflict() {
    for mut d in [cancel_requested(), cancel_started()] {
        let rejection = assert_rejected(
            &mut d,
            Input::Cancel { at: t(112) },
            &format!(
                "cannot cancel the deployment of {WEB}: its deployment status is CANCELLING; \
                 a cancellation of its deployment is already in progress"
            ),
        );
        assert_eq!(rejection.input(), InputKind::Cancel);
        assert_eq!(rejection.status(), DeploymentStatus::Cancelling);
        assert_eq!(
            rejection.reason(),
            RejectionReason::Conflict(ConflictReason::CancellationInProgress)
        );
    }
}

/// Spec: R15, R22
#[test]
fn cancel_of_a_settled_deployment_is_a_conflict() {
    let mut succeeded = updating();
    let _ = succeeded.handle(update_finished(120, A, EngineResult::Succeeded));
    let mut failed = updating();
    let _ = failed.handle(update_finished(120, A, EngineResult::Failed(reason("x"))));
    let mut cancelled = cancel_started();
    let _ = cancelled.handle(cancellation_finished(120, A, EngineResult::Succeeded));
    for (mut d, status) in [
        (succeeded, "SUCCEEDED"),
        (failed, "FAILED"),
        (cancelled, "CANCELLED"),
    ] {
        assert_rejected(
            &mut d,
            Input::Cancel { at: t(130) },
            &format!(
                "cannot cancel the deployment of {WEB}: its deployment status is {status}; \
                 only a deployment that is IN_PROGRESS can be cancelled"
            ),
        );
    }
}

/// Spec: R15, R21
#[test]
fn cancel_during_or_after_deletion_is_refused() {
    let mut deleting = at_rest();
    let _ = deleting.handle(Input::Delete { at: t(10) });
    assert_rejected(
        &mut deleting,
        Input::Cancel { at: t(11) },
        &format!(
            "cannot cancel the deployment of {WEB}: its deployment status is DELETE_IN_PROGRESS; \
             only a deployment that is IN_PROGRESS can be cancelled"
        ),
    );
    let mut delete_failed = seeded(DeploymentStatus::DeleteFailed, Some("in use"));
    assert_rejected(
        &mut delete_failed,
        Input::Cancel { at: t(11) },
        &format!(
            "cannot cancel the deployment of {WEB}: its deployment status is DELETE_FAILED; \
             only a deployment that is IN_PROGRESS can be cancelled"
        ),
    );
    let mut deleted = seeded(DeploymentStatus::DeleteComplete, None);
    let rejection = assert_rejected(
        &mut deleted,
        Input::Cancel { at: t(11) },
        &format!(
            "cannot cancel the deployment of {WEB}: it does not exist \
             (its deployment status is DELETE_COMPLETE)"
        ),
    );
    assert_eq!(rejection.input(), InputKind::Cancel);
    assert_eq!(rejection.reason(), RejectionReason::NotFound);
}

/// Spec: R20
#[test]
fn cancellation_reports_without_a_cancel_are_ignored() {
    let mut d = updating();
    assert_ignored(
        &mut d,
        Input::CancellationStarted {
            at: t(101),
            deployment_id: A,
        },
        IgnoreReason::NoCancellationRequested,
    );
    assert_ignored(
        &mut d,
        cancellation_finished(102, A, EngineResult::Succeeded),
        IgnoreReason::NoCancellationRequested,
    );
    assert_ignored(
        &mut d,
        cancellation_finished(103, A, EngineResult::Failed(reason("x"))),
        IgnoreReason::NoCancellationRequested,
    );
    assert_eq!(observe(&d), observed_updating());
}

/// Spec: R20
#[test]
fn duplicate_cancellation_start_is_ignored() {
    let mut d = cancel_started();
    assert_ignored(
        &mut d,
        Input::CancellationStarted {
            at: t(112),
            deployment_id: A,
        },
        IgnoreReason::DuplicateCancellationStart,
    );
    assert_eq!(observe(&d).cancellation, Some(CancellationPhase::Started));
}

// ---------------------------------------------------------------------------
// Updates
// ---------------------------------------------------------------------------

/// Spec: R16, R22
#[test]
fn update_while_a_deployment_runs_is_a_conflict() {
    let mut d = updating();
    let other = Input::Update {
        at: t(105),
        deployment_id: B,
        target: config(2),
        client_token: Some(token("token-2")),
    };
    assert_rejected(
        &mut d,
        other.clone(),
        &format!(
            "cannot update {WEB}: its deployment status is IN_PROGRESS; a deployment is in \
             progress; wait for it to finish or cancel it"
        ),
    );
    let mut d = cancel_requested();
    assert_rejected(
        &mut d,
        other,
        &format!(
            "cannot update {WEB}: its deployment status is CANCELLING; a cancellation of its \
             deployment is already in progress"
        ),
    );
}

/// Spec: R16
#[test]
fn update_replay_with_the_same_token_and_target_is_idempotent() {
    let mut d = updating();
    let replay = Input::Update {
        at: t(101),
        deployment_id: B,
        target: config(1),
        client_token: Some(token("token-1")),
    };
    assert_ignored(&mut d, replay, IgnoreReason::IdempotentReplay);
    assert_eq!(observe(&d), observed_updating());
}

/// Spec: R16
#[test]
fn update_replay_with_the_same_token_but_another_target_is_a_conflict() {
    let mut d = updating();
    let reuse = Input::Update {
        at: t(101),
        deployment_id: B,
        target: config(2),
        client_token: Some(token("token-1")),
    };
    let rejection = assert_rejected(
        &mut d,
        reuse,
        &format!(
            "cannot update {WEB}: its deployment status is IN_PROGRESS; the client token of the \
             running deployment was sent again with a different configuration"
        ),
    );
    assert_eq!(rejection.input(), InputKind::UpdateTokenReused);
    assert_eq!(
        rejection.reason(),
        RejectionReason::Conflict(ConflictReason::ClientTokenReused)
    );
}

/// Spec: R16
#[test]
fn update_replay_while_cancelling_is_a_conflict() {
    let mut d = cancel_requested();
    let replay = Input::Update {
        at: t(111),
        deployment_id: B,
        target: config(1),
        client_token: Some(token("token-1")),
    };
    let rejection = assert_rejected(
        &mut d,
        replay,
        &format!(
            "cannot update {WEB}: its deployment status is CANCELLING; a cancellation of its \
             deployment is already in progress"
        ),
    );
    assert_eq!(rejection.input(), InputKind::UpdateReplay);
}

/// Spec: R17
#[test]
fn new_attempt_after_a_failure_clears_the_message_and_keeps_the_applied_configuration() {
    let mut d = updating();
    let _ = d.handle(update_finished(
        120,
        A,
        EngineResult::Failed(reason("bad spec")),
    ));
    assert_eq!(observe(&d).status_message.as_deref(), Some("bad spec"));
    let outcome = d.handle(update_b(2, None));
    assert_eq!(
        outcome,
        applied_with(
            Some(B),
            Stage::Failed,
            Stage::InProgress,
            start_deployment(B, config(2))
        )
    );
    assert_eq!(
        observe(&d),
        Seen {
            target: Some(config(2)),
            last_attempted_deployment_id: Some(B),
            last_deployment_attempted_at: Some(t(200)),
            last_client_request_token: None,
            ..observed_updating()
        }
    );
}

/// Spec: R17
#[test]
fn same_client_token_after_the_attempt_settled_starts_a_new_attempt() {
    let mut d = updating();
    let _ = d.handle(update_finished(120, A, EngineResult::Succeeded));
    let outcome = d.handle(update_b(1, Some("token-1")));
    assert_eq!(outcome.status_after(), Some(DeploymentStatus::InProgress));
    assert_eq!(observe(&d).last_attempted_deployment_id, Some(B));
}

/// Spec: R18
#[test]
fn successful_update_applies_its_target_and_stamps_success_with_the_attempt_time() {
    let mut d = updating();
    let outcome = d.handle(update_finished(160, A, EngineResult::Succeeded));
    assert_eq!(
        outcome,
        applied(Some(A), Stage::InProgress, Stage::Succeeded)
    );
    assert_eq!(
        observe(&d),
        Seen {
            status: DeploymentStatus::Succeeded,
            stage: Stage::Succeeded,
            applied: config(1),
            target: None,
            last_succeeded_deployment_id: Some(A),
            last_deployment_succeeded_at: Some(t(100)),
            ..observed_updating()
        }
    );
}

// ---------------------------------------------------------------------------
// Stale and late reports
// ---------------------------------------------------------------------------

/// Spec: R19
#[test]
fn reports_about_another_deployment_are_ignored_in_every_stage() {
    let mut deleting = at_rest();
    let _ = deleting.handle(Input::Delete { at: t(10) });
    let stages = [
        updating(),
        cancel_requested(),
        cancel_started(),
        at_rest(),
        deleting,
        seeded(DeploymentStatus::DeleteComplete, None),
    ];
    for mut d in stages {
        for report in reports_about(150, B) {
            assert_ignored(&mut d, report, IgnoreReason::StaleDeploymentId);
        }
    }
}

/// Spec: R19
#[test]
fn report_about_the_previous_attempt_does_not_touch_the_new_one() {
    let mut d = updating();
    let _ = d.handle(update_finished(120, A, EngineResult::Failed(reason("x"))));
    let _ = d.handle(update_b(2, None));
    assert_ignored(
        &mut d,
        update_finished(201, A, EngineResult::Succeeded),
        IgnoreReason::StaleDeploymentId,
    );
    assert_eq!(d.status(), DeploymentStatus::InProgress);
    assert_eq!(d.applied_configuration(), &config(0));
}

/// Spec: R20
#[test]
fn reports_about_a_finished_attempt_are_ignored() {
    let mut d = updating();
    let _ = d.handle(update_finished(
        120,
        A,
        EngineResult::Failed(reason("first")),
    ));
    assert_ignored(
        &mut d,
        update_finished(121, A, EngineResult::Succeeded),
        IgnoreReason::AttemptFinished,
    );
    assert_eq!(d.status(), DeploymentStatus::Failed);
    assert_eq!(observe(&d).status_message.as_deref(), Some("first"));
}

// ---------------------------------------------------------------------------
// Deletion
// ---------------------------------------------------------------------------

/// Spec: R21
#[test]
fn delete_of_a_settled_resource_runs_to_delete_complete() {
    let mut d = updating();
    let _ = d.handle(update_finished(120, A, EngineResult::Failed(reason("x"))));
    let outcome = d.handle(Input::Delete { at: t(130) });
    assert_eq!(
        outcome,
        applied_with(
            None,
            Stage::Failed,
            Stage::DeleteInProgress,
            Effect::StartDeletion
        )
    );
    assert_eq!(observe(&d).status_message.as_deref(), None);
    assert_ignored(
        &mut d,
        update_finished(131, A, EngineResult::Succeeded),
        IgnoreReason::AttemptFinished,
    );
    let outcome = d.handle(Input::DeleteFinished {
        at: t(140),
        result: EngineResult::Succeeded,
    });
    assert_eq!(
        outcome,
        applied(None, Stage::DeleteInProgress, Stage::DeleteComplete)
    );
    assert_eq!(
        observe(&d),
        Seen {
            status: DeploymentStatus::DeleteComplete,
            stage: Stage::DeleteComplete,
            target: None,
            ..observed_updating()
        }
    );
}

/// Spec: R21
#[test]
fn failed_deletion_keeps_its_reason_and_only_a_new_deletion_is_accepted() {
    let mut d = at_rest();
    let _ = d.handle(Input::Delete { at: t(10) });
    let outcome = d.handle(Input::DeleteFinished {
        at: t(20),
        result: EngineResult::Failed(reason("Stack in use.")),
    });
    assert_eq!(outcome.status_after(), Some(DeploymentStatus::DeleteFailed));
    assert_eq!(observe(&d).status_message.as_deref(), Some("Stack in use."));
    assert_rejected(
        &mut d,
        Input::Update {
            at: t(30),
            deployment_id: B,
            target: config(1),
            client_token: None,
        },
        &format!(
            "cannot update {WEB}: its deployment status is DELETE_FAILED; its deletion failed, \
             and only a new deletion is accepted"
        ),
    );
    let outcome = d.handle(Input::Delete { at: t(40) });
    assert_eq!(
        outcome,
        applied_with(
            None,
            Stage::DeleteFailed,
            Stage::DeleteInProgress,
            Effect::StartDeletion
        )
    );
    assert_eq!(observe(&d).status_message.as_deref(), None);
}

/// Spec: R21
#[test]
fn delete_while_deploying_or_deleting_is_a_conflict() {
    let mut d = updating();
    assert_rejected(
        &mut d,
        Input::Delete { at: t(101) },
        &format!(
            "cannot delete {WEB}: its deployment status is IN_PROGRESS; a deployment is in \
             progress; wait for it to finish or cancel it"
        ),
    );
    let mut d = cancel_started();
    assert_rejected(
        &mut d,
        Input::Delete { at: t(112) },
        &format!(
            "cannot delete {WEB}: its deployment status is CANCELLING; a cancellation of its \
             deployment is already in progress"
        ),
    );
    let mut d = at_rest();
    let _ = d.handle(Input::Delete { at: t(10) });
    assert_rejected(
        &mut d,
        Input::Delete { at: t(11) },
        &format!(
            "cannot delete {WEB}: its deployment status is DELETE_IN_PROGRESS; it is being deleted"
        ),
    );
    assert_rejected(
        &mut d,
        Input::Update {
            at: t(12),
            deployment_id: B,
            target: config(1),
            client_token: None,
        },
        &format!(
            "cannot update {WEB}: its deployment status is DELETE_IN_PROGRESS; it is being deleted"
        ),
    );
}

/// Spec: R21
#[test]
fn every_call_to_a_deleted_resource_is_not_found_and_every_report_ignored() {
    let mut d = seeded(DeploymentStatus::DeleteComplete, None);
    assert_rejected(
        &mut d,
        Input::Update {
            at: t(1),
            deployment_id: B,
            target: config(1),
            client_token: None,
        },
        &format!(
            "cannot update {WEB}: it does not exist (its deployment status is DELETE_COMPLETE)"
        ),
    );
    assert_rejected(
        &mut d,
        Input::Delete { at: t(1) },
        &format!(
            "cannot delete {WEB}: it does not exist (its deployment status is DELETE_COMPLETE)"
        ),
    );
    assert_ignored(
        &mut d,
        Input::DeleteFinished {
            at: t(2),
            result: EngineResult::Succeeded,
        },
        IgnoreReason::NoDeletionInProgress,
    );
}

/// Spec: R21
#[test]
fn deletion_reports_outside_a_deletion_are_ignored() {
    let mut d = updating();
    assert_ignored(
        &mut d,
        Input::DeleteFinished {
            at: t(101),
            result: EngineResult::Failed(reason("x")),
        },
        IgnoreReason::NoDeletionInProgress,
    );
}

// ---------------------------------------------------------------------------
// Creation, seeding, time and resource kinds
// ---------------------------------------------------------------------------

/// Spec: R23
#[test]
fn created_resource_starts_in_progress_with_its_creation_configuration_applied() {
    let (d, effect) =
        Deployment::create(instance(), t(50), A, config(3), Some(token("create-1"))).unwrap();
    assert_eq!(effect, start_deployment(A, config(3)));
    assert_eq!(d.revision(), 0);
    assert_eq!(
        observe(&d),
        // As an update of A would leave it, on the creation's configuration.
        Seen {
            applied: config(3),
            target: Some(config(3)),
            created_at: t(50),
            last_deployment_attempted_at: Some(t(50)),
            last_client_request_token: Some("create-1".to_owned()),
            ..observed_updating()
        }
    );
}

/// Spec: R23
#[test]
fn restored_resource_without_an_attempt_reports_none_rather_than_its_creation() {
    let mut o = Observed::new(instance(), t(7), config(0));
    o.status = DeploymentStatus::Failed;
    o.status_message = Some(reason("seeded"));
    let d = Deployment::restore(o).unwrap();
    assert_eq!(
        observe(&d),
        Seen {
            status: DeploymentStatus::Failed,
            stage: Stage::Failed,
            cancellation: None,
            applied: config(0),
            target: None,
            created_at: t(7),
            last_attempted_deployment_id: None,
            last_deployment_attempted_at: None,
            last_client_request_token: None,
            last_succeeded_deployment_id: None,
            last_deployment_succeeded_at: None,
            status_message: Some("seeded".to_owned()),
        }
    );
}

/// Spec: R24
#[test]
fn report_timestamps_do_not_change_the_resulting_state() {
    let run = |offset: i64| {
        let mut d = updating();
        let _ = d.handle(Input::Cancel {
            at: t(110 + offset),
        });
        let _ = d.handle(Input::CancellationStarted {
            at: t(111 + offset),
            deployment_id: A,
        });
        let _ = d.handle(cancellation_finished(
            130 + offset,
            A,
            EngineResult::Succeeded,
        ));
        d
    };
    assert_eq!(run(0), run(1_000));
    assert_eq!(run(0), run(-1_000));
}

/// Spec: R24
#[test]
fn update_time_is_recorded_as_given_even_before_creation() {
    let mut d = Deployment::restore(Observed::new(instance(), t(500), config(0))).unwrap();
    let _ = d.handle(Input::Update {
        at: t(10),
        deployment_id: A,
        target: config(1),
        client_token: None,
    });
    assert_eq!(observe(&d).last_deployment_attempted_at, Some(t(10)));
    assert_eq!(observe(&d).created_at, t(500));
}

/// Spec: R25
#[test]
fn one_machine_serves_all_four_resource_kinds() {
    let kinds = [
        (instance(), "service instance 'web' of service 'shop'"),
        (
            ResourceId::Environment { name: name("prod") },
            "environment 'prod'",
        ),
        (
            ResourceId::ServicePipeline {
                service: name("shop"),
            },
            "service pipeline of service 'shop'",
        ),
        (
            ResourceId::Component {
                name: name("cache"),
            },
            "component 'cache'",
        ),
    ];
    for (resource, label) in kinds {
        let configuration = match resource {
            ResourceId::Component { .. } => Configuration::Component { service_spec: None },
            _ => config(0),
        };
        let (mut d, _) = Deployment::create(resource, t(0), A, configuration, None).unwrap();
        let _ = d.handle(Input::Cancel { at: t(1) });
        let _ = d.handle(cancellation_finished(2, A, EngineResult::Succeeded));
        assert_eq!(d.status(), DeploymentStatus::Cancelled);
        assert_rejected(
            &mut d,
            Input::Cancel { at: t(3) },
            &format!(
                "cannot cancel the deployment of {label}: its deployment status is CANCELLED; \
                 only a deployment that is IN_PROGRESS can be cancelled"
            ),
        );
    }
}

// ---------------------------------------------------------------------------
// What the embedding is told: effects, revisions, the form of a target
// ---------------------------------------------------------------------------

/// Spec: R37
#[test]
fn each_call_that_starts_work_names_it_and_nothing_else_does() {
    let mut d = at_rest();
    let outcome = d.handle(update_a());
    assert_eq!(
        outcome,
        applied_with(
            Some(A),
            Stage::Succeeded,
            Stage::InProgress,
            start_deployment(A, config(1))
        )
    );
    let outcome = d.handle(Input::Cancel { at: t(110) });
    assert_eq!(
        outcome.effect(),
        Some(&Effect::StartCancellation { deployment_id: A })
    );
    // Engine reports move the state but start nothing.
    for input in [
        Input::CancellationStarted {
            at: t(111),
            deployment_id: A,
        },
        cancellation_finished(130, A, EngineResult::Succeeded),
    ] {
        let outcome = d.handle(input);
        assert!(outcome.is_applied());
        assert_eq!(outcome.effect(), None);
    }
    let outcome = d.handle(Input::Delete { at: t(140) });
    assert_eq!(outcome.effect(), Some(&Effect::StartDeletion));
    // Ignored and rejected inputs start nothing either.
    let ignored = d.handle(update_finished(150, A, EngineResult::Succeeded));
    assert_eq!(
        (ignored.effect(), ignored.ignore_reason()),
        (None, Some(IgnoreReason::AttemptFinished))
    );
    let rejected = d.handle(Input::Cancel { at: t(151) });
    assert_eq!(rejected.effect(), None);
    assert_eq!(
        rejected.rejection().map(Rejection::reason),
        Some(RejectionReason::Conflict(ConflictReason::NotCancellable))
    );
}

/// Spec: R38
#[test]
fn the_revision_counts_applied_inputs_only() {
    let mut d = at_rest();
    assert_eq!(d.revision(), 0);
    let _ = d.handle(update_a());
    let _ = d.handle(Input::Cancel { at: t(110) });
    assert_eq!(d.revision(), 2);
    // Ignored, then rejected: the revision stays.
    let _ = d.handle(update_finished(111, B, EngineResult::Succeeded));
    let _ = d.handle(Input::Cancel { at: t(112) });
    assert_eq!(d.revision(), 2);
    let _ = d.handle(cancellation_finished(130, A, EngineResult::Succeeded));
    assert_eq!(d.revision(), 3);
    // A machine rebuilt from what is observed starts counting again.
    assert_eq!(Deployment::restore(d.observe()).unwrap().revision(), 0);
}

/// Spec: R40
#[test]
fn an_update_whose_target_has_another_kinds_form_is_refused() {
    let mut d = updating();
    let component_form = Configuration::Component { service_spec: None };
    let rejection = assert_rejected(
        &mut d,
        Input::Update {
            at: t(200),
            deployment_id: B,
            target: component_form.clone(),
            client_token: None,
        },
        &format!(
            "cannot update {WEB}: a service instance deploys a template version, and the target \
             has none"
        ),
    );
    assert_eq!(rejection.reason(), RejectionReason::ConfigurationKind);
    assert_eq!(rejection.input(), InputKind::Update);

    let (mut cache, effect) = Deployment::create(
        ResourceId::Component {
            name: name("cache"),
        },
        t(0),
        A,
        component_form,
        None,
    )
    .unwrap();
    assert!(matches!(effect, Effect::StartDeployment { .. }));
    let _ = cache.handle(update_finished(5, A, EngineResult::Succeeded));
    assert_rejected(
        &mut cache,
        Input::Update {
            at: t(10),
            deployment_id: B,
            target: config(1),
            client_token: None,
        },
        "cannot update component 'cache': a component deploys a service spec and no template, \
         and the target has a template",
    );
}

/// Spec: R25, R40
#[test]
fn the_kind_decides_the_form_of_the_configuration() {
    use strum::IntoEnumIterator;
    let template = config(0);
    let component = Configuration::Component { service_spec: None };
    let forms: Vec<(ResourceKind, bool, bool)> = ResourceKind::iter()
        .map(|k| (k, template.fits(k), component.fits(k)))
        .collect();
    assert_eq!(
        forms,
        [
            (ResourceKind::ServiceInstance, true, false),
            (ResourceKind::Environment, true, false),
            (ResourceKind::ServicePipeline, true, false),
            (ResourceKind::Component, false, true),
        ]
    );
    assert_eq!(instance().kind(), ResourceKind::ServiceInstance);
    assert_eq!(
        ResourceKind::ServicePipeline.to_string(),
        "service pipeline"
    );
    assert_eq!(template.template().map(|t| t.minor.as_str()), Some("0"));
    assert_eq!(component.template(), None);
    let spec = Spec::new("port: 80").unwrap();
    let with_spec = Configuration::Component {
        service_spec: Some(spec.clone()),
    };
    assert_eq!(with_spec.spec(), Some(&spec));
}

/// Spec: R37
#[test]
fn outcome_helpers_say_which_of_the_three_happened() {
    let mut d = updating();
    let applied = d.handle(Input::Cancel { at: t(110) });
    assert!(applied.is_applied());
    assert_eq!(applied.status_after(), Some(DeploymentStatus::Cancelling));
    assert_eq!(
        applied.transition().map(|t| (t.from, t.to)),
        Some((Stage::InProgress, Stage::CancellationRequested))
    );
    assert_eq!((applied.ignore_reason(), applied.rejection()), (None, None));
    assert_eq!(
        applied.to_string(),
        "applied: IN_PROGRESS -> CANCELLING (requested)"
    );

    let ignored = d.handle(update_finished(111, B, EngineResult::Succeeded));
    assert!(!ignored.is_applied());
    assert_eq!(ignored.status_after(), None);
    assert_eq!(ignored.transition(), None);
    assert_eq!(
        ignored.ignore_reason(),
        Some(IgnoreReason::StaleDeploymentId)
    );
    assert_eq!(
        ignored.to_string(),
        "ignored: the report is about a deployment other than the current one"
    );

    let rejected = d.handle(Input::Cancel { at: t(112) });
    assert!(!rejected.is_applied());
    assert_eq!(rejected.ignore_reason(), None);
    assert_eq!(
        rejected.to_string(),
        format!(
            "rejected: cannot cancel the deployment of {WEB}: its deployment status is \
             CANCELLING; a cancellation of its deployment is already in progress"
        )
    );
}

/// Spec: R24
#[test]
fn every_input_carries_its_own_time() {
    let at = t(4_242);
    let inputs = [
        Input::Update {
            at,
            deployment_id: A,
            target: config(1),
            client_token: None,
        },
        Input::Cancel { at },
        Input::Delete { at },
        Input::UpdateFinished {
            at,
            deployment_id: A,
            result: EngineResult::Succeeded,
        },
        Input::CancellationStarted {
            at,
            deployment_id: A,
        },
        Input::CancellationFinished {
            at,
            deployment_id: A,
            result: EngineResult::Succeeded,
        },
        Input::DeleteFinished {
            at,
            result: EngineResult::Succeeded,
        },
    ];
    for input in inputs {
        assert_eq!(input.at(), at, "{input:?}");
    }
}

/// Spec: R19, R20, R21
#[test]
fn every_ignore_reason_reads_as_a_sentence() {
    use strum::IntoEnumIterator;
    let texts: Vec<String> = IgnoreReason::iter().map(|r| r.to_string()).collect();
    assert_eq!(
        texts,
        [
            "the report is about a deployment other than the current one",
            "no cancellation was requested",
            "the cancellation attempt had already started",
            "the cancellation attempt has started; its own result decides the outcome",
            "the current deployment attempt had already finished",
            "no deletion is in progress",
            "the update repeats the running attempt's client token: nothing new starts",
        ]
    );
}
