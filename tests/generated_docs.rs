//! docs/state-machine.md is generated from the transition table and must
//! not drift from it.
#![allow(clippy::disallowed_methods)] // the test reads the committed file

/// Spec: R29
#[test]
fn committed_state_machine_doc_is_what_the_code_generates() {
    let committed = std::fs::read_to_string("docs/state-machine.md").unwrap();
    let generated = proton_cancel::state_machine_markdown();
    assert!(
        committed == generated,
        "docs/state-machine.md is out of date; regenerate it with\n    \
         cargo run --example state_diagram > docs/state-machine.md"
    );
}

/// Spec: R29
#[test]
fn diagram_has_every_stage_and_the_race_edges() {
    let diagram = proton_cancel::mermaid_state_diagram();
    assert!(diagram.starts_with("stateDiagram-v2\n"));
    for line in [
        "    CancellationRequested: CANCELLING (requested)",
        "    InProgress --> CancellationRequested: Cancel",
        "    CancellationRequested --> Succeeded: UpdateSucceeded",
        "    CancellationRequested --> Failed: UpdateFailed, CancellationFailed",
        "    CancellationRequested --> Cancelled: CancellationSucceeded",
        "    CancellationStarted --> Cancelled: CancellationSucceeded",
        "    CancellationStarted --> Failed: CancellationFailed",
        "    Succeeded --> InProgress: Update",
        "    DeleteFailed --> DeleteInProgress: Delete",
    ] {
        assert!(
            diagram.lines().any(|l| l == line),
            "missing {line:?} in\n{diagram}"
        );
    }
    // Nothing leaves DELETE_COMPLETE.
    assert!(
        !diagram
            .lines()
            .any(|l| l.starts_with("    DeleteComplete -->"))
    );
}
