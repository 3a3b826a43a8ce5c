//! Reading services: what a service's parts show of it (GetService, the
//! answers of the writes) and ListServices.

use std::collections::BTreeMap;

use proton_cancel::{
    Configuration, DeploymentStatus, ResourceId, ResourceKind, ResourceName, ServiceStatus, Spec,
};
use proton_cancel_wire::{
    ApiError, DEFAULT_PAGE_SIZE, ErrorCode, ListServicesInput, ListServicesOutput, Service,
    ServicePipeline, page,
};

use crate::app::App;
use crate::operations::note_resource;
use crate::store::{Row, kind_range};
use crate::stored::{Entry, Membership};
use crate::write::store_failed;

pub(super) fn not_found(name: &ResourceName) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFoundException,
        format!("service '{name}' was not found"),
    )
}

/// What the parts `entries` (deleted ones included) of the service `name`
/// show of it; `None` when none is left.
pub(crate) fn view(
    app: &App,
    name: &ResourceName,
    entries: &[Entry],
) -> Result<Option<Service>, ApiError> {
    let observed: Vec<_> = entries.iter().map(|e| e.deployment.observe()).collect();
    let parts = observed
        .iter()
        .zip(entries)
        .map(|(o, e)| (o, Membership::joined(e.meta.service.as_ref())));
    let Some(state) = ServiceStatus::of(parts) else {
        return Ok(None);
    };
    let live: Vec<(&Entry, &proton_cancel::Observed)> = entries
        .iter()
        .zip(&observed)
        .filter(|(_, o)| o.status != DeploymentStatus::DeleteComplete)
        .collect();
    let Some((_, first_seen)) = live.first() else {
        return Ok(None);
    };
    let template_name = match &first_seen.applied {
        Configuration::Template { template, .. } => template.name.clone(),
        Configuration::Component { .. } => {
            return Err(ApiError::internal(format!(
                "{} holds a component's configuration",
                first_seen.resource
            )));
        }
    };
    let membership = live
        .iter()
        .filter_map(|(e, _)| e.meta.service.as_ref())
        .max_by_key(|m| m.modified_at);
    let touched = live
        .iter()
        .map(|(_, o)| o.last_attempt.as_ref().map_or(o.created_at, |a| a.at));
    let (spec, description, created, modified) = match membership {
        Some(m) => (
            m.spec.clone(),
            m.description.clone(),
            m.created_at,
            touched
                .chain([m.modified_at])
                .max()
                .unwrap_or(m.modified_at),
        ),
        None => {
            // A service a seed made: what its parts tell of it.
            let spec = match &first_seen.applied {
                Configuration::Template { spec: Some(s), .. } => s.clone(),
                _ => Spec::new("proton: ServiceSpec")
                    .map_err(|e| ApiError::internal(e.to_string()))?,
            };
            let created = live.iter().map(|(_, o)| o.created_at).min();
            let created = created.unwrap_or(first_seen.created_at);
            (spec, None, created, touched.max().unwrap_or(created))
        }
    };
    let pipeline = live
        .iter()
        .find(|(e, _)| e.deployment.resource().kind() == ResourceKind::ServicePipeline)
        .map(|(e, _)| e.shape::<ServicePipeline>())
        .transpose()?;
    let mut service = Service::new(
        name.clone(),
        app.arn(&format!("service/{name}")),
        template_name,
        spec,
        (created, modified),
        pipeline,
    );
    service.description = description;
    service.status = state.status;
    service.status_message = match state.status {
        ServiceStatus::CreateFailed | ServiceStatus::UpdateFailed | ServiceStatus::DeleteFailed => {
            state.decided_by.map(|o| {
                let why = o
                    .status_message
                    .as_ref()
                    .map_or(o.status.as_str(), |m| m.as_str());
                proton_cancel::StatusMessage::new(format!("{}: {why}", o.resource))
            })
        }
        _ => None,
    };
    Ok(Some(service))
}

impl App {
    /// The parts of the service `name` as stored, deleted ones included.
    pub(super) async fn parts(&self, name: &ResourceName) -> Result<Vec<Row>, ApiError> {
        self.store().load_service(name).await.map_err(store_failed)
    }

    /// GetService: the service `name` as its parts show it.
    pub(crate) async fn service(&self, name: &ResourceName) -> Result<Service, ApiError> {
        note_resource(&format_args!("service '{name}'"));
        let entries = self
            .parts(name)
            .await?
            .into_iter()
            .map(Entry::of)
            .collect::<Result<Vec<_>, _>>()?;
        view(self, name, &entries)?.ok_or_else(|| not_found(name))
    }

    /// ListServices: the services, by name, one page. It reads every
    /// pipeline and instance (their key ranges, not the other kinds).
    pub(crate) async fn list_services(
        &self,
        input: &ListServicesInput,
    ) -> Result<ListServicesOutput, ApiError> {
        let mut by_service: BTreeMap<ResourceName, Vec<Entry>> = BTreeMap::new();
        let mut rows = Vec::new();
        for kind in [ResourceKind::ServicePipeline, ResourceKind::ServiceInstance] {
            // In chunks, as the lists read: never one answer the size of
            // the whole range.
            let (all, _) = self
                .scan(kind_range(kind), None, usize::MAX, |row| Ok(Some(row)))
                .await?;
            rows.extend(all);
        }
        for row in rows {
            let service = match row.deployment.resource() {
                ResourceId::ServiceInstance { service, .. }
                | ResourceId::ServicePipeline { service } => service.clone(),
                _ => continue,
            };
            by_service.entry(service).or_default().push(Entry::of(row)?);
        }
        let mut services = Vec::new();
        for (name, entries) in &by_service {
            if let Some(s) = view(self, name, entries)? {
                services.push(s);
            }
        }
        let (page, next_token) = page(
            services,
            |s| s.name.to_string(),
            input.next_token.as_ref(),
            input.max_results.unwrap_or(DEFAULT_PAGE_SIZE),
        )?;
        Ok(ListServicesOutput {
            services: page.into_iter().map(Into::into).collect(),
            next_token,
        })
    }
}
