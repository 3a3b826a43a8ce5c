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
use proton_cancel::{
    ClientToken, Configuration, Deployment, DeploymentId, Input, Observed, ResourceId,
    ResourceName, Spec, TemplateRef, TemplateVersion, Timestamp,
};
use proton_cancel_wire::{
    Addresses, ApiError, Body, CancelServiceInstanceDeploymentInput,
    CancelServiceInstanceDeploymentOutput, Request, ServiceInstance,
};

fn name(s: &str) -> ResourceName {
    ResourceName::new(s).unwrap()
}

fn config(minor: &str) -> Configuration {
    Configuration::Template {
        template: TemplateRef {
            name: name("web-tmpl"),
            major: TemplateVersion::new("1").unwrap(),
            minor: TemplateVersion::new(minor).unwrap(),
        },
        spec: Some(Spec::new("proton: ServiceSpec\nspec:\n  port: 8080\n").unwrap()),
    }
}

/// `web` of `shop`, with an update to 1.1 IN_PROGRESS.
fn updating() -> Deployment {
    let resource = ResourceId::ServiceInstance {
        service: name("shop"),
        name: name("web"),
    };
    let mut d = Deployment::restore(Observed::new(
        resource,
        Timestamp::from_secs(0),
        config("0"),
    ))
    .unwrap();
    let _ = d.handle(Input::Update {
        at: Timestamp::from_secs(100),
        deployment_id: DeploymentId::from_u128(0x2b6d_1f3e_0c4a_4e7b_9a51_3f0d_2c8e_9b71),
        target: config("1"),
        client_token: Some(ClientToken::new("token-1").unwrap()),
    });
    d
}

fn bench(c: &mut Criterion) {
    let arn = "arn:aws:proton:us-east-1:123456789012:service/shop/service-instance/web";
    let environment = name("prod");
    let body: &[u8] = br#"{"serviceInstanceName":"web","serviceName":"shop"}"#;
    let mut group = c.benchmark_group("request_path");
    group.bench_function("cancel_service_instance_deployment", |b| {
        b.iter_batched_ref(
            updating,
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
        let mut d = updating();
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
