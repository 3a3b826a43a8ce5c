//! How a command ends: one variant per ending, each with its own word for
//! `--output json` and its process exit code. Several endings share a code
//! (a script that reads only the code sees "worked", "failed", …); no two
//! share a word, so a script that reads the word tells every ending apart.

use proton_cancel::waiter::WaitOutcome;

/// How a command ended: its word (`outcome` in `--output json`, from
/// strum: the variant's name in kebab case) and its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "kebab-case")]
#[non_exhaustive]
pub enum Exit {
    /// 0, `cancelled`: the deployment was cancelled (CANCELLED).
    Cancelled,
    /// 0, `accepted`: without `--wait`, the cancel was accepted.
    Accepted,
    /// 0, `shown`: `status` printed the status.
    Shown,
    /// 1, `error`: any other error: no answer (network, credentials) or an
    /// error code not listed here.
    Error,
    /// 2, `invalid-input`: a name breaks AWS's rules (checked before any
    /// call), a flag is wrong, or no region is configured.
    InvalidInput,
    /// 3, `not-cancellable`: ConflictException (no deployment IN_PROGRESS,
    /// or a cancellation already in progress).
    NotCancellable,
    /// 4, `not-found`: ResourceNotFoundException.
    NotFound,
    /// 5, `failed`: FAILED: the update or its cancellation failed.
    Failed,
    /// 5, `delete-failed`: DELETE_FAILED: a deletion failed while the tool
    /// waited.
    DeleteFailed,
    /// 6, `update-won`: after a cancel, the update finished first
    /// (SUCCEEDED) and the cancel had no effect.
    UpdateWon,
    /// 6, `succeeded`: waiting for a deployment (no cancel), it succeeded.
    Succeeded,
    /// 7, `gave-up`: the maximum wait passed with the deployment unsettled.
    GaveUp,
    /// 8, `deleted`: the resource was deleted while the tool waited.
    Deleted,
    /// 130, `interrupted`: Ctrl-C: the tool stopped waiting and changed
    /// nothing on the server.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Cancelled | Self::Accepted | Self::Shown => 0,
            Self::Error => 1,
            Self::InvalidInput => 2,
            Self::NotCancellable => 3,
            Self::NotFound => 4,
            Self::Failed | Self::DeleteFailed => 5,
            Self::UpdateWon | Self::Succeeded => 6,
            Self::GaveUp => 7,
            Self::Deleted => 8,
            Self::Interrupted => 130,
        }
    }

    /// The word `--output json` writes for it (`outcome`).
    pub fn word(self) -> &'static str {
        self.into()
    }

    /// Whether the command failed to do what it was asked (the text output
    /// then explains on standard error).
    pub fn is_error(self) -> bool {
        matches!(
            self,
            Self::Error | Self::InvalidInput | Self::NotCancellable | Self::NotFound
        )
    }

    /// The exit of a wait that ended with `outcome`.
    pub fn of(outcome: &WaitOutcome) -> Self {
        match outcome {
            WaitOutcome::Cancelled => Self::Cancelled,
            WaitOutcome::UpdateWon => Self::UpdateWon,
            WaitOutcome::Succeeded => Self::Succeeded,
            WaitOutcome::Failed { .. } => Self::Failed,
            WaitOutcome::DeleteFailed { .. } => Self::DeleteFailed,
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
