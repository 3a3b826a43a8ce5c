//! Witnesses that explain: a history the checker refuses is shrunk, the
//! operations concurrent with the offending ones are put back, and the
//! anomaly is named in words; and the picture of a refused history from a
//! real run is one self-contained page.
#![allow(clippy::disallowed_methods)] // the test reads its fixtures

use proton_cancel_checker::{Call, Mark, Op, Recorded, Ret, Witness, picture, shrink, witness};

mod common;
use common::{BUDGET, op, shown, succeeding as model, update};

fn explained(history: &[Op], marks: &[(u64, String)]) -> Witness {
    let (core, any) = shrink(&model(), history, BUDGET);
    witness(&model(), history, (&core, any), marks, BUDGET)
}

#[test]
fn two_updates_accepted_over_one_spec_are_named_a_lost_update() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, update("b"), 5, 15, shown("IN_PROGRESS", "initial")),
        op(3, Call::Get, 8, 9, shown("IN_PROGRESS", "initial")),
        op(3, Call::Get, 100, 110, shown("IN_PROGRESS", "initial")),
    ];
    let w = explained(&history, &[]);
    assert_eq!(
        w.anomaly,
        "lost update: two Updates (a and b, by clients 1 and 2) were both accepted over spec \
         initial, so one was decided on a state from before the other"
    );
    assert_eq!(w.core, history[..2]);
    // The read that ran concurrently is kept beside them; the later one,
    // which explains nothing, is not.
    assert_eq!(w.shown, history[..3]);
}

#[test]
fn two_cancels_accepted_for_one_attempt_are_named_a_double_cancel_with_the_engine_beside_them() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Cancel, 20, 30, shown("CANCELLING", "initial")),
        op(2, Call::Cancel, 50, 60, shown("CANCELLING", "initial")),
    ];
    let marks = [
        (5, "r0 applied job 1 (updateFinished)".to_owned()),
        (40, "r1 applied job 2 (cancellationStarted)".to_owned()),
    ];
    let w = explained(&history, &marks);
    assert_eq!(
        w.anomaly,
        "double cancel: two Cancels (both by client 2) were both accepted for one attempt over \
         spec initial, so the second was decided on a state from before the first"
    );
    assert!(w.from_any);
    assert_eq!(w.beside, marks[1..]);
    assert_eq!(
        w.to_string(),
        "double cancel: two Cancels (both by client 2) were both accepted for one attempt over \
         spec initial, so the second was decided on a state from before the first (from any state)\n   \
         * [     0.020 ..      0.030] client 2 Cancel -> CANCELLING spec initial\n     \
         [     0.040] r1 applied job 2 (cancellationStarted)\n   \
         * [     0.050 ..      0.060] client 2 Cancel -> CANCELLING spec initial\n   \
         (*: the operations no order explains; the other operations ran concurrently with \
         them; the lines without a client are the engine's reports and the faults meanwhile)"
    );
}

#[test]
fn a_conflict_while_a_read_saw_the_resource_settled_is_named_for_what_it_is() {
    let history = [
        op(1, Call::Get, 0, 10, shown("SUCCEEDED", "initial")),
        op(2, update("a"), 20, 30, Ret::Conflict),
    ];
    let w = explained(&history, &[]);
    assert_eq!(
        w.anomaly,
        "conflict with no attempt running: client 2's Update was refused as ConflictException \
         while client 1's Get read the resource settled (SUCCEEDED spec initial), and no attempt \
         can end between them"
    );
}

#[test]
fn a_read_of_an_older_state_after_a_newer_one_is_named_a_stale_read() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Get, 20, 30, shown("SUCCEEDED", "a")),
        op(3, Call::Get, 40, 50, shown("SUCCEEDED", "initial")),
    ];
    let w = explained(&history, &[]);
    assert_eq!(
        w.anomaly,
        "stale read: client 3 read SUCCEEDED spec initial after client 2 had read SUCCEEDED \
         spec a, and no operation between them leads back"
    );
}

#[test]
fn the_picture_of_a_real_run_without_compare_and_set_is_one_page_that_fetches_nothing() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/histories/cas-off-service-instance.jsonl"
    ))
    .unwrap();
    let recorded = Recorded::from_jsonl(&text).unwrap();
    let marks = [Mark {
        at: recorded.ops[3].invoked,
        text: "a fault".to_owned(),
    }];
    let page = picture(&recorded.model, &recorded.ops, &marks, BUDGET);
    assert!(page.starts_with("<!DOCTYPE html>\n"));
    assert!(
        page.contains(
            "<h1>service instance &#39;web-a&#39; of service &#39;shop&#39;: not linearizable</h1>"
        ),
        "{}",
        &page[..600]
    );
    for outside in ["src=", "href=", "http:", "https:", "@import"] {
        assert!(!page.contains(outside), "{outside}");
    }
    // One bar per operation, and the mark.
    assert_eq!(page.matches("<div class=\"op ").count(), recorded.ops.len());
    assert_eq!(page.matches("<div class=\"mark\"").count(), 1);
    assert!(page.contains("<li>"));
}

#[test]
fn each_history_of_a_real_run_without_compare_and_set_gets_its_anomaly_named() {
    for (file, anomaly) in [
        (
            "cas-off-service-instance.jsonl",
            "attempt from nowhere: client 2's Cancel found no attempt running \
             (ConflictException), then client 1's Cancel found one (CANCELLING spec initial), \
             and no Update accepted between them started it",
        ),
        (
            "cas-off-environment-failing-rollbacks.jsonl",
            "double cancel: two Cancels (by clients 3 and 2) were both accepted for one attempt \
             over spec initial, so the second was decided on a state from before the first",
        ),
    ] {
        let text = std::fs::read_to_string(format!(
            "{}/tests/histories/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let recorded = Recorded::from_jsonl(&text).unwrap();
        let model = recorded.model.model();
        let (core, any) = shrink(&model, &recorded.ops, BUDGET);
        let w = witness(&model, &recorded.ops, (&core, any), &[], BUDGET);
        assert_eq!(w.anomaly, anomaly, "{file}");
        // The concurrent operations are kept beside the offending ones.
        assert!(w.shown.len() > w.core.len(), "{file}: {w}");
    }
}
