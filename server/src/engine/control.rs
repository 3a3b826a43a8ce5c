//! What the control API does with the engine: its modes (automatic, or
//! manual: reports wait for a call that delivers them), the queued reports
//! as it lists them, a delivery of a resource's next report (its result
//! and message optionally given), and a resource's script changed at
//! runtime.

use proton_cancel::{Outcome, ResourceId, Timestamp};
use serde::{Deserialize, Serialize};

use super::script::EngineOverrides;
use super::{CANCELLATION_FAILURE, DELETION_FAILURE, EngineScript, Report, UPDATE_FAILURE};
use crate::app::App;
use crate::control::{ControlError, ResourceKey};
use crate::store::{Expected, Produced, Written};
use crate::stored::Entry;

/// An engine mode as the control API writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Mode {
    /// Reports are delivered as they fall due.
    Auto,
    /// Reports wait until a control call delivers them.
    Manual,
}

impl Mode {
    fn word(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Manual => "manual",
        }
    }

    fn of(manual: bool) -> Self {
        if manual { Self::Manual } else { Self::Auto }
    }
}

/// A queued report as the control API lists it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PendingView {
    /// The resource's key.
    resource: String,
    /// `UpdateFinished`, `CancellationStarted`, `CancellationFinished` or
    /// `DeleteFinished`.
    report: &'static str,
    /// The attempt it is about (none for a deletion's).
    #[serde(skip_serializing_if = "Option::is_none")]
    deployment_id: Option<String>,
    /// `SUCCEEDED` or `FAILED` (none for a cancellation's start).
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'static str>,
    /// A failure's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// When it falls due, in milliseconds since the Unix epoch.
    due_ms: i64,
    /// Milliseconds from now until it falls due (negative when overdue).
    due_in_ms: i64,
    /// Whether the resource's mode is manual (so it waits for a delivery).
    held: bool,
}

impl PendingView {
    fn of(
        resource: &ResourceId,
        report: &Report,
        due: Timestamp,
        now: Timestamp,
        held: bool,
    ) -> Self {
        let (deployment_id, failure) = report.parts();
        let has_result = !matches!(report, Report::CancellationStarted { .. });
        Self {
            resource: ResourceKey::of(resource),
            report: report.kind().name(),
            deployment_id: deployment_id.map(|d| d.to_string()),
            result: has_result.then_some(if failure.is_some() {
                "FAILED"
            } else {
                "SUCCEEDED"
            }),
            message: failure.map(str::to_owned),
            due_ms: due.as_millis(),
            due_in_ms: due.as_millis().saturating_sub(now.as_millis()),
            held,
        }
    }
}

/// The result a delivery gives a report in place of its scripted one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) enum GivenResult {
    /// It worked.
    #[serde(rename = "SUCCEEDED")]
    Succeeded,
    /// It failed, with the message given or the engine's reason.
    #[serde(rename = "FAILED")]
    Failed,
}

/// A kind of report, as a delivery may name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) enum ReportKind {
    /// The update's result.
    UpdateFinished,
    /// The start of the rollback.
    CancellationStarted,
    /// The cancellation's result.
    CancellationFinished,
    /// The deletion's result.
    DeleteFinished,
}

impl ReportKind {
    fn name(self) -> &'static str {
        match self {
            Self::UpdateFinished => "UpdateFinished",
            Self::CancellationStarted => "CancellationStarted",
            Self::CancellationFinished => "CancellationFinished",
            Self::DeleteFinished => "DeleteFinished",
        }
    }
}

