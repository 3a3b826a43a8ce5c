//! The four kinds driven through their own operations with the SDK: a
//! seed of one resource of each, and its Update, Cancel and Get.
#![allow(dead_code)] // each test file uses its own part

use aws_sdk_proton::Client;
use aws_sdk_proton::operation::RequestId;
use aws_sdk_proton::types::{
    ComponentDeploymentUpdateType, DeploymentStatus, DeploymentUpdateType,
};
use proton_cancel::ResourceKind;
use serde_json::{Value, json};

use super::{instance, template};

/// The four kinds, driven through their own operations.
pub const KINDS: [ResourceKind; 4] = [
    ResourceKind::ServiceInstance,
    ResourceKind::Environment,
    ResourceKind::ServicePipeline,
    ResourceKind::Component,
];

/// What every kind's shape shows of its deployment.
#[derive(Debug)]
pub struct View {
    pub status: DeploymentStatus,
    pub message: Option<String>,
    pub last_attempted: Option<String>,
    pub request_id: Option<String>,
}

/// The [`View`] of the shape in member `$member` of output `$out`.
macro_rules! view {
    ($out:expr, $member:ident) => {{
        let s = $out.$member.as_ref().unwrap();
        View {
            status: s.deployment_status.clone(),
            message: s.deployment_status_message.clone(),
            last_attempted: s.last_attempted_deployment_id.clone(),
            request_id: $out.request_id().map(str::to_owned),
        }
    }};
}

/// A seed holding one resource of `kind`, SUCCEEDED, with `engine`.
pub fn seed(kind: ResourceKind, engine: Value) -> Value {
    let with_template = |mut v: Value| {
        v.as_object_mut()
            .unwrap()
            .extend(template().as_object().unwrap().clone());
        v
    };
    match kind {
        ResourceKind::ServiceInstance => {
            json!({"serviceInstances": [instance("web", "SUCCEEDED", engine)]})
        }
        ResourceKind::Environment => {
            json!({"environments": [with_template(json!({"name": "prod", "engine": engine}))]})
        }
        ResourceKind::ServicePipeline => json!({"servicePipelines": [with_template(
            json!({"serviceName": "shop", "environmentName": "prod", "engine": engine})
        )]}),
        ResourceKind::Component => json!({"components": [
            {"name": "cache", "environmentName": "prod", "spec": "v1", "engine": engine}
        ]}),
        other => panic!("the test has no {other} resource"),
    }
}

/// Update<Kind> with a new spec (a deployment on the current version).
pub async fn update(client: &Client, kind: ResourceKind) -> Result<View, aws_sdk_proton::Error> {
    Ok(match kind {
        ResourceKind::ServiceInstance => {
            let out = client
                .update_service_instance()
                .service_name("shop")
                .name("web")
                .deployment_type(DeploymentUpdateType::CurrentVersion)
                .spec("v2")
                .send()
                .await?;
            view!(out, service_instance)
        }
        ResourceKind::Environment => {
            let out = client
                .update_environment()
                .name("prod")
                .deployment_type(DeploymentUpdateType::CurrentVersion)
                .spec("v2")
                .send()
                .await?;
            view!(out, environment)
        }
        ResourceKind::ServicePipeline => {
            let out = client
                .update_service_pipeline()
                .service_name("shop")
                .deployment_type(DeploymentUpdateType::CurrentVersion)
                .spec("v2")
                .send()
                .await?;
            view!(out, pipeline)
        }
        ResourceKind::Component => {
            let out = client
                .update_component()
                .name("cache")
                .deployment_type(ComponentDeploymentUpdateType::CurrentVersion)
                .service_spec("v2")
                .send()
                .await?;
            view!(out, component)
        }
        other => panic!("the test has no {other} resource"),
    })
}

/// Cancel<Kind>Deployment.
pub async fn cancel(client: &Client, kind: ResourceKind) -> Result<View, aws_sdk_proton::Error> {
    Ok(match kind {
        ResourceKind::ServiceInstance => {
            let out = client
                .cancel_service_instance_deployment()
                .service_name("shop")
                .service_instance_name("web")
                .send()
                .await?;
            view!(out, service_instance)
        }
        ResourceKind::Environment => {
            let out = client
                .cancel_environment_deployment()
                .environment_name("prod")
                .send()
                .await?;
            view!(out, environment)
        }
        ResourceKind::ServicePipeline => {
            let out = client
                .cancel_service_pipeline_deployment()
                .service_name("shop")
                .send()
                .await?;
            view!(out, pipeline)
        }
        ResourceKind::Component => {
            let out = client
                .cancel_component_deployment()
                .component_name("cache")
                .send()
                .await?;
            view!(out, component)
        }
        other => panic!("the test has no {other} resource"),
    })
}

/// Get<Kind> (GetService for a pipeline).
pub async fn get(client: &Client, kind: ResourceKind) -> View {
    match kind {
        ResourceKind::ServiceInstance => {
            let out = client
                .get_service_instance()
                .service_name("shop")
                .name("web")
                .send()
                .await
                .unwrap();
            view!(out, service_instance)
        }
        ResourceKind::Environment => {
            let out = client.get_environment().name("prod").send().await.unwrap();
            view!(out, environment)
        }
        ResourceKind::ServicePipeline => {
            let out = client.get_service().name("shop").send().await.unwrap();
            let service = out.service.as_ref().unwrap();
            assert_eq!(service.name, "shop");
            assert_eq!(service.template_name, "web-tmpl");
            let s = service.pipeline.as_ref().unwrap();
            View {
                status: s.deployment_status.clone(),
                message: s.deployment_status_message.clone(),
                last_attempted: s.last_attempted_deployment_id.clone(),
                request_id: out.request_id().map(str::to_owned),
            }
        }
        ResourceKind::Component => {
            let out = client.get_component().name("cache").send().await.unwrap();
            view!(out, component)
        }
        other => panic!("the test has no {other} resource"),
    }
}

/// The control API's name of `kind`'s resource in [`seed`].
pub fn key(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::ServiceInstance => "service-instance/shop/web",
        ResourceKind::Environment => "environment/prod",
        ResourceKind::ServicePipeline => "service-pipeline/shop",
        ResourceKind::Component => "component/cache",
        other => panic!("the test has no {other} resource"),
    }
}
