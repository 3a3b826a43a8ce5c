//! Constraint violations of the service model's string shapes, and the error
//! that carries them.

use std::fmt;

use crate::echo::Echo;

/// The string shapes of the service model that this crate validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::Display, strum::IntoStaticStr)]
#[non_exhaustive]
pub enum Shape {
    /// `ResourceName`: names of services, instances, environments, components
    /// and templates.
    ResourceName,
    /// `ClientToken`: the idempotency token of an update.
    ClientToken,
    /// `DeploymentId`: a lower-case UUID.
    DeploymentId,
    /// `TemplateVersionPart`: a template major or minor version.
    TemplateVersionPart,
    /// `SpecContents`: a service or environment spec (sensitive).
    SpecContents,
}

impl Shape {
    /// `true` for shapes the service model marks `sensitive`: their values
    /// never appear in an error message.
    pub fn is_sensitive(self) -> bool {
        matches!(self, Self::SpecContents)
    }
}

/// Where a value stops matching its shape's pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mismatch {
    /// The value is empty and the pattern needs at least one character.
    Empty,
    /// The character at `index` (counted in Unicode scalar values from 0) is
    /// not allowed there.
    Character {
        /// Position of the character, in Unicode scalar values from 0.
        index: usize,
        /// The offending character.
        character: char,
    },
    /// The value ends at `index` where the pattern needs more characters.
    EndsEarly {
        /// The value's length, in Unicode scalar values.
        index: usize,
    },
}

/// One broken constraint of a string shape.
///
/// A value breaks at most one length rule and at most one pattern rule;
/// [`Violations`] lists them in that order (length, then pattern), the order
/// in which AWS's `ValidationException` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Violation {
    /// Fewer Unicode scalar values than the shape's minimum.
    TooShort {
        /// The value's length in Unicode scalar values.
        length: usize,
        /// The shape's minimum length.
        min: usize,
    },
    /// More Unicode scalar values than the shape's maximum.
    TooLong {
        /// The value's length in Unicode scalar values.
        length: usize,
        /// The shape's maximum length.
        max: usize,
    },
    /// The value does not match the shape's regular expression.
    Pattern {
        /// The published pattern, verbatim.
        pattern: &'static str,
        /// Where the value stops matching.
        mismatch: Mismatch,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooShort { length, min } => write!(
                f,
                "it is {length} characters long, shorter than the minimum length {min}"
            ),
            Self::TooLong { length, max } => write!(
                f,
                "it is {length} characters long, longer than the maximum length {max}"
            ),
            Self::Pattern {
                pattern,
                mismatch: Mismatch::Empty,
            } => write!(
                f,
                "it is empty, and the pattern {pattern} needs a character"
            ),
            Self::Pattern {
                pattern,
                mismatch: Mismatch::Character { index, character },
            } => write!(
                f,
                "character {character:?} at index {index} does not match the pattern {pattern}"
            ),
            Self::Pattern {
                pattern,
                mismatch: Mismatch::EndsEarly { index },
            } => write!(
                f,
                "it ends at index {index}, where the pattern {pattern} needs more characters"
            ),
        }
    }
}

/// Every constraint one value breaks: at most one length violation and at
/// most one pattern violation, in that order. Never empty when it comes from
/// a validator. Holds no heap memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Violations {
    length: Option<Violation>,
    pattern: Option<Violation>,
}

impl Violations {
    pub(crate) fn new(length: Option<Violation>, pattern: Option<Violation>) -> Self {
        Self { length, pattern }
    }

    /// The violations, length first, then pattern.
    pub fn iter(&self) -> impl Iterator<Item = &Violation> + '_ {
        self.length.iter().chain(self.pattern.iter())
    }

    /// How many constraints were broken (1 or 2).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// `true` when no constraint was broken.
    pub fn is_empty(&self) -> bool {
        self.length.is_none() && self.pattern.is_none()
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

/// A string that breaks one or more constraints of its shape.
///
/// The message names the shape, repeats the value (escaped and cut after
/// 64 characters; left out for sensitive shapes) and
/// states every broken rule:
///
/// ```
/// use proton_cancel::ResourceName;
///
/// let err = ResourceName::new("bad name!").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "invalid ResourceName \"bad name!\": character ' ' at index 3 does not match \
///      the pattern ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$",
/// );
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", Rendered(self))]
pub struct InvalidValue {
    shape: Shape,
    value: String,
    violations: Violations,
}

impl InvalidValue {
    pub(crate) fn new(shape: Shape, value: String, violations: Violations) -> Self {
        Self {
            shape,
            value,
            violations,
        }
    }

    /// The shape whose constraints were broken.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The rejected value, given back so that the caller keeps ownership.
    pub fn into_value(self) -> String {
        self.value
    }

    /// Every broken constraint, length first.
    pub fn violations(&self) -> &Violations {
        &self.violations
    }
}

struct Rendered<'a>(&'a InvalidValue);

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        if e.shape.is_sensitive() {
            write!(f, "invalid {} (value not shown): {}", e.shape, e.violations)
        } else {
            write!(
                f,
                "invalid {} {}: {}",
                e.shape,
                Echo(&e.value),
                e.violations
            )
        }
    }
}

impl fmt::Debug for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("InvalidValue");
        d.field("shape", &self.shape);
        if self.shape.is_sensitive() {
            d.field("value", &"<redacted>");
        } else {
            d.field("value", &self.value);
        }
        d.field("violations", &self.violations).finish()
    }
}
