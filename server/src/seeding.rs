//! Loading a [`Seed`] into the store at start: each seeded resource is
//! built as a row (an IN_PROGRESS one with its attempt's record and engine
//! jobs) and inserted only if the store does not hold it yet, so a restart
//! with the same seed never resets state.

use futures_util::{StreamExt as _, TryStreamExt as _};
use proton_cancel::{
    Configuration, Deployment, DeploymentStatus, Effect, Observed, ResourceId, ResourceName,
    StatusMessage, TemplateRef, Timestamp,
};

use crate::app::App;
use crate::app::OpenError;
use crate::engine::{EngineScript, jobs};
use crate::seed::{Seed, SeedDeployment};
use crate::store::{Produced, Row};
use crate::stored::{Entry, Meta};
use crate::write::deployment_id;

/// How many seeded resources one transaction writes.
const SEED_ROWS_PER_WRITE: usize = 256;

/// How many of those transactions run at once.
const SEED_WRITES_AT_ONCE: usize = 16;

/// One seeded resource before it is built: its id, environment and
/// deployment.
struct Seeded {
    id: ResourceId,
    environment: Option<ResourceName>,
    deployment: SeedDeployment,
}

impl App {
    /// Writes every resource of `seed` the store does not hold yet, each
    /// resource's engine settings over the server's
    /// ([`App::engine_defaults`]).
    pub(crate) async fn load_seed(&self, mut seed: Seed) -> Result<(), OpenError> {
        if let Some(state) = seed.state.take() {
            return self.load_state(state, &seed).await;
        }
        let defaults = self.engine_defaults().clone();
        let at = self.now();
        // The deployment numbers of every attempt under way are drawn in
        // one statement, and each resource is built in seed order (so
        // deployment ids follow it). The resources are then written
        // SEED_ROWS_PER_WRITE to a transaction, several transactions at
        // once: a small seed is one synced write (start-up,
        // docs/performance.md), and on PostgreSQL a seed of 100,000
        // resources still loads in seconds. Which resources a restart
        // inserts does not depend on the order: each insert is skipped if
        // its row exists.
        let seeded = self.seeded(seed)?;
        let running = seeded
            .iter()
            .filter(|s| s.deployment.deployment_status == DeploymentStatus::InProgress)
            .count();
        let mut numbers = self.store().next_numbers(running).await?.into_iter();
        let mut writes: Vec<Vec<(Row, Produced)>> = Vec::new();
        for seeded in seeded {
            let built = self.build(seeded, &mut numbers, &defaults, at)?;
            match writes.last_mut() {
                Some(rows) if rows.len() < SEED_ROWS_PER_WRITE => rows.push(built),
                _ => writes.push(vec![built]),
            }
        }
        futures_util::stream::iter(writes.into_iter().map(|rows| self.insert(rows)))
            .buffer_unordered(SEED_WRITES_AT_ONCE)
            .try_collect::<()>()
            .await
    }

    /// A seed's exported state: written whole into a store that holds no
    /// resource yet; a store that holds any keeps what it holds (a restart
    /// with the same seed never resets state).
    async fn load_state(&self, state: crate::state::State, seed: &Seed) -> Result<(), OpenError> {
        let lists = !seed.service_instances.is_empty()
            || !seed.environments.is_empty()
            || !seed.service_pipelines.is_empty()
            || !seed.components.is_empty();
        if lists {
            return Err(OpenError::Seed(
                "state: a seed holds an exported state or resource lists, not both".to_owned(),
            ));
        }
        let contents = state
            .contents()
            .map_err(|e| OpenError::Seed(e.message().to_owned()))?;
        let held = self.store().load_range(("", "\u{10ffff}"), 1).await?;
        if held.is_empty() {
            self.store().replace(&contents).await?;
        } else {
            tracing::info!("the store holds resources already: the seed's state is not loaded");
        }
        Ok(())
    }

