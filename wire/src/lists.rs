//! ListEnvironments and ListComponents: their inputs, and the summaries
//! their pages hold.

use std::borrow::Cow;

use proton_cancel::{ResourceName, TemplateVersion, Timestamp, Violations};
use serde::Deserialize;

use crate::error::ApiError;
use crate::list::{NextToken, next_token};
use crate::members::{DeploymentMembers, TemplateDeployment, TemplateMembers};
use crate::operation::Operation;
use crate::request::{Request, parse_body};
use crate::shape::{Component, Environment};
use crate::validation::{Member, MemberConstraint, Validator};

wire_shape! {
    /// The `EnvironmentSummary` shape: an environment's members without
    /// its spec.
    pub struct EnvironmentSummary {
        /// The members of an environment; the template's spec is always
        /// absent here.
        #[serde(flatten)]
        pub members: TemplateDeployment,
        pub name: ResourceName,
    }
}

impl From<Environment> for EnvironmentSummary {
    fn from(e: Environment) -> Self {
        Self {
            members: TemplateDeployment {
                template: TemplateMembers {
                    spec: None,
                    ..e.members.template
                },
                ..e.members
            },
            name: e.name,
        }
    }
}

wire_shape! {
    /// The `ComponentSummary` shape: a component's members without its
    /// service spec and client token.
    pub struct ComponentSummary {
        #[serde(flatten)]
        pub deployment: DeploymentMembers,
        pub environment_name: ResourceName,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_deployment_attempted_at: Option<Timestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub last_deployment_succeeded_at: Option<Timestamp>,
        pub last_modified_at: Timestamp,
        pub name: ResourceName,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service_instance_name: Option<ResourceName>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service_name: Option<ResourceName>,
    }
}

impl From<Component> for ComponentSummary {
    fn from(c: Component) -> Self {
        Self {
            deployment: c.deployment,
            environment_name: c.environment_name,
            last_deployment_attempted_at: c.last_deployment_attempted_at,
            last_deployment_succeeded_at: c.last_deployment_succeeded_at,
            last_modified_at: c.last_modified_at,
            name: c.name,
            service_instance_name: c.service_instance_name,
            service_name: c.service_name,
        }
    }
}

/// One `EnvironmentTemplateFilter`: environments of this template's major
/// version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EnvironmentTemplateFilter {
    /// `templateName`.
    pub template_name: ResourceName,
    /// `majorVersion`.
    pub major_version: TemplateVersion,
}

/// ListEnvironments's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ListEnvironmentsInput {
    /// `environmentTemplates`: an environment is listed if it deploys any
    /// of them (every environment when there are none).
    pub environment_templates: Vec<EnvironmentTemplateFilter>,
    /// `maxResults`, 1 to 100.
    pub max_results: Option<usize>,
    /// `nextToken`.
    pub next_token: Option<NextToken>,
}

impl ListEnvironmentsInput {
    /// Whether an environment deploying `template_name` at major version
    /// `major` is listed.
    pub fn lists(&self, template_name: &ResourceName, major: &TemplateVersion) -> bool {
        self.environment_templates.is_empty()
            || self
                .environment_templates
                .iter()
                .any(|f| &f.template_name == template_name && &f.major_version == major)
    }
}

/// ListComponents's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ListComponentsInput {
    /// `environmentName`: only the components in this environment.
    pub environment_name: Option<ResourceName>,
    /// `maxResults`, 1 to 100.
    pub max_results: Option<usize>,
    /// `nextToken`.
    pub next_token: Option<NextToken>,
    /// `serviceInstanceName`: only the components attached to this
    /// service instance (of any service, unless `serviceName` is given).
    pub service_instance_name: Option<ResourceName>,
    /// `serviceName`: only the components attached to an instance of this
    /// service.
    pub service_name: Option<ResourceName>,
}

