//! The search: Wing & Gong's algorithm with Lowe's memoisation, over sets
//! of machine states closed under engine steps.

use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{BuildHasher, BuildHasherDefault};

use serde::{Deserialize, Serialize};

use proton_cancel::{
    Configuration, Deployment, DeploymentId, DeploymentStatus, EngineResult, Input, Observed,
    Outcome, RejectionReason, Spec, Timestamp,
};

/// What a client asked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Call {
    /// Update* with `CURRENT_VERSION` and this spec.
    Update {
        /// The spec sent (unique in a run, so a lost update shows).
        spec: String,
    },
    /// Cancel*Deployment.
    Cancel,
    /// Get* (GetService for a pipeline).
    Get,
    /// Delete* (an environment or a component).
    Delete,
    /// Create* of the resource's name with this spec (unique in a run),
    /// its engine script as the model's.
    Create {
        /// The spec sent.
        spec: String,
    },
}

/// What the client got back.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Ret {
    /// The resource as the answer showed it.
    Shown {
        /// `deploymentStatus`.
        status: String,
        /// `spec` (`serviceSpec` for a component): the applied one.
        spec: Option<String>,
    },
    /// ConflictException.
    Conflict,
    /// ResourceNotFoundException: the resource is deleted.
    NotFound,
    /// A failed call (a 500, a connection the server broke by dying): it
    /// may or may not have taken effect, and if it did, it was before the
    /// failure reached the client.
    Unknown,
    /// A call the client stopped waiting for: it may or may not have taken
    /// effect, at any time after its invocation.
    TimedOut,
}

impl std::fmt::Display for Call {
    /// As histories print it: `Update(spec)`, `Cancel`, `Get`, `Delete`,
    /// `Create(spec)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Call::Update { spec } => write!(f, "Update({spec})"),
            Call::Cancel => f.write_str("Cancel"),
            Call::Get => f.write_str("Get"),
            Call::Delete => f.write_str("Delete"),
            Call::Create { spec } => write!(f, "Create({spec})"),
        }
    }
}

impl std::fmt::Display for Ret {
    /// As histories print it: the status and applied spec shown, or the
    /// error, or what an operation without an answer may have done.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ret::Shown { status, spec } => {
                write!(f, "{status} spec {}", spec.as_deref().unwrap_or("-"))
            }
            Ret::Conflict => f.write_str("ConflictException"),
            Ret::NotFound => f.write_str("ResourceNotFoundException"),
            Ret::Unknown => f.write_str("failed (may have taken effect)"),
            Ret::TimedOut => f.write_str("timed out (may take effect later)"),
        }
    }
}

/// One operation of a history.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Op {
    /// The client that made it.
    pub client: usize,
    /// What it asked.
    pub call: Call,
    /// When it was invoked, in microseconds from the start of the run.
    pub invoked: u64,
    /// When the answer (or the failure) came, in microseconds.
    pub returned: u64,
    /// The answer.
    pub ret: Ret,
}

impl Op {
    /// When the operation may last take effect: never bounded for one the
    /// client stopped waiting for.
    fn deadline(&self) -> u64 {
        if self.ret == Ret::TimedOut {
            u64::MAX
        } else {
            self.returned
        }
    }

    /// Whether the answer leaves open if and how it took effect.
    fn unanswered(&self) -> bool {
        matches!(self.ret, Ret::Unknown | Ret::TimedOut)
    }
}

/// The sequential specification of one resource: its machine as seeded,
/// and how its engine ends updates and cancellations.
#[derive(Clone, Debug)]
pub struct Model {
    /// The machine before the first operation (the states it may be in).
    pub start: Vec<Deployment>,
    /// How the engine ends an update.
    pub update_result: EngineResult,
    /// How the engine ends a cancellation.
    pub cancel_result: EngineResult,
    /// How the engine ends a deletion.
    pub delete_result: EngineResult,
}

/// The machine ignores time; every input of the model carries this one.
const AT: Timestamp = Timestamp::from_millis(0);

/// What a Get answers: the resource as [`shown`], or NotFound once it is
/// deleted.
fn got(d: &Deployment) -> Ret {
    if d.status() == DeploymentStatus::DeleteComplete {
        Ret::NotFound
    } else {
        shown(d)
    }
}

/// The status and applied spec a Get or a successful write would show.
pub fn shown(d: &Deployment) -> Ret {
    let observed = d.observe();
    let spec = match &observed.applied {
        Configuration::Template { spec, .. } => spec.as_ref(),
        Configuration::Component { service_spec } => service_spec.as_ref(),
    };
    Ret::Shown {
        status: observed.status.to_string(),
        spec: spec.map(|s| s.as_str().to_owned()),
    }
}

