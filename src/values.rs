//! Validated values of the service model besides names: client tokens,
//! deployment ids, template versions, specs and status messages.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::constraint::{InvalidValue, Mismatch, Shape, Violation, Violations};

/// Declares a validated string newtype: a private shared string
/// (`Arc<str>`: a copy of a value, as `Deployment::observe` makes many, is a
/// reference count, not an allocation; docs/performance.md has the
/// measurement), `new`, `FromStr`, `TryFrom<String>`, `TryFrom<&str>` and
/// `Deserialize` all through one check function, `Serialize` as the plain
/// string.
/// `redacted` types (sensitive in the service model) have a `Debug` that
/// hides the value and no `Display`.
macro_rules! validated_string {
    ($(#[$meta:meta])* $name:ident, $shape:expr, $check:path) => {
        $crate::values::validated_string!(@define $(#[$meta])* $name, $shape, $check);
        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
    (redacted $(#[$meta:meta])* $name:ident, $shape:expr, $check:path) => {
        $crate::values::validated_string!(@define $(#[$meta])* $name, $shape, $check);
        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
    (@define $(#[$meta:meta])* $name:ident, $shape:expr, $check:path) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(::std::sync::Arc<str>);

        impl $name {
            /// Validates `value` and wraps it, or says every rule it breaks.
            pub fn new(value: impl Into<String>) -> Result<Self, $crate::InvalidValue> {
                let value = value.into();
                match $check(&value) {
                    Ok(()) => Ok(Self(::std::sync::Arc::from(value))),
                    Err(v) => Err($crate::constraint::InvalidValue::new($shape, value, v)),
                }
            }

            /// Checks `value` against the shape's constraints without
            /// allocating; `Err` lists every broken rule, length first.
            pub fn check(value: &str) -> Result<(), $crate::Violations> {
                $check(value)
            }

            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value as an owned string.
            pub fn into_string(self) -> String {
                self.0.to_string()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::InvalidValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::InvalidValue;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(s).map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use validated_string;

/// Length in Unicode scalar values checked against `min..=max`.
fn length_violation(length: usize, min: usize, max: usize) -> Option<Violation> {
    if length < min {
        Some(Violation::TooShort { length, min })
    } else if length > max {
        Some(Violation::TooLong { length, max })
    } else {
        None
    }
}

fn result(v: Violations) -> Result<(), Violations> {
    if v.is_empty() { Ok(()) } else { Err(v) }
}

const CLIENT_TOKEN_PATTERN: &str = "^[!-~]*$";

/// Checks the `ClientToken` constraints: 0 to 64 characters, each a
/// printable ASCII character other than space (`^[!-~]*$`).
fn check_client_token(value: &str) -> Result<(), Violations> {
    let length = value.chars().count();
    let mismatch = value
        .chars()
        .enumerate()
        .find(|(_, c)| !('!'..='~').contains(c))
        .map(|(index, character)| Violation::Pattern {
            pattern: CLIENT_TOKEN_PATTERN,
            mismatch: Mismatch::Character { index, character },
        });
    result(Violations::new(length_violation(length, 0, 64), mismatch))
}

validated_string! {
    /// The idempotency token of an update (`ClientToken`): 0 to 64 printable
    /// ASCII characters without spaces. An update that repeats the running
    /// attempt's token is a replay, not a new attempt.
    ClientToken, Shape::ClientToken, check_client_token
}

const TEMPLATE_VERSION_PATTERN: &str = r"^(0|([1-9]{1}\d*))$";

/// Checks the `TemplateVersionPart` constraints: 1 to 20 characters, `0` or
/// a decimal number without leading zeros.
fn check_template_version(value: &str) -> Result<(), Violations> {
    let length = value.chars().count();
    let mut chars = value.chars();
    let mismatch = match chars.next() {
        None => Some(Mismatch::Empty),
        Some('0') => chars.next().map(|character| Mismatch::Character {
            index: 1,
            character,
        }),
        Some('1'..='9') => {
            chars
                .enumerate()
                .find(|(_, c)| !c.is_ascii_digit())
                .map(|(i, character)| Mismatch::Character {
                    index: i.saturating_add(1),
                    character,
                })
        }
        Some(character) => Some(Mismatch::Character {
            index: 0,
            character,
        }),
    };
    result(Violations::new(
        length_violation(length, 1, 20),
        mismatch.map(|mismatch| Violation::Pattern {
            pattern: TEMPLATE_VERSION_PATTERN,
            mismatch,
        }),
    ))
}

validated_string! {
    /// A template major or minor version (`TemplateVersionPart`): `0` or a
    /// decimal number without leading zeros, at most 20 characters.
    TemplateVersion, Shape::TemplateVersionPart, check_template_version
}

/// Checks the `SpecContents` constraints: 1 to 51,200 characters.
fn check_spec(value: &str) -> Result<(), Violations> {
    result(Violations::new(
        length_violation(value.chars().count(), 1, 51_200),
        None,
    ))
}

validated_string! {
    redacted
    /// A service or environment spec (`SpecContents`, 1 to 51,200
    /// characters). Sensitive in the service model: `Debug` prints
    /// `Spec(<redacted>)`, and there is no `Display`; read it with
    /// [`Spec::as_str`].
    Spec, Shape::SpecContents, check_spec
}

/// A `deploymentStatusMessage` (`StatusMessage`): the failure reason of a
/// FAILED or DELETE_FAILED resource, or `User initiated cancellation.` on a
/// CANCELLED one. Sensitive in the service model: `Debug` prints
/// `StatusMessage(<redacted>)`, and there is no `Display`.
/// Shared like the validated strings (`Arc<str>`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusMessage(std::sync::Arc<str>);

impl StatusMessage {
    /// Wraps a message; the shape has no constraints.
    pub fn new(value: impl Into<String>) -> Self {
        Self(std::sync::Arc::from(value.into()))
    }

    /// The message text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for StatusMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for StatusMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::new)
    }
}

impl fmt::Debug for StatusMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StatusMessage(<redacted>)")
    }
}

const DEPLOYMENT_ID_PATTERN: &str =
    "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// Byte offsets of the four dashes in a deployment id.
const DASHES: [usize; 4] = [8, 13, 18, 23];
const DEPLOYMENT_ID_LEN: usize = 36;

/// A deployment id (`DeploymentId`): a lower-case UUID such as
/// `2b6d1f3e-0c4a-4e7b-9a51-3f0d2c8e9b71`.
///
/// Held as 128 bits, so it is `Copy` and compares in one instruction;
/// `Display` and serde give back the canonical lower-case form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeploymentId(u128);

impl DeploymentId {
    /// The published pattern of the `DeploymentId` shape.
    pub const PATTERN: &'static str = DEPLOYMENT_ID_PATTERN;

    /// Checks the `DeploymentId` pattern without allocating.
    pub fn check(value: &str) -> Result<(), Violations> {
        parse_deployment_id(value).map(|_| ())
    }

    /// The id whose 128 bits are `bits` (for servers that mint ids, and tests).
    pub const fn from_u128(bits: u128) -> Self {
        Self(bits)
    }

    /// The id's 128 bits.
    pub const fn as_u128(self) -> u128 {
        self.0
    }

    /// Parses the canonical lower-case form, or says where it stops matching.
    pub fn new(value: &str) -> Result<Self, InvalidValue> {
        parse_deployment_id(value)
            .map_err(|v| InvalidValue::new(Shape::DeploymentId, value.to_owned(), v))
    }
}

fn parse_deployment_id(value: &str) -> Result<DeploymentId, Violations> {
    let mut bits: u128 = 0;
    let mut count = 0usize;
    for (index, character) in value.chars().enumerate() {
        let ok = if index >= DEPLOYMENT_ID_LEN {
            false
        } else if DASHES.contains(&index) {
            character == '-'
        } else {
            match character {
                '0'..='9' | 'a'..='f' => {
                    let digit = character.to_digit(16).unwrap_or(0);
                    bits = (bits << 4) | u128::from(digit);
                    true
                }
                _ => false,
            }
        };
        if !ok {
            return Err(pattern_violation(Mismatch::Character { index, character }));
        }
        count = index.saturating_add(1);
    }
    match count {
        DEPLOYMENT_ID_LEN => Ok(DeploymentId(bits)),
        0 => Err(pattern_violation(Mismatch::Empty)),
        index => Err(pattern_violation(Mismatch::EndsEarly { index })),
    }
}

fn pattern_violation(mismatch: Mismatch) -> Violations {
    Violations::new(
        None,
        Some(Violation::Pattern {
            pattern: DEPLOYMENT_ID_PATTERN,
            mismatch,
        }),
    )
}

impl DeploymentId {
    /// The canonical lower-case form, written into a buffer on the stack.
    /// (Hand-written: through `write!` and four hex formats, serializing an
    /// id cost some 2,200 instructions of the request path's 12,400,
    /// counted by callgrind; see docs/performance.md.)
    fn text(self) -> [u8; DEPLOYMENT_ID_LEN] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'-'; DEPLOYMENT_ID_LEN];
        let mut bits = self.0;
        for (index, byte) in out.iter_mut().enumerate().rev() {
            if !DASHES.contains(&index) {
                // A nibble is below 16: the fallback is never taken.
                *byte = HEX.get((bits & 0xf) as usize).copied().unwrap_or(b'0');
                bits >>= 4;
            }
        }
        out
    }
}

impl fmt::Display for DeploymentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.text();
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for DeploymentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeploymentId({self})")
    }
}

impl FromStr for DeploymentId {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<&str> for DeploymentId {
    type Error = InvalidValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl Serialize for DeploymentId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.text();
        s.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?)
    }
}

impl<'de> Deserialize<'de> for DeploymentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::new(&s).map_err(serde::de::Error::custom)
    }
}

impl ClientToken {
    /// The published pattern of the `ClientToken` shape.
    pub const PATTERN: &'static str = CLIENT_TOKEN_PATTERN;
}

impl TemplateVersion {
    /// The published pattern of the `TemplateVersionPart` shape.
    pub const PATTERN: &'static str = TEMPLATE_VERSION_PATTERN;
}

impl StatusMessage {
    /// The `deploymentStatusMessage` of a CANCELLED resource, as AWS writes
    /// it.
    pub const CANCELLED: &'static str = "User initiated cancellation.";
}
