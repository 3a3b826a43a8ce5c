//! The Jepsen-style check: replicas of the server on one PostgreSQL
//! database, concurrent aws-sdk-proton clients, a nemesis (SIGKILL and
//! restart, SIGSTOP/SIGCONT, database connections cut, stalled, or cut
//! right after a commit at a relay, and a kill right after a job's claim), a
//! recorded history, liveness after the faults stop, and every resource's
//! history checked for linearizability against the core machine; then the
//! negative control: the same run with compare-and-set off must be caught.
//!
//! The short form runs in `cargo test --workspace` when
//! `PROTON_CANCEL_TEST_POSTGRES` names a database (`.ci/run` sets it); the
//! long form for releases:
//!
//! ```text
//! PROTON_CANCEL_CHECK=long PROTON_CANCEL_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test \
//!     cargo test -p proton-cancel-server --test check -- --nocapture
//! ```
//!
//! `PROTON_CANCEL_CHECK_SEED=<n>` repeats a run's random choices.
#![allow(clippy::disallowed_methods)] // the check starts, times and kills processes

mod run;

use std::io::Write as _;

use proton_cancel_test_support::{postgres, relay};

/// The variable that turns this test binary into a replica without
/// compare-and-set (see [`cas_off_replica`]).
pub const REPLICA_ENV: &str = "PROTON_CANCEL_CHECK_REPLICA";

// ---- The check -------------------------------------------------------------

fn say(line: &str) {
    // Past the harness's capture, so every run shows it.
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[test]
fn replicas_stay_linearizable_under_kills_pauses_and_cut_connections_and_the_check_catches_compare_and_set_off()
 {
    let Some(url) = postgres::url_or_skip("the Jepsen-style check") else {
        return;
    };
    let long = std::env::var("PROTON_CANCEL_CHECK").is_ok_and(|v| v == "long");
    let seed = std::env::var("PROTON_CANCEL_CHECK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            u64::try_from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
                    % 1_000_000_007,
            )
            .unwrap()
        });
    let settings = if long {
        run::Settings::long(seed)
    } else {
        run::Settings::short(seed)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let report = runtime.block_on(run::run(settings.clone(), &url));
    say(&report.to_string());
    assert!(
        report.unexpected.is_empty(),
        "unexpected answers:\n{report}"
    );
    assert!(report.settled_in.is_some(), "not live:\n{report}");
    assert!(report.linearizable(), "not linearizable:\n{report}");
    assert!(
        report.faults.len() >= 6 && report.answered > 1_000,
        "too little happened to show anything:\n{report}"
    );
    // The nemesis goes through every kind before it repeats one.
    for kind in run::FaultKind::ALL {
        assert!(report.faults_of(kind) >= 1, "no {kind:?}:\n{report}");
    }

    // The negative control: compare-and-set off must be caught.
    let off = run::Settings {
        cas_off: true,
        ..settings
    };
    let report = runtime.block_on(run::run(off, &url));
    say(&report.to_string());
    assert!(
        !report.linearizable(),
        "the check did not catch compare-and-set off:\n{report}"
    );
    assert!(report.offending.is_some(), "{report}");
}

/// How the check configures a replica without compare-and-set: the JSON
/// object in [`REPLICA_ENV`].
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReplicaConfig {
    port: u16,
    database: String,
    seed: String,
    lease_ms: u64,
}

/// A replica without compare-and-set, for the negative control: this test
/// binary started by the check with [`REPLICA_ENV`] set to a
/// [`ReplicaConfig`]. It does nothing otherwise.
#[test]
#[ignore = "started by the check as a replica process"]
fn cas_off_replica() {
    let Ok(config) = std::env::var(REPLICA_ENV) else {
        return;
    };
    let ReplicaConfig {
        port,
        database,
        seed,
        lease_ms: lease,
    } = serde_json::from_str(&config).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    runtime.block_on(async move {
        let store = proton_cancel_server::store::Store::open(&database)
            .await
            .unwrap()
            .without_compare_and_set();
        let seed = proton_cancel_server::Seed::from_json(&std::fs::read(seed).unwrap()).unwrap();
        let app = proton_cancel_server::App::open(
            store,
            proton_cancel_server::Options {
                seed,
                job_lease: std::time::Duration::from_millis(lease),
                ..proton_cancel_server::Options::default()
            },
        )
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        println!(
            "cas-off replica listening on http://{} (compare-and-set OFF)",
            listener.local_addr().unwrap()
        );
        proton_cancel_server::serve(listener, app, std::future::pending())
            .await
            .unwrap();
    });
}
