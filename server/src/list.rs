//! The list operations of the resource kinds: what each selects, how it
//! orders it, and the page it answers with.

use std::cmp::Ordering;

use proton_cancel::{ResourceId, ResourceKind};
use proton_cancel_wire::{
    ApiError, Component, DEFAULT_PAGE_SIZE, Environment, ListComponentsInput, ListComponentsOutput,
    ListEnvironmentsInput, ListEnvironmentsOutput, ListServiceInstancesInput,
    ListServiceInstancesOutput, NextToken, ServiceInstance, ServiceInstanceFilter,
    ServiceInstanceFilterKey as Key, ServiceInstanceSortBy as SortBy, Shape, SortOrder, page,
};

use crate::app::App;

/// Whether a service instance meets one ListServiceInstances criterion.
/// Every deployed template version reads PUBLISHED: the emulator keeps no
/// template registry, so a version that was deployed was published.
fn matches(i: &ServiceInstance, filter: &ServiceInstanceFilter) -> bool {
    match filter {
        ServiceInstanceFilter::Status(status) => i.members.deployment.deployment_status == *status,
        ServiceInstanceFilter::Equals(key, value) => {
            let actual = match key {
                Key::Name => i.name.as_str(),
                Key::TemplateName => i.members.template.template_name.as_str(),
                Key::ServiceName => i.service_name.as_str(),
                Key::EnvironmentName => i.environment_name.as_str(),
                Key::DeployedTemplateVersionStatus => "PUBLISHED",
                _ => return false,
            };
            actual == value
        }
        ServiceInstanceFilter::Time { key, at } => match key {
            Key::CreatedAtBefore => i.members.deployment.created_at < *at,
            Key::CreatedAtAfter => i.members.deployment.created_at > *at,
            Key::LastDeploymentAttemptedAtBefore => {
                i.members.times.last_deployment_attempted_at < *at
            }
            Key::LastDeploymentAttemptedAtAfter => {
                i.members.times.last_deployment_attempted_at > *at
            }
            _ => false,
        },
        _ => false,
    }
}

/// Sorts service instances by `by` in `order`; ties go by service, then
/// instance name (ascending), so every order is total and pages are stable.
fn sort(all: &mut [ServiceInstance], by: SortBy, order: SortOrder) {
    let tie = |a: &ServiceInstance, b: &ServiceInstance| {
        (&a.service_name, &a.name).cmp(&(&b.service_name, &b.name))
    };
    all.sort_by(|a, b| {
        let primary = match by {
            SortBy::Name => a.name.cmp(&b.name),
            SortBy::DeploymentStatus => a
                .members
                .deployment
                .deployment_status
                .as_str()
                .cmp(b.members.deployment.deployment_status.as_str()),
            SortBy::TemplateName => a
                .members
                .template
                .template_name
                .cmp(&b.members.template.template_name),
            SortBy::EnvironmentName => a.environment_name.cmp(&b.environment_name),
            SortBy::LastDeploymentAttemptedAt => a
                .members
                .times
                .last_deployment_attempted_at
                .cmp(&b.members.times.last_deployment_attempted_at),
            SortBy::CreatedAt => a
                .members
                .deployment
                .created_at
                .cmp(&b.members.deployment.created_at),
            _ => Ordering::Equal,
        };
        let primary = match order {
            SortOrder::Descending => primary.reverse(),
            _ => primary,
        };
        primary.then_with(|| tie(a, b))
    });
}

impl App {
    /// The service instances the input selects, in its order, one page.
    pub(crate) async fn list_service_instances(
        &self,
        input: &ListServiceInstancesInput,
    ) -> Result<ListServiceInstancesOutput, ApiError> {
        let mut all = Vec::new();
        for entry in self.live_entries().await? {
            if let ResourceId::ServiceInstance { service, .. } = entry.deployment.resource() {
                if input.service_name.as_ref().is_none_or(|s| s == service) {
                    all.push(entry.shape::<ServiceInstance>()?);
                }
            }
        }
        all.retain(|i| input.filters.iter().all(|f| matches(i, f)));
        sort(&mut all, input.sort_by, input.sort_order);
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

    /// The environments the input's template filters select, by name.
    pub(crate) async fn list_environments(
        &self,
        input: &ListEnvironmentsInput,
    ) -> Result<ListEnvironmentsOutput, ApiError> {
        let (environments, next_token) = self
            .page_of::<Environment, _>(
                ResourceKind::Environment,
                |e| {
                    let t = &e.members.template;
                    input.lists(&t.template_name, &t.template_major_version)
                },
                |e| e.name.to_string(),
                (input.next_token.as_ref(), input.max_results),
            )
            .await?;
        Ok(ListEnvironmentsOutput {
            environments,
            next_token,
        })
    }

    /// The components the input's names select, by name.
    pub(crate) async fn list_components(
        &self,
        input: &ListComponentsInput,
    ) -> Result<ListComponentsOutput, ApiError> {
        let (components, next_token) = self
            .page_of::<Component, _>(
                ResourceKind::Component,
                |c| input.lists(c),
                |c| c.name.to_string(),
                (input.next_token.as_ref(), input.max_results),
            )
            .await?;
        Ok(ListComponentsOutput {
            components,
            next_token,
        })
    }

    /// One page of the resources of `kind` that are not deleted and that
    /// `keep` selects, as shape `S`, ordered by `key`, summarized as `T`.
    async fn page_of<S: Shape, T: From<S>>(
        &self,
        kind: ResourceKind,
        keep: impl Fn(&S) -> bool,
        key: fn(&S) -> String,
        (token, max): (Option<&NextToken>, Option<usize>),
    ) -> Result<(Vec<T>, Option<NextToken>), ApiError> {
        let mut all = Vec::new();
        for entry in self.live_entries().await? {
            if entry.deployment.resource().kind() == kind {
                let shape = entry.shape::<S>()?;
                if keep(&shape) {
                    all.push(shape);
                }
            }
        }
        all.sort_by_key(key);
        let (page, next) = page(all, key, token, max.unwrap_or(DEFAULT_PAGE_SIZE))?;
        Ok((page.into_iter().map(T::from).collect(), next))
    }
}
