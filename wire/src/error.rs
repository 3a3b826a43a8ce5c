//! The errors of the AWS Proton API as they travel on the wire.

use std::fmt;

use serde::Serialize;

use proton_cancel::{Rejection, RejectionReason, ResourceId};

/// The error codes a Proton operation can answer with: the seven the service
/// model lists for the operations served, plus the two every AWS JSON 1.0 service has for requests it
/// cannot read at all.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, strum::Display, strum::IntoStaticStr, strum::EnumIter,
)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The input breaks a constraint of the service model (HTTP 400).
    ValidationException,
    /// The caller may not perform the action (HTTP 400).
    AccessDeniedException,
    /// The request was throttled (HTTP 400, retryable: throttling).
    ThrottlingException,
    /// The request conflicts with the resource's current state (HTTP 400).
    ConflictException,
    /// The resource does not exist (HTTP 400).
    ResourceNotFoundException,
    /// A quota was exceeded (HTTP 402); the model lists it for the
    /// operations of [`crate::Operation::may_exceed_a_quota`].
    ServiceQuotaExceededException,
    /// The service failed (HTTP 500, server fault, retryable).
    InternalServerException,
    /// The body is not JSON, is not an object, or has a member of the wrong
    /// type (HTTP 400).
    SerializationException,
    /// The `X-Amz-Target` header names no operation of the service (HTTP 400).
    UnknownOperationException,
}

impl ErrorCode {
    /// The code as the wire writes it in `__type` and `X-Amzn-ErrorType`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The HTTP status code, as the API reference lists it: 500 for
    /// InternalServerException, 402 for ServiceQuotaExceededException, 400
    /// for every other.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InternalServerException => 500,
            Self::ServiceQuotaExceededException => 402,
            _ => 400,
        }
    }

    /// `true` when the service model marks the error a server fault
    /// (`fault`); otherwise the caller's request is at fault.
    pub fn is_server_fault(self) -> bool {
        self == Self::InternalServerException
    }

    /// `true` when the service model marks the error `retryable`.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::ThrottlingException | Self::InternalServerException
        )
    }

    /// `true` when the service model marks the retry as a throttling one.
    pub fn is_throttling(self) -> bool {
        self == Self::ThrottlingException
    }
}

/// An error answer of the Proton API: a code and a message.
///
/// The message is `sensitive` in the service model, so `Debug` and
/// `Display` leave it out (as the AWS SDK does); [`ApiError::message`] and
/// [`ApiError::to_json`] give it to the wire.
///
/// ```
/// use proton_cancel_wire::{ApiError, ErrorCode};
///
/// let err = ApiError::new(ErrorCode::ConflictException, "it is busy");
/// assert_eq!(err.to_json(), r#"{"__type":"ConflictException","message":"it is busy"}"#);
/// assert_eq!(err.code().http_status(), 400);
/// assert_eq!(format!("{err:?}"), r#"ApiError { code: ConflictException, message: "*** Sensitive Data Redacted ***" }"#);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
}

const REDACTED: &str = "*** Sensitive Data Redacted ***";

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// ResourceNotFoundException for a resource the caller's store does not
    /// hold: `service instance 'web' of service 'shop' was not found`.
    pub fn resource_not_found(resource: &ResourceId) -> Self {
        Self::new(
            ErrorCode::ResourceNotFoundException,
            format!("{resource} was not found"),
        )
    }

    /// InternalServerException: the service itself is broken (its store,
    /// its own invariants); the message says how.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InternalServerException, message)
    }

    /// The error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message, for the wire.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The value of the `X-Amzn-ErrorType` header: the code.
    pub fn error_type_header(&self) -> &'static str {
        self.code.as_str()
    }

    /// The AWS JSON 1.0 error body: `{"__type":"<code>","message":"…"}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "__type")]
            code: &'a str,
            message: &'a str,
        }
        let body = Body {
            code: self.code.as_str(),
            message: &self.message,
        };
        // Serializing two strings into a String cannot fail.
        serde_json::to_string(&body).unwrap_or_default()
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("code", &self.code)
            .field("message", &REDACTED)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {REDACTED}", self.code)
    }
}

impl std::error::Error for ApiError {}

/// A machine rejection as the wire answers it, with the rejection's
/// message: a conflict is ConflictException, a deleted resource
/// ResourceNotFoundException. A target of the wrong form for the resource
/// is the embedding's own mistake (no request can cause it):
/// InternalServerException.
impl From<Rejection> for ApiError {
    fn from(rejection: Rejection) -> Self {
        let code = match rejection.reason() {
            RejectionReason::Conflict(_) => ErrorCode::ConflictException,
            RejectionReason::NotFound => ErrorCode::ResourceNotFoundException,
            _ => ErrorCode::InternalServerException,
        };
        Self::new(code, rejection.to_string())
    }
}
