//! The create operations: what a new resource's first deployment deploys.

use std::borrow::Cow;

use proton_cancel::{
    ClientToken, Configuration, ResourceId, ResourceName, Spec, TemplateVersion, Violation,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::operation::Operation;
use crate::request::{Addresses, Request, parse_body, validated};
use crate::services::template_configuration;
use crate::update::description;
use crate::validation::{MemberConstraint, Validator};

request! {
    /// CreateEnvironment's input: the members that decide the first
    /// deployment. The role, account-connection, repository and tag members
    /// are accepted and not kept: the emulator provisions nothing with them.
    CreateEnvironmentInput, RawCreateEnvironment, CreateEnvironment {
        /// `description` (sensitive), at most 500 characters.
        #[serde(skip)]
        description: Option<String> = "description", text_secret(description);
        /// `name`: the new environment.
        name: ResourceName = "name", name;
        /// `spec` (sensitive).
        spec: Spec = "spec", required_secret(Spec::new);
        /// `templateMajorVersion`.
        template_major_version: TemplateVersion = "templateMajorVersion", required(TemplateVersion::new);
        /// `templateMinorVersion`; absent, the first deployment takes
        /// minor version `0` (the emulator keeps no template registry to
        /// recommend one).
        template_minor_version: Option<TemplateVersion> = "templateMinorVersion", optional(TemplateVersion::new);
        /// `templateName`.
        template_name: ResourceName = "templateName", name;
    }
    resource: |r| ResourceId::Environment { name: r.name.clone() }
}

impl CreateEnvironmentInput {
    /// What the first deployment deploys: the template version given (minor
    /// `0` when none is) and the spec.
    pub fn configuration(&self) -> Configuration {
        template_configuration(
            &self.template_name,
            &self.template_major_version,
            self.template_minor_version.as_ref(),
            &self.spec,
        )
    }
}

/// `TemplateManifestContents`: 1 to 1,024 characters (sensitive).
fn manifest(value: &str) -> Vec<MemberConstraint> {
    const MAX: usize = 1024;
    match value.chars().count() {
        0 => vec![MemberConstraint::Shape(Violation::TooShort {
            length: 0,
            min: 1,
        })],
        n if n > MAX => vec![MemberConstraint::MaxLength(MAX)],
        _ => Vec::new(),
    }
}

request! {
    /// CreateComponent's input. The manifest, template file, description
    /// and tags are checked and not kept: the emulator deploys a
    /// component's service spec only.
    CreateComponentInput, RawCreateComponent, CreateComponent {
        /// `clientToken`: the idempotency token of the first deployment.
        client_token: Option<ClientToken> = "clientToken", optional(ClientToken::new);
        /// `description` (sensitive), at most 500 characters.
        #[serde(skip)]
        description: Option<String> = "description", text_secret(description);
        /// `environmentName`: the environment of a component attached to no
        /// service instance.
        environment_name: Option<ResourceName> = "environmentName", optional(ResourceName::new);
        /// `manifest` (sensitive).
        #[serde(skip)]
        manifest: Option<String> = "manifest", text_secret(manifest);
        /// `name`: the new component.
        name: ResourceName = "name", name;
        /// `serviceInstanceName`: the service instance it is attached to.
        service_instance_name: Option<ResourceName> = "serviceInstanceName", optional(ResourceName::new);
        /// `serviceName`: the service of that instance.
        service_name: Option<ResourceName> = "serviceName", optional(ResourceName::new);
        /// `serviceSpec` (sensitive).
        service_spec: Option<Spec> = "serviceSpec", optional_secret(Spec::new);
        /// `templateFile` (sensitive).
        #[serde(skip)]
        template_file: Spec = "templateFile", required_secret(Spec::new);
    }
    resource: |r| ResourceId::Component { name: r.name.clone() }
}

/// Where a new component goes: into an environment, or onto a service
/// instance (whose environment it shares).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ComponentPlace {
    /// Into this environment, attached to nothing.
    Environment(ResourceName),
    /// Onto service instance `instance` of `service`.
    ServiceInstance {
        /// The service.
        service: ResourceName,
        /// The instance.
        instance: ResourceName,
    },
}

impl CreateComponentInput {
    /// Where the component goes: `environmentName` alone, or `serviceName`
    /// with `serviceInstanceName` (and no other `environmentName`: the
    /// instance's environment is checked by whoever knows it).
    ///
    /// # Errors
    /// ValidationException when the input names neither, or only one of
    /// the service and the instance.
    pub fn place(&self) -> Result<ComponentPlace, ApiError> {
        match (
            &self.service_name,
            &self.service_instance_name,
            &self.environment_name,
        ) {
            (Some(service), Some(instance), _) => Ok(ComponentPlace::ServiceInstance {
                service: service.clone(),
                instance: instance.clone(),
            }),
            (None, None, Some(environment)) => Ok(ComponentPlace::Environment(environment.clone())),
            (None, None, None) => Err(ApiError::new(
                crate::error::ErrorCode::ValidationException,
                "a component needs its environmentName, or the serviceName and \
                 serviceInstanceName of the service instance it is attached to",
            )),
            _ => Err(ApiError::new(
                crate::error::ErrorCode::ValidationException,
                "serviceName and serviceInstanceName are given together or not at all",
            )),
        }
    }

    /// What the first deployment deploys: the service spec.
    pub fn configuration(&self) -> Configuration {
        Configuration::Component {
            service_spec: self.service_spec.clone(),
        }
    }
}