impl ListComponentsInput {
    /// Whether the input names no environment, service or instance, and so
    /// lists every component.
    pub fn selects_all(&self) -> bool {
        self.environment_name.is_none()
            && self.service_name.is_none()
            && self.service_instance_name.is_none()
    }

    /// Whether the component `c` is listed: in the environment given, and
    /// attached to the service and the instance given.
    pub fn lists(&self, c: &Component) -> bool {
        let given = |want: &Option<ResourceName>, have: &Option<ResourceName>| {
            want.is_none() || want == have
        };
        self.environment_name
            .as_ref()
            .is_none_or(|e| *e == c.environment_name)
            && given(&self.service_name, &c.service_name)
            && given(&self.service_instance_name, &c.service_instance_name)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTemplateFilter<'a> {
    #[serde(borrow)]
    template_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    major_version: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawListEnvironments<'a> {
    #[serde(borrow)]
    environment_templates: Option<Vec<RawTemplateFilter<'a>>>,
    max_results: Option<i64>,
    #[serde(borrow)]
    next_token: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawListComponents<'a> {
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

/// The constraints of a validated type's `check` that `value` breaks.
fn broken(checked: Result<(), Violations>) -> Vec<MemberConstraint> {
    match checked {
        Ok(()) => Vec::new(),
        Err(violations) => violations
            .iter()
            .map(|v| MemberConstraint::Shape(*v))
            .collect(),
    }
}

fn resource_name(value: &str) -> Vec<MemberConstraint> {
    broken(ResourceName::check(value))
}

fn template_version(value: &str) -> Vec<MemberConstraint> {
    broken(TemplateVersion::check(value))
}

impl Request for ListEnvironmentsInput {
    const OPERATION: Operation = Operation::ListEnvironments;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawListEnvironments = parse_body(body)?;
        let mut v = Validator::default();
        let mut checked = Vec::new();
        for (i, f) in raw.environment_templates.iter().flatten().enumerate() {
            let at = |member: &str| {
                format!(
                    "environmentTemplates.{}.member.{member}",
                    i.saturating_add(1)
                )
            };
            let name = v.required_str(at("templateName"), f.template_name.clone(), resource_name);
            let major = v.required_str(
                at("majorVersion"),
                f.major_version.clone(),
                template_version,
            );
            checked.push((name, major));
        }
        let max_results = v.optional_int("maxResults", raw.max_results, 1, 100);
        let next_token = v.optional_str("nextToken", false, raw.next_token, next_token);
        v.finish()?;
        let environment_templates = checked
            .into_iter()
            .filter_map(|(name, major)| {
                Some(EnvironmentTemplateFilter {
                    template_name: ResourceName::new(name?).ok()?,
                    major_version: TemplateVersion::new(major?).ok()?,
                })
            })
            .collect();
        Ok(Self {
            environment_templates,
            max_results: max_results.and_then(|m| usize::try_from(m).ok()),
            next_token: next_token.map(NextToken::given),
        })
    }
}

impl Request for ListComponentsInput {
    const OPERATION: Operation = Operation::ListComponents;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawListComponents = parse_body(body)?;
        let mut v = Validator::default();
        let name = |v: &mut Validator, member: &'static str, value: Option<Cow<'_, str>>| {
            v.optional(Member::shown(member), value, ResourceName::new)
        };
        let environment_name = name(&mut v, "environmentName", raw.environment_name);
        let max_results = v.optional_int("maxResults", raw.max_results, 1, 100);
        let next_token = v.optional_str("nextToken", false, raw.next_token, next_token);
        let service_instance_name = name(&mut v, "serviceInstanceName", raw.service_instance_name);
        let service_name = name(&mut v, "serviceName", raw.service_name);
        v.finish()?;
        Ok(Self {
            environment_name,
            max_results: max_results.and_then(|m| usize::try_from(m).ok()),
            next_token: next_token.map(NextToken::given),
            service_instance_name,
            service_name,
        })
    }
}
