//! A service's status, read from its parts (docs/spec.md R52): each rule
//! on its own, then every combination of up to three parts in every state
//! against the rules written as predicates, in every order.

use proptest::prelude::*;
use proton_cancel::*;
use proton_cancel_test_support::builders::*;

/// A part of `shop` at rest (seeded: SUCCEEDED, no attempt on record).
fn part(n: &str) -> Observed {
    Observed::new(
        ResourceId::ServiceInstance {
            service: name("shop"),
            name: name(n),
        },
        t(0),
        config(0),
    )
}

/// `o` after a request made it and its first deployment is `status`
/// (never succeeded).
fn first_deployment(mut o: Observed, status: DeploymentStatus) -> Observed {
    o.last_attempt = Some(Attempt {
        deployment_id: A,
        at: t(0),
        client_token: None,
    });
    o.status_message = match status {
        DeploymentStatus::Failed | DeploymentStatus::DeleteFailed => Some(reason("broken")),
        DeploymentStatus::Cancelled => Some(reason(StatusMessage::CANCELLED)),
        _ => None,
    };
    o.status = status;
    o
}

/// `o` with a success on record, then `status`.
fn deployed_then(mut o: Observed, status: DeploymentStatus) -> Observed {
    o = first_deployment(o, status);
    o.last_success = Some(Success {
        deployment_id: A,
        at: t(0),
    });
    o
}

fn status_of(parts: &[(&Observed, Joined)]) -> Option<ServiceStatus> {
    ServiceStatus::of(parts.iter().copied()).map(|s| s.status)
}

use DeploymentStatus as D;
use Joined::{Later, WithService};

/// Spec: R52
#[test]
fn a_service_whose_parts_are_all_deployed_is_active() {
    let (web, api) = (part("web"), deployed_then(part("api"), D::Succeeded));
    let state = ServiceStatus::of([(&web, WithService), (&api, Later)]).unwrap();
    assert_eq!(state.status, ServiceStatus::Active);
    assert_eq!(state.decided_by, None);
}

/// Spec: R52
#[test]
fn a_part_made_with_the_service_and_still_deploying_makes_it_create_in_progress() {
    let web = part("web");
    for running in [D::InProgress, D::Cancelling] {
        let api = first_deployment(part("api"), running.clone());
        let state = ServiceStatus::of([(&web, WithService), (&api, WithService)]).unwrap();
        assert_eq!(state.status, ServiceStatus::CreateInProgress, "{running}");
        assert_eq!(state.decided_by, Some(&api));
    }
}

/// Spec: R52
#[test]
fn a_part_made_with_the_service_whose_first_deployment_failed_or_was_cancelled_makes_it_create_failed()
 {
    for ended in [D::Failed, D::Cancelled] {
        let api = first_deployment(part("api"), ended.clone());
        assert_eq!(
            status_of(&[(&part("web"), WithService), (&api, WithService)]),
            Some(ServiceStatus::CreateFailed),
            "{ended}"
        );
    }
}

/// Spec: R52
#[test]
fn an_instance_added_later_makes_it_update_in_progress_then_update_failed() {
    let web = part("web");
    let adding = first_deployment(part("api"), D::InProgress);
    let failed = first_deployment(part("api"), D::Failed);
    assert_eq!(
        status_of(&[(&web, WithService), (&adding, Later)]),
        Some(ServiceStatus::UpdateInProgress)
    );
    assert_eq!(
        status_of(&[(&web, WithService), (&failed, Later)]),
        Some(ServiceStatus::UpdateFailed)
    );
}

/// Spec: R52
#[test]
fn an_instance_being_removed_makes_it_update_in_progress_then_update_failed_or_active() {
    let web = part("web");
    let removing = deployed_then(part("api"), D::DeleteInProgress);
    let failed = deployed_then(part("api"), D::DeleteFailed);
    let removed = deployed_then(part("api"), D::DeleteComplete);
    assert_eq!(
        status_of(&[(&web, WithService), (&removing, WithService)]),
        Some(ServiceStatus::UpdateInProgress)
    );
    assert_eq!(
        status_of(&[(&web, WithService), (&failed, WithService)]),
        Some(ServiceStatus::UpdateFailed)
    );
    assert_eq!(
        status_of(&[(&web, WithService), (&removed, WithService)]),
        Some(ServiceStatus::Active)
    );
}

/// Spec: R52
#[test]
fn a_service_whose_parts_are_all_being_deleted_is_delete_in_progress_then_delete_failed_then_gone()
{
    let deleting = deployed_then(part("web"), D::DeleteInProgress);
    let failed = deployed_then(part("api"), D::DeleteFailed);
    let done = deployed_then(part("db"), D::DeleteComplete);
    let state = ServiceStatus::of([(&failed, WithService), (&deleting, WithService)]).unwrap();
    assert_eq!(state.status, ServiceStatus::DeleteInProgress);
    assert_eq!(state.decided_by, Some(&deleting));
    let state = ServiceStatus::of([(&done, WithService), (&failed, WithService)]).unwrap();
    assert_eq!(state.status, ServiceStatus::DeleteFailed);
    assert_eq!(state.decided_by, Some(&failed));
    assert_eq!(status_of(&[(&done, WithService)]), None);
    assert_eq!(status_of(&[]), None);
}

/// Spec: R52
#[test]
fn an_update_of_a_part_already_deployed_leaves_the_service_active() {
    for status in [D::InProgress, D::Cancelling, D::Failed, D::Cancelled] {
        let web = deployed_then(part("web"), status.clone());
        assert_eq!(
            status_of(&[(&web, WithService)]),
            Some(ServiceStatus::Active),
            "{status}"
        );
    }
}

