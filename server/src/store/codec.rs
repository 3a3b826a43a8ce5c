//! How rows are keyed and encoded: the one place that turns the server's
//! values into the text the databases hold and back.

use std::time::Duration;

use proton_cancel::{
    AttemptRecord, Configuration, Deployment, Observed, ResourceId, ResourceKind, ResourceName,
    Spec, TemplateRef,
};
use proton_cancel_wire::{DeploymentRecord, DeploymentState};

use super::{Record, Row, StoreError};

/// The key of a resource's row: `service-instance/shop/web`,
/// `environment/prod`, `service-pipeline/shop`, `component/cache`
/// (names cannot hold `/`).
pub(crate) fn key(id: &ResourceId) -> String {
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

/// The key range `[from, to)` that holds every instance of the service
/// `service`: the keys that start `service-instance/{service}/` (`0`
/// follows `/` in byte order).
pub(crate) fn instances_of(service: &ResourceName) -> (String, String) {
    (
        format!("service-instance/{service}/"),
        format!("service-instance/{service}0"),
    )
}

/// The key range `[from, to)` that holds every resource of `kind`.
pub(crate) fn kind_range(kind: ResourceKind) -> (String, String) {
    let prefix = match kind {
        ResourceKind::ServiceInstance => "service-instance",
        ResourceKind::Environment => "environment",
        ResourceKind::ServicePipeline => "service-pipeline",
        ResourceKind::Component => "component",
        other => return (format!("{other}/"), format!("{other}0")),
    };
    (format!("{prefix}/"), format!("{prefix}0"))
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
    (meta, listed): (String, Option<String>),
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
    Ok(Row {
        deployment,
        meta,
        listed,
    })
}

/// A record's columns: its id, its place in the list order, its
/// resource's key, the record as JSON and its summary as JSON.
pub(super) struct RecordColumns {
    pub(super) id: String,
    pub(super) seq: i64,
    pub(super) resource: String,
    pub(super) record: String,
    pub(super) listed: String,
}

/// The columns of the record `r`.
pub(super) fn record_columns(r: &Record) -> Result<RecordColumns, StoreError> {
    Ok(RecordColumns {
        id: r.attempt.deployment_id.to_string(),
        seq: r.seq(),
        resource: key(&r.attempt.resource),
        record: json(r, "deployment record")?,
        listed: record_listed(r)?,
    })
}

/// What ListDeployments shows of the record `r`: its `DeploymentSummary`
/// as JSON, stored with the record.
pub(super) fn record_listed(r: &Record) -> Result<String, StoreError> {
    json(&r.shape().summary, "deployment summary")
}

/// A stored record; one written in the wire's `Deployment` shape (before
/// the server kept records of its own) is carried forward.
pub(super) fn decode_record(id: &str, record: &str) -> Result<Record, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt {
        key: format!("deployment/{id}"),
        reason: e.to_string(),
    };
    match serde_json::from_str::<Record>(record) {
        Ok(r) => Ok(r),
        Err(e) => match serde_json::from_str::<DeploymentRecord>(record) {
            Ok(old) => from_wire_shape(old).ok_or_else(|| corrupt(e)),
            Err(_) => Err(corrupt(e)),
        },
    }
}

/// A record stored in the wire's `Deployment` shape, as the server keeps
/// it now; `None` for one whose target the shape does not name.
fn from_wire_shape(old: DeploymentRecord) -> Option<Record> {
    let s = old.summary;
    let mut attempt = AttemptRecord::start(
        s.id,
        s.created_at,
        &Observed::new(
            s.target()?,
            s.target_resource_created_at,
            configuration(old.initial_state)?,
        ),
        configuration(old.target_state)?,
    );
    attempt.modified_at = s.last_modified_at;
    attempt.completed_at = s.completed_at;
    attempt.status = s.deployment_status;
    attempt.status_message = old.deployment_status_message;
    attempt.previous_attempt = s.last_attempted_deployment_id;
    attempt.previous_success = s.last_succeeded_deployment_id;
    Some(Record {
        attempt,
        arn: s.arn,
        target_arn: s.target_arn,
        environment: s.environment_name,
    })
}

