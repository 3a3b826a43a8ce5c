//! Quoting untrusted values inside error messages.

use std::fmt;

/// How many Unicode scalar values of a rejected value an error message
/// repeats before it cuts the value off with `…`.
pub const ECHO_LIMIT: usize = 64;

/// Writes a rejected value into a message: between `quote`s, with control
/// characters, quotes and backslashes escaped (`char::escape_debug`), and cut
/// after [`ECHO_LIMIT`] characters with `…` after the closing quote. A
/// message built with it is always one line, whatever the value held.
pub(crate) struct Echo<'a> {
    value: &'a str,
    quote: char,
}

impl<'a> Echo<'a> {
    /// In double quotes, for the crate's own messages.
    pub(crate) fn double(value: &'a str) -> Self {
        Self { value, quote: '"' }
    }

    /// In single quotes, as AWS's ValidationException messages quote values.
    pub(crate) fn single(value: &'a str) -> Self {
        Self { value, quote: '\'' }
    }
}

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        f.write_char(self.quote)?;
        let mut chars = self.value.chars();
        for c in chars.by_ref().take(ECHO_LIMIT) {
            for e in c.escape_debug() {
                f.write_char(e)?;
            }
        }
        f.write_char(self.quote)?;
        if chars.next().is_some() {
            f.write_char('…')?;
        }
        Ok(())
    }
}