impl Model {
    /// The model for `initial`, whose engine ends updates, cancellations
    /// and deletions with these results.
    pub fn new(
        initial: Deployment,
        update_result: EngineResult,
        cancel_result: EngineResult,
        delete_result: EngineResult,
    ) -> Self {
        Self {
            start: vec![initial],
            update_result,
            cancel_result,
            delete_result,
        }
    }

    /// The same resource starting in any state built from the specs `ops`
    /// send and show (and its first start's): settled with any of them applied, or
    /// running towards any of them, before or after a cancel and its start,
    /// and everything the engine makes of those. A history this model
    /// refuses is wrong whatever happened before it.
    pub fn any_start(&self, ops: &[Op]) -> Self {
        let Some(first) = self.start.first() else {
            return self.clone();
        };
        let base = first.observe();
        let mut specs: Vec<Option<Spec>> = vec![match &base.applied {
            Configuration::Template { spec, .. } => spec.clone(),
            Configuration::Component { service_spec } => service_spec.clone(),
        }];
        for op in ops {
            if let Call::Update { spec } | Call::Create { spec } = &op.call {
                specs.push(Spec::new(spec.clone()).ok());
            }
            if let Ret::Shown { spec, .. } = &op.ret {
                specs.push(spec.clone().and_then(|s| Spec::new(s).ok()));
            }
        }
        let mut seen = HashSet::new();
        specs.retain(|s| seen.insert(s.as_ref().map(|s| s.as_str().to_owned())));
        let config = |spec: &Option<Spec>| match &base.applied {
            Configuration::Template { template, .. } => Configuration::Template {
                template: template.clone(),
                spec: spec.clone(),
            },
            _ => Configuration::Component {
                service_spec: spec.clone(),
            },
        };
        let running = DeploymentId::from_u128(u128::MAX);
        let mut start = Vec::new();
        for applied in &specs {
            let settled = Observed::new(base.resource.clone(), AT, config(applied));
            let Ok(settled) = Deployment::restore(settled) else {
                continue;
            };
            start.push(settled.clone());
            for target in &specs {
                let mut d = settled.clone();
                for input in [
                    Input::Update {
                        at: AT,
                        deployment_id: running,
                        target: config(target),
                        client_token: None,
                    },
                    Input::Cancel { at: AT },
                    Input::CancellationStarted {
                        at: AT,
                        deployment_id: running,
                    },
                ] {
                    let _ = d.handle(input);
                    start.push(d.clone());
                }
            }
        }
        let start = self.close(start);
        Self {
            start,
            ..self.clone()
        }
    }

    /// Every state `d` can reach by engine reports alone, `d` included.
    fn close(&self, states: Vec<Deployment>) -> Vec<Deployment> {
        let mut seen: HashSet<Observed> = HashSet::new();
        let mut out = Vec::new();
        let mut todo = states;
        while let Some(d) = todo.pop() {
            let observed = d.observe();
            if !seen.insert(observed.clone()) {
                continue;
            }
            let running = matches!(
                observed.status,
                DeploymentStatus::InProgress | DeploymentStatus::Cancelling
            );
            if observed.status == DeploymentStatus::DeleteInProgress {
                let mut next = d.clone();
                let finished = Input::DeleteFinished {
                    at: AT,
                    result: self.delete_result.clone(),
                };
                if next.handle(finished).is_applied() {
                    todo.push(next);
                }
            }
            if let (true, Some(attempt)) = (running, &observed.last_attempt) {
                let deployment_id = attempt.deployment_id;
                for input in [
                    Input::UpdateFinished {
                        at: AT,
                        deployment_id,
                        result: self.update_result.clone(),
                    },
                    Input::CancellationStarted {
                        at: AT,
                        deployment_id,
                    },
                    Input::CancellationFinished {
                        at: AT,
                        deployment_id,
                        result: self.cancel_result.clone(),
                    },
                ] {
                    let mut next = d.clone();
                    if next.handle(input).is_applied() {
                        todo.push(next);
                    }
                }
            }
            out.push(d);
        }
        out
    }

