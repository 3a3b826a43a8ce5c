//! The stored form of a deployment (docs/snapshot.md): every stage has a
//! committed fixture, so any change to the format shows as a diff; reading
//! gives back exactly the machine that was written; and a snapshot that
//! describes an impossible state is refused with a message that names the
//! rule it breaks.
#![allow(clippy::disallowed_methods)] // reads and (with BLESS=1) writes the fixtures

use proton_cancel_test_support::builders as common;

use common::*;
use proton_cancel::*;
use serde_json::{Value, json};

/// The fixture of each stage, in `Stage` order.
const FIXTURES: [&str; 9] = [
    "in_progress",
    "cancellation_requested",
    "cancellation_started",
    "succeeded",
    "failed",
    "cancelled",
    "delete_in_progress",
    "delete_failed",
    "delete_complete",
];

/// Spec: R36
#[test]
fn every_stage_is_stored_as_its_committed_fixture_and_read_back_whole() {
    let bless = std::env::var_os("BLESS").is_some();
    for (d, fixture) in one_deployment_per_stage().iter().zip(FIXTURES) {
        let path = format!("tests/snapshots/{fixture}.json");
        let written = serde_json::to_string_pretty(d).unwrap() + "\n";
        if bless {
            std::fs::write(&path, &written).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{path}: {e} (BLESS=1 cargo test --test snapshot writes it)")
        });
        assert_eq!(
            written, committed,
            "{path} differs from what the code writes; if the format change is intended, bump \
             the schema version or run BLESS=1 cargo test --test snapshot"
        );
        let read: Deployment = serde_json::from_str(&committed).unwrap();
        assert_eq!(&read, d, "{path}");
        assert_eq!(read.revision(), d.revision());
    }
}

/// Spec: R36
#[test]
fn the_snapshot_names_its_schema_first_and_holds_the_revision() {
    let d = cancel_started();
    let text = serde_json::to_string(&d).unwrap();
    assert!(
        text.starts_with(r#"{"schemaVersion":1,"revision":3,"#),
        "{text}"
    );
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        json!({
            "schemaVersion": 1,
            "revision": 3,
            "resource": {"kind": "SERVICE_INSTANCE", "serviceName": "shop", "name": "web"},
            "createdAt": 0,
            "status": "CANCELLING",
            "cancellation": "STARTED",
            "applied": {"kind": "TEMPLATE", "template": {"name": "web-tmpl", "major": "1", "minor": "0"}},
            "target": {"kind": "TEMPLATE", "template": {"name": "web-tmpl", "major": "1", "minor": "1"}},
            "lastAttempt": {
                "deploymentId": "a0000000-0000-4000-8000-000000000001",
                "at": 100000,
                "clientToken": "token-1"
            }
        })
    );
}

type Members = serde_json::Map<String, Value>;
type Edit = Box<dyn FnOnce(&mut Members)>;

/// Sets `status` and drops the cancellation phase, which only CANCELLING
/// has.
fn resting_in(d: &mut Members, status: &str) {
    d.insert("status".into(), json!(status));
    d.remove("cancellation");
}

/// The snapshot of `cancel_started()`, with `edit` applied, read back.
fn read_edited(edit: impl FnOnce(&mut Members)) -> String {
    let mut doc = serde_json::to_value(cancel_started()).unwrap();
    edit(doc.as_object_mut().unwrap());
    match serde_json::from_value::<Deployment>(doc) {
        Ok(d) => format!("read: {d:?}"),
        Err(e) => e.to_string(),
    }
}

