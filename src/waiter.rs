//! Waiting for a deployment to settle, sans-I/O: fed each observed status
//! and the time, the waiter answers "poll again after d" or "done" with an
//! outcome that covers every documented end, including the two that AWS's
//! own waiters do not stop on (CANCELLED, and the update that won the race
//! against a cancel).
//!
//! The delays follow the Smithy waiter retry rules that the AWS SDKs
//! implement: the delay before attempt n + 1 is random between `min_delay`
//! and `min(max_delay, min_delay · 2^(n−1))`, and the waiter never sleeps
//! past `max_wait`. Randomness is an input, so the same inputs always give
//! the same answers.

use std::fmt;
use std::time::Duration;

use crate::status::DeploymentStatus;
use crate::time::Timestamp;
use crate::values::StatusMessage;

/// How long a [`Waiter`] waits between polls and in all.
///
/// ```
/// use std::time::Duration;
/// use proton_cancel::waiter::WaitPolicy;
///
/// let p = WaitPolicy::new(Duration::from_secs(2), Duration::from_secs(30), Duration::from_secs(600)).unwrap();
/// assert_eq!(p.max_wait(), Duration::from_secs(600));
/// let err = WaitPolicy::new(Duration::from_secs(5), Duration::from_secs(1), Duration::from_secs(60)).unwrap_err();
/// assert_eq!(err.to_string(), "the maximum delay (1s) is shorter than the minimum delay (5s)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WaitPolicy {
    min_delay: Duration,
    max_delay: Duration,
    max_wait: Duration,
}

/// Why a [`WaitPolicy`] cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WaitPolicyError {
    /// The minimum delay is zero: the waiter would poll in a busy loop.
    #[error("the minimum delay must be at least 1ms, not 0")]
    ZeroMinDelay,
    /// The maximum delay is below the minimum.
    #[error("the maximum delay ({max:?}) is shorter than the minimum delay ({min:?})")]
    MaxBelowMin {
        /// The minimum delay given.
        min: Duration,
        /// The maximum delay given.
        max: Duration,
    },
    /// The whole wait is shorter than one minimum delay.
    #[error("the maximum wait ({max_wait:?}) is shorter than the minimum delay ({min:?})")]
    WaitBelowMin {
        /// The minimum delay given.
        min: Duration,
        /// The maximum wait given.
        max_wait: Duration,
    },
}

impl WaitPolicy {
    /// A policy, checked: `min_delay` at least 1 ms, `max_delay ≥
    /// min_delay`, `max_wait ≥ min_delay`.
    ///
    /// # Errors
    /// [`WaitPolicyError`] naming the broken rule and the values.
    pub fn new(
        min_delay: Duration,
        max_delay: Duration,
        max_wait: Duration,
    ) -> Result<Self, WaitPolicyError> {
        if min_delay < Duration::from_millis(1) {
            return Err(WaitPolicyError::ZeroMinDelay);
        }
        if max_delay < min_delay {
            return Err(WaitPolicyError::MaxBelowMin {
                min: min_delay,
                max: max_delay,
            });
        }
        if max_wait < min_delay {
            return Err(WaitPolicyError::WaitBelowMin {
                min: min_delay,
                max_wait,
            });
        }
        Ok(Self {
            min_delay,
            max_delay,
            max_wait,
        })
    }

    /// The shortest delay between two polls.
    pub fn min_delay(&self) -> Duration {
        self.min_delay
    }

    /// The longest delay between two polls.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// The longest the whole wait may take.
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }

    /// The upper bound of the delay before attempt `attempt + 1`:
    /// `min(max_delay, min_delay · 2^(attempt−1))`, in milliseconds.
    fn ceiling_ms(&self, attempt: u32) -> u64 {
        let min = millis(self.min_delay);
        let max = millis(self.max_delay);
        let doubled = 2u64
            .checked_pow(attempt.saturating_sub(1))
            .and_then(|factor| min.checked_mul(factor))
            .unwrap_or(u64::MAX);
        doubled.min(max)
    }
}

