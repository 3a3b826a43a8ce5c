//! The operations and the simulated provisioning engine, around the
//! `proton-cancel` machine, on a [`Store`]. The server acts only on what the
//! machine returns: an applied outcome's effect becomes engine jobs, and
//! its attempt's deployment record follows it, all written with the new
//! state in one compare-and-set transaction; nothing is inferred from the
//! state's getters. A write that loses the race re-reads and re-applies.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use futures_util::{StreamExt as _, TryStreamExt as _};
use proton_cancel::{
    ClientToken, Configuration, Deployment, DeploymentId, DeploymentStatus, Effect, EngineResult,
    Input, Observed, Outcome, ResourceId, ResourceName, StatusMessage, TemplateRef, Timestamp,
};
use proton_cancel_wire::{
    ApiError, CancelComponentDeploymentInput, CancelComponentDeploymentOutput,
    CancelEnvironmentDeploymentInput, CancelEnvironmentDeploymentOutput,
    CancelServiceInstanceDeploymentInput, CancelServiceInstanceDeploymentOutput,
    CancelServicePipelineDeploymentInput, CancelServicePipelineDeploymentOutput, Component,
    ConfigurationChange, DEFAULT_PAGE_SIZE, DeploymentRecord, Environment, ErrorCode,
    GetComponentInput, GetComponentOutput, GetDeploymentInput, GetDeploymentOutput,
    GetEnvironmentInput, GetEnvironmentOutput, GetServiceInput, GetServiceInstanceInput,
    GetServiceInstanceOutput, GetServiceOutput, ListDeploymentsInput, ListDeploymentsOutput,
    ListServiceInstancesInput, ListServiceInstancesOutput, Operation, RecordPlace, Request,
    Service, ServiceInstance, ServicePipeline, UpdateComponentInput, UpdateComponentOutput,
    UpdateEnvironmentInput, UpdateEnvironmentOutput, UpdateServiceInstanceInput,
    UpdateServiceInstanceOutput, UpdateServicePipelineInput, UpdateServicePipelineOutput, page,
};
use serde::{Deserialize, Serialize};

use crate::seed::{EngineOverrides, EngineScript, Outcome as EngineOutcome, Seed, SeedDeployment};
use crate::store::{NewJob, Produced, RecordRow, Row, Store, StoreError, Written};

/// Where the server's time comes from: the system clock, or a clock that
/// moves only when told to (for tests: no test waits for a real timer).
#[derive(Clone, Debug)]
pub enum Clock {
    /// The system clock read once at start, moved on by Tokio's monotonic
    /// clock (so a wall-clock jump cannot reorder engine reports, and a
    /// test on Tokio's paused time runs the real engine task without
    /// waiting); engine reports are delivered by a background task as they
    /// fall due. Build it with [`Clock::system`].
    System {
        /// The system time at start.
        started: Timestamp,
        /// Tokio's instant at start.
        at: tokio::time::Instant,
    },
    /// A clock that stands still until [`App::advance`] moves it; engine
    /// reports are delivered by [`App::advance`] alone.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// The system clock, from now.
    pub fn system() -> Self {
        Self::System {
            started: system_now(),
            at: tokio::time::Instant::now(),
        }
    }

    /// A manual clock standing at `at`.
    pub fn manual(at: Timestamp) -> Self {
        Self::Manual(Arc::new(AtomicI64::new(at.as_millis())))
    }

    /// The time now.
    pub fn now(&self) -> Timestamp {
        match self {
            Self::System { started, at } => {
                let elapsed = i64::try_from(at.elapsed().as_millis()).unwrap_or(i64::MAX);
                Timestamp::from_millis(started.as_millis().saturating_add(elapsed))
            }
            Self::Manual(millis) => Timestamp::from_millis(millis.load(Ordering::SeqCst)),
        }
    }
}

/// The time now, from the system clock: the one place the server reads it.
#[allow(clippy::disallowed_methods)] // the server, unlike the core crate, owns a clock
fn system_now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}

/// What the server keeps beside a resource's machine: its ARN, the
/// environment its records name, and its engine script.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    arn: String,
    environment: Option<ResourceName>,
    engine: EngineScript,
}

/// One resource as the operations see it: its machine and its [`Meta`].
struct Entry {
    deployment: Deployment,
    meta: Meta,
}

impl Entry {
    fn of(row: Row) -> Result<Self, ApiError> {
        let meta = serde_json::from_str(&row.meta).map_err(|e| {
            ApiError::internal(format!(
                "the stored data of {} cannot be read: {e}",
                row.deployment.resource()
            ))
        })?;
        Ok(Self {
            deployment: row.deployment,
            meta,
        })
    }

    fn row(&self) -> Row {
        Row {
            deployment: self.deployment.clone(),
            meta: serde_json::to_string(&self.meta).unwrap_or_default(),
        }
    }
}

