//! The simulated provisioning engine: what it is told to do
//! ([`EngineScript`]), the reports it will send, which it queues as jobs
//! when the machine asks for work (an [`Effect`]), and the worker that
//! delivers them as they fall due.

mod control;
mod script;
mod worker;

use proton_cancel::{
    DeploymentId, Effect, EngineResult, Input, ResourceId, StatusMessage, Timestamp,
};
use serde::{Deserialize, Serialize};

pub(crate) use control::{GivenResult, Mode, ReportKind};
pub use script::{
    CANCELLATION_FAILURE, DELETION_FAILURE, EngineOverrides, EngineScript, UPDATE_FAILURE,
};

use crate::store::NewJob;

/// A report the engine will send; the time is added when it is delivered.
/// Stored as a job's payload, as JSON text written and read only here.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "report", rename_all = "camelCase")]
enum Report {
    #[serde(rename_all = "camelCase")]
    UpdateFinished {
        deployment_id: DeploymentId,
        failure: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    CancellationStarted { deployment_id: DeploymentId },
    #[serde(rename_all = "camelCase")]
    CancellationFinished {
        deployment_id: DeploymentId,
        failure: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    DeleteFinished { failure: Option<String> },
}

fn failure_of(result: &EngineResult) -> Option<String> {
    match result {
        EngineResult::Succeeded => None,
        EngineResult::Failed(reason) => Some(reason.as_str().to_owned()),
    }
}

fn result_of(failure: Option<String>) -> EngineResult {
    match failure {
        None => EngineResult::Succeeded,
        Some(reason) => EngineResult::Failed(StatusMessage::new(reason)),
    }
}

impl Report {
    /// The report as JSON text, for a job's payload.
    fn payload(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A job's payload as a report.
    fn read(payload: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(payload)
    }

    fn name(&self) -> &'static str {
        match self {
            Self::UpdateFinished { failure: None, .. } => "UpdateFinished(SUCCEEDED)",
            Self::UpdateFinished { .. } => "UpdateFinished(FAILED)",
            Self::CancellationStarted { .. } => "CancellationStarted",
            Self::CancellationFinished { failure: None, .. } => "CancellationFinished(SUCCEEDED)",
            Self::CancellationFinished { .. } => "CancellationFinished(FAILED)",
            Self::DeleteFinished { failure: None } => "DeleteFinished(SUCCEEDED)",
            Self::DeleteFinished { .. } => "DeleteFinished(FAILED)",
        }
    }

    /// The machine's input for this report, delivered at `at`.
    fn at(self, at: Timestamp) -> Input {
        match self {
            Self::UpdateFinished {
                deployment_id,
                failure,
            } => Input::UpdateFinished {
                at,
                deployment_id,
                result: result_of(failure),
            },
            Self::CancellationStarted { deployment_id } => {
                Input::CancellationStarted { at, deployment_id }
            }
            Self::CancellationFinished {
                deployment_id,
                failure,
            } => Input::CancellationFinished {
                at,
                deployment_id,
                result: result_of(failure),
            },
            Self::DeleteFinished { failure } => Input::DeleteFinished {
                at,
                result: result_of(failure),
            },
        }
    }
}

/// Whether `payload` reads as a queued report; why not.
pub(crate) fn read_report(payload: &str) -> Result<(), serde_json::Error> {
    Report::read(payload).map(|_| ())
}

/// The engine's future reports for an effect of the machine on `id`, as
/// `script` says, counted from `now`.
pub(crate) fn jobs(
    id: &ResourceId,
    effect: &Effect,
    script: &EngineScript,
    now: Timestamp,
) -> Vec<NewJob> {
    let after = |ms: u64| {
        Timestamp::from_millis(
            now.as_millis()
                .saturating_add(i64::try_from(ms).unwrap_or(i64::MAX)),
        )
    };
    let job = |due: Timestamp, report: Report| NewJob {
        due,
        resource: id.clone(),
        payload: report.payload(),
    };
    let mut jobs = Vec::new();
    match effect {
        Effect::StartDeployment { deployment_id, .. } => {
            if let Some(ms) = script.update_after_ms {
                jobs.push(job(
                    after(ms),
                    Report::UpdateFinished {
                        deployment_id: *deployment_id,
                        failure: failure_of(&script.update_result),
                    },
                ));
            }
        }
        Effect::StartCancellation { deployment_id } => {
            if let Some(start) = script.cancel_start_after_ms {
                let deployment_id = *deployment_id;
                jobs.push(job(
                    after(start),
                    Report::CancellationStarted { deployment_id },
                ));
                if let Some(finish) = script.cancel_finish_after_ms {
                    jobs.push(job(
                        after(start.saturating_add(finish)),
                        Report::CancellationFinished {
                            deployment_id,
                            failure: failure_of(&script.cancel_result),
                        },
                    ));
                }
            }
        }
        Effect::StartDeletion => {
            if let Some(ms) = script.delete_after_ms {
                jobs.push(job(
                    after(ms),
                    Report::DeleteFinished {
                        failure: failure_of(&script.delete_result),
                    },
                ));
            }
        }
        // An effect a later core adds has no engine work here.
        _ => {}
    }
    jobs
}

#[cfg(test)]
mod tests {
    use proton_cancel::DeploymentId;

    use super::Report;

    /// The log's `report` field names each report and its result.
    #[test]
    fn each_report_is_logged_by_its_name_and_result() {
        let deployment_id = DeploymentId::from_u128(1);
        let failure = Some("it broke".to_owned());
        let named = [
            (
                Report::UpdateFinished {
                    deployment_id,
                    failure: None,
                },
                "UpdateFinished(SUCCEEDED)",
            ),
            (
                Report::UpdateFinished {
                    deployment_id,
                    failure: failure.clone(),
                },
                "UpdateFinished(FAILED)",
            ),
            (
                Report::CancellationStarted { deployment_id },
                "CancellationStarted",
            ),
            (
                Report::CancellationFinished {
                    deployment_id,
                    failure: None,
                },
                "CancellationFinished(SUCCEEDED)",
            ),
            (
                Report::CancellationFinished {
                    deployment_id,
                    failure: failure.clone(),
                },
                "CancellationFinished(FAILED)",
            ),
            (
                Report::DeleteFinished { failure: None },
                "DeleteFinished(SUCCEEDED)",
            ),
            (Report::DeleteFinished { failure }, "DeleteFinished(FAILED)"),
        ];
        for (report, name) in named {
            assert_eq!(report.name(), name);
        }
    }
}
