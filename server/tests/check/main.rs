//! The Jepsen-style check: replicas of the server on one PostgreSQL
//! database, concurrent aws-sdk-proton clients, a nemesis (SIGKILL and
//! restart, SIGSTOP/SIGCONT, database connections cut at a relay), a
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

#[path = "../common/postgres.rs"]
mod postgres;

mod linearizable;
mod relay;
mod run;

use std::io::Write as _;

use linearizable::{Call, Model, Op, Ret, Verdict, check, shrink};
use proton_cancel::{
    Configuration, Deployment, EngineResult, Observed, ResourceId, ResourceName, Spec,
    StatusMessage, TemplateRef, TemplateVersion, Timestamp,
};

/// The variable that turns this test binary into a replica without
/// compare-and-set (see [`cas_off_replica`]).
pub const REPLICA_ENV: &str = "PROTON_CANCEL_CHECK_REPLICA";

// ---- The checker on known histories -------------------------------------

const BUDGET: u64 = 1_000_000;

/// A service instance SUCCEEDED with spec `initial`, whose engine ends
/// updates and cancellations as told.
fn model(update: EngineResult, cancel: EngineResult) -> Model {
    let id = ResourceId::ServiceInstance {
        service: ResourceName::new("shop").unwrap(),
        name: ResourceName::new("web").unwrap(),
    };
    let configuration = Configuration::Template {
        template: TemplateRef {
            name: ResourceName::new("tmpl").unwrap(),
            major: TemplateVersion::new("1").unwrap(),
            minor: TemplateVersion::new("0").unwrap(),
        },
        spec: Some(Spec::new("initial").unwrap()),
    };
    let initial =
        Deployment::restore(Observed::new(id, Timestamp::from_millis(0), configuration)).unwrap();
    Model::new(initial, update, cancel)
}

fn succeeding() -> Model {
    model(EngineResult::Succeeded, EngineResult::Succeeded)
}

fn shown(status: &str, spec: &str) -> Ret {
    Ret::Shown {
        status: status.to_owned(),
        spec: Some(spec.to_owned()),
    }
}

fn op(client: usize, call: Call, invoked: u64, returned: u64, ret: Ret) -> Op {
    Op {
        client,
        call,
        invoked,
        returned,
        ret,
    }
}

fn update(spec: &str) -> Call {
    Call::Update {
        spec: spec.to_owned(),
    }
}

#[test]
fn two_cancels_that_both_answer_cancelling_are_not_linearizable() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Cancel, 20, 40, shown("CANCELLING", "initial")),
        op(3, Call::Cancel, 25, 45, shown("CANCELLING", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &history, BUDGET),
        Verdict::NotLinearizable
    );
    // The smallest offending history is the two cancels, wrong from any
    // state: one of them must have met CANCELLING and been refused.
    let (smallest, any) = shrink(&succeeding(), &history, BUDGET);
    assert_eq!(smallest, history[1..].to_vec());
    assert!(any);
}

#[test]
fn a_state_an_answer_shows_can_start_the_smallest_offending_history() {
    // The first update settles with spec a; the second is then accepted
    // over it and says so. Only the third, accepted while the second runs,
    // is wrong: the smallest history keeps it and the second, and does not
    // need the first to explain spec a.
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Get, 20, 30, shown("SUCCEEDED", "a")),
        op(3, update("b"), 40, 50, shown("IN_PROGRESS", "a")),
        op(4, update("c"), 60, 70, shown("IN_PROGRESS", "a")),
    ];
    assert_eq!(
        check(&succeeding(), &history, BUDGET),
        Verdict::NotLinearizable
    );
    let (smallest, any) = shrink(&succeeding(), &history, BUDGET);
    assert_eq!(smallest, history[2..].to_vec());
    assert!(any);
}

#[test]
fn one_cancelling_and_one_conflict_are_linearizable_in_either_order() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Cancel, 20, 40, Ret::Conflict),
        op(3, Call::Cancel, 25, 45, shown("CANCELLING", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &history, BUDGET),
        Verdict::Linearizable
    );
}

#[test]
fn a_cancel_forgotten_by_a_later_read_is_not_linearizable() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Cancel, 20, 30, shown("CANCELLING", "initial")),
        op(3, Call::Get, 40, 50, shown("IN_PROGRESS", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &history, BUDGET),
        Verdict::NotLinearizable
    );
}

#[test]
fn an_update_lost_without_a_cancel_is_not_linearizable() {
    // Accepted, then read as SUCCEEDED with the old spec: only a cancel
    // or a failed update could bring the old spec back, and this engine's
    // updates succeed.
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Get, 40, 50, shown("SUCCEEDED", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &history, BUDGET),
        Verdict::NotLinearizable
    );
}

