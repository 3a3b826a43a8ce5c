//! "The cancellation attempt has no effect": for every history in which the
//! update succeeded before the cancellation attempt started, the final state
//! equals, field for field, that of the same history with the Cancel and
//! every cancellation report removed. Random histories, with timestamps,
//! repeated cancels, stale reports and deletions mixed in; the exhaustive
//! walk (tests/exhaustive.rs) covers every short history of the race itself.

use proton_cancel_test_support::builders as common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use proton_cancel::*;

/// The history's events are the race alphabet of `tests/common`.
type Event = Race;

fn is_cancellation_report(event: Event) -> bool {
    event.is_cancellation() && event != Event::Cancel
}

/// The update succeeded before the cancellation attempt started: the first
/// update report is a success, and no cancellation report after a Cancel
/// came before it.
fn update_won_first(history: &[(Event, i64)]) -> bool {
    let mut cancel_requested = false;
    for (event, _) in history {
        match event {
            Event::Cancel => cancel_requested = true,
            e if is_cancellation_report(*e) && cancel_requested => return false,
            Event::UpdateOk => return true,
            Event::UpdateFail => return false,
            _ => {}
        }
    }
    false
}

fn run(history: impl Iterator<Item = (Event, i64)>) -> Deployment {
    let mut d = updating();
    for (event, secs) in history {
        let _ = d.handle(event.input(t(secs), A, B));
    }
    d
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => Just(Event::Cancel),
        3 => Just(Event::UpdateOk),
        1 => Just(Event::UpdateFail),
        3 => Just(Event::CancelStart),
        2 => Just(Event::CancelOk),
        2 => Just(Event::CancelFail),
        1 => Just(Event::StaleUpdateOk),
        1 => Just(Event::StaleCancelOk),
        1 => Just(Event::Delete),
        1 => Just(Event::DeleteOk),
        1 => Just(Event::DeleteFail),
    ]
}

fn timed(
    events: impl Strategy<Value = Event>,
    max: usize,
) -> impl Strategy<Value = Vec<(Event, i64)>> {
    prop::collection::vec((events, 100i64..10_000), 0..max)
}

/// Every history in which the update succeeded before the cancellation
/// attempt started has this shape: events before the first Cancel (no update
/// result; cancellation reports there find nothing requested); optionally
/// the Cancel and events without update results or cancellation reports;
/// the successful update report; then anything at all.
fn update_wins_history() -> impl Strategy<Value = Vec<(Event, i64)>> {
    let before_cancel = event().prop_filter("no Cancel, no update result", |e| {
        !matches!(e, Event::Cancel | Event::UpdateOk | Event::UpdateFail)
    });
    let after_cancel = event().prop_filter("no update result, no cancellation report", |e| {
        !matches!(e, Event::UpdateOk | Event::UpdateFail) && !is_cancellation_report(*e)
    });
    (
        timed(before_cancel, 6),
        prop::option::of(timed(after_cancel, 6)),
        100i64..10_000,
        timed(event(), 16),
    )
        .prop_map(|(before, cancel_and_after, won_at, suffix)| {
            let mut h = before;
            if let Some(after) = cancel_and_after {
                h.push((Event::Cancel, 100));
                h.extend(after);
            }
            h.push((Event::UpdateOk, won_at));
            h.extend(suffix);
            h
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10_000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/no_effect.txt",
        ))),
        ..ProptestConfig::default()
    })]

    /// Spec: R11
    #[test]
    fn a_cancel_that_lost_the_race_has_no_effect(history in update_wins_history()) {
        prop_assert!(update_won_first(&history));
        let with_cancel = run(history.iter().copied());
        let without = run(history.iter().copied().filter(|(e, _)| !e.is_cancellation()));
        // Field for field: everything observable; only the revision counts
        // the Cancel that was applied and then lost.
        prop_assert_eq!(with_cancel.observe(), without.observe());
        prop_assert_eq!(with_cancel.applied_configuration(), &config(1));
        prop_assert_eq!(observe(&with_cancel).last_succeeded_deployment_id, Some(A));
    }
}

/// Spec: R11
#[test]
fn the_condition_reads_the_race_as_documented() {
    use Race::{Cancel, CancelStart, UpdateFail, UpdateOk};
    let h = |events: &[Event]| events.iter().map(|&e| (e, 100)).collect::<Vec<_>>();
    assert!(update_won_first(&h(&[Cancel, UpdateOk, CancelStart])));
    assert!(update_won_first(&h(&[CancelStart, Cancel, UpdateOk])));
    assert!(!update_won_first(&h(&[Cancel, CancelStart, UpdateOk])));
    assert!(!update_won_first(&h(&[Cancel, UpdateFail])));
    assert!(!update_won_first(&h(&[Cancel])));
}
