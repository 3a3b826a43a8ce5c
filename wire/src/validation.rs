//! Request validation in AWS's ValidationException wording: every violation
//! of every member at once, in member order.

use std::borrow::Cow;
use std::fmt;

use proton_cancel::{InvalidValue, Violation};

use crate::echo::{ECHO_LIMIT, Echo};
use crate::error::{ApiError, ErrorCode};

/// What one member of a request broke.
#[derive(Clone)]
pub(crate) enum MemberConstraint {
    /// A required member is missing or `null`: `Member must not be null`.
    NotNull,
    /// A length or pattern constraint of the member's shape.
    Shape(Violation),
    /// The value is not one of the enum's values:
    /// `Member must satisfy enum value set: [A, B]`.
    Enum(&'static [&'static str]),
    /// A wire-only string shape's maximum length:
    /// `Member must have length less than or equal to 500`.
    MaxLength(usize),
    /// A wire-only string shape's pattern:
    /// `Member must satisfy regular expression pattern: …`.
    Pattern(&'static str),
    /// An integer below the shape's minimum:
    /// `Member must have value greater than or equal to 1`.
    MinValue(i64),
    /// An integer above the shape's maximum:
    /// `Member must have value less than or equal to 100`.
    MaxValue(i64),
}

impl fmt::Display for MemberConstraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotNull => f.write_str("Member must not be null"),
            Self::Shape(v) => f.write_str(&aws_wording(v)),
            Self::Enum(values) => write!(
                f,
                "Member must satisfy enum value set: [{}]",
                values.join(", ")
            ),
            Self::MaxLength(max) => {
                write!(f, "Member must have length less than or equal to {max}")
            }
            Self::Pattern(pattern) => {
                write!(
                    f,
                    "Member must satisfy regular expression pattern: {pattern}"
                )
            }
            Self::MinValue(min) => {
                write!(f, "Member must have value greater than or equal to {min}")
            }
            Self::MaxValue(max) => write!(f, "Member must have value less than or equal to {max}"),
        }
    }
}

/// A constraint in AWS's wire wording, as it follows `failed to satisfy
/// constraint: ` in a ValidationException message, for example `Member must
/// have length less than or equal to 100`.
pub fn aws_wording(violation: &Violation) -> String {
    match violation {
        Violation::TooShort { min, .. } => {
            format!("Member must have length greater than or equal to {min}")
        }
        Violation::TooLong { max, .. } => {
            format!("Member must have length less than or equal to {max}")
        }
        Violation::Pattern { pattern, .. } => {
            format!("Member must satisfy regular expression pattern: {pattern}")
        }
        // A rule a later version of the core adds: named by the core's own
        // wording until this crate learns AWS's.
        other => format!("Member must satisfy constraint: {other}"),
    }
}

/// One violation of one member, as AWS words it:
/// `Value 'bad name!' at 'serviceName' failed to satisfy constraint: …`.
pub(crate) struct MemberViolation {
    member: Cow<'static, str>,
    /// `None` for a null value; sensitive values are kept but never shown.
    value: Option<String>,
    sensitive: bool,
    constraint: MemberConstraint,
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

/// Every violation of a request, in member order; its `Display` is the
/// ValidationException message:
/// `2 validation errors detected: Value '' at 'serviceName' …; Value …`.
#[derive(Default)]
pub(crate) struct ValidationError {
    violations: Vec<MemberViolation>,
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

/// A member's value as a body gives it (absent or `null` as `None`).
pub(crate) type Raw<'a> = Option<Cow<'a, str>>;

/// A validated type's constructor, which checks a value once.
pub(crate) type Make<T> = fn(String) -> Result<T, InvalidValue>;

/// A member as its violations name it: its wire name, and whether its
/// value is sensitive (never repeated in a message).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Member {
    name: &'static str,
    sensitive: bool,
}

impl Member {
    /// A member whose rejected value messages repeat.
    pub(crate) const fn shown(name: &'static str) -> Self {
        Self {
            name,
            sensitive: false,
        }
    }

