//! The checker on known histories: it refuses the non-linearizable ones a
//! broken server produces (a double CANCELLING, a forgotten cancel, a lost
//! update, a read no order reaches, a failed call taking effect after its
//! failure, real-time order broken), and accepts the legal ones (the
//! update-won race, overlapping calls in either order, calls without an
//! answer either way); and the same for deletion and creation again: a
//! resource read as deleted and then as it was, or a name refused as
//! held once it was read free, are refused.

use proton_cancel::{EngineResult, StatusMessage};
use proton_cancel_checker::{Call, Op, Ret, Verdict, check, shrink};

mod common;
use common::{BUDGET, create, model, op, shown, succeeding, update};

/// The verdict on `history` of the resource whose engine succeeds.
fn verdict(history: &[Op]) -> Verdict {
    check(&succeeding(), history, BUDGET)
}

#[test]
fn two_cancels_that_both_answer_cancelling_are_not_linearizable() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Cancel, 20, 40, shown("CANCELLING", "initial")),
        op(3, Call::Cancel, 25, 45, shown("CANCELLING", "initial")),
    ];
    assert_eq!(verdict(&history), Verdict::NotLinearizable);
    // The smallest offending history is the two cancels, wrong from any
    // state: one of them must have met CANCELLING and been refused.
    let (smallest, any) = shrink(&succeeding(), &history, BUDGET);
    assert_eq!(smallest, history[1..].to_vec());
    assert!(any);
}

#[test]
fn a_state_an_answer_shows_can_start_the_smallest_offending_history() {
    // The first update settles with spec a; the second is then accepted
    // over it and says so. Only the third, accepted while the second runs,
    // is wrong: the smallest history keeps it and the second, and does not
    // need the first to explain spec a.
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Get, 20, 30, shown("SUCCEEDED", "a")),
        op(3, update("b"), 40, 50, shown("IN_PROGRESS", "a")),
        op(4, update("c"), 60, 70, shown("IN_PROGRESS", "a")),
    ];
    assert_eq!(verdict(&history), Verdict::NotLinearizable);
    let (smallest, any) = shrink(&succeeding(), &history, BUDGET);
    assert_eq!(smallest, history[2..].to_vec());
    assert!(any);
}

#[test]
fn one_cancelling_and_one_conflict_are_linearizable_in_either_order() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Cancel, 20, 40, Ret::Conflict),
        op(3, Call::Cancel, 25, 45, shown("CANCELLING", "initial")),
    ];
    assert_eq!(verdict(&history), Verdict::Linearizable);
}

#[test]
fn a_cancel_forgotten_by_a_later_read_is_not_linearizable() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Cancel, 20, 30, shown("CANCELLING", "initial")),
        op(3, Call::Get, 40, 50, shown("IN_PROGRESS", "initial")),
    ];
    assert_eq!(verdict(&history), Verdict::NotLinearizable);
}

#[test]
fn an_update_lost_without_a_cancel_is_not_linearizable() {
    // Accepted, then read as SUCCEEDED with the old spec: only a cancel
    // or a failed update could bring the old spec back, and this engine's
    // updates succeed.
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Get, 40, 50, shown("SUCCEEDED", "initial")),
    ];
    assert_eq!(verdict(&history), Verdict::NotLinearizable);
}

#[test]
fn the_update_winning_the_race_is_linearizable() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Cancel, 20, 30, shown("CANCELLING", "initial")),
        op(3, Call::Get, 40, 50, shown("SUCCEEDED", "a")),
    ];
    assert_eq!(verdict(&history), Verdict::Linearizable);
}

#[test]
fn the_engine_results_of_the_resource_bind_the_specification() {
    let fails = model(
        EngineResult::Failed(StatusMessage::new("no")),
        EngineResult::Succeeded,
    );
    let won = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Get, 40, 50, shown("SUCCEEDED", "a")),
    ];
    assert_eq!(check(&fails, &won, BUDGET), Verdict::NotLinearizable);
    let failed = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Get, 40, 50, shown("FAILED", "initial")),
    ];
    assert_eq!(check(&fails, &failed, BUDGET), Verdict::Linearizable);
}

