//! One simulated run: replicas of the real server on a shared simulated
//! database, the clients, the engine and the nemesis on one scheduler;
//! then the quiet period and the checks.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::{Either, select};
use proton_cancel_checker::{Op, Ret};
use proton_cancel_server::store::Store;
use proton_cancel_server::store::simulated::{Planted, Shared};
use proton_cancel_server::{App, Clock, EngineOverrides, Options, Seed};

use crate::check::{self, Problem};
use crate::executor::{Executor, Handle, Stopped, WORLD, replica_group};
use crate::nemesis::{Faults, Node};
use crate::plan::{CLIENT_TIMEOUT_MS, FaultKind, LEASE_MS, Plan};
use crate::trace::Trace;
use crate::world::{self, RESOURCES, Requests as _};

/// A bug planted in the server, for the checks to catch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// Writes no longer compare what they read.
    CompareAndSetOff,
    /// The engine deletes a job before its report is applied.
    JobDeletedBeforeApply,
    /// A lost compare-and-set retries from the write cache's entry.
    StaleCacheKept,
    /// A report is applied to the resource's current attempt.
    ReportToWrongAttempt,
}

impl Bug {
    /// Every planted bug.
    pub const ALL: [Bug; 4] = [
        Bug::CompareAndSetOff,
        Bug::JobDeletedBeforeApply,
        Bug::StaleCacheKept,
        Bug::ReportToWrongAttempt,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Bug::CompareAndSetOff => "cas-off",
            Bug::JobDeletedBeforeApply => "job-deleted-before-apply",
            Bug::StaleCacheKept => "stale-cache-kept",
            Bug::ReportToWrongAttempt => "report-to-wrong-attempt",
        }
    }

    /// The bug named `name`.
    pub fn named(name: &str) -> Option<Bug> {
        Bug::ALL.into_iter().find(|b| b.name() == name)
    }

    fn planted(self) -> Planted {
        Planted {
            finish_before_apply: self == Bug::JobDeletedBeforeApply,
            keep_stale_cache: self == Bug::StaleCacheKept,
            wrong_attempt: self == Bug::ReportToWrongAttempt,
        }
    }
}

/// What a run gives.
pub struct Outcome {
    /// Its history, as text.
    pub history: String,
    /// What its checks found.
    pub problems: Vec<Problem>,
    /// Client operations answered or failed (not those never sent).
    pub operations: usize,
    /// Simulated time at the end, in milliseconds.
    pub simulated_ms: u64,
    /// How many calls or events each fault kind struck.
    pub struck: BTreeMap<FaultKind, u64>,
    /// How many times the engine workers claimed due jobs.
    pub claims: u64,
    /// Claims of a job claimed before whose report was not applied (its
    /// lease ended first).
    pub reclaims: u64,
    /// Each resource's operations, in [`RESOURCES`] order.
    pub histories: Vec<Vec<Op>>,
    /// The engine's jobs and the faults, for pictures.
    pub marks: Vec<crate::trace::Mark>,
}

