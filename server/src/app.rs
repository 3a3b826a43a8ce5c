//! The in-memory store, the simulated provisioning engine and the operations,
//! all around the `proton-cancel` machine.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use proton_cancel::{
    ApiError, CancelComponentDeploymentInput, CancelComponentDeploymentOutput,
    CancelEnvironmentDeploymentInput, CancelEnvironmentDeploymentOutput,
    CancelServiceInstanceDeploymentInput, CancelServiceInstanceDeploymentOutput,
    CancelServicePipelineDeploymentInput, CancelServicePipelineDeploymentOutput, Configuration,
    Deployment, DeploymentId, DeploymentStatus, DeploymentUpdateType, EngineResult, ErrorCode,
    GetServiceInstanceInput, GetServiceInstanceOutput, Input, Operation, Outcome, Request,
    ResourceId, ResourceMeta, ShapeError, StatusMessage, TemplateRef, TemplateVersion, Timestamp,
    UpdateServiceInstanceInput, UpdateServiceInstanceOutput,
};

use crate::seed::{EngineOverrides, EngineScript, Outcome as EngineOutcome, Seed, SeedDeployment};

/// The time now, from the system clock: the one place the server reads it.
#[allow(clippy::disallowed_methods)] // the server, unlike the core crate, owns a clock
pub fn now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}

/// One resource: its machine, what the wire shows besides, and its engine.
struct Entry {
    deployment: Deployment,
    meta: ResourceMeta,
    engine: EngineScript,
}

