//! The operations' outputs: each wraps its shape under the member its
//! operation names, and writes itself as the JSON body.

use serde::{Deserialize, Serialize};

use crate::list::NextToken;
use crate::lists::{ComponentSummary, EnvironmentSummary};
use crate::record::{DeploymentRecord, DeploymentSummary};
use crate::service::{Service, ServiceInstanceSummary, ServiceSummary};
use crate::shape::{Component, Environment, ServiceInstance, ServicePipeline};

/// An operation's answer, as the JSON body it is sent as.
pub trait Body {
    /// The JSON body.
    fn to_json(&self) -> Vec<u8>;
}

/// An operation's output that is one value under one member (a resource's
/// shape, a service, a deployment record).
pub trait ShapeOutput: Body {
    /// What it holds.
    type Shape;

    /// The output holding `shape`.
    fn new(shape: Self::Shape) -> Self;
}

/// An operation's output that is one page of a list: its items under one
/// member, then `nextToken`. What a server needs to write such a page
/// itself, from summaries it stored as JSON text.
pub trait PageOutput: Body {
    /// The member that holds the items (`serviceInstances`, …).
    const MEMBER: &'static str;
    /// The summary shape of one item.
    type Item: Serialize;
}

/// Declares an output once: its struct, the member its operation names
/// (`$wire`) and, for a page of a list, `nextToken` after it; its JSON
/// body; and, for an output of one value, [`ShapeOutput`], for a page,
/// [`PageOutput`].
macro_rules! output {
    ($(#[$meta:meta])* $name:ident { $field:ident: $wire:literal, $shape:ident }) => {
        output!(@struct $(#[$meta])* $name { $field: $wire, $shape });

        impl ShapeOutput for $name {
            type Shape = $shape;

            fn new(shape: $shape) -> Self {
                Self { $field: shape }
            }
        }
    };
    ($(#[$meta:meta])* $name:ident { $field:ident: $wire:literal, [$item:ident], $next:ident }) => {
        output!(@struct $(#[$meta])* $name { $field: $wire, Vec<$item>, $next });

        impl PageOutput for $name {
            const MEMBER: &'static str = $wire;
            type Item = $item;
        }
    };
    (@struct $(#[$meta:meta])* $name:ident { $field:ident: $wire:literal, $shape:ty $(, $next:ident)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            #[doc = concat!("`", $wire, "`.")]
            #[serde(rename = $wire)]
            pub $field: $shape,
            $(
                /// `nextToken`: where the next page starts; absent on the last.
                #[serde(rename = "nextToken", default, skip_serializing_if = "Option::is_none")]
                pub $next: Option<NextToken>,
            )?
        }

        impl Body for $name {
            fn to_json(&self) -> Vec<u8> {
                // The shapes hold only strings, numbers and enums: writing
                // them to memory cannot fail. One allocation holds a whole
                // shape (about 500 bytes) without growing.
                let mut body = Vec::with_capacity(1024);
                let _ = serde_json::to_writer(&mut body, self);
                body
            }
        }
    };
}

output! {
    /// CancelServiceInstanceDeployment's output.
    CancelServiceInstanceDeploymentOutput { service_instance: "serviceInstance", ServiceInstance }
}
output! {
    /// UpdateServiceInstance's output.
    UpdateServiceInstanceOutput { service_instance: "serviceInstance", ServiceInstance }
}
output! {
    /// GetServiceInstance's output.
    GetServiceInstanceOutput { service_instance: "serviceInstance", ServiceInstance }
}
output! {
    /// CancelEnvironmentDeployment's output.
    CancelEnvironmentDeploymentOutput { environment: "environment", Environment }
}
output! {
    /// CancelServicePipelineDeployment's output.
    CancelServicePipelineDeploymentOutput { pipeline: "pipeline", ServicePipeline }
}
output! {
    /// CancelComponentDeployment's output.
    CancelComponentDeploymentOutput { component: "component", Component }
}
output! {
    /// GetEnvironment's output.
    GetEnvironmentOutput { environment: "environment", Environment }
}
output! {
    /// UpdateEnvironment's output.
    UpdateEnvironmentOutput { environment: "environment", Environment }
}
output! {
    /// UpdateServicePipeline's output.
    UpdateServicePipelineOutput { pipeline: "pipeline", ServicePipeline }
}
output! {
    /// GetComponent's output.
    GetComponentOutput { component: "component", Component }
}
output! {
    /// UpdateComponent's output.
    UpdateComponentOutput { component: "component", Component }
}
output! {
    /// CreateEnvironment's output: the environment as its first deployment
    /// starts.
    CreateEnvironmentOutput { environment: "environment", Environment }
}
output! {
    /// DeleteEnvironment's output: the environment as its deletion starts.
    DeleteEnvironmentOutput { environment: "environment", Environment }
}
output! {
    /// CreateComponent's output: the component as its first deployment
    /// starts.
    CreateComponentOutput { component: "component", Component }
}
output! {
    /// DeleteComponent's output: the component as its deletion starts.
    DeleteComponentOutput { component: "component", Component }
}
output! {
    /// GetService's output.
    GetServiceOutput { service: "service", Service }
}
output! {
    /// CreateService's output: the service as its parts start deploying.
    CreateServiceOutput { service: "service", Service }
}
output! {
    /// UpdateService's output.
    UpdateServiceOutput { service: "service", Service }
}
output! {
    /// DeleteService's output: the service as its deletion starts.
    DeleteServiceOutput { service: "service", Service }
}
output! {
    /// CreateServiceInstance's output: the instance as its first
    /// deployment starts.
    CreateServiceInstanceOutput { service_instance: "serviceInstance", ServiceInstance }
}
output! {
    /// ListServices's output: one page.
    ListServicesOutput { services: "services", [ServiceSummary], next_token }
}
output! {
    /// DeleteDeployment's output: the record as it was deleted.
    DeleteDeploymentOutput { deployment: "deployment", DeploymentRecord }
}
output! {
    /// GetDeployment's output.
    GetDeploymentOutput { deployment: "deployment", DeploymentRecord }
}

output! {
    /// ListServiceInstances's output: one page.
    ListServiceInstancesOutput { service_instances: "serviceInstances", [ServiceInstanceSummary], next_token }
}
output! {
    /// ListEnvironments's output: one page.
    ListEnvironmentsOutput { environments: "environments", [EnvironmentSummary], next_token }
}
output! {
    /// ListComponents's output: one page.
    ListComponentsOutput { components: "components", [ComponentSummary], next_token }
}
output! {
    /// ListDeployments's output: one page.
    ListDeploymentsOutput { deployments: "deployments", [DeploymentSummary], next_token }
}
