//! Quoting untrusted values inside error messages.

use std::fmt;

/// How many Unicode scalar values of a rejected value an error message
/// repeats before it cuts the value off with `…`.
pub(crate) const ECHO_LIMIT: usize = 64;

/// Writes a rejected value into a message: between double quotes, with
/// control characters, quotes and backslashes escaped (`char::escape_debug`),
/// and cut after [`ECHO_LIMIT`] characters with `…` after the closing quote.
/// A message built with it is always one line, whatever the value held.
pub(crate) struct Echo<'a>(pub(crate) &'a str);

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        f.write_char('"')?;
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(ECHO_LIMIT) {
            for e in c.escape_debug() {
                f.write_char(e)?;
            }
        }
        f.write_char('"')?;
        if chars.next().is_some() {
            f.write_char('…')?;
        }
        Ok(())
    }
}
