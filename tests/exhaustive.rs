//! Exhaustive checking, in the manner of a model checker.
//!
//! 1. Every history of up to 8 inputs over the single-attempt race alphabet
//!    (Cancel; the update succeeding or failing; the cancellation starting,
//!    succeeding or failing; a report about a stale deployment id), run from
//!    an IN_PROGRESS update: 6,725,601 histories, each checked against the
//!    three documented outcomes.
//! 2. A breadth-first exploration of the whole reachable state graph over
//!    every kind of input, checking the invariants in every state, that all
//!    eight statuses are reachable, and that every reachable cell of the
//!    transition table is exercised.

mod common;

use std::collections::{BTreeSet, HashSet, VecDeque};

use common::*;
use proton_cancel::*;
use strum::IntoEnumIterator;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sym {
    Cancel,
    UpdateOk,
    UpdateFail,
    CancelStart,
    CancelOk,
    CancelFail,
    Stale,
}

const ALPHABET: [Sym; 7] = [
    Sym::Cancel,
    Sym::UpdateOk,
    Sym::UpdateFail,
    Sym::CancelStart,
    Sym::CancelOk,
    Sym::CancelFail,
    Sym::Stale,
];
const DEPTH: usize = 8;

impl Sym {
    /// The Cancel call and the cancellation reports: what the "no effect"
    /// rule removes from a history.
    fn is_cancellation(self) -> bool {
        matches!(
            self,
            Sym::Cancel | Sym::CancelStart | Sym::CancelOk | Sym::CancelFail
        )
    }

    fn input(self, step: usize) -> Input {
        let at = t(110 + step as i64);
        match self {
            Sym::Cancel => Input::Cancel { at },
            Sym::UpdateOk => Input::UpdateFinished {
                at,
                deployment_id: A,
                result: EngineResult::Succeeded,
            },
            Sym::UpdateFail => Input::UpdateFinished {
                at,
                deployment_id: A,
                result: EngineResult::Failed(reason("update failed")),
            },
            Sym::CancelStart => Input::CancellationStarted {
                at,
                deployment_id: A,
            },
            Sym::CancelOk => Input::CancellationFinished {
                at,
                deployment_id: A,
                result: EngineResult::Succeeded,
            },
            Sym::CancelFail => Input::CancellationFinished {
                at,
                deployment_id: A,
                result: EngineResult::Failed(reason("cancellation failed")),
            },
            Sym::Stale => Input::UpdateFinished {
                at,
                deployment_id: B,
                result: EngineResult::Succeeded,
            },
        }
    }
}

/// What the documentation says a history ends in, worked out from the
/// positions of its events alone.
#[derive(Debug, PartialEq)]
enum Documented {
    /// Nothing decisive happened and no cancel was accepted.
    StillInProgress,
    /// A cancel was accepted; nothing has decided yet.
    StillCancelling,
    /// The cancellation attempt started first and succeeded: CANCELLED.
    Cancelled,
    /// The cancellation attempt started first and failed: FAILED.
    CancellationFailed,
    /// The update finished first, successfully: SUCCEEDED, cancel had no effect.
    UpdateWon,
    /// The update finished first and failed: FAILED, cancel had no effect.
    UpdateFailedFirst,
}

fn documented_outcome(h: &[Sym]) -> Documented {
    let cancel = h.iter().position(|&s| s == Sym::Cancel);
    let update_finished = h
        .iter()
        .position(|&s| matches!(s, Sym::UpdateOk | Sym::UpdateFail));
    // The attempt starts with the first cancellation report after the Cancel
    // (a finish implies the start).
    let start = cancel.and_then(|c| {
        h[c..]
            .iter()
            .position(|&s| matches!(s, Sym::CancelStart | Sym::CancelOk | Sym::CancelFail))
            .map(|i| c + i)
    });
    let update_first = match (update_finished, start) {
        (Some(u), Some(s)) => u < s,
        (Some(_), None) => true,
        (None, _) => false,
    };
    match (update_finished, start) {
        (Some(u), _) if update_first => {
            if h[u] == Sym::UpdateOk {
                Documented::UpdateWon
            } else {
                Documented::UpdateFailedFirst
            }
        }
        (_, Some(s)) => match h[s..]
            .iter()
            .find(|&&x| matches!(x, Sym::CancelOk | Sym::CancelFail))
        {
            Some(Sym::CancelOk) => Documented::Cancelled,
            Some(_) => Documented::CancellationFailed,
            None => Documented::StillCancelling,
        },
        _ if cancel.is_some() => Documented::StillCancelling,
        _ => Documented::StillInProgress,
    }
}