    /// The seed's resources with their ids and environments.
    fn seeded(&self, seed: Seed) -> Result<Vec<Seeded>, OpenError> {
        let mut all = Vec::new();
        for s in &seed.service_instances {
            all.push(Seeded {
                id: ResourceId::ServiceInstance {
                    service: s.service_name.clone(),
                    name: s.name.clone(),
                },
                environment: Some(s.environment_name.clone()),
                deployment: s.deployment.clone(),
            });
        }
        for s in seed.environments {
            all.push(Seeded {
                id: ResourceId::Environment { name: s.name },
                environment: None,
                deployment: s.deployment,
            });
        }
        for s in seed.service_pipelines {
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
                return Err(OpenError::Seed(format!(
                    "{id}: give its environmentName, or seed an instance of the service: \
                     its deployment records name an environment"
                )));
            };
            all.push(Seeded {
                id,
                environment: Some(environment),
                deployment: s.deployment,
            });
        }
        for s in seed.components {
            all.push(Seeded {
                id: ResourceId::Component { name: s.name },
                environment: Some(s.environment_name),
                deployment: s.deployment,
            });
        }
        Ok(all)
    }

    /// A seeded resource's row and what it produces (its running attempt's
    /// record and engine jobs), not yet written.
    fn build(
        &self,
        seeded: Seeded,
        numbers: &mut impl Iterator<Item = u64>,
        defaults: &EngineScript,
        at: Timestamp,
    ) -> Result<(Row, Produced), OpenError> {
        let Seeded {
            id,
            environment,
            deployment: seed,
        } = seeded;
        let arn = self.arn_of(&id);
        let refuse = |why: String| OpenError::Seed(format!("{id}: {why}"));
        let engine = seed.engine.over(defaults);
        let template = match (
            seed.template_name,
            seed.template_major_version,
            seed.template_minor_version,
        ) {
            (Some(name), Some(major), Some(minor)) => Some(TemplateRef { name, major, minor }),
            (None, None, None) => None,
            _ => {
                return Err(refuse(
                    "give templateName, templateMajorVersion and templateMinorVersion together"
                        .to_owned(),
                ));
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
            (true, None) => return Err(refuse("a template version is required".to_owned())),
            (false, Some(_)) => {
                return Err(refuse(
                    "a component has no template; give only its spec".to_owned(),
                ));
            }
        };
        self.templates()
            .check(id.kind(), &configuration)
            .map_err(|e| refuse(e.message().to_owned()))?;
        if seed.deployment_status == DeploymentStatus::Cancelling {
            // The engine would have no attempt to roll back.
            return Err(refuse(format!(
                "cannot be seeded in {}; seed IN_PROGRESS and cancel it, or seed a settled status",
                seed.deployment_status
            )));
        }
        let mut produced = Produced::default();
        let deployment = if seed.deployment_status == DeploymentStatus::InProgress {
            let number = numbers.next().ok_or_else(|| {
                OpenError::Seed(format!("{id}: no deployment number was drawn for it"))
            })?;
            let deployment_id = deployment_id(number);
            let before = Observed::new(id.clone(), at, configuration.clone());
            let (deployment, effect) =
                Deployment::create(id.clone(), at, deployment_id, configuration, None)
                    .map_err(|e| refuse(e.to_string()))?;
            if let Effect::StartDeployment { target, .. } = &effect {
                let record = self
                    .start_record(
                        (deployment_id, at),
                        &before,
                        target,
                        (&arn, environment.as_ref()),
                    )
                    .map_err(|e| OpenError::Seed(e.message().to_owned()))?;
                produced.records.push(record);
            }
            produced.jobs = jobs(&id, &effect, &engine, at);
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
            if seed.deployment_status == DeploymentStatus::DeleteInProgress {
                // A deletion under way when the server starts: the engine
                // finishes it as the resource's script says.
                produced.jobs = jobs(&id, &Effect::StartDeletion, &engine, at);
            }
            Deployment::restore(observed).map_err(|e| refuse(format!("cannot be seeded: {e}")))?
        };
        let meta = Meta {
            arn,
            environment,
            engine,
            incarnation: 0,
            attached_to: None,
            service: None,
        };
        let entry = Entry { deployment, meta };
        Ok((entry.row(), produced))
    }

    /// Writes in one transaction each seeded resource the store does not
    /// hold yet.
    async fn insert(&self, rows: Vec<(Row, Produced)>) -> Result<(), OpenError> {
        let inserted = self.store().insert_each(&rows).await?;
        for ((row, mut produced), inserted) in rows.into_iter().zip(inserted) {
            if inserted {
                let newest = produced.records.pop();
                let id = row.deployment.resource().clone();
                self.cache().put(id, row, newest);
            }
        }
        Ok(())
    }
}