/// The server's state: shared by every request and every engine task.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Mutex<HashMap<ResourceId, Entry>>,
    next_id: AtomicU64,
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
    /// scheduled: call this inside a Tokio runtime.
    pub fn new(seed: Seed, cli: EngineOverrides) -> Result<Self, SeedError> {
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
                store: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(1),
            }),
        };
        let mut entries = Vec::new();
        for s in seed.service_instances {
            let id = ResourceId::ServiceInstance {
                service: s.service_name.clone(),
                name: s.name.clone(),
            };
            let meta = ResourceMeta {
                arn: arn(format!(
                    "service/{}/service-instance/{}",
                    s.service_name, s.name
                )),
                environment_name: Some(s.environment_name),
            };
            entries.push((id, meta, s.deployment));
        }
        for s in seed.environments {
            let meta = ResourceMeta {
                arn: arn(format!("environment/{}", s.name)),
                environment_name: None,
            };
            entries.push((ResourceId::Environment { name: s.name }, meta, s.deployment));
        }
        for s in seed.service_pipelines {
            let meta = ResourceMeta {
                arn: arn(format!("service/{}/pipeline", s.service_name)),
                environment_name: None,
            };
            let id = ResourceId::ServicePipeline {
                service: s.service_name,
            };
            entries.push((id, meta, s.deployment));
        }
        for s in seed.components {
            let meta = ResourceMeta {
                arn: arn(format!("component/{}", s.name)),
                environment_name: Some(s.environment_name),
            };
            entries.push((ResourceId::Component { name: s.name }, meta, s.deployment));
        }
        let at = now();
        for (id, meta, seed) in entries {
            app.insert(id, meta, seed, defaults, at)?;
        }
        Ok(app)
    }

    fn insert(
        &self,
        id: ResourceId,
        meta: ResourceMeta,
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
        if template.is_none() && !matches!(id, ResourceId::Component { .. }) {
            return Err(SeedError(format!("{id}: a template version is required")));
        }
        let configuration = Configuration {
            template,
            spec: seed.spec,
        };
        let reason =
            || StatusMessage::new(seed.deployment_status_message.clone().unwrap_or_default());
        let deployment = match seed.deployment_status {
            DeploymentStatus::InProgress => {
                let deployment_id = self.mint_id();
                let d = Deployment::create(id.clone(), at, deployment_id, configuration, None);
                self.schedule_update(id.clone(), deployment_id, engine);
                d
            }
            status => {
                let settled = match status {
                    DeploymentStatus::Succeeded => proton_cancel::Seed::Succeeded,
                    DeploymentStatus::Failed => proton_cancel::Seed::Failed(reason()),
                    DeploymentStatus::Cancelled => proton_cancel::Seed::Cancelled,
                    DeploymentStatus::DeleteFailed => proton_cancel::Seed::DeleteFailed(reason()),
                    DeploymentStatus::DeleteComplete => proton_cancel::Seed::DeleteComplete,
                    other => {
                        return Err(SeedError(format!(
                            "{id}: cannot be seeded in {other}; seed IN_PROGRESS and cancel it"
                        )));
                    }
                };
                Deployment::seeded(id.clone(), at, configuration, settled)
            }
        };
        self.store().insert(
            id,
            Entry {
                deployment,
                meta,
                engine,
            },
        );
        Ok(())
    }

    fn store(&self) -> MutexGuard<'_, HashMap<ResourceId, Entry>> {
        // A poisoned lock means a request panicked mid-update; the machine
        // only changes state whole, so the map is still consistent.
        self.inner
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A fresh deployment id: a counter in the low bits of a fixed UUID v4
    /// layout, so ids are unique within a run and readable in logs.
    fn mint_id(&self) -> DeploymentId {
        let n = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        DeploymentId::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
    }

    /// Feeds an engine report into the resource's machine. The machine
    /// ignores it when it lost a race or names a stale deployment.
    fn report(&self, id: &ResourceId, input: Input) {
        if let Some(entry) = self.store().get_mut(id) {
            let _ = entry.deployment.handle(input);
        }
    }

    fn schedule_update(&self, id: ResourceId, deployment_id: DeploymentId, engine: EngineScript) {
        let Some(after) = engine.update_after_ms else {
            return;
        };
        let app = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(after)).await;
            let result = engine_result(
                engine.update_result,
                "Provisioning failed: the update did not complete.",
            );
            app.report(
                &id,
                Input::UpdateFinished {
                    at: now(),
                    deployment_id,
                    result,
                },
            );
        });
    }

    fn schedule_cancellation(
        &self,
        id: ResourceId,
        deployment_id: DeploymentId,
        engine: EngineScript,
    ) {
        let Some(start_after) = engine.cancel_start_after_ms else {
            return;
        };
        let app = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(start_after)).await;
            app.report(
                &id,
                Input::CancellationStarted {
                    at: now(),
                    deployment_id,
                },
            );
            tokio::time::sleep(Duration::from_millis(engine.cancel_finish_after_ms)).await;
            let result = engine_result(
                engine.cancel_result,
                "Cancellation failed: the rollback did not complete.",
            );
            app.report(
                &id,
                Input::CancellationFinished {
                    at: now(),
                    deployment_id,
                    result,
                },
            );
        });
    }

    /// Runs one operation on a JSON body; the JSON answer or the error.
    pub fn call(&self, operation: Operation, body: &[u8]) -> Result<Vec<u8>, ApiError> {
        // The four cancels differ only in their input and output types.
        macro_rules! cancel {
            ($input:ty, $output:ty) => {{
                let input = <$input>::decode(body)?;
                self.cancel(input.resource_id(), <$output>::from_deployment)
                    .map(|o| o.to_json())
            }};
        }
        match operation {
            Operation::CancelServiceInstanceDeployment => cancel!(
                CancelServiceInstanceDeploymentInput,
                CancelServiceInstanceDeploymentOutput
            ),
            Operation::CancelEnvironmentDeployment => {
                cancel!(
                    CancelEnvironmentDeploymentInput,
                    CancelEnvironmentDeploymentOutput
                )
            }
            Operation::CancelServicePipelineDeployment => cancel!(
                CancelServicePipelineDeploymentInput,
                CancelServicePipelineDeploymentOutput
            ),
            Operation::CancelComponentDeployment => {
                cancel!(
                    CancelComponentDeploymentInput,
                    CancelComponentDeploymentOutput
                )
            }
            Operation::UpdateServiceInstance => {
                let input = UpdateServiceInstanceInput::decode(body)?;
                self.update(input).map(|o| o.to_json())
            }
            Operation::GetServiceInstance => {
                let input = GetServiceInstanceInput::decode(body)?;
                let store = self.store();
                let entry = find(&store, &input.resource_id())?;
                Ok(
                    GetServiceInstanceOutput::from_deployment(&entry.deployment, &entry.meta)?
                        .to_json(),
                )
            }
            _ => Err(ApiError::new(
                ErrorCode::UnknownOperationException,
                format!("operation {operation} is not served"),
            )),
        }
    }

    fn cancel<T>(
        &self,
        id: ResourceId,
        shape: impl FnOnce(&Deployment, &ResourceMeta) -> Result<T, ShapeError>,
    ) -> Result<T, ApiError> {
        let mut store = self.store();
        let entry = find_mut(&mut store, &id)?;
        match entry.deployment.handle(Input::Cancel { at: now() }) {
            Outcome::Applied(_) => {
                if let Some(deployment_id) = entry.deployment.last_attempted_deployment_id() {
                    self.schedule_cancellation(id, deployment_id, entry.engine);
                }
            }
            Outcome::Rejected(rejection) => return Err(rejection.into()),
            Outcome::Ignored(_) => {}
        }
        Ok(shape(&entry.deployment, &entry.meta)?)
    }

    fn update(
        &self,
        input: UpdateServiceInstanceInput,
    ) -> Result<UpdateServiceInstanceOutput, ApiError> {
        let id = input.resource_id();
        let mut store = self.store();
        let entry = find_mut(&mut store, &id)?;
        if input.deployment_type != DeploymentUpdateType::None {
            let target = target_of(&input, entry.deployment.applied());
            let deployment_id = self.mint_id();
            let outcome = entry.deployment.handle(Input::Update {
                at: now(),
                deployment_id,
                target,
                client_token: input.client_token.clone(),
            });
            match outcome {
                Outcome::Applied(_) => self.schedule_update(id, deployment_id, entry.engine),
                Outcome::Rejected(rejection) => return Err(rejection.into()),
                Outcome::Ignored(_) => {}
            }
        }
        Ok(UpdateServiceInstanceOutput::from_deployment(
            &entry.deployment,
            &entry.meta,
        )?)
    }
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
/// minor version deploys minor version 0).
fn target_of(input: &UpdateServiceInstanceInput, applied: &Configuration) -> Configuration {
    let template = applied
        .template
        .clone()
        .map(|t| match input.deployment_type {
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
        });
    Configuration {
        template,
        spec: input.spec.clone().or_else(|| applied.spec.clone()),
    }
}
