//! The update operations of the four kinds, and what an update deploys.

use std::borrow::Cow;

use proton_cancel::{
    ClientToken, Configuration, ResourceId, ResourceName, Spec, TemplateRef, TemplateVersion,
    Violation,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::operation::Operation;
use crate::request::{Request, parse_body, validated};
use crate::validation::{MemberConstraint, Validator};

/// The `deploymentType` of UpdateServiceInstance, UpdateEnvironment and
/// UpdateServicePipeline.
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
    strum::VariantNames,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum DeploymentUpdateType {
    /// Update metadata only; no deployment runs.
    None,
    /// Deploy the given spec on the current template version.
    CurrentVersion,
    /// Deploy another minor version of the current major version.
    MinorVersion,
    /// Deploy another major version.
    MajorVersion,
}

impl DeploymentUpdateType {
    /// The wire values, in the service model's order.
    pub const WIRE_VALUES: &'static [&'static str] =
        &["NONE", "CURRENT_VERSION", "MINOR_VERSION", "MAJOR_VERSION"];
}

/// The `deploymentType` of UpdateComponent (`ComponentDeploymentUpdateType`):
/// a component has no template version to move.
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
    strum::VariantNames,
    Serialize,
    Deserialize,
)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ComponentDeploymentUpdateType {
    /// Update metadata only; no deployment runs.
    None,
    /// Deploy the given service spec.
    CurrentVersion,
}

impl ComponentDeploymentUpdateType {
    /// The wire values, in the service model's order.
    pub const WIRE_VALUES: &'static [&'static str] = &["NONE", "CURRENT_VERSION"];
}

/// What an update of any kind asks for: whether a deployment runs, and the
/// spec and template version it names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ConfigurationChange {
    /// The deployment type (a component's `CURRENT_VERSION` and `NONE` read
    /// as the same values here).
    pub deployment_type: DeploymentUpdateType,
    /// The new spec (a component's `serviceSpec`), if given.
    pub spec: Option<Spec>,
    /// `templateMajorVersion`, if given.
    pub template_major_version: Option<TemplateVersion>,
    /// `templateMinorVersion`, if given.
    pub template_minor_version: Option<TemplateVersion>,
}

impl ConfigurationChange {
    /// `false` for deployment type `NONE`: only metadata changes, no
    /// attempt starts, and the resource is answered as it is.
    pub fn deploys(&self) -> bool {
        self.deployment_type != DeploymentUpdateType::None
    }

    /// What the attempt deploys over `applied`. No template registry is
    /// kept, so the "recommended" version AWS would pick is the one given,
    /// or else the one in place: MINOR_VERSION keeps the major version;
    /// MAJOR_VERSION without a minor version deploys minor version `0`. A
    /// spec not given keeps the one in place. A component's configuration
    /// has no template and keeps its own form.
    pub fn target(&self, applied: &Configuration) -> Configuration {
        match applied {
            Configuration::Template { template, spec } => {
                let t = template.clone();
                let template = match self.deployment_type {
                    DeploymentUpdateType::MinorVersion => TemplateRef {
                        minor: self.template_minor_version.clone().unwrap_or(t.minor),
                        ..t
                    },
                    DeploymentUpdateType::MajorVersion => TemplateRef {
                        major: self.template_major_version.clone().unwrap_or(t.major),
                        minor: self
                            .template_minor_version
                            .clone()
                            .or_else(|| TemplateVersion::new("0").ok())
                            .unwrap_or(t.minor),
                        ..t
                    },
                    _ => t,
                };
                Configuration::Template {
                    template,
                    spec: self.spec.clone().or_else(|| spec.clone()),
                }
            }
            Configuration::Component { service_spec } => Configuration::Component {
                service_spec: self.spec.clone().or_else(|| service_spec.clone()),
            },
        }
    }
}

/// `templateMajorVersion` and `templateMinorVersion`, the last two members
/// of every template kind's update.
fn versions(
    v: &mut Validator,
    major: Option<Cow<'_, str>>,
    minor: Option<Cow<'_, str>>,
) -> (Option<TemplateVersion>, Option<TemplateVersion>) {
    let major = v.optional("templateMajorVersion", false, major, TemplateVersion::new);
    let minor = v.optional("templateMinorVersion", false, minor, TemplateVersion::new);
    (major, minor)
}

/// `Description`: at most 500 characters (sensitive).
fn description(value: &str) -> Vec<MemberConstraint> {
    const MAX: usize = 500;
    if value.chars().count() > MAX {
        vec![MemberConstraint::MaxLength(MAX)]
    } else {
        Vec::new()
    }
}

/// `ResourceNameOrEmpty`: a resource name, or the empty string (which
/// detaches a component).
fn resource_name_or_empty(value: &str) -> Vec<MemberConstraint> {
    const PATTERN: &str = "(^$)|^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$";
    if value.is_empty() {
        return Vec::new();
    }
    let Err(violations) = ResourceName::check(value) else {
        return Vec::new();
    };
    violations
        .iter()
        .filter_map(|v| match v {
            Violation::TooLong { max, .. } => Some(MemberConstraint::MaxLength(*max)),
            Violation::Pattern { .. } => Some(MemberConstraint::Pattern(PATTERN)),
            _ => None,
        })
        .collect()
}