    /// A sensitive member: messages never repeat its value.
    pub(crate) const fn secret(name: &'static str) -> Self {
        Self {
            name,
            sensitive: true,
        }
    }
}

/// Collects the violations of one request, member by member.
#[derive(Default)]
pub(crate) struct Validator {
    violations: Vec<MemberViolation>,
}

impl Validator {
    /// Builds an optional member with `make` (a validated type's `new`),
    /// which checks it once; records every violation. A rejected value is
    /// never copied beyond the part a message shows.
    pub(crate) fn optional<T>(&mut self, member: Member, raw: Raw<'_>, make: Make<T>) -> Option<T> {
        let error = match make(raw?.into_owned()) {
            Ok(made) => return Some(made),
            Err(error) => error,
        };
        let violations = *error.violations();
        let shown = echoed_part(&error.into_value());
        for v in violations.iter() {
            self.violations.push(MemberViolation {
                member: member.name.into(),
                value: Some(shown.clone()),
                sensitive: member.sensitive,
                constraint: MemberConstraint::Shape(*v),
            });
        }
        None
    }

    /// Checks a required member: `null` when absent, then as
    /// [`Validator::optional`].
    pub(crate) fn required<T>(&mut self, member: Member, raw: Raw<'_>, make: Make<T>) -> Option<T> {
        if raw.is_none() {
            self.null(member.name, member.sensitive);
        }
        self.optional(member, raw, make)
    }

    /// Checks a required enum member against its wire values (strum's
    /// `VARIANTS`, in the service model's order).
    pub(crate) fn required_enum<T: std::str::FromStr + strum::VariantNames>(
        &mut self,
        member: impl Into<Cow<'static, str>>,
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
                    member: member.into(),
                    value: Some(echoed_part(&value)),
                    sensitive: false,
                    constraint: MemberConstraint::Enum(T::VARIANTS),
                });
                None
            }
        }
    }

    /// Checks an optional enum member against its wire values.
    pub(crate) fn optional_enum<T: std::str::FromStr + strum::VariantNames>(
        &mut self,
        member: impl Into<Cow<'static, str>>,
        value: Option<Cow<'_, str>>,
    ) -> Option<T> {
        value.as_ref()?;
        self.required_enum(member, value)
    }

    /// Checks a required string member of a shape only the wire has:
    /// `null` when absent, then as [`Validator::optional_str`].
    pub(crate) fn required_str(
        &mut self,
        member: impl Into<Cow<'static, str>>,
        value: Option<Cow<'_, str>>,
        check: fn(&str) -> Vec<MemberConstraint>,
    ) -> Option<String> {
        let member = member.into();
        if value.is_none() {
            self.null(member.clone(), false);
        }
        self.optional_str(member, false, value, check)
    }

    /// Checks an optional string member of a shape only the wire has
    /// (`check` lists what it breaks, in AWS's order).
    pub(crate) fn optional_str(
        &mut self,
        member: impl Into<Cow<'static, str>>,
        sensitive: bool,
        value: Option<Cow<'_, str>>,
        check: fn(&str) -> Vec<MemberConstraint>,
    ) -> Option<String> {
        let value = value?;
        let broken = check(&value);
        if broken.is_empty() {
            return Some(value.into_owned());
        }
        let shown = echoed_part(&value);
        let member = member.into();
        for constraint in broken {
            self.violations.push(MemberViolation {
                member: member.clone(),
                value: Some(shown.clone()),
                sensitive,
                constraint,
            });
        }
        None
    }

    /// Checks an optional integer member against its range.
    pub(crate) fn optional_int(
        &mut self,
        member: &'static str,
        value: Option<i64>,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let value = value?;
        let constraint = if value < min {
            MemberConstraint::MinValue(min)
        } else if value > max {
            MemberConstraint::MaxValue(max)
        } else {
            return Some(value);
        };
        self.violations.push(MemberViolation {
            member: member.into(),
            value: Some(value.to_string()),
            sensitive: false,
            constraint,
        });
        None
    }

    fn null(&mut self, member: impl Into<Cow<'static, str>>, sensitive: bool) {
        self.violations.push(MemberViolation {
            member: member.into(),
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
