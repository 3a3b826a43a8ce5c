//! Histories recorded by real runs of the Jepsen-style check (seed
//! 793683697, three replicas on PostgreSQL under kills and pauses), kept in
//! `tests/histories/`: the check's verdicts hold when they are read back,
//! the compare-and-set-off runs shrink to a small offending history, and a
//! history read back is the one written.
#![allow(clippy::disallowed_methods)] // the test reads its fixtures

use proton_cancel_checker::{Recorded, Verdict, check, shrink};

const BUDGET: u64 = 5_000_000;

/// The histories of runs with compare-and-set on.
const CAS_ON: [&str; 2] = [
    "cas-on-service-instance-failing-both.jsonl",
    "cas-on-component-failing-both.jsonl",
];

/// The histories of runs with compare-and-set off.
const CAS_OFF: [&str; 2] = [
    "cas-off-service-instance.jsonl",
    "cas-off-environment-failing-rollbacks.jsonl",
];

fn recorded(file: &str) -> Recorded {
    let path = format!("{}/tests/histories/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    Recorded::from_jsonl(&text).unwrap()
}

#[test]
fn histories_of_a_run_with_compare_and_set_are_linearizable() {
    for file in CAS_ON {
        let r = recorded(file);
        assert!(r.ops.len() > 900, "{file}: {} operations", r.ops.len());
        assert_eq!(
            check(&r.model.model(), &r.ops, BUDGET),
            Verdict::Linearizable,
            "{file}"
        );
    }
}

#[test]
fn histories_of_a_run_without_compare_and_set_are_not_and_shrink_to_a_few_operations() {
    for file in CAS_OFF {
        let r = recorded(file);
        let model = r.model.model();
        assert_eq!(
            check(&model, &r.ops, BUDGET),
            Verdict::NotLinearizable,
            "{file}"
        );
        let (smallest, from_any_state) = shrink(&model, &r.ops, BUDGET);
        assert!(
            (1..=4).contains(&smallest.len()),
            "{file}: {} operations",
            smallest.len()
        );
        let model = if from_any_state {
            model.any_start(&smallest)
        } else {
            model
        };
        assert_eq!(check(&model, &smallest, BUDGET), Verdict::NotLinearizable);
    }
}

#[test]
fn a_history_reads_back_as_it_was_written_and_a_bad_line_is_named() {
    let r = recorded("cas-on-component-failing-both.jsonl");
    assert_eq!(Recorded::from_jsonl(&r.to_jsonl()).unwrap(), r);
    let mut text = r.to_jsonl();
    text.push_str("{\"client\": 1}\n");
    let err = Recorded::from_jsonl(&text).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "line {} of the recorded history cannot be read: missing field",
            r.ops.len() + 2
        )),
        "{err}"
    );
    assert_eq!(
        Recorded::from_jsonl("").unwrap_err().to_string(),
        "a recorded history starts with its model; the text is empty"
    );
}
