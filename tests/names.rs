//! `ResourceName` and the other validated values: exact error texts, and
//! the validators checked against regex-lite compiling the published
//! patterns verbatim.

use proton_cancel_test_support::builders as common;

use common::P;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use proton_cancel::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/names.txt",
        ))),
        ..ProptestConfig::default()
    }
}

fn message(value: &str) -> String {
    ResourceName::new(value).unwrap_err().to_string()
}

/// Spec: R3
#[test]
fn valid_names_are_accepted_unchanged() {
    for value in [
        "a",
        "0",
        "Z9",
        "my-service_01",
        "a-",
        "a_",
        "A--__--b",
        &"x".repeat(100),
    ] {
        let name = ResourceName::new(value).unwrap();
        assert_eq!(name.as_str(), value);
        assert_eq!(name.to_string(), value);
        assert_eq!(value.parse::<ResourceName>().unwrap(), name);
        assert_eq!(ResourceName::try_from(value).unwrap(), name);
        assert_eq!(ResourceName::try_from(value.to_owned()).unwrap(), name);
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(serde_json::from_str::<ResourceName>(&json).unwrap(), name);
    }
}

/// Spec: R3, R5
#[test]
fn a_disallowed_character_is_named_with_its_index() {
    assert_eq!(
        message("bad name!"),
        format!(
            "invalid ResourceName \"bad name!\": character ' ' at index 3 does not match the pattern {P}"
        )
    );
    assert_eq!(
        message("_web"),
        format!(
            "invalid ResourceName \"_web\": character '_' at index 0 does not match the pattern {P}"
        )
    );
    assert_eq!(
        message("-web"),
        format!(
            "invalid ResourceName \"-web\": character '-' at index 0 does not match the pattern {P}"
        )
    );
    assert_eq!(
        message("wéb"),
        format!(
            "invalid ResourceName \"wéb\": character 'é' at index 1 does not match the pattern {P}"
        )
    );
}

/// Spec: R4
#[test]
fn a_trailing_newline_is_not_allowed() {
    assert_eq!(
        message("web\n"),
        format!(
            "invalid ResourceName \"web\\n\": character '\\n' at index 3 does not match the pattern {P}"
        )
    );
    assert!(ResourceName::new("web\r\n").is_err());
}

/// Spec: R3, R5
#[test]
fn an_empty_name_breaks_both_the_length_and_the_pattern() {
    let err = ResourceName::new("").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "invalid ResourceName \"\": it is 0 characters long, shorter than the minimum length 1; \
             it is empty, and the pattern {P} needs a character"
        )
    );
    let v: Vec<Violation> = err.violations().iter().copied().collect();
    assert_eq!(
        v,
        [
            Violation::TooShort { length: 0, min: 1 },
            Violation::Pattern {
                pattern: P,
                mismatch: Mismatch::Empty
            }
        ]
    );
}

/// Spec: R3, R4
#[test]
fn length_counts_unicode_scalar_values_not_bytes() {
    // 60 × é: 120 bytes but 60 characters, so only the pattern is broken.
    let err = ResourceName::new("é".repeat(60)).unwrap_err();
    let v: Vec<Violation> = err.violations().iter().copied().collect();
    assert_eq!(
        v,
        [Violation::Pattern {
            pattern: P,
            mismatch: Mismatch::Character {
                index: 0,
                character: 'é'
            }
        }]
    );
    // 101 ASCII letters: only the length is broken.
    let err = ResourceName::new("a".repeat(101)).unwrap_err();
    assert_eq!(
        err.violations().iter().copied().collect::<Vec<_>>(),
        [Violation::TooLong {
            length: 101,
            max: 100
        }]
    );
}

/// Spec: R5
#[test]
fn every_broken_rule_is_reported_length_first_with_the_value_cut_at_64_characters() {
    let err = ResourceName::new("é".repeat(101)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "invalid ResourceName \"{}\"…: it is 101 characters long, longer than the maximum length 100; \
             character 'é' at index 0 does not match the pattern {P}",
            "é".repeat(64)
        )
    );
    assert_eq!(err.violations().len(), 2);
    assert_eq!(err.shape(), Shape::ResourceName);
    assert_eq!(err.into_value(), "é".repeat(101));
}

