//! Every public entry point of the wire crate returns a result, whatever it
//! is given: target parsing, request decoding, and the shapes of every
//! machine state.
//!
//! 10,000 cases per property by default; `PROPTEST_CASES=1000000 cargo test
//! --release -p proton-cancel-wire --test never_panic` runs a million
//! (docs/robustness.md).

use proton_cancel_test_support::strategies;

use proptest::prelude::*;
use proton_cancel_wire::*;
use serde_json::Value;
use strategies::{body, config_for, text};

fn decode_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    let results = [
        CancelServiceInstanceDeploymentInput::decode(bytes).err(),
        CancelEnvironmentDeploymentInput::decode(bytes).err(),
        CancelServicePipelineDeploymentInput::decode(bytes).err(),
        CancelComponentDeploymentInput::decode(bytes).err(),
        UpdateServiceInstanceInput::decode(bytes).err(),
        GetServiceInstanceInput::decode(bytes).err(),
    ];
    for e in results.into_iter().flatten() {
        prop_assert!(
            matches!(
                e.code(),
                ErrorCode::ValidationException | ErrorCode::SerializationException
            ),
            "{e:?}"
        );
        prop_assert!(!e.message().contains('\n'));
        let _: Value = serde_json::from_str(&e.to_json()).unwrap();
    }
    Ok(())
}

proptest! {
    #![proptest_config(config_for("../proptest-regressions/wire_never_panic.txt"))]

    /// Spec: R28
    #[test]
    fn target_parsing_always_answers(value in text()) {
        match Operation::from_target(&value) {
            Ok(operation) => prop_assert_eq!(operation.target(), value),
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::UnknownOperationException),
        }
    }

    /// Spec: R28
    #[test]
    fn request_decoding_always_answers(bytes in body()) {
        decode_all(&bytes)?;
    }
}
