//! Services: a service is its pipeline and instances, each a resource with
//! its own deployment; what the service as a whole is (its spec,
//! description, times) is kept in each part ([`Membership`]), and its
//! status is read from the parts' deployments by the core
//! ([`ServiceStatus::of`]). Every write about a service rewrites every part
//! left, in one transaction, on what it read of each: two of them never
//! both commit on the same reading.

use std::collections::BTreeMap;

use proton_cancel::{
    Configuration, DeploymentId, DeploymentStatus, Input, Outcome, ResourceId, ResourceKind,
    ResourceName, ServiceStatus, TemplateRef, Timestamp,
};
use proton_cancel_wire::{
    ApiError, CreateServiceInput, CreateServiceInstanceInput, Description, ErrorCode, InstanceSpec,
    Service, ServiceInstance, ServiceSpec, UpdateServiceInput,
};

use crate::app::App;
use crate::create::Place;
use crate::engine::{EngineScript, jobs};
use crate::operations::note_resource;
use crate::store::{Expected, Produced, Put, Row, Written};
use crate::stored::{Entry, Membership};
use crate::write::store_failed;

mod read;

use read::{not_found, view};

/// A write about one service: what to put, what it produces, and the
/// service's parts after it.
#[derive(Default)]
struct Plan {
    puts: Vec<Put>,
    produced: Produced,
    after: Vec<Entry>,
}

impl Plan {
    /// Rewrites `entry` (read as `read`) as it is now.
    fn replace(&mut self, read: &Row, entry: Entry) {
        self.puts
            .push(Put::Replace(Expected::of(read), entry.row()));
        self.after.push(entry);
    }

    /// Writes the new part `entry` with what its creation produced, over
    /// `deleted` (the row of a deleted part of the same name) if there is
    /// one.
    fn create(&mut self, deleted: Option<&Row>, mut entry: Entry, produced: Produced) {
        self.produced.records.extend(produced.records);
        self.produced.jobs.extend(produced.jobs);
        match deleted {
            Some(old) => {
                let incarnation = Entry::of(old.clone()).map_or(0, |e| e.meta.incarnation);
                entry.meta.incarnation = incarnation.saturating_add(1);
                self.puts.push(Put::Replace(Expected::of(old), entry.row()));
            }
            None => self.puts.push(Put::Insert(entry.row())),
        }
        self.after.push(entry);
    }
}

/// Whether `row` is of a deleted resource (DELETE_COMPLETE).
fn deleted(row: &Row) -> bool {
    row.deployment.status() == DeploymentStatus::DeleteComplete
}

fn conflict(message: String) -> ApiError {
    ApiError::new(ErrorCode::ConflictException, message)
}

/// The instance of `service` named `name`.
fn instance_id(service: &ResourceName, name: &ResourceName) -> ResourceId {
    ResourceId::ServiceInstance {
        service: service.clone(),
        name: name.clone(),
    }
}

impl App {
    /// Reads the service `name`'s parts, lets `decide` plan a write over
    /// them, and writes it all together; when a part changed meanwhile,
    /// reads and decides again. Answers with the service after the write.
    async fn write_service(
        &self,
        name: &ResourceName,
        mut decide: impl FnMut(&[Row]) -> Result<Plan, ApiError>,
    ) -> Result<(Service, Vec<Entry>), ApiError> {
        loop {
            let rows = self.parts(name).await?;
            let plan = decide(&rows)?;
            if plan.puts.is_empty() {
                // Nothing to write: the service as it is.
                let service = view(self, name, &plan.after)?.ok_or_else(|| not_found(name))?;
                return Ok((service, plan.after));
            }
            let written = self
                .store()
                .write_together(&plan.puts, &plan.produced)
                .await
                .map_err(store_failed)?;
            for put in &plan.puts {
                let (Put::Insert(row) | Put::Replace(_, row)) = put;
                self.cache().forget(row.deployment.resource());
            }
            if written == Written::Stale {
                tracing::debug!(service = %name, "lost a compare-and-set; re-reading");
                continue;
            }
            if !plan.produced.jobs.is_empty() {
                self.queued().notify_one();
            }
            let service = view(self, name, &plan.after)?.ok_or_else(|| not_found(name))?;
            tracing::info!(service = %name, status = %service.status, parts = plan.after.len(), "service written");
            return Ok((service, plan.after));
        }
    }

