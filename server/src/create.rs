//! The create path: a new resource with its first deployment running, in
//! a name nobody holds or in place of a deleted resource's.

use proton_cancel::{
    ClientToken, Configuration, Deployment, DeploymentId, DeploymentStatus, Effect, Observed,
    ResourceId, ResourceName,
};
use proton_cancel_wire::Addresses;
use proton_cancel_wire::{
    ApiError, ComponentPlace, CreateComponentInput, CreateEnvironmentInput, ENGINE_TAG, ErrorCode,
    Shape, tag_value_of,
};

use crate::app::App;
use crate::engine::{EngineOverrides, EngineScript, jobs};
use crate::store::{Expected, Produced, Row, Written};
use crate::stored::{Attachment, Entry, Membership, Meta};
use crate::write::store_failed;

impl App {
    /// CreateEnvironment: on the template version the input names, or,
    /// without a minor version, the newest the seed lists of its major
    /// version (minor `0` when it lists none).
    pub(crate) async fn create_environment<S: Shape>(
        &self,
        input: &CreateEnvironmentInput,
        engine: Option<EngineScript>,
    ) -> Result<S, ApiError> {
        let id = input.resource_id();
        let mut configuration = input.configuration();
        if input.template_minor_version.is_none() {
            configuration = self
                .templates()
                .with_recommended_minor(id.kind(), configuration);
        }
        let place = Place {
            engine,
            ..Place::default()
        };
        self.create(id, configuration, place, None).await
    }

    /// CreateComponent: in the environment the input names, which must
    /// exist, or on the service instance it names, which must exist, in
    /// that instance's environment.
    pub(crate) async fn create_component<S: Shape>(
        &self,
        input: &CreateComponentInput,
        engine: Option<EngineScript>,
    ) -> Result<S, ApiError> {
        let (environment, attached_to) = match input.place()? {
            ComponentPlace::Environment(name) => {
                self.live(&ResourceId::Environment { name: name.clone() })
                    .await?;
                (name, None)
            }
            ComponentPlace::ServiceInstance { service, instance } => {
                let id = ResourceId::ServiceInstance {
                    service: service.clone(),
                    name: instance.clone(),
                };
                let environment = self.live(&id).await?.meta.environment.ok_or_else(|| {
                    ApiError::internal(format!("{id} was stored without its environment"))
                })?;
                if let Some(given) = input
                    .environment_name
                    .as_ref()
                    .filter(|e| **e != environment)
                {
                    return Err(ApiError::new(
                        ErrorCode::ValidationException,
                        format!(
                            "{id} is deployed to environment '{environment}', not '{given}': a \
                             component attached to it is in its environment"
                        ),
                    ));
                }
                (environment, Some(Attachment { service, instance }))
            }
            _ => {
                return Err(ApiError::internal(
                    "a component's place is one this server does not know",
                ));
            }
        };
        let place = Place {
            environment: Some(environment),
            attached_to,
            service: None,
            engine,
        };
        self.create(
            input.resource_id(),
            input.configuration(),
            place,
            input.client_token.clone(),
        )
        .await
    }

    /// The resource `id` if it exists and is not deleted;
    /// ResourceNotFoundException otherwise.
    async fn live(&self, id: &ResourceId) -> Result<Entry, ApiError> {
        let row = self.store().load(id).await.map_err(store_failed)?;
        match row {
            Some(row) if row.deployment.status() != DeploymentStatus::DeleteComplete => {
                Entry::of(row)
            }
            _ => Err(ApiError::resource_not_found(id)),
        }
    }

    /// Creates `id` deploying `configuration`, in `environment` where its
    /// kind names one (attached to the service instance `attached_to`, for
    /// a component), and answers with its shape: the first deployment
    /// IN_PROGRESS, its record started and its engine jobs queued, all in
    /// one write. A name held by a resource that is not deleted is
    /// ConflictException, unless `client_token` is its last attempt's (the
    /// same request retried: it answers with the resource as it is); a
    /// deleted one's (DELETE_COMPLETE) is taken over by compare-and-set,
    /// as the next life of the name.
    pub(crate) async fn create<S: Shape>(
        &self,
        id: ResourceId,
        configuration: Configuration,
        place: Place,
        client_token: Option<ClientToken>,
    ) -> Result<S, ApiError> {
        crate::operations::note_resource(&id);
        let deployment_id = self.mint_id().await.map_err(store_failed)?;
        let (mut entry, produced) = self.first_deployment(
            id.clone(),
            configuration,
            place,
            client_token.clone(),
            deployment_id,
        )?;
        loop {
            let held = self
                .store()
                .load_for_write(&id)
                .await
                .map_err(store_failed)?;
            let written = match held {
                None => {
                    entry.meta.incarnation = 0;
                    let row = entry.row();
                    let inserted = self
                        .store()
                        .insert(&row, &produced)
                        .await
                        .map_err(store_failed)?;
                    inserted.then_some(row)
                }
                Some((old, _)) => {
                    let deleted = old.deployment.status() == DeploymentStatus::DeleteComplete;
                    if !deleted && client_token.is_some() && last_token(&old) == client_token {
                        // The same request again (an SDK retries with its
                        // idempotency token): the resource as it is.
                        return Entry::shape_of(old);
                    }
                    if !deleted {
                        return Err(ApiError::new(
                            ErrorCode::ConflictException,
                            format!("{id} already exists: choose another name, or delete it first"),
                        ));
                    }
                    entry.meta.incarnation =
                        Entry::of(old.clone())?.meta.incarnation.saturating_add(1);
                    let row = entry.row();
                    let written = self
                        .store()
                        .commit(&Expected::of(&old), &row, &produced)
                        .await
                        .map_err(store_failed)?;
                    (written == Written::Committed).then_some(row)
                }
            };
            let Some(row) = written else {
                // Another request took the name meanwhile: decide again.
                self.cache().forget(&id);
                continue;
            };
            self.committed(id, row, &produced);
            return entry.shape();
        }
    }

