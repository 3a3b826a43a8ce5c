//! Where the server keeps its state: one small interface, three backends
//! (memory for tests, SQLite by default, PostgreSQL for several replicas).
//!
//! A resource is one row holding the core's versioned snapshot; every write
//! is a compare-and-set on the revision it read. The deployment records and
//! the engine's jobs that a change produces are written in the same
//! transaction as the change, so a crash never separates a state from the
//! work it owes.

mod connections;
mod memory;
mod sql;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use proton_cancel::{Deployment, DeploymentId, ResourceId, Timestamp};
use proton_cancel_wire::DeploymentRecord;
use serde_json::Value;

/// One resource as stored: its machine and what the server keeps beside it
/// (ARN, environment, engine script), which the store does not read.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The machine; its revision is the row's.
    pub deployment: Deployment,
    /// The server's own data about the resource, as the JSON text the
    /// server wrote: the store keeps it as it is and never parses it.
    pub meta: String,
}

/// A deployment record to write, with its place in the list order.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    /// The order of creation (larger is newer).
    pub seq: i64,
    /// The record.
    pub record: DeploymentRecord,
}

/// Engine work to queue: a payload for `resource`, due at `due`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// When it is due.
    pub due: Timestamp,
    /// The resource it is for.
    pub resource: ResourceId,
    /// What to deliver (the server's report, as JSON).
    pub payload: Value,
}

/// A job a worker has claimed: it is not claimed again until its lease
/// ends, and is deleted with [`Store::finish_job`] once applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    /// The job's id.
    pub id: i64,
    /// When it was due.
    pub due: Timestamp,
    /// The resource it is for.
    pub resource: ResourceId,
    /// What to deliver.
    pub payload: Value,
}

/// What a write produces besides the new row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Produced {
    /// Records to insert or replace.
    pub records: Vec<RecordRow>,
    /// Jobs to queue.
    pub jobs: Vec<NewJob>,
}

/// The result of a compare-and-set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Written {
    /// The row had the revision read, and the change is stored.
    Committed,
    /// Another writer changed the row first; nothing was written. Read it
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
    /// A stored row does not decode.
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

/// Whether [`Store::commit`] compares the revision; only
/// [`switch_off_compare_and_set_for_the_check`] turns it off.
static COMPARE_AND_SET: AtomicBool = AtomicBool::new(true);

/// Makes every later [`Store::commit`] in this process write without
/// comparing the revision it read: lost updates become possible. This
/// exists for one caller, the negative control of the linearizability
/// check (`server/tests/check`), which must show that the check catches
/// what compare-and-set prevents. The server binary has no flag, variable
/// or setting that reaches it.
#[doc(hidden)]
pub fn switch_off_compare_and_set_for_the_check() {
    COMPARE_AND_SET.store(false, Ordering::SeqCst);
}

/// The key of a resource's row: `service-instance/shop/web`,
/// `environment/prod`, `service-pipeline/shop`, `component/cache`
/// (names cannot hold `/`).
pub fn key(id: &ResourceId) -> String {
    match id {
        ResourceId::ServiceInstance { service, name } => {
            format!("service-instance/{service}/{name}")
        }
        ResourceId::Environment { name } => format!("environment/{name}"),
        ResourceId::ServicePipeline { service } => format!("service-pipeline/{service}"),
        ResourceId::Component { name } => format!("component/{name}"),
        other => format!("{}/{other}", other.kind()),
    }
}

fn revision_i64(d: &Deployment) -> i64 {
    i64::try_from(d.revision()).unwrap_or(i64::MAX)
}

/// The row's snapshot as JSON text (its meta is text already).
fn encode_snapshot(row: &Row) -> Result<String, StoreError> {
    serde_json::to_string(&row.deployment).map_err(|e| StoreError::Corrupt {
        key: key(row.deployment.resource()),
        reason: e.to_string(),
    })
}

fn decode_row(key: &str, snapshot: &str, meta: String) -> Result<Row, StoreError> {
    Ok(Row {
        deployment: serde_json::from_str(snapshot).map_err(|e| StoreError::Corrupt {
            key: key.to_owned(),
            reason: e.to_string(),
        })?,
        meta,
    })
}

fn decode_record(id: &str, record: &str) -> Result<DeploymentRecord, StoreError> {
    serde_json::from_str(record).map_err(|e| StoreError::Corrupt {
        key: format!("deployment/{id}"),
        reason: e.to_string(),
    })
}