impl Outcome {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How long after the last fault ends the run waits for every resource to
/// settle: a lease, the longest engine delays, and room to spare.
const SETTLE_MS: u64 = LEASE_MS + 600 + 150 + 300 + 400 + 2_000;

/// How many polls a run may take before it counts as a runaway.
const POLL_BUDGET: u64 = 3_000_000;

/// The replicas as the world sees them: each one's server, while it is up.
type Replicas = Arc<Mutex<Vec<Option<App>>>>;

struct Sim {
    handle: Handle,
    shared: Shared,
    faults: Arc<Mutex<Faults>>,
    trace: Trace,
    replicas: Replicas,
    /// Each replica's clock index on the scheduler, and its skew.
    clocks: Arc<Mutex<Vec<(usize, i64)>>>,
    seed: Seed,
    bug: Option<Bug>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sim {
    /// Starts replica `r`: opens its server on the shared database (again
    /// after a crash), then runs its engine worker.
    fn start(self: &Arc<Self>, r: usize) {
        let sim = Arc::clone(self);
        self.handle.spawn(replica_group(r), async move {
            let clock = Arc::new(AtomicI64::new(0));
            let index = sim.handle.keep_clock(Arc::clone(&clock));
            let skew = lock(&sim.clocks).get(r).map_or(0, |c| c.1);
            sim.handle.skew(index, skew);
            if let Some(c) = lock(&sim.clocks).get_mut(r) {
                c.0 = index;
            }
            let node = Node {
                replica: r,
                faults: Arc::clone(&sim.faults),
                handle: sim.handle.clone(),
                trace: sim.trace.clone(),
            };
            let mut store: Store = sim.shared.store(
                Arc::new(node),
                sim.bug.map_or(Planted::default(), Bug::planted),
            );
            if sim.bug == Some(Bug::CompareAndSetOff) {
                store = store.without_compare_and_set();
            }
            let app = loop {
                let options = Options {
                    seed: sim.seed.clone(),
                    engine: EngineOverrides::default(),
                    clock: Clock::Manual(Arc::clone(&clock)),
                    job_lease: Duration::from_millis(LEASE_MS),
                    control: false,
                };
                match App::open(store.clone(), options).await {
                    Ok(app) => break app,
                    // The database is away: try again, as a supervisor would.
                    Err(_) => sim.handle.sleep(100).await,
                }
            };
            if let Some(slot) = lock(&sim.replicas).get_mut(r) {
                *slot = Some(app.clone());
            }
            let handle = sim.handle.clone();
            let sleep =
                move |d: Duration| handle.sleep(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
            app.engine_worker(sleep).await;
        });
    }

    /// The nemesis: each fault of the plan at its time.
    async fn nemesis(self: Arc<Self>, plan: Plan) {
        for fault in plan.faults {
            let now = self.handle.now();
            self.handle.sleep(fault.at.saturating_sub(now)).await;
            let now = self.handle.now();
            let (r, until) = (fault.replica, now + fault.lasts);
            let group = replica_group(r);
            let described = match fault.kind {
                FaultKind::ClockSkew => {
                    format!(
                        "fault clock-skew r{r} {:+}ms for {}ms",
                        fault.skew, fault.lasts
                    )
                }
                kind => format!("fault {} r{r} for {}ms", kind.name(), fault.lasts),
            };
            self.trace.fault(&described);
            let mut faults = lock(&self.faults);
            faults.start(r, fault.kind, until);
            match fault.kind {
                FaultKind::Crash => {
                    let up = lock(&self.replicas).get_mut(r).and_then(Option::take);
                    if up.is_some() {
                        faults.strike(FaultKind::Crash);
                        drop(faults);
                        self.handle.crash(group);
                        let sim = Arc::clone(&self);
                        self.handle.spawn(WORLD, async move {
                            sim.handle.sleep(fault.lasts).await;
                            sim.trace.fault(&format!("restart r{r}"));
                            sim.start(r);
                        });
                    }
                }
                FaultKind::Pause => {
                    faults.strike(FaultKind::Pause);
                    drop(faults);
                    self.handle.pause(group);
                    let sim = Arc::clone(&self);
                    self.handle.spawn(WORLD, async move {
                        sim.handle.sleep(fault.lasts).await;
                        sim.trace.fault(&format!("resume r{r}"));
                        sim.handle.resume(group);
                    });
                }
                FaultKind::ClockSkew => {
                    faults.strike(FaultKind::ClockSkew);
                    drop(faults);
                    self.set_skew(r, fault.skew);
                    let sim = Arc::clone(&self);
                    self.handle.spawn(WORLD, async move {
                        sim.handle.sleep(fault.lasts).await;
                        sim.set_skew(r, 0);
                    });
                }
                _ => {}
            }
        }
    }

    fn set_skew(&self, r: usize, skew: i64) {
        let index = lock(&self.clocks).get_mut(r).map(|c| {
            c.1 = skew;
            c.0
        });
        if let Some(index) = index {
            self.handle.skew(index, skew);
        }
    }

    /// One client: its operations in order, each sent to its replica and
    /// waited for at most [`CLIENT_TIMEOUT_MS`].
    async fn client(
        self: Arc<Self>,
        client: usize,
        ops: Vec<crate::plan::PlannedOp>,
        plan: Arc<Plan>,
    ) {
        for planned in ops {
            self.handle.sleep(planned.think).await;
            let Some(resource) = RESOURCES.get(planned.resource) else {
                continue;
            };
            let engine = plan
                .engines
                .get(planned.resource)
                .map(|e| resource.engine(e))
                .unwrap_or_default();
            let Some((operation, body)) = resource.request(&planned.call, &engine) else {
                continue;
            };
            let r = planned.replica;
            let Some(app) = lock(&self.replicas).get(r).cloned().flatten() else {
                // The replica is down: the connection is refused, and the
                // request never sent.
                continue;
            };
            let label = resource.id().to_string();
            let invoked = self.trace.invoke(client, r, &planned.call, &label);
            let key = self
                .trace
                .started(format!("c{client} r{r} {} {label}", planned.call));
            let (tx, rx) = tokio::sync::oneshot::channel();
            // Ends the request when its task ends or is dropped, polled or
            // not.
            struct Ends(Trace, usize);
            impl Drop for Ends {
                fn drop(&mut self) {
                    self.0.ended(self.1);
                }
            }
            let ends = Ends(self.trace.clone(), key);
            self.handle.spawn(replica_group(r), async move {
                let _ends = ends;
                let body = serde_json::to_vec(&body).unwrap_or_default();
                let _ = tx.send(app.call(operation, &body).await);
            });
            let timeout = self.handle.sleep(CLIENT_TIMEOUT_MS);
            let ret = match select(rx, timeout).await {
                Either::Left((Ok(answer), _)) => match resource.answer(answer) {
                    Ok(ret) => ret,
                    Err(unexpected) => {
                        let at = self.trace.stamp();
                        self.trace
                            .line(at, &format!("c{client} unexpected answer: {unexpected}"));
                        Ret::Unknown
                    }
                },
                // The replica died with the request.
                Either::Left((Err(_), _)) => Ret::Unknown,
                Either::Right(_) => Ret::TimedOut,
            };
            let op = Op {
                client,
                call: planned.call.clone(),
                invoked,
                returned: self.trace.stamp(),
                ret,
            };
            self.trace.returned(planned.resource, &label, op, r);
        }
    }
}

/// Runs `plan`, with `bug` planted if any, and checks it.
pub fn run(plan: &Plan, bug: Option<Bug>) -> Outcome {
    let mut executor = Executor::new(plan.schedule_seed);
    let handle = executor.handle();
    let trace = Trace::new(handle.clone());
    let engines: Vec<serde_json::Value> = RESOURCES
        .iter()
        .zip(&plan.engines)
        .map(|(r, delays)| r.engine(delays))
        .collect();
    let seed: Seed = serde_json::from_value(world::seed(&RESOURCES, &engines))
        .unwrap_or_else(|e| unreachable!("the simulation's seed is a seed: {e}"));
    let sim = Arc::new(Sim {
        handle: handle.clone(),
        shared: Shared::new(),
        faults: Arc::new(Mutex::new(Faults::new(
            plan.replicas,
            plan.schedule_seed ^ 0x5eed,
        ))),
        trace: trace.clone(),
        replicas: Arc::new(Mutex::new(vec![None; plan.replicas])),
        clocks: Arc::new(Mutex::new(vec![(0, 0); plan.replicas])),
        seed,
        bug,
    });
    for r in 0..plan.replicas {
        sim.start(r);
    }
    // The replicas open before the clients start.
    let mut problems = Vec::new();
    if executor.run_until(0, POLL_BUDGET) == Stopped::Runaway {
        problems.push(Problem::Runaway);
    }
    let shared_plan = Arc::new(plan.clone());
    let done = Arc::new(Mutex::new(0usize));
    for (client, ops) in plan.clients.iter().enumerate() {
        let (sim, plan, done) = (
            Arc::clone(&sim),
            Arc::clone(&shared_plan),
            Arc::clone(&done),
        );
        let ops = ops.clone();
        handle.spawn(WORLD, async move {
            sim.client(client, ops, plan).await;
            *lock(&done) += 1;
        });
    }
    handle.spawn(WORLD, Arc::clone(&sim).nemesis(plan.clone()));
    let last_fault = plan
        .faults
        .iter()
        .map(|f| f.at + f.lasts)
        .max()
        .unwrap_or(0);
    // The load, until every client is done and every fault over.
    while problems.is_empty() && (*lock(&done) < plan.clients.len() || executor.now() < last_fault)
    {
        let next = executor.now() + 500;
        if executor.run_until(next, POLL_BUDGET) == Stopped::Runaway {
            problems.push(Problem::Runaway);
        }
    }
    // The quiet period: no faults; every replica up again.
    let quiet = executor.now();
    trace.line(trace.stamp(), "faults stop");
    if problems.is_empty() && executor.run_until(quiet + SETTLE_MS, POLL_BUDGET) == Stopped::Runaway
    {
        problems.push(Problem::Runaway);
    }
    let simulated_ms = executor.now();
    let histories = {
        let mut by = vec![Vec::new(); RESOURCES.len()];
        for (r, op) in trace.ops() {
            if let Some(h) = by.get_mut(r) {
                h.push(op);
            }
        }
        by
    };
    if problems.is_empty() {
        problems.extend(check::linearizable(&histories, &trace.marks()));
        problems.extend(check::settled(&sim.shared.inspect(), &trace));
    }
    let operations = histories.iter().map(Vec::len).sum();
    let (struck, claims) = {
        let faults = lock(&sim.faults);
        (faults.struck.clone(), faults.claims)
    };
    if problems.is_empty() {
        problems.extend(check::quiet_engine(
            claims,
            trace.jobs().len(),
            simulated_ms,
            plan.replicas,
        ));
    }
    // Stop every task now, so that nothing outlives the run.
    for r in 0..plan.replicas {
        handle.crash(replica_group(r));
    }
    handle.crash(WORLD);
    let _ = executor.run_until(simulated_ms, 0);
    Outcome {
        history: trace.text(),
        problems,
        operations,
        simulated_ms,
        struck,
        claims,
        reclaims: trace.reclaims(),
        histories,
        marks: trace.marks(),
    }
}
