//! The eight deployment statuses of AWS Proton, what a client may conclude
//! from each, and the form that keeps a status AWS adds later.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::echo::Echo;

/// The `deploymentStatus` of a Proton resource (service instance,
/// environment, service pipeline or component).
///
/// The eight statuses of the service model have exactly AWS's wire strings:
/// `Display`, [`DeploymentStatus::as_str`] and serde all use them, and
/// [`DeploymentStatus::ALL`] lists them in the service model's order.
///
/// A string AWS might add later is kept as [`DeploymentStatus::Unknown`]
/// when it is *read from a service* (`From<&str>` and `Deserialize`), so a
/// client keeps working and can show it; the deployment machine never
/// produces it. `FromStr` is strict: a status someone *typed* (a seed file,
/// a command-line flag) that is not one of the eight is an error naming
/// the eight.
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
///
/// // What a service sends is kept, even when it is new.
/// let later = DeploymentStatus::from("PAUSED");
/// assert_eq!(later.as_str(), "PAUSED");
/// assert!(!later.is_known() && !later.is_settled());
/// ```
// Written by hand rather than with strum's derives: `as_str`, `Display`
// and serde must give back an unknown status's own string, which strum's
// string derives cannot do for a variant that carries data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
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
    /// A status this crate does not know, kept exactly as a service sent
    /// it. The machine never produces it.
    Unknown(UnknownStatus),
}

/// The wire string of a status this crate does not know; see
/// [`DeploymentStatus::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownStatus(Box<str>);

impl UnknownStatus {
    /// The string as the service sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl DeploymentStatus {
    /// Every known status, in the order of the AWS service model.
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

    /// The exact wire string, for example `"IN_PROGRESS"`; an unknown
    /// status gives back what the service sent.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InProgress => "IN_PROGRESS",
            Self::Failed => "FAILED",
            Self::Succeeded => "SUCCEEDED",
            Self::DeleteInProgress => "DELETE_IN_PROGRESS",
            Self::DeleteFailed => "DELETE_FAILED",
            Self::DeleteComplete => "DELETE_COMPLETE",
            Self::Cancelling => "CANCELLING",
            Self::Cancelled => "CANCELLED",
            Self::Unknown(unknown) => unknown.as_str(),
        }
    }

    /// `false` only for [`DeploymentStatus::Unknown`].
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Unknown(_))
    }

    /// `true` when nothing further happens to the resource without a new API
    /// call: FAILED, SUCCEEDED, CANCELLED, DELETE_FAILED and DELETE_COMPLETE.
    ///
    /// A client polling after an update, cancel or delete stops waiting
    /// when this turns `true`. IN_PROGRESS, CANCELLING and DELETE_IN_PROGRESS
    /// are not settled: the provisioning engine still has work to report.
    /// Nor is an unknown status: a client cannot tell that it is final.
    pub fn is_settled(&self) -> bool {
        matches!(
            self,
            Self::Failed
                | Self::Succeeded
                | Self::DeleteFailed
                | Self::DeleteComplete
                | Self::Cancelled
        )
    }

    /// `true` only for IN_PROGRESS: the one status in which a
    /// Cancel*Deployment call is accepted.
    pub fn is_cancellable(&self) -> bool {
        *self == Self::InProgress
    }

    /// `true` for the three statuses of a deletion: DELETE_IN_PROGRESS,
    /// DELETE_FAILED and DELETE_COMPLETE.
    pub fn is_deletion(&self) -> bool {
        matches!(
            self,
            Self::DeleteInProgress | Self::DeleteFailed | Self::DeleteComplete
        )
    }

    fn known(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

impl fmt::Display for DeploymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for DeploymentStatus {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Strict: only the eight wire strings.
impl FromStr for DeploymentStatus {
    type Err = UnknownStatusError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::known(value).ok_or_else(|| UnknownStatusError {
            value: value.to_owned(),
        })
    }
}

/// Lenient: what a service sent, kept as [`DeploymentStatus::Unknown`] when
/// it is not one of the eight.
impl From<&str> for DeploymentStatus {
    fn from(value: &str) -> Self {
        Self::known(value).unwrap_or_else(|| Self::Unknown(UnknownStatus(value.into())))
    }
}

/// A string that is not one of the eight deployment statuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown deployment status {}: expected one of {}",
    Echo(&self.value),
    KnownList
)]
pub struct UnknownStatusError {
    value: String,
}

impl UnknownStatusError {
    /// The string that was not recognised.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// `IN_PROGRESS, FAILED, …`: the eight, in model order.
struct KnownList;

impl fmt::Display for KnownList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, status) in DeploymentStatus::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(status.as_str())?;
        }
        Ok(())
    }
}

impl Serialize for DeploymentStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Lenient, like `From<&str>`: a new status from a service is kept.
impl<'de> Deserialize<'de> for DeploymentStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DeploymentStatus;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a deployment status string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(DeploymentStatus::from(v))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}
