//! What the tool shows: a live line on a terminal, timestamped lines
//! otherwise, or one JSON object for scripts; and the one clock it reads.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use proton_cancel::{DeploymentStatus, ResourceId, Timestamp};
use serde_json::{Value, json};

use crate::api::View;

/// The time now: the one place the tool reads the system clock.
#[allow(clippy::disallowed_methods)] // the tool, unlike the core crate, owns a clock
pub fn now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
}

/// `2026-11-29T06:00:03.456Z`: RFC 3339 in UTC with milliseconds, by
/// jiff's calendar.
pub fn rfc3339(at: Timestamp) -> String {
    match jiff::Timestamp::from_millisecond(at.as_millis()) {
        Ok(at) => format!("{at:.3}"),
        // Outside jiff's range (years -9999 to 9999): the raw milliseconds.
        Err(_) => format!("{}ms", at.as_millis()),
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// How results are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A live line on a terminal; timestamped lines otherwise.
    Text,
    /// One JSON object with the outcome, the final resource and the timings.
    Json,
}

/// One status seen, and when (from the start of the command).
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// The status.
    pub status: DeploymentStatus,
    /// Time since the command started.
    pub after: Duration,
}

/// What a command reports as it runs.
pub trait Ui {
    /// The resource changed status (or was seen for the first time).
    fn status(&mut self, resource: &ResourceId, event: &str, view: &View, after: Duration);
    /// The command ended: `summary` in words.
    fn finish(&mut self, summary: &str, report: &Value);
}

/// Timestamped lines, for logs and pipes.
pub struct Lines;

impl Ui for Lines {
    fn status(&mut self, resource: &ResourceId, event: &str, view: &View, _after: Duration) {
        let message = view
            .message
            .as_ref()
            .map_or_else(String::new, |m| format!(" ({})", m.as_str()));
        println!(
            "{} {resource}: {event} {}{message}",
            rfc3339(now()),
            view.status
        );
    }

    fn finish(&mut self, summary: &str, _report: &Value) {
        println!("{} {summary}", rfc3339(now()));
    }
}

/// A spinner line that shows the status and the elapsed time, with a
/// permanent line above it for each change.
pub struct Live {
    bar: ProgressBar,
}

impl Live {
    /// A live line for `resource`.
    pub fn new(resource: &ResourceId) -> Self {
        let bar = ProgressBar::new_spinner();
        let style = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_message(format!("{resource}: asking"));
        bar.enable_steady_tick(Duration::from_millis(100));
        Self { bar }
    }
}

impl Ui for Live {
    fn status(&mut self, resource: &ResourceId, event: &str, view: &View, after: Duration) {
        self.bar
            .println(format!("  +{} {event} {}", seconds(after), view.status));
        self.bar.set_message(format!("{resource}: {}", view.status));
    }

    fn finish(&mut self, summary: &str, _report: &Value) {
        self.bar.finish_and_clear();
        println!("{summary}");
    }
}

/// Nothing as it runs: the one JSON object comes at the end.
pub struct Json;

impl Ui for Json {
    fn status(&mut self, _: &ResourceId, _: &str, _: &View, _: Duration) {}

    /// `run` writes the report itself, for every ending.
    fn finish(&mut self, _summary: &str, _report: &Value) {}
}

/// The resource as `--output json` names it.
pub fn resource_json(resource: &ResourceId) -> Value {
    match resource {
        ResourceId::ServiceInstance { service, name } => {
            json!({"kind": "service-instance", "serviceName": service.as_str(), "name": name.as_str()})
        }
        ResourceId::Environment { name } => json!({"kind": "environment", "name": name.as_str()}),
        ResourceId::ServicePipeline { service } => {
            json!({"kind": "service-pipeline", "serviceName": service.as_str()})
        }
        ResourceId::Component { name } => json!({"kind": "component", "name": name.as_str()}),
        other => json!({"kind": other.kind().to_string()}),
    }
}

/// The statuses seen, for `--output json`.
pub fn seen_json(seen: &[Seen]) -> Value {
    Value::Array(
        seen.iter()
            .map(|s| json!({"status": s.status.as_str(), "afterMs": u64::try_from(s.after.as_millis()).unwrap_or(u64::MAX)}))
            .collect(),
    )
}
