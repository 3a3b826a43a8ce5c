//! Time as an input: the crate never reads a clock.

use std::fmt;

/// A point in time, in whole milliseconds since the Unix epoch (UTC).
///
/// Every input of the deployment machine carries one; the embedding (a
/// server, an emulator, a test) decides what "now" is. On the wire AWS
/// writes timestamps as epoch seconds with a millisecond fraction, which
/// [`Timestamp::as_epoch_seconds`] gives.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The Unix epoch, 1970-01-01T00:00:00Z.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// `millis` milliseconds after the epoch (before it when negative).
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// `secs` whole seconds after the epoch, saturating at the ends of the
    /// range.
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs.saturating_mul(1000))
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Seconds since the epoch with a millisecond fraction, as the wire
    /// writes them (`1700000000.123`).
    pub fn as_epoch_seconds(self) -> f64 {
        // An i64 of milliseconds up to ±2^53 converts exactly; that range
        // covers ±285,000 years.
        self.0 as f64 / 1000.0
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({}ms)", self.0)
    }
}
