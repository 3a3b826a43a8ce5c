//! The store as the deterministic simulation runs it (feature
//! `simulation` only): the in-memory backend, shared by every simulated
//! replica, behind an [`Interposer`] that the simulation owns. Each call
//! passes the interposer before it reaches the tables (where the
//! simulation makes it wait, or fails it as a lost connection would) and
//! after (where it may fail a call that took effect: a commit whose result
//! the caller never learns). It also says whether a finished job is really
//! deleted, so a report can be delivered twice.
//!
//! The same feature lets the simulation plant known bugs ([`Planted`]) in
//! the server, to show that its checks catch them. Without the feature
//! nothing here is compiled and every planted bug is off.

use std::sync::Arc;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;

use super::memory::MemoryStore;
use super::{
    Backend, BackendPut, Change, Contents, Expected, FaultRow, ForWrite, Job, ListedRecord,
    ListedRow, NewJob, Pending, Produced, Record, Reply, Row, Store, StoreError, Written,
};

/// What kind of store call the interposer is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Call {
    /// A read of rows, records or rules.
    Read,
    /// A write of a resource's row (a commit, an insert, a write of
    /// several rows): what a failed or unknown commit hits.
    Write,
    /// A claim of due jobs.
    Claim,
    /// The deletion of an applied job.
    Finish,
    /// Anything else (numbers, modes, rules).
    Other,
}

/// Why the interposer failed a call: the text of the simulated database
/// error.
pub type Injected = String;

/// What the simulation does to each store call of one replica.
pub trait Interposer: Send + Sync + std::fmt::Debug {
    /// Before the call reaches the tables: wait (latency, a stall), or fail
    /// (a lost connection, a failed commit) so that it never happens.
    fn before(&self, call: Call) -> BoxFuture<'static, Result<(), Injected>>;
    /// After the call took effect: fail it anyway (the caller is told it
    /// failed and never learns that it took effect).
    fn after(&self, call: Call) -> BoxFuture<'static, Result<(), Injected>>;
    /// Whether job `id`, whose report was applied, is deleted now (`false`:
    /// it stays queued and its report is delivered again when its lease
    /// ends).
    fn deletes(&self, id: i64) -> bool;
    /// Sees the jobs a committed write queued.
    fn queued(&self, jobs: &[NewJob]);
    /// Sees the jobs a claim took.
    fn claimed(&self, jobs: &[Job]);
}

/// Bugs the simulation may plant in the server, each to show a check that
/// catches it. All off by default; without the feature `simulation` none
/// can be set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Planted {
    /// The engine worker deletes a job before its report is applied, so a
    /// crash or a failed write in between loses the report.
    pub finish_before_apply: bool,
    /// A write that loses its compare-and-set keeps the write cache's entry
    /// and retries from it, instead of dropping it and reading again.
    pub keep_stale_cache: bool,
    /// The engine worker applies a report to the resource's current
    /// attempt, whichever attempt the report names.
    pub wrong_attempt: bool,
}

/// The tables every simulated replica shares: one database.
#[derive(Debug, Clone, Default)]
pub struct Shared {
    tables: MemoryStore,
}

impl Shared {
    /// An empty database.
    pub fn new() -> Self {
        Self::default()
    }

    /// A replica's connection to it: every call passes `interposer`; the
    /// bugs in `planted` are set in the server that uses it.
    pub fn store(&self, interposer: Arc<dyn Interposer>, planted: Planted) -> Store {
        Store {
            planted,
            ..Store::on(Arc::new(Simulated {
                tables: self.tables.clone(),
                interposer,
            }))
        }
    }

    /// The same tables with no interposer: what the simulation reads to
    /// check a run's end.
    pub fn inspect(&self) -> Store {
        Store::on(Arc::new(self.tables.clone()))
    }
}

#[derive(Debug)]
struct Simulated {
    tables: MemoryStore,
    interposer: Arc<dyn Interposer>,
}

fn injected(reason: Injected) -> StoreError {
    StoreError::Database(sqlx::Error::Io(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        reason,
    )))
}

impl Simulated {
    /// `run` (the tables' call, made only once the interposer lets it
    /// through) between the interposer's two checks.
    fn through<'a, T: Send + 'a>(
        &'a self,
        call: Call,
        run: impl FnOnce() -> Reply<'a, T> + Send + 'a,
    ) -> Reply<'a, T> {
        async move {
            self.interposer.before(call).await.map_err(injected)?;
            let out = run().await?;
            self.interposer.after(call).await.map_err(injected)?;
            Ok(out)
        }
        .boxed()
    }

    /// As [`Simulated::through`] for a write whose committed jobs the
    /// interposer sees.
    fn writing<'a, T: Send + 'a>(
        &'a self,
        produced: &'a Produced,
        committed: impl Fn(&T) -> bool + Send + 'a,
        run: impl FnOnce() -> Reply<'a, T> + Send + 'a,
    ) -> Reply<'a, T> {
        async move {
            self.interposer
                .before(Call::Write)
                .await
                .map_err(injected)?;
            let out = run().await?;
            if committed(&out) {
                self.interposer.queued(&produced.jobs);
            }
            self.interposer.after(Call::Write).await.map_err(injected)?;
            Ok(out)
        }
        .boxed()
    }
}

