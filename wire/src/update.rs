//! The update operations of the four kinds, and what an update deploys.

use std::borrow::Cow;

use proton_cancel::{
    ClientToken, Configuration, ResourceId, ResourceName, Spec, TemplateRef, TemplateVersion,
    Violation,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::operation::Operation;
use crate::request::{Absent, Addresses, Request, parse_body, validated};
use crate::validation::{MemberConstraint, Validator};

wire_enum! {
    "SCREAMING_SNAKE_CASE";
    /// The `deploymentType` of UpdateServiceInstance, UpdateEnvironment and
    /// UpdateServicePipeline.
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
}

wire_enum! {
    "SCREAMING_SNAKE_CASE";
    /// The `deploymentType` of UpdateComponent (`ComponentDeploymentUpdateType`):
    /// a component has no template version to move.
    pub enum ComponentDeploymentUpdateType {
        /// Update metadata only; no deployment runs.
        None,
        /// Deploy the given service spec.
        CurrentVersion,
    }
}

present!(DeploymentUpdateType, ComponentDeploymentUpdateType);

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

/// `Description`: at most 500 characters (sensitive).
pub(crate) fn description(value: &str) -> Vec<MemberConstraint> {
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

request! {
    /// UpdateServiceInstance's input.
    UpdateServiceInstanceInput, RawUpdateServiceInstance, UpdateServiceInstance {
        /// `clientToken`: the idempotency token.
        client_token: Option<ClientToken> = "clientToken", optional(ClientToken::new);
        /// `deploymentType`.
        deployment_type: DeploymentUpdateType = "deploymentType", one_of;
        /// `name`: the service instance.
        name: ResourceName = "name", name;
        /// `serviceName`.
        service_name: ResourceName = "serviceName", name;
        /// `spec` (sensitive).
        spec: Option<Spec> = "spec", optional_secret(Spec::new);
        /// `templateMajorVersion`.
        template_major_version: Option<TemplateVersion> = "templateMajorVersion", optional(TemplateVersion::new);
        /// `templateMinorVersion`.
        template_minor_version: Option<TemplateVersion> = "templateMinorVersion", optional(TemplateVersion::new);
    }
    resource: |r| ResourceId::ServiceInstance {
        service: r.service_name.clone(),
        name: r.name.clone(),
    }
}

request! {
    /// UpdateEnvironment's input: the members that decide the deployment.
    /// The account-connection, role and repository members are accepted and
    /// not kept: the emulator provisions nothing with them.
    UpdateEnvironmentInput, RawUpdateEnvironment, UpdateEnvironment {
        /// `deploymentType`.
        deployment_type: DeploymentUpdateType = "deploymentType", one_of;
        /// `description` (sensitive), at most 500 characters.
        #[serde(skip)]
        description: Option<String> = "description", text_secret(description);
        /// `name`: the environment.
        name: ResourceName = "name", name;
        /// `spec` (sensitive).
        spec: Option<Spec> = "spec", optional_secret(Spec::new);
        /// `templateMajorVersion`.
        template_major_version: Option<TemplateVersion> = "templateMajorVersion", optional(TemplateVersion::new);
        /// `templateMinorVersion`.
        template_minor_version: Option<TemplateVersion> = "templateMinorVersion", optional(TemplateVersion::new);
    }
    resource: |r| ResourceId::Environment { name: r.name.clone() }
}

request! {
    /// UpdateServicePipeline's input.
    UpdateServicePipelineInput, RawUpdateServicePipeline, UpdateServicePipeline {
        /// `deploymentType`.
        deployment_type: DeploymentUpdateType = "deploymentType", one_of;
        /// `serviceName`: the service whose pipeline is updated.
        service_name: ResourceName = "serviceName", name;
        /// `spec` (sensitive; required here).
        spec: Spec = "spec", required_secret(Spec::new);
        /// `templateMajorVersion`.
        template_major_version: Option<TemplateVersion> = "templateMajorVersion", optional(TemplateVersion::new);
        /// `templateMinorVersion`.
        template_minor_version: Option<TemplateVersion> = "templateMinorVersion", optional(TemplateVersion::new);
    }
    resource: |r| ResourceId::ServicePipeline {
        service: r.service_name.clone(),
    }
}

request! {
    /// UpdateComponent's input. `templateFile`, `serviceName` and
    /// `serviceInstanceName` are validated and not kept: the emulator keeps a
    /// component's `serviceSpec` and its environment only.
    UpdateComponentInput, RawUpdateComponent, UpdateComponent {
        /// `clientToken`: the idempotency token.
        client_token: Option<ClientToken> = "clientToken", optional(ClientToken::new);
        /// `deploymentType`.
        deployment_type: ComponentDeploymentUpdateType = "deploymentType", one_of;
        /// `description` (sensitive), at most 500 characters.
        #[serde(skip)]
        description: Option<String> = "description", text_secret(description);
        /// `name`: the component.
        name: ResourceName = "name", name;
        /// `serviceInstanceName`: a name, or empty to detach.
        service_instance_name: Option<String> = "serviceInstanceName", text(resource_name_or_empty);
        /// `serviceName`: a name, or empty to detach.
        service_name: Option<String> = "serviceName", text(resource_name_or_empty);
        /// `serviceSpec` (sensitive).
        service_spec: Option<Spec> = "serviceSpec", optional_secret(Spec::new);
        /// `templateFile` (sensitive; the same limits as a spec).
        #[serde(skip)]
        template_file: Option<Spec> = "templateFile", optional_secret(Spec::new);
    }
    resource: |r| ResourceId::Component { name: r.name.clone() }
}

/// What an update of each kind deploys.
pub trait Deploys {
    /// The change the update asks for.
    fn change(&self) -> ConfigurationChange;

    /// The update's idempotency token, for the kinds whose update takes one.
    fn client_token(&self) -> Option<ClientToken> {
        None
    }
}

/// The template kinds' updates: the deployment type, the spec and the two
/// template versions.
macro_rules! template_change {
    ($($input:ident => |$r:ident| $spec:expr $(, token $token:ident)?);+ $(;)?) => {$(
        impl Deploys for $input {
            fn change(&self) -> ConfigurationChange {
                let $r = self;
                ConfigurationChange {
                    deployment_type: $r.deployment_type,
                    spec: $spec,
                    template_major_version: $r.template_major_version.clone(),
                    template_minor_version: $r.template_minor_version.clone(),
                }
            }
            $(
                fn client_token(&self) -> Option<ClientToken> {
                    self.$token.clone()
                }
            )?
        }
    )+};
}

template_change! {
    UpdateServiceInstanceInput => |r| r.spec.clone(), token client_token;
    UpdateEnvironmentInput => |r| r.spec.clone();
    UpdateServicePipelineInput => |r| Some(r.spec.clone());
}

impl Deploys for UpdateComponentInput {
    fn change(&self) -> ConfigurationChange {
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

    fn client_token(&self) -> Option<ClientToken> {
        self.client_token.clone()
    }
}
