//! The exit codes: one per ending, each listed in `--help`.

use proton_cancel::{DeploymentStatus, StatusMessage, WaitOutcome};
use proton_cancel_client::{EXIT_CODES, Exit, parse_duration};
use strum::VariantArray as _;

#[test]
fn every_ending_has_its_own_word_each_word_one_exit_code_and_help_lists_each_code() {
    let endings: Vec<(&str, u8)> = Exit::VARIANTS
        .iter()
        .map(|e| (e.word(), e.code()))
        .collect();
    assert_eq!(
        endings,
        [
            ("cancelled", 0),
            ("accepted", 0),
            ("shown", 0),
            ("error", 1),
            ("invalid-input", 2),
            ("not-cancellable", 3),
            ("not-found", 4),
            ("failed", 5),
            ("delete-failed", 5),
            ("update-won", 6),
            ("succeeded", 6),
            ("gave-up", 7),
            ("deleted", 8),
            ("interrupted", 130),
        ]
    );
    let mut words: Vec<&str> = endings.iter().map(|(w, _)| *w).collect();
    words.sort_unstable();
    words.dedup();
    assert_eq!(words.len(), endings.len(), "a word names two endings");
    for (_, code) in endings {
        let listed = EXIT_CODES
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{code} ")));
        assert!(listed, "exit code {code} is not in the help");
    }
}

#[test]
fn each_wait_outcome_and_error_code_maps_to_its_exit() {
    let msg = Some(StatusMessage::new("x"));
    assert_eq!(Exit::of(&WaitOutcome::Cancelled), Exit::Cancelled);
    assert_eq!(Exit::of(&WaitOutcome::UpdateWon), Exit::UpdateWon);
    assert_eq!(Exit::of(&WaitOutcome::Succeeded), Exit::Succeeded);
    assert_eq!(
        Exit::of(&WaitOutcome::Failed {
            message: msg.clone()
        }),
        Exit::Failed
    );
    assert_eq!(
        Exit::of(&WaitOutcome::DeleteFailed { message: msg }),
        Exit::DeleteFailed
    );
    assert_eq!(Exit::of(&WaitOutcome::Deleted), Exit::Deleted);
    assert_eq!(
        Exit::of(&WaitOutcome::GaveUp {
            last: DeploymentStatus::Cancelling
        }),
        Exit::GaveUp
    );
    assert_eq!(
        Exit::of_error(Some("ConflictException")),
        Exit::NotCancellable
    );
    assert_eq!(
        Exit::of_error(Some("ResourceNotFoundException")),
        Exit::NotFound
    );
    assert_eq!(
        Exit::of_error(Some("ValidationException")),
        Exit::InvalidInput
    );
    assert_eq!(Exit::of_error(Some("ThrottlingException")), Exit::Error);
    assert_eq!(Exit::of_error(None), Exit::Error);
}

#[test]
fn durations_read_milliseconds_seconds_and_minutes() {
    use std::time::Duration;
    assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1_500)));
    assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1_800)));
    assert_eq!(
        parse_duration("soon"),
        Err("'soon' is not a duration: give a number with ms, s or m (500ms, 2s, 30m)".to_owned())
    );
    assert!(parse_duration("-1s").is_err());
}