#[test]
fn every_status_has_the_model_s_wire_string() {
    use strum::IntoEnumIterator as _;
    let strings: Vec<String> = ServiceStatus::iter().map(|s| s.to_string()).collect();
    assert_eq!(
        strings,
        [
            "CREATE_IN_PROGRESS",
            "CREATE_FAILED_CLEANUP_IN_PROGRESS",
            "CREATE_FAILED_CLEANUP_COMPLETE",
            "CREATE_FAILED_CLEANUP_FAILED",
            "CREATE_FAILED",
            "ACTIVE",
            "DELETE_IN_PROGRESS",
            "DELETE_FAILED",
            "UPDATE_IN_PROGRESS",
            "UPDATE_FAILED_CLEANUP_IN_PROGRESS",
            "UPDATE_FAILED_CLEANUP_COMPLETE",
            "UPDATE_FAILED_CLEANUP_FAILED",
            "UPDATE_FAILED",
            "UPDATE_COMPLETE_CLEANUP_FAILED",
        ]
    );
    for s in ServiceStatus::iter() {
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, format!("\"{s}\""));
        assert_eq!(serde_json::from_str::<ServiceStatus>(&json).unwrap(), s);
        assert_eq!(s.to_string().parse::<ServiceStatus>(), Ok(s));
    }
}

/// Every state one part can be in, for the service's status: its status,
/// whether it ever deployed, whether it has an attempt on record.
fn one_part(n: &str, i: usize) -> Observed {
    let status = D::ALL[i % D::ALL.len()].clone();
    match i / D::ALL.len() {
        0 => first_deployment(part(n), status),
        1 => deployed_then(part(n), status),
        _ => {
            let mut o = part(n);
            o.status = status;
            o
        }
    }
}

const STATES: usize = 8 * 3;

/// The rules again, each as what must hold of the parts for the status:
/// an independent statement of R52 to hold `ServiceStatus::of` against.
fn expected(parts: &[(&Observed, Joined)]) -> Option<ServiceStatus> {
    let left: Vec<_> = parts
        .iter()
        .filter(|(o, _)| o.status != D::DeleteComplete)
        .collect();
    if left.is_empty() {
        return None;
    }
    let never = |o: &Observed| o.last_success.is_none() && o.last_attempt.is_some();
    let any = |joined: Option<Joined>, statuses: &[D], first: bool| {
        left.iter().any(|(o, j)| {
            joined.is_none_or(|want| *j == want)
                && statuses.contains(&o.status)
                && (!first || never(o))
        })
    };
    let deleting = [D::DeleteInProgress, D::DeleteFailed];
    Some(if left.iter().all(|(o, _)| deleting.contains(&o.status)) {
        if any(None, &[D::DeleteInProgress], false) {
            ServiceStatus::DeleteInProgress
        } else {
            ServiceStatus::DeleteFailed
        }
    } else if any(Some(WithService), &[D::InProgress, D::Cancelling], true) {
        ServiceStatus::CreateInProgress
    } else if any(Some(WithService), &[D::Failed, D::Cancelled], true) {
        ServiceStatus::CreateFailed
    } else if any(Some(Later), &[D::InProgress, D::Cancelling], true)
        || any(None, &[D::DeleteInProgress], false)
    {
        ServiceStatus::UpdateInProgress
    } else if any(Some(Later), &[D::Failed, D::Cancelled], true)
        || any(None, &[D::DeleteFailed], false)
    {
        ServiceStatus::UpdateFailed
    } else {
        ServiceStatus::Active
    })
}

/// Spec: R52
#[test]
fn every_service_of_up_to_three_parts_in_every_state_has_the_status_the_rules_give() {
    let joined = [WithService, Later];
    let mut checked = 0;
    for n in 0..=3u32 {
        let combos = (STATES * 2).pow(n);
        for mut c in 0..combos {
            let mut owned = Vec::new();
            for k in 0..n {
                let choice = c % (STATES * 2);
                c /= STATES * 2;
                owned.push((one_part(&format!("p{k}"), choice / 2), joined[choice % 2]));
            }
            let parts: Vec<(&Observed, Joined)> = owned.iter().map(|(o, j)| (o, *j)).collect();
            let state = ServiceStatus::of(parts.iter().copied());
            assert_eq!(state.map(|s| s.status), expected(&parts), "{parts:?}");
            if let Some(s) = state {
                let decided = s.decided_by.map(|o| o.resource.clone());
                assert_eq!(
                    decided.is_none(),
                    s.status == ServiceStatus::Active,
                    "a part decides every status but ACTIVE: {parts:?}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 1 + 48 + 48 * 48 + 48 * 48 * 48);
}

proptest! {
    /// The order the parts are given in never changes the status.
    #[test]
    fn the_order_of_the_parts_does_not_change_the_status(
        states in proptest::collection::vec((0..STATES, any::<bool>()), 0..6),
        rotate in 0usize..6,
    ) {
        let owned: Vec<(Observed, Joined)> = states
            .iter()
            .enumerate()
            .map(|(k, (i, later))| {
                (one_part(&format!("p{k}"), *i), if *later { Later } else { WithService })
            })
            .collect();
        let mut parts: Vec<(&Observed, Joined)> = owned.iter().map(|(o, j)| (o, *j)).collect();
        let before = status_of(&parts);
        if !parts.is_empty() {
            let by = rotate % parts.len();
            parts.rotate_left(by);
        }
        parts.reverse();
        prop_assert_eq!(status_of(&parts), before);
    }
}
