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

use proton_cancel_test_support::builders as common;

use std::collections::{BTreeSet, HashSet, VecDeque};

use common::*;
use proton_cancel::*;
use strum::IntoEnumIterator;

const DEPTH: usize = 8;

/// The race symbol at position `step` of a history, as an input.
fn input(race: Race, step: usize) -> Input {
    race.input(t(110 + step as i64), A, B)
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

fn documented_outcome(h: &[Race]) -> Documented {
    let cancel = h.iter().position(|&s| s == Race::Cancel);
    let update_finished = h
        .iter()
        .position(|&s| matches!(s, Race::UpdateOk | Race::UpdateFail));
    // The attempt starts with the first cancellation report after the Cancel
    // (a finish implies the start).
    let start = cancel.and_then(|c| {
        h[c..]
            .iter()
            .position(|&s| matches!(s, Race::CancelStart | Race::CancelOk | Race::CancelFail))
            .map(|i| c + i)
    });
    let update_first = match (update_finished, start) {
        (Some(u), Some(s)) => u < s,
        (Some(_), None) => true,
        (None, _) => false,
    };
    match (update_finished, start) {
        (Some(u), _) if update_first => {
            if h[u] == Race::UpdateOk {
                Documented::UpdateWon
            } else {
                Documented::UpdateFailedFirst
            }
        }
        (_, Some(s)) => match h[s..]
            .iter()
            .find(|&&x| matches!(x, Race::CancelOk | Race::CancelFail))
        {
            Some(Race::CancelOk) => Documented::Cancelled,
            Some(_) => Documented::CancellationFailed,
            None => Documented::StillCancelling,
        },
        _ if cancel.is_some() => Documented::StillCancelling,
        _ => Documented::StillInProgress,
    }
}

fn check_history(h: &[Race], d: &Deployment, without_cancellation: &Deployment) {
    let expected = documented_outcome(h);
    match expected {
        Documented::StillInProgress => assert_eq!(d.stage(), Stage::InProgress, "{h:?}"),
        Documented::StillCancelling => {
            assert_eq!(d.status(), DeploymentStatus::Cancelling, "{h:?}")
        }
        Documented::Cancelled => {
            assert_eq!(d.status(), DeploymentStatus::Cancelled, "{h:?}");
            assert_eq!(
                observe(d).status_message.as_deref(),
                Some(StatusMessage::CANCELLED)
            );
            assert_eq!(
                d.applied_configuration(),
                &config(0),
                "a cancellation keeps the old configuration"
            );
            assert_eq!(observe(d).last_succeeded_deployment_id, None);
        }
        Documented::CancellationFailed => {
            assert_eq!(d.status(), DeploymentStatus::Failed, "{h:?}");
            assert_eq!(
                observe(d).status_message.as_deref(),
                Some("cancellation failed")
            );
            assert_eq!(d.applied_configuration(), &config(0));
            assert_eq!(observe(d).last_succeeded_deployment_id, None);
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
            assert_eq!(d.observe(), without_cancellation.observe(), "{h:?}");
        }
    }
}

fn walk(h: &mut Vec<Race>, d: &Deployment, without_cancellation: &Deployment, count: &mut u64) {
    *count += 1;
    check_history(h, d, without_cancellation);
    if h.len() == DEPTH {
        return;
    }
    for sym in RACE {
        let mut next = d.clone();
        let outcome = next.handle(input(sym, h.len()));
        match &outcome {
            Outcome::Applied(tr) => assert_eq!(tr.to, next.stage()),
            _ => assert_eq!(&next, d, "{outcome:?} changed the state after {h:?}"),
        }
        if sym == Race::StaleUpdateOk {
            assert_eq!(outcome, Outcome::Ignored(IgnoreReason::StaleDeploymentId));
        }
        let projected;
        let next_without = if sym.is_cancellation() {
            without_cancellation
        } else {
            let mut p = without_cancellation.clone();
            let _ = p.handle(input(sym, h.len()));
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
    use Race::{
        Cancel, CancelFail, CancelOk, CancelStart, StaleUpdateOk as Stale, UpdateFail, UpdateOk,
    };
    let cases: [(&[Race], Documented); 7] = [
        (&[Cancel, CancelStart, CancelOk], Documented::Cancelled),
        (&[Cancel, CancelFail], Documented::CancellationFailed),
        (&[Cancel, UpdateOk, CancelStart], Documented::UpdateWon),
        (&[UpdateOk, Cancel, CancelOk], Documented::UpdateWon),
        (
            &[Cancel, CancelStart, UpdateOk],
            Documented::StillCancelling,
        ),
        (
            &[CancelStart, Cancel, UpdateFail],
            Documented::UpdateFailedFirst,
        ),
        (&[Stale], Documented::StillInProgress),
    ];
    for (history, documented) in cases {
        assert_eq!(documented_outcome(history), documented, "{history:?}");
    }
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
    vec![
        created(0, Some("token-1")),
        seeded(DeploymentStatus::Succeeded, None),
        seeded(DeploymentStatus::Failed, Some("failed")),
        seeded(DeploymentStatus::Cancelled, None),
        seeded(DeploymentStatus::DeleteFailed, Some("failed")),
        seeded(DeploymentStatus::DeleteComplete, None),
    ]
}

/// The kind the table should see for `input` in `d`, worked out here from
/// the observable state alone (an independent reading of the
/// classification rules: current deployment id, client-token replay).
fn expected_kind(d: &Deployment, input: &Input) -> InputKind {
    let o = d.observe();
    let current = o.last_attempt.as_ref().map(|a| a.deployment_id);
    let finished = |ok: bool, yes: InputKind, no: InputKind| if ok { yes } else { no };
    match input {
        Input::Update {
            target,
            client_token,
            ..
        } => {
            let running_token = o
                .target
                .as_ref()
                .and_then(|_| o.last_attempt.as_ref().and_then(|a| a.client_token.clone()));
            match (client_token, running_token) {
                (Some(sent), Some(running)) if *sent == running => finished(
                    o.target.as_ref() == Some(target),
                    InputKind::UpdateReplay,
                    InputKind::UpdateTokenReused,
                ),
                _ => InputKind::Update,
            }
        }
        Input::Cancel { .. } => InputKind::Cancel,
        Input::Delete { .. } => InputKind::Delete,
        Input::DeleteFinished { result, .. } => finished(
            *result == EngineResult::Succeeded,
            InputKind::DeleteSucceeded,
            InputKind::DeleteFailed,
        ),
        Input::UpdateFinished {
            deployment_id,
            result,
            ..
        } if Some(*deployment_id) == current => finished(
            *result == EngineResult::Succeeded,
            InputKind::UpdateSucceeded,
            InputKind::UpdateFailed,
        ),
        Input::CancellationStarted { deployment_id, .. } if Some(*deployment_id) == current => {
            InputKind::CancellationStarted
        }
        Input::CancellationFinished {
            deployment_id,
            result,
            ..
        } if Some(*deployment_id) == current => finished(
            *result == EngineResult::Succeeded,
            InputKind::CancellationSucceeded,
            InputKind::CancellationFailed,
        ),
        _ => InputKind::StaleReport,
    }
}

/// The work an applied input must start: a deployment for an update, a
/// cancellation for a cancel, a deletion for a delete; nothing for a report.
fn expected_effect(input: &Input, before: &Deployment) -> Option<Effect> {
    match input {
        Input::Update {
            deployment_id,
            target,
            ..
        } => Some(start_deployment(*deployment_id, target.clone())),
        Input::Cancel { .. } => Some(Effect::StartCancellation {
            deployment_id: before.observe().last_attempt.unwrap().deployment_id,
        }),
        Input::Delete { .. } => Some(Effect::StartDeletion),
        _ => None,
    }
}

fn check_invariants(d: &Deployment) {
    let o = d.observe();
    let running = matches!(
        o.status,
        DeploymentStatus::InProgress | DeploymentStatus::Cancelling
    );
    assert_eq!(o.target.is_some(), running);
    assert_eq!(
        o.cancellation.is_some(),
        o.status == DeploymentStatus::Cancelling
    );
    assert_eq!(d.stage().status(), o.status);
    if running {
        assert!(o.last_attempt.is_some());
    }
}

/// The stored form gives back the same machine, revision included, and the
/// observed value rebuilds the same state.
fn check_round_trips(d: &Deployment) {
    let json = serde_json::to_string(d).unwrap();
    let back: Deployment = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, d, "{json}");
    let rebuilt = Deployment::restore(d.observe()).unwrap();
    assert_eq!(rebuilt.observe(), d.observe());
    assert_eq!(rebuilt.stage(), d.stage());
    assert_eq!(rebuilt.revision(), 0);
}

/// Spec: R22, R26, R27
#[test]
fn the_whole_reachable_state_graph_keeps_the_invariants_and_reaches_every_status() {
    let inputs = all_inputs();
    // States are told apart by everything observable; the revision only
    // counts the way there.
    let mut seen: HashSet<Observed> = HashSet::new();
    let mut queue: VecDeque<Deployment> = VecDeque::new();
    for d in initial_states() {
        if seen.insert(d.observe()) {
            queue.push_back(d);
        }
    }
    let mut cells: BTreeSet<(Stage, InputKind)> = BTreeSet::new();
    let mut statuses: BTreeSet<DeploymentStatus> = BTreeSet::new();
    let mut stages: BTreeSet<Stage> = BTreeSet::new();
    let mut edges = 0u64;
    let mut effects = 0u64;
    while let Some(d) = queue.pop_front() {
        check_invariants(&d);
        check_round_trips(&d);
        statuses.insert(d.status());
        stages.insert(d.stage());
        for input in &inputs {
            let kind = expected_kind(&d, input);
            let rule = transition_rule(d.stage(), kind);
            cells.insert((d.stage(), kind));
            let mut next = d.clone();
            let outcome = next.handle(input.clone());
            edges += 1;
            match (&outcome, rule) {
                (Outcome::Applied(tr), Rule::Enter(to)) => {
                    assert_eq!((tr.from, tr.to), (d.stage(), to));
                    assert_eq!(next.stage(), to);
                    assert_eq!(next.revision(), d.revision() + 1);
                    assert_eq!(tr.effect, expected_effect(input, &d), "{kind:?} in {to:?}");
                    effects += u64::from(tr.effect.is_some());
                }
                (Outcome::Ignored(r), Rule::Ignore(expected)) => assert_eq!(*r, expected),
                (Outcome::Rejected(rejection), Rule::Conflict(expected)) => {
                    assert_eq!(
                        (rejection.reason(), rejection.status(), rejection.input()),
                        (RejectionReason::Conflict(expected), d.status(), kind)
                    );
                }
                (Outcome::Rejected(rejection), Rule::NotFound) => {
                    assert_eq!(rejection.reason(), RejectionReason::NotFound);
                }
                other => panic!("outcome and table disagree: {other:?}"),
            }
            if !outcome.is_applied() {
                assert_eq!(next, d, "{outcome:?} changed the state");
                assert_eq!(outcome.effect(), None);
            }
            if seen.insert(next.observe()) {
                queue.push_back(next);
            }
        }
    }

    assert_eq!(statuses.len(), 8, "every status is reachable: {statuses:?}");
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
        "reachable state graph: {} states, {edges} edges, {effects} with an effect",
        seen.len()
    );
    assert_eq!((seen.len(), edges), (426, 11_076));
}
