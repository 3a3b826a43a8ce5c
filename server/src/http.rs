//! The HTTP face of the server: `POST /` with `X-Amz-Target`, AWS JSON 1.0
//! bodies, and an AWS-shaped JSON answer with a request id for every
//! request, whatever was wrong with it.

use std::borrow::Cow;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest as _, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use proton_cancel_wire::{ApiError, ErrorCode, Operation, TARGET_PREFIX};
use tracing::Instrument as _;
use tracing::field::{Empty, debug};

use crate::app::App;

/// The largest request body the server reads: 1 MiB. A larger
/// `Content-Length` is refused with HTTP 413 before anything else about the
/// request is looked at; a body streamed without one is refused as soon as
/// it passes the limit.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The media type of every request and answer body.
pub const JSON_1_0: &str = "application/x-amz-json-1.0";

/// The header AWS names every response's request id with.
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";

/// The routes: `POST /` for every operation; every other method or path is
/// answered in the AWS JSON shape too. Every response, answer or error,
/// carries a fresh request id in `x-amzn-RequestId`, and is logged in one
/// line with it.
pub fn router(app: App) -> Router {
    let aws = Router::new().route("/", post(dispatch));
    let served = if app.serves_control() {
        aws.merge(crate::control::routes())
    } else {
        aws
    };
    served
        .method_not_allowed_fallback(wrong_method)
        .fallback(wrong_path)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn(limit_first))
        .layer(from_fn_with_state(app.clone(), observe))
        .with_state(app)
}

/// Gives the request its id and a span that the operation fills in (its
/// resource, its error), then logs the answer in one line: operation,
/// resource, status, error code and message, request id, latency. While
/// the control API is served, the answer also goes into the dashboard's
/// request log, with the fault rule that fired on it.
async fn observe(State(app): State<App>, request: Request, next: Next) -> Response {
    let uuid = uuid::Uuid::new_v4();
    let mut id = uuid::Uuid::encode_buffer();
    let id: &str = uuid.hyphenated().encode_lower(&mut id);
    // A known operation by its name; anything else escaped, so a forged
    // header cannot break the line.
    let target = request.headers().get("x-amz-target");
    let operation: Cow<'static, str> =
        match target.map(|v| (v, v.to_str().map(Operation::from_target))) {
            Some((_, Ok(Ok(op)))) => Cow::Borrowed(op.into()),
            Some((v, _)) => Cow::Owned(format!("{:?}", String::from_utf8_lossy(v.as_bytes()))),
            None => Cow::Borrowed("-"),
        };
    let aws = target.is_some();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        operation = %operation,
        method = %request.method(),
        path = ?request.uri().path(),
        resource = Empty,
        fault = Empty,
        error = Empty,
        detail = Empty,
    );
    let started = tokio::time::Instant::now();
    // The request log keeps the AWS API's requests and the control calls,
    // not the dashboard's own page and stream (or a browser's favicon).
    let path = request.uri().path();
    let journal = app.journaling().filter(|_| {
        aws || path == "/"
            || (path.starts_with("/_proton-cancel/")
                && path != "/_proton-cancel/"
                && path != "/_proton-cancel/events")
    });
    let control_path = (journal.is_some() && !aws && path != "/").then(|| path.to_owned());
    // Which fault rule fires is asked only while there are rules.
    let fired = journal
        .filter(|_| !app.faults().is_empty())
        .map(|_| std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0)));
    let run = next.run(request).instrument(span.clone());
    let mut response = match &fired {
        Some(fired) => crate::faults::FIRED.scope(fired.clone(), run).await,
        None => run.await,
    };
    if let Ok(value) = HeaderValue::from_str(id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    if let Some(journal) = journal {
        let fault = fired.map_or(0, |f| f.load(std::sync::atomic::Ordering::Relaxed));
        journal.request(crate::journal::Request {
            id: uuid,
            what: control_path.map_or_else(|| operation.clone(), Cow::Owned),
            status,
            error: (status >= 400)
                .then(|| response.headers().get("x-amzn-errortype"))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            fault: (fault != 0).then_some(fault),
            latency_us,
        });
    }
    span.in_scope(|| {
        if response.status().is_server_error() {
            tracing::error!(status, latency_us, "answered");
        } else {
            tracing::info!(status, latency_us, "answered");
        }
    });
    response
}

/// Refuses a declared body over [`MAX_BODY_BYTES`] before the method, the
/// path, the media type or the operation are looked at.
async fn limit_first(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > MAX_BODY_BYTES as u64 => too_large(),
        _ => next.run(request).await,
    }
}

fn too_large() -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        &ApiError::new(
            ErrorCode::SerializationException,
            format!("the request body is larger than the limit of {MAX_BODY_BYTES} bytes"),
        ),
    )
}

/// Any method but POST on `/`: 405, with the one method allowed.
async fn wrong_method(method: Method) -> Response {
    let e = ApiError::new(
        ErrorCode::UnknownOperationException,
        format!(
            "the service answers POST / with X-Amz-Target: {TARGET_PREFIX}.<Operation>; \
             {method} is not allowed"
        ),
    );
    let mut response = error_response(StatusCode::METHOD_NOT_ALLOWED, &e);
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// Any path but `/`: 404.
async fn wrong_path(uri: Uri) -> Response {
    let e = ApiError::new(
        ErrorCode::UnknownOperationException,
        format!(
            "no operation is served at {:?}: the service answers POST / with X-Amz-Target: \
             {TARGET_PREFIX}.<Operation>",
            uri.path()
        ),
    );
    error_response(StatusCode::NOT_FOUND, &e)
}

/// Whether the request declares the AWS JSON 1.0 media type (parameters
/// such as `charset` are allowed after it).
fn is_json_1_0(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(JSON_1_0))
}

async fn dispatch(State(app): State<App>, request: Request) -> Response {
    // Read by reference: a HeaderMap extractor would copy every header.
    let headers = request.headers();
    let json_1_0 = is_json_1_0(headers);
    let given = (!json_1_0).then(|| {
        headers
            .get(header::CONTENT_TYPE)
            .map_or_else(|| "none".to_owned(), |v| format!("{v:?}"))
    });
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(Operation::from_target);
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return too_large();
        }
        Err(rejection) => {
            let e = ApiError::new(
                ErrorCode::SerializationException,
                format!("the request body could not be read: {rejection}"),
            );
            return error_response(rejection.status(), &e);
        }
    };
    if let Some(given) = given {
        let e = ApiError::new(
            ErrorCode::SerializationException,
            format!("the request body must be sent as Content-Type: {JSON_1_0}; got {given}"),
        );
        return error_response(StatusCode::UNSUPPORTED_MEDIA_TYPE, &e);
    }
    let operation = match target.unwrap_or_else(|| Operation::from_target("")) {
        Ok(op) => op,
        Err(e) => return error_response(StatusCode::BAD_REQUEST, &e),
    };
    match app.call(operation, &body).await {
        Ok(json) => ([(header::CONTENT_TYPE, JSON_1_0)], json).into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.code().http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error_response(status, &e)
        }
    }
}

/// The AWS JSON error answer; the error's code and message also go on the
/// request's log line (the message through `Debug`, so control characters
/// an echoed value holds are escaped there).
fn error_response(status: StatusCode, e: &ApiError) -> Response {
    let span = tracing::Span::current();
    span.record("error", e.code().as_str());
    span.record("detail", debug(e.message()));
    let mut response = (status, [(header::CONTENT_TYPE, JSON_1_0)], e.to_json()).into_response();
    response.headers_mut().insert(
        "x-amzn-errortype",
        HeaderValue::from_static(e.error_type_header()),
    );
    response
}
