//! What the simulated engine is told to do for a resource: how long each
//! piece of work takes and how it ends.

use proton_cancel::{EngineResult, StatusMessage};
use serde::{Deserialize, Serialize};

/// The reason the engine gives when an update it was scripted to fail ends.
pub const UPDATE_FAILURE: &str = "Provisioning failed: the update did not complete.";

/// The reason the engine gives when a cancellation it was scripted to fail
/// ends.
pub const CANCELLATION_FAILURE: &str = "Cancellation failed: the rollback did not complete.";

/// The reason the engine gives when a deletion it was scripted to fail
/// ends.
pub const DELETION_FAILURE: &str =
    "Deletion failed: the provisioned resources could not be removed.";

/// How the simulated provisioning engine answers for one resource. Every
/// delay counts from the event that starts it; `null` (or leaving a delay
/// out of a resource that sets none) means the engine never sends that
/// report, so a test or a person can hold a resource in IN_PROGRESS or
/// CANCELLING for as long as they like. Results are written `"SUCCEEDED"`
/// or `"FAILED"`; a failure carries the engine's reason ([`UPDATE_FAILURE`],
/// [`CANCELLATION_FAILURE`], [`DELETION_FAILURE`]), or the one its
/// `updateMessage`, `cancelMessage` or `deleteMessage` gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ScriptText", from = "ScriptText")]
pub struct EngineScript {
    /// Milliseconds from an accepted update to its result.
    pub update_after_ms: Option<u64>,
    /// The update's result.
    pub update_result: EngineResult,
    /// Milliseconds from an accepted cancel to the start of the rollback.
    pub cancel_start_after_ms: Option<u64>,
    /// Milliseconds from the start of the rollback to its result.
    pub cancel_finish_after_ms: Option<u64>,
    /// The cancellation's result.
    pub cancel_result: EngineResult,
    /// Milliseconds from an accepted delete to its result.
    pub delete_after_ms: Option<u64>,
    /// The deletion's result.
    pub delete_result: EngineResult,
}

/// A script as it is written (in a row's meta and the state document):
/// each result a word, and a failure's reason beside it when it is not the
/// engine's own.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScriptText {
    update_after_ms: Option<u64>,
    update_result: Word,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    update_message: Option<String>,
    cancel_start_after_ms: Option<u64>,
    cancel_finish_after_ms: Option<u64>,
    cancel_result: Word,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cancel_message: Option<String>,
    // Scripts stored before deletion was served have no deletion members:
    // they read as the built-in deletion.
    #[serde(default = "default_delete_after_ms")]
    delete_after_ms: Option<u64>,
    #[serde(default)]
    delete_result: Word,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delete_message: Option<String>,
}

/// A result as a word.
#[derive(Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
enum Word {
    #[default]
    #[serde(rename = "SUCCEEDED")]
    Succeeded,
    #[serde(rename = "FAILED")]
    Failed,
}

fn default_delete_after_ms() -> Option<u64> {
    EngineScript::default().delete_after_ms
}

/// A result as its word and, for a failure whose reason is not `engine`'s,
/// its reason.
fn written(result: &EngineResult, engine: &str) -> (Word, Option<String>) {
    match result {
        EngineResult::Succeeded => (Word::Succeeded, None),
        EngineResult::Failed(reason) if reason.as_str() == engine => (Word::Failed, None),
        EngineResult::Failed(reason) => (Word::Failed, Some(reason.as_str().to_owned())),
    }
}

/// A result from its word and reason (`engine`'s when none is given).
fn read(word: Word, message: Option<String>, engine: &str) -> EngineResult {
    match word {
        Word::Succeeded => EngineResult::Succeeded,
        Word::Failed => EngineResult::Failed(StatusMessage::new(
            message.unwrap_or_else(|| engine.to_owned()),
        )),
    }
}

impl From<EngineScript> for ScriptText {
    fn from(s: EngineScript) -> Self {
        let (update_result, update_message) = written(&s.update_result, UPDATE_FAILURE);
        let (cancel_result, cancel_message) = written(&s.cancel_result, CANCELLATION_FAILURE);
        let (delete_result, delete_message) = written(&s.delete_result, DELETION_FAILURE);
        Self {
            update_after_ms: s.update_after_ms,
            update_result,
            update_message,
            cancel_start_after_ms: s.cancel_start_after_ms,
            cancel_finish_after_ms: s.cancel_finish_after_ms,
            cancel_result,
            cancel_message,
            delete_after_ms: s.delete_after_ms,
            delete_result,
            delete_message,
        }
    }
}

impl From<ScriptText> for EngineScript {
    fn from(t: ScriptText) -> Self {
        Self {
            update_after_ms: t.update_after_ms,
            update_result: read(t.update_result, t.update_message, UPDATE_FAILURE),
            cancel_start_after_ms: t.cancel_start_after_ms,
            cancel_finish_after_ms: t.cancel_finish_after_ms,
            cancel_result: read(t.cancel_result, t.cancel_message, CANCELLATION_FAILURE),
            delete_after_ms: t.delete_after_ms,
            delete_result: read(t.delete_result, t.delete_message, DELETION_FAILURE),
        }
    }
}

