//! Reading services: what a service's parts show of it (GetService, the
//! answers of the writes) and ListServices.

use proton_cancel::{
    Configuration, DeploymentStatus, ResourceId, ResourceKind, ResourceName, ServiceStatus, Spec,
};
use proton_cancel_wire::{
    ApiError, DEFAULT_PAGE_SIZE, ErrorCode, ListServicesInput, ListServicesOutput, NextToken,
    Service, ServicePipeline,
};

use crate::app::App;
use crate::operations::note_resource;
use crate::store::{Row, instances_of};
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

    /// ListServices: the services, by name, one page. Each service is
    /// found through the key's index ([`App::next_service`]) and read as
    /// GetService reads it, so a page costs what its services hold, not
    /// what the table holds; services whose every part is deleted are
    /// passed over. The token names the next page's first service.
    pub(crate) async fn list_services(
        &self,
        input: &ListServicesInput,
    ) -> Result<ListServicesOutput, ApiError> {
        let max = input.max_results.unwrap_or(DEFAULT_PAGE_SIZE).max(1);
        // The least name the next service may have.
        let mut from = match &input.next_token {
            None => String::new(),
            Some(token) => token
                .key()?
                .strip_prefix(SERVICE_TOKEN)
                .and_then(|name| ResourceName::new(name).ok())
                .map(|name| name.to_string())
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::ValidationException,
                        "The nextToken is not valid: pass the nextToken of the previous page \
                         unchanged",
                    )
                })?,
        };
        let mut services = Vec::new();
        let mut next_token = None;
        while let Some(name) = self.next_service(&from).await? {
            let entries = self
                .parts(&name)
                .await?
                .into_iter()
                .map(Entry::of)
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(service) = view(self, &name, &entries)? {
                if services.len() == max {
                    next_token = Some(NextToken::at(&format!("{SERVICE_TOKEN}{name}")));
                    break;
                }
                services.push(service.into());
            }
            // Every name above `name` is at least `name-` ('-' is the
            // least character a name may hold).
            from = format!("{name}-");
        }
        Ok(ListServicesOutput {
            services,
            next_token,
        })
    }

    /// The least name, at least `from`, of a service with a part stored
    /// (deleted parts included), through the key's index: the first
    /// pipeline key from `from`, and the first instance key from `from`
    /// with the names that sort before it as names but after it as keys.
    /// An instance key is its service's name then `/`, and `-`, which a
    /// name may hold, sorts before `/`: service `a-b`'s instances come
    /// before service `a`'s. So the first instance key at or after
    /// `service-instance/{from}` may belong to a name below `from` (one
    /// that `from` extends after a `-`), passed over, or be preceded as a
    /// name by a service whose name it extends after a `-`, looked up.
    pub(crate) async fn next_service(&self, from: &str) -> Result<Option<ResourceName>, ApiError> {
        let first = |prefix: &'static str, start: String| async move {
            let end = format!("{prefix}0");
            let rows = self
                .store()
                .load_range((&start, &end), 1)
                .await
                .map_err(store_failed)?;
            Ok::<_, ApiError>(rows.into_iter().next().and_then(
                |row| match row.deployment.resource() {
                    ResourceId::ServiceInstance { service, .. }
                    | ResourceId::ServicePipeline { service } => Some(service.clone()),
                    _ => None,
                },
            ))
        };
        let pipeline = first("service-pipeline", format!("service-pipeline/{from}")).await?;
        let mut start = format!("service-instance/{from}");
        let instance = loop {
            let Some(found) = first("service-instance", start).await? else {
                break None;
            };
            if found.as_str() >= from {
                break Some(found);
            }
            start = format!("service-instance/{found}0");
        };
        let instance = match instance {
            None => None,
            Some(found) => {
                // A shorter name it extends after a '-' sorts first.
                let mut least = found.clone();
                for (at, _) in found.as_str().match_indices('-') {
                    let Some(shorter) = found.as_str().get(..at) else {
                        continue;
                    };
                    if shorter < from {
                        continue;
                    }
                    let Ok(shorter) = ResourceName::new(shorter) else {
                        continue;
                    };
                    let (lo, _) = instances_of(&shorter);
                    if first("service-instance", lo).await?.as_ref() == Some(&shorter) {
                        least = shorter;
                        break;
                    }
                }
                Some(least)
            }
        };
        Ok(match (pipeline, instance) {
            (Some(p), Some(i)) => Some(if p.as_str() <= i.as_str() { p } else { i }),
            (p, i) => p.or(i),
        })
    }
}

/// What a ListServices token's key starts with: no other list's key does.
const SERVICE_TOKEN: &str = "service/";