fn decode_job(id: i64, due: i64, resource: &str, payload: &str) -> Result<Claimed, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt {
        key: format!("job/{id}"),
        reason: e.to_string(),
    };
    Ok(Claimed {
        id,
        due: Timestamp::from_millis(due),
        resource: serde_json::from_str(resource).map_err(corrupt)?,
        payload: serde_json::from_str(payload).map_err(corrupt)?,
    })
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The store: one of the three backends behind one interface.
#[derive(Debug, Clone)]
pub enum Store {
    /// In memory, for tests: nothing survives the process.
    Memory(memory::MemoryStore),
    /// SQLite: a file (or an in-memory database), one writer at a time.
    Sqlite(sql::SqliteStore),
    /// PostgreSQL: shared by any number of replicas.
    Postgres(sql::PostgresStore),
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Store::Memory($s) => $call,
            Store::Sqlite($s) => $call,
            Store::Postgres($s) => $call,
        }
    };
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
        if url == "memory" {
            Ok(Self::Memory(memory::MemoryStore::default()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(sql::PostgresStore::open(url).await?))
        } else if url.starts_with("sqlite:") {
            Ok(Self::Sqlite(sql::SqliteStore::open(url).await?))
        } else if url.contains("://") || url.is_empty() {
            Err(StoreError::UnknownUrl(url.to_owned()))
        } else {
            Ok(Self::Sqlite(
                sql::SqliteStore::open(&format!("sqlite:{url}")).await?,
            ))
        }
    }

    /// The row of `id`, if the store holds it.
    ///
    /// # Errors
    /// The database failed, or the row does not decode.
    pub async fn load(&self, id: &ResourceId) -> Result<Option<Row>, StoreError> {
        dispatch!(self, s => s.load(&key(id)).await)
    }

    /// The row of `id` and its newest deployment record (the running or
    /// last attempt's), read together, for a write.
    ///
    /// # Errors
    /// The database failed, or the row or record does not decode.
    pub async fn load_for_write(
        &self,
        id: &ResourceId,
    ) -> Result<Option<(Row, Option<DeploymentRecord>)>, StoreError> {
        dispatch!(self, s => s.load_for_write(&key(id)).await)
    }

    /// Every row, by key.
    ///
    /// # Errors
    /// The database failed, or a row does not decode.
    pub async fn load_all(&self) -> Result<Vec<Row>, StoreError> {
        dispatch!(self, s => s.load_all().await)
    }

    /// Inserts `row` with what it produced, only if the store holds no row
    /// for its resource; `false` when it did (and nothing was written).
    ///
    /// # Errors
    /// The database failed.
    pub async fn insert(&self, row: &Row, produced: &Produced) -> Result<bool, StoreError> {
        dispatch!(self, s => s.insert(row, produced).await)
    }

    /// Replaces the row of `row`'s resource if it still has revision
    /// `read`, with what the change produced, in one transaction.
    ///
    /// # Errors
    /// The database failed.
    pub async fn commit(
        &self,
        read: u64,
        row: &Row,
        produced: &Produced,
    ) -> Result<Written, StoreError> {
        let read = COMPARE_AND_SET
            .load(Ordering::SeqCst)
            .then(|| i64::try_from(read).unwrap_or(i64::MAX));
        dispatch!(self, s => s.commit(read, row, produced).await)
    }

    /// Claims up to `limit` jobs due at `now` that no live lease holds, for
    /// `lease`; a claimed job that is not finished before its lease ends is
    /// claimed again (a crash between claiming and applying re-delivers it).
    ///
    /// # Errors
    /// The database failed, or a job does not decode.
    pub async fn claim_due(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        dispatch!(self, s => s.claim_due(now.as_millis(), millis(lease), limit).await)
    }

    /// When the next job falls due, if any is queued.
    ///
    /// # Errors
    /// The database failed.
    pub async fn next_due(&self) -> Result<Option<Timestamp>, StoreError> {
        dispatch!(self, s => s.next_due().await.map(|d| d.map(Timestamp::from_millis)))
    }

    /// Deletes an applied job.
    ///
    /// # Errors
    /// The database failed.
    pub async fn finish_job(&self, id: i64) -> Result<(), StoreError> {
        dispatch!(self, s => s.finish_job(id).await)
    }

    /// The record of attempt `id`.
    ///
    /// # Errors
    /// The database failed, or the record does not decode.
    pub async fn record(&self, id: DeploymentId) -> Result<Option<DeploymentRecord>, StoreError> {
        dispatch!(self, s => s.record(&id.to_string()).await)
    }

    /// The next deployment number: 1, 2, 3, … across every server on the
    /// database, never the same twice.
    ///
    /// # Errors
    /// The database failed.
    pub async fn next_number(&self) -> Result<u64, StoreError> {
        let n = dispatch!(self, s => s.next_number().await)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Every record, newest first.
    ///
    /// # Errors
    /// The database failed, or a record does not decode.
    pub async fn records(&self) -> Result<Vec<DeploymentRecord>, StoreError> {
        dispatch!(self, s => s.records().await)
    }
}