/// UpdateServiceInstance's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceInstanceInput {
    /// `clientToken`: the idempotency token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
    /// `deploymentType`.
    pub deployment_type: DeploymentUpdateType,
    /// `name`: the service instance.
    pub name: ResourceName,
    /// `serviceName`.
    pub service_name: ResourceName,
    /// `spec` (sensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<Spec>,
    /// `templateMajorVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_major_version: Option<TemplateVersion>,
    /// `templateMinorVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_minor_version: Option<TemplateVersion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUpdateServiceInstance<'a> {
    #[serde(borrow)]
    client_token: Option<Cow<'a, str>>,
    #[serde(borrow)]
    deployment_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    spec: Option<Cow<'a, str>>,
    #[serde(borrow)]
    template_major_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    template_minor_version: Option<Cow<'a, str>>,
}

impl Request for UpdateServiceInstanceInput {
    const OPERATION: Operation = Operation::UpdateServiceInstance;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawUpdateServiceInstance = parse_body(body)?;
        let mut v = Validator::default();
        let client_token = v.optional("clientToken", false, raw.client_token, ClientToken::new);
        let deployment_type = v.required_enum(
            "deploymentType",
            DeploymentUpdateType::WIRE_VALUES,
            raw.deployment_type,
        );
        let name = v.required("name", false, raw.name, ResourceName::new);
        let service_name = v.required("serviceName", false, raw.service_name, ResourceName::new);
        let spec = v.optional("spec", true, raw.spec, Spec::new);
        let (major, minor) = versions(
            &mut v,
            raw.template_major_version,
            raw.template_minor_version,
        );
        v.finish()?;
        Ok(Self {
            client_token,
            deployment_type: validated(deployment_type)?,
            name: validated(name)?,
            service_name: validated(service_name)?,
            spec,
            template_major_version: major,
            template_minor_version: minor,
        })
    }
}

impl UpdateServiceInstanceInput {
    /// The service instance the request addresses.
    pub fn resource_id(&self) -> ResourceId {
        ResourceId::ServiceInstance {
            service: self.service_name.clone(),
            name: self.name.clone(),
        }
    }

    /// What the update deploys.
    pub fn change(&self) -> ConfigurationChange {
        ConfigurationChange {
            deployment_type: self.deployment_type,
            spec: self.spec.clone(),
            template_major_version: self.template_major_version.clone(),
            template_minor_version: self.template_minor_version.clone(),
        }
    }
}

/// UpdateEnvironment's input: the members that decide the deployment.
/// The account-connection, role and repository members are accepted and
/// not kept: the emulator provisions nothing with them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateEnvironmentInput {
    /// `deploymentType`.
    pub deployment_type: DeploymentUpdateType,
    /// `description` (sensitive), at most 500 characters.
    #[serde(skip)]
    pub description: Option<String>,
    /// `name`: the environment.
    pub name: ResourceName,
    /// `spec` (sensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<Spec>,
    /// `templateMajorVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_major_version: Option<TemplateVersion>,
    /// `templateMinorVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_minor_version: Option<TemplateVersion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUpdateEnvironment<'a> {
    #[serde(borrow)]
    deployment_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    description: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    spec: Option<Cow<'a, str>>,
    #[serde(borrow)]
    template_major_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    template_minor_version: Option<Cow<'a, str>>,
}

impl Request for UpdateEnvironmentInput {
    const OPERATION: Operation = Operation::UpdateEnvironment;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawUpdateEnvironment = parse_body(body)?;
        let mut v = Validator::default();
        let deployment_type = v.required_enum(
            "deploymentType",
            DeploymentUpdateType::WIRE_VALUES,
            raw.deployment_type,
        );
        let description = v.optional_str("description", true, raw.description, description);
        let name = v.required("name", false, raw.name, ResourceName::new);
        let spec = v.optional("spec", true, raw.spec, Spec::new);
        let (major, minor) = versions(
            &mut v,
            raw.template_major_version,
            raw.template_minor_version,
        );
        v.finish()?;
        Ok(Self {
            deployment_type: validated(deployment_type)?,
            description,
            name: validated(name)?,
            spec,
            template_major_version: major,
            template_minor_version: minor,
        })
    }
}

impl UpdateEnvironmentInput {
    /// The environment the request addresses.
    pub fn resource_id(&self) -> ResourceId {
        ResourceId::Environment {
            name: self.name.clone(),
        }
    }

    /// What the update deploys.
    pub fn change(&self) -> ConfigurationChange {
        ConfigurationChange {
            deployment_type: self.deployment_type,
            spec: self.spec.clone(),
            template_major_version: self.template_major_version.clone(),
            template_minor_version: self.template_minor_version.clone(),
        }
    }
}