    /// The states after operation `index` (`op`) from any of `states`, where
    /// the machine gives the recorded answer, closed under engine steps.
    fn step(&self, states: &[Deployment], index: usize, op: &Op) -> Vec<Deployment> {
        let mut next = Vec::new();
        for s in states {
            let input = match &op.call {
                Call::Get => {
                    if op.unanswered() || got(s) == op.ret {
                        next.push(s.clone());
                    }
                    continue;
                }
                Call::Create { spec } => {
                    // A deleted resource's name is free: the create makes
                    // the resource anew; a name held is a conflict.
                    let created = self.created_from(s, index, spec);
                    if op.unanswered() {
                        next.push(s.clone());
                        next.extend(created);
                        continue;
                    }
                    match (&op.ret, created) {
                        (Ret::Conflict, None) if s.status() != DeploymentStatus::DeleteComplete => {
                            next.push(s.clone());
                        }
                        (Ret::Shown { .. }, Some(after)) if shown(&after) == op.ret => {
                            next.push(after);
                        }
                        _ => {}
                    }
                    continue;
                }
                Call::Delete => Input::Delete { at: AT },
                Call::Cancel => Input::Cancel { at: AT },
                Call::Update { spec } => {
                    let Ok(spec) = Spec::new(spec.clone()) else {
                        continue;
                    };
                    let target = match &s.observe().applied {
                        Configuration::Template { template, .. } => Configuration::Template {
                            template: template.clone(),
                            spec: Some(spec),
                        },
                        _ => Configuration::Component {
                            service_spec: Some(spec),
                        },
                    };
                    Input::Update {
                        at: AT,
                        deployment_id: DeploymentId::from_u128(
                            u128::try_from(index).unwrap_or(u128::MAX) + 1,
                        ),
                        target,
                        client_token: None,
                    }
                }
            };
            let mut after = s.clone();
            let outcome = after.handle(input);
            if op.unanswered() {
                // Taken effect here, or not at all: both states go on.
                next.push(s.clone());
                next.push(after);
                continue;
            }
            let fits = match (&op.ret, &outcome) {
                (Ret::Conflict, Outcome::Rejected(r)) => {
                    matches!(r.reason(), RejectionReason::Conflict(_))
                }
                (Ret::NotFound, Outcome::Rejected(r)) => {
                    matches!(r.reason(), RejectionReason::NotFound)
                }
                (Ret::Shown { .. }, Outcome::Applied(_)) => shown(&after) == op.ret,
                _ => false,
            };
            if fits {
                next.push(after);
            }
        }
        self.close(next)
    }
}

impl Model {
    /// The resource created again in place of `s` by operation `index`
    /// deploying `spec`, if `s` is deleted (a name held is a conflict).
    fn created(&self, s: &Deployment, index: usize, spec: Spec) -> Option<Deployment> {
        if s.status() != DeploymentStatus::DeleteComplete {
            return None;
        }
        let configuration = match &s.observe().applied {
            Configuration::Template { template, .. } => Configuration::Template {
                template: template.clone(),
                spec: Some(spec),
            },
            _ => Configuration::Component {
                service_spec: Some(spec),
            },
        };
        let id = DeploymentId::from_u128(u128::try_from(index).unwrap_or(u128::MAX) + 1);
        Deployment::create(s.resource().clone(), AT, id, configuration, None)
            .ok()
            .map(|(d, _)| d)
    }

    /// [`Model::created`] from the spec's text.
    fn created_from(&self, s: &Deployment, index: usize, spec: &str) -> Option<Deployment> {
        self.created(s, index, Spec::new(spec.to_owned()).ok()?)
    }
}

/// The checker's answer for one history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some real-time order of the operations gives every answer.
    Linearizable,
    /// No order does.
    NotLinearizable,
    /// The search used its whole budget of steps without an answer.
    Inconclusive,
}

/// A set of operation indexes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }
    fn has(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn with(&self, i: usize) -> Self {
        let mut b = self.clone();
        if let Some(w) = b.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
        b
    }
}

/// The memo's key: which operations are placed, and the state set (sorted
/// by hash so that equal sets compare equal).
fn key(done: &Bits, states: &[Deployment]) -> (Bits, Vec<Observed>) {
    let hasher = BuildHasherDefault::<DefaultHasher>::default();
    let mut observed: Vec<(u64, Observed)> = states
        .iter()
        .map(|d| {
            let o = d.observe();
            (hasher.hash_one(&o), o)
        })
        .collect();
    observed.sort_by_key(|(h, _)| *h);
    (done.clone(), observed.into_iter().map(|(_, o)| o).collect())
}

struct Frame {
    done: Bits,
    count: usize,
    states: Vec<Deployment>,
    candidates: Vec<usize>,
    next: usize,
    /// The operation (an index of the searched operations) placed to reach
    /// this frame.
    via: Option<usize>,
}

/// The longest prefix of some real-time order that gives every answer in
/// it: what a picture of a history shows (Porcupine's "longest partial
/// linearization").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partial {
    /// The operations placed, in their order, as indexes into the history
    /// checked.
    pub order: Vec<usize>,
    /// The states the machine may be in before each operation placed, and
    /// after the last one: `order.len() + 1` sets.
    pub states: Vec<Vec<Observed>>,
    /// The verdict on the whole history.
    pub verdict: Verdict,
}

/// Checks `ops` against `model`, using at most `budget` search steps.
pub fn check(model: &Model, ops: &[Op], budget: u64) -> Verdict {
    search(model, ops, budget).verdict
}

