//! Where the server keeps its state: one interface ([`Store`]) over a
//! backend that it does not name: memory for tests, SQLite by default,
//! PostgreSQL for several replicas.
//!
//! A resource is one row holding the core's versioned snapshot; every write
//! is a compare-and-set on what it read. The deployment records and the
//! engine's jobs that a change produces are written in the same transaction
//! as the change, so a crash never separates a state from the work it owes.

mod codec;
mod connections;
mod control;
mod memory;
#[cfg(feature = "simulation")]
pub mod simulated;
mod sql;

use codec::millis;
pub(crate) use codec::{instances_of, key, kind_range};

pub use crate::record::Record;
pub use control::{Contents, FaultRow, Pending};

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use proton_cancel::{Deployment, DeploymentId, ResourceId, ResourceName, Timestamp};

/// One resource as stored: its machine and what the server keeps beside it
/// (ARN, environment, engine script), which the store does not read.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The machine; its revision is the row's.
    pub deployment: Deployment,
    /// The server's own data about the resource, as the JSON text the
    /// server wrote: the store keeps it as it is and never parses it.
    pub meta: String,
    /// What a list shows of the resource: the JSON text of its summary, as
    /// the server wrote it with the change; the store keeps it as it is and
    /// never parses it. `None` where no list shows the resource (a deleted
    /// one, a service pipeline), and on rows stored before the server kept
    /// summaries: a list reads such a row whole ([`Listed::Whole`]).
    pub listed: Option<String>,
}

/// What a page of a list reads of one stored item: the summary stored with
/// it, or, where none is stored, the item itself, to be read whole.
#[derive(Debug, Clone, PartialEq)]
pub enum Listed<T> {
    /// The JSON text of the item's summary, as stored.
    Shown(String),
    /// The item, which has no summary stored.
    Whole(T),
}

/// One row of a page read for a list ([`Store::list_range`]): its key and
/// what the list reads of it.
pub type ListedRow = (String, Listed<Row>);

/// One record of a page read for a list ([`Store::listed_records_from`]):
/// its place in the list order, its id, and what the list reads of it.
pub type ListedRecord = (i64, String, Listed<Record>);

/// What a write read, and so what the row must still hold for the write to
/// commit: its revision (in the revision column and in the snapshot alike)
/// and its meta text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The revision read.
    pub revision: u64,
    /// The meta text read.
    pub meta: String,
}

impl Expected {
    /// What `row` holds.
    pub fn of(row: &Row) -> Self {
        Self {
            revision: row.deployment.revision(),
            meta: row.meta.clone(),
        }
    }
}

/// Engine work to queue: a report for `resource`, due at `due`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// When it is due.
    pub due: Timestamp,
    /// The resource it is for.
    pub resource: ResourceId,
    /// What to deliver: the engine's report as the engine wrote it (JSON
    /// text); the store keeps it as it is and never parses it.
    pub payload: String,
}

/// A job a worker has claimed: it is not claimed again until its lease
/// ends, and is deleted with [`Store::finish_job`] once applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The job's id.
    pub id: i64,
    /// When it was due.
    pub due: Timestamp,
    /// The resource it is for.
    pub resource: ResourceId,
    /// What to deliver, as queued.
    pub payload: String,
}

/// What a write produces besides the new row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Produced {
    /// Records to insert or replace.
    pub records: Vec<Record>,
    /// Jobs to queue.
    pub jobs: Vec<NewJob>,
}

/// The result of a compare-and-set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Written {
    /// The row held what was read, and the change is stored.
    Committed,
    /// The row changed since it was read; nothing was written. Read it
    /// again and re-apply.
    Stale,
}

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be reached or refused the statement.
    #[error("the database failed: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be created or migrated.
    #[error("the database schema could not be migrated: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored row does not decode, or its parts disagree.
    #[error("the stored row {key} cannot be read: {reason}")]
    Corrupt {
        /// The row's key.
        key: String,
        /// Why.
        reason: String,
    },
    /// The database address is not one the server knows.
    #[error("unknown database {0:?}: give a SQLite file path, sqlite:…, postgres://… or memory")]
    UnknownUrl(String),
}

/// A row read for a write, with its resource's newest deployment record.
pub type ForWrite = (Row, Option<Record>);

