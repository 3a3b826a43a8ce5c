//! Where the server's time comes from: the one place it reads the system
//! clock, and a manual clock for tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use proton_cancel::Timestamp;

/// Where the server's time comes from: the system clock, or a clock that
/// moves only when told to (for tests: no test waits for a real timer).
#[derive(Clone, Debug)]
pub enum Clock {
    /// The system clock read once at start, moved on by Tokio's monotonic
    /// clock (so a wall-clock jump cannot reorder engine reports, and a
    /// test on Tokio's paused time runs the real engine task without
    /// waiting); engine reports are delivered by a background task as they
    /// fall due. Build it with [`Clock::system`].
    System {
        /// The system time at start.
        started: Timestamp,
        /// Tokio's instant at start.
        at: tokio::time::Instant,
    },
    /// A clock that stands still until [`crate::App::advance`] moves it;
    /// engine reports are delivered by [`crate::App::advance`] alone.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// The system clock, from now.
    pub fn system() -> Self {
        Self::System {
            started: system_now(),
            at: tokio::time::Instant::now(),
        }
    }

    /// A manual clock standing at `at`.
    pub fn manual(at: Timestamp) -> Self {
        Self::Manual(Arc::new(AtomicI64::new(at.as_millis())))
    }

    /// The time now.
    pub fn now(&self) -> Timestamp {
        match self {
            Self::System { started, at } => {
                let elapsed = i64::try_from(at.elapsed().as_millis()).unwrap_or(i64::MAX);
                Timestamp::from_millis(started.as_millis().saturating_add(elapsed))
            }
            Self::Manual(millis) => Timestamp::from_millis(millis.load(Ordering::SeqCst)),
        }
    }

    /// Moves a manual clock forward by `by`; the system clock moves by
    /// itself.
    pub(crate) fn advance(&self, by: Duration) {
        if let Self::Manual(millis) = self {
            let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
            millis.fetch_add(by, Ordering::SeqCst);
        }
    }

    /// Whether reports are delivered by a background task as they fall due.
    pub(crate) fn runs_by_itself(&self) -> bool {
        matches!(self, Self::System { .. })
    }
}

/// The time now, from the system clock: the one place the server reads it.
#[allow(clippy::disallowed_methods)] // the server, unlike the core crate, owns a clock
fn system_now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}
