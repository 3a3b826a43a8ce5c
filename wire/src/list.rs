//! The list operations (ListServiceInstances, ListDeployments), their
//! pagination, and GetDeployment's input.

use std::borrow::Cow;

use proton_cancel::{DeploymentId, DeploymentStatus, ResourceName, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::operation::Operation;
use crate::record::DeploymentRecord;
use crate::request::{Request, parse_body, validated};
use crate::validation::{MemberConstraint, Validator};

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
        if digits.len() % 2 != 0 {
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

fn next_token(value: &str) -> Vec<MemberConstraint> {
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

/// The `key` of a ListServiceInstances filter.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "camelCase")]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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

impl ServiceInstanceFilterKey {
    /// The wire values, in the service model's order.
    pub const WIRE_VALUES: &'static [&'static str] = &[
        "name",
        "deploymentStatus",
        "templateName",
        "serviceName",
        "deployedTemplateVersionStatus",
        "environmentName",
        "lastDeploymentAttemptedAtBefore",
        "lastDeploymentAttemptedAtAfter",
        "createdAtBefore",
        "createdAtAfter",
    ];
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

/// The `sortBy` of ListServiceInstances.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "camelCase")]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
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

impl ServiceInstanceSortBy {
    /// The wire values, in the service model's order.
    pub const WIRE_VALUES: &'static [&'static str] = &[
        "name",
        "deploymentStatus",
        "templateName",
        "serviceName",
        "environmentName",
        "lastDeploymentAttemptedAt",
        "createdAt",
    ];
}

/// The `sortOrder` of a list.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SortOrder {
    /// Smallest first (the default).
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

impl SortOrder {
    /// The wire values, in the service model's order.
    pub const WIRE_VALUES: &'static [&'static str] = &["ASCENDING", "DESCENDING"];
}

/// Reads an RFC 3339 time in UTC (`1985-04-12T23:20:50.52Z`), as the
/// date/time filter keys take it; `None` for anything else.
// Every field is at most four decimal digits, so no sum or product below
// can overflow an i64.
#[allow(clippy::arithmetic_side_effects)]
pub fn parse_rfc3339_utc(value: &str) -> Option<Timestamp> {
    let b = value.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = value.get(range)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if b.len() < 20 || !sep(4, b"-") || !sep(7, b"-") || !sep(10, b"Tt") || !sep(13, b":") {
        return None;
    }
    if !sep(16, b":") || !matches!(b.last(), Some(b'Z' | b'z')) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let end = b.len().checked_sub(1)?;
    let millis = if end == 19 {
        0
    } else {
        let fraction = value.get(20..end)?;
        if !sep(19, b".") || fraction.is_empty() || !fraction.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let padded: String = fraction.chars().chain("000".chars()).take(3).collect();
        padded.parse::<i64>().ok()?
    };
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(Timestamp::from_millis(secs * 1_000 + millis))
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
                v.optional_enum(member, ServiceInstanceFilterKey::WIRE_VALUES, f.key.clone());
            keys.push(key);
        }
        let max_results = v.optional_int("maxResults", raw.max_results, 1, 100);
        let next_token = v.optional_str("nextToken", false, raw.next_token, next_token);
        let service_name = v.optional("serviceName", false, raw.service_name, ResourceName::new);
        let sort_by = v.optional_enum("sortBy", ServiceInstanceSortBy::WIRE_VALUES, raw.sort_by);
        let sort_order = v.optional_enum("sortOrder", SortOrder::WIRE_VALUES, raw.sort_order);
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
            next_token: next_token.map(NextToken),
            service_name,
            sort_by: sort_by.unwrap_or_default(),
            sort_order: sort_order.unwrap_or_default(),
        })
    }
}

/// The names ListDeployments and GetDeployment select deployments by:
/// every name given must match the deployment's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DeploymentFilter {
    /// `componentName`.
    pub component_name: Option<ResourceName>,
    /// `environmentName`.
    pub environment_name: Option<ResourceName>,
    /// `serviceInstanceName`.
    pub service_instance_name: Option<ResourceName>,
    /// `serviceName`: the service's instances and its pipeline.
    pub service_name: Option<ResourceName>,
}

