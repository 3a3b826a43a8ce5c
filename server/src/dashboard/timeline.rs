//! A resource's attempts drawn on one time axis: each attempt a lane, its
//! span from its start to its outcome (or to now while it runs), and on it
//! the inputs that touched it: the cancel, the start of the rollback, the
//! outcome, and the reports the machine ignored, marked as such. Drawn as
//! SVG on the server, for the dashboard and for docs/spec.md.

use std::fmt::Write as _;

use maud::{Markup, PreEscaped, html};
use proton_cancel::{DeploymentId, DeploymentStatus, Timestamp};

use crate::journal::{Did, Event};
use crate::record::Record;

/// What a mark on a lane stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MarkKind {
    /// The cancel was accepted: CANCELLING, requested.
    Cancel,
    /// The engine started the rollback: CANCELLING, started.
    Rollback,
    /// The report that settled the attempt.
    Outcome,
    /// A report the machine ignored.
    Ignored,
}

impl MarkKind {
    fn name(self) -> &'static str {
        match self {
            Self::Cancel => "cancel",
            Self::Rollback => "rollback",
            Self::Outcome => "outcome",
            Self::Ignored => "ignored",
        }
    }
}

/// One mark on a lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mark {
    pub(crate) at: Timestamp,
    pub(crate) kind: MarkKind,
    /// The input (`Cancel`, `UpdateFinished`, …).
    pub(crate) input: &'static str,
    /// What a person reads beside it.
    pub(crate) label: String,
}

/// One attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lane {
    pub(crate) attempt: DeploymentId,
    pub(crate) started: Timestamp,
    /// When it settled; `None` while it runs.
    pub(crate) ended: Option<Timestamp>,
    /// Its status: the outcome, or IN_PROGRESS / CANCELLING while it runs.
    pub(crate) status: DeploymentStatus,
    pub(crate) marks: Vec<Mark>,
}

/// The lanes of one resource: its attempts (from its records, oldest
/// first), marked with the `events` about each.
pub(crate) fn lanes(records: &[&Record], events: &[&Event]) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = records
        .iter()
        .map(|r| Lane {
            attempt: r.attempt.deployment_id,
            started: r.attempt.started_at,
            ended: r.attempt.completed_at,
            status: r.attempt.status.clone(),
            marks: Vec::new(),
        })
        .collect();
    lanes.sort_by_key(|l| (l.started, l.attempt));
    for e in events {
        let Some(lane) = lanes.iter_mut().find(|l| Some(l.attempt) == e.attempt) else {
            continue;
        };
        let kind = match &e.did {
            Did::Applied { .. } if e.input == "Cancel" => {
                Some((MarkKind::Cancel, "cancel: CANCELLING".to_owned()))
            }
            Did::Applied { .. } if e.input == "CancellationStarted" => {
                Some((MarkKind::Rollback, "rollback started".to_owned()))
            }
            Did::Applied { to, .. } if is_outcome(to) && e.input != "Update" => {
                Some((MarkKind::Outcome, format!("{}: {to}", e.input)))
            }
            Did::Ignored(reason) => {
                Some((MarkKind::Ignored, format!("{} ignored: {reason}", e.input)))
            }
            _ => None,
        };
        if let Some((kind, label)) = kind {
            lane.marks.push(Mark {
                at: e.at,
                kind,
                input: e.input,
                label,
            });
        }
    }
    lanes
}

fn is_outcome(status: &DeploymentStatus) -> bool {
    matches!(
        status,
        DeploymentStatus::Succeeded | DeploymentStatus::Failed | DeploymentStatus::Cancelled
    )
}

/// The stage an attempt is in over a part of its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Deploying, no cancel.
    InProgress,
    /// CANCELLING, the rollback not started: the update can still win.
    CancelRequested,
    /// CANCELLING, the rollback started: only the cancellation decides.
    CancelStarted,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Self::InProgress => "in-progress",
            Self::CancelRequested => "cancel-requested",
            Self::CancelStarted => "cancel-started",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Self::InProgress => "IN_PROGRESS",
            Self::CancelRequested => "CANCELLING (requested: the update can still win)",
            Self::CancelStarted => "CANCELLING (the rollback started: the cancellation decides)",
        }
    }

    fn color(self) -> &'static str {
        match self {
            Self::InProgress => "#64b5f6",
            Self::CancelRequested => "#ffcc80",
            Self::CancelStarted => "#fb8c00",
        }
    }
}

/// A part of an attempt's span in one stage.
struct Segment {
    stage: Stage,
    from: Timestamp,
    to: Timestamp,
}

/// The attempt's span cut where its stage changed: at the cancel and at
/// the start of the rollback, to its end (or `now`).
fn segments(lane: &Lane, now: Timestamp) -> Vec<Segment> {
    let end = lane.ended.unwrap_or(now);
    let at = |kind: MarkKind| lane.marks.iter().find(|m| m.kind == kind).map(|m| m.at);
    let mut cuts = vec![(Stage::InProgress, lane.started)];
    if let Some(cancel) = at(MarkKind::Cancel) {
        cuts.push((Stage::CancelRequested, cancel));
    }
    if let Some(rollback) = at(MarkKind::Rollback) {
        cuts.push((Stage::CancelStarted, rollback));
    }
    let mut segments = Vec::new();
    for (i, (stage, from)) in cuts.iter().enumerate() {
        let to = cuts.get(i + 1).map_or(end, |(_, next)| *next).min(end);
        if *from < to || (i + 1 == cuts.len() && *from <= to) {
            segments.push(Segment {
                stage: *stage,
                from: *from,
                to,
            });
        }
    }
    segments
}

