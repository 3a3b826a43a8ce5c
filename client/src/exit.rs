//! The tool's exit codes: one per way a command can end.

use proton_cancel::WaitOutcome;

/// How a command ended, and its process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Exit {
    /// 0: the deployment was cancelled (CANCELLED); without `--wait`, the
    /// cancel was accepted; `status` printed the status.
    Done,
    /// 1: any other error: no answer (network, credentials) or an error
    /// code not listed here.
    Error,
    /// 2: invalid input: a name breaks AWS's rules (checked before any
    /// call), a flag is wrong, or no region is configured.
    InvalidInput,
    /// 3: not cancellable: ConflictException (no deployment IN_PROGRESS, or
    /// a cancellation already in progress).
    NotCancellable,
    /// 4: not found: ResourceNotFoundException.
    NotFound,
    /// 5: FAILED: the update or its cancellation failed (or a deletion
    /// failed).
    Failed,
    /// 6: SUCCEEDED: after a cancel, the update finished first and the
    /// cancel had no effect; when waiting for a deployment, it succeeded.
    Succeeded,
    /// 7: gave up: the maximum wait passed with the deployment unsettled.
    GaveUp,
    /// 8: the resource was deleted while the tool waited.
    Deleted,
    /// 130: interrupted (Ctrl-C): the tool stopped waiting and changed
    /// nothing on the server.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Done => 0,
            Self::Error => 1,
            Self::InvalidInput => 2,
            Self::NotCancellable => 3,
            Self::NotFound => 4,
            Self::Failed => 5,
            Self::Succeeded => 6,
            Self::GaveUp => 7,
            Self::Deleted => 8,
            Self::Interrupted => 130,
        }
    }

    /// The word `--output json` writes for it.
    pub fn word(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Error => "error",
            Self::InvalidInput => "invalid-input",
            Self::NotCancellable => "not-cancellable",
            Self::NotFound => "not-found",
            Self::Failed => "failed",
            Self::Succeeded => "succeeded",
            Self::GaveUp => "gave-up",
            Self::Deleted => "deleted",
            Self::Interrupted => "interrupted",
        }
    }

    /// The exit of a wait that ended with `outcome`.
    pub fn of(outcome: &WaitOutcome) -> Self {
        match outcome {
            WaitOutcome::Cancelled => Self::Done,
            WaitOutcome::UpdateWon | WaitOutcome::Succeeded => Self::Succeeded,
            WaitOutcome::Failed { .. } | WaitOutcome::DeleteFailed { .. } => Self::Failed,
            WaitOutcome::Deleted => Self::Deleted,
            WaitOutcome::GaveUp { .. } => Self::GaveUp,
            _ => Self::Error,
        }
    }

    /// The exit of a call the service refused with `code`.
    pub fn of_error(code: Option<&str>) -> Self {
        match code {
            Some("ConflictException") => Self::NotCancellable,
            Some("ResourceNotFoundException") => Self::NotFound,
            Some("ValidationException") => Self::InvalidInput,
            _ => Self::Error,
        }
    }
}
