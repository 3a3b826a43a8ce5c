//! Witnesses that explain: the smallest offending part of a history, with
//! the operations that ran concurrently with it put back, and the anomaly
//! named in words.

use crate::search::{Call, Model, Op, Ret, Verdict, check};

/// An offending history, explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// The anomaly, in words.
    pub anomaly: String,
    /// The operations that cannot be ordered (the shrunk core), by
    /// invocation.
    pub core: Vec<Op>,
    /// The core with every operation concurrent with it, by invocation.
    pub shown: Vec<Op>,
    /// Whether the core fails from any start, not only the seeded one.
    pub from_any: bool,
    /// The engine's reports and the faults while the shown operations ran:
    /// the steps no client made.
    pub beside: Vec<(u64, String)>,
}

fn overlaps(a: &Op, b: &Op) -> bool {
    a.invoked <= b.returned && b.invoked <= a.returned
}

fn accepted(op: &Op, status: &str) -> bool {
    matches!(&op.ret, Ret::Shown { status: s, .. } if s == status)
}

/// The spec an answer showed applied.
fn applied(op: &Op) -> &str {
    match &op.ret {
        Ret::Shown {
            spec: Some(spec), ..
        } => spec,
        _ => "-",
    }
}

/// Who made two operations.
fn by(a: &Op, b: &Op) -> String {
    if a.client == b.client {
        format!("both by client {}", a.client)
    } else {
        format!("by clients {} and {}", a.client, b.client)
    }
}

/// Names what `core` shows.
fn name(core: &[Op]) -> String {
    let updates: Vec<&Op> = core
        .iter()
        .filter(|o| matches!(o.call, Call::Update { .. }) && accepted(o, "IN_PROGRESS"))
        .collect();
    if let [a, b, ..] = updates.as_slice() {
        let spec = |o: &Op| match &o.call {
            Call::Update { spec } => spec.clone(),
            _ => String::new(),
        };
        return format!(
            "lost update: two Updates ({} and {}, {}) were both accepted over spec {}, so one was decided on a state from before the other",
            spec(a),
            spec(b),
            by(a, b),
            applied(a)
        );
    }
    let cancels: Vec<&Op> = core
        .iter()
        .filter(|o| o.call == Call::Cancel && accepted(o, "CANCELLING"))
        .collect();
    if let [a, b, ..] = cancels.as_slice() {
        return format!(
            "double cancel: two Cancels ({}) were both accepted for one attempt over spec {}, so the second was decided on a state from before the first",
            by(a, b),
            applied(a)
        );
    }
    let creates = core
        .iter()
        .filter(|o| matches!(o.call, Call::Create { .. }) && matches!(o.ret, Ret::Shown { .. }))
        .count();
    if creates >= 2 {
        return "double create: two Creates both made the resource".to_owned();
    }
    let conflicted = core
        .iter()
        .find(|o| matches!(o.call, Call::Update { .. }) && o.ret == Ret::Conflict);
    let settled_read = core.iter().find(|o| {
        o.call == Call::Get
            && matches!(&o.ret, Ret::Shown { status, .. } if ["SUCCEEDED", "FAILED", "CANCELLED"].contains(&status.as_str()))
    });
    if let (Some(u), Some(g)) = (conflicted, settled_read) {
        return format!(
            "conflict with no attempt running: client {}'s Update was refused as ConflictException while client {}'s Get read the resource settled ({}), and no attempt can end between them",
            u.client, g.client, g.ret
        );
    }
    let settled = core.iter().find(|o| {
        (o.call == Call::Cancel && o.ret == Ret::Conflict)
            || matches!(&o.ret, Ret::Shown { status, .. } if ["SUCCEEDED", "FAILED", "CANCELLED"].contains(&status.as_str()))
    });
    let running = core.iter().find(|o| {
        matches!(&o.ret, Ret::Shown { status, .. } if ["IN_PROGRESS", "CANCELLING"].contains(&status.as_str()))
            && !matches!(o.call, Call::Update { .. } | Call::Create { .. })
    });
    let started = core.iter().any(|o| {
        matches!(o.call, Call::Update { .. } | Call::Create { .. })
            && matches!(o.ret, Ret::Shown { .. })
    });
    if let (Some(s), Some(r), false) = (settled, running, started)
        && s.returned < r.invoked
    {
        return format!(
            "attempt from nowhere: client {}'s {} found no attempt running ({}), then client {}'s {} found one ({}), and no Update accepted between them started it",
            s.client, s.call, s.ret, r.client, r.call, r.ret
        );
    }
    let reads: Vec<&Op> = core.iter().filter(|o| o.call == Call::Get).collect();
    if let [first, second, ..] = reads.as_slice()
        && first.returned < second.invoked
        && first.ret != second.ret
    {
        return format!(
            "stale read: client {} read {} after client {} had read {}, and no operation between them leads back",
            second.client, second.ret, first.client, first.ret
        );
    }
    if let Some(failed) = core.iter().find(|o| o.ret == Ret::Unknown) {
        return format!(
            "late effect: client {}'s {} failed, yet only its taking effect after the failure explains what came next",
            failed.client, failed.call
        );
    }
    let answered: Vec<&Op> = core
        .iter()
        .filter(|o| matches!(o.ret, Ret::Shown { .. }))
        .collect();
    if let [first, second, ..] = answered.as_slice()
        && first.returned < second.invoked
    {
        return format!(
            "stale state: client {}'s {} answered {} after client {}'s {} had answered {}, and no step between them leads there",
            second.client, second.call, second.ret, first.client, first.call, first.ret
        );
    }
    "no order of these operations gives every answer".to_owned()
}