/// One row of a write that stores several together
/// ([`Store::write_together`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Put {
    /// A new row, written only if the store holds none for its resource.
    Insert(Row),
    /// A row that replaces the one read, written only if the stored row
    /// still holds what was read (compare-and-set).
    Replace(Expected, Row),
}

/// A [`Put`] as a backend receives it: a replacement's expectation is
/// `None` when compare-and-set is off.
enum BackendPut<'a> {
    Insert(&'a Row),
    Replace(Option<&'a Expected>, &'a Row),
}

/// A backend's answer: boxed, so that a store can hold any backend.
type Reply<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// What one write stores: the resource's new row, and what its change
/// produced (records and jobs).
type Change<'a> = (&'a Row, &'a Produced);

/// What every backend does; [`Store`] adds the rules common to all.
/// Futures are boxed so that a store can hold any backend.
trait Backend: Send + Sync + std::fmt::Debug {
    fn load<'a>(&'a self, key: &'a str) -> Reply<'a, Option<Row>>;
    fn load_for_write<'a>(&'a self, key: &'a str) -> Reply<'a, Option<ForWrite>>;
    fn load_all(&self) -> Reply<'_, Vec<Row>>;
    /// The rows whose keys are at least `from` and below `to`, by key, at
    /// most `limit` of them.
    fn load_range<'a>(&'a self, from: &'a str, to: &'a str, limit: i64) -> Reply<'a, Vec<Row>>;
    /// As `load_range`, reading of each row its stored summary, or the
    /// whole row where it has none.
    fn list_range<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
        limit: i64,
    ) -> Reply<'a, Vec<ListedRow>>;
    /// Writes every put and what they produced in one transaction, or
    /// nothing if any put finds the store other than it expects.
    fn write_together<'a>(
        &'a self,
        puts: Vec<BackendPut<'a>>,
        produced: &'a Produced,
    ) -> Reply<'a, Written>;
    fn insert<'a>(&'a self, row: &'a Row, produced: &'a Produced) -> Reply<'a, bool>;
    /// As `insert` for each of `rows`, in one transaction where the
    /// backend has them: for each, whether it was inserted.
    fn insert_each<'a>(&'a self, rows: &'a [(Row, Produced)]) -> Reply<'a, Vec<bool>> {
        async move {
            let mut inserted = Vec::with_capacity(rows.len());
            for (row, produced) in rows {
                inserted.push(self.insert(row, produced).await?);
            }
            Ok(inserted)
        }
        .boxed()
    }
    /// Writes `row` if the stored row still holds `expected` (or always,
    /// when `expected` is `None`).
    fn commit<'a>(&'a self, expected: Option<&'a Expected>, new: Change<'a>) -> Reply<'a, Written>;
    fn claim_due(&self, now: i64, lease: i64, limit: i64) -> Reply<'_, Vec<Job>>;
    fn next_due(&self) -> Reply<'_, Option<i64>>;
    fn finish_job(&self, id: i64) -> Reply<'_, ()>;
    /// Ends the lease of job `id`, so it can be claimed again at once.
    fn release_job(&self, id: i64) -> Reply<'_, ()>;
    fn record<'a>(&'a self, id: &'a str) -> Reply<'a, Option<Record>>;
    fn records(&self) -> Reply<'_, Vec<Record>>;
    /// Up to `limit` records whose seq is at most `from`, newest first.
    fn records_from(&self, from: i64, limit: i64) -> Reply<'_, Vec<Record>>;
    /// As `records_from`, reading of each record its stored summary, or
    /// the whole record where it has none.
    fn listed_records_from(&self, from: i64, limit: i64) -> Reply<'_, Vec<ListedRecord>>;
    /// Deletes the record `id`; whether there was one.
    fn delete_record<'a>(&'a self, id: &'a str) -> Reply<'a, bool>;
    fn next_number(&self) -> Reply<'_, i64>;
    /// `n` new deployment numbers, ascending, drawn at once where the
    /// backend can.
    fn next_numbers(&self, n: usize) -> Reply<'_, Vec<i64>> {
        async move {
            let mut numbers = Vec::with_capacity(n);
            for _ in 0..n {
                numbers.push(self.next_number().await?);
            }
            Ok(numbers)
        }
        .boxed()
    }
    /// Sets the engine mode of `scope` (a job's resource text, or `""` for
    /// every resource without a mode of its own): manual or not, or none.
    fn set_mode<'a>(&'a self, scope: &'a str, manual: Option<bool>) -> Reply<'a, ()>;
    /// Every mode set, by scope.
    fn modes(&self) -> Reply<'_, Vec<(String, bool)>>;
    /// Every queued job, in due order, with whether its mode holds it.
    fn pending(&self) -> Reply<'_, Vec<Pending>>;
    /// Claims job `id` unless a live lease holds it, whatever its mode and
    /// due time.
    fn claim_job(&self, id: i64, now: i64, lease: i64) -> Reply<'_, Option<Job>>;
    /// Stores a fault rule (JSON text); its id.
    fn add_fault<'a>(&'a self, rule: &'a str) -> Reply<'a, i64>;
    /// Every fault rule, by id.
    fn faults(&self) -> Reply<'_, Vec<FaultRow>>;
    /// Deletes every fault rule.
    fn clear_faults(&self) -> Reply<'_, ()>;
    /// Counts one more request matched by rule `id`: how many it has
    /// matched with this one (`None` when the rule is gone).
    fn match_fault(&self, id: i64) -> Reply<'_, Option<i64>>;
    /// Counts one more request failed by rule `id`.
    fn fire_fault(&self, id: i64) -> Reply<'_, ()>;
    /// The last deployment number drawn (0: none).
    fn last_number(&self) -> Reply<'_, i64>;
    /// Replaces everything with `contents` (its modes as scope texts), in
    /// one transaction.
    fn replace<'a>(&'a self, contents: &'a Contents, modes: &'a [(String, bool)]) -> Reply<'a, ()>;
    /// Whether this is a database (where a read costs a query, which a
    /// write cache saves) rather than memory.
    fn is_database(&self) -> bool;
}

