//! The emulator in-process: an [`App`] on an in-memory store (or the store
//! given), served on a free port of 127.0.0.1 by a task of the caller's
//! Tokio runtime.

use std::net::SocketAddr;

use proton_cancel_server::store::Store;
use proton_cancel_server::{App, Clock, OpenError, Options, Seed, serve};

/// An app on an in-memory store with `seed` and `clock`, not served.
///
/// # Errors
/// The seed does not load.
pub async fn open(seed: Seed, clock: Clock) -> Result<App, OpenError> {
    open_on(Store::memory(), seed, clock).await
}

/// An app on `store` with `seed` and `clock`, not served.
///
/// # Errors
/// The seed does not load.
pub async fn open_on(store: Store, seed: Seed, clock: Clock) -> Result<App, OpenError> {
    App::open(
        store,
        Options {
            seed,
            clock,
            ..Options::default()
        },
    )
    .await
}

/// Opens an app as [`open`] does, serves it on a free port of 127.0.0.1
/// for as long as the runtime runs, and returns it with its address.
///
/// # Panics
/// The seed does not load, or no port can be bound.
pub async fn start(seed: Seed, clock: Clock) -> (App, SocketAddr) {
    start_on(Store::memory(), seed, clock).await
}

/// As [`start`], on `store`.
///
/// # Panics
/// As [`start`].
pub async fn start_on(store: Store, seed: Seed, clock: Clock) -> (App, SocketAddr) {
    let app = open_on(store, seed, clock).await.expect("the seed loads");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port of 127.0.0.1");
    let addr = listener.local_addr().expect("a bound address");
    tokio::spawn(serve(listener, app.clone(), std::future::pending()));
    (app, addr)
}

/// [`start`] with a seed given as JSON.
///
/// # Panics
/// The JSON is not a seed, or as [`start`].
pub async fn start_json(seed: serde_json::Value, clock: Clock) -> (App, SocketAddr) {
    let seed: Seed = serde_json::from_value(seed).expect("a seed");
    start(seed, clock).await
}
