//! The client's waiter: every settled status ends the wait with its
//! outcome, an unknown or unsettled status keeps it going, the delays follow
//! the Smithy backoff within their bounds, and the whole wait never passes
//! the maximum.

use std::time::Duration;

use proptest::prelude::*;
use proton_cancel::waiter::*;
use proton_cancel::*;

fn policy(min_ms: u64, max_ms: u64, wait_ms: u64) -> WaitPolicy {
    WaitPolicy::new(
        Duration::from_millis(min_ms),
        Duration::from_millis(max_ms),
        Duration::from_millis(wait_ms),
    )
    .unwrap()
}

fn status(s: &DeploymentStatus) -> Observation<'_> {
    Observation::Status {
        status: s,
        message: None,
    }
}

/// A waiter for a cancel, started at the epoch, whose delays double from
/// 1 s to 8 s and which gives up after `max_wait_ms`.
fn waiting_for_cancel(max_wait_ms: u64) -> Waiter {
    Waiter::new(
        policy(1_000, 8_000, max_wait_ms),
        WaitFor::Cancel,
        Timestamp::EPOCH,
    )
}

#[test]
fn each_ceiling_is_reached_exactly_and_the_waiter_counts_its_observations() {
    let mut w = waiting_for_cancel(60_000);
    let cancelling = DeploymentStatus::Cancelling;
    let mut at = 0i64;
    for (n, ceiling) in [1_000u64, 2_000, 4_000, 8_000, 8_000]
        .into_iter()
        .enumerate()
    {
        // The largest random draw of the range [min, ceiling] is the ceiling.
        let step = w.observe(
            Timestamp::from_millis(at),
            status(&cancelling),
            ceiling - 1_000,
        );
        assert_eq!(
            step,
            Step::PollAfter(Duration::from_millis(ceiling)),
            "poll {n}"
        );
        assert_eq!(w.attempts(), u32::try_from(n).unwrap() + 1);
        at += i64::try_from(ceiling).unwrap();
    }
    let later = Waiter::new(
        policy(1_000, 8_000, 60_000),
        WaitFor::Cancel,
        Timestamp::from_secs(7),
    );
    assert_eq!(later.started(), Timestamp::from_secs(7));
    assert_eq!(later.attempts(), 0);
}

/// Spec: R45
#[test]
fn each_settled_status_ends_a_cancel_wait_with_its_outcome() {
    let reason = StatusMessage::new("the rollback failed");
    let cases = [
        (DeploymentStatus::Cancelled, WaitOutcome::Cancelled),
        (DeploymentStatus::Succeeded, WaitOutcome::UpdateWon),
        (
            DeploymentStatus::Failed,
            WaitOutcome::Failed {
                message: Some(reason.clone()),
            },
        ),
        (DeploymentStatus::DeleteComplete, WaitOutcome::Deleted),
        (
            DeploymentStatus::DeleteFailed,
            WaitOutcome::DeleteFailed {
                message: Some(reason.clone()),
            },
        ),
    ];
    for (s, expected) in cases {
        let mut w = Waiter::new(WaitPolicy::default(), WaitFor::Cancel, Timestamp::EPOCH);
        let observation = Observation::Status {
            status: &s,
            message: Some(&reason),
        };
        let step = w.observe(Timestamp::EPOCH, observation, 7);
        assert_eq!(step, Step::Done(expected), "{s}");
    }
    let mut w = Waiter::new(WaitPolicy::default(), WaitFor::Cancel, Timestamp::EPOCH);
    assert_eq!(
        w.observe(Timestamp::EPOCH, Observation::NotFound, 0),
        Step::Done(WaitOutcome::Deleted)
    );
}