impl Default for EngineScript {
    /// Updates take 5 s and succeed; a cancel starts after 1 s and succeeds
    /// 2 s later; a deletion takes 3 s and succeeds.
    fn default() -> Self {
        Self {
            update_after_ms: Some(5_000),
            update_result: EngineResult::Succeeded,
            cancel_start_after_ms: Some(1_000),
            cancel_finish_after_ms: Some(2_000),
            cancel_result: EngineResult::Succeeded,
            delete_after_ms: Some(3_000),
            delete_result: EngineResult::Succeeded,
        }
    }
}

/// Partial engine settings; what is absent comes from the level below
/// (built-in defaults, then the seed's, then the command line's, then each
/// resource's own).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngineOverrides {
    /// See [`EngineScript::update_after_ms`]; `null` never reports.
    #[serde(default, deserialize_with = "explicit_null")]
    pub update_after_ms: Option<Option<u64>>,
    /// See [`EngineScript::update_result`].
    #[serde(default, deserialize_with = "word::some_update")]
    pub update_result: Option<EngineResult>,
    /// The reason a failed update gives, in place of [`UPDATE_FAILURE`]
    /// (it takes effect when the update's result is FAILED).
    #[serde(default)]
    pub update_message: Option<String>,
    /// See [`EngineScript::cancel_start_after_ms`]; `null` never starts.
    #[serde(default, deserialize_with = "explicit_null")]
    pub cancel_start_after_ms: Option<Option<u64>>,
    /// See [`EngineScript::cancel_finish_after_ms`]; `null` never finishes.
    #[serde(default, deserialize_with = "explicit_null")]
    pub cancel_finish_after_ms: Option<Option<u64>>,
    /// See [`EngineScript::cancel_result`].
    #[serde(default, deserialize_with = "word::some_cancellation")]
    pub cancel_result: Option<EngineResult>,
    /// The reason a failed cancellation gives, in place of
    /// [`CANCELLATION_FAILURE`].
    #[serde(default)]
    pub cancel_message: Option<String>,
    /// See [`EngineScript::delete_after_ms`]; `null` never finishes.
    #[serde(default, deserialize_with = "explicit_null")]
    pub delete_after_ms: Option<Option<u64>>,
    /// See [`EngineScript::delete_result`].
    #[serde(default, deserialize_with = "word::some_deletion")]
    pub delete_result: Option<EngineResult>,
    /// The reason a failed deletion gives, in place of
    /// [`DELETION_FAILURE`].
    #[serde(default)]
    pub delete_message: Option<String>,
}

/// `result` with `message` as a failure's reason, when one is given.
fn with_message(result: EngineResult, message: Option<&String>) -> EngineResult {
    match (result, message) {
        (EngineResult::Failed(_), Some(m)) => EngineResult::Failed(StatusMessage::new(m.clone())),
        (result, _) => result,
    }
}

/// Tells a member set to `null` (`Some(None)`) from one left out (`None`).
fn explicit_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
    Option::<u64>::deserialize(d).map(Some)
}

impl EngineOverrides {
    /// These overrides on top of `defaults`.
    pub fn over(&self, defaults: &EngineScript) -> EngineScript {
        let defaults = defaults.clone();
        EngineScript {
            update_after_ms: self.update_after_ms.unwrap_or(defaults.update_after_ms),
            update_result: with_message(
                self.update_result.clone().unwrap_or(defaults.update_result),
                self.update_message.as_ref(),
            ),
            cancel_start_after_ms: self
                .cancel_start_after_ms
                .unwrap_or(defaults.cancel_start_after_ms),
            cancel_finish_after_ms: self
                .cancel_finish_after_ms
                .unwrap_or(defaults.cancel_finish_after_ms),
            cancel_result: with_message(
                self.cancel_result.clone().unwrap_or(defaults.cancel_result),
                self.cancel_message.as_ref(),
            ),
            delete_after_ms: self.delete_after_ms.unwrap_or(defaults.delete_after_ms),
            delete_result: with_message(
                self.delete_result.clone().unwrap_or(defaults.delete_result),
                self.delete_message.as_ref(),
            ),
        }
    }
}

/// A scripted result as the seed writes it: `"SUCCEEDED"` or `"FAILED"`.
mod word {
    use proton_cancel::{EngineResult, StatusMessage};
    use serde::{Deserialize as _, Deserializer};

    use super::{CANCELLATION_FAILURE, DELETION_FAILURE, UPDATE_FAILURE};

    const WORDS: &[&str] = &["SUCCEEDED", "FAILED"];

    fn read<'de, D: Deserializer<'de>>(d: D, reason: &str) -> Result<EngineResult, D::Error> {
        match String::deserialize(d)?.as_str() {
            "SUCCEEDED" => Ok(EngineResult::Succeeded),
            "FAILED" => Ok(EngineResult::Failed(StatusMessage::new(reason))),
            other => Err(serde::de::Error::unknown_variant(other, WORDS)),
        }
    }

