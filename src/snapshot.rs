//! The stored form of a [`Deployment`]: a versioned snapshot through serde.
//! The format is documented in `docs/snapshot.md`; the committed fixtures
//! under `tests/snapshots/` show every change to it as a diff.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::machine::Deployment;
use crate::observed::{Attempt, CancellationPhase, Observed, RestoreError, Success};
use crate::resource::{Configuration, ResourceId};
use crate::status::DeploymentStatus;
use crate::time::Timestamp;
use crate::values::{ClientToken, DeploymentId, StatusMessage};

/// The snapshot schema this build writes and reads.
pub(crate) const SCHEMA_VERSION: u64 = 1;

/// Schema version 1. Timestamps are whole milliseconds since the epoch, so
/// that a round trip is exact.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SnapshotV1 {
    #[serde(deserialize_with = "schema_version")]
    schema_version: u64,
    revision: u64,
    resource: ResourceId,
    created_at: i64,
    status: DeploymentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cancellation: Option<CancellationPhase>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status_message: Option<StatusMessage>,
    applied: Configuration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target: Option<Configuration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_attempt: Option<AttemptV1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_success: Option<SuccessV1>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AttemptV1 {
    deployment_id: DeploymentId,
    at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_token: Option<ClientToken>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SuccessV1 {
    deployment_id: DeploymentId,
    at: i64,
}

/// Refuses another schema version as soon as it is read, before any field
/// of that schema can be misread (the writer puts `schemaVersion` first).
fn schema_version<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let found = u64::deserialize(d)?;
    if found == SCHEMA_VERSION {
        Ok(found)
    } else {
        Err(serde::de::Error::custom(RestoreError::SchemaVersion {
            found,
            supported: SCHEMA_VERSION,
        }))
    }
}

/// Writes the snapshot: `schemaVersion` first, then the revision and the
/// whole state.
impl Serialize for Deployment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.observe();
        SnapshotV1 {
            schema_version: SCHEMA_VERSION,
            revision: self.revision(),
            resource: o.resource,
            created_at: o.created_at.as_millis(),
            status: o.status,
            cancellation: o.cancellation,
            status_message: o.status_message,
            applied: o.applied,
            target: o.target,
            last_attempt: o.last_attempt.map(|a| AttemptV1 {
                deployment_id: a.deployment_id,
                at: a.at.as_millis(),
                client_token: a.client_token,
            }),
            last_success: o.last_success.map(|a| SuccessV1 {
                deployment_id: a.deployment_id,
                at: a.at.as_millis(),
            }),
        }
        .serialize(s)
    }
}

/// Reads a snapshot into exactly the machine it describes, or refuses it:
/// an unknown schema version, an unknown field, an invalid value (a bad
/// name, an unknown status) or an impossible state
/// ([`RestoreError`]) is an error, never a different machine.
impl<'de> Deserialize<'de> for Deployment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = SnapshotV1::deserialize(d)?;
        let mut observed =
            Observed::new(s.resource, Timestamp::from_millis(s.created_at), s.applied);
        observed.status = s.status;
        observed.cancellation = s.cancellation;
        observed.status_message = s.status_message;
        observed.target = s.target;
        observed.last_attempt = s.last_attempt.map(|a| Attempt {
            deployment_id: a.deployment_id,
            at: Timestamp::from_millis(a.at),
            client_token: a.client_token,
        });
        observed.last_success = s.last_success.map(|a| Success {
            deployment_id: a.deployment_id,
            at: Timestamp::from_millis(a.at),
        });
        Deployment::restore(observed)
            .map(|d| d.at_revision(s.revision))
            .map_err(serde::de::Error::custom)
    }
}
