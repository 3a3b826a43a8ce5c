//! Pagination (`nextToken`, pages), and ListServiceInstances with its
//! filters and sort order.

use std::borrow::Cow;

use proton_cancel::{DeploymentStatus, ResourceName, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::operation::Operation;
use crate::request::{Request, parse_body};
use crate::time::parse_rfc3339_utc;
use crate::validation::{Member, MemberConstraint, Validator};

/// The `NextToken` pattern.
const NEXT_TOKEN_PATTERN: &str = "^[A-Za-z0-9+=/]+$";

/// The page size when a request gives no `maxResults`: the model's
/// largest.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// A `nextToken`: where the next page of a list starts. Opaque to clients;
/// it holds a position key written in hexadecimal digits, so it always
/// matches the model's pattern `^[A-Za-z0-9+=/]+$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NextToken(String);

impl NextToken {
    /// A token as a request gave it (validated against the pattern).
    pub(crate) fn given(token: String) -> Self {
        Self(token)
    }

    /// The token of the page that starts at `key`.
    pub fn at(key: &str) -> Self {
        use std::fmt::Write as _;
        let mut hex = String::with_capacity(key.len().saturating_mul(2));
        for b in key.bytes() {
            let _ = write!(hex, "{b:02x}");
        }
        Self(hex)
    }

    /// The key this token was made from, or ValidationException for a token
    /// this crate did not make.
    pub fn key(&self) -> Result<String, ApiError> {
        let invalid = || {
            ApiError::new(
                ErrorCode::ValidationException,
                "The nextToken is not valid: pass the nextToken of the previous page unchanged",
            )
        };
        let digits = self.0.as_bytes();
        if !digits.len().is_multiple_of(2) {
            return Err(invalid());
        }
        let bytes = digits
            .chunks(2)
            .map(|pair| {
                std::str::from_utf8(pair)
                    .ok()
                    .and_then(|p| u8::from_str_radix(p, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(invalid)?;
        String::from_utf8(bytes).map_err(|_| invalid())
    }

    /// The token as the wire writes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub(crate) fn next_token(value: &str) -> Vec<MemberConstraint> {
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'=' | b'/'));
    if ok {
        Vec::new()
    } else {
        vec![MemberConstraint::Pattern(NEXT_TOKEN_PATTERN)]
    }
}

/// One page of `items` (already in list order): the page starting at the
/// item whose key is `start` (or the first), at most `max` long, and the
/// token of the next page if there is one.
///
/// # Errors
/// ValidationException for a token this crate did not make.
pub fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    start: Option<&NextToken>,
    max: usize,
) -> Result<(Vec<T>, Option<NextToken>), ApiError> {
    let skip = match start {
        None => 0,
        Some(token) => {
            let start = token.key()?;
            items.iter().position(|i| key(i) == start).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::ValidationException,
                    "The nextToken is not valid: the item it points to is no longer listed",
                )
            })?
        }
    };
    let mut rest = items.into_iter().skip(skip);
    let page: Vec<T> = rest.by_ref().take(max.max(1)).collect();
    let next = rest.next().map(|i| NextToken::at(&key(&i)));
    Ok((page, next))
}

wire_enum! {
    "camelCase";
    /// The `key` of a ListServiceInstances filter.
    #[allow(missing_docs)] // the variants are the wire's filter keys
    pub enum ServiceInstanceFilterKey {
        Name,
        DeploymentStatus,
        TemplateName,
        ServiceName,
        DeployedTemplateVersionStatus,
        EnvironmentName,
        LastDeploymentAttemptedAtBefore,
        LastDeploymentAttemptedAtAfter,
        CreatedAtBefore,
        CreatedAtAfter,
    }
}

/// One criterion of ListServiceInstances.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceInstanceFilter {
    /// A string member equals the value.
    Equals(ServiceInstanceFilterKey, String),
    /// `deploymentStatus` equals the value.
    Status(DeploymentStatus),
    /// A time member (`createdAt` or `lastDeploymentAttemptedAt`) is
    /// before (`true`) or after (`false`) the time.
    Time {
        /// Which time.
        key: ServiceInstanceFilterKey,
        /// The time from the filter's RFC 3339 value.
        at: Timestamp,
    },
}

