//! A catalog of hostile inputs to the core's values, each with its exact
//! result (the wire crate's `tests/bad_requests.rs` holds the request
//! bodies). None may panic; each is handled in one pass over the input (see
//! docs/robustness.md for the linear-time argument and its measurements).

use proton_cancel_test_support::builders as common;
use proton_cancel_test_support::hostile;

use common::P;
use proton_cancel::*;

/// What a name validates to: `ok`, or the error message.
fn name(value: &str) -> String {
    match ResourceName::new(value) {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.to_string(),
    }
}

fn pattern_error(shown: &str, character: &str, index: usize) -> String {
    format!(
        "invalid ResourceName {shown}: character {character} at index {index} does not match the pattern {P}"
    )
}

hostile! {
    // -- Names --------------------------------------------------------------

    /// Spec: R3, R5
    empty_name: name("") => format!(
        "invalid ResourceName \"\": it is 0 characters long, shorter than the minimum length 1; \
         it is empty, and the pattern {P} needs a character"
    );
    /// Spec: R3
    name_of_100_characters: name(&"a".repeat(100)) => "ok";
    /// Spec: R3, R5
    name_of_101_characters: name(&"a".repeat(101)) => format!(
        "invalid ResourceName \"{}\"…: it is 101 characters long, longer than the maximum length 100",
        "a".repeat(64)
    );
    /// Spec: R3
    leading_underscore: name("_web") => pattern_error("\"_web\"", "'_'", 0);
    /// Spec: R3
    leading_hyphen: name("-web") => pattern_error("\"-web\"", "'-'", 0);
    /// Spec: R4
    trailing_newline: name("web\n") => pattern_error("\"web\\n\"", "'\\n'", 3);
    /// Spec: R4
    trailing_crlf: name("web\r\n") => pattern_error("\"web\\r\\n\"", "'\\r'", 3);
    /// Spec: R5
    nul_byte: name("we\0b") => pattern_error("\"we\\0b\"", "'\\0'", 2);
    /// Spec: R5
    tab: name("we\tb") => pattern_error("\"we\\tb\"", "'\\t'", 2);
    /// Spec: R3
    space: name("we b") => pattern_error("\"we b\"", "' '", 2);
    /// Spec: R3, R4
    latin_letter_e_acute: name("café") => pattern_error("\"café\"", "'é'", 3);
    /// Spec: R3, R4
    sharp_s: name("straße") => pattern_error("\"straße\"", "'ß'", 4);
    /// Spec: R3, R4
    arabic_indic_digit: name("web\u{663}") => pattern_error("\"web\u{663}\"", "'\u{663}'", 3);
    /// Spec: R3, R4
    fullwidth_capital_a: name("\u{FF21}web") => pattern_error("\"\u{FF21}web\"", "'\u{FF21}'", 0);
    /// Spec: R3, R4
    kelvin_sign: name("\u{212A}elvin") => pattern_error("\"\u{212A}elvin\"", "'\u{212A}'", 0);
    /// Spec: R3, R4
    emoji: name("web😀") => pattern_error("\"web😀\"", "'😀'", 3);
    /// Spec: R5
    right_to_left_override_is_escaped: name("web\u{202E}txt")
        => pattern_error("\"web\\u{202e}txt\"", "'\\u{202e}'", 3);
    /// Spec: R5
    one_mib_name: name(&"a".repeat(1 << 20)) => format!(
        "invalid ResourceName \"{}\"…: it is 1048576 characters long, longer than the maximum length 100",
        "a".repeat(64)
    );
    /// Spec: R5
    one_mib_of_two_byte_characters: name(&"é".repeat(1 << 19)) => format!(
        "invalid ResourceName \"{}\"…: it is 524288 characters long, longer than the maximum length 100; \
         character 'é' at index 0 does not match the pattern {P}",
        "é".repeat(64)
    );

    // -- Other entry points ---------------------------------------------------

    /// Spec: R1
    status_in_lower_case: "cancelled".parse::<DeploymentStatus>().unwrap_err().to_string() =>
        "unknown deployment status \"cancelled\": expected one of IN_PROGRESS, FAILED, SUCCEEDED, \
         DELETE_IN_PROGRESS, DELETE_FAILED, DELETE_COMPLETE, CANCELLING, CANCELLED";
    /// Spec: R32
    timestamp_beyond_exact_range: serde_json::from_str::<Timestamp>("1e300").unwrap_err().to_string() =>
        "timestamp 1e300 is out of range at line 1 column 5";
}
