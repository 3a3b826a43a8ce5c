//! The control API: JSON calls under `/_proton-cancel/` that let a test
//! choose the engine's reports (manual mode, delivery, scripts), the
//! faults of AWS requests, and the time of a manual clock. Its state lives
//! in the store, so it works the same on every backend and across
//! replicas. docs/control.md lists every call.
//!
//! It changes state on a port any local program, and any web page the
//! user opens, can reach; so it sends no CORS headers, refuses a request
//! whose `Host` (or `Origin`) is not a loopback name or address (the
//! defence against DNS rebinding), and takes bodies only as
//! `application/json` (which a cross-site form cannot send without a
//! preflight that fails).

mod routes;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use proton_cancel::{ResourceId, ResourceName};
use proton_cancel_wire::ApiError;
use serde::Serialize;

use crate::store::StoreError;

pub(crate) use routes::routes;

/// The path every control call and the dashboard are under.
pub const CONTROL_PATH: &str = "/_proton-cancel";

/// What went wrong with a control call, as its JSON answer says it:
/// `{"code": …, "message": …}`, the message naming the member or the
/// resource at fault.
#[derive(Debug)]
pub(crate) struct ControlError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'static str,
    message: &'a str,
}

impl ControlError {
    /// The message.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// A body or a member that breaks a rule (400).
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "InvalidRequest",
            message: message.into(),
        }
    }

    /// A resource the store does not hold (404).
    pub(crate) fn not_found(resource: &ResourceId) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "ResourceNotFound",
            message: format!("{resource} does not exist"),
        }
    }

    /// A call the server's state cannot take now (409).
    pub(crate) fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            code,
            message: message.into(),
        }
    }

    /// A request from a place the control API does not answer (403).
    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "Forbidden",
            message: message.into(),
        }
    }

    /// The store failed (500); the cause is logged.
    pub(crate) fn store(e: StoreError) -> Self {
        Self::api(crate::write::store_failed(e))
    }

    /// An AWS-side error met while serving a control call: its status and
    /// message.
    pub(crate) fn api(e: ApiError) -> Self {
        Self {
            status: StatusCode::from_u16(e.code().http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: e.code().as_str(),
            message: e.message().to_owned(),
        }
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let span = tracing::Span::current();
        span.record("error", self.code);
        span.record("detail", tracing::field::debug(&self.message));
        let body = ErrorBody {
            code: self.code,
            message: &self.message,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// A resource as the control API names it: the key of its row,
/// `service-instance/<service>/<name>`, `environment/<name>`,
/// `service-pipeline/<service>` or `component/<name>`.
pub(crate) struct ResourceKey;

impl ResourceKey {
    /// Reads `text`, given as `member`; the error names the member and
    /// what is wrong.
    pub(crate) fn parse(member: &str, text: &str) -> Result<ResourceId, ControlError> {
        let parts: Vec<&str> = text.split('/').collect();
        let name = |s: &str| {
            ResourceName::new(s)
                .map_err(|e| ControlError::invalid(format!("{member}: {text:?}: {e}")))
        };
        Ok(match parts.as_slice() {
            ["service-instance", service, instance] => ResourceId::ServiceInstance {
                service: name(service)?,
                name: name(instance)?,
            },
            ["environment", env] => ResourceId::Environment { name: name(env)? },
            ["service-pipeline", service] => ResourceId::ServicePipeline {
                service: name(service)?,
            },
            ["component", component] => ResourceId::Component {
                name: name(component)?,
            },
            _ => {
                return Err(ControlError::invalid(format!(
                    "{member}: {text:?} names no resource: write service-instance/<service>/<name>, \
                     environment/<name>, service-pipeline/<service> or component/<name>"
                )));
            }
        })
    }

    /// The key of `id`.
    pub(crate) fn of(id: &ResourceId) -> String {
        crate::store::key(id)
    }
}

/// Reads a JSON body; the error names the member at fault.
pub(crate) fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ControlError> {
    let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { bytes };
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            ControlError::invalid(e.into_inner().to_string())
        } else {
            ControlError::invalid(format!("{path}: {}", e.into_inner()))
        }
    })
}
