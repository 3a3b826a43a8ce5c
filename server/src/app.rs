//! The in-memory store, the simulated provisioning engine and the operations,
//! all around the `proton-cancel` machine. The server acts only on what the
//! machine returns: each [`Effect`] becomes engine work, queued as reports
//! due at a time; nothing is inferred from the state's getters.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

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

use crate::seed::{EngineOverrides, EngineScript, Outcome as EngineOutcome, Seed, SeedDeployment};

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

/// One resource: its machine, what the wire shows besides (its ARN, and the
/// environment of the kinds that have one), and its engine.
struct Entry {
    deployment: Deployment,
    arn: String,
    environment: Option<ResourceName>,
    engine: EngineScript,
}

/// An engine report waiting for its time.
struct Job {
    resource: ResourceId,
    report: Report,
}

/// What the simulated engine will report; the time is added when it is
/// delivered.
enum Report {
    UpdateFinished(DeploymentId, EngineResult),
    CancellationStarted(DeploymentId),
    CancellationFinished(DeploymentId, EngineResult),
}

impl Report {
    fn name(&self) -> &'static str {
        match self {
            Self::UpdateFinished(_, EngineResult::Succeeded) => "UpdateFinished(SUCCEEDED)",
            Self::UpdateFinished(..) => "UpdateFinished(FAILED)",
            Self::CancellationStarted(_) => "CancellationStarted",
            Self::CancellationFinished(_, EngineResult::Succeeded) => {
                "CancellationFinished(SUCCEEDED)"
            }
            Self::CancellationFinished(..) => "CancellationFinished(FAILED)",
        }
    }

    fn at(self, at: Timestamp) -> Input {
        match self {
            Self::UpdateFinished(deployment_id, result) => Input::UpdateFinished {
                at,
                deployment_id,
                result,
            },
            Self::CancellationStarted(deployment_id) => {
                Input::CancellationStarted { at, deployment_id }
            }
            Self::CancellationFinished(deployment_id, result) => Input::CancellationFinished {
                at,
                deployment_id,
                result,
            },
        }
    }
}

#[derive(Default)]
struct State {
    resources: HashMap<ResourceId, Entry>,
    /// The record of every deployment attempt, by id (ids are minted in
    /// order, so this is also the order of creation).
    records: BTreeMap<DeploymentId, DeploymentRecord>,
    /// Reports by due time, then by the order they were queued.
    jobs: BTreeMap<(Timestamp, u64), Job>,
    queued: u64,
}

/// The server's state: shared by every request and the engine.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// `arn:aws:proton:<region>:<account>:`, the start of every ARN.
    arn_prefix: String,
    next_id: AtomicU64,
    clock: Clock,
    /// Woken when a job is queued, so the engine task re-reads the next due
    /// time.
    queued: tokio::sync::Notify,
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

