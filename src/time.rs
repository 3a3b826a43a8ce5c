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

/// On the wire (AWS JSON 1.0) a timestamp is a JSON number of epoch seconds:
/// whole seconds are written as an integer, anything else with its
/// millisecond fraction (`1700000000.123`).
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.rem_euclid(1000) == 0 {
            s.serialize_i64(self.0.div_euclid(1000))
        } else {
            s.serialize_f64(self.as_epoch_seconds())
        }
    }
}

/// Reads epoch seconds (integer or fractional), rounded to the millisecond.
/// Non-finite numbers and values beyond ±2^53 ms are refused.
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("epoch seconds as a number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Timestamp, E> {
                v.checked_mul(1000)
                    .filter(|ms| ms.unsigned_abs() <= MAX_EXACT_MILLIS)
                    .map(Timestamp)
                    .ok_or_else(|| E::custom(format!("timestamp {v} is out of range")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Timestamp, E> {
                i64::try_from(v)
                    .map_err(|_| E::custom(format!("timestamp {v} is out of range")))
                    .and_then(|v| self.visit_i64(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Timestamp, E> {
                let ms = (v * 1000.0).round();
                if ms.is_finite() && ms.abs() <= MAX_EXACT_MILLIS as f64 {
                    // In range and integral, so the conversion is exact.
                    Ok(Timestamp(ms as i64))
                } else {
                    Err(E::custom(format!("timestamp {v:?} is out of range")))
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// The largest millisecond count an `f64` represents exactly (2^53).
const MAX_EXACT_MILLIS: u64 = 1 << 53;