wire_enum! {
    "camelCase";
    /// The `sortBy` of ListServiceInstances.
    #[derive(Default)]
    #[allow(missing_docs)] // the variants are the wire's sort keys
    pub enum ServiceInstanceSortBy {
        Name,
        DeploymentStatus,
        TemplateName,
        /// The default: by service, then by instance name within a service.
        #[default]
        ServiceName,
        EnvironmentName,
        LastDeploymentAttemptedAt,
        CreatedAt,
    }
}

wire_enum! {
    "SCREAMING_SNAKE_CASE";
    /// The `sortOrder` of a list.
    #[derive(Default)]
    pub enum SortOrder {
        /// Smallest first (the default).
        #[default]
        Ascending,
        /// Largest first.
        Descending,
    }
}

/// ListServiceInstances's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ListServiceInstancesInput {
    /// `filters`: every criterion must hold.
    pub filters: Vec<ServiceInstanceFilter>,
    /// `maxResults`, 1 to 100.
    pub max_results: Option<usize>,
    /// `nextToken`.
    pub next_token: Option<NextToken>,
    /// `serviceName`: only this service's instances.
    pub service_name: Option<ResourceName>,
    /// `sortBy`.
    pub sort_by: ServiceInstanceSortBy,
    /// `sortOrder`.
    pub sort_order: SortOrder,
}

#[derive(Deserialize)]
struct RawFilter<'a> {
    #[serde(borrow)]
    key: Option<Cow<'a, str>>,
    #[serde(borrow)]
    value: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawListServiceInstances<'a> {
    #[serde(borrow)]
    filters: Option<Vec<RawFilter<'a>>>,
    max_results: Option<i64>,
    #[serde(borrow)]
    next_token: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    sort_by: Option<Cow<'a, str>>,
    #[serde(borrow)]
    sort_order: Option<Cow<'a, str>>,
}

fn filter(key: ServiceInstanceFilterKey, value: &str) -> Result<ServiceInstanceFilter, ApiError> {
    use ServiceInstanceFilterKey as K;
    match key {
        K::LastDeploymentAttemptedAtBefore
        | K::LastDeploymentAttemptedAtAfter
        | K::CreatedAtBefore
        | K::CreatedAtAfter => parse_rfc3339_utc(value)
            .map(|at| ServiceInstanceFilter::Time { key, at })
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::ValidationException,
                    format!(
                        "The value of filter {key} must be an RFC 3339 time in UTC, such as \
                         1985-04-12T23:20:50.52Z; got {}",
                        crate::echo::Echo::single(value)
                    ),
                )
            }),
        K::DeploymentStatus => Ok(ServiceInstanceFilter::Status(DeploymentStatus::from(value))),
        _ => Ok(ServiceInstanceFilter::Equals(key, value.to_owned())),
    }
}

impl Request for ListServiceInstancesInput {
    const OPERATION: Operation = Operation::ListServiceInstances;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawListServiceInstances = parse_body(body)?;
        let mut v = Validator::default();
        let mut keys = Vec::new();
        for (i, f) in raw.filters.iter().flatten().enumerate() {
            let member = format!("filters.{}.member.key", i.saturating_add(1));
            let key: Option<ServiceInstanceFilterKey> =
                v.optional_enum::<ServiceInstanceFilterKey>(member, f.key.clone());
            keys.push(key);
        }
        let max_results = v.optional_int("maxResults", raw.max_results, 1, 100);
        let next_token = v.optional_str("nextToken", false, raw.next_token, next_token);
        let service_name = v.optional(
            Member::shown("serviceName"),
            raw.service_name,
            ResourceName::new,
        );
        let sort_by = v.optional_enum("sortBy", raw.sort_by);
        let sort_order = v.optional_enum("sortOrder", raw.sort_order);
        v.finish()?;
        // A criterion without a key or a value scopes nothing down.
        let mut filters = Vec::new();
        for (f, key) in raw.filters.iter().flatten().zip(keys) {
            if let (Some(key), Some(value)) = (key, f.value.as_deref()) {
                filters.push(filter(key, value)?);
            }
        }
        Ok(Self {
            filters,
            max_results: max_results.and_then(|m| usize::try_from(m).ok()),
            next_token: next_token.map(NextToken::given),
            service_name,
            sort_by: sort_by.unwrap_or_default(),
            sort_order: sort_order.unwrap_or_default(),
        })
    }
}