/// What a delivery did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Delivered {
    delivered: PendingView,
    /// `applied` or `ignored`.
    outcome: &'static str,
    /// The status before an applied report.
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    /// The resource's status after the delivery.
    status: String,
    /// Why the machine ignored it.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Report {
    /// The attempt it is about and a failure's reason.
    fn parts(&self) -> (Option<proton_cancel::DeploymentId>, Option<&str>) {
        match self {
            Self::UpdateFinished {
                deployment_id,
                failure,
            }
            | Self::CancellationFinished {
                deployment_id,
                failure,
            } => (Some(*deployment_id), failure.as_deref()),
            Self::CancellationStarted { deployment_id } => (Some(*deployment_id), None),
            Self::DeleteFinished { failure } => (None, failure.as_deref()),
        }
    }

    fn kind(&self) -> ReportKind {
        match self {
            Self::UpdateFinished { .. } => ReportKind::UpdateFinished,
            Self::CancellationStarted { .. } => ReportKind::CancellationStarted,
            Self::CancellationFinished { .. } => ReportKind::CancellationFinished,
            Self::DeleteFinished { .. } => ReportKind::DeleteFinished,
        }
    }

    /// The report with the result (and message) a delivery gives.
    fn given(
        self,
        result: Option<GivenResult>,
        message: Option<String>,
    ) -> Result<Self, ControlError> {
        let (failure, default_reason) = match &self {
            Self::UpdateFinished { failure, .. } => (failure, UPDATE_FAILURE),
            Self::CancellationFinished { failure, .. } => (failure, CANCELLATION_FAILURE),
            Self::DeleteFinished { failure } => (failure, DELETION_FAILURE),
            Self::CancellationStarted { .. } => {
                if result.is_some() || message.is_some() {
                    return Err(ControlError::invalid(
                        "result: the next report is CancellationStarted, which has no result \
                         or message",
                    ));
                }
                return Ok(self);
            }
        };
        let failure = match (result, message) {
            (None, None) => return Ok(self),
            (Some(GivenResult::Succeeded), None) => None,
            (Some(GivenResult::Succeeded), Some(_)) => {
                return Err(ControlError::invalid(
                    "message: a message is given only with the result FAILED",
                ));
            }
            (Some(GivenResult::Failed), message) => {
                Some(message.unwrap_or_else(|| default_reason.to_owned()))
            }
            (None, Some(message)) if failure.is_some() => Some(message),
            (None, Some(_)) => {
                return Err(ControlError::invalid(
                    "message: the next report succeeds; give \"result\": \"FAILED\" with a message",
                ));
            }
        };
        Ok(match self {
            Self::UpdateFinished { deployment_id, .. } => Self::UpdateFinished {
                deployment_id,
                failure,
            },
            Self::CancellationFinished { deployment_id, .. } => Self::CancellationFinished {
                deployment_id,
                failure,
            },
            Self::DeleteFinished { .. } => Self::DeleteFinished { failure },
            started @ Self::CancellationStarted { .. } => started,
        })
    }
}

/// The engine's modes and queued reports, as `GET /_proton-cancel/engine`
/// answers.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EngineView {
    /// The mode of every resource without one of its own.
    mode: Mode,
    /// The resources with a mode of their own.
    resources: Vec<ResourceMode>,
    /// Every queued report, in due order.
    pending: Vec<PendingView>,
    /// The server's time, in milliseconds since the Unix epoch.
    now_ms: i64,
}

impl EngineView {
    /// The mode of every resource without its own, as the page writes it.
    pub(crate) fn mode_word(&self) -> &'static str {
        self.mode.word()
    }

    /// Each resource's own mode, by key.
    pub(crate) fn modes_by_resource(&self) -> std::collections::BTreeMap<String, &'static str> {
        self.resources
            .iter()
            .map(|r| (r.resource.clone(), r.mode.word()))
            .collect()
    }

    /// Each resource's pending reports, in due order, by key.
    pub(crate) fn pending_by_resource(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut by = std::collections::BTreeMap::<String, Vec<String>>::new();
        for p in &self.pending {
            by.entry(p.resource.clone())
                .or_default()
                .push(p.report.to_owned());
        }
        by
    }
}

#[derive(Debug, Serialize)]
struct ResourceMode {
    resource: String,
    mode: Mode,
}

impl App {
    /// Fails with 404 unless the store holds `id`.
    pub(crate) async fn must_exist(&self, id: &ResourceId) -> Result<(), ControlError> {
        match self.store().load(id).await.map_err(ControlError::store)? {
            Some(_) => Ok(()),
            None => Err(ControlError::not_found(id)),
        }
    }

    /// Sets the engine mode of `resource` (of every resource without its
    /// own, when `None`); `None` as the mode takes a resource's own mode
    /// away.
    pub(crate) async fn set_mode(
        &self,
        resource: Option<&ResourceId>,
        mode: Option<Mode>,
    ) -> Result<(), ControlError> {
        if let Some(id) = resource {
            self.must_exist(id).await?;
        }
        let manual = match (resource, mode) {
            (None, None) => Some(false),
            (_, mode) => mode.map(|m| m == Mode::Manual),
        };
        self.store()
            .set_mode(resource, manual)
            .await
            .map_err(ControlError::store)?;
        tracing::info!(
            resource = %resource.map_or_else(|| "*".to_owned(), ResourceKey::of),
            mode = ?mode,
            "engine mode set"
        );
        // Reports a mode released may be due already.
        self.queued().notify_one();
        Ok(())
    }

