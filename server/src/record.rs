//! Deployment records' ids and places: how an attempt's id is minted, where
//! its record sits in the list order, and which ARNs and environment it
//! names.

use proton_cancel::{DeploymentId, ResourceId, ResourceName};
use proton_cancel_wire::{ApiError, RecordPlace};

use crate::app::App;
use crate::store::StoreError;

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

    /// Where the record of attempt `id` on `resource` belongs: an
    /// environment's records name the environment itself; every other kind
    /// is stored with the environment its records name.
    pub(crate) fn place(
        &self,
        id: DeploymentId,
        target_arn: &str,
        environment: Option<&ResourceName>,
        resource: &ResourceId,
    ) -> Result<RecordPlace, ApiError> {
        let environment_name = match (resource, environment) {
            (ResourceId::Environment { name }, _) | (_, Some(name)) => name.clone(),
            (_, None) => {
                return Err(ApiError::internal(format!(
                    "{resource} was stored without its environment"
                )));
            }
        };
        Ok(RecordPlace {
            arn: self.arn(&format!("deployment/{id}")),
            target_arn: target_arn.to_owned(),
            environment_name,
        })
    }
}