/// The lane's color, by its status.
fn color(status: &DeploymentStatus) -> &'static str {
    match status {
        DeploymentStatus::Succeeded => "#2e7d32",
        DeploymentStatus::Failed => "#c62828",
        DeploymentStatus::Cancelled => "#757575",
        DeploymentStatus::Cancelling => "#ef6c00",
        _ => "#1565c0",
    }
}

const WIDTH: i64 = 760;
const LEFT: i64 = 110;
const RIGHT: i64 = 20;
/// A lane's bar and the room above it for the marks' numbers.
const BAR: i64 = 34;
/// One line of a lane's legend.
const LINE: i64 = 14;

/// The height of a lane: its bar and one legend line per mark.
fn lane_height(lane: &Lane) -> i64 {
    BAR + LINE * i64::try_from(lane.marks.len()).unwrap_or(0) + 10
}

/// The lanes drawn as one SVG, on one axis from the first start to the
/// last mark or end (or `now`, while an attempt runs). Each mark is a line
/// on its lane with a number; the lane's legend says, by number, when and
/// what it was.
pub(crate) fn svg(lanes: &[Lane], now: Timestamp) -> Markup {
    let first = lanes
        .iter()
        .map(|l| l.started.as_millis())
        .min()
        .unwrap_or(0);
    let last = lanes
        .iter()
        .flat_map(|l| {
            let end = l.ended.unwrap_or(now).as_millis();
            std::iter::once(end).chain(l.marks.iter().map(|m| m.at.as_millis()))
        })
        .max()
        .unwrap_or(first);
    let span = last.saturating_sub(first).max(1);
    let x = |t: Timestamp| {
        let within = t.as_millis().saturating_sub(first).clamp(0, span);
        LEFT + within.saturating_mul(WIDTH - LEFT - RIGHT) / span
    };
    let mut tops = Vec::new();
    let mut height = 4;
    for lane in lanes {
        tops.push(height);
        height += lane_height(lane);
    }
    let height = height + 18;
    html! {
        svg class="timeline" xmlns="http://www.w3.org/2000/svg" width=(WIDTH) height=(height)
            viewBox=(format!("0 0 {WIDTH} {height}")) font-family="sans-serif" font-size="11" {
            rect width=(WIDTH) height=(height) fill="white" {}
            @for (lane, top) in lanes.iter().zip(&tops) {
                @let top = *top;
                @let to = x(lane.ended.unwrap_or(now));
                g class="lane" data-attempt=(lane.attempt) data-status=(lane.status) {
                    text x="4" y=(top + 24) { "attempt …" (short(lane.attempt)) }
                    text x="4" y=(top + 38) fill=(color(&lane.status)) font-weight="bold" { (lane.status) }
                    g class="span" {
                        title { "attempt " (lane.attempt) ": " (lane.status) }
                        @for segment in segments(lane, now) {
                            @let (a, b) = (x(segment.from), x(segment.to));
                            rect class="segment" data-stage=(segment.stage.name()) x=(a) y=(top + 14)
                                width=((b - a).max(1)) height="12" fill=(segment.stage.color()) {
                                title { (segment.stage.text()) }
                            }
                        }
                        @if lane.ended.is_some() {
                            rect class="end" data-status=(lane.status) x=(to - 3) y=(top + 11)
                                width="6" height="18" fill=(color(&lane.status)) {
                                title { (lane.status) }
                            }
                        }
                    }
                    @for (j, mark) in lane.marks.iter().enumerate() {
                        @let at = x(mark.at);
                        @let n = j + 1;
                        @let ignored = mark.kind == MarkKind::Ignored;
                        @let ink = if ignored { "#666" } else { "black" };
                        @let line_y = top + BAR + LINE * i64::try_from(j).unwrap_or(0) + 6;
                        g class="mark" data-kind=(mark.kind.name()) data-input=(mark.input) {
                            title { (mark.label) }
                            line x1=(at) y1=(top + 10) x2=(at) y2=(top + 30) stroke=(ink)
                                stroke-width="1.5" stroke-dasharray=(if ignored { "3,2" } else { "none" }) {}
                            text x=(at) y=(top + 8) text-anchor="middle" fill=(ink) font-weight="bold" { (n) }
                            text x=(LEFT) y=(line_y) fill=(ink) font-style=(if ignored { "italic" } else { "normal" }) {
                                (n) ". +" (mark.at.as_millis().saturating_sub(first)) " ms  " (mark.label)
                            }
                        }
                    }
                }
            }
            (axis(span, height))
        }
    }
}

/// The time axis: milliseconds from the first start.
fn axis(span: i64, height: i64) -> Markup {
    let mut ticks = String::new();
    for k in 0..=4_i64 {
        let x = LEFT + k * (WIDTH - LEFT - RIGHT) / 4;
        let _ = write!(
            ticks,
            r##"<text x="{x}" y="{}" text-anchor="{}" fill="#777">+{} ms</text>"##,
            height - 4,
            if k == 4 { "end" } else { "middle" },
            span * k / 4
        );
    }
    PreEscaped(ticks)
}

/// The last 4 hex digits of an attempt's id, enough to tell lanes apart.
fn short(id: DeploymentId) -> String {
    let text = id.to_string();
    text.chars().skip(text.len().saturating_sub(4)).collect()
}
