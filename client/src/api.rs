//! The calls the tool makes, through the unmodified AWS SDK: a cancel and a
//! read of any of the four kinds ([`call`]), each answered as a [`View`] or
//! an [`ApiFailure`].

use aws_sdk_proton::Client;
use aws_sdk_proton::error::ProvideErrorMetadata;
use aws_sdk_proton::operation::RequestId;
use aws_smithy_types::error::display::DisplayErrorContext;
use proton_cancel::{DeploymentStatus, ResourceId, StatusMessage};
use serde_json::{Value, json};

use crate::target::Verb;

/// What one answer shows of a resource's deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// `deploymentStatus` (a status the SDK does not know is kept).
    pub status: DeploymentStatus,
    /// `deploymentStatusMessage`.
    pub message: Option<StatusMessage>,
    /// `lastAttemptedDeploymentId`.
    pub last_attempted: Option<String>,
    /// The resource as the answer showed it, for `--output json`.
    pub json: Value,
}

/// Why a call failed, as the service (or the connection) said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// The error code (`ConflictException`, …), or `None` when no answer
    /// came (a connection or credential problem).
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// The request id of the answer, if one came.
    pub request_id: Option<String>,
}

impl ApiFailure {
    fn from_sdk<E>(
        e: aws_sdk_proton::error::SdkError<E, aws_sdk_proton::config::http::HttpResponse>,
    ) -> Self
    where
        E: std::error::Error + ProvideErrorMetadata + RequestId + Send + Sync + 'static,
    {
        match e {
            aws_sdk_proton::error::SdkError::ServiceError(service) => {
                let err = service.into_err();
                Self {
                    code: err.code().map(str::to_owned),
                    message: err.message().unwrap_or_default().to_owned(),
                    request_id: err.request_id().map(str::to_owned),
                }
            }
            other => Self {
                code: None,
                message: DisplayErrorContext(&other).to_string(),
                request_id: None,
            },
        }
    }
}

macro_rules! view {
    ($shape:expr, $($member:literal = $value:expr),* $(,)?) => {{
        let s = $shape;
        View {
            status: DeploymentStatus::from(s.deployment_status.as_str()),
            message: s.deployment_status_message.as_deref().map(StatusMessage::new),
            last_attempted: s.last_attempted_deployment_id.clone(),
            json: json!({
                "arn": s.arn,
                "deploymentStatus": s.deployment_status.as_str(),
                "deploymentStatusMessage": s.deployment_status_message,
                "lastAttemptedDeploymentId": s.last_attempted_deployment_id,
                "lastSucceededDeploymentId": s.last_succeeded_deployment_id,
                $($member: $value,)*
            }),
        }
    }};
}

fn missing(what: &str) -> ApiFailure {
    ApiFailure {
        code: None,
        message: format!("the answer has no {what}"),
        request_id: None,
    }
}

/// Sends an SDK request and takes the shape out of its answer's `$member`.
macro_rules! send {
    ($request:expr => $member:ident) => {
        $request
            .send()
            .await
            .map_err(ApiFailure::from_sdk)?
            .$member
            .ok_or_else(|| missing(stringify!($member)))?
    };
}

/// Calls `verb` on `resource` through the SDK: Cancel*Deployment, or
/// `Get<Kind>` (GetService for a pipeline: a service without one is
/// ResourceNotFoundException). Each kind is one arm: its calls, and what
/// its answer shows.
///
/// # Errors
/// The service's error, or why no answer came.
pub async fn call(client: &Client, verb: Verb, resource: &ResourceId) -> Result<View, ApiFailure> {
    match resource {
        ResourceId::ServiceInstance { service, name } => {
            let (service, name) = (service.as_str(), name.as_str());
            let s = match verb {
                Verb::Cancel => send!(client
                    .cancel_service_instance_deployment()
                    .service_name(service)
                    .service_instance_name(name) => service_instance),
                Verb::Get => send!(client
                    .get_service_instance()
                    .service_name(service)
                    .name(name) => service_instance),
            };
            Ok(view!(&s, "serviceName" = s.service_name, "name" = s.name))
        }
        ResourceId::Environment { name } => {
            let name = name.as_str();
            let s = match verb {
                Verb::Cancel => {
                    send!(client.cancel_environment_deployment().environment_name(name) => environment)
                }
                Verb::Get => send!(client.get_environment().name(name) => environment),
            };
            Ok(view!(&s, "name" = s.name))
        }
        ResourceId::ServicePipeline { service } => {
            let s = match verb {
                Verb::Cancel => send!(client
                    .cancel_service_pipeline_deployment()
                    .service_name(service.as_str()) => pipeline),
                Verb::Get => send!(client.get_service().name(service.as_str()) => service)
                    .pipeline
                    .ok_or_else(|| ApiFailure {
                        code: Some("ResourceNotFoundException".to_owned()),
                        message: format!("service '{service}' has no pipeline"),
                        request_id: None,
                    })?,
            };
            Ok(view!(&s, "serviceName" = service.as_str()))
        }
        ResourceId::Component { name } => {
            let s = match verb {
                Verb::Cancel => send!(client
                    .cancel_component_deployment()
                    .component_name(name.as_str()) => component),
                Verb::Get => send!(client.get_component().name(name.as_str()) => component),
            };
            Ok(view!(
                &s,
                "name" = s.name,
                "environmentName" = s.environment_name
            ))
        }
        other => Err(ApiFailure {
            code: None,
            message: format!("{other} is not a kind this tool knows"),
            request_id: None,
        }),
    }
}
