//! The engine's worker: claims the jobs that fall due, feeds their reports
//! to the machines, and finishes each job only once its report is applied,
//! so a crash in between delivers it again.

use std::time::Duration;

use proton_cancel_wire::ErrorCode;

use super::Report;
use crate::app::App;

/// How many jobs one claim takes at most.
const CLAIM_AT_ONCE: i64 = 64;

/// The longest the worker sleeps before it looks for jobs again (another
/// replica may have queued some).
const LOOK_AGAIN_AFTER: Duration = Duration::from_secs(1);

impl App {
    /// Delivers every report that is due, in due order, to its resource's
    /// machine; the machine ignores the ones that lost a race.
    pub(crate) async fn deliver_due(&self) {
        loop {
            let now = self.now();
            let claimed = match self
                .store()
                .claim_due(now, self.job_lease(), CLAIM_AT_ONCE)
                .await
            {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::error!(error = %e, "the engine cannot claim its jobs");
                    return;
                }
            };
            if claimed.is_empty() {
                return;
            }
            for job in claimed {
                let report = match Report::read(&job.payload) {
                    Ok(report) => report,
                    Err(e) => {
                        tracing::error!(job = job.id, error = %e, "a job's report cannot be read; dropped");
                        let _ = self.store().finish_job(job.id).await;
                        continue;
                    }
                };
                tracing::info!(resource = %job.resource, report = %report.name(), "engine report");
                if self.store().finishes_before_apply() {
                    // Planted by a simulation: the job is gone before its
                    // report is applied.
                    let _ = self.store().finish_job(job.id).await;
                }
                let input = report.at(job.due);
                let wrong = self.store().applies_to_wrong_attempt();
                let make = |d: &proton_cancel::Deployment| {
                    Ok(if wrong {
                        // Planted by a simulation: the report goes to the
                        // current attempt, whichever it names.
                        retarget(input.clone(), d)
                    } else {
                        input.clone()
                    })
                };
                match self.apply(&job.resource, make).await {
                    Ok(_) => {}
                    Err(e) if e.code() == ErrorCode::ResourceNotFoundException => {}
                    Err(e) => {
                        tracing::error!(job = job.id, error = %e.message(), "a report could not be applied; it will be delivered again");
                        continue;
                    }
                }
                if let Err(e) = self.store().finish_job(job.id).await {
                    tracing::error!(job = job.id, error = %e, "an applied job could not be finished");
                }
            }
        }
    }

    /// The engine on the system clock: sleeps until the next report is due
    /// (or a new one is queued, or [`LOOK_AGAIN_AFTER`] passes), then
    /// delivers. It also reads the fault rules again at most once per
    /// [`LOOK_AGAIN_AFTER`], so that rules another replica added or cleared
    /// take effect here.
    pub(crate) async fn run_engine(self) {
        self.engine_loop(tokio::time::sleep).await;
    }

    /// The engine worker as the server's engine task runs it, on the timers of a
    /// simulation (feature `simulation`): `sleep` waits simulated time.
    #[cfg(feature = "simulation")]
    pub fn engine_worker<S>(&self, sleep: impl Fn(Duration) -> S) -> impl Future<Output = ()>
    where
        S: Future<Output = ()>,
    {
        self.clone().engine_loop(sleep)
    }

    async fn engine_loop<S>(self, sleep: impl Fn(Duration) -> S)
    where
        S: Future<Output = ()>,
    {
        let mut faults_read = self.now();
        loop {
            let now = self.now();
            if now.as_millis().saturating_sub(faults_read.as_millis())
                >= i64::try_from(LOOK_AGAIN_AFTER.as_millis()).unwrap_or(i64::MAX)
            {
                faults_read = now;
                if let Err(e) = self.reload_faults().await {
                    tracing::error!(error = %e, "the fault rules cannot be read");
                }
            }
            let next = self.store().next_due().await.ok().flatten();
            let wait = next.map_or(LOOK_AGAIN_AFTER, |due| {
                let ms = due.as_millis().saturating_sub(self.now().as_millis());
                Duration::from_millis(u64::try_from(ms).unwrap_or(0)).min(LOOK_AGAIN_AFTER)
            });
            // Biased: no random choice between two ready branches, so a
            // simulated run stays a function of its seed.
            tokio::select! {
                biased;
                () = sleep(wait) => {}
                () = self.queued().notified() => {}
            }
            self.deliver_due().await;
        }
    }
}

/// `input` as if it named `d`'s current attempt (the planted bug
/// [`crate::store::Store::applies_to_wrong_attempt`]).
fn retarget(input: proton_cancel::Input, d: &proton_cancel::Deployment) -> proton_cancel::Input {
    use proton_cancel::Input;
    let Some(current) = d.observe().last_attempt.map(|a| a.deployment_id) else {
        return input;
    };
    match input {
        Input::UpdateFinished { at, result, .. } => Input::UpdateFinished {
            at,
            deployment_id: current,
            result,
        },
        Input::CancellationStarted { at, .. } => Input::CancellationStarted {
            at,
            deployment_id: current,
        },
        Input::CancellationFinished { at, result, .. } => Input::CancellationFinished {
            at,
            deployment_id: current,
            result,
        },
        other => other,
    }
}
