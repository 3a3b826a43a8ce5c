//! The eight deployment statuses of AWS Proton and what a client may conclude
//! from each.

use crate::echo::Echo;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use strum::{AsRefStr, EnumCount, EnumIter, EnumString, IntoStaticStr, VariantNames};

/// The `deploymentStatus` of a Proton resource (service instance,
/// environment, service pipeline or component).
///
/// The wire strings are exactly AWS's: `Display`, `FromStr`, `AsRef<str>`
/// and serde all use them, and [`DeploymentStatus::ALL`] (or
/// `strum::IntoEnumIterator::iter`) lists every status in the service
/// model's order.
///
/// ```
/// use proton_cancel::DeploymentStatus;
///
/// let status: DeploymentStatus = "CANCELLING".parse().unwrap();
/// assert_eq!(status, DeploymentStatus::Cancelling);
/// assert!(!status.is_settled());
/// assert_eq!(status.to_string(), "CANCELLING");
///
/// let err = "CANCELED".parse::<DeploymentStatus>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "unknown deployment status \"CANCELED\": expected one of IN_PROGRESS, FAILED, \
///      SUCCEEDED, DELETE_IN_PROGRESS, DELETE_FAILED, DELETE_COMPLETE, CANCELLING, CANCELLED",
/// );
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::Display,
    EnumString,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    EnumCount,
    VariantNames,
)]
#[strum(
    serialize_all = "SCREAMING_SNAKE_CASE",
    parse_err_ty = UnknownStatusError,
    parse_err_fn = UnknownStatusError::new
)]
pub enum DeploymentStatus {
    /// A deployment (an update or the first deployment) is running.
    InProgress,
    /// The last deployment failed, or its cancellation failed.
    Failed,
    /// The last deployment succeeded.
    Succeeded,
    /// The resource is being deleted.
    DeleteInProgress,
    /// The deletion failed; only a new deletion may follow.
    DeleteFailed,
    /// The resource is deleted.
    DeleteComplete,
    /// A cancellation of the running deployment was requested or has started.
    Cancelling,
    /// The running deployment was cancelled and rolled back.
    Cancelled,
}

impl DeploymentStatus {
    /// Every status, in the order of the AWS service model.
    pub const ALL: [DeploymentStatus; 8] = [
        Self::InProgress,
        Self::Failed,
        Self::Succeeded,
        Self::DeleteInProgress,
        Self::DeleteFailed,
        Self::DeleteComplete,
        Self::Cancelling,
        Self::Cancelled,
    ];

    /// The exact wire string, for example `"IN_PROGRESS"`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// `true` when nothing further happens to the resource without a new API
    /// call: FAILED, SUCCEEDED, CANCELLED, DELETE_FAILED and DELETE_COMPLETE.
    ///
    /// A client polling after an update, cancel or delete stops waiting
    /// when this turns `true`. IN_PROGRESS, CANCELLING and DELETE_IN_PROGRESS
    /// are not settled: the provisioning engine still has work to report.
    pub fn is_settled(self) -> bool {
        !matches!(
            self,
            Self::InProgress | Self::Cancelling | Self::DeleteInProgress
        )
    }

    /// `true` only for IN_PROGRESS: the one status in which a
    /// Cancel*Deployment call is accepted.
    pub fn is_cancellable(self) -> bool {
        self == Self::InProgress
    }

    /// `true` for the three statuses of a deletion: DELETE_IN_PROGRESS,
    /// DELETE_FAILED and DELETE_COMPLETE.
    pub fn is_deletion(self) -> bool {
        matches!(
            self,
            Self::DeleteInProgress | Self::DeleteFailed | Self::DeleteComplete
        )
    }
}

/// A string that is not one of the eight deployment statuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown deployment status {}: expected one of {}",
    Echo::double(&self.value),
    DeploymentStatus::VARIANTS.join(", ")
)]
pub struct UnknownStatusError {
    value: String,
}

impl UnknownStatusError {
    fn new(value: &str) -> Self {
        Self {
            value: value.to_owned(),
        }
    }

    /// The string that was not recognised.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl Serialize for DeploymentStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DeploymentStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DeploymentStatus;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a deployment status string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}
