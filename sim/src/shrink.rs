//! Shrinking: a failing run cut down to fewer clients, fewer operations
//! per client and fewer faults, as long as it still fails.

use crate::plan::{Cut, Plan};
use crate::run::{Bug, Outcome, run};

/// The smallest cut of `plan` found that still fails with `bug` planted
/// (the plan whole, if it passes), and its run.
pub fn shrink(plan: &Plan, bug: Option<Bug>) -> (Cut, Outcome) {
    let mut cut = Cut::default();
    let mut best = run(plan, bug);
    if best.passed() {
        return (cut, best);
    }
    let attempt = |c: &Cut, best: &mut Outcome| -> bool {
        let outcome = run(&plan.cut(c), bug);
        if outcome.passed() {
            false
        } else {
            *best = outcome;
            true
        }
    };
    // Fewer clients.
    for clients in 1..plan.clients.len() {
        let c = Cut {
            clients: Some(clients),
            ..cut.clone()
        };
        if attempt(&c, &mut best) {
            cut = c;
            break;
        }
    }
    // Fewer operations per client.
    let most = plan.clients.iter().map(Vec::len).max().unwrap_or(0);
    for ops in 1..most {
        let c = Cut {
            ops: Some(ops),
            ..cut.clone()
        };
        if attempt(&c, &mut best) {
            cut = c;
            break;
        }
    }
    // Fewer faults: each one left out if the run still fails without it.
    let mut faults: Vec<usize> = (0..plan.faults.len()).collect();
    let mut i = 0;
    while i < faults.len() {
        let mut without = faults.clone();
        without.remove(i);
        let c = Cut {
            faults: Some(without.clone()),
            ..cut.clone()
        };
        if attempt(&c, &mut best) {
            faults = without;
            cut = c;
        } else {
            i += 1;
        }
    }
    (cut, best)
}