/// UpdateServicePipeline's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServicePipelineInput {
    /// `deploymentType`.
    pub deployment_type: DeploymentUpdateType,
    /// `serviceName`: the service whose pipeline is updated.
    pub service_name: ResourceName,
    /// `spec` (sensitive; required here).
    pub spec: Spec,
    /// `templateMajorVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_major_version: Option<TemplateVersion>,
    /// `templateMinorVersion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_minor_version: Option<TemplateVersion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUpdateServicePipeline<'a> {
    #[serde(borrow)]
    deployment_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    spec: Option<Cow<'a, str>>,
    #[serde(borrow)]
    template_major_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    template_minor_version: Option<Cow<'a, str>>,
}

impl Request for UpdateServicePipelineInput {
    const OPERATION: Operation = Operation::UpdateServicePipeline;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawUpdateServicePipeline = parse_body(body)?;
        let mut v = Validator::default();
        let deployment_type = v.required_enum(
            "deploymentType",
            DeploymentUpdateType::WIRE_VALUES,
            raw.deployment_type,
        );
        let service_name = v.required("serviceName", false, raw.service_name, ResourceName::new);
        let spec = v.required("spec", true, raw.spec, Spec::new);
        let (major, minor) = versions(
            &mut v,
            raw.template_major_version,
            raw.template_minor_version,
        );
        v.finish()?;
        Ok(Self {
            deployment_type: validated(deployment_type)?,
            service_name: validated(service_name)?,
            spec: validated(spec)?,
            template_major_version: major,
            template_minor_version: minor,
        })
    }
}

impl UpdateServicePipelineInput {
    /// The pipeline the request addresses.
    pub fn resource_id(&self) -> ResourceId {
        ResourceId::ServicePipeline {
            service: self.service_name.clone(),
        }
    }

    /// What the update deploys.
    pub fn change(&self) -> ConfigurationChange {
        ConfigurationChange {
            deployment_type: self.deployment_type,
            spec: Some(self.spec.clone()),
            template_major_version: self.template_major_version.clone(),
            template_minor_version: self.template_minor_version.clone(),
        }
    }
}

/// UpdateComponent's input. `templateFile`, `serviceName` and
/// `serviceInstanceName` are validated and not kept: the emulator keeps a
/// component's `serviceSpec` and its environment only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateComponentInput {
    /// `clientToken`: the idempotency token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
    /// `deploymentType`.
    pub deployment_type: ComponentDeploymentUpdateType,
    /// `description` (sensitive), at most 500 characters.
    #[serde(skip)]
    pub description: Option<String>,
    /// `name`: the component.
    pub name: ResourceName,
    /// `serviceInstanceName`: a name, or empty to detach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_instance_name: Option<String>,
    /// `serviceName`: a name, or empty to detach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// `serviceSpec` (sensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_spec: Option<Spec>,
    /// `templateFile` (sensitive; the same limits as a spec).
    #[serde(skip)]
    pub template_file: Option<Spec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUpdateComponent<'a> {
    #[serde(borrow)]
    client_token: Option<Cow<'a, str>>,
    #[serde(borrow)]
    deployment_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    description: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_instance_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_spec: Option<Cow<'a, str>>,
    #[serde(borrow)]
    template_file: Option<Cow<'a, str>>,
}

impl Request for UpdateComponentInput {
    const OPERATION: Operation = Operation::UpdateComponent;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawUpdateComponent = parse_body(body)?;
        let mut v = Validator::default();
        let client_token = v.optional("clientToken", false, raw.client_token, ClientToken::new);
        let deployment_type = v.required_enum(
            "deploymentType",
            ComponentDeploymentUpdateType::WIRE_VALUES,
            raw.deployment_type,
        );
        let description = v.optional_str("description", true, raw.description, description);
        let name = v.required("name", false, raw.name, ResourceName::new);
        let service_instance_name = v.optional_str(
            "serviceInstanceName",
            false,
            raw.service_instance_name,
            resource_name_or_empty,
        );
        let service_name = v.optional_str(
            "serviceName",
            false,
            raw.service_name,
            resource_name_or_empty,
        );
        let service_spec = v.optional("serviceSpec", true, raw.service_spec, Spec::new);
        let template_file = v.optional("templateFile", true, raw.template_file, Spec::new);
        v.finish()?;
        Ok(Self {
            client_token,
            deployment_type: validated(deployment_type)?,
            description,
            name: validated(name)?,
            service_instance_name,
            service_name,
            service_spec,
            template_file,
        })
    }
}

impl UpdateComponentInput {
    /// The component the request addresses.
    pub fn resource_id(&self) -> ResourceId {
        ResourceId::Component {
            name: self.name.clone(),
        }
    }

    /// What the update deploys.
    pub fn change(&self) -> ConfigurationChange {
        ConfigurationChange {
            deployment_type: match self.deployment_type {
                ComponentDeploymentUpdateType::None => DeploymentUpdateType::None,
                _ => DeploymentUpdateType::CurrentVersion,
            },
            spec: self.service_spec.clone(),
            template_major_version: None,
            template_minor_version: None,
        }
    }
}
