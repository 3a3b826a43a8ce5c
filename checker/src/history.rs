//! A resource's history as it is kept: JSON lines, the model first, then
//! one operation a line.

use proton_cancel::{Deployment, EngineResult, StatusMessage};
use serde::{Deserialize, Serialize};

use crate::search::{Model, Op};

/// The model a history was recorded against: the resource's machine as
/// seeded (a core snapshot), and how its engine ends updates and
/// cancellations (`null` for success, else the failure's reason).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedModel {
    /// The resource's name in the run, for messages.
    pub resource: String,
    /// The machine before the first operation.
    pub start: Deployment,
    /// How the engine ends an update: `None` for success, else the reason.
    pub update_failure: Option<String>,
    /// How the engine ends a cancellation: `None` for success, else the
    /// reason.
    pub cancel_failure: Option<String>,
    /// How the engine ends a deletion: `None` for success (and in
    /// histories recorded before deletions were checked), else the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_failure: Option<String>,
}

impl RecordedModel {
    /// The sequential specification this describes.
    pub fn model(&self) -> Model {
        let result = |failure: &Option<String>| match failure {
            None => EngineResult::Succeeded,
            Some(reason) => EngineResult::Failed(StatusMessage::new(reason.clone())),
        };
        Model::new(
            self.start.clone(),
            result(&self.update_failure),
            result(&self.cancel_failure),
            result(&self.delete_failure),
        )
    }
}

/// One resource's history with the model it was recorded against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The model.
    pub model: RecordedModel,
    /// The operations, in invocation order.
    pub ops: Vec<Op>,
}

/// Why a recorded history cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// The text has no first line (the model).
    #[error("a recorded history starts with its model; the text is empty")]
    Empty,
    /// A line is not what it must be.
    #[error("line {line} of the recorded history cannot be read: {reason}")]
    Line {
        /// The line, counted from 1.
        line: usize,
        /// Why.
        reason: serde_json::Error,
    },
}

impl Recorded {
    /// The history as JSON lines.
    pub fn to_jsonl(&self) -> String {
        let mut out = serde_json::to_string(&self.model).unwrap_or_default();
        for op in &self.ops {
            out.push('\n');
            out.push_str(&serde_json::to_string(op).unwrap_or_default());
        }
        out.push('\n');
        out
    }

    /// Reads [`Recorded::to_jsonl`]'s text.
    ///
    /// # Errors
    /// The text is empty, or a line is not the model or an operation.
    pub fn from_jsonl(text: &str) -> Result<Self, HistoryError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, first) = lines.next().ok_or(HistoryError::Empty)?;
        let model =
            serde_json::from_str(first).map_err(|reason| HistoryError::Line { line: 1, reason })?;
        let ops = lines
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|reason| HistoryError::Line {
                    line: i + 1,
                    reason,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { model, ops })
    }
}
