//! The checks on every run: each resource's history linearizable against
//! the core machine, every resource settled and every request answered
//! once the faults stop, and the invariants of the engine's work.

use proton_cancel::DeploymentStatus;
use proton_cancel_checker::{Op, Verdict, Witness, check, shrink, witness};
use proton_cancel_server::store::Store;

use crate::executor::EPOCH_MS;
use crate::trace::{Mark, Trace};
use crate::world::RESOURCES;

/// How many search steps the checker may take per history.
pub const BUDGET: u64 = 2_000_000;

/// What a check found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A resource's history is not linearizable.
    NotLinearizable {
        /// The resource's index in [`RESOURCES`].
        resource: usize,
        /// The smallest offending part, explained.
        witness: Witness,
    },
    /// The checker used its whole budget.
    Inconclusive {
        /// The resource's index.
        resource: usize,
    },
    /// A resource still runs after the quiet period.
    Unsettled {
        /// The resource, as the core writes its id.
        resource: String,
        /// Its status.
        status: String,
        /// Whether a job for it is still queued.
        queued: bool,
    },
    /// A request never ended.
    Unanswered {
        /// The request.
        request: String,
    },
    /// A job is still queued after the quiet period.
    Undelivered {
        /// The job.
        job: String,
    },
    /// A resource's newest record disagrees with its machine.
    RecordBehind {
        /// The resource.
        resource: String,
        /// The machine's status.
        machine: String,
        /// The record's status.
        record: String,
    },
    /// An attempt ended at a time none of its own reports was due.
    EndedByAnotherAttempt {
        /// The attempt.
        attempt: String,
        /// When it ended, in simulated milliseconds.
        at: i64,
    },
    /// The engine workers claimed far more often than there was work: a
    /// worker that asks for jobs again and again instead of waiting.
    BusyEngine {
        /// Claims made.
        claims: u64,
        /// Claims allowed: ten per job queued and per second per replica.
        allowed: u64,
    },
    /// A run took more steps than its budget: some task never waits for
    /// simulated time.
    Runaway,
    /// The store could not be read to check the end.
    Store(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NotLinearizable { resource, witness } => {
                let name = RESOURCES.get(*resource).map(|r| r.id().to_string());
                write!(
                    f,
                    "{} is not linearizable: {}",
                    name.unwrap_or_default(),
                    witness
                )
            }
            Problem::Inconclusive { resource } => write!(
                f,
                "the checker's budget ran out on resource {resource}'s history"
            ),
            Problem::Unsettled {
                resource,
                status,
                queued,
            } => {
                let why = if *queued {
                    "a report is still queued"
                } else {
                    "no report is queued for it: a report was lost"
                };
                write!(
                    f,
                    "{resource} is still {status} after the faults stopped; {why}"
                )
            }
            Problem::Unanswered { request } => {
                write!(
                    f,
                    "a request never ended after the faults stopped: {request}"
                )
            }
            Problem::Undelivered { job } => {
                write!(
                    f,
                    "a job was never delivered after the faults stopped: {job}"
                )
            }
            Problem::RecordBehind {
                resource,
                machine,
                record,
            } => write!(
                f,
                "the newest deployment record of {resource} says {record} but the resource is {machine}"
            ),
            Problem::EndedByAnotherAttempt { attempt, at } => write!(
                f,
                "attempt {attempt} ended at {at} ms, when none of its own reports was due: a report of another attempt was applied to it"
            ),
            Problem::BusyEngine { claims, allowed } => write!(
                f,
                "the engine workers claimed due jobs {claims} times, more than the {allowed} that ten claims per job queued and per second per replica allow: a worker asks again and again instead of waiting"
            ),
            Problem::Runaway => f.write_str(
                "the run took more steps than its budget: a task never waits for simulated time",
            ),
            Problem::Store(e) => write!(f, "the store could not be read: {e}"),
        }
    }
}

/// Whether the engine workers waited for work: at most ten claims per job
/// queued and per simulated second per replica (the workers' own pace is
/// one claim a second when idle, one per job and wake-up otherwise; the
/// unmodified server stays under four in 2,000 runs).
pub fn quiet_engine(
    claims: u64,
    jobs: usize,
    simulated_ms: u64,
    replicas: usize,
) -> Option<Problem> {
    let seconds = simulated_ms.div_ceil(1_000);
    let allowed = 10 * (jobs as u64 + seconds * replicas as u64);
    (claims > allowed).then_some(Problem::BusyEngine { claims, allowed })
}