#[test]
fn concurrent_operations_may_take_effect_out_of_invocation_order_but_not_out_of_real_time() {
    // The cancel is invoked first but can only have met the update's
    // attempt: fine while the two overlap.
    let overlapping = [
        op(1, Call::Cancel, 0, 100, shown("CANCELLING", "initial")),
        op(2, update("a"), 10, 50, shown("IN_PROGRESS", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &overlapping, BUDGET),
        Verdict::Linearizable
    );
    // Once the cancel returned before the update was invoked, it cannot.
    let ordered = [
        op(1, Call::Cancel, 0, 5, shown("CANCELLING", "initial")),
        op(2, update("a"), 10, 50, shown("IN_PROGRESS", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &ordered, BUDGET),
        Verdict::NotLinearizable
    );
}

#[test]
fn an_operation_without_an_answer_may_or_may_not_have_taken_effect() {
    let took_effect = [
        op(1, update("a"), 0, 10, Ret::Unknown),
        op(2, Call::Get, 40, 50, shown("IN_PROGRESS", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &took_effect, BUDGET),
        Verdict::Linearizable
    );
    let did_not = [
        op(1, update("a"), 0, 10, Ret::Unknown),
        op(2, Call::Get, 40, 50, shown("SUCCEEDED", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &did_not, BUDGET),
        Verdict::Linearizable
    );
    // But it cannot take effect before it was invoked.
    let before = [
        op(2, Call::Get, 0, 5, shown("IN_PROGRESS", "initial")),
        op(1, update("a"), 10, 20, Ret::Unknown),
    ];
    assert_eq!(
        check(&succeeding(), &before, BUDGET),
        Verdict::NotLinearizable
    );
}

#[test]
fn a_failed_call_takes_effect_before_its_failure_arrives_and_a_timed_out_one_at_any_time() {
    // Read unchanged after the call ended, then read as taken effect.
    let late = |ret: Ret| {
        [
            op(1, update("a"), 0, 10, ret),
            op(2, Call::Get, 20, 30, shown("SUCCEEDED", "initial")),
            op(2, Call::Get, 40, 50, shown("IN_PROGRESS", "initial")),
        ]
    };
    assert_eq!(
        check(&succeeding(), &late(Ret::Unknown), BUDGET),
        Verdict::NotLinearizable
    );
    assert_eq!(
        check(&succeeding(), &late(Ret::TimedOut), BUDGET),
        Verdict::Linearizable
    );
}

#[test]
fn a_read_of_a_state_no_order_reaches_is_refused_even_from_the_seeded_state() {
    let history = [op(1, Call::Get, 0, 5, shown("CANCELLED", "initial"))];
    assert_eq!(verdict(&history), Verdict::NotLinearizable);
    let (smallest, any) = shrink(&succeeding(), &history, BUDGET);
    assert_eq!(smallest, history.to_vec());
    assert!(!any, "CANCELLED is reachable from some start");
}

#[test]
fn a_deletion_then_a_creation_of_the_name_again_is_linearizable() {
    let history = [
        op(
            1,
            Call::Delete,
            0,
            10,
            shown("DELETE_IN_PROGRESS", "initial"),
        ),
        op(2, Call::Get, 20, 30, Ret::NotFound),
        op(3, Call::Cancel, 35, 38, Ret::NotFound),
        op(1, create("n"), 40, 50, shown("IN_PROGRESS", "n")),
        op(2, create("m"), 45, 55, Ret::Conflict),
        op(3, Call::Get, 60, 70, shown("SUCCEEDED", "n")),
    ];
    assert_eq!(verdict(&history), Verdict::Linearizable);
}

#[test]
fn a_resource_read_as_deleted_and_then_as_it_was_is_not_linearizable() {
    let history = [
        op(
            1,
            Call::Delete,
            0,
            10,
            shown("DELETE_IN_PROGRESS", "initial"),
        ),
        op(2, Call::Get, 20, 30, Ret::NotFound),
        op(3, Call::Get, 40, 50, shown("SUCCEEDED", "initial")),
    ];
    assert_eq!(verdict(&history), Verdict::NotLinearizable);
}

#[test]
fn a_name_refused_as_held_after_it_was_read_free_is_not_linearizable() {
    let history = [
        op(
            1,
            Call::Delete,
            0,
            10,
            shown("DELETE_IN_PROGRESS", "initial"),
        ),
        op(2, Call::Get, 20, 30, Ret::NotFound),
        op(3, create("n"), 40, 50, Ret::Conflict),
    ];
    assert_eq!(verdict(&history), Verdict::NotLinearizable);
    // Two creations that both made the resource: one of them met it held.
    let history = [
        op(
            1,
            Call::Delete,
            0,
            10,
            shown("DELETE_IN_PROGRESS", "initial"),
        ),
        op(2, Call::Get, 20, 30, Ret::NotFound),
        op(3, create("n"), 40, 50, shown("IN_PROGRESS", "n")),
        op(1, create("m"), 41, 51, shown("IN_PROGRESS", "m")),
    ];
    assert_eq!(verdict(&history), Verdict::NotLinearizable);
}

#[test]
fn a_delete_while_a_deployment_runs_is_a_conflict_and_a_deployment_after_a_deletion_is_not_seen() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Delete, 20, 30, Ret::Conflict),
    ];
    assert_eq!(verdict(&history), Verdict::Linearizable);
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Delete, 12, 15, shown("DELETE_IN_PROGRESS", "a")),
        op(3, Call::Get, 20, 30, shown("IN_PROGRESS", "initial")),
    ];
    assert_eq!(verdict(&history), Verdict::NotLinearizable);
}