/// What the simulated engine will report; the time is added when it is
/// delivered. Stored as a job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "report", rename_all = "camelCase")]
enum Report {
    #[serde(rename_all = "camelCase")]
    UpdateFinished {
        deployment_id: DeploymentId,
        failure: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    CancellationStarted { deployment_id: DeploymentId },
    #[serde(rename_all = "camelCase")]
    CancellationFinished {
        deployment_id: DeploymentId,
        failure: Option<String>,
    },
}

fn result_of(failure: Option<String>) -> EngineResult {
    match failure {
        None => EngineResult::Succeeded,
        Some(reason) => EngineResult::Failed(StatusMessage::new(reason)),
    }
}

impl Report {
    fn name(&self) -> &'static str {
        match self {
            Self::UpdateFinished { failure: None, .. } => "UpdateFinished(SUCCEEDED)",
            Self::UpdateFinished { .. } => "UpdateFinished(FAILED)",
            Self::CancellationStarted { .. } => "CancellationStarted",
            Self::CancellationFinished { failure: None, .. } => "CancellationFinished(SUCCEEDED)",
            Self::CancellationFinished { .. } => "CancellationFinished(FAILED)",
        }
    }

    fn at(self, at: Timestamp) -> Input {
        match self {
            Self::UpdateFinished {
                deployment_id,
                failure,
            } => Input::UpdateFinished {
                at,
                deployment_id,
                result: result_of(failure),
            },
            Self::CancellationStarted { deployment_id } => {
                Input::CancellationStarted { at, deployment_id }
            }
            Self::CancellationFinished {
                deployment_id,
                failure,
            } => Input::CancellationFinished {
                at,
                deployment_id,
                result: result_of(failure),
            },
        }
    }
}

/// The server's state: shared by every request and the engine.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// `arn:aws:proton:<region>:<account>:`, the start of every ARN.
    arn_prefix: String,
    clock: Clock,
    /// Woken when a job is queued, so the engine task re-reads the next due
    /// time.
    queued: tokio::sync::Notify,
    /// How long an engine worker holds a claimed job.
    lease: Duration,
    /// What this process last wrote or read for a write, per resource
    /// (database backends only): see [`WriteCache`].
    cache: WriteCache,
}

/// The rows this process last committed, with each resource's newest
/// record, so a write can skip its read: the compare-and-set is made on the
/// cached revision, and a row changed meanwhile (by another replica, say)
/// answers Stale, which drops the entry and re-reads. An outcome computed
/// on a cached row that writes nothing (a rejection, an ignored report) is
/// computed again on a fresh read before it is answered, so no answer
/// rests on a cached row that the database did not confirm. Reads (Get*)
/// never use it. Bounded: when full, it starts again empty.
#[derive(Default)]
struct WriteCache {
    enabled: bool,
    rows: std::sync::Mutex<std::collections::HashMap<ResourceId, (Row, Option<DeploymentRecord>)>>,
}

/// How many seeded resources are written at once.
const SEED_WRITES_AT_ONCE: usize = 16;

/// How many resources [`WriteCache`] holds at most.
const WRITE_CACHE_LIMIT: usize = 100_000;

impl WriteCache {
    fn take(&self, id: &ResourceId) -> Option<(Row, Option<DeploymentRecord>)> {
        if !self.enabled {
            return None;
        }
        self.rows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    fn put(&self, id: ResourceId, row: Row, newest: Option<DeploymentRecord>) {
        if !self.enabled {
            return;
        }
        let mut rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
        if rows.len() >= WRITE_CACHE_LIMIT && !rows.contains_key(&id) {
            rows.clear();
        }
        rows.insert(id, (row, newest));
    }

    fn forget(&self, id: &ResourceId) {
        if self.enabled {
            self.rows
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(id);
        }
    }
}

/// Why a seed cannot be loaded.
#[derive(Debug)]
pub struct SeedError(pub String);

impl std::fmt::Display for SeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SeedError {}

impl From<StoreError> for SeedError {
    fn from(e: StoreError) -> Self {
        Self(e.to_string())
    }
}

fn store_failed(e: StoreError) -> ApiError {
    tracing::error!(error = %e, "store");
    ApiError::internal(format!("the service's store failed: {e}"))
}

/// How long a claimed job stays claimed before another worker may take it,
/// unless [`App::open_with_lease`] says otherwise.
pub const DEFAULT_JOB_LEASE: Duration = Duration::from_secs(30);

impl App {
    /// An app on an in-memory store (for tests): see [`App::open`].
    ///
    /// # Errors
    /// The seed cannot be loaded.
    pub async fn new(seed: Seed, cli: EngineOverrides, clock: Clock) -> Result<Self, SeedError> {
        let store = Store::open("memory").await?;
        Self::open(store, seed, cli, clock).await
    }

    /// Loads `seed` into `store`, writing only the resources the store does
    /// not hold yet (a restart with the same seed never resets state);
    /// `cli` engine settings sit between the seed's server-wide ones and
    /// each resource's own. Resources seeded IN_PROGRESS start their
    /// attempt now, so their engine jobs are queued. With [`Clock::System`]
    /// the engine runs as a task: call this inside a Tokio runtime.
    ///
    /// # Errors
    /// The seed cannot be loaded, or the store fails.
    pub async fn open(
        store: Store,
        seed: Seed,
        cli: EngineOverrides,
        clock: Clock,
    ) -> Result<Self, SeedError> {
        Self::open_with_lease(store, seed, cli, clock, DEFAULT_JOB_LEASE).await
    }