/// Spec: R36
#[test]
fn a_snapshot_of_an_impossible_state_is_refused_by_name() {
    let cases: [(&str, Edit); 12] = [
        (
            "snapshot schema version 2 is not supported: this build reads version 1",
            Box::new(|d| {
                d.insert("schemaVersion".into(), json!(2));
            }),
        ),
        (
            "unknown field `note`, expected one of `schemaVersion`, `revision`, `resource`, \
             `createdAt`, `status`, `cancellation`, `statusMessage`, `applied`, `target`, \
             `lastAttempt`, `lastSuccess`",
            Box::new(|d| {
                d.insert("note".into(), json!("x"));
            }),
        ),
        (
            "missing field `revision`",
            Box::new(|d| {
                d.remove("revision");
            }),
        ),
        (
            "invalid ResourceName \"web!\": character '!' at index 3 does not match the pattern \
             ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$",
            Box::new(|d| {
                d["resource"]["name"] = json!("web!");
            }),
        ),
        (
            "unknown deployment status \"PAUSED\": a machine is only ever in one of the eight",
            Box::new(|d| resting_in(d, "PAUSED")),
        ),
        (
            "a IN_PROGRESS resource has no cancellation phase: only a CANCELLING one does",
            Box::new(|d| {
                d.insert("status".into(), json!("IN_PROGRESS"));
            }),
        ),
        (
            "a CANCELLING resource needs its cancellation phase (requested or started): none is given",
            Box::new(|d| {
                d.remove("cancellation");
            }),
        ),
        (
            "a SUCCEEDED resource runs no attempt, so it has no target",
            Box::new(|d| resting_in(d, "SUCCEEDED")),
        ),
        (
            "a CANCELLING resource has a running attempt: its last attempt and target are required",
            Box::new(|d| {
                d.remove("lastAttempt");
            }),
        ),
        (
            "the target does not fit a service instance: a service instance deploys a template \
             version",
            Box::new(|d| {
                d.insert("target".into(), json!({"kind": "COMPONENT"}));
            }),
        ),
        (
            "a CANCELLING resource has no status message",
            Box::new(|d| {
                d.insert("statusMessage".into(), json!("why"));
            }),
        ),
        (
            "a FAILED resource needs its status message (the failure reason)",
            Box::new(|d| {
                resting_in(d, "FAILED");
                d.remove("target");
            }),
        ),
    ];
    for (expected, edit) in cases {
        assert_eq!(read_edited(edit), expected);
    }
}

/// What restoring `web` at rest on 1.0, with `edit` applied, gives: `ok`,
/// or the error's message.
fn restored(edit: &dyn Fn(&mut Observed)) -> String {
    let mut o = Observed::new(instance(), t(0), config(0));
    edit(&mut o);
    Deployment::restore(o).map_or_else(|e| e.to_string(), |_| "ok".to_owned())
}

/// Spec: R39, R40
#[test]
fn restoring_refuses_every_state_the_machine_cannot_be_in() {
    let component = ResourceId::Component {
        name: name("cache"),
    };
    assert_eq!(
        restored(&|o| o.resource = component.clone()),
        "the applied configuration does not fit a component: a component deploys a service spec \
         and no template"
    );
    assert_eq!(
        Deployment::create(component.clone(), t(0), A, config(0), None)
            .unwrap_err()
            .to_string(),
        "the configuration does not fit a component: a component deploys a service spec and no \
         template"
    );
    assert_eq!(
        restored(&|o| o.status = DeploymentStatus::Cancelled),
        "a CANCELLED resource's status message is exactly \"User initiated cancellation.\""
    );
    assert_eq!(
        restored(&|o| {
            o.status = DeploymentStatus::Cancelled;
            o.status_message = Some(reason(StatusMessage::CANCELLED));
        }),
        "ok"
    );
    assert_eq!(
        restored(&|o| {
            o.last_success = Some(Success {
                deployment_id: A,
                at: t(1),
            })
        }),
        "a last success is always an attempt: the last attempt is required"
    );
    assert_eq!(
        restored(&|o| {
            o.last_attempt = Some(Attempt {
                deployment_id: A,
                at: t(1),
                client_token: None,
            })
        }),
        "a SUCCEEDED resource's last attempt is its last success (same deployment id and time)"
    );
    assert_eq!(
        restored(&|o| {
            o.status = DeploymentStatus::Failed;
            o.status_message = Some(reason("boom"));
            o.last_attempt = Some(Attempt {
                deployment_id: B,
                at: t(2),
                client_token: None,
            });
            o.last_success = Some(Success {
                deployment_id: A,
                at: t(1),
            });
        }),
        "ok"
    );
    assert_eq!(
        restored(&|o| o.status = DeploymentStatus::DeleteComplete),
        "ok"
    );
    assert_eq!(
        restored(&|o| o.status = DeploymentStatus::from("PAUSED")),
        "unknown deployment status \"PAUSED\": a machine is only ever in one of the eight"
    );
}

