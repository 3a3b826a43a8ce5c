//! What the list operations select and how they order it.

use std::cmp::Ordering;

use proton_cancel_wire::{
    ServiceInstance, ServiceInstanceFilter, ServiceInstanceFilterKey as Key,
    ServiceInstanceSortBy as SortBy, SortOrder,
};

/// Whether a service instance meets one ListServiceInstances criterion.
/// Every deployed template version reads PUBLISHED: the emulator keeps no
/// template registry, so a version that was deployed was published.
pub(crate) fn matches(i: &ServiceInstance, filter: &ServiceInstanceFilter) -> bool {
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
pub(crate) fn sort(all: &mut [ServiceInstance], by: SortBy, order: SortOrder) {
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