/// Spec: R5
#[test]
fn control_characters_in_a_rejected_value_are_escaped() {
    let msg = message("a\u{0}b\r\nc\u{202e}");
    assert_eq!(
        msg,
        format!(
            "invalid ResourceName \"a\\0b\\r\\nc\\u{{202e}}\": character '\\0' at index 1 does not \
             match the pattern {P}"
        )
    );
    assert!(!msg.contains('\n') && !msg.contains('\r'));
}

/// Spec: R3
#[test]
fn deserializing_goes_through_the_validator() {
    let err = serde_json::from_str::<ResourceName>("\"bad name!\"").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "invalid ResourceName \"bad name!\": character ' ' at index 3 does not match the \
             pattern {P}"
        )
    );
}

/// Spec: R3
#[test]
fn the_pattern_constant_is_the_published_one() {
    assert_eq!(ResourceName::PATTERN, r"^[0-9A-Za-z]+[0-9A-Za-z_\-]*$");
    assert_eq!((ResourceName::MIN_LEN, ResourceName::MAX_LEN), (1, 100));
}

// ---------------------------------------------------------------------------
// Other shapes
// ---------------------------------------------------------------------------

/// Spec: R6
#[test]
fn client_token_is_up_to_64_printable_ascii_characters_without_space() {
    assert!(ClientToken::new("").is_ok());
    assert!(ClientToken::new("!~".repeat(32)).is_ok());
    assert_eq!(
        ClientToken::new("two words").unwrap_err().to_string(),
        "invalid ClientToken \"two words\": character ' ' at index 3 does not match the pattern ^[!-~]*$"
    );
    assert_eq!(
        ClientToken::new("t".repeat(65)).unwrap_err().to_string(),
        format!(
            "invalid ClientToken \"{}\"…: it is 65 characters long, longer than the maximum length 64",
            "t".repeat(64)
        )
    );
}

/// Spec: R6
#[test]
fn deployment_id_is_a_lower_case_uuid_held_as_128_bits() {
    let text = "2b6d1f3e-0c4a-4e7b-9a51-3f0d2c8e9b71";
    let id: DeploymentId = text.parse().unwrap();
    assert_eq!(id.as_u128(), 0x2b6d1f3e_0c4a_4e7b_9a51_3f0d2c8e9b71);
    assert_eq!(id.to_string(), text);
    assert_eq!(format!("{id:?}"), format!("DeploymentId({text})"));
    assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{text}\""));
    assert_eq!(
        DeploymentId::from_u128(1).to_string(),
        "00000000-0000-0000-0000-000000000001"
    );
    let pattern = DeploymentId::PATTERN;
    assert_eq!(
        "2B6D1F3E-0c4a-4e7b-9a51-3f0d2c8e9b71"
            .parse::<DeploymentId>()
            .unwrap_err()
            .to_string(),
        format!(
            "invalid DeploymentId \"2B6D1F3E-0c4a-4e7b-9a51-3f0d2c8e9b71\": character 'B' at index 1 \
             does not match the pattern {pattern}"
        )
    );
    assert_eq!(
        "2b6d1f3e".parse::<DeploymentId>().unwrap_err().to_string(),
        format!(
            "invalid DeploymentId \"2b6d1f3e\": it ends at index 8, where the pattern {pattern} \
             needs more characters"
        )
    );
    assert_eq!(
        format!("{text}0")
            .parse::<DeploymentId>()
            .unwrap_err()
            .to_string(),
        format!(
            "invalid DeploymentId \"{text}0\": character '0' at index 36 does not match the \
             pattern {pattern}"
        )
    );
    assert_eq!(
        "".parse::<DeploymentId>().unwrap_err().to_string(),
        format!(
            "invalid DeploymentId \"\": it is empty, and the pattern {pattern} needs a character"
        )
    );
}

