//! A run's schedule: what the seed chooses before the run starts (the
//! replicas, each resource's engine, each client's operations, the
//! faults), and the cut that shrinking makes of it.

use proton_cancel_checker::Call;
use rand::{Rng as _, SeedableRng as _};
use rand_pcg::Pcg64Mcg;

use crate::world::{Delays, RESOURCES};

/// A fault the nemesis makes at a time, on one replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// Every store call waits 20–200 ms more.
    Latency,
    /// Every store call waits until the fault ends, connections open.
    Stall,
    /// Every store call fails before it reaches the database.
    LostConnection,
    /// Every write fails before it commits.
    FailedCommit,
    /// Every write commits, and its caller is told it failed.
    UnknownResult,
    /// A claim of due jobs is followed by a wait longer than the lease, so
    /// another worker claims the same jobs while their holder still works.
    LeaseOverrun,
    /// An applied job is not deleted: its report is delivered again when
    /// its lease ends.
    DuplicateReport,
    /// The replica's clock runs ahead or behind the others.
    ClockSkew,
    /// The replica stops being scheduled, then goes on.
    Pause,
    /// The replica dies (its cache, its timers and its requests in flight
    /// are lost) and starts again on the same database.
    Crash,
}

impl FaultKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [FaultKind; 10] = [
        FaultKind::Latency,
        FaultKind::Stall,
        FaultKind::LostConnection,
        FaultKind::FailedCommit,
        FaultKind::UnknownResult,
        FaultKind::LeaseOverrun,
        FaultKind::DuplicateReport,
        FaultKind::ClockSkew,
        FaultKind::Pause,
        FaultKind::Crash,
    ];

    /// The kind's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Latency => "latency",
            FaultKind::Stall => "stall",
            FaultKind::LostConnection => "lost-connection",
            FaultKind::FailedCommit => "failed-commit",
            FaultKind::UnknownResult => "unknown-result",
            FaultKind::LeaseOverrun => "lease-overrun",
            FaultKind::DuplicateReport => "duplicate-report",
            FaultKind::ClockSkew => "clock-skew",
            FaultKind::Pause => "pause",
            FaultKind::Crash => "crash",
        }
    }
}

/// One fault of the schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// When it starts, in simulated milliseconds.
    pub at: u64,
    /// The replica it strikes.
    pub replica: usize,
    /// What it is.
    pub kind: FaultKind,
    /// How long it lasts (a crashed replica is down this long).
    pub lasts: u64,
    /// A clock skew's size, in milliseconds (ahead when positive).
    pub skew: i64,
}

/// One client operation of the schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedOp {
    /// How long the client waits before it, in simulated milliseconds.
    pub think: u64,
    /// The replica it is sent to.
    pub replica: usize,
    /// The resource, an index of [`RESOURCES`].
    pub resource: usize,
    /// What is asked.
    pub call: Call,
}

/// The part of a schedule a shrunk run keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cut {
    /// How many clients run (all, when `None`).
    pub clients: Option<usize>,
    /// How many operations each client makes at most.
    pub ops: Option<usize>,
    /// Which faults happen, by index (all, when `None`).
    pub faults: Option<Vec<usize>>,
}

impl Cut {
    /// The command-line flags that make this cut (empty for the whole
    /// schedule).
    pub fn flags(&self) -> String {
        let mut out = String::new();
        if let Some(c) = self.clients {
            out.push_str(&format!(" --clients {c}"));
        }
        if let Some(o) = self.ops {
            out.push_str(&format!(" --ops {o}"));
        }
        if let Some(f) = &self.faults {
            let list: Vec<String> = f.iter().map(ToString::to_string).collect();
            out.push_str(&format!(" --faults '{}'", list.join(",")));
        }
        out
    }
}

/// Everything the seed chooses before the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The seed.
    pub seed: u64,
    /// How many replicas serve.
    pub replicas: usize,
    /// Each resource's engine, in [`RESOURCES`] order.
    pub engines: Vec<Delays>,
    /// Each client's operations.
    pub clients: Vec<Vec<PlannedOp>>,
    /// The faults, by start time.
    pub faults: Vec<Fault>,
    /// What the scheduler's own choices start from.
    pub schedule_seed: u64,
}

/// How long a client waits for an answer.
pub const CLIENT_TIMEOUT_MS: u64 = 3_000;

/// Each job's lease.
pub const LEASE_MS: u64 = 2_000;

impl Plan {
    /// The schedule `seed` chooses.
    pub fn of(seed: u64) -> Self {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let replicas = rng.random_range(2..=3);
        let engines = RESOURCES
            .iter()
            .map(|_| Delays {
                update: rng.random_range(80..=600),
                cancel_start: rng.random_range(10..=150),
                cancel_finish: rng.random_range(30..=300),
                delete: rng.random_range(50..=400),
            })
            .collect();
        let clients = (0..rng.random_range(2..=6))
            .map(|client| {
                (0..rng.random_range(6..=24))
                    .map(|k| {
                        let resource = rng.random_range(0..RESOURCES.len());
                        let lifecycle = RESOURCES.get(resource).is_some_and(|r| r.lifecycle);
                        let spec = format!("c{client}-{k}");
                        let roll = rng.random_range(0..100);
                        let call = match roll {
                            0..30 => Call::Update { spec },
                            30..60 => Call::Cancel,
                            60..70 if lifecycle => Call::Delete,
                            70..80 if lifecycle => Call::Create { spec },
                            _ => Call::Get,
                        };
                        PlannedOp {
                            think: rng.random_range(0..=250),
                            replica: rng.random_range(0..replicas),
                            resource,
                            call,
                        }
                    })
                    .collect()
            })
            .collect();
        let mut faults: Vec<Fault> = (0..rng.random_range(0..=6))
            .map(|_| {
                let kind = FaultKind::ALL
                    .get(rng.random_range(0..FaultKind::ALL.len()))
                    .copied()
                    .unwrap_or(FaultKind::Latency);
                Fault {
                    at: rng.random_range(0..=2_500),
                    replica: rng.random_range(0..replicas),
                    kind,
                    lasts: rng.random_range(100..=1_500),
                    skew: rng.random_range(-800..=800),
                }
            })
            .collect();
        faults.sort_by_key(|f| f.at);
        Self {
            seed,
            replicas,
            engines,
            clients,
            faults,
            schedule_seed: rng.random(),
        }
    }

    /// The schedule with only what `cut` keeps.
    pub fn cut(&self, cut: &Cut) -> Self {
        let mut plan = self.clone();
        if let Some(c) = cut.clients {
            plan.clients.truncate(c);
        }
        if let Some(o) = cut.ops {
            for ops in &mut plan.clients {
                ops.truncate(o);
            }
        }
        if let Some(keep) = &cut.faults {
            plan.faults = keep
                .iter()
                .filter_map(|&i| self.faults.get(i).copied())
                .collect();
        }
        plan
    }

    /// How many client operations the schedule holds.
    pub fn operations(&self) -> usize {
        self.clients.iter().map(Vec::len).sum()
    }
}