impl App {
    /// Loads `seed`; `cli` engine settings sit between the seed's
    /// server-wide ones and each resource's own. Resources seeded
    /// IN_PROGRESS start their attempt now, so their engine reports are
    /// queued. With [`Clock::System`] the engine runs as a task: call this
    /// inside a Tokio runtime.
    pub fn new(seed: Seed, cli: EngineOverrides, clock: Clock) -> Result<Self, SeedError> {
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
        let arn = |path: String| format!("{arn_prefix}{path}");
        let app = App {
            inner: Arc::new(Inner {
                state: Mutex::new(State::default()),
                arn_prefix: arn_prefix.clone(),
                next_id: AtomicU64::new(1),
                clock,
                queued: tokio::sync::Notify::new(),
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
        for (id, arn, environment, seed) in entries {
            app.insert(id, arn, environment, seed, defaults, at)?;
        }
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
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(millis) = &self.inner.clock {
            let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
            millis.fetch_add(by, Ordering::SeqCst);
        }
        self.deliver_due();
    }

    fn insert(
        &self,
        id: ResourceId,
        arn: String,
        environment: Option<ResourceName>,
        seed: SeedDeployment,
        defaults: EngineScript,
        at: Timestamp,
    ) -> Result<(), SeedError> {
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
        let mut state = self.state();
        let deployment = if seed.deployment_status == DeploymentStatus::InProgress {
            let deployment_id = self.mint_id();
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
                state.records.insert(deployment_id, record);
            }
            self.start(&mut state, &id, effect, engine, at);
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
        state.resources.insert(
            id,
            Entry {
                deployment,
                arn,
                environment,
                engine,
            },
        );
        Ok(())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock means a request panicked mid-update; the machine
        // only changes state whole, so the map is still consistent.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A fresh deployment id: a counter in the low bits of a fixed UUID v4
    /// layout, so ids are unique within a run and readable in logs.
    fn mint_id(&self) -> DeploymentId {
        let n = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        DeploymentId::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
    }

    /// Turns an effect of the machine into the engine's future reports.
    fn start(
        &self,
        state: &mut State,
        id: &ResourceId,
        effect: Effect,
        engine: EngineScript,
        now: Timestamp,
    ) {
        let after = |ms: u64| {
            Timestamp::from_millis(
                now.as_millis()
                    .saturating_add(i64::try_from(ms).unwrap_or(i64::MAX)),
            )
        };
        let mut queue = |due: Timestamp, report: Report| {
            state.queued = state.queued.wrapping_add(1);
            let job = Job {
                resource: id.clone(),
                report,
            };
            state.jobs.insert((due, state.queued), job);
        };
        match effect {
            Effect::StartDeployment { deployment_id, .. } => {
                if let Some(ms) = engine.update_after_ms {
                    let result = engine_result(
                        engine.update_result,
                        "Provisioning failed: the update did not complete.",
                    );
                    queue(after(ms), Report::UpdateFinished(deployment_id, result));
                }
            }
            Effect::StartCancellation { deployment_id } => {
                if let Some(start) = engine.cancel_start_after_ms {
                    queue(after(start), Report::CancellationStarted(deployment_id));
                    let result = engine_result(
                        engine.cancel_result,
                        "Cancellation failed: the rollback did not complete.",
                    );
                    if let Some(finish) = engine.cancel_finish_after_ms {
                        queue(
                            after(start.saturating_add(finish)),
                            Report::CancellationFinished(deployment_id, result),
                        );
                    }
                }
            }
            // The server serves no delete operation, and an effect a later
            // core adds has no engine work here.
            _ => {}
        }
        self.inner.queued.notify_one();
    }

    /// Delivers every report that is due, in due order, to its resource's
    /// machine. The machine ignores the ones that lost a race.
    fn deliver_due(&self) {
        let now = self.now();
        let mut state = self.state();
        while let Some(entry) = state.jobs.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let ((due, _), job) = entry.remove_entry();
            tracing::info!(resource = %job.resource, report = %job.report.name(), "engine report");
            // A report for a resource the store no longer holds has nowhere
            // to go; the machine ignores the ones that lost a race.
            let _ = self.apply(&mut state, &job.resource, job.report.at(due));
        }
    }

    /// The engine of [`Clock::System`]: sleeps until the next report is due
    /// (or a new one is queued), then delivers.
    async fn run_engine(self) {
        loop {
            let next = self.state().jobs.keys().next().map(|(due, _)| *due);
            match next {
                None => self.inner.queued.notified().await,
                Some(due) => {
                    let wait = due.as_millis().saturating_sub(self.now().as_millis());
                    let wait = Duration::from_millis(u64::try_from(wait).unwrap_or(0));
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = self.inner.queued.notified() => {}
                    }
                }
            }
            self.deliver_due();
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

    /// Feeds `input` to the machine of `id`, and acts on what it returns:
    /// an attempt it starts gets a deployment record, the record of the
    /// running attempt follows every applied transition, and the effect
    /// becomes engine work.
    fn apply(&self, state: &mut State, id: &ResourceId, input: Input) -> Result<Outcome, ApiError> {
        let at = input.at();
        let entry = find_mut(&mut state.resources, id)?;
        let before = entry.deployment.observe();
        let kind = input_name(&input);
        let outcome = entry.deployment.handle(input);
        let Outcome::Applied(transition) = &outcome else {
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
            return Ok(outcome);
        };
        tracing::info!(
            resource = %id,
            input = %kind,
            from = %transition.from.status(),
            to = %transition.to.status(),
            effect = %transition.effect.as_ref().map_or("none", effect_name),
            "transition"
        );
        let now = entry.deployment.observe();
        let engine = entry.engine;
        if let Some(Effect::StartDeployment {
            deployment_id,
            target,
        }) = &transition.effect
        {
            let place = self.place(*deployment_id, &entry.arn, entry.environment.as_ref(), id)?;
            let record = DeploymentRecord::start(*deployment_id, at, &before, target, place);
            state.records.insert(*deployment_id, record);
        }
        if let Some(attempt) = &now.last_attempt {
            if let Some(record) = state.records.get_mut(&attempt.deployment_id) {
                record.follow(at, &now);
            }
        }
        if let Some(effect) = transition.effect.clone() {
            self.start(state, id, effect, engine, at);
        }
        Ok(outcome)
    }

    /// Runs one operation on a JSON body; the JSON answer or the error.
    pub fn call(&self, operation: Operation, body: &[u8]) -> Result<Vec<u8>, ApiError> {
        match operation {
            Operation::CancelServiceInstanceDeployment => {
                let input = CancelServiceInstanceDeploymentInput::decode(body)?;
                let service_instance = self.cancel(input.resource_id(), service_instance)?;
                Ok(CancelServiceInstanceDeploymentOutput { service_instance }.to_json())
            }
            Operation::CancelEnvironmentDeployment => {
                let input = CancelEnvironmentDeploymentInput::decode(body)?;
                let environment = self.cancel(input.resource_id(), environment)?;
                Ok(CancelEnvironmentDeploymentOutput { environment }.to_json())
            }
            Operation::CancelServicePipelineDeployment => {
                let input = CancelServicePipelineDeploymentInput::decode(body)?;
                let pipeline = self.cancel(input.resource_id(), service_pipeline)?;
                Ok(CancelServicePipelineDeploymentOutput { pipeline }.to_json())
            }
            Operation::CancelComponentDeployment => {
                let input = CancelComponentDeploymentInput::decode(body)?;
                let component = self.cancel(input.resource_id(), component)?;
                Ok(CancelComponentDeploymentOutput { component }.to_json())
            }
            Operation::UpdateServiceInstance => {
                let input = UpdateServiceInstanceInput::decode(body)?;
                let service_instance = self.update(
                    input.resource_id(),
                    &input.change(),
                    input.client_token.clone(),
                    service_instance,
                )?;
                Ok(UpdateServiceInstanceOutput { service_instance }.to_json())
            }
            Operation::UpdateEnvironment => {
                let input = UpdateEnvironmentInput::decode(body)?;
                let environment =
                    self.update(input.resource_id(), &input.change(), None, environment)?;
                Ok(UpdateEnvironmentOutput { environment }.to_json())
            }
            Operation::UpdateServicePipeline => {
                let input = UpdateServicePipelineInput::decode(body)?;
                let pipeline =
                    self.update(input.resource_id(), &input.change(), None, service_pipeline)?;
                Ok(UpdateServicePipelineOutput { pipeline }.to_json())
            }
            Operation::UpdateComponent => {
                let input = UpdateComponentInput::decode(body)?;
                let component = self.update(
                    input.resource_id(),
                    &input.change(),
                    input.client_token.clone(),
                    component,
                )?;
                Ok(UpdateComponentOutput { component }.to_json())
            }
            Operation::GetServiceInstance => {
                let input = GetServiceInstanceInput::decode(body)?;
                let service_instance = self.get(&input.resource_id(), service_instance)?;
                Ok(GetServiceInstanceOutput { service_instance }.to_json())
            }
            Operation::GetEnvironment => {
                let input = GetEnvironmentInput::decode(body)?;
                let environment = self.get(&input.resource_id(), environment)?;
                Ok(GetEnvironmentOutput { environment }.to_json())
            }
            Operation::GetComponent => {
                let input = GetComponentInput::decode(body)?;
                let component = self.get(&input.resource_id(), component)?;
                Ok(GetComponentOutput { component }.to_json())
            }
            Operation::GetService => {
                let input = GetServiceInput::decode(body)?;
                let service = self.service(&input.name)?;
                Ok(GetServiceOutput { service }.to_json())
            }
            Operation::ListServiceInstances => {
                let input = ListServiceInstancesInput::decode(body)?;
                Ok(self.list_service_instances(&input)?.to_json())
            }
            Operation::GetDeployment => {
                let input = GetDeploymentInput::decode(body)?;
                let deployment = self.deployment(&input)?;
                Ok(GetDeploymentOutput { deployment }.to_json())
            }
            Operation::ListDeployments => {
                let input = ListDeploymentsInput::decode(body)?;
                Ok(self.list_deployments(&input)?.to_json())
            }
            _ => Err(ApiError::new(
                ErrorCode::UnknownOperationException,
                format!("operation {operation} is not served"),
            )),
        }
    }

    /// The shape of `id` as it is.
    fn get<T>(
        &self,
        id: &ResourceId,
        shape: fn(&Entry) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let state = self.state();
        shape(find(&state.resources, id)?)
    }

    /// Cancels the deployment of `id` and answers with its shape.
    fn cancel<T>(
        &self,
        id: ResourceId,
        shape: fn(&Entry) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        note_resource(&id);
        let now = self.now();
        let mut state = self.state();
        let outcome = self.apply(&mut state, &id, Input::Cancel { at: now })?;
        if let Some(error) = rejected(&outcome) {
            return Err(error);
        }
        shape(find(&state.resources, &id)?)
    }

    /// Updates `id` as `change` asks (deployment type NONE changes
    /// nothing the emulator keeps) and answers with its shape.
    fn update<T>(
        &self,
        id: ResourceId,
        change: &ConfigurationChange,
        client_token: Option<ClientToken>,
        shape: fn(&Entry) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        note_resource(&id);
        let now = self.now();
        let mut state = self.state();
        let entry = find(&state.resources, &id)?;
        if !change.deploys() {
            return shape(entry);
        }
        let input = Input::Update {
            at: now,
            deployment_id: self.mint_id(),
            target: change.target(entry.deployment.applied_configuration()),
            client_token,
        };
        let outcome = self.apply(&mut state, &id, input)?;
        if let Some(error) = rejected(&outcome) {
            return Err(error);
        }
        shape(find(&state.resources, &id)?)
    }

    /// The `Service` shape of `name`: its pipeline if it has one, and what
    /// its pipeline and instances tell of it.
    fn service(&self, name: &ResourceName) -> Result<Service, ApiError> {
        note_resource(&format_args!("service '{name}'"));
        let state = self.state();
        let pipeline = state.resources.get(&ResourceId::ServicePipeline {
            service: name.clone(),
        });
        let mut instances: Vec<&Entry> = state
            .resources
            .values()
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

    fn list_service_instances(
        &self,
        input: &ListServiceInstancesInput,
    ) -> Result<ListServiceInstancesOutput, ApiError> {
        let mut all = Vec::new();
        {
            let state = self.state();
            for entry in state.resources.values() {
                if let ResourceId::ServiceInstance { service, .. } = entry.deployment.resource() {
                    if input.service_name.as_ref().is_none_or(|s| s == service) {
                        all.push(service_instance(entry)?);
                    }
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
    fn deployment(&self, input: &GetDeploymentInput) -> Result<DeploymentRecord, ApiError> {
        note_resource(&format_args!("deployment '{}'", input.id));
        let state = self.state();
        state
            .records
            .get(&input.id)
            .filter(|r| input.filter.matches(r))
            .cloned()
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::ResourceNotFoundException,
                    format!("deployment '{}' was not found", input.id),
                )
            })
    }

    /// The records that match every name given, newest first.
    fn list_deployments(
        &self,
        input: &ListDeploymentsInput,
    ) -> Result<ListDeploymentsOutput, ApiError> {
        let matching: Vec<_> = {
            let state = self.state();
            state
                .records
                .values()
                .rev()
                .filter(|r| input.filter.matches(r))
                .map(DeploymentRecord::summary)
                .collect()
        };
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
    entry.environment.as_ref().ok_or_else(|| {
        ApiError::internal(format!(
            "{} was stored without its environment",
            entry.deployment.resource()
        ))
    })
}

fn service_instance(entry: &Entry) -> Result<ServiceInstance, ApiError> {
    let environment = environment_of(entry)?;
    ServiceInstance::new(&entry.deployment.observe(), &entry.arn, environment)
}

fn environment(entry: &Entry) -> Result<Environment, ApiError> {
    Environment::new(&entry.deployment.observe(), &entry.arn)
}

fn service_pipeline(entry: &Entry) -> Result<ServicePipeline, ApiError> {
    ServicePipeline::new(&entry.deployment.observe(), &entry.arn)
}

fn component(entry: &Entry) -> Result<Component, ApiError> {
    let environment = environment_of(entry)?;
    Component::new(&entry.deployment.observe(), &entry.arn, environment)
}

fn engine_result(outcome: EngineOutcome, reason: &str) -> EngineResult {
    match outcome {
        EngineOutcome::Succeeded => EngineResult::Succeeded,
        EngineOutcome::Failed => EngineResult::Failed(StatusMessage::new(reason)),
    }
}

/// Names the resource a request is about on its log line.
fn note_resource(resource: &dyn std::fmt::Display) {
    tracing::Span::current().record("resource", tracing::field::display(resource));
}

fn find<'a>(store: &'a HashMap<ResourceId, Entry>, id: &ResourceId) -> Result<&'a Entry, ApiError> {
    store
        .get(id)
        .ok_or_else(|| ApiError::resource_not_found(id))
}

fn find_mut<'a>(
    store: &'a mut HashMap<ResourceId, Entry>,
    id: &ResourceId,
) -> Result<&'a mut Entry, ApiError> {
    store
        .get_mut(id)
        .ok_or_else(|| ApiError::resource_not_found(id))
}
