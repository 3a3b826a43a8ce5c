//! The write path: feed an input to a resource's machine, act on what it
//! returns (the attempt's record, the engine's jobs) and commit it all with
//! the new state by compare-and-set; and how an attempt's id and record
//! are made.

use proton_cancel::{
    AttemptRecord, Configuration, Deployment, DeploymentId, Effect, Input, Observed, Outcome,
    ResourceId, ResourceName, Timestamp,
};
use proton_cancel_wire::ApiError;

use crate::app::App;
use crate::engine::jobs;
use crate::journal::{Did, Event};
use crate::record::Record;
use crate::store::{Expected, Produced, StoreError, Written};
use crate::stored::Entry;

/// The answer to a request whose store failed; the cause is logged.
pub(crate) fn store_failed(e: StoreError) -> ApiError {
    tracing::error!(error = %e, "store");
    ApiError::internal(format!("the service's store failed: {e}"))
}

/// An input's name, for the log.
fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Update { .. } => "Update",
        Input::Cancel { .. } => "Cancel",
        Input::Delete { .. } => "Delete",
        Input::UpdateFinished { .. } => "UpdateFinished",
        Input::CancellationStarted { .. } => "CancellationStarted",
        Input::CancellationFinished { .. } => "CancellationFinished",
        Input::DeleteFinished { .. } => "DeleteFinished",
        _ => "Input",
    }
}

/// The attempt a report names.
fn reported_attempt(input: &Input) -> Option<DeploymentId> {
    match input {
        Input::UpdateFinished { deployment_id, .. }
        | Input::CancellationStarted { deployment_id, .. }
        | Input::CancellationFinished { deployment_id, .. } => Some(*deployment_id),
        _ => None,
    }
}

/// An effect's name, for the log.
fn effect_name(effect: &Effect) -> &'static str {
    match effect {
        Effect::StartDeployment { .. } => "StartDeployment",
        Effect::StartCancellation { .. } => "StartCancellation",
        Effect::StartDeletion => "StartDeletion",
        _ => "Effect",
    }
}