#[test]
fn the_update_winning_the_race_is_linearizable() {
    let history = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Cancel, 20, 30, shown("CANCELLING", "initial")),
        op(3, Call::Get, 40, 50, shown("SUCCEEDED", "a")),
    ];
    assert_eq!(
        check(&succeeding(), &history, BUDGET),
        Verdict::Linearizable
    );
}

#[test]
fn the_engine_results_of_the_resource_bind_the_specification() {
    let fails = model(
        EngineResult::Failed(StatusMessage::new("no")),
        EngineResult::Succeeded,
    );
    let won = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Get, 40, 50, shown("SUCCEEDED", "a")),
    ];
    assert_eq!(check(&fails, &won, BUDGET), Verdict::NotLinearizable);
    let failed = [
        op(1, update("a"), 0, 10, shown("IN_PROGRESS", "initial")),
        op(2, Call::Get, 40, 50, shown("FAILED", "initial")),
    ];
    assert_eq!(check(&fails, &failed, BUDGET), Verdict::Linearizable);
}

#[test]
fn concurrent_operations_may_take_effect_out_of_invocation_order_but_not_out_of_real_time() {
    // The cancel is invoked first but can only have met the update's
    // attempt: fine while the two overlap.
    let overlapping = [
        op(1, Call::Cancel, 0, 100, shown("CANCELLING", "initial")),
        op(2, update("a"), 10, 50, shown("IN_PROGRESS", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &overlapping, BUDGET),
        Verdict::Linearizable
    );
    // Once the cancel returned before the update was invoked, it cannot.
    let ordered = [
        op(1, Call::Cancel, 0, 5, shown("CANCELLING", "initial")),
        op(2, update("a"), 10, 50, shown("IN_PROGRESS", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &ordered, BUDGET),
        Verdict::NotLinearizable
    );
}

#[test]
fn an_operation_without_an_answer_may_or_may_not_have_taken_effect() {
    let took_effect = [
        op(1, update("a"), 0, 10, Ret::Unknown),
        op(2, Call::Get, 40, 50, shown("IN_PROGRESS", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &took_effect, BUDGET),
        Verdict::Linearizable
    );
    let did_not = [
        op(1, update("a"), 0, 10, Ret::Unknown),
        op(2, Call::Get, 40, 50, shown("SUCCEEDED", "initial")),
    ];
    assert_eq!(
        check(&succeeding(), &did_not, BUDGET),
        Verdict::Linearizable
    );
    // But it cannot take effect before it was invoked.
    let before = [
        op(2, Call::Get, 0, 5, shown("IN_PROGRESS", "initial")),
        op(1, update("a"), 10, 20, Ret::Unknown),
    ];
    assert_eq!(
        check(&succeeding(), &before, BUDGET),
        Verdict::NotLinearizable
    );
}

#[test]
fn a_failed_call_takes_effect_before_its_failure_arrives_and_a_timed_out_one_at_any_time() {
    // Read unchanged after the call ended, then read as taken effect.
    let late = |ret: Ret| {
        [
            op(1, update("a"), 0, 10, ret),
            op(2, Call::Get, 20, 30, shown("SUCCEEDED", "initial")),
            op(2, Call::Get, 40, 50, shown("IN_PROGRESS", "initial")),
        ]
    };
    assert_eq!(
        check(&succeeding(), &late(Ret::Unknown), BUDGET),
        Verdict::NotLinearizable
    );
    assert_eq!(
        check(&succeeding(), &late(Ret::TimedOut), BUDGET),
        Verdict::Linearizable
    );
}

#[test]
fn a_read_of_a_state_no_order_reaches_is_refused_even_from_the_seeded_state() {
    let history = [op(1, Call::Get, 0, 5, shown("CANCELLED", "initial"))];
    assert_eq!(
        check(&succeeding(), &history, BUDGET),
        Verdict::NotLinearizable
    );
    let (smallest, any) = shrink(&succeeding(), &history, BUDGET);
    assert_eq!(smallest, history.to_vec());
    assert!(!any, "CANCELLED is reachable from some start");
}

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
        report.faults.len() >= 3 && report.answered > 1_000,
        "too little happened to show anything:\n{report}"
    );

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

/// A replica without compare-and-set, for the negative control: this test
/// binary started by the check with [`REPLICA_ENV`] set to
/// `port\ndatabase\nseed file\nlease ms`. It does nothing otherwise.
#[test]
#[ignore = "started by the check as a replica process"]
fn cas_off_replica() {
    let Ok(config) = std::env::var(REPLICA_ENV) else {
        return;
    };
    let mut parts = config.lines();
    let (port, database, seed, lease) = (
        parts.next().unwrap().parse::<u16>().unwrap(),
        parts.next().unwrap().to_owned(),
        parts.next().unwrap().to_owned(),
        parts.next().unwrap().parse::<u64>().unwrap(),
    );
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
