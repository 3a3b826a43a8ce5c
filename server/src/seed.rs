//! The server's start-up data: the resources it holds and how the simulated
//! provisioning engine treats each, read from a JSON file.

use serde::Deserialize;

use proton_cancel::{DeploymentStatus, ResourceName, Spec, TemplateVersion};

use crate::engine::EngineOverrides;

/// What every seeded resource has: where its deployment stands and what it
/// deploys.
#[derive(Debug, Clone)]
pub struct SeedDeployment {
    /// IN_PROGRESS (an attempt starts when the server starts), SUCCEEDED,
    /// FAILED, CANCELLED, DELETE_FAILED or DELETE_COMPLETE. Default
    /// SUCCEEDED.
    pub deployment_status: DeploymentStatus,
    /// The reason of a FAILED or DELETE_FAILED seed.
    pub deployment_status_message: Option<String>,
    /// `templateName` (not for components).
    pub template_name: Option<ResourceName>,
    /// `templateMajorVersion` (not for components).
    pub template_major_version: Option<TemplateVersion>,
    /// `templateMinorVersion` (not for components).
    pub template_minor_version: Option<TemplateVersion>,
    /// The spec.
    pub spec: Option<Spec>,
    /// How the engine treats this resource.
    pub engine: EngineOverrides,
}

fn succeeded() -> DeploymentStatus {
    DeploymentStatus::Succeeded
}

/// Declares a seeded resource kind: its identity members, and the
/// deployment members every kind shares, read from one flat JSON object
/// that refuses unknown members (serde's `flatten` cannot refuse them).
macro_rules! seed_kind {
    (
        $(#[$meta:meta])* $name:ident, $raw:ident = $raw_name:literal
        { $($(#[$fmeta:meta])* $field:ident),+ $(,)? }
        $(optional { $($(#[$ometa:meta])* $ofield:ident),+ $(,)? })?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize)]
        #[serde(from = $raw_name)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: ResourceName,)+
            $($($(#[$ometa])* pub $ofield: Option<ResourceName>,)+)?
            /// Its deployment.
            pub deployment: SeedDeployment,
        }

        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct $raw {
            $($field: ResourceName,)+
            $($($ofield: Option<ResourceName>,)+)?
            #[serde(default = "succeeded")]
            deployment_status: DeploymentStatus,
            deployment_status_message: Option<String>,
            template_name: Option<ResourceName>,
            template_major_version: Option<TemplateVersion>,
            template_minor_version: Option<TemplateVersion>,
            spec: Option<Spec>,
            #[serde(default)]
            engine: EngineOverrides,
        }

        impl From<$raw> for $name {
            fn from(raw: $raw) -> Self {
                Self {
                    $($field: raw.$field,)+
                    $($($ofield: raw.$ofield,)+)?
                    deployment: SeedDeployment {
                        deployment_status: raw.deployment_status,
                        deployment_status_message: raw.deployment_status_message,
                        template_name: raw.template_name,
                        template_major_version: raw.template_major_version,
                        template_minor_version: raw.template_minor_version,
                        spec: raw.spec,
                        engine: raw.engine,
                    },
                }
            }
        }
    };
}

seed_kind! {
    /// A seeded service instance.
    SeedServiceInstance, RawServiceInstance = "RawServiceInstance" {
        /// `serviceName`.
        service_name,
        /// `name`.
        name,
        /// `environmentName`.
        environment_name,
    }
}

seed_kind! {
    /// A seeded environment.
    SeedEnvironment, RawEnvironment = "RawEnvironment" {
        /// `name`.
        name,
    }
}

seed_kind! {
    /// A seeded service pipeline.
    SeedServicePipeline, RawServicePipeline = "RawServicePipeline" {
        /// `serviceName` of the service that owns it.
        service_name,
    }
    optional {
        /// The `environmentName` its deployment records show; default: the
        /// environment of the service's first seeded instance by name.
        environment_name,
    }
}

seed_kind! {
    /// A seeded component.
    SeedComponent, RawComponent = "RawComponent" {
        /// `name`.
        name,
        /// `environmentName`.
        environment_name,
    }
}

/// The whole seed file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    /// The region written into ARNs; default `us-east-1`.
    pub region: Option<String>,
    /// The account written into ARNs; default `123456789012`.
    pub account_id: Option<String>,
    /// Server-wide engine settings, under the command-line ones.
    #[serde(default)]
    pub engine: EngineOverrides,
    /// Service instances.
    #[serde(default)]
    pub service_instances: Vec<SeedServiceInstance>,
    /// Environments.
    #[serde(default)]
    pub environments: Vec<SeedEnvironment>,
    /// Service pipelines.
    #[serde(default)]
    pub service_pipelines: Vec<SeedServicePipeline>,
    /// Components.
    #[serde(default)]
    pub components: Vec<SeedComponent>,
    /// The environment templates and versions the server knows; absent,
    /// every environment template and version is accepted.
    pub environment_templates: Option<Vec<SeedTemplate>>,
    /// The service templates and versions the server knows (for service
    /// instances and pipelines); absent, every one is accepted.
    pub service_templates: Option<Vec<SeedTemplate>>,
    /// A whole state, as the control API exports it (in place of the
    /// resource lists): loaded into a store that holds no resource yet.
    pub state: Option<crate::state::State>,
}

/// A template the server knows, with its versions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedTemplate {
    /// The template's name.
    pub name: ResourceName,
    /// Its versions, each written `major.minor` (`"1.0"`).
    pub versions: Vec<SeedVersion>,
}

/// A template version as the seed writes it: `major.minor`, each part a
/// `TemplateVersionPart`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeedVersion {
    /// The major version.
    pub major: TemplateVersion,
    /// The minor version.
    pub minor: TemplateVersion,
}

impl<'de> Deserialize<'de> for SeedVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let parts = text.split_once('.').and_then(|(major, minor)| {
            Some((
                TemplateVersion::new(major).ok()?,
                TemplateVersion::new(minor).ok()?,
            ))
        });
        match parts {
            Some((major, minor)) => Ok(Self { major, minor }),
            None => Err(serde::de::Error::custom(format!(
                "invalid template version {text:?}: write it major.minor, such as \"1.0\""
            ))),
        }
    }
}

impl Seed {
    /// Reads a seed file. An error names the path of the member it is
    /// about, for example `serviceInstances[0].deploymentstatus: unknown
    /// field ...`: every level refuses unknown members.
    pub fn from_json(text: &[u8]) -> Result<Self, String> {
        let mut reader = serde_json::Deserializer::from_slice(text);
        serde_path_to_error::deserialize(&mut reader).map_err(|e| {
            let path = e.path().to_string();
            if path == "." {
                e.into_inner().to_string()
            } else {
                format!("{path}: {}", e.into_inner())
            }
        })
    }
}
