//! Times as the wire writes them in filters: RFC 3339, in UTC.

use proton_cancel::Timestamp;

/// Reads an RFC 3339 time in UTC (`1985-04-12T23:20:50.52Z`), as the
/// date/time filter keys take it; `None` for anything else, including a
/// time with another offset or a space for the `T`. The calendar is
/// jiff's.
pub(crate) fn parse_rfc3339_utc(value: &str) -> Option<Timestamp> {
    let b = value.as_bytes();
    let utc = matches!(b.last(), Some(b'Z' | b'z'));
    let t = matches!(b.get(10), Some(b'T' | b't'));
    if !utc || !t {
        return None;
    }
    let at: jiff::Timestamp = value.parse().ok()?;
    Some(Timestamp::from_millis(at.as_millisecond()))
}
