//! The state diagram and full transition table, generated from
//! [`transition_rule`] as Markdown with a Mermaid diagram. The committed
//! `docs/state-machine.md` is this output; a test fails when they differ.

use std::fmt::Write as _;

use strum::IntoEnumIterator;

use crate::table::{InputKind, Rule, Stage, transition_rule};

/// The Mermaid `stateDiagram-v2` source: one node per [`Stage`], one edge per
/// pair of stages that some input moves between, labelled with every such
/// input.
pub fn mermaid_state_diagram() -> String {
    let mut out = String::from("stateDiagram-v2\n    direction LR\n");
    for stage in Stage::iter() {
        let _ = writeln!(out, "    {}: {}", stage.name(), stage);
    }
    let _ = writeln!(out, "    [*] --> {}: create", Stage::InProgress.name());
    for from in Stage::iter() {
        for to in Stage::iter() {
            let labels: Vec<&str> = InputKind::iter()
                .filter(|&kind| {
                    kind.occurs_in(from) && transition_rule(from, kind) == Rule::Enter(to)
                })
                .map(InputKind::name)
                .collect();
            if !labels.is_empty() {
                let _ = writeln!(
                    out,
                    "    {} --> {}: {}",
                    from.name(),
                    to.name(),
                    labels.join(", ")
                );
            }
        }
    }
    out
}

fn cell(rule: Rule) -> String {
    match rule {
        Rule::Enter(to) => format!("→ {}", to),
        Rule::Ignore(reason) => format!("ignored ({})", <&str>::from(reason)),
        Rule::Conflict(reason) => format!("Conflict ({})", <&str>::from(reason)),
        Rule::NotFound => "NotFound".to_owned(),
    }
}

/// The whole of `docs/state-machine.md`: the diagram and the table of every
/// (input kind, stage) cell.
pub fn state_machine_markdown() -> String {
    let mut out = String::new();
    out.push_str(
        "# Deployment state machine\n\n\
         Generated from `transition_rule` in `src/table.rs`; do not edit by hand.\n\
         Regenerate with:\n\n\
         ```sh\ncargo run --example state_diagram > docs/state-machine.md\n```\n\n\
         A test (`tests/generated_docs.rs`) fails when this file differs from what the code \
         generates.\n\n\
         CANCELLING is one status on the wire but two stages here: *requested* (the update can \
         still win the race) and *started* (the cancellation's own result decides).\n\n\
         ## Diagram\n\nEdges are the inputs that are applied; every other input is ignored or \
         rejected, as the table below says.\n\n```mermaid\n",
    );
    out.push_str(&mermaid_state_diagram());
    out.push_str("```\n\n## Every cell\n\n| input \\ stage |");
    for stage in Stage::iter() {
        let _ = write!(out, " {} |", stage);
    }
    out.push_str("\n|---|");
    for _ in Stage::iter() {
        out.push_str("---|");
    }
    out.push('\n');
    for kind in InputKind::iter() {
        let _ = write!(out, "| {} |", kind.name());
        for stage in Stage::iter() {
            if kind.occurs_in(stage) {
                let _ = write!(out, " {} |", cell(transition_rule(stage, kind)));
            } else {
                out.push_str(" (cannot occur) |");
            }
        }
        out.push('\n');
    }
    out
}