    pub(super) fn update<'de, D: Deserializer<'de>>(d: D) -> Result<EngineResult, D::Error> {
        read(d, UPDATE_FAILURE)
    }

    pub(super) fn cancellation<'de, D: Deserializer<'de>>(d: D) -> Result<EngineResult, D::Error> {
        read(d, CANCELLATION_FAILURE)
    }

    pub(super) fn deletion<'de, D: Deserializer<'de>>(d: D) -> Result<EngineResult, D::Error> {
        read(d, DELETION_FAILURE)
    }

    pub(super) fn some_deletion<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<EngineResult>, D::Error> {
        deletion(d).map(Some)
    }

    pub(super) fn some_update<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<EngineResult>, D::Error> {
        update(d).map(Some)
    }

    pub(super) fn some_cancellation<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<EngineResult>, D::Error> {
        cancellation(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use proton_cancel::{EngineResult, StatusMessage};

    use super::{
        CANCELLATION_FAILURE, DELETION_FAILURE, EngineOverrides, EngineScript, UPDATE_FAILURE,
    };

    /// Each result a seed or a flag gives replaces the level below, with
    /// the engine's reason for a failure; what is left out stays.
    #[test]
    fn results_given_override_the_level_below_and_carry_the_engines_reason() {
        let failing: EngineOverrides = serde_json::from_str(
            r#"{"updateResult": "FAILED", "cancelResult": "FAILED", "deleteResult": "FAILED"}"#,
        )
        .unwrap();
        let script = failing.over(&EngineScript::default());
        assert_eq!(
            (
                script.update_result,
                script.cancel_result,
                script.delete_result
            ),
            (
                EngineResult::Failed(StatusMessage::new(UPDATE_FAILURE)),
                EngineResult::Failed(StatusMessage::new(CANCELLATION_FAILURE)),
                EngineResult::Failed(StatusMessage::new(DELETION_FAILURE)),
            )
        );
        let held: EngineOverrides = serde_json::from_str(r#"{"deleteAfterMs": null}"#).unwrap();
        assert_eq!(held.over(&EngineScript::default()).delete_after_ms, None);
        let none: EngineOverrides = serde_json::from_str("{}").unwrap();
        assert_eq!(none.over(&EngineScript::default()), EngineScript::default());
        let unknown = serde_json::from_str::<EngineOverrides>(r#"{"updateResult": "MAYBE"}"#);
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .starts_with("unknown variant `MAYBE`, expected `SUCCEEDED` or `FAILED`"),
        );
    }

    /// A failure's reason given at any level is kept when the script is
    /// written and read back; the engine's own reason is not written.
    #[test]
    fn a_scripted_failure_message_replaces_the_engines_reason_and_is_kept() {
        let given: EngineOverrides = serde_json::from_str(
            r#"{"updateResult": "FAILED", "updateMessage": "no capacity", "cancelMessage": "unused"}"#,
        )
        .unwrap();
        let script = given.over(&EngineScript::default());
        assert_eq!(
            (&script.update_result, &script.cancel_result),
            (
                &EngineResult::Failed(StatusMessage::new("no capacity")),
                &EngineResult::Succeeded
            )
        );
        let text = serde_json::to_string(&script).unwrap();
        assert_eq!(
            text,
            r#"{"updateAfterMs":5000,"updateResult":"FAILED","updateMessage":"no capacity","cancelStartAfterMs":1000,"cancelFinishAfterMs":2000,"cancelResult":"SUCCEEDED","deleteAfterMs":3000,"deleteResult":"SUCCEEDED"}"#
        );
        assert_eq!(serde_json::from_str::<EngineScript>(&text).unwrap(), script);
        let engine_reason = failing_update().over(&EngineScript::default());
        assert!(
            !serde_json::to_string(&engine_reason)
                .unwrap()
                .contains("Message")
        );
    }

    fn failing_update() -> EngineOverrides {
        serde_json::from_str(r#"{"updateResult": "FAILED"}"#).unwrap()
    }

    /// A script stored before deletion was served (no deletion members)
    /// reads with the built-in deletion: 3 s, succeeding.
    #[test]
    fn a_script_stored_without_deletion_members_reads_with_the_built_in_deletion() {
        let stored = r#"{"updateAfterMs": 10, "updateResult": "FAILED", "cancelStartAfterMs": null,
            "cancelFinishAfterMs": 20, "cancelResult": "SUCCEEDED"}"#;
        let script: EngineScript = serde_json::from_str(stored).unwrap();
        assert_eq!(
            (script.delete_after_ms, script.delete_result.clone()),
            (Some(3_000), EngineResult::Succeeded)
        );
        assert_eq!(script.update_after_ms, Some(10));
        let round_trip: EngineScript =
            serde_json::from_str(&serde_json::to_string(&script).unwrap()).unwrap();
        assert_eq!(round_trip, script);
    }
}