    /// [`App::open`] with engine workers that hold a claimed job for
    /// `lease` before a worker of any replica may claim it again. A replica
    /// that dies holding a job delays that job's report by at most `lease`;
    /// a lease shorter than a report takes to apply lets two workers
    /// deliver it, which the machine ignores as a duplicate.
    ///
    /// # Errors
    /// The seed cannot be loaded, or the store fails.
    pub async fn open_with_lease(
        store: Store,
        seed: Seed,
        cli: EngineOverrides,
        clock: Clock,
        lease: Duration,
    ) -> Result<Self, SeedError> {
        let defaults = cli.over(seed.engine.over(EngineScript::default()));
        let region = seed
            .region
            .clone()
            .unwrap_or_else(|| "us-east-1".to_owned());
        let account = seed
            .account_id
            .clone()
            .unwrap_or_else(|| "123456789012".to_owned());
        let arn_prefix = format!("arn:aws:proton:{region}:{account}:");
        // A database read costs a round trip; memory's does not.
        let cache_writes = !matches!(store, Store::Memory(_));
        let arn = |path: String| format!("{arn_prefix}{path}");
        let app = App {
            inner: Arc::new(Inner {
                store,
                arn_prefix: arn_prefix.clone(),
                clock,
                queued: tokio::sync::Notify::new(),
                lease,
                cache: WriteCache {
                    enabled: cache_writes,
                    ..WriteCache::default()
                },
            }),
        };
        let mut entries = Vec::new();
        for s in seed.service_instances.clone() {
            let id = ResourceId::ServiceInstance {
                service: s.service_name.clone(),
                name: s.name.clone(),
            };
            let arn = arn(format!(
                "service/{}/service-instance/{}",
                s.service_name, s.name
            ));
            entries.push((id, arn, Some(s.environment_name), s.deployment));
        }
        for s in seed.environments {
            let arn = arn(format!("environment/{}", s.name));
            entries.push((
                ResourceId::Environment { name: s.name },
                arn,
                None,
                s.deployment,
            ));
        }
        for s in seed.service_pipelines {
            let arn = arn(format!("service/{}/pipeline", s.service_name));
            // The records of a pipeline's deployments name an environment:
            // the seed's, or that of the service's first instance by name.
            let environment = s.environment_name.clone().or_else(|| {
                seed.service_instances
                    .iter()
                    .filter(|i| i.service_name == s.service_name)
                    .min_by(|a, b| a.name.cmp(&b.name))
                    .map(|i| i.environment_name.clone())
            });
            let id = ResourceId::ServicePipeline {
                service: s.service_name,
            };
            let Some(environment) = environment else {
                return Err(SeedError(format!(
                    "{id}: give its environmentName, or seed an instance of the service: \
                     its deployment records name an environment"
                )));
            };
            entries.push((id, arn, Some(environment), s.deployment));
        }
        for s in seed.components {
            let arn = arn(format!("component/{}", s.name));
            let id = ResourceId::Component { name: s.name };
            entries.push((id, arn, Some(s.environment_name), s.deployment));
        }
        let at = app.now();
        // Each resource is built in seed order (so deployment ids follow
        // it), then written in its own transaction, several at once: on
        // PostgreSQL a seed of 100,000 resources loads in seconds instead of
        // minutes. Which resources a restart inserts does not depend on the
        // order: each insert is skipped if its row exists.
        let mut built = Vec::with_capacity(entries.len());
        for (id, arn, environment, seed) in entries {
            built.push(app.build(id, arn, environment, seed, defaults, at).await?);
        }
        futures_util::stream::iter(
            built
                .into_iter()
                .map(|(row, produced)| app.insert(row, produced)),
        )
        .buffer_unordered(SEED_WRITES_AT_ONCE)
        .try_collect::<()>()
        .await?;
        app.inner.queued.notify_one();
        if matches!(app.inner.clock, Clock::System { .. }) {
            tokio::spawn(app.clone().run_engine());
        }
        Ok(app)
    }

    /// The time now, by the server's clock.
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Moves a [`Clock::Manual`] forward by `by` and delivers every engine
    /// report that falls due, in order. With [`Clock::System`] it only
    /// delivers what is already due.
    pub async fn advance(&self, by: Duration) {
        if let Clock::Manual(millis) = &self.inner.clock {
            let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
            millis.fetch_add(by, Ordering::SeqCst);
        }
        self.deliver_due().await;
    }

