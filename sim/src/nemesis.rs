//! The faults as the store sees them: each replica's connection to the
//! shared database passes a [`Node`], which waits, fails, or lets a call
//! through as the faults active on that replica say, and counts what each
//! fault struck.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use proton_cancel_server::store::simulated::{Call, Injected, Interposer};
use proton_cancel_server::store::{Job, NewJob};
use rand::{Rng as _, SeedableRng as _};
use rand_pcg::Pcg64Mcg;

use crate::executor::Handle;
use crate::plan::{FaultKind, LEASE_MS};
use crate::trace::Trace;

/// The faults in force and what they struck.
pub struct Faults {
    /// Per replica: until when each kind is in force.
    until: Vec<BTreeMap<FaultKind, u64>>,
    /// How many calls or events each kind struck.
    pub struck: BTreeMap<FaultKind, u64>,
    /// How many times the engine workers claimed due jobs (a worker that
    /// spins shows here).
    pub claims: u64,
    rng: Pcg64Mcg,
}

impl Faults {
    /// No faults yet, for `replicas` replicas; latencies drawn from `seed`.
    pub fn new(replicas: usize, seed: u64) -> Self {
        Self {
            until: vec![BTreeMap::new(); replicas],
            struck: BTreeMap::new(),
            claims: 0,
            rng: Pcg64Mcg::seed_from_u64(seed),
        }
    }

    /// Puts `kind` in force on `replica` until `until`.
    pub fn start(&mut self, replica: usize, kind: FaultKind, until: u64) {
        if let Some(u) = self.until.get_mut(replica) {
            let end = u.entry(kind).or_insert(0);
            *end = (*end).max(until);
        }
    }

    /// Counts one strike of `kind`.
    pub fn strike(&mut self, kind: FaultKind) {
        *self.struck.entry(kind).or_insert(0) += 1;
    }

    /// When the last fault in force ends.
    pub fn quiet_from(&self) -> u64 {
        self.until
            .iter()
            .flat_map(|u| u.values().copied())
            .max()
            .unwrap_or(0)
    }

    fn active(&self, replica: usize, kind: FaultKind, now: u64) -> bool {
        self.until
            .get(replica)
            .and_then(|u| u.get(&kind))
            .is_some_and(|&until| until > now)
    }

    fn until(&self, replica: usize, kind: FaultKind) -> u64 {
        self.until
            .get(replica)
            .and_then(|u| u.get(&kind))
            .copied()
            .unwrap_or(0)
    }

    /// Before a call: how long it waits, and whether it fails.
    fn before(&mut self, replica: usize, call: Call, now: u64) -> (u64, Option<Injected>) {
        if call == Call::Claim {
            self.claims += 1;
        }
        if self.active(replica, FaultKind::LostConnection, now) {
            self.strike(FaultKind::LostConnection);
            return (0, Some("simulated: the connection was lost".to_owned()));
        }
        let mut wait = self.rng.random_range(0..=2);
        if self.active(replica, FaultKind::Latency, now) {
            self.strike(FaultKind::Latency);
            wait += self.rng.random_range(20..=200);
        }
        if self.active(replica, FaultKind::Stall, now) {
            self.strike(FaultKind::Stall);
            wait = wait.max(self.until(replica, FaultKind::Stall).saturating_sub(now));
        }
        if call == Call::Write && self.active(replica, FaultKind::FailedCommit, now) {
            self.strike(FaultKind::FailedCommit);
            return (wait, Some("simulated: the commit failed".to_owned()));
        }
        (wait, None)
    }

    /// After a call took effect: how long its holder waits, and whether
    /// its caller is told it failed.
    fn after(&mut self, replica: usize, call: Call, now: u64) -> (u64, Option<Injected>) {
        if call == Call::Write && self.active(replica, FaultKind::UnknownResult, now) {
            self.strike(FaultKind::UnknownResult);
            return (
                0,
                Some("simulated: the connection was lost after COMMIT".to_owned()),
            );
        }
        if call == Call::Claim && self.active(replica, FaultKind::LeaseOverrun, now) {
            self.strike(FaultKind::LeaseOverrun);
            return (LEASE_MS + self.rng.random_range(100..=500), None);
        }
        (0, None)
    }
}

/// One replica's connection to the shared database.
#[derive(Clone)]
pub struct Node {
    /// The replica.
    pub replica: usize,
    /// The faults.
    pub faults: Arc<Mutex<Faults>>,
    /// The scheduler.
    pub handle: Handle,
    /// What the run saw.
    pub trace: Trace,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({})", self.replica)
    }
}

impl Node {
    fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits `wait`, then answers `fail`.
    fn wait_then(
        &self,
        wait: u64,
        fail: Option<Injected>,
    ) -> BoxFuture<'static, Result<(), Injected>> {
        let handle = self.handle.clone();
        async move {
            handle.sleep(wait).await;
            fail.map_or(Ok(()), Err)
        }
        .boxed()
    }
}

impl Interposer for Node {
    fn before(&self, call: Call) -> BoxFuture<'static, Result<(), Injected>> {
        let node = self.clone();
        async move {
            // Every call is a point where the scheduler may switch tasks.
            node.handle.sleep(0).await;
            let (wait, fail) = node.faults().before(node.replica, call, node.handle.now());
            node.wait_then(wait, fail).await
        }
        .boxed()
    }

    fn after(&self, call: Call) -> BoxFuture<'static, Result<(), Injected>> {
        let (wait, fail) = self.faults().after(self.replica, call, self.handle.now());
        self.wait_then(wait, fail)
    }

    fn deletes(&self, id: i64) -> bool {
        let now = self.handle.now();
        let mut faults = self.faults();
        let keep = faults.active(self.replica, FaultKind::DuplicateReport, now);
        if keep {
            faults.strike(FaultKind::DuplicateReport);
        }
        drop(faults);
        self.trace.applied(self.replica, id, keep);
        !keep
    }

    fn claimed(&self, jobs: &[Job]) {
        self.trace.claimed(self.replica, jobs);
    }

    fn queued(&self, jobs: &[NewJob]) {
        for job in jobs {
            self.trace.queued(self.replica, job);
        }
    }
}
