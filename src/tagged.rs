//! How the two `kind`-tagged enums of a snapshot, [`ResourceId`] and
//! [`Configuration`], are read.
//!
//! serde's derive reads an internally tagged enum by first buffering the
//! whole object into its own `Content` tree, since the tag may come last,
//! and only then reading the variant from that tree. Every snapshot holds
//! up to three such objects, and on a list page of 100 service instances
//! their buffering was 27 % of the server's instructions (callgrind,
//! docs/performance.md). Here each is read in one pass into a struct whose
//! fields are all those any variant has, and the fields found are then
//! checked against the kind: the same text is accepted and refused as with
//! the derive, with the refusal naming the field and the kind.
//!
//! Writing stays derived (`#[derive(Serialize)]` with `tag = "kind"`):
//! serde writes a tagged enum without buffering.

use serde::Deserialize;

use crate::name::ResourceName;
use crate::resource::{Configuration, ResourceId, TemplateRef};
use crate::values::Spec;

/// The `kind` of a [`ResourceId`].
#[derive(Deserialize, Clone, Copy, strum::IntoStaticStr)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
enum IdKind {
    ServiceInstance,
    Environment,
    ServicePipeline,
    Component,
}

/// Every field a [`ResourceId`] may have, as read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct IdFields {
    kind: IdKind,
    #[serde(default)]
    service_name: Option<ResourceName>,
    #[serde(default)]
    name: Option<ResourceName>,
}

/// A field the kind needs that the object lacks, or one it has that the
/// kind does not take.
fn misfit(kind: &'static str, field: &str, needed: bool) -> String {
    if needed {
        format!("missing field `{field}` (kind {kind} needs it)")
    } else {
        format!("unknown field `{field}` (kind {kind} takes none)")
    }
}

/// `Ok` when `value` is present exactly when the kind `needed` it.
fn fits<T>(kind: &'static str, field: &str, value: Option<T>, needed: bool) -> Result<(), String> {
    if value.is_some() == needed {
        Ok(())
    } else {
        Err(misfit(kind, field, needed))
    }
}

impl TryFrom<IdFields> for ResourceId {
    type Error = String;

    fn try_from(f: IdFields) -> Result<Self, String> {
        let kind: &'static str = f.kind.into();
        match (f.kind, f.service_name, f.name) {
            (IdKind::ServiceInstance, Some(service), Some(name)) => {
                Ok(Self::ServiceInstance { service, name })
            }
            (IdKind::Environment, None, Some(name)) => Ok(Self::Environment { name }),
            (IdKind::ServicePipeline, Some(service), None) => Ok(Self::ServicePipeline { service }),
            (IdKind::Component, None, Some(name)) => Ok(Self::Component { name }),
            // A field the kind lacks or does not take: the first of them,
            // in the order the fields are written.
            (id_kind, service, name) => {
                let service_needed =
                    matches!(id_kind, IdKind::ServiceInstance | IdKind::ServicePipeline);
                fits(kind, "serviceName", service, service_needed)?;
                Err(misfit(kind, "name", name.is_none()))
            }
        }
    }
}

/// The `kind` of a [`Configuration`].
#[derive(Deserialize, Clone, Copy, strum::IntoStaticStr)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
enum ConfigurationKind {
    Template,
    Component,
}

/// Every field a [`Configuration`] may have, as read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ConfigurationFields {
    kind: ConfigurationKind,
    #[serde(default)]
    template: Option<TemplateRef>,
    #[serde(default)]
    spec: Option<Spec>,
    #[serde(default)]
    service_spec: Option<Spec>,
}

impl TryFrom<ConfigurationFields> for Configuration {
    type Error = String;

    fn try_from(f: ConfigurationFields) -> Result<Self, String> {
        let kind: &'static str = f.kind.into();
        match f.kind {
            ConfigurationKind::Template => {
                fits(kind, "serviceSpec", f.service_spec, false)?;
                let template = f.template.ok_or_else(|| misfit(kind, "template", true))?;
                Ok(Self::Template {
                    template,
                    spec: f.spec,
                })
            }
            ConfigurationKind::Component => {
                fits(kind, "template", f.template, false)?;
                fits(kind, "spec", f.spec, false)?;
                Ok(Self::Component {
                    service_spec: f.service_spec,
                })
            }
        }
    }
}
