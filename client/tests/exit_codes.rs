//! The exit codes: one per ending, each listed in `--help`.

use proton_cancel::waiter::WaitOutcome;
use proton_cancel::{DeploymentStatus, StatusMessage};
use std::time::Duration;

use clap::Parser as _;
use proton_cancel_client::{Cli, EXIT_CODES, Exit};
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

/// The delay flags as the command line gives them.
fn delays(args: &[&str]) -> Result<(Duration, Duration, Duration), String> {
    let mut argv = vec!["proton-cancel"];
    argv.extend_from_slice(args);
    argv.extend(["status", "environment", "--name", "prod"]);
    let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
    Ok((cli.min_delay, cli.max_delay, cli.max_wait))
}

#[test]
fn delay_flags_read_humantime_durations_and_name_a_bad_one() {
    assert_eq!(
        delays(&[
            "--min-delay",
            "500ms",
            "--max-delay",
            "1.5s",
            "--max-wait",
            "30m"
        ]),
        Ok((
            Duration::from_millis(500),
            Duration::from_millis(1_500),
            Duration::from_secs(1_800)
        ))
    );
    assert_eq!(
        delays(&["--max-wait", "1m 30s"]).map(|d| d.2),
        Ok(Duration::from_secs(90))
    );
    assert_eq!(
        delays(&[]),
        Ok((
            Duration::from_secs(2),
            Duration::from_secs(10),
            Duration::from_secs(1_800)
        ))
    );
    let err = delays(&["--min-delay", "soon"]).unwrap_err();
    assert!(
        err.starts_with(
            "error: invalid value 'soon' for '--min-delay <MIN_DELAY>': 'soon' is not a duration \
             (expected number at 0): give a number and a unit (500ms, 2s, 30m)"
        ),
        "{err}"
    );
    assert!(delays(&["--min-delay", "-1s"]).is_err());
}