/// As [`check`], with the longest partial linearization found.
pub fn longest_partial(model: &Model, ops: &[Op], budget: u64) -> Partial {
    search(model, ops, budget)
}

fn observed(states: &[Deployment]) -> Vec<Observed> {
    states.iter().map(Deployment::observe).collect()
}

fn search(model: &Model, ops: &[Op], budget: u64) -> Partial {
    // Reads without an answer say nothing.
    let kept: Vec<usize> = (0..ops.len())
        .filter(|&i| {
            ops.get(i)
                .is_some_and(|o| !(o.call == Call::Get && o.unanswered()))
        })
        .collect();
    let ops: Vec<&Op> = kept.iter().filter_map(|&i| ops.get(i)).collect();
    let n = ops.len();
    let mut by_invocation: Vec<usize> = (0..n).collect();
    by_invocation.sort_by_key(|&i| ops.get(i).map(|o| o.invoked));
    let candidates = |done: &Bits| -> Vec<usize> {
        let open = by_invocation.iter().copied().filter(|&i| !done.has(i));
        let horizon = open
            .clone()
            .filter_map(|i| ops.get(i).map(|o| o.deadline()))
            .min()
            .unwrap_or(u64::MAX);
        let mut c: Vec<usize> = open
            .filter(|&i| ops.get(i).is_some_and(|o| o.invoked <= horizon))
            .collect();
        // Earliest deadline first: the greedy path is usually right.
        c.sort_by_key(|&i| ops.get(i).map(|o| o.deadline()));
        c
    };
    let start = model.close(model.start.clone());
    let mut best = Partial {
        order: Vec::new(),
        states: vec![observed(&start)],
        verdict: Verdict::NotLinearizable,
    };
    let done = Bits::new(n);
    let mut memo = HashSet::new();
    memo.insert(key(&done, &start));
    let mut stack = vec![Frame {
        candidates: candidates(&done),
        done,
        count: 0,
        states: start,
        next: 0,
        via: None,
    }];
    let mut steps = 0u64;
    let verdict = loop {
        let Some(top) = stack.last_mut() else {
            break Verdict::NotLinearizable;
        };
        if top.count == n {
            break Verdict::Linearizable;
        }
        steps += 1;
        if steps > budget {
            break Verdict::Inconclusive;
        }
        let Some(&i) = top.candidates.get(top.next) else {
            stack.pop();
            continue;
        };
        top.next += 1;
        let Some(op) = ops.get(i) else { continue };
        let states = model.step(&top.states, i, op);
        if states.is_empty() {
            continue;
        }
        let done = top.done.with(i);
        if !memo.insert(key(&done, &states)) {
            continue;
        }
        let count = top.count + 1;
        stack.push(Frame {
            candidates: candidates(&done),
            done,
            count,
            states,
            next: 0,
            via: Some(i),
        });
        if count > best.order.len() {
            best.order = stack
                .iter()
                .filter_map(|f| f.via.and_then(|v| kept.get(v)).copied())
                .collect();
            best.states = stack.iter().map(|f| observed(&f.states)).collect();
        }
    };
    best.verdict = verdict;
    best
}

/// A smallest offending part of a non-linearizable history, and whether
/// it is wrong from any start (`true`) or only from the seeded one.
///
/// First the shortest prefix (by invocation) that is not linearizable;
/// then its shortest suffix that is not linearizable from *any* start
/// ([`Model::any_start`]), so that no operation is kept only to explain
/// the state; then every operation whose removal keeps it failing is
/// removed, one at a time. Removing any one operation of the result makes
/// it linearizable.
pub fn shrink(model: &Model, ops: &[Op], budget: u64) -> (Vec<Op>, bool) {
    let mut sorted = ops.to_vec();
    sorted.sort_by_key(|o| o.invoked);
    let fails = |m: &Model, h: &[Op]| check(m, h, budget) == Verdict::NotLinearizable;
    if let Some(end) = (1..=sorted.len()).find(|&k| fails(model, sorted.get(..k).unwrap_or(&[]))) {
        sorted.truncate(end);
    }
    let from_any = (0..sorted.len()).rev().find_map(|j| {
        let suffix = sorted.get(j..).unwrap_or(&[]);
        fails(&model.any_start(suffix), suffix).then(|| suffix.to_vec())
    });
    let any = from_any.is_some();
    let mut history = from_any.unwrap_or(sorted);
    let mut i = 0;
    while i < history.len() {
        let mut without = history.clone();
        without.remove(i);
        let m = if any {
            model.any_start(&without)
        } else {
            model.clone()
        };
        if fails(&m, &without) {
            history = without;
        } else {
            i += 1;
        }
    }
    (history, any)
}