/// The configuration a stored `DeploymentState` shows (a service
/// instance's empty spec is no spec).
fn configuration(state: DeploymentState) -> Option<Configuration> {
    let template = |spec, template_name, major, minor| Configuration::Template {
        template: TemplateRef {
            name: template_name,
            major,
            minor,
        },
        spec,
    };
    Some(match state {
        DeploymentState::Component(c) => Configuration::Component {
            service_spec: c.service_spec,
        },
        DeploymentState::ServiceInstance(s) => template(
            Spec::new(&s.spec).ok(),
            s.template_name,
            s.template_major_version,
            s.template_minor_version,
        ),
        DeploymentState::Environment(t) | DeploymentState::ServicePipeline(t) => template(
            t.spec,
            t.template_name,
            t.template_major_version,
            t.template_minor_version,
        ),
        _ => return None,
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
                listed: None,
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

    /// Records stored before the server kept its own record type hold the
    /// wire's `Deployment` shape: each kind's, running and settled, reads
    /// back as the record it was written from.
    #[test]
    fn a_record_stored_in_the_wire_shape_is_carried_forward() {
        use proton_cancel::{
            AttemptRecord, DeploymentStatus, Observed, ResourceId, Spec, StatusMessage,
            TemplateRef, TemplateVersion,
        };

        use super::{Record, decode_record};

        let name = |s: &str| ResourceName::new(s).unwrap();
        let template = |minor: &str, spec: Option<&str>| Configuration::Template {
            template: TemplateRef {
                name: name("web-tmpl"),
                major: TemplateVersion::new("1").unwrap(),
                minor: TemplateVersion::new(minor).unwrap(),
            },
            spec: spec.map(|s| Spec::new(s).unwrap()),
        };
        let kinds = [
            (
                ResourceId::ServiceInstance {
                    service: name("shop"),
                    name: name("web"),
                },
                template("0", None),
                template("1", Some("v2")),
            ),
            (
                ResourceId::Environment { name: name("prod") },
                template("0", Some("v1")),
                template("1", None),
            ),
            (
                ResourceId::ServicePipeline {
                    service: name("shop"),
                },
                template("0", None),
                template("0", Some("v2")),
            ),
            (
                ResourceId::Component {
                    name: name("cache"),
                },
                Configuration::Component { service_spec: None },
                Configuration::Component {
                    service_spec: Some(Spec::new("v2").unwrap()),
                },
            ),
        ];
        for (n, (resource, initial, target)) in (1u128..).zip(kinds) {
            let before = Observed::new(resource, Timestamp::from_secs(5), initial);
            let id = proton_cancel::DeploymentId::from_u128(n);
            let running = Record {
                attempt: AttemptRecord::start(id, Timestamp::from_secs(100), &before, target),
                arn: format!("arn:aws:proton:us-east-1:123456789012:deployment/{id}"),
                target_arn: "arn:target".to_owned(),
                environment: name("prod"),
            };
            let mut settled = running.clone();
            settled.attempt.status = DeploymentStatus::Failed;
            settled.attempt.status_message = Some(StatusMessage::new("it broke"));
            settled.attempt.modified_at = Timestamp::from_secs(130);
            settled.attempt.completed_at = Some(Timestamp::from_secs(130));
            for record in [running, settled] {
                let old = serde_json::to_string(&record.shape()).unwrap();
                assert!(old.contains("\"targetResourceType\""), "{old}");
                assert_eq!(decode_record(&id.to_string(), &old).unwrap(), record);
                let new = serde_json::to_string(&record).unwrap();
                assert_eq!(decode_record(&id.to_string(), &new).unwrap(), record);
            }
        }
        let corrupt = decode_record("x", "{\"attempt\": 1}").unwrap_err();
        assert!(corrupt.to_string().contains("deployment/x"), "{corrupt}");
    }
}
