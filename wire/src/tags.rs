//! The `tags` member of the create operations: the emulator keeps none,
//! but reads one, [`ENGINE_TAG`], whose value scripts the simulated
//! engine for the resource it creates.

use std::borrow::Cow;

use serde::Deserialize;

use crate::error::ApiError;
use crate::request::parse_body;
use crate::validation::{MemberConstraint, Validator};

/// The tag whose value, a JSON object in the seed's `engine` form (for
/// example `{"deleteResult":"FAILED"}`), sets how the simulated engine
/// treats the resource a create makes, over the server's settings.
pub const ENGINE_TAG: &str = "proton-cancel:engine";

#[derive(Deserialize)]
struct RawTag<'a> {
    #[serde(borrow)]
    key: Option<Cow<'a, str>>,
    #[serde(borrow)]
    value: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct RawTags<'a> {
    #[serde(borrow, default)]
    tags: Option<Vec<RawTag<'a>>>,
}

/// `TagKey`: 1 to 128 characters.
fn tag_key(value: &str) -> Vec<MemberConstraint> {
    length(value, 1, 128)
}

/// `TagValue`: 0 to 256 characters.
fn tag_value(value: &str) -> Vec<MemberConstraint> {
    length(value, 0, 256)
}

fn length(value: &str, min: usize, max: usize) -> Vec<MemberConstraint> {
    let n = value.chars().count();
    if n < min {
        vec![MemberConstraint::Shape(
            proton_cancel::Violation::TooShort { length: n, min },
        )]
    } else if n > max {
        vec![MemberConstraint::MaxLength(max)]
    } else {
        Vec::new()
    }
}

/// The value of the tag `key` in the request `body`'s `tags`, if it has
/// one; every tag's key (1 to 128 characters) and value (up to 256) are
/// checked against the model's limits. The emulator keeps no tags, so it
/// does not count them.
///
/// # Errors
/// ValidationException naming each member that breaks a limit, as the
/// other members' checks do; a body that is not JSON as any request's.
///
/// ```
/// use proton_cancel_wire::{ENGINE_TAG, tag_value_of};
///
/// let body = br#"{"name":"prod","tags":[{"key":"proton-cancel:engine","value":"{\"deleteResult\":\"FAILED\"}"}]}"#;
/// assert_eq!(tag_value_of(body, ENGINE_TAG).unwrap().as_deref(), Some(r#"{"deleteResult":"FAILED"}"#));
/// assert_eq!(tag_value_of(br#"{"name":"prod"}"#, ENGINE_TAG).unwrap(), None);
/// ```
pub fn tag_value_of(body: &[u8], key: &str) -> Result<Option<String>, ApiError> {
    let raw: RawTags = parse_body(body)?;
    let tags = raw.tags.unwrap_or_default();
    let mut v = Validator::default();
    let mut found = None;
    for (i, tag) in tags.iter().enumerate() {
        let at = |member: &str| format!("tags.{}.member.{member}", i.saturating_add(1));
        let k = v.required_str(at("key"), tag.key.clone(), tag_key);
        let value = v.required_str(at("value"), tag.value.clone(), tag_value);
        if k.as_deref() == Some(key) {
            found = value;
        }
    }
    v.finish()?;
    Ok(found)
}
