//! Generators of hostile text, JSON values and request bodies, and the
//! harness of the hostile-input catalogs, shared by the core's and the wire
//! crate's tests.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::Value;

/// A catalog of named cases, each a test asserting `actual == expected`.
#[macro_export]
macro_rules! hostile {
    ($($(#[$meta:meta])* $case:ident: $actual:expr => $expected:expr;)+) => {
        $(
            $(#[$meta])*
            #[test]
            fn $case() {
                assert_eq!($actual, $expected);
            }
        )+
    };
}

/// 10,000 cases per property, or `PROPTEST_CASES`; failures saved in `file`.
pub fn config_for(file: &'static str) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..ProptestConfig::default()
    }
}

/// The member names of every request, so generated objects hit real members.
pub const MEMBERS: &[&str] = &[
    "serviceInstanceName",
    "serviceName",
    "environmentName",
    "componentName",
    "name",
    "clientToken",
    "deploymentType",
    "spec",
    "templateMajorVersion",
    "templateMinorVersion",
];

pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_-]{0,12}",
        any::<String>(),
        "(NONE|CURRENT_VERSION|MINOR_VERSION|MAJOR_VERSION|0|1|01)",
        "\\PC{0,120}",
    ]
}

pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![4 => prop::sample::select(MEMBERS).prop_map(str::to_owned), 1 => "\\PC{0,10}"]
}

/// Request bodies: JSON objects over the real member names, their text with
/// bytes flipped or cut, and arbitrary bytes.
pub fn body() -> impl Strategy<Value = Vec<u8>> {
    let object = || {
        prop::collection::vec((key(), json_value()), 0..8).prop_map(|members| {
            Value::Object(members.into_iter().collect())
                .to_string()
                .into_bytes()
        })
    };
    prop_oneof![
        4 => object(),
        2 => (object(), any::<prop::sample::Index>(), any::<u8>(), any::<bool>()).prop_map(
            |(mut bytes, at, byte, cut)| {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    if cut { bytes.truncate(i) } else { bytes[i] = byte }
                }
                bytes
            }
        ),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}
