//! The server's start-up data: the resources it holds and how the simulated
//! provisioning engine treats each, read from a JSON file.

use serde::{Deserialize, Serialize};

use proton_cancel::{DeploymentStatus, ResourceName, Spec, TemplateVersion};

/// How the simulated provisioning engine answers for one resource. Every
/// delay counts from the event that starts it; `null` (or leaving a delay
/// out of a resource that sets none) means the engine never sends that
/// report, so a test or a person can hold a resource in IN_PROGRESS or
/// CANCELLING for as long as they like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngineScript {
    /// Milliseconds from an accepted update to its result.
    pub update_after_ms: Option<u64>,
    /// The update's result.
    pub update_result: Outcome,
    /// Milliseconds from an accepted cancel to the start of the rollback.
    pub cancel_start_after_ms: Option<u64>,
    /// Milliseconds from the start of the rollback to its result.
    pub cancel_finish_after_ms: Option<u64>,
    /// The cancellation's result.
    pub cancel_result: Outcome,
}

impl Default for EngineScript {
    /// Updates take 5 s and succeed; a cancel starts after 1 s and succeeds
    /// 2 s later.
    fn default() -> Self {
        Self {
            update_after_ms: Some(5_000),
            update_result: Outcome::Succeeded,
            cancel_start_after_ms: Some(1_000),
            cancel_finish_after_ms: Some(2_000),
            cancel_result: Outcome::Succeeded,
        }
    }
}

/// A result the engine reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    /// It worked.
    Succeeded,
    /// It failed.
    Failed,
}

/// Partial engine settings of one resource; what is absent comes from the
/// server-wide defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngineOverrides {
    /// See [`EngineScript::update_after_ms`]; `null` never reports.
    #[serde(default, deserialize_with = "explicit_null")]
    pub update_after_ms: Option<Option<u64>>,
    /// See [`EngineScript::update_result`].
    pub update_result: Option<Outcome>,
    /// See [`EngineScript::cancel_start_after_ms`]; `null` never starts.
    #[serde(default, deserialize_with = "explicit_null")]
    pub cancel_start_after_ms: Option<Option<u64>>,
    /// See [`EngineScript::cancel_finish_after_ms`]; `null` never finishes.
    #[serde(default, deserialize_with = "explicit_null")]
    pub cancel_finish_after_ms: Option<Option<u64>>,
    /// See [`EngineScript::cancel_result`].
    pub cancel_result: Option<Outcome>,
}

/// Tells a member set to `null` (`Some(None)`) from one left out (`None`).
fn explicit_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
    Option::<u64>::deserialize(d).map(Some)
}

impl EngineOverrides {
    /// These overrides on top of `defaults`.
    pub fn over(self, defaults: EngineScript) -> EngineScript {
        EngineScript {
            update_after_ms: self.update_after_ms.unwrap_or(defaults.update_after_ms),
            update_result: self.update_result.unwrap_or(defaults.update_result),
            cancel_start_after_ms: self
                .cancel_start_after_ms
                .unwrap_or(defaults.cancel_start_after_ms),
            cancel_finish_after_ms: self
                .cancel_finish_after_ms
                .unwrap_or(defaults.cancel_finish_after_ms),
            cancel_result: self.cancel_result.unwrap_or(defaults.cancel_result),
        }
    }
}

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
