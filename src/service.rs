//! A service's own status (`ServiceStatus`), read from the deployments of
//! its parts: its pipeline and its instances. A service keeps no machine
//! of its own; what it is doing is what its parts are doing, so its status
//! is a function of theirs, and can never disagree with them.

use serde::{Deserialize, Serialize};

use crate::observed::Observed;
use crate::status::DeploymentStatus;

/// The `status` of a service as a whole, with AWS's wire strings
/// (`Display`, `FromStr` and serde all use them).
///
/// [`ServiceStatus::of`] produces seven of the fourteen; the cleanup
/// variants name AWS steps that have no counterpart here (a failed
/// creation or update leaves what it made in place, `docs/spec.md`), and
/// exist so that a client reads every status the model has.
///
/// ```
/// use proton_cancel::ServiceStatus;
///
/// assert_eq!(ServiceStatus::CreateInProgress.to_string(), "CREATE_IN_PROGRESS");
/// assert_eq!("ACTIVE".parse(), Ok(ServiceStatus::Active));
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ServiceStatus {
    /// A part made with the service has not yet deployed once.
    CreateInProgress,
    /// Not produced here: AWS cleaning up after a failed creation.
    CreateFailedCleanupInProgress,
    /// Not produced here: AWS's cleanup after a failed creation ended.
    CreateFailedCleanupComplete,
    /// Not produced here: AWS's cleanup after a failed creation failed.
    CreateFailedCleanupFailed,
    /// A part made with the service ended its first deployment FAILED or
    /// CANCELLED, and none of its deployments has succeeded since.
    CreateFailed,
    /// Every part has deployed, and nothing is being added or removed.
    Active,
    /// The service is being deleted: every part left is being deleted, and
    /// one still is.
    DeleteInProgress,
    /// The service's deletion failed: every part left failed to delete.
    DeleteFailed,
    /// An instance added later is deploying for the first time, or one
    /// removed is being deleted.
    UpdateInProgress,
    /// Not produced here: AWS cleaning up after a failed update.
    UpdateFailedCleanupInProgress,
    /// Not produced here: AWS's cleanup after a failed update ended.
    UpdateFailedCleanupComplete,
    /// Not produced here: AWS's cleanup after a failed update failed.
    UpdateFailedCleanupFailed,
    /// An instance added later never deployed, or one removed failed to
    /// delete.
    UpdateFailed,
    /// Not produced here: AWS's cleanup after an update failed.
    UpdateCompleteCleanupFailed,
}

/// How a part came to belong to its service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Joined {
    /// Made by the request that made the service (CreateService, or a
    /// seed): its creation is the service's.
    WithService,
    /// Added to a service that already existed (UpdateService's spec, or
    /// CreateServiceInstance): its creation is an update of the service.
    Later,
}

/// A service's status and the part that decided it, if one did (the
/// failing or working part, for a status message); `None` for ACTIVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceState<'a> {
    /// The service's status.
    pub status: ServiceStatus,
    /// The first part (in the order given) whose state gave the status.
    pub decided_by: Option<&'a Observed>,
}

/// What one part is doing, as far as its service's status goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Doing {
    // In precedence order, highest last.
    Nothing,
    RemovalFailed,
    AddingFailed,
    Removing,
    Adding,
    CreationFailed,
    Creating,
}

/// Whether no deployment of `o` has succeeded since it was created by a
/// request (it has an attempt on record, and no success). A part seeded at
/// rest has no attempt on record, and is not being created.
fn never_deployed(o: &Observed) -> bool {
    o.last_success.is_none() && o.last_attempt.is_some()
}

fn doing(o: &Observed, joined: Joined) -> Doing {
    let running = matches!(
        o.status,
        DeploymentStatus::InProgress | DeploymentStatus::Cancelling
    );
    let ended_unsuccessfully = matches!(
        o.status,
        DeploymentStatus::Failed | DeploymentStatus::Cancelled
    );
    match (&o.status, joined) {
        (DeploymentStatus::DeleteInProgress, _) => Doing::Removing,
        (DeploymentStatus::DeleteFailed, _) => Doing::RemovalFailed,
        _ if !never_deployed(o) => Doing::Nothing,
        (_, Joined::WithService) if running => Doing::Creating,
        (_, Joined::WithService) if ended_unsuccessfully => Doing::CreationFailed,
        (_, Joined::Later) if running => Doing::Adding,
        (_, Joined::Later) if ended_unsuccessfully => Doing::AddingFailed,
        _ => Doing::Nothing,
    }
}

