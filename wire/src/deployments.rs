//! The deployment-record operations' inputs: GetDeployment and
//! ListDeployments, and the names they select records by.

use std::borrow::Cow;

use proton_cancel::{DeploymentId, ResourceName};
use serde::Deserialize;

use crate::error::{ApiError, ErrorCode};
use crate::list::{NextToken, next_token};
use crate::operation::Operation;
use crate::record::DeploymentSummary;
use crate::request::{Request, parse_body, validated};
use crate::validation::{Member, Validator};
use serde::Serialize;

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
    /// Whether no name is given, and so every deployment matches.
    pub fn selects_all(&self) -> bool {
        self.component_name.is_none()
            && self.environment_name.is_none()
            && self.service_instance_name.is_none()
            && self.service_name.is_none()
    }

    /// Whether the deployment `record` summarises matches every name given.
    pub fn matches(&self, record: &DeploymentSummary) -> bool {
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
        names: RawNames<'_>,
        between: impl FnOnce(&mut Validator) -> T,
    ) -> (Self, T) {
        let name = |v: &mut Validator, member, value| {
            v.optional(Member::shown(member), value, ResourceName::new)
        };
        let component_name = name(v, "componentName", names.component_name);
        let environment_name = name(v, "environmentName", names.environment_name);
        let middle = between(v);
        let service_instance_name = name(v, "serviceInstanceName", names.service_instance_name);
        let service_name = name(v, "serviceName", names.service_name);
        let filter = Self {
            component_name,
            environment_name,
            service_instance_name,
            service_name,
        };
        (filter, middle)
    }
}

/// The four names of a deployment filter, as a body gives them.
struct RawNames<'a> {
    component_name: Option<Cow<'a, str>>,
    environment_name: Option<Cow<'a, str>>,
    service_instance_name: Option<Cow<'a, str>>,
    service_name: Option<Cow<'a, str>>,
}

/// Declares the raw struct of a deployment operation's body: its own
/// members and the four names, read as plain members (a flattened struct
/// would move the position serde_json reports for a bad one), and the
/// names taken out as [`RawNames`].
macro_rules! with_names {
    ($raw:ident { $($(#[$meta:meta])* $field:ident: $ty:ty),+ $(,)? }) => {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct $raw<'a> {
            #[serde(borrow)]
            component_name: Option<Cow<'a, str>>,
            #[serde(borrow)]
            environment_name: Option<Cow<'a, str>>,
            #[serde(borrow)]
            service_instance_name: Option<Cow<'a, str>>,
            #[serde(borrow)]
            service_name: Option<Cow<'a, str>>,
            $(
                $(#[$meta])*
                $field: $ty,
            )+
        }

        impl<'a> $raw<'a> {
            fn names(&mut self) -> RawNames<'a> {
                RawNames {
                    component_name: self.component_name.take(),
                    environment_name: self.environment_name.take(),
                    service_instance_name: self.service_instance_name.take(),
                    service_name: self.service_name.take(),
                }
            }
        }
    };
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

with_names!(RawListDeployments {
    max_results: Option<i64>,
    #[serde(borrow)]
    next_token: Option<Cow<'a, str>>,
});

impl Request for ListDeploymentsInput {
    const OPERATION: Operation = Operation::ListDeployments;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let mut raw: RawListDeployments = parse_body(body)?;
        let mut v = Validator::default();
        let (filter, (max_results, next_token)) =
            DeploymentFilter::decode(&mut v, raw.names(), |v| {
                (
                    v.optional_int("maxResults", raw.max_results, 1, 100),
                    v.optional_str("nextToken", false, raw.next_token, next_token),
                )
            });
        v.finish()?;
        Ok(Self {
            filter,
            max_results: max_results.and_then(|m| usize::try_from(m).ok()),
            next_token: next_token.map(NextToken::given),
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

with_names!(RawGetDeployment {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
});

fn deployment_id(value: String) -> Result<DeploymentId, proton_cancel::InvalidValue> {
    DeploymentId::new(&value)
}

impl Request for GetDeploymentInput {
    const OPERATION: Operation = Operation::GetDeployment;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let mut raw: RawGetDeployment = parse_body(body)?;
        let mut v = Validator::default();
        let (filter, id) = DeploymentFilter::decode(&mut v, raw.names(), |v| {
            v.required(Member::shown("id"), raw.id, deployment_id)
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

request! {
    /// DeleteDeployment's input.
    DeleteDeploymentInput, RawDeleteDeployment, DeleteDeployment {
        /// `id`: the deployment whose record is deleted.
        id: DeploymentId = "id", required(deployment_id);
    }
}