impl App {
    /// Feeds the input `make` builds from the current machine of `id`, and
    /// acts on what it returns: an attempt it starts gets a deployment
    /// record, the record of the running attempt follows every applied
    /// transition, and the effect becomes engine jobs, all committed with
    /// the new state on what was read. A commit that finds the row changed
    /// re-reads it and feeds the input again (the machine is
    /// deterministic, so that is safe). Returns the outcome and the entry
    /// after it.
    pub(crate) async fn apply(
        &self,
        id: &ResourceId,
        make: impl Fn(&Deployment) -> Result<Input, ApiError>,
    ) -> Result<(Outcome, Entry), ApiError> {
        let mut cached = self.cache().take(id);
        loop {
            let from_cache = cached.is_some();
            let (row, newest) = match cached.take() {
                Some(hit) => hit,
                None => {
                    let loaded = self
                        .store()
                        .load_for_write(id)
                        .await
                        .map_err(store_failed)?;
                    loaded.ok_or_else(|| ApiError::resource_not_found(id))?
                }
            };
            let expected = Expected::of(&row);
            let mut entry = Entry::of(row)?;
            let input = make(&entry.deployment)?;
            let reported = reported_attempt(&input);
            let at = input.at();
            let kind = input_name(&input);
            let before = entry.deployment.observe();
            let outcome = entry.deployment.handle(input);
            let Outcome::Applied(transition) = &outcome else {
                if from_cache {
                    // Nothing to write means nothing confirms the cached
                    // row: decide again on a fresh read.
                    continue;
                }
                if let Some(journal) = self.journaling() {
                    let did = match &outcome {
                        Outcome::Rejected(r) => Did::Rejected(r.to_string()),
                        other => Did::Ignored(
                            other
                                .ignore_reason()
                                .map(|r| r.to_string())
                                .unwrap_or_default(),
                        ),
                    };
                    journal.event(Event {
                        at,
                        resource: id.clone(),
                        input: kind,
                        attempt: reported,
                        did,
                    });
                }
                match &outcome {
                    Outcome::Rejected(r) => {
                        tracing::info!(resource = %id, input = %kind, rejection = %r, "rejected");
                    }
                    _ => tracing::info!(
                        resource = %id,
                        input = %kind,
                        reason = ?outcome.ignore_reason(),
                        status = %entry.deployment.status(),
                        "ignored"
                    ),
                }
                return Ok((outcome, entry));
            };
            let message = entry.deployment.observe().status_message;
            let mut produced = Produced::default();
            if let Some(Effect::StartDeployment {
                deployment_id,
                target,
            }) = &transition.effect
            {
                // The attempt the transition starts gets its record.
                let meta = (entry.meta.arn.as_str(), entry.meta.environment.as_ref());
                let record = self.start_record((*deployment_id, at), &before, target, meta)?;
                produced.records.push(record);
            } else if let Some(attempt) = transition.attempt {
                // The attempt it moves: its record is the resource's
                // newest, read with the row; looked up by id otherwise.
                let stored = match &newest {
                    Some(record) if record.attempt.deployment_id == attempt => Some(record.clone()),
                    _ => self.store().record(attempt).await.map_err(store_failed)?,
                };
                if let Some(mut record) = stored
                    && record.attempt.follow(at, transition, message.as_ref())
                {
                    produced.records.push(record);
                }
            }
            if let Some(effect) = &transition.effect {
                produced.jobs = jobs(id, effect, &entry.meta.engine, at);
            }
            let row = entry.row();
            let written = self
                .store()
                .commit(&expected, &row, &produced)
                .await
                .map_err(store_failed)?;
            if written == Written::Stale {
                if self.store().keeps_stale_cache() {
                    // Planted by a simulation: retry from the entry that
                    // lost, which should have been dropped.
                    cached = self.cache().take(id);
                    continue;
                }
                self.cache().forget(id);
                tracing::debug!(resource = %id, "lost a compare-and-set; re-reading");
                continue;
            }
            let newest = match produced.records.last() {
                Some(r) if &r.attempt.resource == id => Some(r.clone()),
                _ => newest,
            };
            self.cache().put(id.clone(), row, newest);
            if let Some(journal) = self.journaling() {
                let attempt = match &transition.effect {
                    Some(Effect::StartDeployment { deployment_id, .. }) => Some(*deployment_id),
                    _ => transition.attempt,
                };
                journal.event(Event {
                    at,
                    resource: id.clone(),
                    input: kind,
                    attempt,
                    did: Did::Applied {
                        from: transition.from.status(),
                        to: transition.to.status(),
                    },
                });
            }
            tracing::info!(
                resource = %id,
                input = %kind,
                from = %transition.from.status(),
                to = %transition.to.status(),
                effect = %transition.effect.as_ref().map_or("none", effect_name),
                "transition"
            );
            if !produced.jobs.is_empty() {
                self.queued().notify_one();
            }
            return Ok((outcome, entry));
        }
    }
}

impl App {
    /// A fresh deployment id: the store's next number in the low bits of a
    /// fixed UUID v4 layout, so ids are unique across every server on the
    /// database, ordered, and readable in logs.
    pub(crate) async fn mint_id(&self) -> Result<DeploymentId, StoreError> {
        Ok(deployment_id(self.store().next_number().await?))
    }

    /// The record of attempt `id`, started at `at` towards `target` on the
    /// resource `before` shows, whose ARN is `target_arn`. An
    /// environment's records name the environment itself; every other
    /// kind is stored with the environment its records name.
    pub(crate) fn start_record(
        &self,
        (id, at): (DeploymentId, Timestamp),
        before: &Observed,
        target: &Configuration,
        (target_arn, environment): (&str, Option<&ResourceName>),
    ) -> Result<Record, ApiError> {
        let environment = match (&before.resource, environment) {
            (ResourceId::Environment { name }, _) | (_, Some(name)) => name.clone(),
            (resource, None) => {
                return Err(ApiError::internal(format!(
                    "{resource} was stored without its environment"
                )));
            }
        };
        Ok(Record {
            attempt: AttemptRecord::start(id, at, before, target.clone()),
            arn: self.arn(&format!("deployment/{id}")),
            target_arn: target_arn.to_owned(),
            environment,
        })
    }
}

/// The deployment id of deployment number `n`.
pub(crate) fn deployment_id(n: u64) -> DeploymentId {
    DeploymentId::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
}