fn check_history(h: &[Sym], d: &Deployment, without_cancellation: &Deployment) {
    let expected = documented_outcome(h);
    match expected {
        Documented::StillInProgress => assert_eq!(d.stage(), Stage::InProgress, "{h:?}"),
        Documented::StillCancelling => {
            assert_eq!(d.status(), DeploymentStatus::Cancelling, "{h:?}")
        }
        Documented::Cancelled => {
            assert_eq!(d.status(), DeploymentStatus::Cancelled, "{h:?}");
            assert_eq!(d.status_message(), Some(CANCELLED_MESSAGE));
            assert_eq!(
                d.applied(),
                &config(0),
                "a cancellation keeps the old configuration"
            );
            assert_eq!(d.last_succeeded_deployment_id(), None);
        }
        Documented::CancellationFailed => {
            assert_eq!(d.status(), DeploymentStatus::Failed, "{h:?}");
            assert_eq!(d.status_message(), Some("cancellation failed"));
            assert_eq!(d.applied(), &config(0));
            assert_eq!(d.last_succeeded_deployment_id(), None);
        }
        Documented::UpdateWon | Documented::UpdateFailedFirst => {
            let status = if expected == Documented::UpdateWon {
                DeploymentStatus::Succeeded
            } else {
                DeploymentStatus::Failed
            };
            assert_eq!(d.status(), status, "{h:?}");
            // No effect: field for field the state of the same history with
            // the Cancel and every cancellation report removed.
            assert_eq!(d, without_cancellation, "{h:?}");
        }
    }
}

fn walk(h: &mut Vec<Sym>, d: &Deployment, without_cancellation: &Deployment, count: &mut u64) {
    *count += 1;
    check_history(h, d, without_cancellation);
    if h.len() == DEPTH {
        return;
    }
    for sym in ALPHABET {
        let mut next = d.clone();
        let outcome = next.handle(sym.input(h.len()));
        match &outcome {
            Outcome::Applied(tr) => assert_eq!(tr.to, next.stage()),
            _ => assert_eq!(&next, d, "{outcome:?} changed the state after {h:?}"),
        }
        if sym == Sym::Stale {
            assert_eq!(outcome, Outcome::Ignored(IgnoreReason::StaleDeploymentId));
        }
        let projected;
        let next_without = if sym.is_cancellation() {
            without_cancellation
        } else {
            let mut p = without_cancellation.clone();
            let _ = p.handle(sym.input(h.len()));
            projected = p;
            &projected
        };
        h.push(sym);
        walk(h, &next, next_without, count);
        h.pop();
    }
}

/// Spec: R9, R10, R11, R12, R13, R14, R19, R22
#[test]
fn every_history_of_up_to_8_race_inputs_ends_in_a_documented_outcome() {
    let start = updating();
    let mut count = 0;
    walk(&mut Vec::with_capacity(DEPTH), &start, &start, &mut count);
    let expected: u64 = (0..=DEPTH as u32).map(|k| 7u64.pow(k)).sum();
    assert_eq!(count, expected);
    assert_eq!(count, 6_725_601);
}

/// Spec: R9, R10, R11, R12
#[test]
fn the_oracle_itself_reads_the_documented_outcomes() {
    use Sym::*;
    assert_eq!(
        documented_outcome(&[Cancel, CancelStart, CancelOk]),
        Documented::Cancelled
    );
    assert_eq!(
        documented_outcome(&[Cancel, CancelFail]),
        Documented::CancellationFailed
    );
    assert_eq!(
        documented_outcome(&[Cancel, UpdateOk, CancelStart]),
        Documented::UpdateWon
    );
    assert_eq!(
        documented_outcome(&[UpdateOk, Cancel, CancelOk]),
        Documented::UpdateWon
    );
    assert_eq!(
        documented_outcome(&[Cancel, CancelStart, UpdateOk]),
        Documented::StillCancelling
    );
    assert_eq!(
        documented_outcome(&[CancelStart, Cancel, UpdateFail]),
        Documented::UpdateFailedFirst
    );
    assert_eq!(documented_outcome(&[Stale]), Documented::StillInProgress);
}

// ---------------------------------------------------------------------------
// The reachable state graph
// ---------------------------------------------------------------------------

fn all_inputs() -> Vec<Input> {
    let mut inputs = Vec::new();
    for (id, at) in [(A, 100), (B, 200)] {
        for minor in [1, 2] {
            for tok in [None, Some("token-1"), Some("token-2")] {
                inputs.push(Input::Update {
                    at: t(at),
                    deployment_id: id,
                    target: config(minor),
                    client_token: tok.map(token),
                });
            }
        }
        for result in [
            EngineResult::Succeeded,
            EngineResult::Failed(reason("failed")),
        ] {
            inputs.push(Input::UpdateFinished {
                at: t(300),
                deployment_id: id,
                result: result.clone(),
            });
            inputs.push(Input::CancellationFinished {
                at: t(300),
                deployment_id: id,
                result,
            });
        }
        inputs.push(Input::CancellationStarted {
            at: t(300),
            deployment_id: id,
        });
    }
    inputs.push(Input::Cancel { at: t(300) });
    inputs.push(Input::Delete { at: t(300) });
    inputs.push(Input::DeleteFinished {
        at: t(300),
        result: EngineResult::Succeeded,
    });
    inputs.push(Input::DeleteFinished {
        at: t(300),
        result: EngineResult::Failed(reason("failed")),
    });
    inputs
}