    /// The parts `rows` of the service `name` and what they show of it;
    /// ResourceNotFoundException when it is gone, and ConflictException
    /// ("… is being deleted: `refusal`") while it is being deleted.
    fn not_deleting(
        &self,
        name: &ResourceName,
        rows: &[Row],
        refusal: &str,
    ) -> Result<(Vec<Entry>, Service), ApiError> {
        let entries = rows
            .iter()
            .cloned()
            .map(Entry::of)
            .collect::<Result<Vec<_>, _>>()?;
        let current = view(self, name, &entries)?.ok_or_else(|| not_found(name))?;
        if matches!(
            current.status,
            ServiceStatus::DeleteInProgress | ServiceStatus::DeleteFailed
        ) {
            return Err(conflict(format!(
                "service '{name}' is being deleted: {refusal}"
            )));
        }
        Ok((entries, current))
    }

    /// Checks that every instance of a spec, `instances`, names an
    /// environment that exists; ResourceNotFoundException names the first
    /// that does not.
    async fn check_environments(
        &self,
        instances: impl IntoIterator<Item = &InstanceSpec>,
    ) -> Result<(), ApiError> {
        for i in instances {
            let id = ResourceId::Environment {
                name: i.environment.clone(),
            };
            let row = self.store().load(&id).await.map_err(store_failed)?;
            if row.is_none_or(|r| deleted(&r)) {
                return Err(ApiError::new(
                    ErrorCode::ResourceNotFoundException,
                    format!(
                        "instance '{}' of the spec names environment '{}', which does not exist",
                        i.name, i.environment
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Fresh deployment ids, `n` of them.
    async fn mint_ids(&self, n: usize) -> Result<Vec<DeploymentId>, ApiError> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            ids.push(self.mint_id().await.map_err(store_failed)?);
        }
        Ok(ids)
    }

    /// CreateService: the service, its pipeline if the spec has one and
    /// its instances, each deploying for the first time, in one write.
    pub(crate) async fn create_service(
        &self,
        input: &CreateServiceInput,
        engine: Option<EngineScript>,
    ) -> Result<Service, ApiError> {
        let name = &input.name;
        note_resource(&format_args!("service '{name}'"));
        let spec = ServiceSpec::parse(&input.spec)?;
        let mut configuration = input.configuration();
        if input.template_minor_version.is_none() {
            configuration = self
                .templates()
                .with_recommended_minor(ResourceKind::ServiceInstance, configuration);
        }
        self.templates()
            .check(ResourceKind::ServiceInstance, &configuration)?;
        self.check_environments(&spec.instances).await?;
        let mut ids: Vec<ResourceId> = spec
            .instances
            .iter()
            .map(|i| instance_id(name, &i.name))
            .collect();
        if spec.pipeline {
            ids.insert(
                0,
                ResourceId::ServicePipeline {
                    service: name.clone(),
                },
            );
        }
        let minted = self.mint_ids(ids.len()).await?;
        let at = self.now();
        let membership = Membership {
            spec: input.spec.clone(),
            description: input.description.clone().map(Description::new),
            created_at: at,
            modified_at: at,
            later: false,
        };
        // A pipeline's records name its service's first instance's
        // environment.
        let environment_of = |id: &ResourceId| match id {
            ResourceId::ServiceInstance { name, .. } => {
                spec.instance_named(name).map(|i| i.environment.clone())
            }
            _ => spec.instances.first().map(|i| i.environment.clone()),
        };
        let (service, _) = self
            .write_service(name, |rows| {
                if rows.iter().any(|r| !deleted(r)) {
                    return Err(conflict(format!(
                        "service '{name}' already exists: choose another name, or delete it first"
                    )));
                }
                let mut plan = Plan::default();
                for (id, deployment_id) in ids.iter().zip(&minted) {
                    let place = Place {
                        environment: environment_of(id),
                        attached_to: None,
                        service: Some(membership.clone()),
                        engine: engine.clone(),
                    };
                    let (entry, produced) = self.first_deployment(
                        id.clone(),
                        configuration.clone(),
                        place,
                        None,
                        *deployment_id,
                    )?;
                    let old = rows.iter().find(|r| r.deployment.resource() == id);
                    plan.create(old, entry, produced);
                }
                Ok(plan)
            })
            .await?;
        Ok(service)
    }

    /// CreateServiceInstance: a new instance of an existing service, in the
    /// environment its entry in the spec names, on the service's template
    /// (the version given, or the service's). The service's other parts
    /// are rewritten with it (its last change is now).
    pub(crate) async fn create_service_instance(
        &self,
        input: &CreateServiceInstanceInput,
        engine: Option<EngineScript>,
    ) -> Result<ServiceInstance, ApiError> {
        let (service, name) = (&input.service_name, &input.name);
        let id = instance_id(service, name);
        note_resource(&id);
        let spec = ServiceSpec::parse(&input.spec)?;
        let entry_in_spec = spec.instance_named(name).ok_or_else(|| {
            ApiError::new(
                ErrorCode::ValidationException,
                format!(
                    "the spec names no instance '{name}': a new instance's environment is read \
                     from its entry in the spec's `instances`"
                ),
            )
        })?;
        let environment = entry_in_spec.environment.clone();
        self.check_environments([entry_in_spec]).await?;
        let deployment_id = self.mint_id().await.map_err(store_failed)?;
        let at = self.now();
        let mut replay = None;
        let (_, after) = self
            .write_service(service, |rows| {
                let (entries, current) =
                    self.not_deleting(service, rows, "no instance can be added to it")?;
                let held = rows.iter().find(|r| r.deployment.resource() == &id);
                if let Some(row) = held.filter(|r| !deleted(r)) {
                    let token = row
                        .deployment
                        .observe()
                        .last_attempt
                        .and_then(|a| a.client_token);
                    if input.client_token.is_some() && token == input.client_token {
                        // The same request again: the instance as it is.
                        replay = Some(row.clone());
                        return Ok(Plan {
                            after: entries,
                            ..Plan::default()
                        });
                    }
                    return Err(conflict(format!(
                        "{id} already exists: choose another name, or delete it first"
                    )));
                }
                let template = service_template(&entries)?;
                let configuration = self.instance_configuration(input, template);
                let membership = Membership {
                    spec: current.spec.clone(),
                    description: current.description.clone(),
                    created_at: current.created_at,
                    modified_at: at,
                    later: true,
                };
                let mut plan = Plan::default();
                rewrite_others(&mut plan, rows, &entries, &membership, &id);
                let place = Place {
                    environment: Some(environment.clone()),
                    attached_to: None,
                    service: Some(membership),
                    engine: engine.clone(),
                };
                let (entry, produced) = self.first_deployment(
                    id.clone(),
                    configuration,
                    place,
                    input.client_token.clone(),
                    deployment_id,
                )?;
                plan.create(held, entry, produced);
                Ok(plan)
            })
            .await?;
        if let Some(row) = replay {
            return Entry::shape_of(row);
        }
        after
            .iter()
            .find(|e| e.deployment.resource() == &id)
            .ok_or_else(|| {
                ApiError::internal(format!(
                    "{id} was written and is not among its service's parts"
                ))
            })?
            .shape()
    }

    /// The configuration of a new instance: the service's template at the
    /// version the input gives (the newest minor of a major given alone),
    /// or the service's own, with the input's spec.
    fn instance_configuration(
        &self,
        input: &CreateServiceInstanceInput,
        service: TemplateRef,
    ) -> Configuration {
        let template = match (&input.template_major_version, &input.template_minor_version) {
            (None, None) => service,
            (major, minor) => {
                let major = major.clone().unwrap_or(service.major);
                let minor = minor
                    .clone()
                    .or_else(|| {
                        self.templates().recommended(
                            ResourceKind::ServiceInstance,
                            &service.name,
                            &major,
                        )
                    })
                    .or_else(|| proton_cancel::TemplateVersion::new("0").ok())
                    .unwrap_or_else(|| major.clone());
                TemplateRef {
                    name: service.name,
                    major,
                    minor,
                }
            }
        };
        Configuration::Template {
            template,
            spec: Some(input.spec.clone()),
        }
    }

    /// UpdateService: a new description, and, with a new spec, the
    /// instances it adds made and those it leaves out deleted; the parts it
    /// keeps are not redeployed.
    pub(crate) async fn update_service(
        &self,
        input: &UpdateServiceInput,
    ) -> Result<Service, ApiError> {
        let name = &input.name;
        note_resource(&format_args!("service '{name}'"));
        let spec = input.spec.as_ref().map(ServiceSpec::parse).transpose()?;
        if let Some(spec) = &spec {
            self.check_environments(&spec.instances).await?;
        }
        let wanted = spec.as_ref().map_or(0, |s| s.instances.len());
        let minted = self.mint_ids(wanted).await?;
        let attached = self.attached_components(name).await?;
        let at = self.now();
        let (service, _) = self
            .write_service(name, |rows| {
                let (entries, current) = self.not_deleting(name, rows, "it cannot be updated")?;
                let membership = Membership {
                    spec: input.spec.clone().unwrap_or(current.spec.clone()),
                    description: input
                        .description
                        .clone()
                        .map(Description::new)
                        .or(current.description.clone()),
                    created_at: current.created_at,
                    modified_at: at,
                    later: false,
                };
                let mut plan = Plan::default();
                let live = || rows.iter().zip(&entries).filter(|(r, _)| !deleted(r));
                let Some(spec) = &spec else {
                    for (row, entry) in live() {
                        plan.replace(row, with_membership(entry, &membership));
                    }
                    return Ok(plan);
                };
                let has_pipeline = current.pipeline.is_some();
                if spec.pipeline != has_pipeline {
                    return Err(ApiError::new(
                        ErrorCode::ValidationException,
                        format!(
                            "UpdateService does not add or remove a pipeline: service '{name}' \
                             has {}, and the spec {}",
                            if has_pipeline { "one" } else { "none" },
                            if spec.pipeline { "has one" } else { "has none" }
                        ),
                    ));
                }
                let mut ids = minted.iter();
                for (row, entry) in live() {
                    let kept = match entry.deployment.resource() {
                        ResourceId::ServiceInstance { name: instance, .. } => {
                            spec.instance_named(instance).is_some()
                        }
                        _ => true,
                    };
                    if kept {
                        plan.replace(row, with_membership(entry, &membership));
                        continue;
                    }
                    if let Some(component) = attached.get(entry.deployment.resource()) {
                        return Err(conflict(format!(
                            "{} cannot be removed: {component} is attached to it; delete it first",
                            entry.deployment.resource()
                        )));
                    }
                    let mut removed = with_membership(entry, &membership);
                    let outcome = removed.deployment.handle(Input::Delete { at });
                    if let Some(r) = outcome.rejection() {
                        return Err(ApiError::from(r.clone()));
                    }
                    push_jobs(&mut plan, &removed, &outcome, at);
                    plan.replace(row, removed);
                }
                let template = service_template(&entries)?;
                for instance in &spec.instances {
                    let id = instance_id(name, &instance.name);
                    let held = rows.iter().find(|r| r.deployment.resource() == &id);
                    if held.is_some_and(|r| !deleted(r)) {
                        continue;
                    }
                    let Some(deployment_id) = ids.next() else {
                        return Err(ApiError::internal("fewer deployment ids than instances"));
                    };
                    let place = Place {
                        environment: Some(instance.environment.clone()),
                        attached_to: None,
                        service: Some(Membership {
                            later: true,
                            ..membership.clone()
                        }),
                        engine: None,
                    };
                    let configuration = Configuration::Template {
                        template: template.clone(),
                        spec: input.spec.clone(),
                    };
                    let (entry, produced) =
                        self.first_deployment(id, configuration, place, None, *deployment_id)?;
                    plan.create(held, entry, produced);
                }
                if plan.after.iter().all(|e| {
                    matches!(
                        e.deployment.status(),
                        DeploymentStatus::DeleteInProgress | DeploymentStatus::DeleteFailed
                    )
                }) {
                    return Err(ApiError::new(
                        ErrorCode::ValidationException,
                        format!(
                            "the spec names none of service '{name}''s instances and it has no \
                             pipeline: a service keeps at least one of them (DeleteService \
                             deletes it)"
                        ),
                    ));
                }
                Ok(plan)
            })
            .await?;
        Ok(service)
    }

    /// DeleteService: every part left starts its deletion, in one write.
    /// Refused while a component is attached to one of its instances.
    pub(crate) async fn delete_service(&self, name: &ResourceName) -> Result<Service, ApiError> {
        note_resource(&format_args!("service '{name}'"));
        let attached = self.attached_components(name).await?;
        if let Some((instance, component)) = attached.iter().next() {
            return Err(conflict(format!(
                "service '{name}' cannot be deleted: {component} is attached to its {instance}; \
                 delete the component first"
            )));
        }
        let at = self.now();
        let (service, _) = self
            .write_service(name, |rows| {
                if rows.iter().all(deleted) {
                    return Err(not_found(name));
                }
                let mut plan = Plan::default();
                for row in rows.iter().filter(|r| !deleted(r)) {
                    let mut entry = Entry::of(row.clone())?;
                    if entry.deployment.status() != DeploymentStatus::DeleteInProgress {
                        let outcome = entry.deployment.handle(Input::Delete { at });
                        if let Some(r) = outcome.rejection() {
                            return Err(ApiError::from(r.clone()));
                        }
                        push_jobs(&mut plan, &entry, &outcome, at);
                    }
                    if let Some(m) = &mut entry.meta.service {
                        m.modified_at = at;
                    }
                    plan.replace(row, entry);
                }
                Ok(plan)
            })
            .await?;
        Ok(service)
    }

    /// The components not deleted that are attached to instances of the
    /// service `name`: the first (by name) for each instance.
    async fn attached_components(
        &self,
        name: &ResourceName,
    ) -> Result<BTreeMap<ResourceId, ResourceId>, ApiError> {
        let mut attached = BTreeMap::new();
        let mut components: Vec<Entry> = self
            .live_entries()
            .await?
            .into_iter()
            .filter(|e| {
                e.meta
                    .attached_to
                    .as_ref()
                    .is_some_and(|a| &a.service == name)
            })
            .collect();
        components.sort_by(|a, b| a.deployment.resource().cmp(b.deployment.resource()));
        for c in components {
            if let Some(a) = &c.meta.attached_to {
                attached
                    .entry(instance_id(&a.service, &a.instance))
                    .or_insert_with(|| c.deployment.resource().clone());
            }
        }
        Ok(attached)
    }
}

/// The service's template as its first part left deploys it.
fn service_template(entries: &[Entry]) -> Result<TemplateRef, ApiError> {
    entries
        .iter()
        .map(|e| e.deployment.observe())
        .filter(|o| o.status != DeploymentStatus::DeleteComplete)
        .find_map(|o| match o.applied {
            Configuration::Template { template, .. } => Some(template),
            Configuration::Component { .. } => None,
        })
        .ok_or_else(|| ApiError::internal("a service has no part with a template"))
}

/// `entry` keeping `membership` (how it joined its service unchanged).
fn with_membership(entry: &Entry, membership: &Membership) -> Entry {
    let later = entry.meta.service.as_ref().is_some_and(|m| m.later);
    let mut meta = entry.meta.clone();
    meta.service = Some(Membership {
        later,
        ..membership.clone()
    });
    Entry {
        deployment: entry.deployment.clone(),
        meta,
    }
}

/// Every live part of `rows` but `except`, rewritten keeping `membership`
/// (its last change, for a part added).
fn rewrite_others(
    plan: &mut Plan,
    rows: &[Row],
    entries: &[Entry],
    membership: &Membership,
    except: &ResourceId,
) {
    for (row, entry) in rows.iter().zip(entries) {
        if !deleted(row) && entry.deployment.resource() != except {
            plan.replace(row, with_membership(entry, membership));
        }
    }
}

/// The engine's jobs for what `outcome` asks of `entry`'s resource.
fn push_jobs(plan: &mut Plan, entry: &Entry, outcome: &Outcome, at: Timestamp) {
    if let Some(effect) = outcome.effect() {
        plan.produced.jobs.extend(jobs(
            entry.deployment.resource(),
            effect,
            &entry.meta.engine,
            at,
        ));
    }
}
