//! What this replica saw happen, for the dashboard: every input its
//! machines were fed (the API's calls and the engine's reports) with what
//! the machine did with it, and every request it answered. Both are kept
//! in memory, the newest [`KEPT_EVENTS`] and [`KEPT_REQUESTS`], and only
//! while the control API is served; a change wakes the dashboard's
//! streams.

use std::collections::VecDeque;
use std::sync::Mutex;

use proton_cancel::{DeploymentId, DeploymentStatus, ResourceId, Timestamp};

/// How many machine events the journal keeps.
pub const KEPT_EVENTS: usize = 2_000;

/// How many requests the journal keeps.
pub const KEPT_REQUESTS: usize = 200;

/// What a machine did with one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Did {
    /// Applied: the status before and after.
    Applied {
        from: DeploymentStatus,
        to: DeploymentStatus,
    },
    /// Ignored, with the machine's reason.
    Ignored(String),
    /// Refused (an API call), with the rejection's message.
    Rejected(String),
}

/// One input fed to a resource's machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    /// The input's time.
    pub(crate) at: Timestamp,
    pub(crate) resource: ResourceId,
    /// `Update`, `Cancel`, `Delete`, `UpdateFinished`, …
    pub(crate) input: &'static str,
    /// The attempt it is about, when it names or starts one.
    pub(crate) attempt: Option<DeploymentId>,
    pub(crate) did: Did,
}

/// One answered request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) id: uuid::Uuid,
    /// The operation, or the control path.
    pub(crate) what: std::borrow::Cow<'static, str>,
    pub(crate) status: u16,
    /// The AWS error code of an error answer.
    pub(crate) error: Option<String>,
    /// The fault rule that failed or delayed it.
    pub(crate) fault: Option<i64>,
    pub(crate) latency_us: u64,
}

#[derive(Debug, Default)]
struct Kept {
    events: VecDeque<Event>,
    requests: VecDeque<Request>,
}

/// The journal; its version moves on every change.
#[derive(Debug)]
pub(crate) struct Journal {
    kept: Mutex<Kept>,
    changed: tokio::sync::watch::Sender<u64>,
}

impl Default for Journal {
    fn default() -> Self {
        Self {
            kept: Mutex::default(),
            changed: tokio::sync::watch::Sender::new(0),
        }
    }
}

/// One open dashboard stream; counted while it lives.
#[derive(Debug)]
pub(crate) struct Watching(tokio::sync::watch::Receiver<u64>);

impl Watching {
    /// Waits for the next change; `false` when the journal is gone.
    pub(crate) async fn changed(&mut self) -> bool {
        self.0.changed().await.is_ok()
    }

    /// Takes the changes seen so far as seen.
    pub(crate) fn seen(&mut self) {
        self.0.mark_unchanged();
    }
}

impl Journal {
    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Wakes the open dashboard streams, if any (none open: nothing to
    /// wake, and nothing paid).
    fn bump(&self) {
        if self.changed.receiver_count() > 0 {
            self.changed.send_modify(|v| *v = v.wrapping_add(1));
        }
    }

    pub(crate) fn event(&self, event: Event) {
        {
            let mut kept = self.kept();
            if kept.events.len() >= KEPT_EVENTS {
                kept.events.pop_front();
            }
            kept.events.push_back(event);
        }
        self.bump();
    }

    pub(crate) fn request(&self, request: Request) {
        {
            let mut kept = self.kept();
            if kept.requests.len() >= KEPT_REQUESTS {
                kept.requests.pop_front();
            }
            kept.requests.push_back(request);
        }
        self.bump();
    }

    /// Every event kept, oldest first.
    pub(crate) fn events(&self) -> Vec<Event> {
        self.kept().events.iter().cloned().collect()
    }

    /// Every request kept, newest first.
    pub(crate) fn requests(&self) -> Vec<Request> {
        self.kept().requests.iter().rev().cloned().collect()
    }

    /// Forgets the machine events (the state was replaced); the requests
    /// stay.
    pub(crate) fn clear_events(&self) {
        self.kept().events.clear();
        self.bump();
    }

    /// A stream's view of every change.
    pub(crate) fn watch(&self) -> Watching {
        Watching(self.changed.subscribe())
    }

    /// How many dashboard streams are open.
    pub(crate) fn watching(&self) -> usize {
        self.changed.receiver_count()
    }
}
