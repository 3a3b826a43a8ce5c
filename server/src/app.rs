//! The in-memory store, the simulated provisioning engine and the operations,
//! all around the `proton-cancel` machine. The server acts only on what the
//! machine returns: each [`Effect`] becomes engine work, queued as reports
//! due at a time; nothing is inferred from the state's getters.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use proton_cancel::{
    Configuration, Deployment, DeploymentId, DeploymentStatus, Effect, EngineResult, Input,
    Observed, Outcome, ResourceId, ResourceName, StatusMessage, TemplateRef, TemplateVersion,
    Timestamp,
};
use proton_cancel_wire::{
    ApiError, CancelComponentDeploymentInput, CancelComponentDeploymentOutput,
    CancelEnvironmentDeploymentInput, CancelEnvironmentDeploymentOutput,
    CancelServiceInstanceDeploymentInput, CancelServiceInstanceDeploymentOutput,
    CancelServicePipelineDeploymentInput, CancelServicePipelineDeploymentOutput, Component,
    DeploymentUpdateType, Environment, ErrorCode, GetServiceInstanceInput,
    GetServiceInstanceOutput, Operation, Request, ServiceInstance, ServicePipeline,
    UpdateServiceInstanceInput, UpdateServiceInstanceOutput,
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
        let arn = |path: String| format!("arn:aws:proton:{region}:{account}:{path}");
        let app = App {
            inner: Arc::new(Inner {
                state: Mutex::new(State::default()),
                next_id: AtomicU64::new(1),
                clock,
                queued: tokio::sync::Notify::new(),
            }),
        };
        let mut entries = Vec::new();
        for s in seed.service_instances {
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
            let id = ResourceId::ServicePipeline {
                service: s.service_name,
            };
            entries.push((id, arn, None, s.deployment));
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
            let (deployment, effect) =
                Deployment::create(id.clone(), at, deployment_id, configuration, None)
                    .map_err(|e| SeedError(format!("{id}: {e}")))?;
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
            let State { resources, .. } = &mut *state;
            let Some(resource) = resources.get_mut(&job.resource) else {
                continue;
            };
            let outcome = resource.deployment.handle(job.report.at(due));
            let engine = resource.engine;
            if let Some(effect) = into_effect(outcome) {
                self.start(&mut state, &job.resource, effect, engine, due);
            }
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
                let service_instance = self.update(input)?;
                Ok(UpdateServiceInstanceOutput { service_instance }.to_json())
            }
            Operation::GetServiceInstance => {
                let input = GetServiceInstanceInput::decode(body)?;
                let state = self.state();
                let entry = find(&state.resources, &input.resource_id())?;
                let service_instance = service_instance(entry)?;
                Ok(GetServiceInstanceOutput { service_instance }.to_json())
            }
            _ => Err(ApiError::new(
                ErrorCode::UnknownOperationException,
                format!("operation {operation} is not served"),
            )),
        }
    }

    /// Cancels the deployment of `id` and answers with its shape.
    fn cancel<T>(
        &self,
        id: ResourceId,
        shape: fn(&Entry) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let now = self.now();
        let mut state = self.state();
        let entry = find_mut(&mut state.resources, &id)?;
        let outcome = entry.deployment.handle(Input::Cancel { at: now });
        let engine = entry.engine;
        let answer = rejected(&outcome).map_or_else(|| shape(entry), Err);
        if let Some(effect) = into_effect(outcome) {
            self.start(&mut state, &id, effect, engine, now);
        }
        answer
    }

    fn update(&self, input: UpdateServiceInstanceInput) -> Result<ServiceInstance, ApiError> {
        let id = input.resource_id();
        let now = self.now();
        let mut state = self.state();
        let entry = find_mut(&mut state.resources, &id)?;
        if input.deployment_type == DeploymentUpdateType::None {
            return service_instance(entry);
        }
        let target = target_of(&input, entry.deployment.applied_configuration());
        let outcome = entry.deployment.handle(Input::Update {
            at: now,
            deployment_id: self.mint_id(),
            target,
            client_token: input.client_token.clone(),
        });
        let engine = entry.engine;
        let answer = rejected(&outcome).map_or_else(|| service_instance(entry), Err);
        if let Some(effect) = into_effect(outcome) {
            self.start(&mut state, &id, effect, engine, now);
        }
        answer
    }
}

/// The error a rejected outcome answers with.
fn rejected(outcome: &Outcome) -> Option<ApiError> {
    outcome.rejection().map(|r| ApiError::from(r.clone()))
}

/// The effect of an applied outcome, by value.
fn into_effect(outcome: Outcome) -> Option<Effect> {
    match outcome {
        Outcome::Applied(transition) => transition.effect,
        _ => None,
    }
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

/// What an update deploys. The server keeps no template registry, so the
/// "recommended" version AWS would pick is the one given, or else the one
/// in place (MINOR_VERSION keeps the major version; MAJOR_VERSION without a
/// minor version deploys minor version 0). A component's configuration has
/// no template, and keeps its own form.
fn target_of(input: &UpdateServiceInstanceInput, applied: &Configuration) -> Configuration {
    match applied {
        Configuration::Template { template, spec } => {
            let t = template.clone();
            let template = match input.deployment_type {
                DeploymentUpdateType::MinorVersion => TemplateRef {
                    minor: input.template_minor_version.clone().unwrap_or(t.minor),
                    ..t
                },
                DeploymentUpdateType::MajorVersion => TemplateRef {
                    major: input.template_major_version.clone().unwrap_or(t.major),
                    minor: input
                        .template_minor_version
                        .clone()
                        .or_else(|| TemplateVersion::new("0").ok())
                        .unwrap_or(t.minor),
                    ..t
                },
                _ => t,
            };
            Configuration::Template {
                template,
                spec: input.spec.clone().or_else(|| spec.clone()),
            }
        }
        Configuration::Component { service_spec } => Configuration::Component {
            service_spec: input.spec.clone().or_else(|| service_spec.clone()),
        },
    }
}