/// What reading `value` as `T` gives: its Debug form, or the error.
fn read_as<T: serde::de::DeserializeOwned + std::fmt::Debug>(value: Value) -> String {
    match serde_json::from_value::<T>(value) {
        Ok(t) => format!("{t:?}"),
        Err(e) => e.to_string(),
    }
}

/// Spec: R36
#[test]
fn a_kind_tagged_object_reads_in_any_order_and_takes_only_its_kinds_fields() {
    let instance =
        r#"ServiceInstance { service: ResourceName("shop"), name: ResourceName("web") }"#;
    let cases: [(Value, &str); 8] = [
        (
            json!({"kind": "SERVICE_INSTANCE", "serviceName": "shop", "name": "web"}),
            instance,
        ),
        (
            json!({"name": "web", "serviceName": "shop", "kind": "SERVICE_INSTANCE"}),
            instance,
        ),
        (
            json!({"kind": "SERVICE_PIPELINE", "serviceName": "shop"}),
            r#"ServicePipeline { service: ResourceName("shop") }"#,
        ),
        (
            json!({"kind": "SERVICE_INSTANCE", "serviceName": "shop"}),
            "missing field `name` (kind SERVICE_INSTANCE needs it)",
        ),
        (
            json!({"kind": "ENVIRONMENT", "serviceName": "shop", "name": "prod"}),
            "unknown field `serviceName` (kind ENVIRONMENT takes none)",
        ),
        (
            json!({"kind": "SERVICE_PIPELINE", "serviceName": "shop", "name": "web"}),
            "unknown field `name` (kind SERVICE_PIPELINE takes none)",
        ),
        (
            json!({"kind": "BUCKET", "name": "b"}),
            "unknown variant `BUCKET`, expected one of `SERVICE_INSTANCE`, `ENVIRONMENT`, \
             `SERVICE_PIPELINE`, `COMPONENT`",
        ),
        (json!({"name": "b"}), "missing field `kind`"),
    ];
    for (value, expected) in cases {
        assert_eq!(read_as::<ResourceId>(value.clone()), expected, "{value}");
    }

    let template = json!({"name": "t", "major": "1", "minor": "0"});
    let cases: [(Value, &str); 6] = [
        (
            json!({"spec": "s", "template": template, "kind": "TEMPLATE"}),
            r#"Template { template: TemplateRef { name: ResourceName("t"), major: TemplateVersion("1"), minor: TemplateVersion("0") }, spec: Some(Spec(<redacted>)) }"#,
        ),
        (
            json!({"kind": "COMPONENT"}),
            "Component { service_spec: None }",
        ),
        (
            json!({"kind": "TEMPLATE", "spec": "s"}),
            "missing field `template` (kind TEMPLATE needs it)",
        ),
        (
            json!({"kind": "TEMPLATE", "template": template, "serviceSpec": "s"}),
            "unknown field `serviceSpec` (kind TEMPLATE takes none)",
        ),
        (
            json!({"kind": "COMPONENT", "spec": "s"}),
            "unknown field `spec` (kind COMPONENT takes none)",
        ),
        (
            json!({"kind": "COMPONENT", "color": "red"}),
            "unknown field `color`, expected one of `kind`, `template`, `spec`, `serviceSpec`",
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(read_as::<Configuration>(value.clone()), expected, "{value}");
    }
}