/// The store: a backend behind one interface.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    compare_and_set: bool,
    /// The bugs a simulation planted.
    #[cfg(feature = "simulation")]
    planted: simulated::Planted,
}

impl Store {
    /// Opens `url`: `memory`, `postgres://…` (or `postgresql://…`),
    /// `sqlite:…` or a plain file path (SQLite, created if missing;
    /// `sqlite::memory:` is an in-memory SQLite). The schema is created or
    /// migrated from the versioned migration files before it answers.
    ///
    /// # Errors
    /// The database cannot be opened or migrated, or the address is unknown.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let backend: Arc<dyn Backend> = if url == "memory" {
            Arc::new(memory::MemoryStore::default())
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            sql::open_postgres(url).await?
        } else if url.starts_with("sqlite:") {
            sql::open_sqlite(url).await?
        } else if url.contains("://") || url.is_empty() {
            return Err(StoreError::UnknownUrl(url.to_owned()));
        } else {
            sql::open_sqlite(&format!("sqlite:{url}")).await?
        };
        Ok(Self::on(backend))
    }

    fn on(backend: Arc<dyn Backend>) -> Self {
        Self {
            backend,
            compare_and_set: true,
            #[cfg(feature = "simulation")]
            planted: simulated::Planted::default(),
        }
    }

    /// A store in memory: nothing survives the process.
    pub fn memory() -> Self {
        Self::on(Arc::new(memory::MemoryStore::default()))
    }

    /// Whether the simulation planted the engine worker's bug of deleting
    /// a job before applying its report (never, without the feature
    /// `simulation`).
    pub(crate) fn finishes_before_apply(&self) -> bool {
        #[cfg(feature = "simulation")]
        return self.planted.finish_before_apply;
        #[cfg(not(feature = "simulation"))]
        false
    }

    /// Whether the simulation planted the write path's bug of retrying a
    /// lost compare-and-set from the cached entry.
    pub(crate) fn keeps_stale_cache(&self) -> bool {
        #[cfg(feature = "simulation")]
        return self.planted.keep_stale_cache;
        #[cfg(not(feature = "simulation"))]
        false
    }

    /// Whether the simulation planted the engine worker's bug of applying
    /// a report to the current attempt, whichever it names.
    pub(crate) fn applies_to_wrong_attempt(&self) -> bool {
        #[cfg(feature = "simulation")]
        return self.planted.wrong_attempt;
        #[cfg(not(feature = "simulation"))]
        false
    }

    /// The same store, but its writes no longer compare what they read:
    /// two writers that read the same row both commit, and the second
    /// silently undoes the first (a lost update). No server should run
    /// this way; it exists to show what compare-and-set prevents, and the
    /// linearizability check's negative control runs a replica on it to
    /// show the check catches it. The server binary offers no way to it.
    #[must_use]
    pub fn without_compare_and_set(self) -> Self {
        Self {
            compare_and_set: false,
            ..self
        }
    }

    /// Whether this is a database (where a read costs a query, which a
    /// write cache saves) rather than memory.
    pub fn is_database(&self) -> bool {
        self.backend.is_database()
    }

    /// The row of `id`, if the store holds it.
    ///
    /// # Errors
    /// The database failed, or the row does not decode.
    pub async fn load(&self, id: &ResourceId) -> Result<Option<Row>, StoreError> {
        self.backend.load(&key(id)).await
    }

    /// The row of `id` and its newest deployment record (the running or
    /// last attempt's), read together, for a write.
    ///
    /// # Errors
    /// The database failed, or the row or record does not decode.
    pub async fn load_for_write(&self, id: &ResourceId) -> Result<Option<ForWrite>, StoreError> {
        self.backend.load_for_write(&key(id)).await
    }

    /// Every row, by key.
    ///
    /// # Errors
    /// The database failed, or a row does not decode.
    pub async fn load_all(&self) -> Result<Vec<Row>, StoreError> {
        self.backend.load_all().await
    }

    /// The rows of the service `name`'s parts: its pipeline's, if stored,
    /// then its instances' by name. Two reads through the key's index
    /// (the pipeline's key, the instances' key range), never the table.
    ///
    /// # Errors
    /// The database failed, or a row does not decode.
    pub async fn load_service(&self, name: &ResourceName) -> Result<Vec<Row>, StoreError> {
        let pipeline = ResourceId::ServicePipeline {
            service: name.clone(),
        };
        let mut rows: Vec<Row> = self.load(&pipeline).await?.into_iter().collect();
        let (from, to) = codec::instances_of(name);
        rows.extend(self.backend.load_range(&from, &to, i64::MAX).await?);
        Ok(rows)
    }

    /// Up to `limit` rows whose keys are at least `from` and below `to`, by
    /// key, read through the key's index.
    ///
    /// # Errors
    /// The database failed, or a row does not decode.
    pub async fn load_range(
        &self,
        (from, to): (&str, &str),
        limit: usize,
    ) -> Result<Vec<Row>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.backend.load_range(from, to, limit).await
    }

    /// As [`Store::load_range`], reading of each row only its key and its
    /// stored summary (the whole row where it has none): what a page of a
    /// list in key order needs.
    ///
    /// # Errors
    /// The database failed, or a row without a summary does not decode.
    pub async fn list_range(
        &self,
        (from, to): (&str, &str),
        limit: usize,
    ) -> Result<Vec<ListedRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.backend.list_range(from, to, limit).await
    }

    /// As [`Store::records_from`], reading of each record only its place,
    /// its id and its stored summary (the whole record where it has none).
    ///
    /// # Errors
    /// The database failed, or a record without a summary does not decode.
    pub async fn listed_records_from(
        &self,
        from: Option<i64>,
        limit: usize,
    ) -> Result<Vec<ListedRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.backend
            .listed_records_from(from.unwrap_or(i64::MAX), limit)
            .await
    }

    /// Up to `limit` records, newest first, from the one numbered `from`
    /// (a [`Record::seq`]) down, or from the newest; read through the
    /// records' order index.
    ///
    /// # Errors
    /// The database failed, or a record does not decode.
    pub async fn records_from(
        &self,
        from: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.backend
            .records_from(from.unwrap_or(i64::MAX), limit)
            .await
    }

    /// Writes every put of `puts` and what they `produced` in one
    /// transaction, if each holds: an insert's resource has no row, and a
    /// replaced row still holds what was read. Otherwise nothing is written
    /// and the answer is [`Written::Stale`]: read again and decide again.
    ///
    /// # Errors
    /// The database failed.
    pub async fn write_together(
        &self,
        puts: &[Put],
        produced: &Produced,
    ) -> Result<Written, StoreError> {
        let puts = puts
            .iter()
            .map(|p| match p {
                Put::Insert(row) => BackendPut::Insert(row),
                Put::Replace(expected, row) => {
                    BackendPut::Replace(self.compare_and_set.then_some(expected), row)
                }
            })
            .collect();
        self.backend.write_together(puts, produced).await
    }

    /// Inserts `row` with what it produced, only if the store holds no row
    /// for its resource; `false` when it did (and nothing was written).
    ///
    /// # Errors
    /// The database failed.
    pub async fn insert(&self, row: &Row, produced: &Produced) -> Result<bool, StoreError> {
        self.backend.insert(row, produced).await
    }

    /// As [`Store::insert`] for each of `rows`, in one transaction on a
    /// database: for each, whether it was inserted (`false`: the store
    /// held a row for its resource, and nothing of it was written).
    ///
    /// # Errors
    /// The database failed; nothing was written.
    pub async fn insert_each(&self, rows: &[(Row, Produced)]) -> Result<Vec<bool>, StoreError> {
        self.backend.insert_each(rows).await
    }

    /// Replaces the row of `row`'s resource with what the change produced,
    /// in one transaction, if the row still holds what was read: the
    /// `expected` revision in its revision column and in its snapshot, and
    /// the `expected` meta. A row changed meanwhile, by another writer or
    /// behind the server's back, answers [`Written::Stale`].
    ///
    /// # Errors
    /// The database failed.
    pub async fn commit(
        &self,
        expected: &Expected,
        row: &Row,
        produced: &Produced,
    ) -> Result<Written, StoreError> {
        let expected = self.compare_and_set.then_some(expected);
        self.backend.commit(expected, (row, produced)).await
    }

    /// Claims up to `limit` jobs due at `now` that no live lease holds, for
    /// `lease`; a claimed job that is not finished before its lease ends is
    /// claimed again (a crash between claiming and applying re-delivers it).
    /// In due order.
    ///
    /// # Errors
    /// The database failed, or a job does not decode.
    pub async fn claim_due(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<Job>, StoreError> {
        let mut jobs = self
            .backend
            .claim_due(now.as_millis(), millis(lease), limit)
            .await?;
        jobs.sort_by_key(|j| (j.due, j.id));
        Ok(jobs)
    }

    /// When a worker can next claim a job, if any is queued: a job's due
    /// time, or, for a job a live lease holds, the first millisecond after
    /// its lease (so a worker waits for a lease another worker holds
    /// instead of asking again and again).
    ///
    /// # Errors
    /// The database failed.
    pub async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        Ok(self.backend.next_due().await?.map(Timestamp::from_millis))
    }

    /// Deletes an applied job.
    ///
    /// # Errors
    /// The database failed.
    pub async fn finish_job(&self, id: i64) -> Result<(), StoreError> {
        self.backend.finish_job(id).await
    }

    /// Ends the lease of a claimed job that was not applied, so that it can
    /// be claimed again at once.
    ///
    /// # Errors
    /// The database failed.
    pub async fn release_job(&self, id: i64) -> Result<(), StoreError> {
        self.backend.release_job(id).await
    }

    /// The record of attempt `id`.
    ///
    /// # Errors
    /// The database failed, or the record does not decode.
    pub async fn record(&self, id: DeploymentId) -> Result<Option<Record>, StoreError> {
        self.backend.record(&id.to_string()).await
    }

    /// Deletes the record of attempt `id`; whether there was one.
    ///
    /// # Errors
    /// The database failed.
    pub async fn delete_record(&self, id: DeploymentId) -> Result<bool, StoreError> {
        self.backend.delete_record(&id.to_string()).await
    }

    /// The next deployment number: 1, 2, 3, … across every server on the
    /// database, never the same twice.
    ///
    /// # Errors
    /// The database failed.
    pub async fn next_number(&self) -> Result<u64, StoreError> {
        let n = self.backend.next_number().await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// `n` new deployment numbers at once, ascending, as
    /// [`Store::next_number`] would draw them one by one.
    ///
    /// # Errors
    /// The database failed.
    pub async fn next_numbers(&self, n: usize) -> Result<Vec<u64>, StoreError> {
        let numbers = self.backend.next_numbers(n).await?;
        Ok(numbers
            .into_iter()
            .map(|n| u64::try_from(n).unwrap_or(0))
            .collect())
    }

    /// Every record, newest first.
    ///
    /// # Errors
    /// The database failed, or a record does not decode.
    pub async fn records(&self) -> Result<Vec<Record>, StoreError> {
        self.backend.records().await
    }
}