impl Default for WaitPolicy {
    /// Poll after 2 s at first, backing off to at most 10 s between polls,
    /// for at most 30 minutes.
    fn default() -> Self {
        Self {
            min_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(10),
            max_wait: Duration::from_secs(30 * 60),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// What the waiter waits for, which decides how SUCCEEDED reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitFor {
    /// The end of a cancel: SUCCEEDED means the update won the race and the
    /// cancel had no effect ([`WaitOutcome::UpdateWon`]).
    Cancel,
    /// The end of a deployment: SUCCEEDED means it succeeded
    /// ([`WaitOutcome::Succeeded`]).
    Deployment,
}

/// One poll's answer about the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observation<'a> {
    /// The resource's deployment status, and its message if it has one.
    Status {
        /// `deploymentStatus`.
        status: &'a DeploymentStatus,
        /// `deploymentStatusMessage`.
        message: Option<&'a StatusMessage>,
    },
    /// The resource does not exist (ResourceNotFoundException).
    NotFound,
}

/// How a wait ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitOutcome {
    /// CANCELLED: the cancellation rolled the attempt back.
    Cancelled,
    /// SUCCEEDED after a cancel: the update finished first, and the cancel
    /// had no effect.
    UpdateWon,
    /// SUCCEEDED, waiting for a deployment.
    Succeeded,
    /// FAILED: the update or the cancellation failed, with the reason.
    Failed {
        /// `deploymentStatusMessage`.
        message: Option<StatusMessage>,
    },
    /// DELETE_COMPLETE, or the resource no longer exists.
    Deleted,
    /// DELETE_FAILED, with the reason.
    DeleteFailed {
        /// `deploymentStatusMessage`.
        message: Option<StatusMessage>,
    },
    /// The maximum wait passed with the deployment still unsettled; the last
    /// status seen.
    GaveUp {
        /// The status of the last poll.
        last: DeploymentStatus,
    },
}

impl fmt::Display for WaitOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = |m: &Option<StatusMessage>| {
            m.as_ref()
                .map_or_else(String::new, |m| format!(": {}", m.as_str()))
        };
        match self {
            Self::Cancelled => f.write_str("cancelled: the deployment was rolled back"),
            Self::UpdateWon => {
                f.write_str("the update finished first: SUCCEEDED, and the cancel had no effect")
            }
            Self::Succeeded => f.write_str("the deployment succeeded"),
            Self::Failed { message } => write!(f, "failed{}", reason(message)),
            Self::Deleted => f.write_str("DELETE_COMPLETE: the resource was deleted"),
            Self::DeleteFailed { message } => write!(f, "the deletion failed{}", reason(message)),
            Self::GaveUp { last } => write!(f, "gave up waiting: the status is still {last}"),
        }
    }
}

/// What to do after a poll.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use]
pub enum Step {
    /// Poll again after this long.
    PollAfter(Duration),
    /// The wait is over.
    Done(WaitOutcome),
}

/// A wait in progress: started at a time, fed each poll's observation.
///
/// ```
/// use std::time::Duration;
/// use proton_cancel::waiter::{Observation, Step, WaitFor, WaitOutcome, WaitPolicy, Waiter};
/// use proton_cancel::{DeploymentStatus, Timestamp};
///
/// let policy = WaitPolicy::new(Duration::from_secs(2), Duration::from_secs(30), Duration::from_secs(600)).unwrap();
/// let mut w = Waiter::new(policy, WaitFor::Cancel, Timestamp::from_secs(0));
/// let cancelling = DeploymentStatus::Cancelling;
/// let step = w.observe(Timestamp::from_secs(0), Observation::Status { status: &cancelling, message: None }, 0);
/// assert_eq!(step, Step::PollAfter(Duration::from_secs(2)));
/// let won = DeploymentStatus::Succeeded;
/// let step = w.observe(Timestamp::from_secs(2), Observation::Status { status: &won, message: None }, 0);
/// assert_eq!(step, Step::Done(WaitOutcome::UpdateWon));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Waiter {
    policy: WaitPolicy,
    wait_for: WaitFor,
    started: Timestamp,
    attempts: u32,
    done: Option<WaitOutcome>,
}

