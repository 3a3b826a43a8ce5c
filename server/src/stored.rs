//! A resource as the operations see it: its machine, and what the server
//! keeps beside it in the row's meta text.

use proton_cancel::{Deployment, ResourceName};
use proton_cancel_wire::{ApiError, Shape};
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
}

fn is_first(incarnation: &u64) -> bool {
    *incarnation == 0
}

/// What a read needs of a row's meta: the ARN and the environment. The
/// engine script is skipped, not built (a read never uses it).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shown<'a> {
    #[serde(borrow)]
    arn: std::borrow::Cow<'a, str>,
    environment: Option<ResourceName>,
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
        }
    }

    /// What a response shows of the resource `row` holds, as shape `S`,
    /// reading only the ARN and the environment of its meta; a meta that
    /// does not decode is a corrupt row.
    pub(crate) fn shape_of<S: Shape>(row: Row) -> Result<S, ApiError> {
        let shown: Shown<'_> = read_meta(&row)?;
        S::of(
            row.deployment.observe(),
            &shown.arn,
            shown.environment.as_ref(),
        )
    }

    /// What a response shows of it, as shape `S`.
    pub(crate) fn shape<S: Shape>(&self) -> Result<S, ApiError> {
        S::of(
            self.deployment.observe(),
            &self.meta.arn,
            self.meta.environment.as_ref(),
        )
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
