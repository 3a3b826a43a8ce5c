//! `ResourceName`: the validated name of a Proton service, service instance,
//! environment, component or template.

use crate::constraint::{Mismatch, Shape, Violation, Violations};

/// The published pattern of the `ResourceName` shape, verbatim from the AWS
/// service model. The validator below does not compile it: it is the oracle
/// the property tests compare the validator with.
const RESOURCE_NAME_PATTERN: &str = r"^[0-9A-Za-z]+[0-9A-Za-z_\-]*$";

const RESOURCE_NAME_MIN_LEN: usize = 1;

const RESOURCE_NAME_MAX_LEN: usize = 100;

/// `true` for the bytes of `[0-9A-Za-z]`, the first character's class.
///
/// Branch-free on purpose: `b | 0x20` folds `A-Z` onto `a-z` and changes
/// nothing else inside the tested ranges, and the unsigned range tests
/// compile to vector compares, so the loops below check 16 bytes at a time.
#[inline(always)]
const fn is_first(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26) | (b.wrapping_sub(b'0') < 10)
}

/// `true` for the bytes of `[0-9A-Za-z_\-]`, the class of every later
/// character. Every byte of a non-ASCII character is outside it.
#[inline(always)]
const fn is_rest(b: u8) -> bool {
    is_first(b) | (b == b'_') | (b == b'-')
}

/// The width of one block of the scan; the branch-free test of a whole
/// block becomes a handful of vector instructions.
const BLOCK: usize = 16;

/// The byte offset of the first byte the pattern rejects, if any.
///
/// Every byte before that offset is allowed ASCII, so the offset is also
/// the rejected character's index in Unicode scalar values.
fn first_disallowed(bytes: &[u8]) -> Option<usize> {
    let (first, rest) = bytes.split_first()?;
    if !is_first(*first) {
        return Some(0);
    }
    let mut offset = 1usize;
    let mut blocks = rest.chunks_exact(BLOCK);
    for block in &mut blocks {
        if !block.iter().fold(true, |ok, &b| ok & is_rest(b)) {
            return block
                .iter()
                .position(|&b| !is_rest(b))
                .map(|i| offset.saturating_add(i));
        }
        offset = offset.saturating_add(BLOCK);
    }
    // Fewer than a block's worth of bytes: a table look-up per byte, which
    // beats the vector test at these lengths.
    blocks
        .remainder()
        .iter()
        .position(|&b| !REST_TABLE.get(usize::from(b)).copied().unwrap_or(false))
        .map(|i| offset.saturating_add(i))
}

/// [`is_rest`] for every byte value, computed at compile time.
#[allow(clippy::indexing_slicing)] // evaluated at compile time
const REST_TABLE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_rest(b as u8);
        b += 1;
    }
    table
};

/// Checks `value` against the `ResourceName` constraints without allocating:
/// 1 to 100 Unicode scalar values, matching [`RESOURCE_NAME_PATTERN`].
///
/// Returns every broken constraint: a value can break the length rule and
/// the pattern at once (101 × `é`), and then both are reported, length first.
///
/// Hand-written rather than a compiled regular expression for speed (see
/// `docs/performance.md`); the property tests check it against regex-lite
/// running the published pattern.
///
/// ```
/// use proton_cancel::{ResourceName, Violation};
///
/// assert!(ResourceName::check("my-service_01").is_ok());
/// let violations = ResourceName::check(&"é".repeat(101)).unwrap_err();
/// assert_eq!(violations.len(), 2);
/// assert!(matches!(
///     violations.iter().next(),
///     Some(Violation::TooLong { length: 101, max: 100 })
/// ));
/// ```
fn check_resource_name(value: &str) -> Result<(), Violations> {
    let bytes = value.as_bytes();
    let mismatch = first_disallowed(bytes);
    // A valid name is ASCII, so its byte length is its length.
    if mismatch.is_none() && !bytes.is_empty() && bytes.len() <= RESOURCE_NAME_MAX_LEN {
        return Ok(());
    }
    // Only a value of more than 100 bytes can be too long (a character is
    // at least one byte), and only then is its length worth counting.
    let length_violation = if bytes.is_empty() {
        Some(Violation::TooShort {
            length: 0,
            min: RESOURCE_NAME_MIN_LEN,
        })
    } else if bytes.len() <= RESOURCE_NAME_MAX_LEN {
        None
    } else {
        let length = if mismatch.is_none() {
            bytes.len()
        } else {
            value.chars().count()
        };
        (length > RESOURCE_NAME_MAX_LEN).then_some(Violation::TooLong {
            length,
            max: RESOURCE_NAME_MAX_LEN,
        })
    };
    let mismatch = if bytes.is_empty() {
        Some(Mismatch::Empty)
    } else {
        mismatch.and_then(|index| {
            value
                .get(index..)
                .and_then(|tail| tail.chars().next())
                .map(|character| Mismatch::Character { index, character })
        })
    };
    let violations = Violations::new(
        length_violation,
        mismatch.map(|mismatch| Violation::Pattern {
            pattern: RESOURCE_NAME_PATTERN,
            mismatch,
        }),
    );
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations)
    }
}

crate::values::validated_string! {
    /// A valid `ResourceName`: 1 to 100 Unicode scalar values matching
    /// `^[0-9A-Za-z]+[0-9A-Za-z_\-]*$`.
    ///
    /// The field is private: [`ResourceName::new`], `FromStr`, `TryFrom` and
    /// `Deserialize` are the only ways in, and all of them run
    /// [`ResourceName::check`], so a `ResourceName` that exists is valid.
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

impl ResourceName {
    /// The published pattern, verbatim from the AWS service model:
    /// `^[0-9A-Za-z]+[0-9A-Za-z_\-]*$`.
    pub const PATTERN: &'static str = RESOURCE_NAME_PATTERN;
    /// The shortest allowed name, in Unicode scalar values (1).
    pub const MIN_LEN: usize = RESOURCE_NAME_MIN_LEN;
    /// The longest allowed name, in Unicode scalar values (100).
    pub const MAX_LEN: usize = RESOURCE_NAME_MAX_LEN;
}
