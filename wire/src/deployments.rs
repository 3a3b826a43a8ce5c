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
use crate::validation::Validator;

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
