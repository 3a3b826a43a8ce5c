//! Machine transitions (the full request path is in the wire crate's
//! `benches/request.rs`).
//!
//! ```sh
//! cargo bench --bench machine
//! ```

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use proton_cancel::*;
use proton_cancel_test_support::builders::{
    RANDOM_ID, at_rest_with_spec, config_with_spec, token, updating_with_spec,
};

fn bench(c: &mut Criterion) {
    // Batches of 128 fresh states (40 KiB) stay in cache, as the one state
    // a server just looked up would be; larger batches measure memory
    // misses instead of the transition.
    let batch = BatchSize::NumIterations(128);
    let mut group = c.benchmark_group("machine");
    group.bench_function("cancel", |b| {
        b.iter_batched_ref(
            updating_with_spec,
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
            updating_with_spec,
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
                    deployment_id: RANDOM_ID,
                    target: config_with_spec(1),
                    client_token: Some(token("token-1")),
                };
                let finished = Input::UpdateFinished {
                    at: Timestamp::from_secs(160),
                    deployment_id: RANDOM_ID,
                    result: EngineResult::Succeeded,
                };
                (at_rest_with_spec(), Some(update), Some(finished))
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
