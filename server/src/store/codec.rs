//! How rows are keyed and encoded: the one place that turns the server's
//! values into the text the databases hold and back.

use std::time::Duration;

use proton_cancel::{Deployment, ResourceId};
use proton_cancel_wire::DeploymentRecord;

use super::{Row, StoreError};

/// The key of a resource's row: `service-instance/shop/web`,
/// `environment/prod`, `service-pipeline/shop`, `component/cache`
/// (names cannot hold `/`).
pub(super) fn key(id: &ResourceId) -> String {
    match id {
        ResourceId::ServiceInstance { service, name } => {
            format!("service-instance/{service}/{name}")
        }
        ResourceId::Environment { name } => format!("environment/{name}"),
        ResourceId::ServicePipeline { service } => format!("service-pipeline/{service}"),
        ResourceId::Component { name } => format!("component/{name}"),
        other => format!("{}/{other}", other.kind()),
    }
}

pub(super) fn revision_i64(revision: u64) -> i64 {
    i64::try_from(revision).unwrap_or(i64::MAX)
}

/// How every snapshot of `revision` starts, as the core writes it: the
/// write's check that the stored snapshot is the one read (a unit test
/// holds it against the core's encoding).
pub(super) fn snapshot_head(revision: u64) -> String {
    format!("{{\"schemaVersion\":1,\"revision\":{revision},")
}

/// The row's snapshot as JSON text (its meta is text already).
pub(super) fn encode_snapshot(row: &Row) -> Result<String, StoreError> {
    serde_json::to_string(&row.deployment).map_err(|e| StoreError::Corrupt {
        key: key(row.deployment.resource()),
        reason: e.to_string(),
    })
}

/// A row as read: its snapshot must decode and be at the revision of the
/// revision column, or the row is corrupt.
pub(super) fn decode_row(
    key: &str,
    revision: i64,
    snapshot: &str,
    meta: String,
) -> Result<Row, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        key: key.to_owned(),
        reason,
    };
    let deployment: Deployment =
        serde_json::from_str(snapshot).map_err(|e| corrupt(e.to_string()))?;
    if revision_i64(deployment.revision()) != revision {
        return Err(corrupt(format!(
            "its revision column says {revision} but its snapshot is at revision {}",
            deployment.revision()
        )));
    }
    // A write compares this head, so a row that reads must have it.
    let head = snapshot_head(deployment.revision());
    if !snapshot.starts_with(&head) {
        return Err(corrupt(format!(
            "its snapshot does not start with {head}, as the server writes it"
        )));
    }
    Ok(Row { deployment, meta })
}

pub(super) fn decode_record(id: &str, record: &str) -> Result<DeploymentRecord, StoreError> {
    serde_json::from_str(record).map_err(|e| StoreError::Corrupt {
        key: format!("deployment/{id}"),
        reason: e.to_string(),
    })
}

pub(super) fn decode_resource(job: i64, resource: &str) -> Result<ResourceId, StoreError> {
    serde_json::from_str(resource).map_err(|e| StoreError::Corrupt {
        key: format!("job/{job}"),
        reason: e.to_string(),
    })
}

pub(super) fn json(value: &impl serde::Serialize, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        key: what.to_owned(),
        reason: e.to_string(),
    })
}

pub(super) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use proton_cancel::{Configuration, Deployment, Input, ResourceName, Timestamp};

    use super::{Row, encode_snapshot, snapshot_head};

    #[test]
    fn every_snapshot_starts_with_the_head_the_write_compares() {
        let name = ResourceName::new("cache").unwrap();
        let (mut d, _) = Deployment::create(
            proton_cancel::ResourceId::Component { name },
            Timestamp::from_secs(1),
            proton_cancel::DeploymentId::from_u128(7),
            Configuration::Component { service_spec: None },
            None,
        )
        .unwrap();
        for at in 2..5 {
            let row = Row {
                deployment: d.clone(),
                meta: String::new(),
            };
            let text = encode_snapshot(&row).unwrap();
            assert!(
                text.starts_with(&snapshot_head(d.revision())),
                "{text} does not start with {}",
                snapshot_head(d.revision())
            );
            let _ = d.handle(Input::Cancel {
                at: Timestamp::from_secs(at),
            });
        }
    }
}