    /// A seeded resource's row and what it produces (its running attempt's
    /// record and engine jobs), not yet written.
    async fn build(
        &self,
        id: ResourceId,
        arn: String,
        environment: Option<ResourceName>,
        seed: SeedDeployment,
        defaults: EngineScript,
        at: Timestamp,
    ) -> Result<(Row, Produced), SeedError> {
        let engine = seed.engine.over(defaults);
        let template = match (
            seed.template_name,
            seed.template_major_version,
            seed.template_minor_version,
        ) {
            (Some(name), Some(major), Some(minor)) => Some(TemplateRef { name, major, minor }),
            (None, None, None) => None,
            _ => {
                return Err(SeedError(format!(
                    "{id}: give templateName, templateMajorVersion and templateMinorVersion together"
                )));
            }
        };
        let configuration = match (id.kind().deploys_a_template(), template) {
            (true, Some(template)) => Configuration::Template {
                template,
                spec: seed.spec,
            },
            (false, None) => Configuration::Component {
                service_spec: seed.spec,
            },
            (true, None) => return Err(SeedError(format!("{id}: a template version is required"))),
            (false, Some(_)) => {
                return Err(SeedError(format!(
                    "{id}: a component has no template; give only its spec"
                )));
            }
        };
        if matches!(
            seed.deployment_status,
            DeploymentStatus::Cancelling | DeploymentStatus::DeleteInProgress
        ) {
            // The engine would have nothing to finish them with.
            return Err(SeedError(format!(
                "{id}: cannot be seeded in {}; seed IN_PROGRESS and cancel it, or seed a \
                 settled status",
                seed.deployment_status
            )));
        }
        let meta = Meta {
            arn: arn.clone(),
            environment: environment.clone(),
            engine,
        };
        let mut produced = Produced::default();
        let deployment = if seed.deployment_status == DeploymentStatus::InProgress {
            let deployment_id = self.mint_id().await?;
            let before = Observed::new(id.clone(), at, configuration.clone());
            let (deployment, effect) =
                Deployment::create(id.clone(), at, deployment_id, configuration, None)
                    .map_err(|e| SeedError(format!("{id}: {e}")))?;
            if let Effect::StartDeployment { target, .. } = &effect {
                let place = self
                    .place(deployment_id, &arn, environment.as_ref(), &id)
                    .map_err(|e| SeedError(e.message().to_owned()))?;
                let mut record = DeploymentRecord::start(deployment_id, at, &before, target, place);
                record.follow(at, &deployment.observe());
                produced.records.push(RecordRow {
                    seq: seq_of(deployment_id),
                    record,
                });
            }
            produced.jobs = jobs(&id, effect, engine, at);
            deployment
        } else {
            let mut observed = Observed::new(id.clone(), at, configuration);
            observed.status = seed.deployment_status.clone();
            observed.status_message = match &seed.deployment_status {
                DeploymentStatus::Cancelled => Some(StatusMessage::new(StatusMessage::CANCELLED)),
                DeploymentStatus::Failed | DeploymentStatus::DeleteFailed => Some(
                    StatusMessage::new(seed.deployment_status_message.clone().unwrap_or_default()),
                ),
                _ => None,
            };
            Deployment::restore(observed)
                .map_err(|e| SeedError(format!("{id}: cannot be seeded: {e}")))?
        };
        let entry = Entry { deployment, meta };
        Ok((entry.row(), produced))
    }

    /// Writes a seeded resource unless the store holds it already.
    async fn insert(&self, row: Row, produced: Produced) -> Result<(), SeedError> {
        if self.inner.store.insert(&row, &produced).await? {
            let newest = produced.records.last().map(|r| r.record.clone());
            let id = row.deployment.resource().clone();
            self.inner.cache.put(id, row, newest);
        }
        Ok(())
    }

    /// A fresh deployment id: the store's next number in the low bits of a
    /// fixed UUID v4 layout, so ids are unique across every server on the
    /// database, ordered, and readable in logs.
    async fn mint_id(&self) -> Result<DeploymentId, StoreError> {
        let n = self.inner.store.next_number().await?;
        Ok(DeploymentId::from_u128(
            0x0000_0000_0000_4000_8000_0000_0000_0000 | u128::from(n),
        ))
    }

    /// Delivers every report that is due, in due order, to its resource's
    /// machine; the machine ignores the ones that lost a race. A job is
    /// finished only after its report is applied, so a crash in between
    /// delivers it again.
    async fn deliver_due(&self) {
        loop {
            let now = self.now();
            let claimed = match self.inner.store.claim_due(now, self.inner.lease, 64).await {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::error!(error = %e, "the engine cannot claim its jobs");
                    return;
                }
            };
            if claimed.is_empty() {
                return;
            }
            for job in claimed {
                let report: Report = match serde_json::from_value(job.payload) {
                    Ok(report) => report,
                    Err(e) => {
                        tracing::error!(job = job.id, error = %e, "a job's report cannot be read; dropped");
                        let _ = self.inner.store.finish_job(job.id).await;
                        continue;
                    }
                };
                tracing::info!(resource = %job.resource, report = %report.name(), "engine report");
                let input = report.at(job.due);
                match self.apply(&job.resource, |_| Ok(input.clone())).await {
                    Ok(_) => {}
                    Err(e) if e.code() == ErrorCode::ResourceNotFoundException => {}
                    Err(e) => {
                        tracing::error!(job = job.id, error = %e.message(), "a report could not be applied; it will be delivered again");
                        continue;
                    }
                }
                if let Err(e) = self.inner.store.finish_job(job.id).await {
                    tracing::error!(job = job.id, error = %e, "an applied job could not be finished");
                }
            }
        }
    }

