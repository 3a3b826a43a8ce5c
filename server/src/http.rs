//! The HTTP face of the server: `POST /` with `X-Amz-Target`, AWS JSON 1.0
//! bodies and AWS error shapes.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use proton_cancel_wire::{ApiError, ErrorCode, Operation};

use crate::app::App;

/// The largest request body the server reads: 1 MiB. Larger bodies are
/// refused with HTTP 413 from their `Content-Length` (or as soon as the
/// stream passes the limit), without reading them whole.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

const JSON_1_0: &str = "application/x-amz-json-1.0";

/// The header AWS names every response's request id with.
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";

/// The routes: `POST /` for every operation. Every response, answer or
/// error, carries a fresh request id in `x-amzn-RequestId`, as AWS's do.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", post(dispatch))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(map_response(with_request_id))
        .with_state(app)
}

/// Adds a fresh request id (a random UUID) to a response.
async fn with_request_id(mut response: Response) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

async fn dispatch(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let operation = match Operation::from_target(target) {
        Ok(op) => op,
        Err(e) => return error_response(StatusCode::BAD_REQUEST, &e),
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            let e = ApiError::new(
                ErrorCode::SerializationException,
                format!(
                    "the request body could not be read ({}); the limit is {MAX_BODY_BYTES} bytes",
                    status.canonical_reason().unwrap_or("error")
                ),
            );
            return error_response(status, &e);
        }
    };
    match app.call(operation, &body) {
        Ok(json) => ([(header::CONTENT_TYPE, JSON_1_0)], json).into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.code().http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error_response(status, &e)
        }
    }
}

fn error_response(status: StatusCode, e: &ApiError) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, JSON_1_0)], e.to_json()).into_response();
    response.headers_mut().insert(
        "x-amzn-errortype",
        HeaderValue::from_static(e.error_type_header()),
    );
    response
}
