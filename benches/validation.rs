//! Name validation: the crate's validator against the `regex` crate (the
//! validator smithy-rs server SDKs generate) and regex-lite, each compiled
//! once, on the same inputs in the same run.
//!
//! ```sh
//! cargo bench --bench validation
//! ```

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use proton_cancel::ResourceName;

fn inputs() -> Vec<(&'static str, String)> {
    let name100: String = "abcdefghij-ABCDEFGHIJ_0123456789"
        .chars()
        .cycle()
        .take(100)
        .collect();
    vec![
        ("valid_100", name100.clone()),
        ("valid_10", "frontend-1".to_owned()),
        ("invalid_first", format!("_{}", &name100[1..])),
        ("invalid_last", format!("{}!", &name100[..99])),
        ("len_1000", "a".repeat(1000)),
    ]
}

fn bench(c: &mut Criterion) {
    let peer = regex::Regex::new(ResourceName::PATTERN).unwrap();
    let lite = regex_lite::Regex::new(ResourceName::PATTERN).unwrap();
    for (label, input) in inputs() {
        // The three must agree on the pattern before their speed means anything.
        let pattern_ok = peer.is_match(&input);
        assert_eq!(lite.is_match(&input), pattern_ok);
        let crate_ok = ResourceName::check(&input).is_ok();
        assert_eq!(
            crate_ok,
            pattern_ok && input.chars().count() <= 100,
            "{label}"
        );

        let mut group = c.benchmark_group(format!("resource_name/{label}"));
        group.bench_function("proton-cancel", |b| {
            b.iter(|| ResourceName::check(black_box(&input)).is_ok())
        });
        group.bench_function("regex", |b| b.iter(|| peer.is_match(black_box(&input))));
        group.bench_function("regex-lite", |b| {
            b.iter(|| lite.is_match(black_box(&input)))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