/// Explains `core`, the shrunk part of `ops` that `model` refuses
/// (`from_any`: from any start), with the `marks` (time, text: engine
/// reports, faults) that fall while its operations ran; the search takes
/// at most `budget` steps.
pub fn witness(
    model: &Model,
    ops: &[Op],
    (core, from_any): (&[Op], bool),
    marks: &[(u64, String)],
    budget: u64,
) -> Witness {
    let mut core = core.to_vec();
    core.sort_by_key(|o| o.invoked);
    let mut shown: Vec<Op> = ops
        .iter()
        .filter(|o| core.contains(o) || core.iter().any(|c| overlaps(c, o)))
        .cloned()
        .collect();
    shown.sort_by_key(|o| o.invoked);
    // The context stays only if the history with it still fails from the
    // same start.
    let m = if from_any {
        model.any_start(&shown)
    } else {
        model.clone()
    };
    if check(&m, &shown, budget) != Verdict::NotLinearizable {
        shown.clone_from(&core);
    }
    let from = shown.iter().map(|o| o.invoked).min().unwrap_or(0);
    let to = shown.iter().map(|o| o.returned).max().unwrap_or(0);
    let beside = marks
        .iter()
        .filter(|(at, _)| (from..=to).contains(at))
        .cloned()
        .collect();
    Witness {
        anomaly: name(&core),
        core,
        shown,
        from_any,
        beside,
    }
}

impl std::fmt::Display for Witness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let start = if self.from_any {
            "from any state"
        } else {
            "from the seeded state"
        };
        writeln!(f, "{} ({start})", self.anomaly)?;
        let mut lines: Vec<(u64, String)> = self
            .shown
            .iter()
            .map(|op| {
                let mark = if self.core.contains(op) { '*' } else { ' ' };
                (
                    op.invoked,
                    format!(
                        "   {mark} [{:>6}.{:03} .. {:>6}.{:03}] client {} {} -> {}",
                        op.invoked / 1_000,
                        op.invoked % 1_000,
                        op.returned / 1_000,
                        op.returned % 1_000,
                        op.client,
                        op.call,
                        op.ret
                    ),
                )
            })
            .collect();
        lines.extend(self.beside.iter().map(|(at, text)| {
            (
                *at,
                format!("     [{:>6}.{:03}] {text}", at / 1_000, at % 1_000),
            )
        }));
        lines.sort_by_key(|(at, _)| *at);
        for (_, line) in lines {
            writeln!(f, "{line}")?;
        }
        write!(
            f,
            "   (*: the operations no order explains; the other operations ran concurrently with them; the lines without a client are the engine's reports and the faults meanwhile)"
        )
    }
}
