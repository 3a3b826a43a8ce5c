//! The full request path of a cancel: bytes in, validated input, the
//! machine's transition, response bytes out; beside it, the floor it is
//! measured against: a bare serde_json round trip of the same request and
//! response bytes (parse the request into a `Value`, write the response's
//! `Value` back to bytes).
//!
//! ```sh
//! cargo bench -p proton-cancel-wire --bench request
//! ```

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use proton_cancel::{Input, Timestamp};
use proton_cancel_test_support::builders::{name, updating_with_spec};
use proton_cancel_wire::{
    Addresses, ApiError, Body, CancelServiceInstanceDeploymentInput,
    CancelServiceInstanceDeploymentOutput, Request, ServiceInstance,
};

fn bench(c: &mut Criterion) {
    let arn = "arn:aws:proton:us-east-1:123456789012:service/shop/service-instance/web";
    let environment = name("prod");
    let body: &[u8] = br#"{"serviceInstanceName":"web","serviceName":"shop"}"#;
    let mut group = c.benchmark_group("request_path");
    group.bench_function("cancel_service_instance_deployment", |b| {
        b.iter_batched_ref(
            updating_with_spec,
            |d| -> Vec<u8> {
                // bytes -> validated input -> machine -> response bytes
                let input = CancelServiceInstanceDeploymentInput::decode(black_box(body)).unwrap();
                assert!(input.resource_id() == *d.resource());
                let outcome = d.handle(Input::Cancel {
                    at: Timestamp::from_secs(110),
                });
                match outcome.rejection() {
                    Some(r) => ApiError::from(r.clone()).to_json().into_bytes(),
                    None => CancelServiceInstanceDeploymentOutput {
                        service_instance: ServiceInstance::new(d.observe(), arn, &environment)
                            .unwrap(),
                    }
                    .to_json(),
                }
            },
            BatchSize::NumIterations(128),
        )
    });
    // The same bytes through serde_json alone.
    let response: serde_json::Value = {
        let mut d = updating_with_spec();
        let _ = d.handle(Input::Cancel {
            at: Timestamp::from_secs(110),
        });
        let out = CancelServiceInstanceDeploymentOutput {
            service_instance: ServiceInstance::new(d.observe(), arn, &environment).unwrap(),
        };
        serde_json::from_slice(&out.to_json()).unwrap()
    };
    group.bench_function("bare_serde_json_round_trip", |b| {
        b.iter(|| -> Vec<u8> {
            let request: serde_json::Value = serde_json::from_slice(black_box(body)).unwrap();
            black_box(request);
            serde_json::to_vec(black_box(&response)).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
