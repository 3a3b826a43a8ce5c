//! The eight deployment statuses: wire strings, parsing, serde, and the
//! classification a client needs.

use proton_cancel::DeploymentStatus::{self, *};

const WIRE: [(DeploymentStatus, &str); 8] = [
    (InProgress, "IN_PROGRESS"),
    (Failed, "FAILED"),
    (Succeeded, "SUCCEEDED"),
    (DeleteInProgress, "DELETE_IN_PROGRESS"),
    (DeleteFailed, "DELETE_FAILED"),
    (DeleteComplete, "DELETE_COMPLETE"),
    (Cancelling, "CANCELLING"),
    (Cancelled, "CANCELLED"),
];

/// Spec: R1
#[test]
fn each_status_has_exactly_the_aws_wire_string_everywhere() {
    for (status, wire) in WIRE {
        assert_eq!(status.to_string(), wire);
        assert_eq!(status.as_str(), wire);
        assert_eq!(status.as_ref() as &str, wire);
        assert_eq!(wire.parse::<DeploymentStatus>(), Ok(status.clone()));
        assert_eq!(DeploymentStatus::from(wire), status);
        assert!(status.is_known());
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            format!("\"{wire}\"")
        );
        assert_eq!(
            serde_json::from_str::<DeploymentStatus>(&format!("\"{wire}\"")).unwrap(),
            status
        );
    }
}

/// Spec: R1
#[test]
fn all_and_iteration_list_the_eight_statuses_in_model_order() {
    let order: Vec<DeploymentStatus> = WIRE.iter().map(|(s, _)| s.clone()).collect();
    assert_eq!(DeploymentStatus::ALL.to_vec(), order);
}

/// Spec: R1
#[test]
fn unknown_status_error_names_the_value_and_lists_the_eight() {
    let expected_tail = ": expected one of IN_PROGRESS, FAILED, SUCCEEDED, DELETE_IN_PROGRESS, \
                         DELETE_FAILED, DELETE_COMPLETE, CANCELLING, CANCELLED";
    for (input, shown) in [
        ("CANCELED", "\"CANCELED\""),
        ("in_progress", "\"in_progress\""),
        ("", "\"\""),
        (" SUCCEEDED", "\" SUCCEEDED\""),
        ("FAILED\n", "\"FAILED\\n\""),
    ] {
        let err = input.parse::<DeploymentStatus>().unwrap_err();
        assert_eq!(err.value(), input);
        assert_eq!(
            err.to_string(),
            format!("unknown deployment status {shown}{expected_tail}")
        );
    }
    assert_eq!(
        serde_json::from_str::<proton_cancel::Timestamp>("\"1\"")
            .unwrap_err()
            .to_string(),
        "invalid type: string \"1\", expected epoch seconds as a number at line 1 column 3"
    );
    assert_eq!(
        serde_json::from_str::<DeploymentStatus>("3")
            .unwrap_err()
            .to_string(),
        "invalid type: integer `3`, expected a deployment status string at line 1 column 1"
    );
}

/// Spec: R41
#[test]
fn a_status_a_service_adds_later_is_kept_and_never_settles() {
    for read in [
        DeploymentStatus::from("PAUSED"),
        serde_json::from_str::<DeploymentStatus>("\"PAUSED\"").unwrap(),
    ] {
        assert!(matches!(&read, DeploymentStatus::Unknown(u) if u.as_str() == "PAUSED"));
        assert_eq!(read.as_str(), "PAUSED");
        assert_eq!(read.to_string(), "PAUSED");
        assert_eq!(serde_json::to_string(&read).unwrap(), "\"PAUSED\"");
        assert!(!read.is_known());
        assert!(!read.is_settled(), "a client cannot know that it is final");
        assert!(!read.is_cancellable());
        assert!(!read.is_deletion());
    }
    // Typed, it is a mistake: FromStr is strict.
    assert!("PAUSED".parse::<DeploymentStatus>().is_err());
    // Known strings are never read as unknown, whatever the route.
    assert_eq!(DeploymentStatus::from("CANCELLED"), Cancelled);
}

/// The statuses, in the model's order, for which `holds` is true.
fn statuses(holds: fn(&DeploymentStatus) -> bool) -> Vec<DeploymentStatus> {
    DeploymentStatus::ALL.into_iter().filter(holds).collect()
}

/// Spec: R2
#[test]
fn settled_statuses_are_the_five_that_wait_for_a_new_call() {
    let settled = statuses(DeploymentStatus::is_settled);
    assert_eq!(
        settled,
        [Failed, Succeeded, DeleteFailed, DeleteComplete, Cancelled]
    );
}

/// Spec: R2
#[test]
fn only_in_progress_is_cancellable() {
    let cancellable = statuses(DeploymentStatus::is_cancellable);
    assert_eq!(cancellable, [InProgress]);
}

/// Spec: R2
#[test]
fn deletion_statuses_are_the_three_delete_ones() {
    let deletion = statuses(DeploymentStatus::is_deletion);
    assert_eq!(deletion, [DeleteInProgress, DeleteFailed, DeleteComplete]);
}
