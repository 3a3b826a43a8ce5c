//! The service operations' inputs: CreateService, UpdateService,
//! CreateServiceInstance and ListServices (DeleteService's, a name only,
//! is declared with the other names).

use std::borrow::Cow;

use proton_cancel::{
    ClientToken, Configuration, ResourceId, ResourceName, Spec, TemplateRef, TemplateVersion,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::list::{NextToken, next_token};
use crate::operation::Operation;
use crate::request::{Addresses, Request, parse_body, validated};
use crate::update::description;
use crate::validation::Validator;

request! {
    /// CreateService's input: the service's template and its spec, which
    /// names its instances and whether it has a pipeline. The repository,
    /// branch and tag members are accepted and not kept: the emulator
    /// provisions nothing with them.
    CreateServiceInput, RawCreateService, CreateService {
        /// `description` (sensitive), at most 500 characters.
        description: Option<String> = "description", text_secret(description);
        /// `name`: the new service.
        name: ResourceName = "name", name;
        /// `spec` (sensitive): the service spec (YAML).
        spec: Spec = "spec", required_secret(Spec::new);
        /// `templateMajorVersion`.
        template_major_version: TemplateVersion = "templateMajorVersion", required(TemplateVersion::new);
        /// `templateMinorVersion`; absent, the newest the template registry
        /// lists of the major version (`0` when it lists none).
        template_minor_version: Option<TemplateVersion> = "templateMinorVersion", optional(TemplateVersion::new);
        /// `templateName`: the service template.
        template_name: ResourceName = "templateName", name;
    }
}

impl CreateServiceInput {
    /// What each part's first deployment deploys: the template version
    /// given (minor `0` when none is) and the whole service spec.
    pub fn configuration(&self) -> Configuration {
        template_configuration(
            &self.template_name,
            &self.template_major_version,
            self.template_minor_version.as_ref(),
            &self.spec,
        )
    }
}

/// A template configuration of `name` at `major`.`minor` (minor `0` when
/// none is given) deploying `spec`.
pub(crate) fn template_configuration(
    name: &ResourceName,
    major: &TemplateVersion,
    minor: Option<&TemplateVersion>,
    spec: &Spec,
) -> Configuration {
    let minor = minor.cloned().or_else(|| TemplateVersion::new("0").ok());
    Configuration::Template {
        template: TemplateRef {
            name: name.clone(),
            major: major.clone(),
            minor: minor.unwrap_or_else(|| major.clone()),
        },
        spec: Some(spec.clone()),
    }
}

request! {
    /// UpdateService's input: a new description, and a new spec whose
    /// instances the service is to have.
    UpdateServiceInput, RawUpdateService, UpdateService {
        /// `description` (sensitive), at most 500 characters.
        description: Option<String> = "description", text_secret(description);
        /// `name`: the service.
        name: ResourceName = "name", name;
        /// `spec` (sensitive): the new service spec (YAML).
        spec: Option<Spec> = "spec", optional_secret(Spec::new);
    }
}

request! {
    /// CreateServiceInstance's input: a new instance of an existing
    /// service. Its environment is read from its entry in the spec's
    /// `instances:`.
    CreateServiceInstanceInput, RawCreateServiceInstance, CreateServiceInstance {
        /// `clientToken`: the idempotency token of the first deployment.
        client_token: Option<ClientToken> = "clientToken", optional(ClientToken::new);
        /// `name`: the new instance.
        name: ResourceName = "name", name;
        /// `serviceName`: its service.
        service_name: ResourceName = "serviceName", name;
        /// `spec` (sensitive): a service spec that names the instance.
        spec: Spec = "spec", required_secret(Spec::new);
        /// `templateMajorVersion`; absent, the service's.
        template_major_version: Option<TemplateVersion> = "templateMajorVersion", optional(TemplateVersion::new);
        /// `templateMinorVersion`; absent, the newest the registry lists
        /// of the major version.
        template_minor_version: Option<TemplateVersion> = "templateMinorVersion", optional(TemplateVersion::new);
    }
    resource: |r| ResourceId::ServiceInstance { service: r.service_name.clone(), name: r.name.clone() }
}

request! {
    /// DeleteService's input.
    DeleteServiceInput, RawDeleteService, DeleteService {
        /// `name`: the service to delete, with its instances and pipeline.
        name: ResourceName = "name", name;
    }
}

/// ListServices's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ListServicesInput {
    /// `maxResults`, 1 to 100.
    pub max_results: Option<usize>,
    /// `nextToken`.
    pub next_token: Option<NextToken>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawListServices<'a> {
    max_results: Option<i64>,
    #[serde(borrow)]
    next_token: Option<Cow<'a, str>>,
}

impl Request for ListServicesInput {
    const OPERATION: Operation = Operation::ListServices;

    fn decode(body: &[u8]) -> Result<Self, ApiError> {
        let raw: RawListServices = parse_body(body)?;
        let mut v = Validator::default();
        let max_results = v.optional_int("maxResults", raw.max_results, 1, 100);
        let next_token = v.optional_str("nextToken", false, raw.next_token, next_token);
        v.finish()?;
        Ok(Self {
            max_results: max_results.and_then(|m| usize::try_from(m).ok()),
            next_token: next_token.map(NextToken::given),
        })
    }
}
