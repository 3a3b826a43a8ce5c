//! `ResourceName`: the validated name of a Proton service, service instance,
//! environment, component or template.

use crate::constraint::{Mismatch, Shape, Violation, Violations};

/// The published pattern of the `ResourceName` shape, verbatim from the AWS
/// service model. The validator below does not compile it: it is the oracle
/// the property tests compare the validator with.
pub const RESOURCE_NAME_PATTERN: &str = r"^[0-9A-Za-z]+[0-9A-Za-z_\-]*$";

/// The shortest allowed name, in Unicode scalar values.
pub const RESOURCE_NAME_MIN_LEN: usize = 1;

/// The longest allowed name, in Unicode scalar values.
pub const RESOURCE_NAME_MAX_LEN: usize = 100;

/// Which bytes may stand where in a name: bit 0, the first character
/// (`[0-9A-Za-z]`); bit 1, any later character (`[0-9A-Za-z_\-]`).
/// Every byte of a non-ASCII character maps to 0.
#[allow(clippy::indexing_slicing)] // evaluated at compile time
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = FIRST | REST;
        } else if c == b'_' || c == b'-' {
            t[b] = REST;
        }
        b += 1;
    }
    t
};
const FIRST: u8 = 1;
const REST: u8 = 2;

fn class(byte: u8) -> u8 {
    // Always in bounds (a u8 indexes a 256-entry table); `get` keeps the
    // crate free of index expressions that could panic.
    CLASS.get(usize::from(byte)).copied().unwrap_or(0)
}

/// Checks `value` against the `ResourceName` constraints without allocating:
/// 1 to 100 Unicode scalar values, matching [`RESOURCE_NAME_PATTERN`].
///
/// Returns every broken constraint: a value can break the length rule and
/// the pattern at once (101 × `é`), and then both are reported, length first.
///
/// ```
/// use proton_cancel::{check_resource_name, Violation};
///
/// assert!(check_resource_name("my-service_01").is_ok());
/// let violations = check_resource_name(&"é".repeat(101)).unwrap_err();
/// assert_eq!(violations.len(), 2);
/// assert!(matches!(
///     violations.iter().next(),
///     Some(Violation::TooLong { length: 101, max: 100 })
/// ));
/// ```
pub fn check_resource_name(value: &str) -> Result<(), Violations> {
    // Fast path: an ASCII name of valid length whose bytes are all allowed.
    // Every byte of a non-ASCII character has class 0, so such a value falls
    // through to the exact path below.
    if let [first, rest @ ..] = value.as_bytes() {
        if value.len() <= RESOURCE_NAME_MAX_LEN
            && class(*first) & FIRST != 0
            && rest.iter().all(|&b| class(b) & REST != 0)
        {
            return Ok(());
        }
    }
    let v = exact_violations(value);
    if v.is_empty() { Ok(()) } else { Err(v) }
}

/// The definitive check, character by character.
fn exact_violations(value: &str) -> Violations {
    let length = value.chars().count();
    let length_violation = if length < RESOURCE_NAME_MIN_LEN {
        Some(Violation::TooShort {
            length,
            min: RESOURCE_NAME_MIN_LEN,
        })
    } else if length > RESOURCE_NAME_MAX_LEN {
        Some(Violation::TooLong {
            length,
            max: RESOURCE_NAME_MAX_LEN,
        })
    } else {
        None
    };
    let mismatch = if value.is_empty() {
        Some(Mismatch::Empty)
    } else {
        value.chars().enumerate().find_map(|(index, character)| {
            let allowed = match u8::try_from(character) {
                Ok(b) if index == 0 => class(b) & FIRST != 0,
                Ok(b) => class(b) & REST != 0,
                Err(_) => false,
            };
            (!allowed).then_some(Mismatch::Character { index, character })
        })
    };
    Violations::new(
        length_violation,
        mismatch.map(|mismatch| Violation::Pattern {
            pattern: RESOURCE_NAME_PATTERN,
            mismatch,
        }),
    )
}

crate::values::validated_string! {
    /// A valid `ResourceName`: 1 to 100 Unicode scalar values matching
    /// `^[0-9A-Za-z]+[0-9A-Za-z_\-]*$`.
    ///
    /// The field is private: [`ResourceName::new`], `FromStr`, `TryFrom` and
    /// `Deserialize` are the only ways in, and all of them run
    /// [`check_resource_name`], so a `ResourceName` that exists is valid.
    ///
    /// ```
    /// use proton_cancel::ResourceName;
    ///
    /// let name: ResourceName = "frontend-01".parse().unwrap();
    /// assert_eq!(name.as_str(), "frontend-01");
    /// assert!("-frontend".parse::<ResourceName>().is_err());
    /// ```
    ResourceName, Shape::ResourceName, check_resource_name
}
