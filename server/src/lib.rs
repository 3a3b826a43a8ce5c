//! # proton-cancel-server
//!
//! An AWS Proton emulator for the whole deployment lifecycle of the four
//! kinds of resource around a deployment cancel: Cancel, Update and Get of
//! service instances, environments, service pipelines (GetService) and
//! components, ListServiceInstances, and the deployment records
//! (GetDeployment, ListDeployments), on the AWS JSON 1.0 wire protocol
//! (`POST /` with `X-Amz-Target: AwsProton20200720.<Operation>`).
//!
//! Every resource is a [`proton_cancel::Deployment`] machine, stored as its
//! versioned snapshot in a [`store::Store`] (memory, SQLite or PostgreSQL)
//! and written by compare-and-set on its revision. A
//! simulated provisioning engine answers each accepted update and cancel
//! after delays and with results set per resource ([`EngineScript`]), and
//! feeds its reports into the machine, so each race of the specification can
//! be staged on purpose: set the update's delay below the cancellation's
//! start delay and the update wins.
//!
//! Every attempt has a deployment record that follows the machine's
//! transitions. Every response carries a fresh `x-amzn-RequestId`, and every
//! request is logged in one `tracing` line with it.
//!
//! The server does not check request signatures: any credentials are
//! accepted.

mod app;
mod cache;
mod clock;
mod control;
mod create;
mod dashboard;
mod dispatch;
mod engine;
mod faults;
mod http;
mod journal;
mod list;
pub mod logs;
mod operations;
mod page;
mod record;
mod seed;
mod seeding;
mod services;
mod state;
pub mod store;
mod stored;
mod templates;
mod write;

pub use app::{App, DEFAULT_JOB_LEASE, OpenError, Options};
pub use clock::Clock;
pub use control::CONTROL_PATH;
pub use engine::{
    CANCELLATION_FAILURE, DELETION_FAILURE, EngineOverrides, EngineScript, UPDATE_FAILURE,
};
pub use http::{MAX_BODY_BYTES, REQUEST_ID_HEADER, router};
pub use seed::{
    Seed, SeedComponent, SeedDeployment, SeedEnvironment, SeedServiceInstance, SeedServicePipeline,
};
pub use state::{STATE_VERSION, State};

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
}