/// Each resource's history against its model; `marks` are the run's
/// faults and engine reports, for the witnesses.
pub fn linearizable(histories: &[Vec<Op>], marks: &[Mark]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (resource, (r, ops)) in RESOURCES.iter().zip(histories).enumerate() {
        let model = r.model().model();
        let id = r.id().to_string();
        let beside: Vec<(u64, String)> = marks
            .iter()
            .filter(|m| m.resource.as_ref().is_none_or(|x| *x == id))
            .map(|m| (m.at, m.text.clone()))
            .collect();
        match check(&model, ops, BUDGET) {
            Verdict::Linearizable => {}
            Verdict::Inconclusive => problems.push(Problem::Inconclusive { resource }),
            Verdict::NotLinearizable => {
                let (kept, from_any) = shrink(&model, ops, BUDGET);
                problems.push(Problem::NotLinearizable {
                    resource,
                    witness: witness(&model, ops, (&kept, from_any), &beside, BUDGET),
                });
            }
        }
    }
    problems
}

/// Liveness and the invariants, on the store as the run left it.
pub fn settled(store: &Store, trace: &Trace) -> Vec<Problem> {
    futures_util::FutureExt::now_or_never(settled_async(store, trace))
        .unwrap_or_else(|| vec![Problem::Store("the memory store waited".to_owned())])
}

async fn settled_async(store: &Store, trace: &Trace) -> Vec<Problem> {
    let mut problems: Vec<Problem> = trace
        .unfinished()
        .into_iter()
        .map(|request| Problem::Unanswered { request })
        .collect();
    let pending = match store.pending().await {
        Ok(p) => p,
        Err(e) => return vec![Problem::Store(e.to_string())],
    };
    let records = match store.records().await {
        Ok(r) => r,
        Err(e) => return vec![Problem::Store(e.to_string())],
    };
    for r in &RESOURCES {
        let id = r.id();
        let row = match store.load(&id).await {
            Ok(Some(row)) => row,
            Ok(None) => continue,
            Err(e) => return vec![Problem::Store(e.to_string())],
        };
        let observed = row.deployment.observe();
        let status = observed.status;
        if matches!(
            status,
            DeploymentStatus::InProgress
                | DeploymentStatus::Cancelling
                | DeploymentStatus::DeleteInProgress
        ) {
            problems.push(Problem::Unsettled {
                resource: id.to_string(),
                status: status.to_string(),
                queued: pending.iter().any(|p| p.resource == id),
            });
        }
        let deploying = matches!(
            status,
            DeploymentStatus::InProgress
                | DeploymentStatus::Cancelling
                | DeploymentStatus::Succeeded
                | DeploymentStatus::Failed
                | DeploymentStatus::Cancelled
        );
        if let (true, Some(attempt)) = (deploying, &observed.last_attempt) {
            let record = records
                .iter()
                .find(|rec| rec.attempt.deployment_id == attempt.deployment_id);
            if let Some(record) = record
                && record.attempt.status != status
            {
                problems.push(Problem::RecordBehind {
                    resource: id.to_string(),
                    machine: status.to_string(),
                    record: record.attempt.status.to_string(),
                });
            }
        }
    }
    for p in &pending {
        problems.push(Problem::Undelivered {
            job: format!(
                "job {} for {} due {}",
                p.id,
                p.resource,
                p.due.as_millis() - EPOCH_MS
            ),
        });
    }
    let jobs = trace.jobs();
    for record in &records {
        let attempt = record.attempt.deployment_id.to_string();
        let own: Vec<i64> = jobs
            .iter()
            .filter(|j| j.attempt.as_deref() == Some(attempt.as_str()))
            .map(|j| j.due)
            .collect();
        if let (Some(ended), false) = (record.attempt.completed_at, own.is_empty())
            && !own.contains(&ended.as_millis())
        {
            problems.push(Problem::EndedByAnotherAttempt {
                attempt,
                at: ended.as_millis() - EPOCH_MS,
            });
        }
    }
    problems
}
