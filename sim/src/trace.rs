//! What a run saw, in order: the operations of every client with their
//! answers, the faults, and the engine's jobs as they were queued and
//! applied. Its text is the run's history, the same byte for byte for the
//! same seed.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};

use proton_cancel_checker::{Call, Op};
use proton_cancel_server::store::{Job, NewJob};
use serde_json::Value;

use crate::executor::Handle;

/// A job the engine was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedJob {
    /// Its id in the store.
    pub id: i64,
    /// The resource, as the core writes its id.
    pub resource: String,
    /// The report's name.
    pub report: String,
    /// The attempt it names, if any.
    pub attempt: Option<String>,
    /// When it falls due, in milliseconds since 1970.
    pub due: i64,
    /// When it was queued, in simulated microseconds.
    pub at: u64,
}

/// Something the nemesis did, or the engine: for pictures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// When, in simulated microseconds.
    pub at: u64,
    /// The resource it concerns (`None`: a replica's fault).
    pub resource: Option<String>,
    /// What happened.
    pub text: String,
}

#[derive(Default)]
struct Inner {
    text: String,
    /// The last stamp's millisecond and how many stamps it gave.
    last: (u64, u64),
    ops: Vec<(usize, Op)>,
    jobs: Vec<QueuedJob>,
    marks: Vec<Mark>,
    /// Requests started and not yet ended (answered or dropped).
    in_flight: Vec<String>,
    /// Job ids claimed and not applied yet.
    held: std::collections::BTreeSet<i64>,
    /// Claims of a job claimed before and not applied: its earlier holder
    /// crashed, paused, stalled or overran the lease.
    pub reclaims: u64,
}

/// The run's record, shared by every task.
#[derive(Clone)]
pub struct Trace {
    inner: Arc<Mutex<Inner>>,
    handle: Handle,
}

impl Trace {
    /// An empty record on `handle`'s time.
    pub fn new(handle: Handle) -> Self {
        Self {
            inner: Arc::default(),
            handle,
        }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A strictly increasing time in microseconds: the simulated
    /// millisecond, then the order within it.
    pub fn stamp(&self) -> u64 {
        let ms = self.handle.now();
        let mut inner = self.inner();
        let sub = if inner.last.0 == ms {
            inner.last.1 + 1
        } else {
            0
        };
        inner.last = (ms, sub);
        ms * 1_000 + sub.min(999)
    }

    /// Adds one line at `at`.
    pub fn line(&self, at: u64, text: &str) {
        let mut inner = self.inner();
        let _ = writeln!(inner.text, "{:>6}.{:03} {text}", at / 1_000, at % 1_000);
    }

    /// A fault, or a replica's restart.
    pub fn fault(&self, text: &str) {
        let at = self.stamp();
        self.line(at, text);
        self.inner().marks.push(Mark {
            at,
            resource: None,
            text: text.to_owned(),
        });
    }

    /// A job queued by `replica`'s write.
    pub fn queued(&self, replica: usize, job: &NewJob) {
        let at = self.stamp();
        let payload: Value = serde_json::from_str(&job.payload).unwrap_or_default();
        let report = payload
            .get("report")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned();
        let attempt = payload
            .get("deploymentId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let resource = job.resource.to_string();
        let mut inner = self.inner();
        let id = i64::try_from(inner.jobs.len()).unwrap_or(i64::MAX) + 1;
        let line = format!(
            "r{replica} queued job {id}: {report} of {resource} due {}",
            job.due.as_millis() - crate::executor::EPOCH_MS
        );
        inner.jobs.push(QueuedJob {
            id,
            resource,
            report,
            attempt,
            due: job.due.as_millis(),
            at,
        });
        drop(inner);
        self.line(at, &line);
    }

    /// Jobs claimed by `replica`.
    pub fn claimed(&self, replica: usize, jobs: &[Job]) {
        if jobs.is_empty() {
            return;
        }
        let at = self.stamp();
        let mut inner = self.inner();
        let mut again = Vec::new();
        for job in jobs {
            if !inner.held.insert(job.id) {
                inner.reclaims += 1;
                again.push(job.id);
            }
        }
        drop(inner);
        let ids: Vec<String> = jobs.iter().map(|j| j.id.to_string()).collect();
        let mut line = format!("r{replica} claimed job {}", ids.join(", "));
        if !again.is_empty() {
            let again: Vec<String> = again.iter().map(ToString::to_string).collect();
            line.push_str(&format!(
                " ({} again: the lease ended before it was applied)",
                again.join(", ")
            ));
        }
        self.line(at, &line);
    }

    /// Claims of a job whose earlier claim ended without its report being
    /// applied.
    pub fn reclaims(&self) -> u64 {
        self.inner().reclaims
    }

    /// Job `id` applied by `replica`; `kept` when a fault left it queued.
    pub fn applied(&self, replica: usize, id: i64, kept: bool) {
        let at = self.stamp();
        let mut inner = self.inner();
        if !kept {
            inner.held.remove(&id);
        }
        let job = inner.jobs.iter().find(|j| j.id == id).cloned();
        let what = job.as_ref().map_or("?".to_owned(), |j| j.report.clone());
        let text = if kept {
            format!("r{replica} applied job {id} ({what}); left queued")
        } else {
            format!("r{replica} applied job {id} ({what})")
        };
        inner.marks.push(Mark {
            at,
            resource: job.map(|j| j.resource),
            text: text.clone(),
        });
        drop(inner);
        self.line(at, &text);
    }

    /// A request sent: its key for [`Trace::ended`].
    pub fn started(&self, what: String) -> usize {
        let mut inner = self.inner();
        inner.in_flight.push(what);
        inner.in_flight.len() - 1
    }

    /// A request ended (answered, or dropped with its replica).
    pub fn ended(&self, key: usize) {
        if let Some(slot) = self.inner().in_flight.get_mut(key) {
            slot.clear();
        }
    }

    /// The requests that never ended.
    pub fn unfinished(&self) -> Vec<String> {
        self.inner()
            .in_flight
            .iter()
            .filter(|w| !w.is_empty())
            .cloned()
            .collect()
    }

    /// An operation invoked: its stamp.
    pub fn invoke(&self, client: usize, replica: usize, call: &Call, label: &str) -> u64 {
        let at = self.stamp();

        self.line(at, &format!("c{client} r{replica} {call} {label}: invoked"));
        at
    }

    /// An operation returned, on resource `resource` (an index).
    pub fn returned(&self, resource: usize, label: &str, op: Op, replica: usize) {
        self.line(
            op.returned,
            &format!("c{} r{replica} {} {label}: {}", op.client, op.call, op.ret),
        );
        self.inner().ops.push((resource, op));
    }

    /// The history's text.
    pub fn text(&self) -> String {
        self.inner().text.clone()
    }

    /// Every operation, with its resource's index.
    pub fn ops(&self) -> Vec<(usize, Op)> {
        self.inner().ops.clone()
    }

    /// Every job queued.
    pub fn jobs(&self) -> Vec<QueuedJob> {
        self.inner().jobs.clone()
    }

    /// Every mark.
    pub fn marks(&self) -> Vec<Mark> {
        self.inner().marks.clone()
    }
}