/// Spec: R6
#[test]
fn template_version_is_zero_or_a_number_without_leading_zeros() {
    for ok in ["0", "1", "10", "99999999999999999999"] {
        assert_eq!(TemplateVersion::new(ok).unwrap().as_str(), ok);
    }
    let p = TemplateVersion::PATTERN;
    assert_eq!(
        TemplateVersion::new("01").unwrap_err().to_string(),
        format!(
            "invalid TemplateVersionPart \"01\": character '1' at index 1 does not match the pattern {p}"
        )
    );
    assert_eq!(
        TemplateVersion::new("1.0").unwrap_err().to_string(),
        format!(
            "invalid TemplateVersionPart \"1.0\": character '.' at index 1 does not match the pattern {p}"
        )
    );
    assert_eq!(
        TemplateVersion::new("1".repeat(21))
            .unwrap_err()
            .to_string(),
        format!(
            "invalid TemplateVersionPart \"{}\": it is 21 characters long, longer than the maximum length 20",
            "1".repeat(21)
        )
    );
}

/// Spec: R6, R7
#[test]
fn spec_length_is_checked_without_showing_the_value() {
    assert!(Spec::new("proton: ServiceSpec").is_ok());
    assert!(Spec::new("s".repeat(51_200)).is_ok());
    let err = Spec::new("").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid SpecContents (value not shown): it is 0 characters long, shorter than the minimum length 1"
    );
    let err = Spec::new(format!("secret{}", "s".repeat(51_200))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid SpecContents (value not shown): it is 51206 characters long, longer than the maximum length 51200"
    );
    assert!(!format!("{err:?}").contains("secret"));
}

/// Spec: R7
#[test]
fn sensitive_values_never_appear_in_debug_output() {
    let spec = Spec::new("password: hunter2").unwrap();
    assert_eq!(format!("{spec:?}"), "Spec(<redacted>)");
    let message = StatusMessage::new("hunter2 leaked");
    assert_eq!(format!("{message:?}"), "StatusMessage(<redacted>)");

    let config = Configuration::Component {
        service_spec: Some(spec.clone()),
    };
    let resource = ResourceId::Component {
        name: ResourceName::new("c").unwrap(),
    };
    let mut observed = Observed::new(resource, Timestamp::EPOCH, config.clone());
    observed.status = DeploymentStatus::Failed;
    observed.status_message = Some(message);
    assert!(!format!("{observed:?}").contains("hunter2"));
    let mut d = Deployment::restore(observed).unwrap();
    let input = Input::Update {
        at: Timestamp::EPOCH,
        deployment_id: DeploymentId::from_u128(1),
        target: config,
        client_token: None,
    };
    assert!(!format!("{input:?}").contains("hunter2"));
    let _ = d.handle(input);
    let debug = format!("{d:?} {:#?} {:?}", d, d.observe());
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("Spec(<redacted>)"));
}

// ---------------------------------------------------------------------------
// The validators against regex-lite
// ---------------------------------------------------------------------------

/// Characters that sit on the edges of the pattern, weighted in.
const EDGE: &[char] = &[
    '_', '-', '\n', '\r', '\0', '\t', ' ', 'é', 'ß', '\u{0663}', 'Ａ', '\u{212A}', '😀',
    '\u{202E}', '!', '~', '.', '/', '0', '9', 'a', 'z', 'A', 'Z', 'f', 'g',
];

fn character() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::sample::select(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".chars().collect::<Vec<_>>()
        ),
        2 => prop::sample::select(EDGE),
        1 => any::<char>(),
    ]
}

fn arbitrary_string() -> impl Strategy<Value = String> {
    let length = prop_oneof![
        Just(0usize),
        Just(1),
        Just(99),
        Just(100),
        Just(101),
        0usize..140
    ];
    let body = length.prop_flat_map(|n| prop::collection::vec(character(), n));
    (body, prop::bool::weighted(0.1)).prop_map(|(chars, newline)| {
        let mut s: String = chars.into_iter().collect();
        if newline {
            s.push('\n');
        }
        s
    })
}