/// Spec: R45
#[test]
fn waiting_for_a_deployment_reads_succeeded_as_success_not_as_a_won_race() {
    let mut w = Waiter::new(WaitPolicy::default(), WaitFor::Deployment, Timestamp::EPOCH);
    let s = DeploymentStatus::Succeeded;
    assert_eq!(
        w.observe(Timestamp::EPOCH, status(&s), 0),
        Step::Done(WaitOutcome::Succeeded)
    );
    let cancelled = DeploymentStatus::Cancelled;
    let mut w = Waiter::new(WaitPolicy::default(), WaitFor::Deployment, Timestamp::EPOCH);
    assert_eq!(
        w.observe(Timestamp::EPOCH, status(&cancelled), 0),
        Step::Done(WaitOutcome::Cancelled),
        "unlike AWS's waiter, CANCELLED ends the wait"
    );
}

/// Spec: R45
#[test]
fn outcomes_say_what_happened_in_words() {
    let said: Vec<String> = [
        WaitOutcome::Cancelled,
        WaitOutcome::UpdateWon,
        WaitOutcome::Failed {
            message: Some(StatusMessage::new("boom")),
        },
        WaitOutcome::GaveUp {
            last: DeploymentStatus::Cancelling,
        },
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(
        said,
        [
            "cancelled: the deployment was rolled back",
            "the update finished first: SUCCEEDED, and the cancel had no effect",
            "failed: boom",
            "gave up waiting: the status is still CANCELLING",
        ]
    );
}

/// Spec: R45
#[test]
fn the_delay_doubles_from_the_minimum_up_to_the_maximum_then_stops_at_the_wait() {
    let mut w = waiting_for_cancel(30_000);
    let cancelling = DeploymentStatus::Cancelling;
    let mut at = 0i64;
    let mut delays = Vec::new();
    loop {
        match w.observe(Timestamp::from_millis(at), status(&cancelling), u64::MAX) {
            Step::PollAfter(d) => {
                delays.push(d.as_millis());
                at += i64::try_from(d.as_millis()).unwrap();
            }
            Step::Done(outcome) => {
                assert_eq!(
                    outcome,
                    WaitOutcome::GaveUp {
                        last: DeploymentStatus::Cancelling
                    }
                );
                break;
            }
        }
    }
    let ceilings = [1_000u128, 2_000, 4_000, 8_000, 8_000, 8_000];
    for (d, c) in delays.iter().zip(ceilings) {
        assert!((1_000..=c).contains(d), "{d} outside [1000, {c}]");
    }
    assert_eq!(
        delays.iter().sum::<u128>(),
        30_000,
        "the last poll lands on the maximum wait"
    );
    let mut w = waiting_for_cancel(30_000);
    assert_eq!(
        w.observe(Timestamp::EPOCH, status(&cancelling), 0),
        Step::PollAfter(Duration::from_secs(1)),
        "random 0 picks the minimum"
    );
}

/// Spec: R45
#[test]
fn a_policy_that_cannot_wait_is_refused_with_its_values() {
    let err = |a, b, c| {
        WaitPolicy::new(
            Duration::from_millis(a),
            Duration::from_millis(b),
            Duration::from_millis(c),
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        err(0, 10, 10),
        "the minimum delay must be at least 1ms, not 0"
    );
    assert_eq!(
        err(5, 1, 10),
        "the maximum delay (1ms) is shorter than the minimum delay (5ms)"
    );
    assert_eq!(
        err(5, 10, 4),
        "the maximum wait (4ms) is shorter than the minimum delay (5ms)"
    );
}

fn any_status() -> impl Strategy<Value = DeploymentStatus> {
    prop_oneof![
        Just(DeploymentStatus::InProgress),
        Just(DeploymentStatus::Cancelling),
        Just(DeploymentStatus::DeleteInProgress),
        Just(DeploymentStatus::Succeeded),
        Just(DeploymentStatus::Failed),
        Just(DeploymentStatus::Cancelled),
        Just(DeploymentStatus::DeleteComplete),
        Just(DeploymentStatus::DeleteFailed),
        "[A-Z_]{1,12}".prop_map(|s| DeploymentStatus::from(s.as_str())),
    ]
}

fn any_policy() -> impl Strategy<Value = WaitPolicy> {
    (1u64..5_000, 0u64..60_000, 0u64..600_000)
        .prop_map(|(min, extra, wait)| policy(min, min + extra, min + wait))
}

/// Runs a wait that sees `statuses` (repeating the last), polling exactly
/// when told; returns the delays and the outcome.
fn run(
    p: WaitPolicy,
    wait_for: WaitFor,
    start: i64,
    statuses: &[DeploymentStatus],
    randoms: &[u64],
) -> (Vec<Duration>, WaitOutcome) {
    let mut w = Waiter::new(p, wait_for, Timestamp::from_millis(start));
    let mut at = start;
    let mut delays = Vec::new();
    for i in 0.. {
        let s = &statuses[i.min(statuses.len() - 1)];
        let r = randoms[i % randoms.len()];
        match w.observe(Timestamp::from_millis(at), status(s), r) {
            Step::PollAfter(d) => {
                delays.push(d);
                at += i64::try_from(d.as_millis()).unwrap();
            }
            Step::Done(outcome) => return (delays, outcome),
        }
    }
    unreachable!()
}

proptest! {
    /// Spec: R45
    #[test]
    fn every_wait_ends_within_the_maximum_and_every_delay_is_within_its_bounds(
        p in any_policy(),
        statuses in prop::collection::vec(any_status(), 1..20),
        randoms in prop::collection::vec(any::<u64>(), 1..8),
        start in -1_000_000i64..1_000_000,
    ) {
        let (delays, outcome) = run(p, WaitFor::Cancel, start, &statuses, &randoms);
        let total: Duration = delays.iter().sum();
        prop_assert!(total <= p.max_wait(), "{total:?} > {:?}", p.max_wait());
        let mut elapsed = Duration::ZERO;
        for (n, d) in delays.iter().enumerate() {
            let attempt = u32::try_from(n).unwrap() + 1;
            let doubled = p.min_delay().checked_mul(2u32.saturating_pow(attempt - 1)).unwrap_or(Duration::MAX);
            let ceiling = doubled.min(p.max_delay());
            prop_assert!(*d <= ceiling, "delay {n} {d:?} > {ceiling:?}");
            elapsed += *d;
            prop_assert!(*d >= p.min_delay() || elapsed == p.max_wait(),
                "delay {n} {d:?} < {:?} before the end", p.min_delay());
        }
        // It ends on the first settled status it sees, or gives up.
        let first_settled = statuses.iter().position(DeploymentStatus::is_settled);
        let gave_up = matches!(outcome, WaitOutcome::GaveUp { .. });
        match first_settled {
            Some(i) if i <= delays.len() => prop_assert!(!gave_up, "{:?}", outcome),
            _ => prop_assert!(gave_up, "{:?}", outcome),
        }
    }

    /// Spec: R45
    #[test]
    fn the_same_inputs_give_the_same_answers(
        p in any_policy(),
        statuses in prop::collection::vec(any_status(), 1..20),
        randoms in prop::collection::vec(any::<u64>(), 1..8),
    ) {
        prop_assert_eq!(
            run(p, WaitFor::Cancel, 0, &statuses, &randoms),
            run(p, WaitFor::Cancel, 0, &statuses, &randoms)
        );
    }

    /// Spec: R45, R41
    #[test]
    fn an_unknown_status_keeps_the_waiter_waiting(name in "[A-Z_]{1,12}") {
        let s = DeploymentStatus::from(name.as_str());
        prop_assume!(!s.is_settled());
        let mut w = Waiter::new(WaitPolicy::default(), WaitFor::Cancel, Timestamp::EPOCH);
        prop_assert!(matches!(w.observe(Timestamp::EPOCH, status(&s), 0), Step::PollAfter(_)));
    }
}
