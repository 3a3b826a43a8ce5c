//! A resource as the operations see it: its machine, and what the server
//! keeps beside it in the row's meta text.

use proton_cancel::{
    Deployment, DeploymentStatus, Joined, ResourceKind, ResourceName, Spec, Timestamp,
};
use proton_cancel_wire::{
    ApiError, Component, ComponentSummary, Description, Environment, EnvironmentSummary, Place,
    ServiceInstance, ServiceInstanceSummary, Shape,
};
use serde::{Deserialize, Serialize};

use crate::engine::EngineScript;
use crate::store::Row;

/// What the server keeps beside a resource's machine: its ARN, the
/// environment its records name, its engine script, and which life of its
/// name it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Meta {
    pub(crate) arn: String,
    pub(crate) environment: Option<ResourceName>,
    pub(crate) engine: EngineScript,
    /// How many resources of this name were deleted before this one was
    /// created (0 for the first, and left out of the text then, so rows
    /// written before it existed read back unchanged). A resource created
    /// again in place of a deleted one starts its revisions anew; this
    /// count keeps its meta text, which every compare-and-set compares,
    /// apart from the deleted one's, so a write that read the deleted
    /// resource can never commit over the new one.
    #[serde(default, skip_serializing_if = "is_first")]
    pub(crate) incarnation: u64,
    /// The service instance a component is attached to (left out of the
    /// text when none, as for rows written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) attached_to: Option<Attachment>,
    /// For a service's pipeline or instance made by a request: what it
    /// keeps of its service (left out for parts a seed made, and for the
    /// other kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) service: Option<Membership>,
}

/// What each part of a service keeps of the service as a whole. Every
/// write about the service (CreateService, UpdateService, DeleteService,
/// CreateServiceInstance) rewrites it in every part left, in one
/// transaction: so the parts agree, and two such writes never both commit
/// on the same reading of the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Membership {
    /// The service's spec, as CreateService or UpdateService last gave it.
    pub(crate) spec: Spec,
    /// The service's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<Description>,
    /// When the service was created.
    pub(crate) created_at: Timestamp,
    /// When a request last changed the service.
    pub(crate) modified_at: Timestamp,
    /// Whether this part was added to a service that already existed (its
    /// creation is then an update of the service, not its creation).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) later: bool,
}

impl Membership {
    /// How the part joined its service, for the service's status.
    pub(crate) fn joined(membership: Option<&Self>) -> Joined {
        match membership {
            Some(m) if m.later => Joined::Later,
            _ => Joined::WithService,
        }
    }
}

/// The service instance a component is attached to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Attachment {
    pub(crate) service: ResourceName,
    pub(crate) instance: ResourceName,
}

impl Meta {
    /// Where the shapes place the resource.
    fn place(&self) -> Place<'_> {
        place(
            &self.arn,
            self.environment.as_ref(),
            self.attached_to.as_ref(),
        )
    }
}

fn place<'a>(
    arn: &'a str,
    environment: Option<&'a ResourceName>,
    attached_to: Option<&'a Attachment>,
) -> Place<'a> {
    let place = Place::new(arn, environment);
    match attached_to {
        Some(a) => place.attached_to(&a.service, &a.instance),
        None => place,
    }
}

fn is_first(incarnation: &u64) -> bool {
    *incarnation == 0
}

/// What a read needs of a row's meta: the ARN, the environment and the
/// attachment. The engine script is skipped, not built (a read never uses
/// it).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shown<'a> {
    #[serde(borrow)]
    arn: std::borrow::Cow<'a, str>,
    environment: Option<ResourceName>,
    #[serde(default)]
    attached_to: Option<Attachment>,
}

/// One resource: its machine and its [`Meta`].
pub(crate) struct Entry {
    pub(crate) deployment: Deployment,
    pub(crate) meta: Meta,
}

impl Entry {
    /// The entry a row holds; a meta that does not decode is a corrupt row.
    pub(crate) fn of(row: Row) -> Result<Self, ApiError> {
        let meta = read_meta(&row)?;
        Ok(Self {
            deployment: row.deployment,
            meta,
        })
    }

    /// The row to store.
    pub(crate) fn row(&self) -> Row {
        Row {
            deployment: self.deployment.clone(),
            meta: serde_json::to_string(&self.meta).unwrap_or_default(),
            listed: self.listed(),
        }
    }

    /// What a list shows of the resource, as the JSON text of its summary,
    /// stored with the row so that a page of a list reads it as it is.
    /// `None` for a deleted resource, which no list shows, and for a
    /// service pipeline, which has no list of its own.
    fn listed(&self) -> Option<String> {
        if self.deployment.status() == DeploymentStatus::DeleteComplete {
            return None;
        }
        let text = match self.deployment.resource().kind() {
            ResourceKind::ServiceInstance => serde_json::to_string(&ServiceInstanceSummary::from(
                self.shape::<ServiceInstance>().ok()?,
            )),
            ResourceKind::Environment => {
                serde_json::to_string(&EnvironmentSummary::from(self.shape::<Environment>().ok()?))
            }
            ResourceKind::Component => {
                serde_json::to_string(&ComponentSummary::from(self.shape::<Component>().ok()?))
            }
            _ => return None,
        };
        text.ok()
    }

    /// What a response shows of the resource `row` holds, as shape `S`,
    /// reading only the ARN, the environment and the attachment of its
    /// meta; a meta that
    /// does not decode is a corrupt row.
    pub(crate) fn shape_of<S: Shape>(row: Row) -> Result<S, ApiError> {
        let shown: Shown<'_> = read_meta(&row)?;
        let at = place(
            &shown.arn,
            shown.environment.as_ref(),
            shown.attached_to.as_ref(),
        );
        S::of(row.deployment.observe(), &at)
    }

    /// What a response shows of it, as shape `S`.
    pub(crate) fn shape<S: Shape>(&self) -> Result<S, ApiError> {
        S::of(self.deployment.observe(), &self.meta.place())
    }
}

/// The meta of `row` as `T`; one that does not decode is a corrupt row.
fn read_meta<'a, T: Deserialize<'a>>(row: &'a Row) -> Result<T, ApiError> {
    serde_json::from_str(&row.meta).map_err(|e| {
        ApiError::internal(format!(
            "the stored data of {} cannot be read: {e}",
            row.deployment.resource()
        ))
    })
}
