//! Hostile sizes: validation and request decoding on inputs ten times apart
//! in size, to show their time grows linearly.
//!
//! ```sh
//! cargo bench -p proton-cancel-wire --bench hostile
//! ```

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use proton_cancel::ResourceName;
use proton_cancel_wire::{CancelServiceInstanceDeploymentInput, Request};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile");
    group.sample_size(20);
    for (label, size) in [("1MB", 1_000_000usize), ("10MB", 10_000_000)] {
        let name = "a".repeat(size);
        group.bench_function(format!("name_{label}"), |b| {
            b.iter(|| ResourceName::check(black_box(&name)).is_err())
        });
        let body = format!(r#"{{"serviceInstanceName": "{name}", "serviceName": "shop"}}"#);
        group.bench_function(format!("body_{label}"), |b| {
            b.iter(|| {
                CancelServiceInstanceDeploymentInput::decode(black_box(body.as_bytes())).is_err()
            })
        });
        let nested = format!(
            r#"{{"x": {}{}, "serviceInstanceName": "web", "serviceName": "shop"}}"#,
            "[".repeat(size / 2),
            "]".repeat(size / 2)
        );
        group.bench_function(format!("nested_{label}"), |b| {
            b.iter(|| {
                CancelServiceInstanceDeploymentInput::decode(black_box(nested.as_bytes())).is_ok()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
