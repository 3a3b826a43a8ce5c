//! Deployment records as the server keeps them: the attempt in the core's
//! terms ([`AttemptRecord`]) and where it belongs; how an attempt's id is
//! minted, and where its record sits in the list order.

use proton_cancel::{
    AttemptRecord, Configuration, DeploymentId, Observed, ResourceId, ResourceName, Timestamp,
};
use proton_cancel_wire::{ApiError, DeploymentRecord, RecordPlace};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::store::StoreError;

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
    pub(crate) fn seq(&self) -> i64 {
        seq_of(self.attempt.deployment_id)
    }
}

/// A record's place in the list order: its id's counter.
pub(crate) fn seq_of(id: DeploymentId) -> i64 {
    i64::try_from(id.as_u128() & 0xffff_ffff_ffff).unwrap_or(i64::MAX)
}

impl App {
    /// A fresh deployment id: the store's next number in the low bits of a
    /// fixed UUID v4 layout, so ids are unique across every server on the
    /// database, ordered, and readable in logs.
    pub(crate) async fn mint_id(&self) -> Result<DeploymentId, StoreError> {
        let n = self.store().next_number().await?;
        Ok(DeploymentId::from_u128(
            0x0000_0000_0000_4000_8000_0000_0000_0000 | u128::from(n),
        ))
    }

    /// The record of attempt `id`, started at `at` towards `target` on the
    /// resource `before` shows, whose ARN is `target_arn`. An
    /// environment's records name the environment itself; every other
    /// kind is stored with the environment its records name.
    pub(crate) fn start_record(
        &self,
        (id, at): (DeploymentId, Timestamp),
        before: &Observed,
        target: &Configuration,
        (target_arn, environment): (&str, Option<&ResourceName>),
    ) -> Result<Record, ApiError> {
        let environment = match (&before.resource, environment) {
            (ResourceId::Environment { name }, _) | (_, Some(name)) => name.clone(),
            (resource, None) => {
                return Err(ApiError::internal(format!(
                    "{resource} was stored without its environment"
                )));
            }
        };
        Ok(Record {
            attempt: AttemptRecord::start(id, at, before, target.clone()),
            arn: self.arn(&format!("deployment/{id}")),
            target_arn: target_arn.to_owned(),
            environment,
        })
    }
}
