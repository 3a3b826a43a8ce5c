//! Request validation in AWS's ValidationException wording: every violation
//! of every member at once, in member order.

use std::fmt;

use crate::api_error::{ApiError, ErrorCode};
use std::borrow::Cow;

use crate::constraint::{Violation, Violations};
use crate::echo::{ECHO_LIMIT, Echo};

/// What one member of a request broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MemberConstraint {
    /// A required member is missing or `null`: `Member must not be null`.
    NotNull,
    /// A length or pattern constraint of the member's shape.
    Shape(Violation),
    /// The value is not one of the enum's values:
    /// `Member must satisfy enum value set: [A, B]`.
    Enum(&'static [&'static str]),
}

impl fmt::Display for MemberConstraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotNull => f.write_str("Member must not be null"),
            Self::Shape(v) => write!(f, "{}", v.aws_constraint()),
            Self::Enum(values) => write!(
                f,
                "Member must satisfy enum value set: [{}]",
                values.join(", ")
            ),
        }
    }
}

/// One violation of one member, as AWS words it:
/// `Value 'bad name!' at 'serviceName' failed to satisfy constraint: …`.
#[derive(Clone, PartialEq, Eq)]
pub struct MemberViolation {
    member: &'static str,
    /// `None` for a null value; sensitive values are kept but never shown.
    value: Option<String>,
    sensitive: bool,
    constraint: MemberConstraint,
}

impl MemberViolation {
    /// The member's wire name, e.g. `serviceName`.
    pub fn member(&self) -> &'static str {
        self.member
    }

    /// What it broke.
    pub fn constraint(&self) -> &MemberConstraint {
        &self.constraint
    }
}

impl fmt::Display for MemberViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Value ")?;
        match (&self.value, self.sensitive) {
            (None, _) => f.write_str("null ")?,
            (Some(_), true) => {}
            (Some(v), false) => write!(f, "{} ", Echo::single(v))?,
        }
        write!(
            f,
            "at '{}' failed to satisfy constraint: {}",
            self.member, self.constraint
        )
    }
}

impl fmt::Debug for MemberViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = match (&self.value, self.sensitive) {
            (Some(_), true) => &"<redacted>",
            (v, _) => v,
        };
        f.debug_struct("MemberViolation")
            .field("member", &self.member)
            .field("value", value)
            .field("constraint", &self.constraint)
            .finish()
    }
}

/// Every violation of a request, in member order; its `Display` is the
/// ValidationException message:
/// `2 validation errors detected: Value '' at 'serviceName' …; Value …`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidationError {
    violations: Vec<MemberViolation>,
}

impl ValidationError {
    /// The violations, in member order.
    pub fn violations(&self) -> &[MemberViolation] {
        &self.violations
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.violations.len() {
            1 => f.write_str("1 validation error detected: ")?,
            n => write!(f, "{n} validation errors detected: ")?,
        }
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::new(ErrorCode::ValidationException, e.to_string())
    }
}

/// The part of a rejected value a message can show: its first
/// [`ECHO_LIMIT`] characters and one more, so that the message still knows
/// to mark the cut. Keeps a huge rejected value from being copied once per
/// violation.
fn echoed_part(value: &str) -> String {
    match value.char_indices().nth(ECHO_LIMIT.saturating_add(1)) {
        Some((cut, _)) => value.get(..cut).unwrap_or(value).to_owned(),
        None => value.to_owned(),
    }
}

/// Collects the violations of one request, member by member.
#[derive(Default)]
pub(crate) struct Validator {
    violations: Vec<MemberViolation>,
}

impl Validator {
    /// Checks an optional member with `check`, and builds the value with
    /// `make` only when it passes; records every violation. A rejected
    /// value is never copied beyond the part a message shows.
    pub(crate) fn optional<T>(
        &mut self,
        member: &'static str,
        sensitive: bool,
        value: Option<Cow<'_, str>>,
        check: fn(&str) -> Result<(), Violations>,
        make: fn(String) -> T,
    ) -> Option<T> {
        let value = value?;
        let violations = match check(&value) {
            Ok(()) => return Some(make(value.into_owned())),
            Err(violations) => violations,
        };
        let shown = echoed_part(&value);
        for v in violations.iter() {
            self.violations.push(MemberViolation {
                member,
                value: Some(shown.clone()),
                sensitive,
                constraint: MemberConstraint::Shape(*v),
            });
        }
        None
    }

    /// Checks a required member: `null` when absent, then as
    /// [`Validator::optional`].
    pub(crate) fn required<T>(
        &mut self,
        member: &'static str,
        sensitive: bool,
        value: Option<Cow<'_, str>>,
        check: fn(&str) -> Result<(), Violations>,
        make: fn(String) -> T,
    ) -> Option<T> {
        if value.is_none() {
            self.null(member, sensitive);
        }
        self.optional(member, sensitive, value, check, make)
    }

    /// Checks a required enum member against its wire values.
    pub(crate) fn required_enum<T: std::str::FromStr>(
        &mut self,
        member: &'static str,
        values: &'static [&'static str],
        value: Option<Cow<'_, str>>,
    ) -> Option<T> {
        let Some(value) = value else {
            self.null(member, false);
            return None;
        };
        match value.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                self.violations.push(MemberViolation {
                    member,
                    value: Some(echoed_part(&value)),
                    sensitive: false,
                    constraint: MemberConstraint::Enum(values),
                });
                None
            }
        }
    }

    fn null(&mut self, member: &'static str, sensitive: bool) {
        self.violations.push(MemberViolation {
            member,
            value: None,
            sensitive,
            constraint: MemberConstraint::NotNull,
        });
    }

    /// `Ok` when nothing was broken.
    pub(crate) fn finish(self) -> Result<(), ValidationError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                violations: self.violations,
            })
        }
    }
}