impl DeploymentFilter {
    /// Whether `record` matches every name given.
    pub fn matches(&self, record: &DeploymentRecord) -> bool {
        let is = |want: &Option<ResourceName>, have: Option<&ResourceName>| {
            want.as_ref().is_none_or(|w| have == Some(w))
        };
        is(&self.component_name, record.component_name.as_ref())
            && is(&self.environment_name, Some(&record.environment_name))
            && is(
                &self.service_instance_name,
                record.service_instance_name.as_ref(),
            )
            && is(&self.service_name, record.service_name.as_ref())
    }

    /// Validates the four optional name members, in member order around
    /// `between` (the members that sort between `environmentName` and
    /// `serviceInstanceName`).
    fn decode<T>(
        v: &mut Validator,
        names: [Option<Cow<'_, str>>; 4],
        between: impl FnOnce(&mut Validator) -> T,
    ) -> (Self, T) {
        let [component, environment, service_instance, service] = names;
        let component_name = v.optional("componentName", false, component, ResourceName::new);
        let environment_name = v.optional("environmentName", false, environment, ResourceName::new);
        let middle = between(v);
        let service_instance_name = v.optional(
            "serviceInstanceName",
            false,
            service_instance,
            ResourceName::new,
        );
        let service_name = v.optional("serviceName", false, service, ResourceName::new);
        let filter = Self {
            component_name,
            environment_name,
            service_instance_name,
            service_name,
        };
        (filter, middle)
    }
}

/// ListDeployments's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ListDeploymentsInput {
    /// The names the deployments must match.
    pub filter: DeploymentFilter,
    /// `maxResults`, 1 to 100.
    pub max_results: Option<usize>,
    /// `nextToken`.
    pub next_token: Option<NextToken>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawListDeployments<'a> {
    #[serde(borrow)]
    component_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    environment_name: Option<Cow<'a, str>>,
    max_results: Option<i64>,
    #[serde(borrow)]
    next_token: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_instance_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
}

impl Request for ListDeploymentsInput {
    const OPERATION: Operation = Operation::ListDeployments;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawListDeployments = parse_body(body)?;
        let mut v = Validator::default();
        let names = [
            raw.component_name,
            raw.environment_name,
            raw.service_instance_name,
            raw.service_name,
        ];
        let (filter, (max_results, next_token)) = DeploymentFilter::decode(&mut v, names, |v| {
            (
                v.optional_int("maxResults", raw.max_results, 1, 100),
                v.optional_str("nextToken", false, raw.next_token, next_token),
            )
        });
        v.finish()?;
        Ok(Self {
            filter,
            max_results: max_results.and_then(|m| usize::try_from(m).ok()),
            next_token: next_token.map(NextToken),
        })
    }
}

/// GetDeployment's input: the id, and names that, when given, must match
/// the deployment's (`serviceInstanceName` needs `serviceName`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct GetDeploymentInput {
    /// `id`.
    pub id: DeploymentId,
    /// The names the deployment must match.
    pub filter: DeploymentFilter,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawGetDeployment<'a> {
    #[serde(borrow)]
    component_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    environment_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_instance_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
}

fn deployment_id(value: String) -> Result<DeploymentId, proton_cancel::InvalidValue> {
    DeploymentId::new(&value)
}

impl Request for GetDeploymentInput {
    const OPERATION: Operation = Operation::GetDeployment;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawGetDeployment = parse_body(body)?;
        let mut v = Validator::default();
        let names = [
            raw.component_name,
            raw.environment_name,
            raw.service_instance_name,
            raw.service_name,
        ];
        let (filter, id) = DeploymentFilter::decode(&mut v, names, |v| {
            v.required("id", false, raw.id, deployment_id)
        });
        v.finish()?;
        if filter.service_instance_name.is_some() && filter.service_name.is_none() {
            return Err(ApiError::new(
                ErrorCode::ValidationException,
                "serviceName must be specified to identify the service instance",
            ));
        }
        Ok(Self {
            id: validated(id)?,
            filter,
        })
    }
}