impl ServiceStatus {
    /// The status of a service whose parts (its pipeline and instances,
    /// deleted ones included or not) are `parts`; `None` when every part is
    /// DELETE_COMPLETE or there is none: the service is gone.
    ///
    /// The rules, first match wins (`docs/spec.md`, R52):
    /// 1. every part left is being deleted: DELETE_IN_PROGRESS while one
    ///    still is, DELETE_FAILED once all failed;
    /// 2. a part made with the service is running its creation (no
    ///    deployment of it has succeeded yet): CREATE_IN_PROGRESS;
    /// 3. such a part ended FAILED or CANCELLED: CREATE_FAILED;
    /// 4. an instance added later is running its creation, or one removed
    ///    is DELETE_IN_PROGRESS: UPDATE_IN_PROGRESS;
    /// 5. such an instance ended FAILED or CANCELLED, or one removed is
    ///    DELETE_FAILED: UPDATE_FAILED;
    /// 6. otherwise ACTIVE. An update of a part already deployed
    ///    (UpdateServiceInstance, UpdateServicePipeline) is that part's
    ///    deployment, not the service's, and leaves it ACTIVE.
    ///
    /// ```
    /// use proton_cancel::{Configuration, Joined, Observed, ResourceId, ResourceName,
    ///     ServiceStatus, TemplateRef, TemplateVersion, Timestamp, DeploymentStatus};
    ///
    /// let name = |s: &str| ResourceName::new(s).unwrap();
    /// let web = ResourceId::ServiceInstance { service: name("shop"), name: name("web") };
    /// let template = TemplateRef {
    ///     name: name("svc"),
    ///     major: TemplateVersion::new("1").unwrap(),
    ///     minor: TemplateVersion::new("0").unwrap(),
    /// };
    /// let at_rest = Observed::new(web, Timestamp::from_secs(0),
    ///     Configuration::Template { template, spec: None });
    /// let state = ServiceStatus::of([(&at_rest, Joined::WithService)]).unwrap();
    /// assert_eq!(state.status, ServiceStatus::Active);
    ///
    /// let mut gone = at_rest.clone();
    /// gone.status = DeploymentStatus::DeleteComplete;
    /// assert_eq!(ServiceStatus::of([(&gone, Joined::WithService)]), None);
    /// ```
    pub fn of<'a>(
        parts: impl IntoIterator<Item = (&'a Observed, Joined)>,
    ) -> Option<ServiceState<'a>> {
        let left: Vec<(&Observed, Joined)> = parts
            .into_iter()
            .filter(|(o, _)| o.status != DeploymentStatus::DeleteComplete)
            .collect();
        let deleting = |o: &Observed| {
            matches!(
                o.status,
                DeploymentStatus::DeleteInProgress | DeploymentStatus::DeleteFailed
            )
        };
        let first_in = |status: DeploymentStatus| left.iter().find(|(o, _)| o.status == status);
        if left.iter().all(|(o, _)| deleting(o)) {
            let (status, decided_by) = match first_in(DeploymentStatus::DeleteInProgress) {
                Some((o, _)) => (Self::DeleteInProgress, *o),
                None => (
                    Self::DeleteFailed,
                    first_in(DeploymentStatus::DeleteFailed)?.0,
                ),
            };
            return Some(ServiceState {
                status,
                decided_by: Some(decided_by),
            });
        }
        let (doing, decided_by) = left.iter().map(|(o, joined)| (doing(o, *joined), *o)).fold(
            (Doing::Nothing, None),
            |best, (d, o)| {
                if d > best.0 { (d, Some(o)) } else { best }
            },
        );
        let status = match doing {
            Doing::Creating => Self::CreateInProgress,
            Doing::CreationFailed => Self::CreateFailed,
            Doing::Adding | Doing::Removing => Self::UpdateInProgress,
            Doing::AddingFailed | Doing::RemovalFailed => Self::UpdateFailed,
            Doing::Nothing => Self::Active,
        };
        Some(ServiceState { status, decided_by })
    }
}
