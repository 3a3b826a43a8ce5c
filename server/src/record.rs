//! Deployment records as the server keeps them: the attempt in the core's
//! terms ([`AttemptRecord`]) and where it belongs, and where a record sits
//! in the list order.

use proton_cancel::{AttemptRecord, DeploymentId, ResourceName};
use proton_cancel_wire::{DeploymentRecord, RecordPlace};
use serde::{Deserialize, Serialize};

/// A deployment record as the server stores it: the attempt, in the
/// core's terms, and where it belongs. The wire's `Deployment` shape is
/// rendered from it ([`Record::shape`]), so a change of the wire's shape
/// does not change what is stored.
///
/// Stored as JSON: `{"attempt": …, "arn": …, "targetArn": …,
/// "environment": …}`. Records written before this form (the wire's shape
/// itself) are read and carried forward (`store::codec`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Record {
    /// The attempt.
    pub attempt: AttemptRecord,
    /// The deployment's own ARN.
    pub arn: String,
    /// The target resource's ARN.
    pub target_arn: String,
    /// The environment the record names: the environment itself, or the
    /// one its target lives in.
    pub environment: ResourceName,
}

impl Record {
    /// The `Deployment` shape the wire shows of this record.
    pub fn shape(&self) -> DeploymentRecord {
        let place = RecordPlace {
            arn: self.arn.clone(),
            target_arn: self.target_arn.clone(),
            environment_name: self.environment.clone(),
        };
        DeploymentRecord::new(&self.attempt, place)
    }

    /// The record's place in the list order: its id's counter.
    pub fn seq(&self) -> i64 {
        seq_of(self.attempt.deployment_id)
    }
}

/// A record's place in the list order: its id's counter.
pub(crate) fn seq_of(id: DeploymentId) -> i64 {
    i64::try_from(id.as_u128() & 0xffff_ffff_ffff).unwrap_or(i64::MAX)
}