    /// The engine of [`Clock::System`]: sleeps until the next report is due
    /// (or a new one is queued, or a second passes, for jobs another
    /// replica queued), then delivers.
    async fn run_engine(self) {
        loop {
            let next = self.inner.store.next_due().await.ok().flatten();
            let wait = next.map_or(Duration::from_secs(1), |due| {
                let ms = due.as_millis().saturating_sub(self.now().as_millis());
                Duration::from_millis(u64::try_from(ms).unwrap_or(0)).min(Duration::from_secs(1))
            });
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.inner.queued.notified() => {}
            }
            self.deliver_due().await;
        }
    }

    /// Where the record of attempt `id` on `resource` belongs: an
    /// environment's records name the environment itself; every other kind
    /// is stored with the environment its records name.
    fn place(
        &self,
        id: DeploymentId,
        target_arn: &str,
        environment: Option<&ResourceName>,
        resource: &ResourceId,
    ) -> Result<RecordPlace, ApiError> {
        let environment_name = match (resource, environment) {
            (ResourceId::Environment { name }, _) | (_, Some(name)) => name.clone(),
            (_, None) => {
                return Err(ApiError::internal(format!(
                    "{resource} was stored without its environment"
                )));
            }
        };
        Ok(RecordPlace {
            arn: format!("{}deployment/{id}", self.inner.arn_prefix),
            target_arn: target_arn.to_owned(),
            environment_name,
        })
    }

    /// Feeds the input `make` builds from the current machine of `id`, and
    /// acts on what it returns: an attempt it starts gets a deployment
    /// record, the record of the running attempt follows every applied
    /// transition, and the effect becomes engine jobs, all committed with
    /// the new state on the revision read. A commit that finds the row
    /// changed re-reads it and feeds the input again (the machine is
    /// deterministic, so that is safe). Returns the outcome and the entry
    /// after it.
    async fn apply(
        &self,
        id: &ResourceId,
        make: impl Fn(&Deployment) -> Result<Input, ApiError>,
    ) -> Result<(Outcome, Entry), ApiError> {
        let mut cached = self.inner.cache.take(id);
        loop {
            let from_cache = cached.is_some();
            let (row, newest) = match cached.take() {
                Some(hit) => hit,
                None => {
                    let loaded = self
                        .inner
                        .store
                        .load_for_write(id)
                        .await
                        .map_err(store_failed)?;
                    loaded.ok_or_else(|| ApiError::resource_not_found(id))?
                }
            };
            let mut entry = Entry::of(row)?;
            let read = entry.deployment.revision();
            let input = make(&entry.deployment)?;
            let at = input.at();
            let kind = input_name(&input);
            let before = entry.deployment.observe();
            let outcome = entry.deployment.handle(input);
            let Outcome::Applied(transition) = &outcome else {
                if from_cache {
                    // Nothing to write means nothing confirms the cached
                    // row: decide again on a fresh read.
                    continue;
                }
                match &outcome {
                    Outcome::Rejected(r) => {
                        tracing::info!(resource = %id, input = %kind, rejection = %r, "rejected");
                    }
                    _ => tracing::info!(
                        resource = %id,
                        input = %kind,
                        reason = ?outcome.ignore_reason(),
                        status = %entry.deployment.status(),
                        "ignored"
                    ),
                }
                return Ok((outcome, entry));
            };
            let now = entry.deployment.observe();
            let mut produced = Produced::default();
            if let Some(Effect::StartDeployment {
                deployment_id,
                target,
            }) = &transition.effect
            {
                let place = self.place(
                    *deployment_id,
                    &entry.meta.arn,
                    entry.meta.environment.as_ref(),
                    id,
                )?;
                let mut record =
                    DeploymentRecord::start(*deployment_id, at, &before, target, place);
                record.follow(at, &now);
                produced.records.push(RecordRow {
                    seq: seq_of(*deployment_id),
                    record,
                });
            } else if let Some(attempt) = &now.last_attempt {
                // The running attempt's record is the resource's newest,
                // read with the row; looked up by id otherwise.
                let stored = match &newest {
                    Some(record) if record.id == attempt.deployment_id => Some(record.clone()),
                    _ => self
                        .inner
                        .store
                        .record(attempt.deployment_id)
                        .await
                        .map_err(store_failed)?,
                };
                if let Some(mut record) = stored {
                    if record.follow(at, &now) {
                        produced.records.push(RecordRow {
                            seq: seq_of(attempt.deployment_id),
                            record,
                        });
                    }
                }
            }
            if let Some(effect) = transition.effect.clone() {
                produced.jobs = jobs(id, effect, entry.meta.engine, at);
            }
            let row = entry.row();
            let written = self
                .inner
                .store
                .commit(read, &row, &produced)
                .await
                .map_err(store_failed)?;
            if written == Written::Stale {
                self.inner.cache.forget(id);
                tracing::debug!(resource = %id, "lost a compare-and-set; re-reading");
                continue;
            }
            let newest = match produced.records.last() {
                Some(r) if r.record.target().as_ref() == Some(id) => Some(r.record.clone()),
                _ => newest,
            };
            self.inner.cache.put(id.clone(), row, newest);
            tracing::info!(
                resource = %id,
                input = %kind,
                from = %transition.from.status(),
                to = %transition.to.status(),
                effect = %transition.effect.as_ref().map_or("none", effect_name),
                "transition"
            );
            if !produced.jobs.is_empty() {
                self.inner.queued.notify_one();
            }
            return Ok((outcome, entry));
        }
    }
    /// Runs one operation on a JSON body; the JSON answer or the error.
    pub async fn call(&self, operation: Operation, body: &[u8]) -> Result<Vec<u8>, ApiError> {
        match operation {
            Operation::CancelServiceInstanceDeployment => {
                let input = CancelServiceInstanceDeploymentInput::decode(body)?;
                let service_instance = self.cancel(input.resource_id(), service_instance).await?;
                Ok(CancelServiceInstanceDeploymentOutput { service_instance }.to_json())
            }
            Operation::CancelEnvironmentDeployment => {
                let input = CancelEnvironmentDeploymentInput::decode(body)?;
                let environment = self.cancel(input.resource_id(), environment).await?;
                Ok(CancelEnvironmentDeploymentOutput { environment }.to_json())
            }
            Operation::CancelServicePipelineDeployment => {
                let input = CancelServicePipelineDeploymentInput::decode(body)?;
                let pipeline = self.cancel(input.resource_id(), service_pipeline).await?;
                Ok(CancelServicePipelineDeploymentOutput { pipeline }.to_json())
            }
            Operation::CancelComponentDeployment => {
                let input = CancelComponentDeploymentInput::decode(body)?;
                let component = self.cancel(input.resource_id(), component).await?;
                Ok(CancelComponentDeploymentOutput { component }.to_json())
            }
            Operation::UpdateServiceInstance => {
                let input = UpdateServiceInstanceInput::decode(body)?;
                let service_instance = self
                    .update(
                        input.resource_id(),
                        &input.change(),
                        input.client_token.clone(),
                        service_instance,
                    )
                    .await?;
                Ok(UpdateServiceInstanceOutput { service_instance }.to_json())
            }
            Operation::UpdateEnvironment => {
                let input = UpdateEnvironmentInput::decode(body)?;
                let environment = self
                    .update(input.resource_id(), &input.change(), None, environment)
                    .await?;
                Ok(UpdateEnvironmentOutput { environment }.to_json())
            }
            Operation::UpdateServicePipeline => {
                let input = UpdateServicePipelineInput::decode(body)?;
                let pipeline = self
                    .update(input.resource_id(), &input.change(), None, service_pipeline)
                    .await?;
                Ok(UpdateServicePipelineOutput { pipeline }.to_json())
            }
            Operation::UpdateComponent => {
                let input = UpdateComponentInput::decode(body)?;
                let component = self
                    .update(
                        input.resource_id(),
                        &input.change(),
                        input.client_token.clone(),
                        component,
                    )
                    .await?;
                Ok(UpdateComponentOutput { component }.to_json())
            }
            Operation::GetServiceInstance => {
                let input = GetServiceInstanceInput::decode(body)?;
                let service_instance = self.get(&input.resource_id(), service_instance).await?;
                Ok(GetServiceInstanceOutput { service_instance }.to_json())
            }
            Operation::GetEnvironment => {
                let input = GetEnvironmentInput::decode(body)?;
                let environment = self.get(&input.resource_id(), environment).await?;
                Ok(GetEnvironmentOutput { environment }.to_json())
            }
            Operation::GetComponent => {
                let input = GetComponentInput::decode(body)?;
                let component = self.get(&input.resource_id(), component).await?;
                Ok(GetComponentOutput { component }.to_json())
            }
            Operation::GetService => {
                let input = GetServiceInput::decode(body)?;
                let service = self.service(&input.name).await?;
                Ok(GetServiceOutput { service }.to_json())
            }
            Operation::ListServiceInstances => {
                let input = ListServiceInstancesInput::decode(body)?;
                Ok(self.list_service_instances(&input).await?.to_json())
            }
            Operation::GetDeployment => {
                let input = GetDeploymentInput::decode(body)?;
                let deployment = self.deployment(&input).await?;
                Ok(GetDeploymentOutput { deployment }.to_json())
            }
            Operation::ListDeployments => {
                let input = ListDeploymentsInput::decode(body)?;
                Ok(self.list_deployments(&input).await?.to_json())
            }
            _ => Err(ApiError::new(
                ErrorCode::UnknownOperationException,
                format!("operation {operation} is not served"),
            )),
        }
    }

    /// The shape of `id` as it is.
    async fn get<T>(
        &self,
        id: &ResourceId,
        shape: fn(&Entry) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        note_resource(id);
        let row = self.inner.store.load(id).await.map_err(store_failed)?;
        shape(&Entry::of(
            row.ok_or_else(|| ApiError::resource_not_found(id))?,
        )?)
    }

    /// Cancels the deployment of `id` and answers with its shape.
    async fn cancel<T>(
        &self,
        id: ResourceId,
        shape: fn(&Entry) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        note_resource(&id);
        let now = self.now();
        let (outcome, entry) = self.apply(&id, |_| Ok(Input::Cancel { at: now })).await?;
        if let Some(error) = rejected(&outcome) {
            return Err(error);
        }
        shape(&entry)
    }

    /// Updates `id` as `change` asks (deployment type NONE changes
    /// nothing the emulator keeps) and answers with its shape.
    async fn update<T>(
        &self,
        id: ResourceId,
        change: &ConfigurationChange,
        client_token: Option<ClientToken>,
        shape: fn(&Entry) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        note_resource(&id);
        if !change.deploys() {
            return self.get(&id, shape).await;
        }
        let now = self.now();
        let deployment_id = self.mint_id().await.map_err(store_failed)?;
        let (outcome, entry) = self
            .apply(&id, |d| {
                Ok(Input::Update {
                    at: now,
                    deployment_id,
                    target: change.target(d.applied_configuration()),
                    client_token: client_token.clone(),
                })
            })
            .await?;
        if let Some(error) = rejected(&outcome) {
            return Err(error);
        }
        shape(&entry)
    }

    async fn entries(&self) -> Result<Vec<Entry>, ApiError> {
        let rows = self.inner.store.load_all().await.map_err(store_failed)?;
        rows.into_iter().map(Entry::of).collect()
    }

    /// The `Service` shape of `name`: its pipeline if it has one, and what
    /// its pipeline and instances tell of it.
    async fn service(&self, name: &ResourceName) -> Result<Service, ApiError> {
        note_resource(&format_args!("service '{name}'"));
        let all = self.entries().await?;
        let pipeline = all.iter().find(|e| {
            matches!(e.deployment.resource(), ResourceId::ServicePipeline { service } if service == name)
        });
        let mut instances: Vec<&Entry> = all
            .iter()
            .filter(|e| {
                matches!(e.deployment.resource(), ResourceId::ServiceInstance { service, .. } if service == name)
            })
            .collect();
        instances.sort_by(|a, b| a.deployment.resource().cmp(b.deployment.resource()));
        let parts: Vec<Observed> = pipeline
            .iter()
            .chain(instances.iter())
            .map(|e| e.deployment.observe())
            .collect();
        let Some(first) = parts.first() else {
            return Err(ApiError::new(
                ErrorCode::ResourceNotFoundException,
                format!("service '{name}' was not found"),
            ));
        };
        let (template_name, spec) = match &first.applied {
            Configuration::Template { template, spec } => (
                template.name.clone(),
                spec.as_ref()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            Configuration::Component { .. } => {
                return Err(ApiError::internal(format!(
                    "{} holds a component's configuration",
                    first.resource
                )));
            }
        };
        let created = parts
            .iter()
            .map(|o| o.created_at)
            .min()
            .unwrap_or(first.created_at);
        let modified = parts
            .iter()
            .map(|o| o.last_attempt.as_ref().map_or(o.created_at, |a| a.at))
            .max()
            .unwrap_or(created);
        let pipeline = pipeline.map(service_pipeline).transpose()?;
        Ok(Service::new(
            name.clone(),
            format!("{}service/{name}", self.inner.arn_prefix),
            template_name,
            spec,
            (created, modified),
            pipeline,
        ))
    }

    async fn list_service_instances(
        &self,
        input: &ListServiceInstancesInput,
    ) -> Result<ListServiceInstancesOutput, ApiError> {
        let mut all = Vec::new();
        for entry in self.entries().await? {
            if let ResourceId::ServiceInstance { service, .. } = entry.deployment.resource() {
                if input.service_name.as_ref().is_none_or(|s| s == service) {
                    all.push(service_instance(&entry)?);
                }
            }
        }
        all.retain(|i| input.filters.iter().all(|f| crate::list::matches(i, f)));
        crate::list::sort(&mut all, input.sort_by, input.sort_order);
        let (page, next_token) = page(
            all,
            |i| format!("{}/{}", i.service_name, i.name),
            input.next_token.as_ref(),
            input.max_results.unwrap_or(DEFAULT_PAGE_SIZE),
        )?;
        Ok(ListServiceInstancesOutput {
            service_instances: page.into_iter().map(Into::into).collect(),
            next_token,
        })
    }

    /// The record of a deployment, if every name the input gives matches
    /// its target.
    async fn deployment(&self, input: &GetDeploymentInput) -> Result<DeploymentRecord, ApiError> {
        note_resource(&format_args!("deployment '{}'", input.id));
        self.inner
            .store
            .record(input.id)
            .await
            .map_err(store_failed)?
            .filter(|r| input.filter.matches(r))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::ResourceNotFoundException,
                    format!("deployment '{}' was not found", input.id),
                )
            })
    }

    /// The records that match every name given, newest first.
    async fn list_deployments(
        &self,
        input: &ListDeploymentsInput,
    ) -> Result<ListDeploymentsOutput, ApiError> {
        let matching: Vec<_> = self
            .inner
            .store
            .records()
            .await
            .map_err(store_failed)?
            .iter()
            .filter(|r| input.filter.matches(r))
            .map(DeploymentRecord::summary)
            .collect();
        let (deployments, next_token) = page(
            matching,
            |d| d.id.to_string(),
            input.next_token.as_ref(),
            input.max_results.unwrap_or(DEFAULT_PAGE_SIZE),
        )?;
        Ok(ListDeploymentsOutput {
            deployments,
            next_token,
        })
    }
}

