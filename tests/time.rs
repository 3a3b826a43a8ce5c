//! Time as the wire writes it: epoch seconds, with a millisecond fraction
//! when there is one, read back to the millisecond.

use proton_cancel::Timestamp;

/// Spec: R24, R32
#[test]
fn timestamps_are_epoch_seconds_with_millisecond_fractions() {
    assert_eq!(
        serde_json::to_string(&Timestamp::from_millis(1_700_000_000_123)).unwrap(),
        "1700000000.123"
    );
    assert_eq!(
        serde_json::to_string(&Timestamp::from_secs(1_700_000_000)).unwrap(),
        "1700000000"
    );
    assert_eq!(
        serde_json::to_string(&Timestamp::from_millis(-1_500)).unwrap(),
        "-1.5"
    );
    for (text, millis) in [
        ("1700000000.123", 1_700_000_000_123),
        ("1700000000", 1_700_000_000_000),
        ("0.0005", 1),
    ] {
        assert_eq!(
            serde_json::from_str::<Timestamp>(text).unwrap(),
            Timestamp::from_millis(millis)
        );
    }
    // Negative whole seconds arrive as signed integers.
    assert_eq!(
        serde_json::from_str::<Timestamp>("-2").unwrap(),
        Timestamp::from_millis(-2_000)
    );
    assert_eq!(Timestamp::from_secs(i64::MAX).as_millis(), i64::MAX);
    for bad in ["1e300", "\"1\"", "9007199254740993", "-9007199254740993"] {
        assert!(serde_json::from_str::<Timestamp>(bad).is_err(), "{bad}");
    }
}
