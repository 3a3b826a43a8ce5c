//! Each planted bug is caught by the check meant for it, within the first
//! campaign's seeds, and printed shrunk with its anomaly named.

use proton_cancel_sim::campaign::{Campaign, report_failure};
use proton_cancel_sim::{Bug, Plan, Problem, run};

/// The first failing seed of a campaign from seed 0 with `bug` planted.
fn first_failure(bug: Bug) -> u64 {
    let summary = Campaign {
        from: 0,
        runs: Some(500),
        threads: 2,
        bug: Some(bug),
        seconds: None,
    }
    .run(|_| {});
    summary
        .failed
        .unwrap_or_else(|| panic!("{} was not caught in 500 seeds", bug.name()))
}

fn problems(bug: Bug) -> (u64, Vec<Problem>) {
    let seed = first_failure(bug);
    (seed, run(&Plan::of(seed), Some(bug)).problems)
}

#[test]
fn compare_and_set_off_is_caught_as_a_history_no_order_explains() {
    let (seed, problems) = problems(Bug::CompareAndSetOff);
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::NotLinearizable { .. })),
        "seed {seed}: {problems:?}"
    );
    let report = report_failure(seed, Some(Bug::CompareAndSetOff));
    assert_eq!(seed, 2);
    assert!(
        report.contains(
            "component 'comp-a' is not linearizable: attempt from nowhere: client 2's Cancel \
             found no attempt running (ConflictException), then client 2's Cancel found one \
             (CANCELLING spec initial), and no Update accepted between them started it \
             (from any state)\n"
        ),
        "{report}"
    );
    // The fault and the engine's report meanwhile are shown beside them.
    for beside in [
        "     [   711.000] r2 applied job 2 (updateFinished)\n",
        "     [   899.000] fault failed-commit r0 for 573ms\n",
    ] {
        assert!(report.contains(beside), "{report}");
    }
}

#[test]
fn a_job_deleted_before_its_report_is_applied_is_caught_as_a_lost_report() {
    let (seed, problems) = problems(Bug::JobDeletedBeforeApply);
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::Unsettled { queued: false, .. })),
        "seed {seed}: {problems:?}"
    );
    let text = problems.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert!(
        text.iter()
            .any(|t| t.ends_with("no report is queued for it: a report was lost")),
        "{text:?}"
    );
}

#[test]
fn a_stale_cache_entry_kept_after_a_lost_compare_and_set_is_caught_as_a_request_that_never_ends() {
    let (seed, problems) = problems(Bug::StaleCacheKept);
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::Unanswered { .. })),
        "seed {seed}: {problems:?}"
    );
}

#[test]
fn a_report_applied_to_the_wrong_attempt_is_caught_by_the_attempt_it_ended() {
    let (seed, problems) = problems(Bug::ReportToWrongAttempt);
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::EndedByAnotherAttempt { .. })),
        "seed {seed}: {problems:?}"
    );
}

#[test]
fn the_same_seeds_pass_without_the_bug() {
    for bug in Bug::ALL {
        let seed = first_failure(bug);
        let outcome = run(&Plan::of(seed), None);
        assert!(outcome.passed(), "seed {seed}: {:?}", outcome.problems);
    }
}
