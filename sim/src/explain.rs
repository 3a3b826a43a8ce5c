//! Witnesses that explain: the smallest offending part of a history, with
//! the operations that ran concurrently with it put back, and the anomaly
//! named in words.

use proton_cancel_checker::{Call, Model, Op, Ret, Verdict, check};

use crate::check::BUDGET;
use crate::trace::{describe_call, describe_ret};

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
}

fn overlaps(a: &Op, b: &Op) -> bool {
    a.invoked <= b.returned && b.invoked <= a.returned
}

fn accepted(op: &Op, status: &str) -> bool {
    matches!(&op.ret, Ret::Shown { status: s, .. } if s == status)
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
            "lost update: two Updates ({} by client {}, {} by client {}) were both accepted while one attempt can run at a time",
            spec(a),
            a.client,
            spec(b),
            b.client
        );
    }
    let cancels = core
        .iter()
        .filter(|o| o.call == Call::Cancel && accepted(o, "CANCELLING"))
        .count();
    if cancels >= 2 {
        return "double cancel: two Cancels were both accepted for one attempt".to_owned();
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
            u.client,
            g.client,
            describe_ret(&g.ret)
        );
    }
    let reads: Vec<&Op> = core.iter().filter(|o| o.call == Call::Get).collect();
    if let [first, second, ..] = reads.as_slice() {
        if first.returned < second.invoked && first.ret != second.ret {
            return format!(
                "stale read: client {} read {} after client {} had read {}, and no operation between them leads back",
                second.client,
                describe_ret(&second.ret),
                first.client,
                describe_ret(&first.ret)
            );
        }
    }
    if let Some(failed) = core.iter().find(|o| o.ret == Ret::Unknown) {
        return format!(
            "late effect: client {}'s {} failed, yet only its taking effect after the failure explains what came next",
            failed.client,
            describe_call(&failed.call)
        );
    }
    "no order of these operations gives every answer".to_owned()
}

/// Explains `core`, the shrunk part of `ops` that `model` refuses
/// (`from_any`: from any start).
pub fn witness(model: &Model, ops: &[Op], core: &[Op], from_any: bool) -> Witness {
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
    if check(&m, &shown, BUDGET) != Verdict::NotLinearizable {
        shown.clone_from(&core);
    }
    Witness {
        anomaly: name(&core),
        core,
        shown,
        from_any,
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
        for op in &self.shown {
            let mark = if self.core.contains(op) { '*' } else { ' ' };
            writeln!(
                f,
                "   {mark} [{:>6}.{:03} .. {:>6}.{:03}] client {} {} -> {}",
                op.invoked / 1_000,
                op.invoked % 1_000,
                op.returned / 1_000,
                op.returned % 1_000,
                op.client,
                describe_call(&op.call),
                describe_ret(&op.ret)
            )?;
        }
        write!(
            f,
            "   (* the operations no order explains; the others ran concurrently with them)"
        )
    }
}
