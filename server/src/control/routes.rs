//! The control API's routes, and the guard every one of them passes: a
//! loopback `Host` (and `Origin`, when sent), and JSON bodies.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::{ControlError, ResourceKey, body};
use crate::app::App;
use crate::engine::{EngineOverrides, GivenResult, Mode, ReportKind};
use crate::faults::FaultRule;
use crate::state::Document;

/// The control API's and the dashboard's routes, under
/// [`super::CONTROL_PATH`] (the dashboard at `/_proton-cancel` and
/// `/_proton-cancel/`).
pub(crate) fn routes() -> Router<App> {
    let under = Router::new()
        .route("/", get(crate::dashboard::page))
        .route("/events", get(crate::dashboard::events))
        .route("/timeline", get(crate::dashboard::timeline_svg))
        .route("/engine", get(engine))
        .route("/engine/mode", post(mode))
        .route("/engine/deliver", post(deliver))
        .route("/engine/script", post(script))
        .route("/faults", get(faults).post(add_fault).delete(clear_faults))
        .route("/state", get(export).post(import))
        .route("/reset", post(reset))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance))
        .layer(from_fn(guard));
    let slash = get(crate::dashboard::page).layer(from_fn(guard));
    Router::new()
        .nest(super::CONTROL_PATH, under)
        .route(&format!("{}/", super::CONTROL_PATH), slash)
}

/// Whether `host` (a `Host` header's value, or an origin's host and port)
/// names this machine: `localhost` or a name under it, or a loopback
/// address, with any port.
pub(crate) fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [::1]:7070
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host, |(name, _)| name)
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    name.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Refuses what the control API must not answer: a `Host` that is not a
/// loopback name (a page whose name was rebound to 127.0.0.1 sends its own
/// name), an `Origin` of another host, and a body sent as anything but
/// JSON (which a cross-site form cannot send without a preflight, and no
/// preflight succeeds: the control API sends no CORS headers).
pub(crate) async fn guard(request: Request, next: Next) -> Response {
    if let Err(e) = allowed(request.method(), request.headers()) {
        return e.into_response();
    }
    next.run(request).await
}

fn allowed(method: &Method, headers: &HeaderMap) -> Result<(), ControlError> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match host {
        Some(host) if is_loopback(host) => {}
        Some(host) => {
            return Err(ControlError::forbidden(format!(
                "Host: {host:?} is not a loopback name or address; the control API answers \
                 only requests sent to localhost, 127.0.0.1 or [::1]"
            )));
        }
        None => {
            return Err(ControlError::forbidden(
                "Host: the header is missing; the control API answers only requests sent to \
                 localhost, 127.0.0.1 or [::1]",
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let text = origin.to_str().unwrap_or_default();
        let host = text
            .split_once("://")
            .map_or("", |(_, rest)| rest.split('/').next().unwrap_or_default());
        if !is_loopback(host) {
            return Err(ControlError::forbidden(format!(
                "Origin: {text:?} is not a page of this machine; the control API answers no \
                 other site's pages"
            )));
        }
    }
    let sends_body = *method == Method::POST;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if sends_body && !json {
        return Err(ControlError::invalid(
            "Content-Type: a control call's body is sent as application/json",
        ));
    }
    Ok(())
}

type Answer = Result<axum::Json<serde_json::Value>, ControlError>;

fn answer(value: impl serde::Serialize) -> Answer {
    serde_json::to_value(value)
        .map(axum::Json)
        .map_err(|e| ControlError::invalid(e.to_string()))
}

async fn engine(State(app): State<App>) -> Answer {
    answer(app.engine_view().await?)
}

/// `{"mode": "auto" | "manual" | "default", "resource"?: key}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeBody {
    mode: ModeWord,
    #[serde(default)]
    resource: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum ModeWord {
    Auto,
    Manual,
    /// A resource follows the mode of every resource again.
    Default,
}

async fn mode(State(app): State<App>, bytes: Bytes) -> Answer {
    let b: ModeBody = body(&bytes)?;
    let resource = b
        .resource
        .as_deref()
        .map(|r| ResourceKey::parse("resource", r))
        .transpose()?;
    let mode = match b.mode {
        ModeWord::Auto => Some(Mode::Auto),
        ModeWord::Manual => Some(Mode::Manual),
        ModeWord::Default if resource.is_some() => None,
        ModeWord::Default => {
            return Err(ControlError::invalid(
                "mode: \"default\" is a resource's mode only: give a resource, or auto or manual",
            ));
        }
    };
    app.set_mode(resource.as_ref(), mode).await?;
    answer(app.engine_view().await?)
}

/// `{"resource": key, "report"?: kind, "result"?: "SUCCEEDED" | "FAILED",
/// "message"?: text}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliverBody {
    resource: String,
    #[serde(default)]
    report: Option<ReportKind>,
    #[serde(default)]
    result: Option<GivenResult>,
    #[serde(default)]
    message: Option<String>,
}

async fn deliver(State(app): State<App>, bytes: Bytes) -> Answer {
    let b: DeliverBody = body(&bytes)?;
    let id = ResourceKey::parse("resource", &b.resource)?;
    answer(
        app.deliver_next(&id, b.report, (b.result, b.message))
            .await?,
    )
}

/// `{"resource": key, "script": {engine settings}}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptBody {
    resource: String,
    script: EngineOverrides,
}

async fn script(State(app): State<App>, bytes: Bytes) -> Answer {
    let b: ScriptBody = body(&bytes)?;
    let id = ResourceKey::parse("resource", &b.resource)?;
    let script = app.set_script(&id, &b.script).await?;
    answer(json!({ "resource": b.resource, "script": script }))
}

async fn faults(State(app): State<App>) -> Answer {
    answer(json!({ "faults": app.list_faults().await? }))
}

async fn add_fault(State(app): State<App>, bytes: Bytes) -> Answer {
    let rule: FaultRule = body(&bytes)?;
    answer(app.add_fault(rule).await?)
}

async fn clear_faults(State(app): State<App>) -> Answer {
    app.clear_faults().await?;
    answer(json!({ "faults": [] }))
}

async fn export(State(app): State<App>) -> Answer {
    answer(app.export_state().await?)
}

async fn import(State(app): State<App>, bytes: Bytes) -> Answer {
    let document: Document = body(&bytes)?;
    app.import_state(document).await?;
    answer(app.export_state().await?)
}

async fn reset(State(app): State<App>) -> Answer {
    app.reset_state().await?;
    answer(app.export_state().await?)
}

async fn clock(State(app): State<App>) -> Answer {
    answer(json!({ "nowMs": app.now().as_millis(), "manual": app.has_manual_clock() }))
}

/// `{"ms": milliseconds}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    ms: u64,
}

async fn advance(State(app): State<App>, bytes: Bytes) -> Answer {
    let b: AdvanceBody = body(&bytes)?;
    if !app.has_manual_clock() {
        return Err(ControlError::conflict(
            "SystemClock",
            "the server runs on the system clock: start it with --manual-clock to move time by hand",
        ));
    }
    app.advance(std::time::Duration::from_millis(b.ms)).await;
    answer(json!({ "nowMs": app.now().as_millis(), "manual": true }))
}