impl Waiter {
    /// A wait for `wait_for` under `policy`, started at `at`; poll at once.
    pub fn new(policy: WaitPolicy, wait_for: WaitFor, at: Timestamp) -> Self {
        Self {
            policy,
            wait_for,
            started: at,
            attempts: 0,
            done: None,
        }
    }

    /// How many observations the waiter has been fed.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// When the wait started.
    pub fn started(&self) -> Timestamp {
        self.started
    }

    /// Feeds one poll's `observation`, made at `at`. `random` is any random
    /// number: it picks the delay within its bounds, so the same inputs
    /// always give the same step. A status that settles the wait ends it;
    /// any other (IN_PROGRESS, CANCELLING, DELETE_IN_PROGRESS, or a status
    /// this crate does not know) keeps it going until the maximum wait,
    /// which is never slept past. Once done, the waiter answers the same
    /// outcome to every further observation.
    pub fn observe(&mut self, at: Timestamp, observation: Observation<'_>, random: u64) -> Step {
        if let Some(done) = &self.done {
            return Step::Done(done.clone());
        }
        self.attempts = self.attempts.saturating_add(1);
        let step = match self.settled(observation) {
            Some(outcome) => Step::Done(outcome),
            None => self.next_delay(at, observation, random),
        };
        if let Step::Done(outcome) = &step {
            self.done = Some(outcome.clone());
        }
        step
    }

    fn settled(&self, observation: Observation<'_>) -> Option<WaitOutcome> {
        let Observation::Status { status, message } = observation else {
            return Some(WaitOutcome::Deleted);
        };
        let message = message.cloned();
        Some(match status {
            DeploymentStatus::Cancelled => WaitOutcome::Cancelled,
            DeploymentStatus::Succeeded => match self.wait_for {
                WaitFor::Cancel => WaitOutcome::UpdateWon,
                WaitFor::Deployment => WaitOutcome::Succeeded,
            },
            DeploymentStatus::Failed => WaitOutcome::Failed { message },
            DeploymentStatus::DeleteComplete => WaitOutcome::Deleted,
            DeploymentStatus::DeleteFailed => WaitOutcome::DeleteFailed { message },
            _ => return None,
        })
    }

    /// The Smithy retry rule: a random delay in `[min_delay, ceiling]`, cut
    /// to what remains of the maximum wait, so the last poll lands exactly
    /// on it; with nothing remaining, give up. (Smithy stretches or shrinks
    /// the delay when less than `min_delay` would remain after it; cutting
    /// instead keeps every delay within its bounds and never sleeps past the
    /// maximum wait.)
    fn next_delay(&self, at: Timestamp, observation: Observation<'_>, random: u64) -> Step {
        let elapsed =
            u64::try_from(at.as_millis().saturating_sub(self.started.as_millis())).unwrap_or(0);
        let remaining = millis(self.policy.max_wait).saturating_sub(elapsed);
        if remaining == 0 {
            let last = match observation {
                Observation::Status { status, .. } => status.clone(),
                Observation::NotFound => DeploymentStatus::DeleteComplete,
            };
            return Step::Done(WaitOutcome::GaveUp { last });
        }
        let min = millis(self.policy.min_delay);
        let ceiling = self.policy.ceiling_ms(self.attempts);
        let span = ceiling.saturating_sub(min).saturating_add(1);
        let delay = min.saturating_add(random.checked_rem(span).unwrap_or(0));
        Step::PollAfter(Duration::from_millis(delay.min(remaining)))
    }
}