impl Backend for Simulated {
    fn load<'a>(&'a self, key: &'a str) -> Reply<'a, Option<Row>> {
        self.through(Call::Read, move || self.tables.load(key))
    }
    fn load_for_write<'a>(&'a self, key: &'a str) -> Reply<'a, Option<ForWrite>> {
        self.through(Call::Read, move || self.tables.load_for_write(key))
    }
    fn load_all(&self) -> Reply<'_, Vec<Row>> {
        self.through(Call::Read, move || self.tables.load_all())
    }
    fn load_range<'a>(&'a self, from: &'a str, to: &'a str, limit: i64) -> Reply<'a, Vec<Row>> {
        self.through(Call::Read, move || self.tables.load_range(from, to, limit))
    }
    fn list_range<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
        limit: i64,
    ) -> Reply<'a, Vec<ListedRow>> {
        self.through(Call::Read, move || self.tables.list_range(from, to, limit))
    }
    fn write_together<'a>(
        &'a self,
        puts: Vec<BackendPut<'a>>,
        produced: &'a Produced,
    ) -> Reply<'a, Written> {
        self.writing(
            produced,
            |w| *w == Written::Committed,
            move || self.tables.write_together(puts, produced),
        )
    }
    fn insert<'a>(&'a self, row: &'a Row, produced: &'a Produced) -> Reply<'a, bool> {
        self.writing(produced, |w| *w, move || self.tables.insert(row, produced))
    }
    fn commit<'a>(&'a self, expected: Option<&'a Expected>, new: Change<'a>) -> Reply<'a, Written> {
        self.writing(
            new.1,
            |w| *w == Written::Committed,
            move || self.tables.commit(expected, new),
        )
    }
    fn claim_due(&self, now: i64, lease: i64, limit: i64) -> Reply<'_, Vec<Job>> {
        self.through(Call::Claim, move || {
            let claimed = self.tables.claim_due(now, lease, limit);
            async move {
                let jobs = claimed.await?;
                self.interposer.claimed(&jobs);
                Ok(jobs)
            }
            .boxed()
        })
    }
    fn next_due(&self) -> Reply<'_, Option<i64>> {
        self.through(Call::Read, move || self.tables.next_due())
    }
    fn finish_job(&self, id: i64) -> Reply<'_, ()> {
        self.through(Call::Finish, move || {
            if self.interposer.deletes(id) {
                self.tables.finish_job(id)
            } else {
                std::future::ready(Ok(())).boxed()
            }
        })
    }
    fn release_job(&self, id: i64) -> Reply<'_, ()> {
        self.through(Call::Other, move || self.tables.release_job(id))
    }
    fn record<'a>(&'a self, id: &'a str) -> Reply<'a, Option<Record>> {
        self.through(Call::Read, move || self.tables.record(id))
    }
    fn records(&self) -> Reply<'_, Vec<Record>> {
        self.through(Call::Read, move || self.tables.records())
    }
    fn records_from(&self, from: i64, limit: i64) -> Reply<'_, Vec<Record>> {
        self.through(Call::Read, move || self.tables.records_from(from, limit))
    }
    fn listed_records_from(&self, from: i64, limit: i64) -> Reply<'_, Vec<ListedRecord>> {
        self.through(Call::Read, move || {
            self.tables.listed_records_from(from, limit)
        })
    }
    fn delete_record<'a>(&'a self, id: &'a str) -> Reply<'a, bool> {
        self.through(Call::Write, move || self.tables.delete_record(id))
    }
    fn next_number(&self) -> Reply<'_, i64> {
        self.through(Call::Other, move || self.tables.next_number())
    }
    fn set_mode<'a>(&'a self, scope: &'a str, manual: Option<bool>) -> Reply<'a, ()> {
        self.through(Call::Other, move || self.tables.set_mode(scope, manual))
    }
    fn modes(&self) -> Reply<'_, Vec<(String, bool)>> {
        self.through(Call::Read, move || self.tables.modes())
    }
    fn pending(&self) -> Reply<'_, Vec<Pending>> {
        self.through(Call::Read, move || self.tables.pending())
    }
    fn claim_job(&self, id: i64, now: i64, lease: i64) -> Reply<'_, Option<Job>> {
        self.through(Call::Claim, move || self.tables.claim_job(id, now, lease))
    }
    fn add_fault<'a>(&'a self, rule: &'a str) -> Reply<'a, i64> {
        self.through(Call::Other, move || self.tables.add_fault(rule))
    }
    fn faults(&self) -> Reply<'_, Vec<FaultRow>> {
        self.through(Call::Read, move || self.tables.faults())
    }
    fn clear_faults(&self) -> Reply<'_, ()> {
        self.through(Call::Other, move || self.tables.clear_faults())
    }
    fn match_fault(&self, id: i64) -> Reply<'_, Option<i64>> {
        self.through(Call::Other, move || self.tables.match_fault(id))
    }
    fn fire_fault(&self, id: i64) -> Reply<'_, ()> {
        self.through(Call::Other, move || self.tables.fire_fault(id))
    }
    fn last_number(&self) -> Reply<'_, i64> {
        self.through(Call::Read, move || self.tables.last_number())
    }
    fn replace<'a>(&'a self, contents: &'a Contents, modes: &'a [(String, bool)]) -> Reply<'a, ()> {
        self.through(Call::Write, move || self.tables.replace(contents, modes))
    }
    /// A simulated database: the write cache is on, as on a real one.
    fn is_database(&self) -> bool {
        true
    }
}
