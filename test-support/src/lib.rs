//! # proton-cancel-test-support
//!
//! What the workspace's tests share, as a crate of its own (a
//! dev-dependency only, never published): each test binary takes the parts
//! it needs instead of including files by path.
//!
//! - [`builders`]: the specification's fixtures (a service instance `web`
//!   of service `shop`, its inputs and expected outcomes).
//! - [`strategies`] and [`hostile!`]: generators of hostile text, JSON and
//!   request bodies, and named catalogs of hostile cases.
//! - `emulator`: the emulator in-process on 127.0.0.1; [`process`]: the
//!   server binary as a process of the test's own. These are the two ways a
//!   test starts a server.
//! - [`raw`]: one raw HTTP request; `control`: a call to the emulator's
//!   control API; `postgres`: the PostgreSQL tests'
//!   database, loud skip and schemas; `relay`: a TCP relay a test can cut.
//!   The emulator, PostgreSQL and the relay come with the `server` feature,
//!   which the server's and the tool's tests turn on.
//! - `browser` (feature `browser`): headless Chromium for the tests of
//!   pages, or a loud skip.
//! - `world` (feature `world`): the resources a run of the Jepsen-style
//!   check or of the simulation serves, their models, engines and seed.

#![forbid(unsafe_code)]
#![allow(clippy::disallowed_methods)] // tests own clocks, processes and the environment

#[cfg(feature = "browser")]
pub mod browser;
pub mod builders;
#[cfg(feature = "server")]
pub mod control;
#[cfg(feature = "server")]
pub mod emulator;
#[cfg(feature = "server")]
pub mod postgres;
pub mod process;
pub mod raw;
#[cfg(feature = "server")]
pub mod relay;
#[macro_use]
pub mod strategies;
#[cfg(feature = "world")]
pub mod world;