/// A record's place in the list order: its id's counter.
fn seq_of(id: DeploymentId) -> i64 {
    i64::try_from(id.as_u128() & 0xffff_ffff_ffff).unwrap_or(i64::MAX)
}

/// The engine's future reports for an effect of the machine.
fn jobs(id: &ResourceId, effect: Effect, engine: EngineScript, now: Timestamp) -> Vec<NewJob> {
    let after = |ms: u64| {
        Timestamp::from_millis(
            now.as_millis()
                .saturating_add(i64::try_from(ms).unwrap_or(i64::MAX)),
        )
    };
    let failure = |outcome: EngineOutcome, reason: &str| match outcome {
        EngineOutcome::Succeeded => None,
        EngineOutcome::Failed => Some(reason.to_owned()),
    };
    let job = |due: Timestamp, report: Report| NewJob {
        due,
        resource: id.clone(),
        payload: serde_json::to_value(report).unwrap_or_default(),
    };
    let mut jobs = Vec::new();
    match effect {
        Effect::StartDeployment { deployment_id, .. } => {
            if let Some(ms) = engine.update_after_ms {
                let failure = failure(
                    engine.update_result,
                    "Provisioning failed: the update did not complete.",
                );
                jobs.push(job(
                    after(ms),
                    Report::UpdateFinished {
                        deployment_id,
                        failure,
                    },
                ));
            }
        }
        Effect::StartCancellation { deployment_id } => {
            if let Some(start) = engine.cancel_start_after_ms {
                jobs.push(job(
                    after(start),
                    Report::CancellationStarted { deployment_id },
                ));
                let failure = failure(
                    engine.cancel_result,
                    "Cancellation failed: the rollback did not complete.",
                );
                if let Some(finish) = engine.cancel_finish_after_ms {
                    jobs.push(job(
                        after(start.saturating_add(finish)),
                        Report::CancellationFinished {
                            deployment_id,
                            failure,
                        },
                    ));
                }
            }
        }
        // The server serves no delete operation, and an effect a later
        // core adds has no engine work here.
        _ => {}
    }
    jobs
}