    /// The modes and every queued report.
    pub(crate) async fn engine_view(&self) -> Result<EngineView, ControlError> {
        let now = self.now();
        let mut mode = Mode::Auto;
        let mut resources = Vec::new();
        for (scope, manual) in self.store().modes().await.map_err(ControlError::store)? {
            match scope {
                None => mode = Mode::of(manual),
                Some(id) => resources.push(ResourceMode {
                    resource: ResourceKey::of(&id),
                    mode: Mode::of(manual),
                }),
            }
        }
        let pending = self
            .store()
            .pending()
            .await
            .map_err(ControlError::store)?
            .into_iter()
            .filter_map(|p| {
                let report = Report::read(&p.payload).ok()?;
                Some(PendingView::of(&p.resource, &report, p.due, now, p.held))
            })
            .collect();
        Ok(EngineView {
            mode,
            resources,
            pending,
            now_ms: now.as_millis(),
        })
    }

    /// Delivers `id`'s first queued report in due order (of kind `kind`,
    /// when given), whatever its due time and mode, with the result and
    /// message given in place of the scripted ones.
    pub(crate) async fn deliver_next(
        &self,
        id: &ResourceId,
        kind: Option<ReportKind>,
        (result, message): (Option<GivenResult>, Option<String>),
    ) -> Result<Delivered, ControlError> {
        let now = self.now();
        let job = loop {
            let pending = self.store().pending().await.map_err(ControlError::store)?;
            let next = pending.iter().find(|p| {
                &p.resource == id
                    && kind.is_none_or(|k| Report::read(&p.payload).is_ok_and(|r| r.kind() == k))
            });
            let Some(next) = next else {
                self.must_exist(id).await?;
                let what = kind.map_or("engine report", ReportKind::name);
                return Err(ControlError::conflict(
                    "NothingPending",
                    format!("no {what} is pending for {id}"),
                ));
            };
            // Claimed by a worker meanwhile: look again.
            if let Some(job) = self
                .store()
                .claim_job(next.id, now, self.job_lease())
                .await
                .map_err(ControlError::store)?
            {
                break job;
            }
        };
        let job_id = job.id;
        let release = |e: ControlError| async move {
            let _ = self.store().release_job(job_id).await;
            e
        };
        let report = match Report::read(&job.payload) {
            Ok(report) => report,
            Err(e) => {
                return Err(release(ControlError::invalid(format!(
                    "the next report of {id} cannot be read: {e}"
                )))
                .await);
            }
        };
        let report = match report.given(result, message) {
            Ok(report) => report,
            Err(e) => return Err(release(e).await),
        };
        let view = PendingView::of(id, &report, job.due, now, true);
        tracing::info!(resource = %id, report = %report.name(), "engine report delivered by a control call");
        let input = report.at(now);
        let (outcome, entry) = match self.apply(id, |_| Ok(input.clone())).await {
            Ok(done) => done,
            Err(e) => return Err(release(ControlError::api(e)).await),
        };
        self.store()
            .finish_job(job.id)
            .await
            .map_err(ControlError::store)?;
        let status = entry.deployment.status().to_string();
        Ok(match outcome {
            Outcome::Applied(t) => Delivered {
                delivered: view,
                outcome: "applied",
                from: Some(t.from.status().to_string()),
                status,
                reason: None,
            },
            other => Delivered {
                delivered: view,
                outcome: "ignored",
                from: None,
                status,
                reason: other.ignore_reason().map(|r| r.to_string()),
            },
        })
    }

    /// Puts `overrides` over `id`'s engine script, for the work its next
    /// accepted calls start (reports already queued keep theirs); the
    /// script after.
    pub(crate) async fn set_script(
        &self,
        id: &ResourceId,
        overrides: &EngineOverrides,
    ) -> Result<EngineScript, ControlError> {
        loop {
            let Some((row, _)) = self
                .store()
                .load_for_write(id)
                .await
                .map_err(ControlError::store)?
            else {
                return Err(ControlError::not_found(id));
            };
            let expected = Expected::of(&row);
            let mut entry = Entry::of(row).map_err(ControlError::api)?;
            entry.meta.engine = overrides.over(&entry.meta.engine);
            let written = self
                .store()
                .commit(&expected, &entry.row(), &Produced::default())
                .await
                .map_err(ControlError::store)?;
            self.cache().forget(id);
            if written == Written::Committed {
                tracing::info!(resource = %id, "engine script set");
                return Ok(entry.meta.engine);
            }
        }
    }
}
