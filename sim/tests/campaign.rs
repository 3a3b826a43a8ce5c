//! The simulation in CI: 2,000 seeded runs of the unmodified server, every
//! check passing, every fault of the model striking.

use std::io::Write as _;

use proton_cancel_sim::FaultKind;
use proton_cancel_sim::campaign::Campaign;

/// 2,000 runs (seeds 0 to 1,999), each with 2 or 3 replicas, 2 to 4
/// clients and up to 6 faults: every resource's history linearizable,
/// every resource settled and every request answered once the faults
/// stop, no job left undelivered, every record following its attempt.
#[test]
fn two_thousand_seeded_runs_pass_every_check_and_every_fault_strikes() {
    let summary = Campaign {
        from: 0,
        runs: Some(2_000),
        threads: 2,
        bug: None,
        seconds: None,
    }
    .run(|_| {});
    let _ = writeln!(std::io::stderr(), "{summary}");
    assert_eq!(summary.failed, None, "{summary}");
    assert_eq!(summary.runs, 2_000);
    // The lease is exercised: jobs are claimed again after a holder's
    // lease ended before it applied their report.
    assert!(summary.reclaims > 0, "{summary}");
    for kind in FaultKind::ALL {
        assert!(
            summary.struck.get(&kind).copied().unwrap_or(0) > 0,
            "{} never struck:\n{summary}",
            kind.name()
        );
    }
}
