//! Quoting rejected values inside error messages, as AWS does.

use std::fmt;

/// How many Unicode scalar values of a rejected value an error message
/// repeats verbatim. Longer values are cut there, and the message says so.
pub const ECHO_LIMIT: usize = 1024;

/// Writes a rejected value into a message as AWS does: between `quote`s,
/// verbatim, with no escaping of its own. A value longer than
/// [`ECHO_LIMIT`] characters is cut after that many, and
/// ` (cut after 1024 characters)` follows the closing quote.
///
/// The message may then hold any character the caller sent, control
/// characters included: the JSON body escapes them, and the server logs a
/// message only through an escaping formatter, so neither can be broken.
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
        match self.value.char_indices().nth(ECHO_LIMIT) {
            None => f.write_str(self.value)?,
            Some((cut, _)) => {
                f.write_str(self.value.get(..cut).unwrap_or(self.value))?;
                f.write_char(self.quote)?;
                return write!(f, " (cut after {ECHO_LIMIT} characters)");
            }
        }
        f.write_char(self.quote)
    }
}
