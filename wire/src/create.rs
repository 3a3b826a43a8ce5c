//! The create operations: what a new resource's first deployment deploys.

use std::borrow::Cow;

use proton_cancel::{Configuration, ResourceId, ResourceName, Spec, TemplateRef, TemplateVersion};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::operation::Operation;
use crate::request::{Addresses, Request, parse_body, validated};
use crate::update::description;
use crate::validation::Validator;

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
        let minor = self
            .template_minor_version
            .clone()
            .or_else(|| TemplateVersion::new("0").ok());
        Configuration::Template {
            template: TemplateRef {
                name: self.template_name.clone(),
                major: self.template_major_version.clone(),
                minor: minor.unwrap_or_else(|| self.template_major_version.clone()),
            },
            spec: Some(self.spec.clone()),
        }
    }
}
