//! Machine transitions (the full request path is in the wire crate's
//! `benches/request.rs`).
//!
//! ```sh
//! cargo bench --bench machine
//! ```

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use proton_cancel::*;

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

fn instance() -> ResourceId {
    ResourceId::ServiceInstance {
        service: name("shop"),
        name: name("web"),
    }
}

const ID: DeploymentId = DeploymentId::from_u128(0x2b6d_1f3e_0c4a_4e7b_9a51_3f0d_2c8e_9b71);

fn at_rest() -> Deployment {
    Deployment::restore(Observed::new(
        instance(),
        Timestamp::from_secs(0),
        config("0"),
    ))
    .unwrap()
}

fn updating() -> Deployment {
    let mut d = at_rest();
    let _ = d.handle(Input::Update {
        at: Timestamp::from_secs(100),
        deployment_id: ID,
        target: config("1"),
        client_token: Some(ClientToken::new("token-1").unwrap()),
    });
    d
}

fn bench(c: &mut Criterion) {
    // Batches of 128 fresh states (40 KiB) stay in cache, as the one state
    // a server just looked up would be; larger batches measure memory
    // misses instead of the transition.
    let batch = BatchSize::NumIterations(128);
    let mut group = c.benchmark_group("machine");
    group.bench_function("cancel", |b| {
        b.iter_batched_ref(
            updating,
            |d| {
                // The outcome is made and dropped inside the timing; the
                // harness keeps only `()`, whatever the outcome's size.
                let _ = black_box(d.handle(Input::Cancel {
                    at: black_box(Timestamp::from_secs(110)),
                }));
            },
            batch,
        )
    });
    group.bench_function("baseline_status_read", |b| {
        b.iter_batched_ref(
            updating,
            |d| {
                black_box(d.status());
            },
            batch,
        )
    });
    group.bench_function("update_then_update_finished", |b| {
        b.iter_batched_ref(
            || {
                let update = Input::Update {
                    at: Timestamp::from_secs(100),
                    deployment_id: ID,
                    target: config("1"),
                    client_token: Some(ClientToken::new("token-1").unwrap()),
                };
                let finished = Input::UpdateFinished {
                    at: Timestamp::from_secs(160),
                    deployment_id: ID,
                    result: EngineResult::Succeeded,
                };
                (at_rest(), Some(update), Some(finished))
            },
            |(d, update, finished)| {
                let _ = black_box(d.handle(black_box(update.take().unwrap())));
                let _ = black_box(d.handle(black_box(finished.take().unwrap())));
            },
            batch,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