fn oracle(pattern: &str) -> regex_lite::Regex {
    regex_lite::Regex::new(pattern).unwrap()
}

fn assert_matches_oracle(
    value: &str,
    result: Result<(), Violations>,
    re: &regex_lite::Regex,
    length_ok: bool,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        result.is_ok(),
        re.is_match(value) && length_ok,
        "value {:?}",
        value
    );
    if let Err(violations) = result {
        let has_pattern = violations
            .iter()
            .any(|v| matches!(v, Violation::Pattern { .. }));
        let has_length = violations
            .iter()
            .any(|v| matches!(v, Violation::TooShort { .. } | Violation::TooLong { .. }));
        prop_assert_eq!(has_pattern, !re.is_match(value));
        prop_assert_eq!(has_length, !length_ok);
        for v in violations.iter() {
            if let Violation::Pattern {
                mismatch: Mismatch::Character { index, character },
                ..
            } = v
            {
                prop_assert_eq!(value.chars().nth(*index), Some(*character));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(20_000))]

    /// Spec: R3, R4, R5
    #[test]
    fn resource_name_validator_equals_regex_lite_plus_the_length_rule(value in arbitrary_string()) {
        let re = oracle(ResourceName::PATTERN);
        let length = value.chars().count();
        assert_matches_oracle(&value, ResourceName::check(&value), &re, (1..=100).contains(&length))?;
        prop_assert_eq!(ResourceName::new(value.clone()).is_ok(), ResourceName::check(&value).is_ok());
    }

    /// Spec: R6
    #[test]
    fn client_token_validator_equals_regex_lite_plus_the_length_rule(value in arbitrary_string()) {
        let re = oracle(ClientToken::PATTERN);
        assert_matches_oracle(&value, ClientToken::check(&value), &re, value.chars().count() <= 64)?;
    }

    /// Spec: R6
    #[test]
    fn template_version_validator_equals_regex_lite_plus_the_length_rule(
        value in prop_oneof![arbitrary_string(), "(0|[1-9][0-9]{0,22})[0-9a.]?"]
    ) {
        let re = oracle(TemplateVersion::PATTERN);
        let length = value.chars().count();
        assert_matches_oracle(&value, TemplateVersion::check(&value), &re, (1..=20).contains(&length))?;
    }

    /// Spec: R6
    #[test]
    fn deployment_id_validator_equals_regex_lite(
        value in prop_oneof![
            arbitrary_string(),
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[0-9a-fA-G-]{30,38}",
        ]
    ) {
        let re = oracle(DeploymentId::PATTERN);
        assert_matches_oracle(&value, DeploymentId::check(&value), &re, true)?;
        if let Ok(id) = value.parse::<DeploymentId>() {
            prop_assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{value}\""));
            prop_assert_eq!(id.to_string(), value);
        }
    }
}

/// Spec: R3, R7
#[test]
fn debug_output_names_the_shape_value_and_rules_but_never_a_sensitive_value() {
    let err = ResourceName::new("a b").unwrap_err();
    assert_eq!(
        format!("{err:?}"),
        "InvalidValue { shape: ResourceName, value: \"a b\", violations: Violations { length: \
         None, pattern: Some(Pattern { pattern: \"^[0-9A-Za-z]+[0-9A-Za-z_\\\\-]*$\", mismatch: \
         Character { index: 1, character: ' ' } }) } }"
    );
    let err = Spec::new("").unwrap_err();
    assert_eq!(
        format!("{err:?}"),
        "InvalidValue { shape: SpecContents, value: \"<redacted>\", violations: Violations { \
         length: Some(TooShort { length: 0, min: 1 }), pattern: None } }"
    );
    assert_eq!(
        format!("{:?}", Timestamp::from_millis(1_500)),
        "Timestamp(1500ms)"
    );
}