/// An input's name, for the log.
fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Update { .. } => "Update",
        Input::Cancel { .. } => "Cancel",
        Input::Delete { .. } => "Delete",
        Input::UpdateFinished { .. } => "UpdateFinished",
        Input::CancellationStarted { .. } => "CancellationStarted",
        Input::CancellationFinished { .. } => "CancellationFinished",
        Input::DeleteFinished { .. } => "DeleteFinished",
        _ => "Input",
    }
}

/// An effect's name, for the log.
fn effect_name(effect: &Effect) -> &'static str {
    match effect {
        Effect::StartDeployment { .. } => "StartDeployment",
        Effect::StartCancellation { .. } => "StartCancellation",
        Effect::StartDeletion => "StartDeletion",
        _ => "Effect",
    }
}

/// The error a rejected outcome answers with.
fn rejected(outcome: &Outcome) -> Option<ApiError> {
    outcome.rejection().map(|r| ApiError::from(r.clone()))
}

/// The environment of a kind that has one; its absence is a broken store.
fn environment_of(entry: &Entry) -> Result<&ResourceName, ApiError> {
    entry.meta.environment.as_ref().ok_or_else(|| {
        ApiError::internal(format!(
            "{} was stored without its environment",
            entry.deployment.resource()
        ))
    })
}

fn service_instance(entry: &Entry) -> Result<ServiceInstance, ApiError> {
    let environment = environment_of(entry)?;
    ServiceInstance::new(&entry.deployment.observe(), &entry.meta.arn, environment)
}

fn environment(entry: &Entry) -> Result<Environment, ApiError> {
    Environment::new(&entry.deployment.observe(), &entry.meta.arn)
}

fn service_pipeline(entry: &Entry) -> Result<ServicePipeline, ApiError> {
    ServicePipeline::new(&entry.deployment.observe(), &entry.meta.arn)
}

fn component(entry: &Entry) -> Result<Component, ApiError> {
    let environment = environment_of(entry)?;
    Component::new(&entry.deployment.observe(), &entry.meta.arn, environment)
}

/// Names the resource a request is about on its log line.
fn note_resource(resource: &dyn std::fmt::Display) {
    tracing::Span::current().record("resource", tracing::field::display(resource));
}