fn initial_states() -> Vec<Deployment> {
    let seeded = |seed| Deployment::seeded(instance(), t(0), config(0), seed);
    vec![
        Deployment::create(instance(), t(0), A, config(0), Some(token("token-1"))),
        seeded(Seed::Succeeded),
        seeded(Seed::Failed(reason("failed"))),
        seeded(Seed::Cancelled),
        seeded(Seed::DeleteFailed(reason("failed"))),
        seeded(Seed::DeleteComplete),
    ]
}

fn check_invariants(d: &Deployment) {
    let running = matches!(
        d.status(),
        DeploymentStatus::InProgress | DeploymentStatus::Cancelling
    );
    assert_eq!(d.target().is_some(), running);
    assert_eq!(
        d.cancellation().is_some(),
        d.status() == DeploymentStatus::Cancelling
    );
    assert_eq!(d.stage().status(), d.status());
    if running {
        assert!(d.last_attempted_deployment_id().is_some());
    }
}

/// Spec: R22, R26, R27
#[test]
fn the_whole_reachable_state_graph_keeps_the_invariants_and_reaches_every_status() {
    let inputs = all_inputs();
    let mut seen: HashSet<Deployment> = HashSet::new();
    let mut queue: VecDeque<Deployment> = VecDeque::new();
    for d in initial_states() {
        if seen.insert(d.clone()) {
            queue.push_back(d);
        }
    }
    let mut cells: BTreeSet<(Stage, InputKind)> = BTreeSet::new();
    let mut edges = 0u64;
    while let Some(d) = queue.pop_front() {
        check_invariants(&d);
        for input in &inputs {
            let kind = d.classify(input);
            let rule = transition_rule(d.stage(), kind);
            cells.insert((d.stage(), kind));
            let mut next = d.clone();
            let outcome = next.handle(input.clone());
            edges += 1;
            match (&outcome, rule) {
                (Outcome::Applied(tr), Rule::Enter(to)) => {
                    assert_eq!((tr.from, tr.to), (d.stage(), to));
                    assert_eq!(next.stage(), to);
                }
                (Outcome::Ignored(r), Rule::Ignore(expected)) => assert_eq!(*r, expected),
                (
                    Outcome::Rejected(Rejection::Conflict { reason, status, .. }),
                    Rule::Conflict(expected),
                ) => {
                    assert_eq!((*reason, *status), (expected, d.status()));
                }
                (Outcome::Rejected(Rejection::NotFound { .. }), Rule::NotFound) => {}
                other => panic!("outcome and table disagree: {other:?}"),
            }
            if !matches!(outcome, Outcome::Applied(_)) {
                assert_eq!(next, d);
            }
            if seen.insert(next.clone()) {
                queue.push_back(next);
            }
        }
    }

    let statuses: BTreeSet<DeploymentStatus> = seen.iter().map(Deployment::status).collect();
    assert_eq!(statuses.len(), 8, "every status is reachable: {statuses:?}");
    let stages: BTreeSet<Stage> = seen.iter().map(Deployment::stage).collect();
    assert_eq!(stages, Stage::iter().collect());

    // Every cell of the table is exercised, except the replay kinds outside
    // a running attempt: an update can only repeat the token of an attempt
    // that runs.
    let unvisited: Vec<(Stage, InputKind)> = Stage::iter()
        .flat_map(|s| InputKind::iter().map(move |k| (s, k)))
        .filter(|cell| !cells.contains(cell))
        .collect();
    let running = [
        Stage::InProgress,
        Stage::CancellationRequested,
        Stage::CancellationStarted,
    ];
    let expected: Vec<(Stage, InputKind)> = Stage::iter()
        .filter(|s| !running.contains(s))
        .flat_map(|s| {
            [
                (s, InputKind::UpdateReplay),
                (s, InputKind::UpdateTokenReused),
            ]
        })
        .collect();
    assert_eq!(unvisited, expected);
    println!(
        "reachable state graph: {} states, {edges} edges",
        seen.len()
    );
    assert!(
        seen.len() > 50 && edges > 1_000,
        "{} states, {edges} edges",
        seen.len()
    );
}