    /// The entry of a new resource `id` deploying `configuration` for the
    /// first time as attempt `deployment_id`, placed at `place`, with what
    /// its creation produces: the attempt's record and the engine's jobs.
    /// The template is checked against the registry first.
    pub(crate) fn first_deployment(
        &self,
        id: ResourceId,
        configuration: Configuration,
        place: Place,
        client_token: Option<ClientToken>,
        deployment_id: DeploymentId,
    ) -> Result<(Entry, Produced), ApiError> {
        self.templates().check(id.kind(), &configuration)?;
        let at = self.now();
        let (deployment, effect) = Deployment::create(
            id.clone(),
            at,
            deployment_id,
            configuration.clone(),
            client_token,
        )
        .map_err(|e| ApiError::new(ErrorCode::ValidationException, e.to_string()))?;
        let entry = Entry {
            deployment,
            meta: Meta {
                arn: self.arn_of(&id),
                environment: place.environment,
                engine: place
                    .engine
                    .unwrap_or_else(|| self.engine_defaults().clone()),
                incarnation: 0,
                attached_to: place.attached_to,
                service: place.service,
            },
        };
        let mut produced = Produced::default();
        if let Effect::StartDeployment { target, .. } = &effect {
            let before = Observed::new(id.clone(), at, configuration);
            let meta = (entry.meta.arn.as_str(), entry.meta.environment.as_ref());
            produced
                .records
                .push(self.start_record((deployment_id, at), &before, target, meta)?);
        }
        produced.jobs = jobs(&id, &effect, &entry.meta.engine, at);
        Ok((entry, produced))
    }

    /// After a create is written: the cache holds the new row and its
    /// record, and the engine learns of its jobs.
    fn committed(&self, id: ResourceId, row: Row, produced: &Produced) {
        tracing::info!(resource = %id, to = "IN_PROGRESS", effect = "StartDeployment", "created");
        self.cache().put(id, row, produced.records.last().cloned());
        if !produced.jobs.is_empty() {
            self.queued().notify_one();
        }
    }
}

/// Where a new resource is: its environment (for every kind but an
/// environment), the service instance a component is attached to, and what
/// a service's part keeps of its service; and its engine script, when the
/// request gave one (the server's otherwise).
#[derive(Debug, Default, Clone)]
pub(crate) struct Place {
    pub(crate) environment: Option<ResourceName>,
    pub(crate) attached_to: Option<Attachment>,
    pub(crate) service: Option<Membership>,
    pub(crate) engine: Option<EngineScript>,
}

impl App {
    /// The engine script the request `body` gives its new resource in its
    /// [`ENGINE_TAG`] tag (the seed's `engine` form, over the server's
    /// settings), if it has one.
    pub(crate) fn tagged_engine(&self, body: &[u8]) -> Result<Option<EngineScript>, ApiError> {
        let Some(text) = tag_value_of(body, ENGINE_TAG)? else {
            return Ok(None);
        };
        let overrides: EngineOverrides = serde_json::from_str(&text).map_err(|e| {
            ApiError::new(
                ErrorCode::ValidationException,
                format!(
                    "tag '{ENGINE_TAG}' is not engine settings: {e}; its value is a JSON object \
                     in the seed's `engine` form, for example {{\"deleteResult\":\"FAILED\"}}"
                ),
            )
        })?;
        Ok(Some(overrides.over(self.engine_defaults())))
    }
}

/// The client token of the last attempt of the resource `row` holds.
fn last_token(row: &Row) -> Option<ClientToken> {
    row.deployment.observe().last_attempt?.client_token
}
