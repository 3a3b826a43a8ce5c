//! A run is a pure function of its seed and the code: the same seed prints
//! the same history, byte for byte, in this process and from the command
//! line, and a failing seed's printed command replays its shrunk run.

use std::process::Command;

use proton_cancel_sim::campaign::report_failure;
use proton_cancel_sim::{Bug, Plan, run};

const SIM: &str = env!("CARGO_BIN_EXE_proton-cancel-sim");

fn cli(args: &[&str]) -> (String, Option<i32>) {
    let out = Command::new(SIM).args(args).output().unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

#[test]
fn the_same_seed_prints_the_same_history_byte_for_byte() {
    for seed in [3, 77, 1_234] {
        let plan = Plan::of(seed);
        let first = run(&plan, None);
        let again = run(&plan, None);
        assert_eq!(first.history, again.history, "seed {seed}");
        assert!(first.history.lines().count() > 20, "{}", first.history);
        let (printed, code) = cli(&["run", "--seed", &seed.to_string()]);
        let verdict = format!(
            "seed {seed}: every check passed ({} operations)\n",
            first.operations
        );
        assert_eq!(
            printed,
            format!("{}{verdict}", first.history),
            "seed {seed}"
        );
        assert_eq!(code, Some(0));
    }
}

#[test]
fn different_seeds_give_different_histories() {
    assert_ne!(
        run(&Plan::of(1), None).history,
        run(&Plan::of(2), None).history
    );
}

#[test]
fn a_failing_seed_prints_one_command_that_replays_its_shrunk_run_byte_for_byte() {
    let report = report_failure(2, Some(Bug::CompareAndSetOff));
    let command = report
        .lines()
        .find_map(|l| l.strip_prefix("replay: cargo run -p proton-cancel-sim --release -- "))
        .unwrap_or_else(|| panic!("no replay command in:\n{report}"));
    // The flags, as a shell would split them.
    let args: Vec<String> = command
        .split(' ')
        .map(|a| a.trim_matches('\'').to_owned())
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (printed, code) = cli(&args);
    assert_eq!(code, Some(1), "{printed}");
    let history = report
        .split_once("----\n")
        .map(|(_, rest)| rest)
        .unwrap()
        .split("replay: ")
        .next()
        .unwrap();
    assert_eq!(printed, history);
    // What is printed is the shrunk run, not the whole one.
    assert!(
        ["--clients", "--ops", "--faults"]
            .iter()
            .any(|flag| command.contains(flag)),
        "nothing was cut: {command}"
    );
    assert_ne!(
        run(&Plan::of(2), Some(Bug::CompareAndSetOff)).history,
        history
    );
}

#[test]
fn a_failing_run_is_shrunk_to_fewer_clients_operations_and_faults_that_still_fail() {
    use proton_cancel_sim::shrink::shrink;
    for (seed, bug) in [
        (2, Bug::CompareAndSetOff),
        (27, Bug::JobDeletedBeforeApply),
        (2, Bug::StaleCacheKept),
    ] {
        let whole = Plan::of(seed);
        assert!(!run(&whole, Some(bug)).passed(), "seed {seed} fails whole");
        let (cut, outcome) = shrink(&whole, Some(bug));
        let shrunk = whole.cut(&cut);
        assert!(!outcome.passed());
        assert!(
            !run(&shrunk, Some(bug)).passed(),
            "the shrunk run fails too"
        );
        assert!(
            shrunk.operations() < whole.operations(),
            "seed {seed}: {} operations of {}",
            shrunk.operations(),
            whole.operations()
        );
        assert!(shrunk.clients.len() <= whole.clients.len());
        assert!(shrunk.faults.len() <= whole.faults.len());
        // The outcome printed is the shrunk run's.
        assert_eq!(outcome.history, run(&shrunk, Some(bug)).history);
    }
}
