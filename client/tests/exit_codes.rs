//! The exit codes: one per ending, each listed in `--help`.

use proton_cancel::{DeploymentStatus, StatusMessage, WaitOutcome};
use proton_cancel_client::{EXIT_CODES, Exit, parse_duration};

const ALL: [Exit; 10] = [
    Exit::Done,
    Exit::Error,
    Exit::InvalidInput,
    Exit::NotCancellable,
    Exit::NotFound,
    Exit::Failed,
    Exit::Succeeded,
    Exit::GaveUp,
    Exit::Deleted,
    Exit::Interrupted,
];

#[test]
fn every_ending_has_its_own_code_and_word_and_help_lists_each_code() {
    let codes: Vec<u8> = ALL.iter().map(|e| e.code()).collect();
    assert_eq!(codes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 130]);
    let mut words: Vec<&str> = ALL.iter().map(|e| e.word()).collect();
    words.sort_unstable();
    words.dedup();
    assert_eq!(words.len(), ALL.len());
    for code in codes {
        let listed = EXIT_CODES
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{code} ")));
        assert!(listed, "exit code {code} is not in the help");
    }
}

#[test]
fn each_wait_outcome_and_error_code_maps_to_its_exit() {
    let msg = Some(StatusMessage::new("x"));
    assert_eq!(Exit::of(&WaitOutcome::Cancelled), Exit::Done);
    assert_eq!(Exit::of(&WaitOutcome::UpdateWon), Exit::Succeeded);
    assert_eq!(Exit::of(&WaitOutcome::Succeeded), Exit::Succeeded);
    assert_eq!(
        Exit::of(&WaitOutcome::Failed {
            message: msg.clone()
        }),
        Exit::Failed
    );
    assert_eq!(
        Exit::of(&WaitOutcome::DeleteFailed { message: msg }),
        Exit::Failed
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
